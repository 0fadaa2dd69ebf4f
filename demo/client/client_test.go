package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

// echoHandler is a small echo server built from the toolkit, which agrees
// to permessage-deflate when offered.
// When greet is set it sends that message first, so -echo mode has
// something to echo. It closes with 1000 "bye yourself" on the message
// "bye".
func echoHandler(t *testing.T, greet string, got chan<- endpoint.Message) http.Handler {
	deflate, err := pmce.New(pmce.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &server.Config{Protocols: []string{"chat"}, Extensions: []handshake.Extension{deflate}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r)
		if err != nil {
			return
		}
		defer up.Close()
		ep, err := up.Endpoint(endpoint.CloseTimeout(2 * time.Second))
		if err != nil {
			return
		}
		if greet != "" {
			ep.WriteMessage(frame.OpText, []byte(greet))
		}
		for {
			m, err := ep.NextMessage()
			if err != nil {
				return
			}
			if string(m.Data) == "bye" {
				ep.Close(frame.CloseNormal, "bye yourself")
				return
			}
			if got != nil {
				got <- endpoint.Message{Type: m.Type, Data: append([]byte{}, m.Data...)}
				if greet != "" {
					ep.Close(frame.CloseNormal, "thanks")
					return
				}
			}
			if err := ep.WriteMessage(m.Type, m.Data); err != nil {
				return
			}
		}
	})
}

func wsURL(s *httptest.Server) string { return "ws" + strings.TrimPrefix(s.URL, "http") }

// slowInput yields its lines, then waits before reporting the end. The tests
// wait 0: at the end of its input the client half-closes (SendClose) and
// still prints the echoes in flight.
type slowInput struct {
	r    io.Reader
	wait time.Duration
}

func (s *slowInput) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if err == io.EOF {
		time.Sleep(s.wait)
	}
	return n, err
}

// The client closes at the end of its input; it says so, and shows what
// the handshake agreed on.
func TestInteractive(t *testing.T) {
	srv := httptest.NewServer(echoHandler(t, "", nil))
	defer srv.Close()
	const closedByClient = "closed by the client: 1000 (normal closure); the server answered 1000 (normal closure)\n"
	tests := []struct {
		name    string
		args    []string
		input   string
		wantOut string
		wantErr string
	}{
		{"text", nil, "hello\nwskit ✓\n", "< hello\n< wskit ✓\n",
			"connected: protocol=- extensions=-\n" + closedByClient},
		{"binary", []string{"-binary"}, "bytes\n", "< [binary 5 B] bytes\n",
			"connected: protocol=- extensions=-\n" + closedByClient},
		{"subprotocol", []string{"-protocol", "chat"}, "hi\n", "< hi\n",
			"connected: protocol=chat extensions=-\n" + closedByClient},
		{"deflate", []string{"-deflate", "-protocol", "chat"}, strings.Repeat("compressed ", 30) + "\n", "< " + strings.Repeat("compressed ", 30) + "\n",
			"connected: protocol=chat extensions=permessage-deflate\n" + closedByClient},
		{"no input", []string{"-deflate"}, "", "",
			"connected: protocol=- extensions=permessage-deflate\n" + closedByClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			in := &slowInput{r: strings.NewReader(tt.input), wait: 0}
			code := run(append(tt.args, wsURL(srv)+"/x"), in, &stdout, &stderr, nil)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if diff := cmp.Diff(tt.wantOut, stdout.String()); diff != "" {
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErr, stderr.String()); diff != "" {
				t.Errorf("stderr mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The server closes while the input is still open: the client says the
// server closed.
func TestClosedByServer(t *testing.T) {
	srv := httptest.NewServer(echoHandler(t, "", nil))
	defer srv.Close()
	stdinR, stdinW := io.Pipe() // input that does not end
	defer stdinW.Close()
	go stdinW.Write([]byte("hi\nbye\n"))
	var stdout, stderr bytes.Buffer
	if code := run([]string{wsURL(srv)}, stdinR, &stdout, &stderr, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if diff := cmp.Diff("< hi\n", stdout.String()); diff != "" {
		t.Errorf("output mismatch (-want +got):\n%s", diff)
	}
	want := "connected: protocol=- extensions=-\nclosed by the server: 1000 (normal closure) \"bye yourself\"\n"
	if diff := cmp.Diff(want, stderr.String()); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}
}

// The recording holds the server's response and frames, as they came.
func TestRecord(t *testing.T) {
	srv := httptest.NewServer(echoHandler(t, "", nil))
	defer srv.Close()
	rec := filepath.Join(t.TempDir(), "rec.bin")
	long := strings.Repeat("compressed ", 30)
	var stdout, stderr bytes.Buffer
	in := &slowInput{r: strings.NewReader("one\ntwo\n" + long + "\n"), wait: 0}
	if code := run([]string{"-deflate", "-record", rec, wsURL(srv)}, in, &stdout, &stderr, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the recording does not start with the response: %v", err)
	}
	got := []string{resp.Status, resp.Header.Get("Sec-WebSocket-Extensions")}
	p := parser.New(br, parser.Role(frame.Client), parser.AllowRsv(frame.Rsv1))
	for {
		fr, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("recording does not parse: %v", err)
		}
		switch fr := fr.(type) {
		case *frame.Text:
			if fr.Rsv&frame.Rsv1 != 0 {
				got = append(got, "compressed text")
			} else {
				got = append(got, "text "+string(fr.Payload))
			}
		case *frame.Close:
			got = append(got, "close "+fr.Code.String())
		}
	}
	want := []string{
		"101 Switching Protocols", "permessage-deflate",
		"text one", "text two", "compressed text", "close 1000 (normal closure)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded frames (-want +got):\n%s", diff)
	}
}

func TestEchoMode(t *testing.T) {
	got := make(chan endpoint.Message, 1)
	srv := httptest.NewServer(echoHandler(t, "ping me back", got))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	code := run([]string{"-echo", wsURL(srv)}, nil, &stdout, &stderr, nil)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	select {
	case m := <-got:
		if m.Type != frame.OpText || string(m.Data) != "ping me back" {
			t.Fatalf("server got %v %q back", m.Type, m.Data)
		}
	default:
		t.Fatal("the client echoed nothing")
	}
	want := "connected: protocol=- extensions=-\nclosed by the server: 1000 (normal closure) \"thanks\"\n"
	if diff := cmp.Diff(want, stderr.String()); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}
}

func TestInterrupt(t *testing.T) {
	srv := httptest.NewServer(echoHandler(t, "", nil))
	defer srv.Close()
	stdinR, stdinW := io.Pipe() // input that never ends
	defer stdinW.Close()
	interrupt := make(chan os.Signal, 1)
	done := make(chan int, 1)
	var stdout, stderr bytes.Buffer
	go func() { done <- run([]string{wsURL(srv)}, stdinR, &stdout, &stderr, interrupt) }()
	time.Sleep(200 * time.Millisecond)
	interrupt <- os.Interrupt
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after interrupt: %s", code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "closed by the client: 1000") {
			t.Errorf("stderr does not say the client closed: %q", stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("client did not exit after interrupt")
	}
}

func TestFailures(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer refusing.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()

	tests := []struct {
		name    string
		args    []string
		wantErr string
		code    int
	}{
		{"refused handshake", []string{wsURL(refusing)}, "opening handshake failed: handshake: unexpected HTTP status \"403 Forbidden\"", 1},
		{"nobody listening", []string{"ws://" + closedAddr + "/"}, "connection refused", 1},
		{"bad URL", []string{"ftp://example.com/"}, "client:", 1},
		{"no URL", nil, "usage", 2},
		{"bad header flag", []string{"-header", "nocolon", "ws://127.0.0.1:1/"}, "Name: value", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(""), &stdout, &stderr, nil)
			if code != tt.code || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tt.code, tt.wantErr)
			}
		})
	}
}

func TestUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: echoHandler(t, "", nil)}}
	srv.Start()
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	in := &slowInput{r: strings.NewReader("via unix\n"), wait: 0}
	if code := run([]string{"-unix", sock, "ws://localhost/chat"}, in, &stdout, &stderr, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stdout.String() != "< via unix\n" {
		t.Errorf("output %q", stdout.String())
	}
}

// agreed shows the parameters of permessage-deflate in force: those of the
// response, and client_no_context_takeover when this client keeps no
// compressor between messages (pmce's default) even if the response did
// not say so.
func TestAgreed(t *testing.T) {
	tests := []struct {
		name     string
		cfg      pmce.Config
		response []handshake.Param
		protocol string
		want     string
	}{
		{"plain", pmce.Config{Send: pmce.Dedicated(15)}, nil, "", "protocol=- extensions=permessage-deflate"},
		{"default client", pmce.Config{}, nil, "", "protocol=- extensions=permessage-deflate"},
		{"window bits", pmce.Config{Send: pmce.Dedicated(12), ServerMaxWindowBits: 10, ClientMaxWindowBits: 12},
			[]handshake.Param{{Name: "server_max_window_bits", Value: "10"}, {Name: "client_max_window_bits", Value: "9"}}, "chat",
			"protocol=chat extensions=permessage-deflate; server_max_window_bits=10; client_max_window_bits=9"},
		{"no context takeover", pmce.Config{},
			[]handshake.Param{{Name: "client_no_context_takeover"}, {Name: "server_no_context_takeover"}}, "",
			"protocol=- extensions=permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext, err := pmce.New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			codec, err := ext.Accept(tt.response)
			if err != nil {
				t.Fatal(err)
			}
			c := &wsConn{res: &client.Result{Protocol: tt.protocol, Extensions: []handshake.Negotiated{codec}}}
			if diff := cmp.Diff(tt.want, c.agreed()); diff != "" {
				t.Errorf("agreed (-want +got):\n%s", diff)
			}
		})
	}
}
