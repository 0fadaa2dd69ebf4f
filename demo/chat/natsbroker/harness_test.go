package natsbroker

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wskit/wskit/topics"
)

// collector records what a subscription delivers.
type collector struct {
	mu   sync.Mutex
	msgs []topics.Message
	more chan struct{} // signalled after each delivery
}

func newCollector() *collector { return &collector{more: make(chan struct{}, 1)} }

// subscribe subscribes a new collector to pattern on b until the test ends.
func subscribe(t testing.TB, b *Broker, pattern string) (*collector, topics.Subscription) {
	t.Helper()
	col := newCollector()
	sub, err := b.Subscribe(pattern, col.deliver)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })
	return col, sub
}

func (c *collector) deliver(m topics.Message) {
	m.Data = append([]byte(nil), m.Data...) // deliver must not keep m.Data
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
	select {
	case c.more <- struct{}{}:
	default:
	}
}

func (c *collector) snapshot() []topics.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]topics.Message(nil), c.msgs...)
}

// wait returns the deliveries once there are at least n, or what there is
// after timeout.
func (c *collector) wait(n int, timeout time.Duration) []topics.Message {
	deadline := time.After(timeout)
	for {
		if got := c.snapshot(); len(got) >= n {
			return got
		}
		select {
		case <-c.more:
		case <-deadline:
			return c.snapshot()
		}
	}
}

// texts lists the payloads of msgs, the part a test compares.
func texts(msgs []topics.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = string(m.Data)
	}
	return out
}

// increasing fails t unless the sequences of msgs increase strictly.
func increasing(t *testing.T, who string, msgs []topics.Message) {
	t.Helper()
	for i := 1; i < len(msgs); i++ {
		if msgs[i].Seq <= msgs[i-1].Seq {
			t.Errorf("%s: seq %d after %d (message %d)", who, msgs[i].Seq, msgs[i-1].Seq, i)
			return
		}
	}
}

// startOne starts the single-node default (in-process, memory) and a Broker
// on it.
func startOne(t testing.TB, cfg Config) (*Server, *Broker) {
	t.Helper()
	s, err := StartServer(ServerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	cfg.Server = s
	b, err := Connect(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return s, b
}

// freePorts returns n loopback ports free a moment ago: a cluster's routes
// name each other's ports before any server starts.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// startCluster starts n embedded servers clustered over loopback routes,
// each routing to all, and waits until JetStream's meta group has them all
// and a leader.
func startCluster(t testing.TB, n int) []*Server {
	t.Helper()
	ports := freePorts(t, n)
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("127.0.0.1:%d", p))
	}
	servers := make([]*Server, n)
	for i := range n {
		s, err := StartServer(ServerConfig{
			Name:          fmt.Sprintf("n%d", i),
			ClusterListen: routes[i],
			Routes:        routes,
			ClusterName:   "test",
		})
		if err != nil {
			t.Fatal(err)
		}
		servers[i] = s
		t.Cleanup(s.Shutdown)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		current, leaders, peers := 0, 0, 0
		for _, s := range servers {
			ns := s.NATS()
			if ns.JetStreamIsCurrent() {
				current++
			}
			if ns.JetStreamIsLeader() {
				leaders++
				peers = len(ns.JetStreamClusterPeers()) // only the leader knows
			}
		}
		if current == n && leaders == 1 && peers == n {
			return servers
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster of %d not formed after 20s: %d current, %d meta leaders, %d peers", n, current, leaders, peers)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// connectAll connects a Broker to each server; the stream is replicated on
// three, the default in a cluster.
func connectAll(t testing.TB, servers []*Server, lost func(i int, err error)) []*Broker {
	t.Helper()
	brokers := make([]*Broker, len(servers))
	for i, s := range servers {
		cfg := Config{Server: s, Name: fmt.Sprintf("node%d", i)}
		if lost != nil {
			cfg.OnLost = func(err error) { lost(i, err) }
		}
		b, err := Connect(cfg)
		if err != nil {
			t.Fatal(err)
		}
		brokers[i] = b
		t.Cleanup(func() { b.Close() })
	}
	return brokers
}

// seqName tells a message "p<publisher>-<n>" apart for per-publisher checks.
func publisherOf(text string) string {
	p, _, _ := strings.Cut(text, "-")
	return p
}
