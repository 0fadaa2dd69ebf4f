package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/demo/chat/natsbroker"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/client"
)

// connsListener remembers the connections it accepted, so that a test can
// cut them all as a crash would.
type connsListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *connsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *connsListener) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // a reset, as when the process dies
		}
		c.Close()
	}
}

// testNode is a node serving HTTP on a free loopback port.
type testNode struct {
	*node
	addr string
	logs *syncLog
	kill func() // every TCP connection reset, the embedded NATS server gone
}

// startNode starts a node for cc until the test ends.
func startNode(t testing.TB, cfg Config, cc ClusterConfig) *testNode {
	t.Helper()
	logs := &syncLog{}
	cfg.Log = log.New(logs, "", log.Lmicroseconds)
	n, err := newNode(cfg, cc)
	if err != nil {
		t.Fatal(err)
	}
	return serveNode(t, n, logs)
}

func serveNode(t testing.TB, n *node, logs *syncLog) *testNode {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &connsListener{Listener: l}
	hs := &http.Server{Handler: n, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() { hs.Serve(ln); close(done) }()
	var killOnce sync.Once
	tn := &testNode{node: n, addr: l.Addr().String(), logs: logs}
	tn.kill = func() {
		killOnce.Do(func() {
			hs.Close()
			ln.cut()
			if n.nats != nil {
				n.nats.Shutdown()
			}
		})
	}
	t.Cleanup(func() {
		hs.Close()
		<-done
		n.Close(5 * time.Second)
		if t.Failed() {
			lines := strings.SplitAfter(logs.String(), "\n")
			t.Logf("node %s log (last lines):\n%s", tn.addr, strings.Join(lines[max(0, len(lines)-20):], ""))
		}
	})
	return tn
}

// startChatCluster starts three nodes whose embedded NATS servers form a
// cluster over loopback routes; the rooms' history has three replicas.
func startChatCluster(t testing.TB) []*testNode {
	t.Helper()
	var routes []string
	var ls []net.Listener
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		routes = append(routes, l.Addr().String())
	}
	for _, l := range ls {
		l.Close() // free again, for the servers, now that all three are known
	}
	return startNodesTogether(t, routes)
}

// startNodesTogether starts one node per route address, each routing to
// all, concurrently: a node's Connect waits for the cluster to form.
func startNodesTogether(t testing.TB, routes []string) []*testNode {
	t.Helper()
	type started struct {
		n    *node
		logs *syncLog
		err  error
	}
	results := make([]started, len(routes))
	var wg sync.WaitGroup
	for i := range routes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			logs := &syncLog{}
			n, err := newNode(Config{Log: log.New(logs, "", log.Lmicroseconds)},
				ClusterConfig{ClusterListen: routes[i], Routes: routes, History: DefaultHistory})
			results[i] = started{n, logs, err}
		}()
	}
	wg.Wait()
	var nodes []*testNode
	for _, r := range results {
		if r.err != nil {
			for _, o := range results {
				if o.n != nil {
					o.n.Close(time.Second)
				}
			}
			t.Fatal(r.err)
		}
	}
	for _, r := range results {
		nodes = append(nodes, serveNode(t, r.n, r.logs))
	}
	return nodes
}

// dialGo is dial for a goroutine other than the test's: it returns the
// error rather than ending the test.
func dialGo(addr, path string) (*client.Dialed, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return client.Dial(ctx, "ws://"+addr+"/chat/"+path, &client.Config{})
}

// seqMsg is a resuming client's message, decoded.
type seqMsg struct {
	Seq  uint64 `json:"seq"`
	Text string `json:"text"`
}

// recvSeq reads n JSON messages from ep, each within d; it returns those it
// read and the error that stopped it early.
func recvSeq(ep *endpoint.Endpoint, n int, d time.Duration) ([]seqMsg, error) {
	var got []seqMsg
	for len(got) < n {
		m, err := recvTimeout(ep, d)
		if err != nil {
			return got, err
		}
		var sm seqMsg
		if err := json.Unmarshal(m.Data, &sm); err != nil {
			return got, fmt.Errorf("message %q: %v", m.Data, err)
		}
		got = append(got, sm)
	}
	return got, nil
}

func seqTexts(msgs []seqMsg) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Text
	}
	return out
}

// increasingSeqs fails t unless the seqs of msgs increase.
func increasingSeqs(t *testing.T, who string, msgs []seqMsg) {
	t.Helper()
	for i := 1; i < len(msgs); i++ {
		if msgs[i].Seq <= msgs[i-1].Seq {
			t.Errorf("%s: seq %d after %d", who, msgs[i].Seq, msgs[i-1].Seq)
			return
		}
	}
}

// send writes texts to ep from a goroutine; the returned channel gives its
// error once all are written.
func send(ep *endpoint.Endpoint, texts []string, pace time.Duration) <-chan error {
	done := make(chan error, 1)
	go func() {
		for _, text := range texts {
			if err := ep.WriteMessage(frame.OpText, []byte(text)); err != nil {
				done <- err
				return
			}
			time.Sleep(pace)
		}
		done <- nil
	}()
	return done
}

func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

// perSender fails t unless got holds every sender's messages (as numbered
// made them) exactly once, each sender's in order.
func perSender(t *testing.T, who string, got []string, senders map[string]int) {
	t.Helper()
	next := map[string]int{}
	for _, text := range got {
		p, _, _ := strings.Cut(text, "-")
		if want := fmt.Sprintf("%s-%d", p, next[p]); text != want {
			t.Errorf("%s: got %s, want %s (a gap, a duplicate or out of order)", who, text, want)
			return
		}
		next[p]++
	}
	if diff := cmp.Diff(senders, next); diff != "" {
		t.Errorf("%s: messages per sender (-want +got):\n%s", who, diff)
	}
}

// TestClusterRooms: a room spans three nodes. What a client of node A
// sends reaches the clients of B and C (and A, the sender's included)
// exactly once, each sender's order kept, every client seeing the same
// order; a resuming client gets the same as JSON, seqs increasing.
func TestClusterRooms(t *testing.T) {
	nodes := startChatCluster(t)
	var plain []*endpoint.Endpoint
	for _, n := range nodes {
		ep, _ := dial(t, n.addr, "lobby", dialOptions{})
		plain = append(plain, ep)
	}
	resumed, _ := dial(t, nodes[2].addr, "lobby?since=0", dialOptions{})
	time.Sleep(100 * time.Millisecond) // the joins are handled after the upgrade's answer

	const each = 30
	s0 := send(plain[0], numbered("a", each), 0)
	s1 := send(plain[1], numbered("b", each), 0)
	for _, ch := range []<-chan error{s0, s1} {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int{"a": each, "b": each}
	var first []string
	for i, ep := range plain {
		got := recvN(t, ep, 2*each, 10*time.Second)
		perSender(t, fmt.Sprintf("client of node %d", i), got, want)
		if i == 0 {
			first = got
		} else if diff := cmp.Diff(first, got); diff != "" {
			t.Errorf("node %d's client saw another order than node 0's (-node 0 +node %d):\n%s", i, i, diff)
		}
		if m, err := recvTimeout(ep, 200*time.Millisecond); err == nil {
			t.Errorf("node %d's client: one more message %q", i, m.Data)
		}
	}
	got, err := recvSeq(resumed, 2*each, 10*time.Second)
	if err != nil {
		t.Fatalf("resuming client after %d messages: %v", len(got), err)
	}
	if diff := cmp.Diff(first, seqTexts(got)); diff != "" {
		t.Errorf("resuming client (-plain +resumed):\n%s", diff)
	}
	increasingSeqs(t, "resuming client", got)
}

// TestClusterNodeKilled: clients of node C read a stream of messages sent
// through A and B; C dies in the middle (its connections reset, its NATS
// server gone). They reconnect to A and B with since = the last seq they
// read, and end with every message exactly once, in order.
func TestClusterNodeKilled(t *testing.T) {
	nodes := startChatCluster(t)
	const readers, each = 4, 150
	var eps []*endpoint.Endpoint
	for range readers {
		ep, _ := dial(t, nodes[2].addr, "room?since=0", dialOptions{})
		eps = append(eps, ep)
	}
	sa, _ := dial(t, nodes[0].addr, "room", dialOptions{})
	sb, _ := dial(t, nodes[1].addr, "room", dialOptions{})
	time.Sleep(100 * time.Millisecond)
	// The senders read their echoes, so that they are not dropped as slow.
	echoes := make([]chan []string, 2)
	for i, ep := range []*endpoint.Endpoint{sa, sb} {
		echoes[i] = make(chan []string, 1)
		go func() {
			var got []string
			for len(got) < 2*each {
				m, err := recvTimeout(ep, 20*time.Second)
				if err != nil {
					break
				}
				got = append(got, string(m.Data))
			}
			echoes[i] <- got
		}()
	}
	doneA := send(sa, numbered("a", each), 2*time.Millisecond)
	doneB := send(sb, numbered("b", each), 2*time.Millisecond)

	type result struct {
		got        []seqMsg
		reconnects int
		err        error
	}
	results := make(chan result, readers)
	var killOnce sync.Once
	for k, ep := range eps {
		go func() {
			var r result
			cur := ep
			for len(r.got) < 2*each {
				got, err := recvSeq(cur, 1, 20*time.Second)
				r.got = append(r.got, got...)
				if len(r.got) == 40 && k == 0 {
					killOnce.Do(nodes[2].kill) // mid-stream
				}
				if err == nil {
					continue
				}
				if r.reconnects == 3 {
					r.err = fmt.Errorf("after %d messages and %d reconnections: %v", len(r.got), r.reconnects, err)
					break
				}
				r.reconnects++
				var since uint64
				if len(r.got) > 0 {
					since = r.got[len(r.got)-1].Seq
				}
				to := nodes[k%2] // the survivors
				d, err := dialGo(to.addr, fmt.Sprintf("room?since=%d", since))
				if err != nil {
					r.err = err
					break
				}
				t.Cleanup(func() { d.Close() })
				cur = d.Endpoint(endpoint.CloseTimeout(2 * time.Second))
			}
			results <- r
		}()
	}
	for _, ch := range []<-chan error{doneA, doneB} {
		if err := <-ch; err != nil {
			t.Fatalf("sender: %v", err)
		}
	}
	want := map[string]int{"a": each, "b": each}
	for i := range 2 {
		perSender(t, fmt.Sprintf("sender %d's echoes", i), <-echoes[i], want)
	}
	for range readers {
		r := <-results
		if r.err != nil {
			t.Error(r.err)
		}
		if r.reconnects != 1 {
			t.Errorf("reader reconnected %d times, want once", r.reconnects)
		}
		perSender(t, "reader", seqTexts(r.got), want)
		increasingSeqs(t, "reader", r.got)
	}
}

// TestResume on one node (the default: embedded NATS, no port): a client
// that joins with since while messages are being published gets those
// above since, then the live ones, each once and in order.
func TestResume(t *testing.T) {
	n := startNode(t, Config{}, ClusterConfig{History: DefaultHistory})
	sender, _ := dial(t, n.addr, "room", dialOptions{})
	first := numbered("m", 10)
	if err := <-send(sender, first, 0); err != nil {
		t.Fatal(err)
	}
	recvN(t, sender, 10, 5*time.Second)
	// A resuming client learns the seqs: it reads them all from 0.
	all, _ := dial(t, n.addr, "room?since=0", dialOptions{})
	hist, err := recvSeq(all, 10, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, seqTexts(hist)); diff != "" {
		t.Fatalf("since=0 (-want +got):\n%s", diff)
	}
	more := numbered("n", 300)
	done := send(sender, more, 0)
	time.Sleep(2 * time.Millisecond)
	late, _ := dial(t, n.addr, fmt.Sprintf("room?since=%d", hist[3].Seq), dialOptions{}) // joins mid-stream
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err := recvSeq(late, 6+300, 10*time.Second)
	if err != nil {
		t.Fatalf("after %d messages: %v", len(got), err)
	}
	if diff := cmp.Diff(append(first[4:], more...), seqTexts(got)); diff != "" {
		t.Errorf("since=%d (-want +got):\n%s", hist[3].Seq, diff)
	}
	if m, err := recvTimeout(late, 200*time.Millisecond); err == nil {
		t.Errorf("one more message %q", m.Data)
	}
	// A since from an earlier stream (above the newest seq) gets it all.
	stale, _ := dial(t, n.addr, "room?since=999999", dialOptions{})
	got, err = recvSeq(stale, 310, 10*time.Second)
	if err != nil {
		t.Fatalf("since=999999: after %d messages: %v", len(got), err)
	}
	if diff := cmp.Diff(append(first, more...), seqTexts(got)); diff != "" {
		t.Errorf("since=999999 (-want +got):\n%s", diff)
	}
	// A resuming client's messages reach the plain ones as text.
	if err := late.WriteMessage(frame.OpText, []byte("from late")); err != nil {
		t.Fatal(err)
	}
	recvN(t, sender, 300, 5*time.Second)
	if diff := cmp.Diff([]string{"from late"}, recvN(t, sender, 1, 5*time.Second)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestSinceRefused: a since that is not a decimal number gets 400 before
// any upgrade, as a bad room name does.
func TestSinceRefused(t *testing.T) {
	n := startNode(t, Config{}, ClusterConfig{History: DefaultHistory})
	for _, q := range []string{"lobby?since=abc", "lobby?since=-1", "lobby?since=", "lobby?since=1.5", "lobby?since=0x10",
		"lobby?since=99999999999999999999", "bad.room?since=1"} {
		resp, err := http.Get("http://" + n.addr + "/chat/" + q)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %q, want 400", q, resp.StatusCode, body)
		}
	}
}

// TestNATSLost: a node on an outside NATS server that goes away closes its
// WebSockets with 1012 and answers new joins 503.
func TestNATSLost(t *testing.T) {
	ns, err := natsbroker.StartServer(natsbroker.ServerConfig{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	n := startNode(t, Config{}, ClusterConfig{NATS: ns.ClientURL(), History: DefaultHistory})
	plain, _ := dial(t, n.addr, "lobby", dialOptions{})
	resumed, _ := dial(t, n.addr, "lobby?since=0", dialOptions{})
	if err := plain.WriteMessage(frame.OpText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	recvN(t, plain, 1, 5*time.Second)
	if _, err := recvSeq(resumed, 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	ns.Shutdown()
	for name, ep := range map[string]*endpoint.Endpoint{"plain": plain, "resumed": resumed} {
		_, err := recvTimeout(ep, 10*time.Second)
		if code := frame.CloseCodeOf(err); code != frame.CloseServiceRestart {
			t.Errorf("%s client: %v (code %d), want the server's close 1012", name, err, code)
		}
	}
	for _, q := range []string{"lobby", "lobby?since=0"} {
		resp, err := http.Get("http://" + n.addr + "/chat/" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s with NATS lost: %d, want 503", q, resp.StatusCode)
		}
	}
}

// TestNATSUnreachable: a node whose NATS cannot be reached does not start,
// and says where it looked.
func TestNATSUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "nats://" + l.Addr().String()
	l.Close()
	_, err = newNode(Config{}, ClusterConfig{NATS: url, History: DefaultHistory})
	if !errors.Is(err, natsbroker.ErrUnreachable) || !strings.Contains(err.Error(), url) {
		t.Errorf("newNode with -nats %s: %v, want ErrUnreachable naming the URL", url, err)
	}
}
