package endpoint

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
)

// modes runs f with an Endpoint of each mode, a server reading what the
// client frames encode. feed hands the Endpoint those bytes and returns the
// messages and the final error.
func modes(t *testing.T, f func(t *testing.T, run func(in []byte, opts ...Option) ([]string, error, []wireFrame))) {
	t.Run("blocking", func(t *testing.T) {
		f(t, func(in []byte, opts ...Option) ([]string, error, []wireFrame) {
			var w bytes.Buffer
			e := New(frame.Server, bytes.NewReader(in), &w, opts...)
			msgs, err := readAllMessages(e, false)
			return texts(msgs), err, decodeAll(t, frame.Server, w.Bytes())
		})
	})
	t.Run("push", func(t *testing.T) {
		f(t, func(in []byte, opts ...Option) ([]string, error, []wireFrame) {
			var w bytes.Buffer
			e := NewPush(frame.Server, &w, opts...)
			var msgs []Message
			err := e.Feed(in, func(m Message) error {
				msgs = append(msgs, Message{m.Type, bytes.Clone(m.Data)})
				return nil
			})
			if err == nil {
				err = e.FeedEOF()
			}
			return texts(msgs), err, decodeAll(t, frame.Server, w.Bytes())
		})
	})
}

func texts(msgs []Message) []string {
	var s []string
	for _, m := range msgs {
		s = append(s, string(m.Data))
	}
	return s
}

func TestHooks(t *testing.T) {
	modes(t, func(t *testing.T, run func([]byte, ...Option) ([]string, error, []wireFrame)) {
		var events []string
		opts := []Option{
			OnPing(func(p []byte) { events = append(events, "ping "+string(p)) }),
			OnPong(func(p []byte, rtt time.Duration) { events = append(events, "pong "+string(p)) }),
			OnClose(func(c frame.CloseCode, r string) { events = append(events, "close "+c.String()+" "+r) }),
		}
		in := enc(t, frame.Client, ping("a"), text(true, "m"), pong("b"), closeFrame(4001, "bye"))
		msgs, err, out := run(in, opts...)
		want := []string{"ping a", "pong b", "close 4001 bye"}
		if diff := cmp.Diff(want, events); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"m"}, msgs); diff != "" {
			t.Errorf("messages (-want +got):\n%s", diff)
		}
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "bye" {
			t.Errorf("error %v, want the peer's close 4001", err)
		}
		// The hooks observe: the pong and the close echo still go out.
		if len(out) != 2 || out[0].h.Opcode != frame.OpPong || closeCode(out) != 4001 {
			t.Errorf("sent %+v, want a pong and a close 4001", out)
		}
	})
}

// TestPongRoundTrip checks that OnPong gets the round-trip time of the
// Heartbeat ping a pong answers, and 0 for other pongs.
func TestPongRoundTrip(t *testing.T) {
	clock := &nowClock{fakeClock: newFakeClock()}
	var rtts []time.Duration
	var w bytes.Buffer
	e := NewPush(frame.Server, &w, WithClock(clock), OnPong(func(_ []byte, rtt time.Duration) { rtts = append(rtts, rtt) }))
	if err := e.Heartbeat(); err != nil {
		t.Fatal(err)
	}
	sent := decodeAll(t, frame.Server, w.Bytes())
	if len(sent) != 1 || sent[0].h.Opcode != frame.OpPing {
		t.Fatalf("sent %+v, want one ping", sent)
	}
	clock.Advance(7 * time.Millisecond)
	in := enc(t, frame.Client, pong("unsolicited"), &frame.Pong{Payload: sent[0].payload})
	if err := e.Feed(in, func(Message) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{0, 7 * time.Millisecond}, rtts); diff != "" {
		t.Errorf("round-trip times (-want +got):\n%s", diff)
	}
	if n := e.Outstanding(); n != 0 {
		t.Errorf("Outstanding = %d after the pong", n)
	}
}

// nowClock is a fakeClock that also tells the time.
type nowClock struct{ *fakeClock }

func (c *nowClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Unix(0, 0).Add(c.now)
}

// TestReplyCloseManually: the application answers the peer's close itself;
// when it forgets, the close timeout answers for it.
func TestReplyCloseManually(t *testing.T) {
	in := enc(t, frame.Client, closeFrame(1000, "done"))
	t.Run("application replies", func(t *testing.T) {
		var w bytes.Buffer
		var e *Endpoint
		e = NewPush(frame.Server, &w, ReplyCloseManually(), OnClose(func(frame.CloseCode, string) {
			if err := e.SendClose(4000, "my reply"); err != nil {
				t.Error(err)
			}
		}))
		err := e.Feed(in, func(Message) error { return nil })
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != 1000 {
			t.Fatalf("Feed = %v, want the peer's close", err)
		}
		out := decodeAll(t, frame.Server, w.Bytes())
		if len(out) != 1 || closeCode(out) != 4000 || out[0].close.Reason != "my reply" {
			t.Fatalf("sent %+v, want only the application's close 4000", out)
		}
	})
	t.Run("timeout replies", func(t *testing.T) {
		clock := newFakeClock()
		w := &lockedBuffer{}
		e := New(frame.Server, bytes.NewReader(in), w, ReplyCloseManually(), WithClock(clock), CloseTimeout(time.Second))
		if _, err := e.NextMessage(); err == nil {
			t.Fatal("NextMessage: no error at the peer's close")
		}
		if w.Len() != 0 {
			t.Fatalf("sent %d bytes before the application or the timeout answered", w.Len())
		}
		clock.Advance(time.Second)
		deadline := time.Now().Add(5 * time.Second)
		for w.Len() == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if out := decodeAll(t, frame.Server, w.Bytes()); closeCode(out) != 1000 {
			t.Fatalf("sent %+v after the timeout, want the echo 1000", out)
		}
	})
}

// TestPushClose: Close in push mode sends the close and returns; the
// peer's close completes the handshake through Feed, or the timeout ends
// the read side.
func TestPushClose(t *testing.T) {
	t.Run("peer answers", func(t *testing.T) {
		var w bytes.Buffer
		e := NewPush(frame.Server, &w)
		if err := e.Close(frame.CloseNormal, "bye"); err != nil {
			t.Fatal(err)
		}
		if err := e.WriteMessage(frame.OpText, []byte("late")); err != ErrClosed {
			t.Errorf("send after Close = %v, want ErrClosed", err)
		}
		err := e.Feed(enc(t, frame.Client, text(true, "in flight"), closeFrame(1000, "")), func(Message) error { return nil })
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != 1000 {
			t.Fatalf("Feed = %v, want the peer's close", err)
		}
		select {
		case <-e.Done():
		default:
			t.Fatal("Done not closed")
		}
		if out := decodeAll(t, frame.Server, w.Bytes()); len(out) != 1 || closeCode(out) != 1000 {
			t.Fatalf("sent %+v, want one close (no echo of the peer's)", out)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		clock := newFakeClock()
		e := NewPush(frame.Server, io.Discard, WithClock(clock), CloseTimeout(time.Second))
		if err := e.Close(frame.CloseNormal, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.Err(); err != nil {
			t.Fatalf("Err = %v before the timeout", err)
		}
		clock.Advance(time.Second)
		select {
		case <-e.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("the close timeout did not end the read side")
		}
		if err := e.Err(); err != ErrCloseTimeout {
			t.Fatalf("Err = %v, want ErrCloseTimeout", err)
		}
		if err := e.Feed(enc(t, frame.Client, closeFrame(1000, "")), func(Message) error { return nil }); err != ErrCloseTimeout {
			t.Fatalf("Feed after the timeout = %v, want ErrCloseTimeout", err)
		}
	})
}

// TestFeedCallbackError: an error from the callback stops Feed; the bytes
// not parsed yet are kept, and the next Feed delivers them first.
func TestFeedCallbackError(t *testing.T) {
	stop := errors.New("stop")
	e := NewPush(frame.Server, io.Discard)
	in := enc(t, frame.Client, text(true, "1"), text(true, "2"), text(true, "3"))
	var got []string
	keep := func(m Message) error {
		got = append(got, string(m.Data))
		if string(m.Data) == "1" {
			return stop
		}
		return nil
	}
	if err := e.Feed(in, keep); err != stop {
		t.Fatalf("Feed = %v, want the callback's error", err)
	}
	for i := range in {
		in[i] = 0 // the caller reuses its buffer
	}
	if err := e.Feed(enc(t, frame.Client, text(true, "4")), keep); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"1", "2", "3", "4"}, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

func TestWrongMode(t *testing.T) {
	p := NewPush(frame.Server, io.Discard)
	if _, err := p.NextMessage(); err != ErrPushMode {
		t.Errorf("NextMessage on a push Endpoint = %v", err)
	}
	if _, _, err := p.NextReader(); err != ErrPushMode {
		t.Errorf("NextReader on a push Endpoint = %v", err)
	}
	b := New(frame.Server, bytes.NewReader(nil), io.Discard)
	if err := b.Feed(nil, func(Message) error { return nil }); err != ErrPushMode {
		t.Errorf("Feed on a blocking Endpoint = %v", err)
	}
	if err := b.FeedEOF(); err != ErrPushMode {
		t.Errorf("FeedEOF on a blocking Endpoint = %v", err)
	}
}

// TestPushIdleHoldsNothing: between messages a push Endpoint holds no
// parser and no message buffer, even after a frame that arrived in pieces
// and a fragmented message.
func TestPushIdleHoldsNothing(t *testing.T) {
	e := NewPush(frame.Server, io.Discard)
	in := enc(t, frame.Client, text(true, "hello"), bin(false, "frag"), cont(true, "mented"))
	discard := func(Message) error { return nil }
	if err := e.Feed(in[:3], discard); err != nil {
		t.Fatal(err)
	}
	if e.in.p == nil {
		t.Fatal("the parser was given back in the middle of a frame")
	}
	if err := e.Feed(in[3:], discard); err != nil {
		t.Fatal(err)
	}
	if e.in.p != nil || e.in.defrag.buf != nil {
		t.Errorf("idle push Endpoint holds parser %v, message buffer %v", e.in.p != nil, e.in.defrag.buf != nil)
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader in two
// goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// TestFeedStream: a message larger than any buffer streams through in
// pieces as its bytes are fed, every rule still applied.
func TestFeedStream(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	in := enc(t, frame.Client, bin(false, string(big[:300<<10])), ping("p"), cont(true, string(big[300<<10:])),
		text(true, ""), text(true, "héllo"), closeFrame(1000, ""))
	var w bytes.Buffer
	e := NewPush(frame.Server, &w, MaxMessage(2<<20))
	var got []Message
	var firstAfter int // bytes fed when the big message's first piece came
	fed := 0
	collect := func(p Piece) error {
		if p.First {
			got = append(got, Message{Type: p.Type})
			if len(got) == 1 {
				firstAfter = fed
			}
		}
		if p.Type != got[len(got)-1].Type || len(p.Data) > pieceSize {
			t.Fatalf("piece %+v in message %d", p.Type, len(got))
		}
		got[len(got)-1].Data = append(got[len(got)-1].Data, p.Data...)
		return nil
	}
	var err error
	for len(in) > 0 && err == nil {
		k := min(10<<10, len(in))
		fed += k
		err = e.FeedStream(in[:k], collect)
		in = in[k:]
	}
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 1000 {
		t.Fatalf("FeedStream = %v, want the peer's close", err)
	}
	want := []Message{{frame.OpBinary, big}, {frame.OpText, []byte{}}, {frame.OpText, []byte("héllo")}}
	if diff := cmp.Diff(want, got, cmp.Comparer(bytes.Equal)); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if firstAfter > 20<<10 {
		t.Errorf("the first piece came after %d bytes were fed: the message was held", firstAfter)
	}
	out := decodeAll(t, frame.Server, w.Bytes())
	if len(out) != 2 || out[0].h.Opcode != frame.OpPong || closeCode(out) != 1000 {
		t.Errorf("sent %+v, want the pong between the fragments and the close echo", out)
	}
}

// TestFeedStreamFailsFast: invalid UTF-8 fails the connection at the bad
// byte, long before the frame's end has been fed.
func TestFeedStreamFailsFast(t *testing.T) {
	var w bytes.Buffer
	e := NewPush(frame.Server, &w)
	in := enc(t, frame.Client, text(true, "ok"+strings.Repeat("x", 100)+"\xff"+strings.Repeat("y", 1<<20)))
	err := e.FeedStream(in[:200], func(Piece) error { return nil })
	if !errors.Is(err, frame.ErrInvalidUTF8) {
		t.Fatalf("FeedStream = %v, want ErrInvalidUTF8", err)
	}
	if code := closeCode(decodeAll(t, frame.Server, w.Bytes())); code != 1007 {
		t.Fatalf("sent close %d, want 1007", code)
	}
}

// TestFeedCallbackErrorOnKeptBytes: a callback that fails again on the
// last of the bytes kept from the previous call does not lose the bytes of
// this call.
func TestFeedCallbackErrorOnKeptBytes(t *testing.T) {
	stop := errors.New("stop")
	e := NewPush(frame.Server, io.Discard)
	var got []string
	fail := map[string]bool{"1": true, "2": true}
	keep := func(m Message) error {
		got = append(got, string(m.Data))
		if fail[string(m.Data)] {
			return stop
		}
		return nil
	}
	if err := e.Feed(enc(t, frame.Client, text(true, "1"), text(true, "2")), keep); err != stop {
		t.Fatalf("Feed = %v, want stop at 1", err)
	}
	if err := e.Feed(enc(t, frame.Client, text(true, "3")), keep); err != stop {
		t.Fatalf("Feed = %v, want stop at 2, the last byte kept", err)
	}
	if err := e.Feed(nil, keep); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"1", "2", "3"}, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}
