package endpoint

import (
	"errors"
	"io"

	"github.com/wskit/wskit/frame"
)

// NextMessage returns the next whole text or binary message. On the way it
// answers pings, records pongs, and answers the peer's close: then it
// returns a *CloseError with the peer's code and reason. A protocol
// violation, invalid UTF-8 or a message over a limit fails the connection: a
// close frame with the matching code is sent and the *frame.Error returned.
// These errors are final; NextMessage returns them again on every later
// call. A reader error other than the end of the stream (a deadline, say) is
// returned as is, and the next call resumes where it stopped.
//
// A frame that has arrived whole is taken from the parser's buffer as is. A
// text frame still arriving is read into the message's buffer as its bytes
// come, and checked on the way, so invalid UTF-8 fails the connection at
// the first invalid byte, without waiting for the rest of the frame.
//
// Message.Data is valid until the next call to NextMessage or NextReader, or
// until Close starts reading in the reader's place. An Endpoint made by
// NewPush delivers its messages through Feed instead; NextMessage returns
// ErrPushMode.
func (e *Endpoint) NextMessage() (Message, error) {
	if e.push != nil {
		return Message{}, ErrPushMode
	}
	e.lockRead()
	defer e.unlockRead()
	return e.nextMessage()
}

// nextMessage is NextMessage's body, for both modes; the read lock is held.
func (e *Endpoint) nextMessage() (Message, error) {
	if err := e.Err(); err != nil {
		return Message{}, err
	}
	in := &e.in
	if in.msg.active && !in.msg.whole {
		if err := in.msg.discard(); err != nil {
			return Message{}, err
		}
	}
	if err := e.finishControl(); err != nil {
		return Message{}, err
	}
	if in.msg.active {
		// A reader error interrupted a text frame: resume it.
		return e.readText()
	}
	p := in.p
	for {
		// A frame that has arrived whole goes straight to Next; Peek, which
		// reads and returns the checked header, is for the others.
		if !p.Complete() {
			h, complete, err := p.Peek()
			if err != nil {
				return Message{}, e.readFailed(err)
			}
			if !complete && !h.Opcode.IsControl() {
				// The header of a data frame still arriving is checked
				// now, as if it were streamed: a violation does not wait
				// for the payload, however the bytes arrive.
				if err := in.defrag.admit(h.Opcode, h.Rsv, h.Length); err != nil {
					e.flushPong()
					return Message{}, e.fail(in.defrag.fail(err))
				}
			}
			if !complete && e.checksText(h) {
				if _, err := p.NextHeader(); err == nil {
					e.flushPong()
					if err := in.defrag.header(h.Opcode, h.Rsv, h.Length); err != nil {
						return Message{}, e.fail(err)
					}
					in.msg.begin(h, true)
					return e.readText()
				}
				// Next has begun the frame (ErrMidFrame): let it finish.
			}
		}
		f, err := p.Next()
		if err != nil {
			return Message{}, e.readFailed(err)
		}
		e.heardPeer()
		switch f := f.(type) {
		case *frame.Ping:
			e.onPing(f.Payload)
		case *frame.Pong:
			e.flushPong()
			e.onPong(f.Payload)
		case *frame.Close:
			return Message{}, e.onClose(f)
		default:
			e.flushPong()
			m, ok, err := in.defrag.Add(f)
			if err != nil {
				return Message{}, e.fail(err)
			}
			if ok {
				return m, nil
			}
		}
	}
}

// checksText reports whether a data frame with header h carries text that
// the Defragmenter checks for UTF-8 as it arrives: a text message that no
// extension decodes.
func (e *Endpoint) checksText(h frame.Header) bool {
	d := &e.in.defrag
	switch h.Opcode {
	case frame.OpText:
		return h.Rsv == 0
	case frame.OpContinuation:
		return d.open && d.op == frame.OpText && !d.buffered()
	}
	return false
}

// readText reads the rest of the text message e.in.msg has begun into the
// Defragmenter's buffer, as its bytes arrive; the reader checks them as it
// goes. Control frames between its frames are handled as usual.
func (e *Endpoint) readText() (Message, error) {
	r, d := &e.in.msg, &e.in.defrag
	for {
		n := 4096
		if r.remain > 0 {
			n = int(min(r.remain, 64<<10))
		}
		k, err := r.read(d.room(n))
		d.n += k
		switch {
		case err == io.EOF:
			return Message{Type: d.op, Data: d.assembled()}, nil
		case err != nil:
			return Message{}, err
		}
	}
}

// readFailed handles an error from the parser.
func (e *Endpoint) readFailed(err error) error {
	if err == errWouldBlock {
		return err // push mode: the bytes fed so far are used up
	}
	return e.readError(err)
}

// readError handles an error from the parser other than errWouldBlock,
// apart so that readFailed allocates nothing on that common path.
func (e *Endpoint) readError(err error) error {
	var fe *frame.Error
	switch {
	case errors.As(err, &fe):
		return e.fail(err)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return e.finishRead(&CloseError{Code: frame.CloseAbnormal, Remote: true, Err: err})
	case e.closeSent.Load():
		return e.finishRead(err)
	}
	return err
}

// fail fails the connection (RFC 6455 §7.1.7): it sends a close frame with
// the code err calls for, best effort, and ends the read side with err.
func (e *Endpoint) fail(err error) error {
	var reason string
	var fe *frame.Error
	if errors.As(err, &fe) && len(fe.Msg) <= frame.MaxControlPayload-2 {
		reason = fe.Msg
	}
	_ = e.sendClose(frame.CloseCodeOf(err), reason)
	return e.finishRead(err)
}
