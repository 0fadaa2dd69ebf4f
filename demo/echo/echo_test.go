package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/internal/hostile"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

// logBuffer collects the server's log and reports the listening address.
type logBuffer struct {
	mu    sync.Mutex
	buf   strings.Builder
	ready chan string
}

var listeningRE = regexp.MustCompile(`listening on (\S+)`)

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(b)
	if m := listeningRE.FindSubmatch(b); m != nil && l.ready != nil {
		l.ready <- string(m[1])
		l.ready = nil
	}
	return len(b), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// start runs the server in-process and returns its URL, its log and a
// function that stops it and reports run's error.
func start(t *testing.T, args ...string) (string, *logBuffer, func() error) {
	t.Helper()
	ready := make(chan string, 1)
	logs := &logBuffer{ready: ready}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- run(args, logs, stop) }()
	var url string
	select {
	case url = <-ready:
	case err := <-done:
		t.Fatalf("server ended at start: %v\n%s", err, logs)
	case <-time.After(10 * time.Second):
		t.Fatalf("server did not start:\n%s", logs)
	}
	stopped := false
	stopFn := func() error {
		if stopped {
			return nil
		}
		stopped = true
		close(stop)
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("server did not stop")
			return nil
		}
	}
	t.Cleanup(func() { stopFn() })
	return url, logs, stopFn
}

// wsDial opens a client Endpoint to url (network "tcp" or "unix").
func wsDial(t *testing.T, network, addr, url string, cfg *client.Config) (*endpoint.Endpoint, *client.Result, net.Conn) {
	t.Helper()
	req, err := client.NewRequest(url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	if _, err := req.WriteTo(nc); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := req.Verify(resp)
	if err != nil {
		t.Fatal(err)
	}
	leftover, _ := br.Peek(br.Buffered())
	opts := []endpoint.Option{endpoint.ParserOptions(parser.Leftover(leftover)), endpoint.CloseTimeout(3 * time.Second)}
	for _, n := range res.Extensions {
		if ext, ok := n.(endpoint.Codec); ok {
			opts = append(opts, endpoint.Extensions(ext))
		}
	}
	return endpoint.New(frame.Client, nc, nc, opts...), res, nc
}

func hostOf(url string) string { return strings.TrimPrefix(url, "http://") }

func TestEchoMessages(t *testing.T) {
	url, logs, stop := start(t, "-addr", "127.0.0.1:0")
	addr := hostOf(url)
	ext, err := pmce.New(pmce.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		cfg       *client.Config
		wantProto string
		wantExt   int
	}{
		{name: "plain", cfg: &client.Config{}},
		{name: "subprotocol", cfg: &client.Config{Protocols: []string{"chat", "echo"}}, wantProto: "echo"},
		{name: "deflate", cfg: &client.Config{Extensions: []handshake.Extension{ext}}, wantExt: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, res, _ := wsDial(t, "tcp", addr, "ws://"+addr+"/echo", tt.cfg)
			if res.Protocol != tt.wantProto || len(res.Extensions) != tt.wantExt {
				t.Fatalf("negotiated protocol %q, %d extensions; want %q, %d", res.Protocol, len(res.Extensions), tt.wantProto, tt.wantExt)
			}
			sent := []endpoint.Message{
				{Type: frame.OpText, Data: []byte("hello")},
				{Type: frame.OpBinary, Data: []byte{0, 1, 2, 0xff}},
				{Type: frame.OpText, Data: []byte("")},
				{Type: frame.OpText, Data: []byte(strings.Repeat("wskit ✓ ", 20000))},
			}
			var got []endpoint.Message
			for _, m := range sent {
				if err := ep.WriteMessage(m.Type, m.Data); err != nil {
					t.Fatal(err)
				}
				r, err := ep.NextMessage()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, endpoint.Message{Type: r.Type, Data: append([]byte{}, r.Data...)})
			}
			if diff := cmp.Diff(sent, got); diff != "" {
				t.Errorf("echo mismatch (-sent +got):\n%s", diff)
			}
			if err := ep.Close(frame.CloseNormal, "done"); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "close=1000"); n != len(tests) {
		t.Errorf("log has %d connections closed with 1000, want %d:\n%s", n, len(tests), logs)
	}
	if !strings.Contains(logs.String(), "proto=echo") || !strings.Contains(logs.String(), "ext=permessage-deflate") {
		t.Errorf("log does not name the subprotocol and extension:\n%s", logs)
	}
}

func TestBadHandshakes(t *testing.T) {
	url, logs, _ := start(t, "-addr", "127.0.0.1:0", "-origin", "http://allowed.example")
	defer func() {
		// RFC 6455 §7.1.7: a server that refuses or fails a connection logs it.
		if n := strings.Count(logs.String(), "refused "); n != 4 {
			t.Errorf("log has %d refusals, want 4:\n%s", n, logs)
		}
	}()
	good := func(h http.Header) http.Header {
		h.Set("Upgrade", "websocket")
		h.Set("Connection", "Upgrade")
		h.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		if h.Get("Sec-WebSocket-Version") == "" {
			h.Set("Sec-WebSocket-Version", "13")
		}
		return h
	}
	tests := []struct {
		name   string
		method string
		header http.Header
		want   int
	}{
		{"no upgrade", "GET", http.Header{}, http.StatusBadRequest},
		{"version 8", "GET", good(http.Header{"Sec-Websocket-Version": {"8"}}), http.StatusUpgradeRequired},
		{"POST", "POST", good(http.Header{}), http.StatusMethodNotAllowed},
		{"foreign origin", "GET", good(http.Header{"Origin": {"http://evil.example"}}), http.StatusForbidden},
		{"allowed origin", "GET", good(http.Header{"Origin": {"http://allowed.example"}}), http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, url+"/echo", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header = tt.header
			c := &http.Client{Timeout: 5 * time.Second}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == http.StatusUpgradeRequired && resp.Header.Get("Sec-WebSocket-Version") != "13" {
				t.Errorf("426 without Sec-WebSocket-Version: 13")
			}
		})
	}
}

func TestPageAndPing(t *testing.T) {
	url, _, _ := start(t, "-addr", "127.0.0.1:0")
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<title>wskit echo</title>") {
		t.Fatalf("page: status %d, %d bytes", resp.StatusCode, len(body))
	}

	addr := hostOf(url)
	ep, _, _ := wsDial(t, "tcp", addr, "ws://"+addr+"/echo?id=abc", &client.Config{})
	readErr := make(chan error, 1)
	go func() {
		_, err := ep.NextMessage() // answers the server's ping
		readErr <- err
	}()
	resp, err = http.Post(url+"/ping?id=abc", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "rtt_ms") {
		t.Fatalf("ping: status %d: %s", resp.StatusCode, body)
	}
	if resp, err := http.Post(url+"/ping?id=nobody", "", nil); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("ping of an unknown connection: %v %v", resp.StatusCode, err)
	}
	if err := ep.Close(frame.CloseNormal, ""); err != nil {
		t.Fatal(err)
	}
	var ce *endpoint.CloseError
	if err := <-readErr; !errors.As(err, &ce) || ce.Code != frame.CloseNormal {
		t.Fatalf("reader ended with %v, want the server's 1000", err)
	}
}

func TestUnixSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "echo.sock")
	// A stale socket file from an earlier run is replaced.
	stale, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()

	url, _, stop := start(t, "-unix", sock)
	if url != "unix:"+sock {
		t.Fatalf("listening on %q", url)
	}
	ep, _, _ := wsDial(t, "unix", sock, "ws://localhost/echo", &client.Config{})
	if err := ep.WriteMessage(frame.OpText, []byte("over a UNIX socket")); err != nil {
		t.Fatal(err)
	}
	m, err := ep.NextMessage()
	if err != nil || string(m.Data) != "over a UNIX socket" {
		t.Fatalf("echo over UNIX socket: %q, %v", m.Data, err)
	}
	ep.Close(frame.CloseNormal, "")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file left behind: %v", err)
	}

	// Anything that is not a socket is never deleted.
	file := filepath.Join(dir, "not-a-socket")
	if err := os.WriteFile(file, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-unix", file}, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("run on a regular file: %v", err)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "keep me" {
		t.Fatalf("regular file changed: %q %v", b, err)
	}
}

// TestSIGINT builds the program and checks that an interrupt closes a live
// connection with 1001 and exits 0.
func TestSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	bin := filepath.Join(t.TempDir(), "echo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	ready := make(chan string, 1)
	logs := &logBuffer{ready: ready}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var url string
	select {
	case url = <-ready:
	case <-time.After(10 * time.Second):
		t.Fatalf("did not start:\n%s", logs)
	}
	addr := hostOf(url)
	ep, _, _ := wsDial(t, "tcp", addr, "ws://"+addr+"/echo", &client.Config{})
	readErr := make(chan error, 1)
	go func() {
		_, err := ep.NextMessage()
		readErr <- err
	}()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var ce *endpoint.CloseError
	select {
	case err := <-readErr:
		if !errors.As(err, &ce) || ce.Code != frame.CloseGoingAway {
			t.Fatalf("client saw %v, want a close with 1001", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no close frame after SIGINT")
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, logs)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("did not exit after SIGINT:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "close=1001") {
		t.Errorf("log does not record the 1001 close:\n%s", logs)
	}
}

// TestClosesTCPAfterClosingHandshake checks RFC 6455 §7.1.1: once the
// closing handshake is done, the server closes the TCP connection at once.
func TestClosesTCPAfterClosingHandshake(t *testing.T) {
	url, _, _ := start(t, "-addr", "127.0.0.1:0")
	addr := hostOf(url)
	ep, _, nc := wsDial(t, "tcp", addr, "ws://"+addr+"/echo", &client.Config{})
	if err := ep.Close(frame.CloseNormal, ""); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := nc.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("after the closing handshake the connection gave %d bytes, %v; want EOF", n, err)
	}
}

// TestHostilePeers runs the misbehaving clients of internal/hostile against
// the server, as demo/epoll's tests do against the event-loop server.
func TestHostilePeers(t *testing.T) {
	url, _, _ := start(t, "-addr", "127.0.0.1:0", "-max-message", "1048576",
		"-handshake-timeout", "1s", "-heartbeat", "1s")
	hostile.Run(t, hostile.Server{Addr: strings.TrimPrefix(url, "http://"), Path: "/echo", MaxMessage: 1 << 20,
		Deflate: true, HandshakeTimeout: time.Second, Heartbeat: time.Second})
}
