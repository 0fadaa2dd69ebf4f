package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/parser"
)

func start(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go serve(ln, 10)
	return ln.Addr().String()
}

// TestFramesBehindRequest sends the request and two frames in one write:
// the frames must reach the parser through parser.Leftover.
func TestFramesBehindRequest(t *testing.T) {
	addr := start(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	req, err := client.NewRequest("ws://"+addr+"/echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	b := req.AppendText(nil)
	key := frame.NewMaskKey()
	b, _ = frame.AppendMasked(b, &frame.Text{Fin: true, Payload: []byte("early")}, key)
	b, _ = frame.AppendMasked(b, &frame.Close{Code: frame.CloseNormal}, key)
	if _, err := conn.Write(b); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := req.Verify(resp); err != nil {
		t.Fatal(err)
	}
	p := parser.New(br, parser.Role(frame.Client))
	f, err := p.Next()
	if txt, ok := f.(*frame.Text); err != nil || !ok || string(txt.Payload) != "early" {
		t.Fatalf("echo: %v %v", f, err)
	}
	f, err = p.Next()
	if c, ok := f.(*frame.Close); err != nil || !ok || c.Code != frame.CloseNormal {
		t.Fatalf("close: %v %v", f, err)
	}
	if _, err := p.Next(); err != io.EOF {
		t.Fatalf("after close: %v, want EOF (the server closes TCP)", err)
	}
}

func TestRefusals(t *testing.T) {
	addr := start(t)
	for _, tt := range []struct {
		request string
		status  int
	}{
		{"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", 400},                                               // no Upgrade
		{"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404},                                               // our own refusal
		{"GET /echo HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Flood: 1\r\n", 1000) + "\r\n", 431}, // header flood
		{"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n", 426}, // old version
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		go io.WriteString(conn, tt.request)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		conn.Close()
		if err != nil || resp.StatusCode != tt.status {
			t.Errorf("%.30q: %v %v, want %d", tt.request, resp, err, tt.status)
		}
	}
}
