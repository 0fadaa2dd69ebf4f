package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

// BenchmarkClusterRoom: one room of 1,000 clients spread over the nodes
// (loopback, all in this process), three senders spread likewise, each
// message carrying its send time. b.N is the number of messages sent;
// every client receives all of them. It reports deliveries per second
// (from the first send to the last delivery) and the p50/p99 time from
// send to delivery, across nodes: most deliveries happen on a node other
// than the sender's. rate=max sends as fast as the senders' connections
// take messages; rate=N paces the senders to N messages per second in all.
// local is the chat Server without NATS, for comparison.
//
//	go test -run '^$' -bench ClusterRoom -benchtime 300x -count 3
func BenchmarkClusterRoom(b *testing.B) {
	for _, nodes := range []int{0, 1, 3} {
		for _, rate := range []int{0, 50} {
			kind := fmt.Sprintf("nodes=%d", nodes)
			if nodes == 0 {
				kind = "local" // one Server, topics' Local broker: no NATS at all
			}
			r := "max"
			if rate > 0 {
				r = fmt.Sprint(rate)
			}
			b.Run(fmt.Sprintf("%s/clients=1000/rate=%s", kind, r), func(b *testing.B) { benchRoom(b, nodes, 1000, rate) })
		}
	}
}

func benchRoom(b *testing.B, nodes, clients, rate int) {
	var addrs []string
	switch nodes {
	case 0:
		addrs = []string{startServer(b, Config{}, nil).addr}
	case 1:
		addrs = []string{startNode(b, Config{}, ClusterConfig{History: DefaultHistory}).addr}
	default:
		for _, n := range startChatCluster(b) {
			addrs = append(addrs, n.addr)
		}
	}
	room := fmt.Sprintf("bench%d", time.Now().UnixNano())
	n := b.N
	type receiver struct {
		lat []time.Duration
		err error
	}
	recvs := make([]receiver, clients)
	var warm, done sync.WaitGroup
	warm.Add(clients)
	done.Add(clients)
	for i := range clients {
		ep, _ := dial(b, addrs[i%len(addrs)], room, dialOptions{})
		recvs[i].lat = make([]time.Duration, 0, n)
		go func() {
			defer done.Done()
			r := &recvs[i]
			warmed := false
			for len(r.lat) < n {
				m, err := ep.NextMessage()
				if err != nil {
					r.err = err
					if !warmed {
						warm.Done()
					}
					return
				}
				now := time.Now()
				if string(m.Data) == "warm" {
					if !warmed {
						warmed = true
						warm.Done()
					}
					continue
				}
				_, ts, _ := strings.Cut(string(m.Data), " ")
				sent, _ := strconv.ParseInt(ts, 10, 64)
				r.lat = append(r.lat, now.Sub(time.Unix(0, sent)))
			}
		}()
	}
	var senders []*endpoint.Endpoint
	for i := range 3 {
		ep, _ := dial(b, addrs[i%len(addrs)], room, dialOptions{})
		go func() { // a sender reads its echoes, else it would be dropped as slow
			for {
				if _, err := ep.NextMessage(); err != nil {
					return
				}
			}
		}()
		senders = append(senders, ep)
	}
	// Every client is in the room once it got a message sent after it joined.
	allIn := make(chan struct{})
	go func() { warm.Wait(); close(allIn) }()
	deadline := time.Now().Add(60 * time.Second)
	for waited := false; !waited; {
		if err := senders[0].WriteMessage(frame.OpText, []byte("warm")); err != nil {
			b.Fatal(err)
		}
		select {
		case <-allIn:
			waited = true
		case <-time.After(500 * time.Millisecond):
			if time.Now().After(deadline) {
				b.Fatal("clients not all in the room after 60s")
			}
		}
	}

	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	for s, ep := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var tick *time.Ticker
			if rate > 0 {
				tick = time.NewTicker(time.Duration(len(senders)) * time.Second / time.Duration(rate))
				defer tick.Stop()
			}
			for i := s; i < n; i += len(senders) {
				if tick != nil {
					<-tick.C
				}
				msg := fmt.Sprintf("s%d-%d %d", s, i, time.Now().UnixNano())
				if err := ep.WriteMessage(frame.OpText, []byte(msg)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	finished := make(chan struct{})
	go func() { done.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(120 * time.Second):
		b.Fatal("deliveries not complete after 120s")
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()

	var all []time.Duration
	for i, r := range recvs {
		if r.err != nil {
			b.Fatalf("client %d after %d messages: %v", i, len(r.lat), r.err)
		}
		all = append(all, r.lat...)
	}
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	// The process's CPU time (servers, NATS and clients alike) per
	// delivery: what the machine spent, whatever else ran on it.
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(len(all)), "cpu-ns/delivery")
}

// cpuTime is the CPU time the process used so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
