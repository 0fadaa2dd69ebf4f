package main

import (
	"context"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/pmce"
)

// syncLog collects a server's log lines.
type syncLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *syncLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testServer is a Server listening on a free loopback port.
type testServer struct {
	*Server
	addr string // 127.0.0.1:PORT
	logs *syncLog
}

// startServer serves newServer(cfg) on 127.0.0.1 until the test ends;
// setup, if not nil, adjusts the Server (its test hooks) before it
// serves.
func startServer(t testing.TB, cfg Config, setup func(*Server)) *testServer {
	t.Helper()
	logs := &syncLog{}
	if cfg.Log == nil {
		cfg.Log = log.New(logs, "", log.Lmicroseconds)
	}
	s := newServer(cfg)
	if setup != nil {
		setup(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() { hs.Serve(ln); close(done) }()
	t.Cleanup(func() {
		hs.Close()
		<-done
		if err := s.Close(5 * time.Second); err != nil {
			t.Errorf("Server.Close: %v", err)
		}
		if t.Failed() {
			lines := strings.SplitAfter(logs.String(), "\n")
			t.Logf("server log (last lines):\n%s", strings.Join(lines[max(0, len(lines)-30):], ""))
		}
	})
	return &testServer{Server: s, addr: ln.Addr().String(), logs: logs}
}

// servers are what the wire tests run against: the Server alone, its rooms
// in this process, and a node as main runs it (embedded NATS, JetStream in
// memory). Each start serves cfg on 127.0.0.1 until the test ends and
// returns the address.
var servers = []struct {
	name  string
	start func(t testing.TB, cfg Config) string
}{
	{"local", func(t testing.TB, cfg Config) string { return startServer(t, cfg, nil).addr }},
	{"nats", func(t testing.TB, cfg Config) string {
		return startNode(t, cfg, ClusterConfig{History: DefaultHistory}).addr
	}},
}

// onEachServer runs test in a subtest per entry of servers, each started
// with cfg.
func onEachServer(t *testing.T, cfg Config, test func(t *testing.T, addr string)) {
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) { test(t, srv.start(t, cfg)) })
	}
}

// dialOptions are how a test client connects.
type dialOptions struct {
	deflate bool
	netDial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// dial joins room as a client (README's client: client.Dial, then
// Endpoint), closed when the test ends.
func dial(t testing.TB, addr, room string, o dialOptions) (*endpoint.Endpoint, *client.Dialed) {
	t.Helper()
	cfg := &client.Config{NetDial: o.netDial}
	if o.deflate {
		ext, err := pmce.New(pmce.Config{})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Extensions = []handshake.Extension{ext}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := client.Dial(ctx, "ws://"+addr+"/chat/"+room, cfg)
	if err != nil {
		t.Fatalf("dial %s: %v", room, err)
	}
	t.Cleanup(func() { d.Close() })
	return d.Endpoint(endpoint.CloseTimeout(2 * time.Second)), d
}

// recvN reads n text messages from ep, each within d.
func recvN(t testing.TB, ep *endpoint.Endpoint, n int, d time.Duration) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		m, err := recvTimeout(ep, d)
		if err != nil {
			t.Fatalf("after %d of %d messages: %v (got %q)", len(got), n, err, got)
		}
		got = append(got, string(m.Data))
	}
	return got
}

// recvTimeout returns ep's next message, or an error after d.
func recvTimeout(ep *endpoint.Endpoint, d time.Duration) (endpoint.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	m, err := ep.NextMessageContext(ctx)
	if err == nil {
		m.Data = append([]byte(nil), m.Data...)
	}
	return m, err
}
