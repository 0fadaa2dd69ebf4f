package endpoint

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// rawPeer is the client side of a net.Pipe, driven by hand.
type rawPeer struct {
	t    *testing.T
	conn net.Conn
	p    *parser.Parser
}

func newRawPeer(t *testing.T, conn net.Conn) *rawPeer {
	return &rawPeer{t: t, conn: conn, p: parser.New(conn, parser.Role(frame.Client))}
}

// send writes frames as a client.
func (r *rawPeer) send(frames ...frame.Frame) {
	if _, err := r.conn.Write(enc(r.t, frame.Client, frames...)); err != nil {
		r.t.Errorf("peer write: %v", err)
	}
}

// next returns the next frame from the server, copied.
func (r *rawPeer) next() (frame.Header, []byte, error) {
	f, err := r.p.Next()
	if err != nil {
		return frame.Header{}, nil, err
	}
	b, _ := f.AppendPayload(nil)
	return f.Header(), b, nil
}

// expectClose reads frames until a close and returns its payload.
func (r *rawPeer) expectClose() []byte {
	for {
		h, b, err := r.next()
		if err != nil {
			r.t.Errorf("peer waiting for close: %v", err)
			return nil
		}
		if h.Opcode == frame.OpClose {
			return b
		}
	}
}

func pipePair(t *testing.T, opts ...Option) (*Endpoint, *rawPeer) {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return New(frame.Server, a, a, opts...), newRawPeer(t, b)
}

func TestCloseWithoutReader(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t)
	go func() {
		if got := peer.expectClose(); string(got) != "\x03\xe8bye" {
			t.Errorf("close payload %q", got)
		}
		peer.send(closeFrame(1000, ""))
	}()
	if err := e.Close(frame.CloseNormal, "bye"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := e.WriteMessage(frame.OpText, []byte("x")); err != ErrClosed {
		t.Fatalf("send after Close: %v", err)
	}
	if err := e.Ping(nil); err != ErrClosed {
		t.Fatalf("ping after Close: %v", err)
	}
	if _, err := e.NextWriter(frame.OpBinary); err != ErrClosed {
		t.Fatalf("NextWriter after Close: %v", err)
	}
	// The peer's close is what the read side reports now.
	var ce *CloseError
	if _, err := e.NextMessage(); !errors.As(err, &ce) || ce.Code != 1000 || !ce.Remote {
		t.Fatalf("NextMessage after Close: %v", err)
	}
	// A second Close reports the same completed handshake.
	if err := e.Close(frame.CloseNormal, ""); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestCloseDiscardsDataUntilClose(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t)
	go func() {
		peer.expectClose()
		// Data and pings sent before the peer saw our close are dropped;
		// the ping is not answered after our close.
		peer.send(text(false, "a"), ping("p"), cont(true, "b"), bin(true, "big"), closeFrame(1001, "later"))
	}()
	if err := e.Close(frame.CloseNormal, ""); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestCloseWhileReading(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t)
	readErr := make(chan error, 1)
	go func() {
		_, err := e.NextMessage()
		readErr <- err
	}()
	go func() {
		peer.expectClose()
		peer.send(closeFrame(1000, "ok"))
	}()
	time.Sleep(10 * time.Millisecond) // let the reader block
	if err := e.Close(frame.CloseGoingAway, ""); err != nil {
		t.Fatalf("Close: %v", err)
	}
	err := <-readErr
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 1000 || ce.Reason != "ok" || !ce.Remote {
		t.Fatalf("reader got %v", err)
	}
}

func TestCloseAfterReaderStops(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t)
	go func() {
		peer.send(text(true, "one"))
		peer.expectClose()
		peer.send(closeFrame(1000, ""))
	}()
	// A reader that reads one message and stops: Close must take over.
	if m, err := e.NextMessage(); err != nil || string(m.Data) != "one" {
		t.Fatalf("NextMessage: %q, %v", m.Data, err)
	}
	if err := e.Close(frame.CloseNormal, ""); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestCloseTakesOverStreamReader(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t)
	go func() {
		peer.send(bin(false, "part"))
		peer.expectClose()
		peer.send(cont(true, "rest"), closeFrame(1000, ""))
	}()
	_, r, err := e.NextReader()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(frame.CloseNormal, ""); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := r.Read(buf); err == nil || err == io.EOF {
		t.Fatalf("reader after Close: %v", err)
	}
}

func TestClosePeerFirst(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t)
	go func() {
		peer.send(closeFrame(4001, "done"))
		if got := peer.expectClose(); string(got) != "\x0f\xa1" {
			t.Errorf("echo %q, want the code alone", got)
		}
	}()
	_, err := e.NextMessage()
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "done" || !ce.Remote {
		t.Fatalf("NextMessage: %v", err)
	}
	if err := e.Close(frame.CloseNormal, ""); err != nil {
		t.Fatalf("Close after the peer's close: %v", err)
	}
	if err := e.WriteMessage(frame.OpBinary, nil); err != ErrClosed {
		t.Fatalf("send: %v", err)
	}
}

func TestCloseTimeoutWithDeadlines(t *testing.T) {
	noLeak(t)
	clock := newFakeClock()
	e, peer := pipePair(t, WithClock(clock), CloseTimeout(time.Minute))
	gotClose := make(chan struct{})
	go func() {
		peer.expectClose() // and never answer
		close(gotClose)
		for {
			if _, _, err := peer.next(); err != nil {
				return
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- e.Close(frame.CloseNormal, "") }()
	<-clock.added
	<-gotClose
	clock.Advance(59 * time.Second)
	select {
	case err := <-done:
		t.Fatalf("Close returned early: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	clock.Advance(time.Second)
	if err := <-done; err != ErrCloseTimeout {
		t.Fatalf("Close: %v, want ErrCloseTimeout", err)
	}
	// The read side gave up too (the deadline interrupted it).
	if _, err := e.NextMessage(); err == nil {
		t.Fatal("NextMessage after a timed-out Close succeeded")
	}
}

func TestCloseTimeoutWithoutDeadlines(t *testing.T) {
	noLeak(t)
	clock := newFakeClock()
	a, b := duplex(1 << 16)
	e := New(frame.Client, a, a, WithClock(clock))
	done := make(chan error, 1)
	go func() { done <- e.Close(frame.CloseNormal, "") }()
	<-clock.added
	clock.Advance(DefaultCloseTimeout)
	if err := <-done; err != ErrCloseTimeout {
		t.Fatalf("Close: %v, want ErrCloseTimeout", err)
	}
	// The caller closes the transport; the goroutine reading for Close ends.
	a.Close()
	b.Close()
}

func TestCloseWithReaderTimeout(t *testing.T) {
	noLeak(t)
	clock := newFakeClock()
	e, peer := pipePair(t, WithClock(clock))
	readErr := make(chan error, 1)
	go func() {
		_, err := e.NextMessage()
		readErr <- err
	}()
	gotClose := make(chan struct{})
	go func() {
		peer.expectClose()
		close(gotClose)
		for {
			if _, _, err := peer.next(); err != nil {
				return
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- e.Close(frame.CloseNormal, "") }()
	<-clock.added
	<-gotClose
	clock.Advance(DefaultCloseTimeout)
	if err := <-done; err != ErrCloseTimeout {
		t.Fatalf("Close: %v", err)
	}
	// The blocked reader was released by the deadline.
	if err := <-readErr; err == nil {
		t.Fatal("reader got no error")
	}
}

func TestCloseEOF(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t)
	go func() {
		peer.expectClose()
		peer.conn.Close() // vanish without a close frame
	}()
	err := e.Close(frame.CloseNormal, "")
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != frame.CloseAbnormal || !errors.Is(err, io.EOF) {
		t.Fatalf("Close: %v, want 1006", err)
	}
}

func TestCloseBadArguments(t *testing.T) {
	e, peer := pipePair(t)
	for _, c := range []struct {
		code   frame.CloseCode
		reason string
		want   error
	}{
		{999, "", frame.ErrCloseCodeNotSendable},
		{1000, string(make([]byte, 124)), frame.ErrCloseReasonTooLong},
		{0, "why", frame.ErrReasonWithoutCode},
		{1000, "\xff", frame.ErrCloseReasonUTF8},
	} {
		if err := e.Close(c.code, c.reason); !errors.Is(err, c.want) {
			t.Errorf("Close(%d, %q): %v, want %v", c.code, c.reason, err, c.want)
		}
	}
	// Nothing was sent: the endpoint still works.
	go e.WriteMessage(frame.OpText, []byte("still open"))
	if h, b, err := peer.next(); err != nil || h.Opcode != frame.OpText || string(b) != "still open" {
		t.Fatalf("after bad Close: %v %q %v", h, b, err)
	}
}

func TestCloseEmpty(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t)
	go func() {
		if got := peer.expectClose(); len(got) != 0 {
			t.Errorf("close payload %q, want empty", got)
		}
		peer.send(closeFrame(0, ""))
	}()
	if err := e.Close(0, ""); err != nil {
		t.Fatal(err)
	}
}

func TestCloseTimeoutWhileSending(t *testing.T) {
	noLeak(t)
	clock := newFakeClock()
	e, _ := pipePair(t, WithClock(clock)) // the peer reads nothing
	done := make(chan error, 1)
	go func() { done <- e.Close(frame.CloseNormal, "") }()
	<-clock.added
	clock.Advance(DefaultCloseTimeout)
	if err := <-done; err != ErrCloseTimeout {
		t.Fatalf("Close: %v, want ErrCloseTimeout", err)
	}
}

// TestSendClose half-closes: the close goes out at once, with no goroutine
// reading, and the data the peer sent before it saw the close is still
// delivered, then the peer's close.
func TestSendClose(t *testing.T) {
	noLeak(t)
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			e, peer := pipePair(t)
			if err := e.SendClose(frame.CloseCode(999), ""); err != frame.ErrCloseCodeNotSendable {
				t.Fatalf("SendClose(999): %v", err)
			}
			peerDone := make(chan struct{})
			go func() {
				defer close(peerDone)
				if got := peer.expectClose(); string(got) != "\x03\xe8done" {
					t.Errorf("close payload %q", got)
				}
				peer.send(text(false, "in "), ping("p"), cont(true, "flight"), bin(true, "more"), closeFrame(1000, "bye"))
			}()
			// Nothing reads yet: SendClose returns once the frame is written.
			if err := e.SendClose(frame.CloseNormal, "done"); err != nil {
				t.Fatalf("SendClose: %v", err)
			}
			if err := e.SendClose(frame.CloseNormal, ""); err != ErrClosed {
				t.Fatalf("second SendClose: %v", err)
			}
			if err := e.WriteMessage(frame.OpText, []byte("x")); err != ErrClosed {
				t.Fatalf("send after SendClose: %v", err)
			}
			msgs, err := readAllMessages(e, stream)
			if fmt.Sprint(msgs) != fmt.Sprint([]Message{{frame.OpText, []byte("in flight")}, {frame.OpBinary, []byte("more")}}) {
				t.Fatalf("messages %q", msgs)
			}
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Code != 1000 || ce.Reason != "bye" || !ce.Remote {
				t.Fatalf("error %v", err)
			}
			// Close after SendClose reports the completed handshake.
			if err := e.Close(frame.CloseNormal, ""); err != nil {
				t.Fatalf("Close after SendClose: %v", err)
			}
			<-peerDone
			peer.conn.Close()
		})
	}
}
