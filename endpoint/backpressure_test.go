package endpoint

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/race"
	"github.com/wskit/wskit/parser"
)

// tcpPair returns the two ends of a loopback TCP connection with small
// buffers, so that a peer that does not read is felt quickly. (A receive
// buffer as small as 16 KiB makes loopback TCP crawl.)
func tcpPair(t *testing.T) (server, client *net.TCPConn) {
	t.Helper()
	s, c := dialPair(t, "tcp", "127.0.0.1:0")
	server, client = s.(*net.TCPConn), c.(*net.TCPConn)
	server.SetWriteBuffer(16 << 10)
	client.SetReadBuffer(128 << 10)
	return server, client
}

// numbered is a message carrying n in its first 8 bytes, size bytes long.
func numbered(n uint64, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// readFrames reads server frames from r until it fails, and returns them.
func readFrames(r io.Reader) (data []uint64, ops []frame.Opcode, err error) {
	p := parser.New(r, parser.Role(frame.Client))
	for {
		f, err := p.Next()
		if err != nil {
			return data, ops, err
		}
		h := f.Header()
		ops = append(ops, h.Opcode)
		if h.Opcode == frame.OpBinary {
			b, _ := f.AppendPayload(nil)
			data = append(data, binary.BigEndian.Uint64(b))
		}
		if h.Opcode == frame.OpClose {
			return data, ops, nil
		}
	}
}

// A peer that does not read: sends go out while the socket takes them,
// then queue, then are dropped at the limit; nothing the Endpoint reported
// Sent or Queued is lost, order holds, and OnDrain says when the queue
// emptied.
func TestSendBackpressure(t *testing.T) {
	s, c := tcpPair(t)
	var drains atomic.Int32
	const limit = 64 << 10
	e := New(frame.Server, s, s, MaxBackpressure(limit), OnDrain(func() { drains.Add(1) }))
	counts := map[SendResult]int{}
	var kept []uint64
	for i := range uint64(2000) {
		res, err := e.Send(frame.OpBinary, numbered(i, 1024))
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		counts[res]++
		if res != Dropped {
			kept = append(kept, i)
		}
		if q := e.Buffered(); q > limit+1100 {
			t.Fatalf("queue holds %d bytes, limit %d", q, limit)
		}
	}
	if counts[Sent] == 0 || counts[Queued] == 0 || counts[Dropped] == 0 {
		t.Fatalf("results %v: want some of each", counts)
	}
	got := make(chan []uint64, 1)
	go func() {
		data, _, _ := readFrames(c)
		got <- data
	}()
	// The queue may have drained into the socket buffers meanwhile too.
	waitFor(t, func() bool { return e.Buffered() == 0 && drains.Load() >= 1 })
	s.CloseWrite()
	if diff := cmp.Diff(kept, <-got); diff != "" {
		t.Errorf("frames received (-sent or queued +got):\n%s", diff)
	}
}

// With CloseOnBackpressureLimit, passing the limit fails the connection:
// the send says so, a blocked reader returns at once with ErrBackpressure,
// and the peer, once it reads, gets whole frames and then a close with
// 1008.
func TestSendCloseOnLimit(t *testing.T) {
	s, c := tcpPair(t)
	e := New(frame.Server, s, s, MaxBackpressure(32<<10), CloseOnBackpressureLimit())
	readErr := make(chan error, 1)
	go func() {
		_, err := e.NextMessage()
		readErr <- err
	}()
	var err error
	for i := uint64(0); err == nil && i < 10000; i++ {
		_, err = e.Send(frame.OpBinary, numbered(i, 1024))
	}
	if !errors.Is(err, ErrBackpressure) {
		t.Fatalf("send past the limit: %v, want ErrBackpressure", err)
	}
	select {
	case err := <-readErr:
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != frame.ClosePolicyViolation || !errors.Is(err, ErrBackpressure) {
			t.Errorf("reader: %v, want a 1008 CloseError wrapping ErrBackpressure", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the blocked reader did not return")
	}
	if _, err := e.Send(frame.OpBinary, numbered(0, 10)); !errors.Is(err, ErrClosed) {
		t.Errorf("send after the failure: %v, want ErrClosed", err)
	}
	data, ops, err := readFrames(c)
	if err != nil {
		t.Fatalf("peer: %v after %d frames", err, len(ops))
	}
	if ops[len(ops)-1] != frame.OpClose {
		t.Errorf("last frame %v, want a close", ops[len(ops)-1])
	}
	for i, n := range data {
		if n != uint64(i) {
			t.Fatalf("frame %d carries %d: a frame was lost before the failure", i, n)
		}
	}
}

// A pong does not wait behind the queued data: it goes out at the next
// frame boundary the flusher reaches.
func TestPongJumpsQueue(t *testing.T) {
	s, c := tcpPair(t)
	pinged := make(chan struct{})
	e := New(frame.Server, s, s, MaxBackpressure(4<<20), OnPing(func([]byte) { close(pinged) }))
	const n = 2000
	for i := range uint64(n) {
		if res, err := e.Send(frame.OpBinary, numbered(i, 1024)); err != nil || res == Dropped {
			t.Fatalf("send %d: %v %v", i, res, err)
		}
	}
	go e.NextMessage()
	if _, err := c.Write(enc(t, frame.Client, ping("p"))); err != nil {
		t.Fatal(err)
	}
	<-pinged
	_, ops, _ := readFramesUntil(c, n+1)
	at := -1
	for i, op := range ops {
		if op == frame.OpPong {
			at = i
		}
	}
	// The socket buffers and one batch of the queue may go first.
	if at < 0 || at > n/2 {
		t.Fatalf("pong at frame %d of %d: it waited behind the queue", at, len(ops))
	}
}

func readFramesUntil(r io.Reader, count int) ([]uint64, []frame.Opcode, error) {
	p := parser.New(r, parser.Role(frame.Client))
	var ops []frame.Opcode
	for len(ops) < count {
		f, err := p.Next()
		if err != nil {
			return nil, ops, err
		}
		ops = append(ops, f.Header().Opcode)
	}
	return nil, ops, nil
}

// stallWriter is a push Endpoint's writer over a socket that takes room
// bytes, then would block until room is given again.
type stallWriter struct {
	mu     sync.Mutex
	room   int
	got    []byte
	writes int
}

func (w *stallWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	n := min(len(b), w.room)
	w.room -= n
	w.got = append(w.got, b[:n]...)
	if n < len(b) {
		return n, ErrWouldBlock
	}
	return n, nil
}

func (w *stallWriter) give(n int) {
	w.mu.Lock()
	w.room += n
	w.mu.Unlock()
}

// Push mode: the writer's ErrWouldBlock leaves the rest queued until
// Flush; the limit and OnDrain hold as in blocking mode.
func TestSendPush(t *testing.T) {
	w := &stallWriter{room: 100}
	drained := 0
	e := NewPush(frame.Server, w, MaxBackpressure(1000), OnDrain(func() { drained++ }))
	var results []SendResult
	for i := range uint64(8) {
		res, err := e.Send(frame.OpBinary, numbered(i, 300))
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, res)
	}
	// 304-byte frames: the first goes out in part, the fourth would take
	// the queue past 1000 bytes.
	want := []SendResult{Queued, Queued, Queued, Dropped, Dropped, Dropped, Dropped, Dropped}
	if diff := cmp.Diff(want, results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if e.Buffered() != 3*304-100 {
		t.Errorf("Buffered %d, want %d", e.Buffered(), 3*304-100)
	}
	// A pong goes at the first frame boundary, ahead of the queued data.
	if err := e.Feed(enc(t, frame.Client, ping("x")), nil); err != nil {
		t.Fatal(err)
	}
	w.give(1 << 20)
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if e.Buffered() != 0 || drained != 1 {
		t.Fatalf("after Flush: Buffered %d, drains %d", e.Buffered(), drained)
	}
	frames := decodeAll(t, frame.Server, w.got)
	var got []string
	for _, f := range frames {
		if f.h.Opcode == frame.OpBinary {
			got = append(got, "data"+string('0'+rune(binary.BigEndian.Uint64(f.payload))))
		} else {
			got = append(got, f.h.Opcode.String())
		}
	}
	wantFrames := []string{"data0", frame.OpPong.String(), "data1", "data2"}
	if diff := cmp.Diff(wantFrames, got); diff != "" {
		t.Errorf("wire (-want +got):\n%s", diff)
	}
	// Idle again: the next send goes straight out.
	if res, err := e.Send(frame.OpText, []byte("hi")); res != Sent || err != nil {
		t.Errorf("send on an idle connection: %v %v", res, err)
	}
}

// Cork sends what was sent inside it in one write.
func TestCork(t *testing.T) {
	w := &stallWriter{room: 1 << 20}
	e := NewPush(frame.Server, w)
	err := e.Cork(func() {
		for i := range uint64(10) {
			if res, err := e.Send(frame.OpBinary, numbered(i, 100)); res != Queued || err != nil {
				t.Errorf("corked send %d: %v %v", i, res, err)
			}
		}
		if err := e.WriteMessage(frame.OpText, []byte("x")); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if w.writes != 1 || len(decodeAll(t, frame.Server, w.got)) != 11 {
		t.Errorf("%d writes carrying %d frames, want 1 carrying 11", w.writes, len(decodeAll(t, frame.Server, w.got)))
	}
}

// IdleTimeout pings a silent peer, and fails it when it stays silent; a
// peer that answers stays.
func TestIdleTimeout(t *testing.T) {
	for _, answers := range []bool{true, false} {
		clock := newFakeClock()
		e, peer := pipePair(t, IdleTimeout(time.Second), WithClock(clock))
		readErr := make(chan error, 1)
		go func() {
			for {
				if _, err := e.NextMessage(); err != nil {
					readErr <- err
					return
				}
			}
		}()
		frames := make(chan frame.Opcode, 10)
		go func() {
			for {
				h, b, err := peer.next()
				if err != nil {
					close(frames)
					return
				}
				frames <- h.Opcode
				if h.Opcode == frame.OpPing && answers {
					peer.send(&frame.Pong{Payload: b})
				}
			}
		}()
		armed := func() bool { // the next tick is scheduled
			clock.mu.Lock()
			defer clock.mu.Unlock()
			for _, tm := range clock.timers {
				if tm.on {
					return true
				}
			}
			return false
		}
		clock.Advance(time.Second)
		if op := <-frames; op != frame.OpPing {
			t.Fatalf("after one quiet period: %v, want a ping", op)
		}
		if answers {
			waitFor(t, func() bool { return e.hb.heard.Load() })
		}
		waitFor(t, armed)
		clock.Advance(time.Second)
		if answers {
			select {
			case err := <-readErr:
				t.Fatalf("a peer that answered was failed: %v", err)
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		if op := <-frames; op != frame.OpClose {
			t.Fatalf("after two quiet periods: %v, want a close", op)
		}
		var ce *CloseError
		if err := <-readErr; !errors.As(err, &ce) || ce.Code != frame.ClosePolicyViolation || !errors.Is(err, ErrNoPong) {
			t.Errorf("reader: %v, want a 1008 CloseError wrapping ErrNoPong", err)
		}
	}
}

// Concurrent senders, blocking and not, on a slow reader: each sender's
// messages arrive in its order, and none that was not Dropped is lost.
func TestSendConcurrentOrder(t *testing.T) {
	s, c := tcpPair(t)
	e := New(frame.Server, s, s, MaxBackpressure(256<<10))
	const senders, each = 4, 500
	var mu sync.Mutex
	kept := map[uint64][]uint64{}
	var wg sync.WaitGroup
	for g := range uint64(senders) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range uint64(each) {
				n := g<<32 | i
				if g == 0 {
					if err := e.WriteMessage(frame.OpBinary, numbered(n, 700)); err != nil {
						t.Error(err)
						return
					}
				} else if res, err := e.Send(frame.OpBinary, numbered(n, 700)); err != nil {
					t.Error(err)
					return
				} else if res == Dropped {
					continue
				}
				mu.Lock()
				kept[g] = append(kept[g], n)
				mu.Unlock()
			}
		}()
	}
	got := make(chan []uint64, 1)
	go func() {
		time.Sleep(20 * time.Millisecond) // let the queue fill first
		data, _, _ := readFrames(c)
		got <- data
	}()
	wg.Wait()
	waitFor(t, func() bool { return e.Buffered() == 0 })
	s.CloseWrite()
	byGoroutine := map[uint64][]uint64{}
	for _, n := range <-got {
		byGoroutine[n>>32] = append(byGoroutine[n>>32], n)
	}
	if diff := cmp.Diff(kept, byGoroutine); diff != "" {
		t.Errorf("per sender (-kept +received):\n%s", diff)
	}
}

func TestMaxBackpressureConfig(t *testing.T) {
	e := NewPush(frame.Server, io.Discard, MaxBackpressure(-1))
	if _, err := e.Send(frame.OpText, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("MaxBackpressure(-1): %v, want ErrConfig", err)
	}
}

// Sending a prepared message allocates nothing per recipient: over TCP
// (one non-blocking writev), and into the queue of one that does not read
// (the frame is queued by reference).
func TestSendPreparedAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	pm, _ := NewPreparedMessage(frame.OpText, make([]byte, 1<<10))
	s, c := tcpPair(t)
	go io.Copy(io.Discard, c)
	e := New(frame.Server, s, s)
	stuck := NewPush(frame.Server, &stallWriter{}, MaxBackpressure(1<<30))
	for range 10 {
		e.SendPrepared(pm)
		stuck.SendPrepared(pm)
	}
	for _, tc := range []struct {
		name string
		e    *Endpoint
		want SendResult
	}{{"reading", e, Sent}, {"not reading", stuck, Queued}} { // reading: Sent, or Queued when the reader lags
		var res SendResult
		var err error
		if n := testing.AllocsPerRun(1000, func() { res, err = tc.e.SendPrepared(pm) }); n != 0 {
			t.Errorf("%s: %v allocations per send, want 0", tc.name, n)
		}
		if err != nil || res != tc.want && !(tc.want == Sent && res == Queued) {
			t.Errorf("%s: %v %v, want %v", tc.name, res, err, tc.want)
		}
	}
}

// BenchmarkSendPrepared is one recipient of a fan-out over loopback TCP.
func BenchmarkSendPrepared(b *testing.B) {
	pm, _ := NewPreparedMessage(frame.OpText, make([]byte, 1<<10))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			io.Copy(io.Discard, c)
		}
	}()
	s, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, bc := range []struct {
		name string
		send func(e *Endpoint) error
	}{
		{"Send", func(e *Endpoint) error { _, err := e.SendPrepared(pm); return err }},
		{"Write", func(e *Endpoint) error { return e.WritePrepared(pm) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := New(frame.Server, s, s)
			b.SetBytes(int64(len(pm.Data())))
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.send(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A push Endpoint's blocking sends (WriteMessage, the pong Feed writes, a
// close) treat a writer's ErrWouldBlock as a full socket, not as a failure:
// the rest of the frame waits in the send queue for Flush.
func TestPushWriteWouldBlock(t *testing.T) {
	w := &stallWriter{room: 3}
	e := NewPush(frame.Server, w)
	if err := e.WriteMessage(frame.OpText, []byte("hello")); err != nil {
		t.Fatalf("WriteMessage on a full socket: %v", err)
	}
	if err := e.WriteMessage(frame.OpBinary, make([]byte, 3000)); err != nil {
		t.Fatalf("WriteMessage behind it: %v", err)
	}
	if err := e.Feed(enc(t, frame.Client, ping("p")), nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(frame.CloseNormal, ""); err != nil {
		t.Fatal(err)
	}
	if e.Buffered() == 0 {
		t.Fatal("nothing queued")
	}
	w.give(1 << 20)
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	var got []frame.Opcode
	for _, f := range decodeAll(t, frame.Server, w.got) {
		got = append(got, f.h.Opcode)
	}
	want := []frame.Opcode{frame.OpText, frame.OpPong, frame.OpBinary, frame.OpClose}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("wire (-want +got):\n%s", diff)
	}
}
