//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/internal/hostile"
	"github.com/wskit/wskit/parser"
)

func start(t *testing.T) *Server {
	t.Helper()
	s := &Server{Workers: 2, MaxMessage: 1 << 20}
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return s
}

// dial opens a connection with the toolkit's client handshake and returns
// an Endpoint on it.
func dial(t *testing.T, s *Server, opts ...endpoint.Option) (*endpoint.Endpoint, net.Conn) {
	t.Helper()
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req, err := client.NewRequest("ws://"+s.Addr().String()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := req.WriteTo(conn); err != nil {
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
	leftover, _ := br.Peek(br.Buffered())
	opts = append(opts, endpoint.ParserOptions(parser.Leftover(leftover)))
	return endpoint.New(frame.Client, conn, conn, opts...), conn
}

func TestEcho(t *testing.T) {
	s := start(t)
	ep, _ := dial(t, s)
	for _, size := range []int{0, 5, 125, 126, 1 << 10, 70 << 10, 300 << 10} {
		msg := bytes.Repeat([]byte("héllo "), size/7+1)[:size]
		for len(msg) > 0 && msg[len(msg)-1] >= 0x80 {
			msg = msg[:len(msg)-1]
		}
		for _, op := range []frame.Opcode{frame.OpText, frame.OpBinary} {
			if err := ep.WriteMessage(op, msg); err != nil {
				t.Fatal(err)
			}
			m, err := ep.NextMessage()
			if err != nil {
				t.Fatal(size, err)
			}
			if m.Type != op || !bytes.Equal(m.Data, msg) {
				t.Fatalf("size %d op %v: got %d bytes of %v", size, op, len(m.Data), m.Type)
			}
		}
	}
	if err := ep.Close(frame.CloseNormal, "bye"); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func TestFragmentedAndPing(t *testing.T) {
	s := start(t)
	ep, _ := dial(t, s, endpoint.FrameSize(1000))
	msg := bytes.Repeat([]byte("fragmented ✓ "), 1000)
	for range 3 {
		w, err := ep.NextWriter(frame.OpText)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(msg)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		// A ping, sent before the next message so that its pong comes
		// before that message's echo; NextMessage records it.
		if err := ep.Heartbeat(); err != nil {
			t.Fatal(err)
		}
		m, err := ep.NextMessage()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Data, msg) {
			t.Fatalf("got %d bytes, want %d", len(m.Data), len(msg))
		}
	}
	// The pongs arrive in order with the echoes; one more round trip makes
	// sure the last one was read.
	ep.WriteMessage(frame.OpBinary, []byte("x"))
	if _, err := ep.NextMessage(); err != nil {
		t.Fatal(err)
	}
	if n := ep.Outstanding(); n != 0 {
		t.Errorf("%d pings unanswered", n)
	}
}

func TestViolations(t *testing.T) {
	s := start(t)
	for _, tc := range []struct {
		name string
		f    frame.Frame
		code frame.CloseCode
	}{
		{"invalid UTF-8", &frame.Text{Fin: true, Payload: []byte{'a', 0xff}}, frame.CloseInvalidPayload},
		{"continuation first", &frame.Continuation{Fin: true, Payload: []byte("x")}, frame.CloseProtocolError},
		{"reserved opcode", &frame.Raw{Head: frame.Header{Fin: true, Opcode: 3}}, frame.CloseProtocolError},
		{"too big", &frame.Binary{Fin: true, Payload: make([]byte, 2<<20)}, frame.CloseMessageTooBig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep, conn := dial(t, s)
			if _, err := frame.WriteMasked(conn, tc.f, frame.NewMaskKey()); err != nil && tc.code != frame.CloseMessageTooBig {
				t.Fatal(err)
			}
			_, err := ep.NextMessage()
			var ce *endpoint.CloseError
			if !errors.As(err, &ce) || ce.Code != tc.code {
				t.Fatalf("got %v, want close %d", err, tc.code)
			}
		})
	}
}

func TestBadHandshake(t *testing.T) {
	s := start(t)
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !bytes.HasPrefix([]byte(line), []byte("HTTP/1.1 4")) {
		t.Fatalf("got %q, %v", line, err)
	}
}

// TestHostilePeers holds the event-loop server to what the blocking one
// does with misbehaving peers (internal/hostile, also run by demo/echo).
func TestHostilePeers(t *testing.T) {
	for _, deflate := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "deflate"}[deflate], func(t *testing.T) {
			s := &Server{Workers: 2, MaxMessage: 1 << 20, Deflate: deflate,
				HandshakeTimeout: time.Second, Heartbeat: time.Second}
			if err := s.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- s.Serve() }()
			defer func() {
				s.Close()
				if err := <-done; err != nil {
					t.Error(err)
				}
			}()
			hostile.Run(t, hostile.Server{Addr: s.Addr().String(), MaxMessage: s.MaxMessage, Deflate: deflate,
				HandshakeTimeout: s.HandshakeTimeout, Heartbeat: s.Heartbeat})
		})
	}
}
