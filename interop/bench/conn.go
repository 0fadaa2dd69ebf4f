// Package bench compares wskit with the other Go WebSocket libraries:
// gorilla/websocket, gobwas/ws, coder/websocket and lxzan/gws. The
// micro-benchmarks (bench_test.go) drive each library through its public API
// over an in-memory connection; the servers here and the client in client.go
// serve the loopback echo and idle-connection workloads of cmd/report, which
// writes docs/benchmarks.md.
package bench

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
)

// Conn is an in-memory net.Conn that allocates nothing per call. Read serves
// Pre first (a handshake), then Stream over and over until Limit bytes of it
// were served, then io.EOF; with Limit < 0 it loops forever, and with no
// Stream it blocks until Close. Write discards what it is given, except that
// with Answer set the first bytes written, up to the end of an HTTP request,
// are taken as a client's opening handshake and answered (in Pre) with a 101
// response carrying the right Sec-WebSocket-Accept.
type Conn struct {
	Pre    []byte
	Stream []byte
	Limit  int64
	Answer bool

	pos     int
	req     []byte
	Written int64

	once   sync.Once
	closed chan struct{}
}

func (c *Conn) done() chan struct{} {
	c.once.Do(func() { c.closed = make(chan struct{}) })
	return c.closed
}

// Read implements io.Reader.
func (c *Conn) Read(p []byte) (int, error) {
	if len(c.Pre) > 0 {
		n := copy(p, c.Pre)
		c.Pre = c.Pre[n:]
		return n, nil
	}
	if len(c.Stream) == 0 {
		<-c.done()
		return 0, io.EOF
	}
	if c.Limit == 0 {
		return 0, io.EOF
	}
	if c.Limit > 0 && int64(len(p)) > c.Limit {
		p = p[:c.Limit]
	}
	n := 0
	for n < len(p) {
		k := copy(p[n:], c.Stream[c.pos:])
		n += k
		c.pos += k
		if c.pos == len(c.Stream) {
			c.pos = 0
		}
	}
	if c.Limit > 0 {
		c.Limit -= int64(n)
	}
	return n, nil
}

// Write implements io.Writer.
func (c *Conn) Write(p []byte) (int, error) {
	if c.Answer {
		c.req = append(c.req, p...)
		if i := bytes.Index(c.req, []byte("\r\n\r\n")); i >= 0 {
			c.Answer = false
			c.Pre = AnswerRequest(c.req[:i+4])
			c.req = nil
		}
		return len(p), nil
	}
	c.Written += int64(len(p))
	return len(p), nil
}

// Close implements net.Conn; it ends a blocked Read.
func (c *Conn) Close() error {
	d := c.done()
	select {
	case <-d:
	default:
		close(d)
	}
	return nil
}

type addr struct{}

func (addr) Network() string { return "mem" }
func (addr) String() string  { return "mem" }

// LocalAddr implements net.Conn.
func (c *Conn) LocalAddr() net.Addr { return addr{} }

// RemoteAddr implements net.Conn.
func (c *Conn) RemoteAddr() net.Addr { return addr{} }

// SetDeadline implements net.Conn; deadlines do not apply in memory.
func (c *Conn) SetDeadline(t time.Time) error { return nil }

// SetReadDeadline implements net.Conn; deadlines do not apply in memory.
func (c *Conn) SetReadDeadline(t time.Time) error { return nil }

// SetWriteDeadline implements net.Conn; deadlines do not apply in memory.
func (c *Conn) SetWriteDeadline(t time.Time) error { return nil }

// AnswerRequest returns the 101 response to a client's opening handshake.
func AnswerRequest(req []byte) []byte {
	key := ""
	for _, line := range strings.Split(string(req), "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "Sec-WebSocket-Key") {
			key = strings.TrimSpace(v)
		}
	}
	return []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + handshake.Accept(key) + "\r\n\r\n")
}

// ClientKey is the Sec-WebSocket-Key of the requests built here.
const ClientKey = "dGhlIHNhbXBsZSBub25jZQ=="

// RequestText is a client's opening handshake.
const RequestText = "GET /bench HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
	"Sec-WebSocket-Key: " + ClientKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n"

// Request returns RequestText parsed, for the libraries that upgrade from
// net/http.
func Request() *http.Request {
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(RequestText)))
	if err != nil {
		panic(err)
	}
	return r
}

// ResponseWriter is an http.ResponseWriter whose Hijack hands over Conn.
type ResponseWriter struct {
	Conn *Conn
	h    http.Header
}

// Header implements http.ResponseWriter.
func (w *ResponseWriter) Header() http.Header {
	if w.h == nil {
		w.h = http.Header{}
	}
	return w.h
}

// Write implements http.ResponseWriter; it drops p.
func (w *ResponseWriter) Write(p []byte) (int, error) { return len(p), nil }

// WriteHeader implements http.ResponseWriter; it drops the status.
func (w *ResponseWriter) WriteHeader(int) {}

// Hijack implements http.Hijacker.
func (w *ResponseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return w.Conn, bufio.NewReadWriter(bufio.NewReaderSize(w.Conn, 4096), bufio.NewWriterSize(w.Conn, 4096)), nil
}

// Text returns n bytes of valid UTF-8 text, mostly ASCII with some two- and
// three-byte characters, as chat messages are.
func Text(n int) []byte {
	const unit = "héllo wörld, plain ASCII text — and “quotes” 0123456789 "
	b := bytes.Repeat([]byte(unit), n/len(unit)+1)[:n]
	for i := n - 1; i >= 0 && i >= n-3; i-- { // end on a whole character
		if b[i] >= 0x80 {
			b[i] = 'x'
		}
	}
	return b
}

// Key is the masking key of the client frames built here.
var Key = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// Frames encodes one message of type op (frame.OpText or frame.OpBinary) in
// frags frames, masked when masked is set.
func Frames(payload []byte, op frame.Opcode, frags int, masked bool) []byte {
	var out []byte
	step := (len(payload) + frags - 1) / frags
	for i := 0; i < frags; i++ {
		p := payload[min(i*step, len(payload)):min((i+1)*step, len(payload))]
		fin := i == frags-1
		var f frame.Frame
		switch {
		case i > 0:
			f = &frame.Continuation{Fin: fin, Payload: p}
		case op == frame.OpText:
			f = &frame.Text{Fin: fin, Payload: p}
		default:
			f = &frame.Binary{Fin: fin, Payload: p}
		}
		var err error
		if masked {
			out, err = frame.AppendMasked(out, f, Key)
		} else {
			out, err = frame.Append(out, f)
		}
		if err != nil {
			panic(err)
		}
	}
	return out
}

// Discard is an io.Writer that counts and drops what it is given.
type Discard struct{ N int64 }

// Write implements io.Writer.
func (d *Discard) Write(p []byte) (int, error) { d.N += int64(len(p)); return len(p), nil }
