package endpoint

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// ---- an in-memory duplex that does not allocate ----

// ring is a one-way pipe over a fixed ring buffer.
type ring struct {
	mu     sync.Mutex
	cond   sync.Cond
	buf    []byte
	r, n   int
	closed bool
}

func newRing(size int) *ring {
	p := &ring{buf: make([]byte, size)}
	p.cond.L = &p.mu
	return p
}

func (p *ring) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	written := 0
	for len(b) > 0 {
		for p.n == len(p.buf) && !p.closed {
			p.cond.Wait()
		}
		if p.closed {
			return written, io.ErrClosedPipe
		}
		w := (p.r + p.n) % len(p.buf)
		end := len(p.buf)
		if w < p.r {
			end = p.r
		}
		k := copy(p.buf[w:end], b)
		p.n += k
		b = b[k:]
		written += k
		p.cond.Broadcast()
	}
	return written, nil
}

func (p *ring) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.n == 0 && !p.closed {
		p.cond.Wait()
	}
	if p.n == 0 {
		return 0, io.EOF
	}
	end := min(p.r+p.n, len(p.buf))
	k := copy(b, p.buf[p.r:end])
	p.r = (p.r + k) % len(p.buf)
	p.n -= k
	p.cond.Broadcast()
	return k, nil
}

func (p *ring) Close() error {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	return nil
}

// duplexEnd is one end of a pair of rings. It has no deadlines.
type duplexEnd struct {
	in, out *ring
}

func (d duplexEnd) Read(b []byte) (int, error)  { return d.in.Read(b) }
func (d duplexEnd) Write(b []byte) (int, error) { return d.out.Write(b) }
func (d duplexEnd) Close() error {
	d.in.Close()
	d.out.Close()
	return nil
}

func duplex(size int) (duplexEnd, duplexEnd) {
	a, b := newRing(size), newRing(size)
	return duplexEnd{a, b}, duplexEnd{b, a}
}

// ---- goroutine leak check ----

// noLeak fails the test if, at its end, more goroutines run than at the
// start, after a short grace period.
func noLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutine leak: %d before, %d after\n%s", before, n, buf)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// ---- a clock that tests advance ----

type fakeClock struct {
	mu     sync.Mutex
	now    time.Duration
	timers []*fakeTimer
	added  chan struct{}
}

type fakeTimer struct {
	at time.Duration
	f  func()
	on bool
}

func newFakeClock() *fakeClock { return &fakeClock{added: make(chan struct{}, 100)} }

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now + d, f: f, on: true}
	c.timers = append(c.timers, t)
	select {
	case c.added <- struct{}{}:
	default:
	}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := t.on
		t.on = false
		return was
	}
}

// Advance moves time forward and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now += d
	var due []*fakeTimer
	for _, t := range c.timers {
		if t.on && t.at <= c.now {
			t.on = false
			due = append(due, t)
		}
	}
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].at < due[j].at })
	for _, t := range due {
		go t.f()
	}
}

// ---- wire helpers ----

var testKey = [4]byte{0x37, 0xfa, 0x21, 0x3d}

func fixedKeys() [4]byte { return testKey }

// peerOf returns the role of the other side.
func peerOf(r frame.Role) frame.Role {
	if r == frame.Server {
		return frame.Client
	}
	return frame.Server
}

// enc encodes frames as a peer of the given role sends them: masked by a
// client.
func enc(t testing.TB, peer frame.Role, frames ...frame.Frame) []byte {
	t.Helper()
	var b []byte
	for _, f := range frames {
		var err error
		if raw, ok := f.(*frame.Raw); ok {
			r := *raw
			if peer == frame.Client && !r.Head.Masked {
				r.Head.Masked, r.Head.Mask = true, testKey // Append masks the payload
			}
			b, err = frame.Append(b, &r)
		} else if peer == frame.Client {
			b, err = frame.AppendMasked(b, f, testKey)
		} else {
			b, err = frame.Append(b, f)
		}
		if err != nil {
			t.Fatalf("encoding %T: %v", f, err)
		}
	}
	return b
}

// wireFrame is a decoded frame with its payload copied.
type wireFrame struct {
	h       frame.Header
	payload []byte
	close   frame.Close
}

// decodeAll parses what an endpoint of role sent, strictly.
func decodeAll(t testing.TB, role frame.Role, b []byte, popts ...parser.Option) []wireFrame {
	t.Helper()
	p := parser.New(bytes.NewReader(b), append([]parser.Option{parser.Role(peerOf(role)), parser.AllowRsv(frame.Rsv1)}, popts...)...)
	var out []wireFrame
	for {
		f, err := p.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("endpoint sent an invalid frame after %d frames: %v", len(out), err)
		}
		wf := wireFrame{h: f.Header()}
		wf.payload, _ = f.AppendPayload(nil)
		if c, ok := f.(*frame.Close); ok {
			wf.close = *c
		}
		out = append(out, wf)
	}
}

func text(fin bool, s string) *frame.Text  { return &frame.Text{Fin: fin, Payload: []byte(s)} }
func bin(fin bool, s string) *frame.Binary { return &frame.Binary{Fin: fin, Payload: []byte(s)} }
func cont(fin bool, s string) *frame.Continuation {
	return &frame.Continuation{Fin: fin, Payload: []byte(s)}
}
func ping(s string) *frame.Ping { return &frame.Ping{Payload: []byte(s)} }
func pong(s string) *frame.Pong { return &frame.Pong{Payload: []byte(s)} }
func closeFrame(code frame.CloseCode, reason string) *frame.Close {
	return &frame.Close{Code: code, Reason: reason}
}
func raw(h frame.Header, payload []byte) *frame.Raw { return &frame.Raw{Head: h, Payload: payload} }

// readAllMessages reads messages with NextMessage (stream false) or
// NextReader (stream true) until an error.
func readAllMessages(e *Endpoint, stream bool) ([]Message, error) {
	var msgs []Message
	for {
		if !stream {
			m, err := e.NextMessage()
			if err != nil {
				return msgs, err
			}
			msgs = append(msgs, Message{m.Type, append([]byte{}, m.Data...)})
			continue
		}
		op, r, err := e.NextReader()
		if err != nil {
			return msgs, err
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, Message{op, append([]byte{}, data...)})
	}
}

// closeCode returns the code of the close frame in frames, or -1.
func closeCode(frames []wireFrame) int {
	for _, f := range frames {
		if f.h.Opcode == frame.OpClose {
			if len(f.payload) == 0 {
				return 0
			}
			return int(f.close.Code)
		}
	}
	return -1
}

// isFinal reports whether err is one of the typed errors that end a
// connection.
func isTyped(err error) bool {
	var fe *frame.Error
	var ce *CloseError
	return errors.As(err, &fe) || errors.As(err, &ce)
}
