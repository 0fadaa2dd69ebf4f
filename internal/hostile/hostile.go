// Package hostile is a suite of misbehaving WebSocket clients, run against
// a server that echoes messages, to check that the server holds its limits
// whatever a peer does: oversized frames and messages, floods of pings and
// fragments, a peer that stops reading, compression bombs, abuse of the
// closing handshake, a handshake trickled in, a peer that never answers a
// ping. The demos' tests run it against each of their servers, so that the
// blocking and the event-loop servers are held to the same behaviour.
package hostile

import (
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// Server describes the echo server under test and the limits it was
// started with.
type Server struct {
	Addr       string // host:port
	Path       string // the WebSocket's path, "/" if empty
	MaxMessage int64  // the largest message it accepts (at most 8 MiB here)
	Deflate    bool   // it accepts permessage-deflate
	// HandshakeTimeout, if set, is the longest the server lets an opening
	// handshake take; the trickle case checks it.
	HandshakeTimeout time.Duration
	// Heartbeat, if set, is how often the server pings; the silent-peer
	// case checks that it closes a peer that never answers within
	// Heartbeat*(MaxPings+2).
	Heartbeat time.Duration
	MaxPings  int
}

// Run runs every case that applies to s against it, each as a subtest: the
// compression bomb needs Deflate, the trickle HandshakeTimeout, the silent
// peer Heartbeat.
func Run(t *testing.T, s Server) {
	if s.Path == "" {
		s.Path = "/"
	}
	cases := []struct {
		name string
		run  func(*testing.T, Server)
		off  bool
	}{
		{"declared frame over the limit", frameOverLimit, false},
		{"message over the limit in fragments", messageOverLimit, false},
		{"fragment flood", fragmentFlood, false},
		{"ping flood while not reading", pingFlood, false},
		{"peer that stops reading", slowReader, false},
		{"invalid UTF-8 before the frame's end", failFastUTF8, false},
		{"compression bomb", deflateBomb, !s.Deflate},
		{"data after the close", dataAfterClose, false},
		{"invalid close code", invalidCloseCode, false},
		{"peer that never closes the TCP connection", neverCloses, false},
		{"handshake trickled in", trickle, s.HandshakeTimeout == 0},
		{"peer that never answers a ping", silentPeer, s.Heartbeat == 0},
	}
	for _, c := range cases {
		if c.off {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			c.run(t, s)
		})
	}
}

// client is a raw WebSocket client: it writes frames as they are given and
// reads the server's with a parser.
type client struct {
	t    *testing.T
	conn net.Conn
	p    *parser.Parser
}

const key = "dGhlIHNhbXBsZSBub25jZQ=="

// dial opens a connection and performs the opening handshake, offering
// permessage-deflate if deflate is set.
func dial(t *testing.T, s Server, deflate bool) *client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	req := "GET " + s.Path + " HTTP/1.1\r\nHost: " + s.Addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
	if deflate {
		req += "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %s", resp.Status)
	}
	if deflate && !strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
		t.Fatalf("permessage-deflate not agreed: %q", resp.Header.Get("Sec-WebSocket-Extensions"))
	}
	return &client{t: t, conn: conn, p: parser.New(br, parser.Role(frame.Client), parser.MaxPayload(64<<20), parser.AllowRsv(frame.Rsv1))}
}

var mask = [4]byte{0x11, 0x22, 0x33, 0x44}

// send writes frames, masked.
func (c *client) send(fs ...frame.Frame) error {
	var b bytes.Buffer
	for _, f := range fs {
		if _, err := frame.WriteMasked(&b, f, mask); err != nil {
			c.t.Fatal(err)
		}
	}
	_, err := c.conn.Write(b.Bytes())
	return err
}

// next returns the server's next frame other than a ping, answering the
// server's pings (its heartbeat) on the way: each case misbehaves in one
// way only.
func (c *client) next() (frame.Frame, error) {
	for {
		f, err := c.p.Next()
		if err != nil {
			return nil, err
		}
		p, ok := f.(*frame.Ping)
		if !ok {
			return f, nil
		}
		if err := c.send(&frame.Pong{Payload: bytes.Clone(p.Payload)}); err != nil {
			return nil, err
		}
	}
}

// closeCode reads until the server's close frame and returns its code,
// skipping pongs and data; it fails the test if the stream ends first.
func (c *client) closeCode() frame.CloseCode {
	c.t.Helper()
	for {
		f, err := c.next()
		if err != nil {
			c.t.Fatalf("no close frame from the server: %v", err)
		}
		if cf, ok := f.(*frame.Close); ok {
			return cf.Code
		}
	}
}

// wantClose checks that the server closes with code, then ends the TCP
// connection.
func (c *client) wantClose(code frame.CloseCode) {
	c.t.Helper()
	if got := c.closeCode(); got != code {
		c.t.Fatalf("server closed with %d, want %d", got, code)
	}
	c.wantEOF()
}

// wantEOF checks that the server ends the TCP connection.
func (c *client) wantEOF() {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		_, err := c.p.Next()
		if err == io.EOF || errors.Is(err, net.ErrClosed) || isReset(err) {
			return
		}
		if err != nil {
			c.t.Fatalf("the server did not close the connection: %v", err)
		}
	}
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && strings.Contains(ne.Err.Error(), "reset")
}

func frameOverLimit(t *testing.T, s Server) {
	c := dial(t, s, false)
	// The header alone declares the frame; its payload never comes.
	h := frame.Header{Fin: true, Opcode: frame.OpBinary, Masked: true, Mask: mask, Length: s.MaxMessage + 1}
	if _, err := c.conn.Write(h.AppendTo(nil)); err != nil {
		t.Fatal(err)
	}
	c.wantClose(frame.CloseMessageTooBig)
}

func messageOverLimit(t *testing.T, s Server) {
	c := dial(t, s, false)
	part := bytes.Repeat([]byte("x"), int(s.MaxMessage/4+1))
	err := c.send(&frame.Binary{Payload: part}, &frame.Continuation{Payload: part},
		&frame.Continuation{Payload: part}, &frame.Continuation{Fin: true, Payload: part})
	if err != nil && !isReset(err) {
		t.Fatal(err)
	}
	c.wantClose(frame.CloseMessageTooBig)
}

func fragmentFlood(t *testing.T, s Server) {
	c := dial(t, s, false)
	var b bytes.Buffer
	frame.WriteMasked(&b, &frame.Binary{}, mask)
	empty := &frame.Continuation{}
	go func() {
		// More empty fragments than the default limit (1<<17) allows;
		// the server may close before they are all written.
		for range 1 << 7 {
			for range 1 << 10 {
				frame.WriteMasked(&b, empty, mask)
			}
			if _, err := c.conn.Write(b.Bytes()); err != nil {
				return
			}
			b.Reset()
		}
		c.send(&frame.Continuation{Fin: true})
	}()
	c.wantClose(frame.ClosePolicyViolation)
}

// pingFlood sends many pings back to back without reading: the server
// answers at most a burst of each run and the latest ping, holds no queue
// of pongs, and stays usable.
func pingFlood(t *testing.T, s Server) {
	c := dial(t, s, false)
	const pings = 20000
	payload := bytes.Repeat([]byte("p"), 125)
	var b bytes.Buffer
	for range pings {
		frame.WriteMasked(&b, &frame.Ping{Payload: payload}, mask)
	}
	frame.WriteMasked(&b, &frame.Text{Fin: true, Payload: []byte("after the flood")}, mask)
	written := make(chan error, 1)
	go func() { _, err := c.conn.Write(b.Bytes()); written <- err }()
	time.Sleep(200 * time.Millisecond) // not reading, while the flood is written
	pongs := 0
	for {
		f, err := c.next()
		if err != nil {
			t.Fatalf("after %d pongs: %v", pongs, err)
		}
		if _, ok := f.(*frame.Pong); ok {
			pongs++
			continue
		}
		if m, ok := f.(*frame.Text); !ok || string(m.Payload) != "after the flood" {
			t.Fatalf("after %d pongs got %T %v", pongs, f, f)
		}
		break
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	if pongs == 0 || pongs >= pings {
		t.Fatalf("%d pongs for %d pings back to back: want some, but fewer", pongs, pings)
	}
	t.Logf("%d pongs for %d pings", pongs, pings)
}

// slowReader sends messages to echo without reading the echoes: the server
// must stop reading (TCP flow control stops the client) rather than queue
// the echoes, and lose none of them once the client reads.
func slowReader(t *testing.T, s Server) {
	c := dial(t, s, false)
	size := int(min(s.MaxMessage, 256<<10))
	const count = 256
	var sent atomic.Int64
	done := make(chan error, 1)
	go func() {
		for i := range count {
			msg := bytes.Repeat([]byte{byte('a' + i%26)}, size)
			if err := c.send(&frame.Binary{Fin: true, Payload: msg}); err != nil {
				done <- err
				return
			}
			sent.Add(1)
		}
		done <- nil
	}()
	time.Sleep(time.Second)
	if n := sent.Load(); n == count {
		t.Fatalf("all %d messages (%d MiB) went out while the client read nothing: the server queued them", count, count*size>>20)
	} else {
		t.Logf("%d of %d messages sent before the client read", n, count)
	}
	for i := range count {
		f, err := c.next()
		if err != nil {
			t.Fatalf("echo %d: %v", i, err)
		}
		m, ok := f.(*frame.Binary)
		if !ok || len(m.Payload) != size || m.Payload[0] != byte('a'+i%26) || m.Payload[size-1] != byte('a'+i%26) {
			t.Fatalf("echo %d: got %T", i, f)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// failFastUTF8 sends the start of a long text frame with invalid UTF-8: the
// server fails the connection without waiting for the frame's end.
func failFastUTF8(t *testing.T, s Server) {
	c := dial(t, s, false)
	h := frame.Header{Fin: true, Opcode: frame.OpText, Masked: true, Mask: mask, Length: 1000}
	start := []byte("ok \xff")
	frame.Mask(start, mask, 0)
	if _, err := c.conn.Write(append(h.AppendTo(nil), start...)); err != nil {
		t.Fatal(err)
	}
	c.wantClose(frame.CloseInvalidPayload)
}

// deflateBomb sends a small compressed message that inflates past the limit.
func deflateBomb(t *testing.T, s Server) {
	c := dial(t, s, true)
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write(make([]byte, 4*s.MaxMessage))
	fw.Flush()
	payload := bytes.TrimSuffix(z.Bytes(), []byte{0, 0, 0xff, 0xff})
	if int64(len(payload)) >= s.MaxMessage {
		t.Fatalf("the bomb is %d bytes: not small", len(payload))
	}
	if err := c.send(&frame.Binary{Fin: true, Rsv: frame.Rsv1, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	c.wantClose(frame.CloseMessageTooBig)
}

// dataAfterClose: data after the client's close is ignored; the server
// echoes the close and ends the connection.
func dataAfterClose(t *testing.T, s Server) {
	c := dial(t, s, false)
	err := c.send(&frame.Close{Code: frame.CloseNormal}, &frame.Text{Fin: true, Payload: []byte("late")},
		&frame.Ping{Payload: []byte("late")})
	if err != nil {
		t.Fatal(err)
	}
	for {
		f, err := c.next()
		if err != nil {
			t.Fatalf("no close echo: %v", err)
		}
		if cf, ok := f.(*frame.Close); ok {
			if cf.Code != frame.CloseNormal {
				t.Fatalf("close echo %d, want 1000", cf.Code)
			}
			break
		}
		t.Fatalf("got %T before the close echo", f)
	}
	c.wantEOF()
}

func invalidCloseCode(t *testing.T, s Server) {
	c := dial(t, s, false)
	h := frame.Header{Fin: true, Opcode: frame.OpClose, Masked: true, Mask: mask, Length: 2}
	code := []byte{0x03, 0xed} // 1005 may not be sent
	frame.Mask(code, mask, 0)
	if _, err := c.conn.Write(append(h.AppendTo(nil), code...)); err != nil {
		t.Fatal(err)
	}
	c.wantClose(frame.CloseProtocolError)
}

// neverCloses completes the closing handshake but keeps its end of the TCP
// connection open: the server closes it.
func neverCloses(t *testing.T, s Server) {
	c := dial(t, s, false)
	if err := c.send(&frame.Close{Code: frame.CloseGoingAway}); err != nil {
		t.Fatal(err)
	}
	c.wantClose(frame.CloseGoingAway)
}

// trickle sends the opening handshake a byte at a time, slowly: the server
// gives up within its handshake timeout.
func trickle(t *testing.T, s Server) {
	conn, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "GET " + s.Path + " HTTP/1.1\r\nHost: " + s.Addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	start := time.Now()
	limit := 2*s.HandshakeTimeout + 2*time.Second
	for i := 0; time.Since(start) < limit; i++ {
		if _, err := conn.Write([]byte{req[i%len(req)]}); err != nil {
			return // the server closed the connection
		}
		time.Sleep(50 * time.Millisecond)
		conn.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		if _, err := conn.Read(b[:]); err == io.EOF || isReset(err) {
			return
		}
	}
	t.Fatalf("the server kept a trickled handshake open for %v", limit)
}

// silentPeer never reads, so never answers the server's pings: the server
// closes the connection.
func silentPeer(t *testing.T, s Server) {
	c := dial(t, s, false)
	maxPings := s.MaxPings
	if maxPings == 0 {
		maxPings = 3
	}
	limit := s.Heartbeat*time.Duration(maxPings+2) + 5*time.Second
	c.conn.SetReadDeadline(time.Now().Add(limit))
	for {
		f, err := c.p.Next()
		if err != nil {
			t.Fatalf("no close within %v: %v", limit, err)
		}
		if cf, ok := f.(*frame.Close); ok {
			if cf.Code != frame.ClosePolicyViolation {
				t.Fatalf("closed with %d, want 1008", cf.Code)
			}
			return
		}
		if _, ok := f.(*frame.Ping); !ok {
			t.Fatalf("got %T, want pings then a close", f)
		}
	}
}
