package main

import (
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
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
)

// echoHandler is a small echo server built from the toolkit. When greet is
// set it sends that message first, so -echo mode has something to echo.
func echoHandler(t *testing.T, greet string, got chan<- endpoint.Message) http.Handler {
	cfg := &server.Config{Protocols: []string{"chat"}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r)
		if err != nil {
			return
		}
		defer up.Close()
		ep := endpoint.New(frame.Server, up.Conn, up.Conn,
			endpoint.ParserOptions(parser.Leftover(up.Buffered)), endpoint.CloseTimeout(2*time.Second))
		if greet != "" {
			ep.WriteMessage(frame.OpText, []byte(greet))
		}
		for {
			m, err := ep.NextMessage()
			if err != nil {
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

func TestInteractive(t *testing.T) {
	srv := httptest.NewServer(echoHandler(t, "", nil))
	defer srv.Close()
	tests := []struct {
		name    string
		args    []string
		input   string
		wantOut string
	}{
		{"text", nil, "hello\nwskit ✓\n", "< hello\n< wskit ✓\n"},
		{"binary", []string{"-binary"}, "bytes\n", "< [binary 5 B] bytes\n"},
		{"subprotocol", []string{"-protocol", "chat"}, "hi\n", "< hi\n"},
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
			if !strings.Contains(stderr.String(), "closed by the server: 1000") {
				t.Errorf("stderr does not report the clean close: %q", stderr.String())
			}
		})
	}
}

func TestRecord(t *testing.T) {
	srv := httptest.NewServer(echoHandler(t, "", nil))
	defer srv.Close()
	rec := filepath.Join(t.TempDir(), "rec.bin")
	var stdout, stderr bytes.Buffer
	in := &slowInput{r: strings.NewReader("one\ntwo\n"), wait: 0}
	if code := run([]string{"-record", rec, wsURL(srv)}, in, &stdout, &stderr, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := parser.New(f, parser.Role(frame.Client))
	var got []string
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
			got = append(got, "text "+string(fr.Payload))
		case *frame.Close:
			got = append(got, "close "+fr.Code.String())
		}
	}
	want := []string{"text one", "text two", "close 1000 (normal closure)"}
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
