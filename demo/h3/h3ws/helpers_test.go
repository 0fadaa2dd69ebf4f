package h3ws_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/server"
)

// h3Server is a quic-go HTTP/3 server on a loopback UDP port.
type h3Server struct {
	addr string
	pool *x509.CertPool
}

// startServer serves h over HTTP/3 until the test ends.
func startServer(t testing.TB, h http.Handler) *h3Server {
	t.Helper()
	cert, pool, err := h3ws.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http3.Server{
		Handler:   h,
		TLSConfig: http3.ConfigureTLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}}),
	}
	done := make(chan struct{})
	go func() { srv.Serve(pc); close(done) }()
	t.Cleanup(func() {
		srv.Close()
		pc.Close()
		<-done
	})
	return &h3Server{addr: pc.LocalAddr().String(), pool: pool}
}

func (s *h3Server) url(path string) string { return "wss://" + s.addr + path }

func (s *h3Server) dialer() *h3ws.Dialer {
	return &h3ws.Dialer{TLS: &tls.Config{RootCAs: s.pool}}
}

// dial opens an HTTP/3 connection to s and waits for its SETTINGS.
func (s *h3Server) dial(t testing.TB) (*quic.Conn, *http3.ClientConn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	qc, err := quic.DialAddr(ctx, s.addr, &tls.Config{RootCAs: s.pool, NextProtos: []string{http3.NextProtoH3}}, &quic.Config{MaxIdleTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { qc.CloseWithError(0, "") })
	cc := (&http3.Transport{}).NewClientConn(qc)
	select {
	case <-cc.ReceivedSettings():
	case <-ctx.Done():
		t.Fatal("no SETTINGS from the server")
	}
	return qc, cc
}

// echoHandler accepts RFC 9220 with cfg and echoes until the connection
// ends; each handler's final error goes to ended, if not nil.
func echoHandler(cfg *server.Config, ended chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := h3ws.Accept(cfg, w, r)
		if err != nil {
			if ended != nil {
				ended <- err
			}
			return
		}
		for {
			m, err := c.NextMessage()
			if err != nil {
				if ended != nil {
					ended <- err
				}
				return
			}
			if err := c.WriteMessage(m.Type, m.Data); err != nil {
				c.Abort()
				if ended != nil {
					ended <- err
				}
				return
			}
		}
	})
}

// wireFrame is one frame as a test peer writes or reads it by hand.
type wireFrame struct {
	Fin     bool
	Op      frame.Opcode
	Payload []byte
}

// appendFrame encodes f, masked with key if mask.
func appendFrame(b []byte, f wireFrame, mask bool) []byte {
	b0 := byte(f.Op)
	if f.Fin {
		b0 |= 0x80
	}
	b = append(b, b0)
	var m byte
	if mask {
		m = 0x80
	}
	n := len(f.Payload)
	switch {
	case n < 126:
		b = append(b, m|byte(n))
	case n < 1<<16:
		b = append(b, m|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, m|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if !mask {
		return append(b, f.Payload...)
	}
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	b = append(b, key[:]...)
	for i, c := range f.Payload {
		b = append(b, c^key[i%4])
	}
	return b
}

// readFrame reads one frame, unmasking it; masked reports whether it was.
func readFrame(r io.Reader) (f wireFrame, masked bool, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return
	}
	f.Fin, f.Op, masked = h[0]&0x80 != 0, frame.Opcode(h[0]&0x0f), h[1]&0x80 != 0
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var e [2]byte
		if _, err = io.ReadFull(r, e[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(e[:]))
	case 127:
		var e [8]byte
		if _, err = io.ReadFull(r, e[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(e[:])
	}
	if n > 1<<24 {
		return f, masked, errors.New("test peer: frame too large")
	}
	var key [4]byte
	if masked {
		if _, err = io.ReadFull(r, key[:]); err != nil {
			return
		}
	}
	f.Payload = make([]byte, n)
	if _, err = io.ReadFull(r, f.Payload); err != nil {
		return
	}
	if masked {
		for i := range f.Payload {
			f.Payload[i] ^= key[i%4]
		}
	}
	return f, masked, nil
}

// closePayload is a close frame's payload.
func closePayload(code frame.CloseCode, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// settle waits until the goroutine count is back to base, and fails with
// the stacks if it is not within 5 seconds.
func settle(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutines: %d, baseline %d: leaked\n%s", n, base, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// baseline returns the goroutine count once it has been steady briefly.
func baseline() int {
	n := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		time.Sleep(20 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			return n
		}
		n = m
	}
	return n
}

var _ = bytes.Equal

// cmpCloseCode reports whether err is a *endpoint.CloseError with code.
func cmpCloseCode(err error, ce **endpoint.CloseError, code frame.CloseCode) bool {
	return errors.As(err, ce) && (*ce).Code == code
}
