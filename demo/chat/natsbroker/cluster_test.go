package natsbroker

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/topics"
)

// TestClusterFanOut: three servers, the stream on all three; what one node
// publishes reaches the subscribers of every node once, in order, and
// publications of the three nodes at once keep each one's order and reach
// every subscriber in the same order.
func TestClusterFanOut(t *testing.T) {
	servers := startCluster(t, 3)
	brokers := connectAll(t, servers, nil)

	t.Run("one publisher", func(t *testing.T) {
		cols := subscribeAll(t, brokers, "one")
		var want []string
		for i := range 50 {
			text := fmt.Sprintf("a-%d", i)
			want = append(want, text)
			if err := brokers[0].Publish(topics.Message{Topic: "one", Op: frame.OpText, Data: []byte(text)}); err != nil {
				t.Fatal(err)
			}
		}
		for i, col := range cols {
			got := col.wait(len(want), 10*time.Second)
			time.Sleep(50 * time.Millisecond) // room for a duplicate to show
			got = col.snapshot()
			if diff := cmp.Diff(want, texts(got)); diff != "" {
				t.Errorf("subscriber on node %d (-want +got):\n%s", i, diff)
			}
			increasing(t, fmt.Sprintf("node %d", i), got)
		}
	})

	t.Run("three publishers", func(t *testing.T) {
		cols := subscribeAll(t, brokers, "three")
		const each = 100
		var wg sync.WaitGroup
		for p, b := range brokers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					m := topics.Message{Topic: "three", Op: frame.OpText, Data: []byte(fmt.Sprintf("p%d-%d", p, i))}
					if err := b.Publish(m); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		first := texts(cols[0].wait(3*each, 10*time.Second))
		checkPerPublisher(t, "node 0", first, 3, each)
		for i, col := range cols[1:] {
			got := col.wait(3*each, 10*time.Second)
			if diff := cmp.Diff(first, texts(got)); diff != "" {
				t.Errorf("node %d's order differs from node 0's (-node 0 +node %d):\n%s", i+1, i+1, diff)
			}
		}
	})
}

func subscribeAll(t *testing.T, brokers []*Broker, topic string) []*collector {
	t.Helper()
	var cols []*collector
	for _, b := range brokers {
		col, _ := subscribe(t, b, topic)
		cols = append(cols, col)
	}
	return cols
}

// checkPerPublisher fails t unless got holds "p<P>-<i>" for every publisher
// P < publishers and i < each exactly once, each publisher's in order.
func checkPerPublisher(t *testing.T, who string, got []string, publishers, each int) {
	t.Helper()
	next := map[string]int{}
	for _, text := range got {
		p := publisherOf(text)
		if want := fmt.Sprintf("%s-%d", p, next[p]); text != want {
			t.Errorf("%s: got %s, want %s (a gap, a duplicate or out of order)", who, text, want)
			return
		}
		next[p]++
	}
	for p := range publishers {
		if n := next[fmt.Sprintf("p%d", p)]; n != each {
			t.Errorf("%s: %d message(s) of p%d, want %d", who, n, p, each)
		}
	}
}

// TestClusterKillNode kills the stream's leader in the middle of a stream of
// publications from the two other nodes: every acknowledged message is
// still there, once and in order, in the history the survivors give and in
// what their subscribers received live.
func TestClusterKillNode(t *testing.T) {
	servers := startCluster(t, 3)
	var lostNode atomic.Int32
	lostNode.Store(-1)
	brokers := connectAll(t, servers, func(i int, err error) { lostNode.Store(int32(i)) })

	if got := brokers[0].cfg.Replicas; got != 3 {
		t.Fatalf("Replicas = %d in a cluster, want 3 by default", got)
	}
	victim := -1
	for i, s := range servers {
		if s.NATS().JetStreamIsStreamLeader("$G", "WSKIT") {
			victim = i
		}
	}
	if victim < 0 {
		t.Fatal("no stream leader")
	}
	var survivors []int
	for i := range servers {
		if i != victim {
			survivors = append(survivors, i)
		}
	}
	var cols []*collector
	for _, i := range survivors {
		col, _ := subscribe(t, brokers[i], "room")
		cols = append(cols, col)
	}

	const each = 150
	var acked, ackedAtKill atomic.Int32
	killed := make(chan struct{})
	go func() {
		for acked.Load() < 60 {
			time.Sleep(time.Millisecond)
		}
		ackedAtKill.Store(acked.Load())
		servers[victim].Shutdown()
		close(killed)
	}()
	ackedBy := make([][]string, len(servers)) // per publisher, what Publish acknowledged
	var wg sync.WaitGroup
	for _, p := range survivors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				text := fmt.Sprintf("p%d-%d", p, i)
				err := brokers[p].Publish(topics.Message{Topic: "room", Op: frame.OpText, Data: []byte(text)})
				if err != nil {
					t.Logf("p%d-%d not acknowledged: %v", p, i, err)
					continue
				}
				ackedBy[p] = append(ackedBy[p], text)
				acked.Add(1)
			}
		}()
	}
	wg.Wait()
	<-killed
	if got := lostNode.Load(); got != int32(victim) {
		t.Errorf("OnLost reported node %d, want the killed node %d", got, victim)
	}
	total := 0
	for _, p := range survivors {
		total += len(ackedBy[p])
	}
	t.Logf("killed node %d (the stream leader) after %d acknowledgements; %d of %d acknowledged", victim, ackedAtKill.Load(), total, 2*each)
	if total < 2*each*9/10 {
		t.Errorf("only %d of %d publications acknowledged", total, 2*each)
	}
	if int(ackedAtKill.Load()) >= total {
		t.Errorf("nothing acknowledged after the kill (%d before it): not mid-stream", ackedAtKill.Load())
	}

	for k, i := range survivors {
		hist, err := brokers[i].History("room", 0, 0)
		if err != nil {
			t.Fatalf("History on node %d: %v", i, err)
		}
		checkAcked(t, fmt.Sprintf("history on node %d", i), hist, ackedBy)
		live := cols[k].wait(len(hist), 20*time.Second)
		if diff := cmp.Diff(texts(hist), texts(live)); diff != "" {
			t.Errorf("live deliveries on node %d differ from the history (-history +live):\n%s", i, diff)
		}
		increasing(t, fmt.Sprintf("live on node %d", i), live)
	}
}

// checkAcked fails t unless msgs hold each acknowledged message exactly
// once, each publisher's in the order acknowledged, with increasing
// sequences, and nothing unknown.
func checkAcked(t *testing.T, who string, msgs []topics.Message, ackedBy [][]string) {
	t.Helper()
	increasing(t, who, msgs)
	seen := map[string]int{}
	byPublisher := map[string][]string{}
	for _, m := range msgs {
		text := string(m.Data)
		seen[text]++
		if seen[text] == 2 {
			t.Errorf("%s: %s twice", who, text)
		}
		byPublisher[publisherOf(text)] = append(byPublisher[publisherOf(text)], text)
	}
	for p, want := range ackedBy {
		if len(want) == 0 {
			continue
		}
		// An unacknowledged publication may have been stored too; keep
		// only the acknowledged ones to compare order and completeness.
		ack := map[string]bool{}
		for _, text := range want {
			ack[text] = true
		}
		var got []string
		for _, text := range byPublisher[fmt.Sprintf("p%d", p)] {
			if ack[text] {
				got = append(got, text)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: p%d's acknowledged messages (-acknowledged +stored):\n%s", who, p, diff)
		}
	}
}
