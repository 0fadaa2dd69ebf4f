package endpoint

import (
	"sync/atomic"
	"time"

	"github.com/wskit/wskit/frame"
)

// aLongTimeAgo is a deadline in the past, which makes a blocked read or
// write return at once.
var aLongTimeAgo = time.Unix(1, 0)

// Close starts the closing handshake: it sends a close frame with code and
// reason (code 0 or frame.CloseNoStatus sends a close frame without a code;
// the reason must then be empty), then waits, at most CloseTimeout, for the peer's close frame. It
// returns nil when the handshake completed — the peer's close arrived, now
// or earlier — and otherwise says why it did not: ErrCloseTimeout, the
// violation that failed the connection, a *CloseError with code 1006 when
// the stream ended without a close, or the transport's error.
//
// Close works whether or not a goroutine is reading. If one is, it sees the
// peer's close (its NextMessage returns the *CloseError) and Close returns.
// If none is at that instant, or the reader stops reading, Close reads in
// its place until the close arrives, and discards the data messages it
// reads; to receive those, use SendClose and keep reading instead. When the timeout passes and the transport
// has SetReadDeadline and SetWriteDeadline, Close sets both in the past so
// that blocked reads and writes return; a transport without them keeps a
// read blocked until the caller closes it.
//
// The Endpoint owns no socket: after Close returns, the caller closes the
// transport (a server promptly, as RFC 6455 §7.1.1 expects; a client may
// wait a moment for the server to close first). Calling Close again waits
// for the same handshake. After Close, every send fails with ErrClosed.
func (e *Endpoint) Close(code frame.CloseCode, reason string) error {
	if code != 0 && code != frame.CloseNoStatus && !code.Valid() {
		return frame.ErrCloseCodeNotSendable
	}
	if e.push != nil {
		return e.closePush(code, reason)
	}
	// The timeout covers sending the close too: a peer that reads nothing
	// can block the write.
	var fired atomic.Bool
	timeout := make(chan struct{})
	stop := e.cfg.clock.AfterFunc(e.cfg.closeTimeout, func() {
		fired.Store(true)
		e.interrupt()
		close(timeout)
	})
	defer stop()
	if err := e.sendClose(code, reason); err != nil && err != ErrClosed {
		if fired.Load() {
			return ErrCloseTimeout
		}
		return err
	}
	var drained chan struct{}
	done := func() error {
		if drained != nil {
			<-drained
		}
		err := e.closeResult()
		if err != nil && fired.Load() {
			// The read side ended because the timeout interrupted it.
			err = ErrCloseTimeout
		}
		return err
	}
	// Announce this closer before trying the read lock, so that a reader
	// that lets go of it afterwards wakes this loop.
	wake := e.wakeChan()
	readDone := e.Done()
	e.closers.Add(1)
	defer e.closers.Add(-1)
	for {
		select {
		case <-readDone:
			return done()
		default:
		}
		if drained == nil && e.readMu.TryLock() {
			if e.Err() != nil {
				e.unlockRead() // readDone is closed: the next turn returns
				continue
			}
			// Nobody is reading: read until the peer's close arrives.
			drained = make(chan struct{})
			go e.drain(drained)
		}
		select {
		case <-readDone:
			return done()
		case <-wake:
			// The read lock was let go: try it again.
		case <-timeout:
			if e.tr.readDeadline() != nil && drained != nil {
				<-drained // the deadline ends its read
			}
			return ErrCloseTimeout
		}
	}
}

// SendClose sends a close frame with code and reason, as Close does, and
// returns at once: it neither reads nor waits for the peer's close. It
// half-closes the connection: from then on every send fails with ErrClosed,
// while the goroutine that reads carries on — NextMessage and NextReader
// still return the data messages the peer sent before it saw the close —
// until the peer's close arrives, which they report as a *CloseError (with
// Remote true) as usual. A client that has sent all it has to say uses it
// to receive the replies still in flight.
//
// The wait is the caller's: give the reading goroutine a bound (CloseTimeout
// is not applied), then close the transport. Close, by contrast, waits for
// the handshake itself, and when no goroutine is reading at that instant it
// reads in its place and discards the data messages that arrive. Close
// after SendClose waits for the same handshake without sending again.
//
// SendClose returns ErrClosed if a close frame was already sent, and
// frame.ErrCloseCodeNotSendable for a code that may not be sent. The write
// blocks as any send does while the transport does not take the bytes.
func (e *Endpoint) SendClose(code frame.CloseCode, reason string) error {
	if code != 0 && code != frame.CloseNoStatus && !code.Valid() {
		return frame.ErrCloseCodeNotSendable
	}
	return e.sendClose(code, reason)
}

// wakeChan returns the channel unlockRead wakes Close through, made by the
// first Close.
func (e *Endpoint) wakeChan() chan struct{} {
	if w := e.wake.Load(); w != nil {
		return *w
	}
	c := make(chan struct{}, 1)
	if e.wake.CompareAndSwap(nil, &c) {
		return c
	}
	return *e.wake.Load()
}

// closeResult is Close's result once the read side has ended.
func (e *Endpoint) closeResult() error {
	e.endMu.Lock()
	defer e.endMu.Unlock()
	if e.end.peerClosed {
		return nil
	}
	return e.end.err
}

// drain reads frames until the read side ends, holding the read token, and
// answers nothing but the peer's close, which the close already sent
// answers. Data is discarded.
func (e *Endpoint) drain(done chan struct{}) {
	defer close(done)
	defer e.unlockRead()
	m := &e.in.msg
	m.release()
	m.active, m.err, m.data, m.filling = false, ErrClosed, nil, false
	// A reader error may have interrupted a control frame: finish it, in
	// case it is the peer's close.
	e.finishControl()
	for e.Err() == nil {
		f, err := e.in.p.Next()
		if err != nil {
			e.readFailed(err) // final: the close was sent
			continue
		}
		switch f := f.(type) {
		case *frame.Close:
			e.onClose(f)
		case *frame.Pong:
			e.onPong(f.Payload)
		}
	}
}

// interrupt makes blocked reads and writes on the transport return, if it
// has deadlines, and reports whether it could.
func (e *Endpoint) interrupt() bool {
	if wd := e.tr.writeDeadline(); wd != nil {
		_ = wd.SetWriteDeadline(aLongTimeAgo)
	}
	rd := e.tr.readDeadline()
	if rd == nil {
		return false
	}
	return rd.SetReadDeadline(aLongTimeAgo) == nil
}
