package endpoint

import (
	"encoding/binary"
	"io"
	"time"

	"github.com/wskit/wskit/frame"
)

// pingRun is the state of a run of pings read back to back; see PingBurst.
type pingRun struct {
	answered int                            // pings of the run answered at once
	owed     bool                           // a pong is owed for the latest ping
	lastN    uint8                          // the length of its payload,
	last     *[frame.MaxControlPayload]byte // last[:lastN]; made on first use
}

// pendingControl is a control frame NextHeader returned whose payload a
// reader error interrupted; finishControl completes it.
type pendingControl struct {
	h   frame.Header
	buf [frame.MaxControlPayload]byte
	n   int
	on  bool
}

// onPing answers a ping. Pings read back to back form a run, which ends
// when a frame other than a ping is read or nothing more is buffered: the
// first PingBurst pings of a run are answered at once; of the rest only the
// latest is answered (RFC 6455 §5.5.3), when the run ends.
func (e *Endpoint) onPing(p []byte) {
	if h := e.cfg.hooks; h != nil && h.ping != nil {
		h.ping(p)
	}
	run := &e.in.pings
	if run.answered < e.cfg.pingBurst {
		run.answered++
		_ = e.writeControl(frame.OpPong, p)
	} else {
		if run.last == nil {
			run.last = new([frame.MaxControlPayload]byte)
		}
		run.lastN = uint8(copy(run.last[:], p))
		run.owed = true
	}
	if e.drained() {
		e.flushPong()
	}
}

// drained reports whether the Endpoint has used every byte it has: the
// parser holds none and, in push mode, nothing is left of the bytes fed.
func (e *Endpoint) drained() bool {
	return e.in.p.Buffered() == 0 && (e.push == nil || len(e.push.src.b) == 0)
}

// flushPong ends a run of pings, sending the pong owed for its latest.
func (e *Endpoint) flushPong() {
	run := &e.in.pings
	run.answered = 0
	if run.owed {
		run.owed = false
		_ = e.writeControl(frame.OpPong, run.last[:run.lastN])
	}
}

// onPong clears the heartbeat pings the pong answers: a pong carrying the
// counter of an outstanding ping answers it and all before it. The OnPong
// hook hears of every pong, with the round-trip time when it answers a
// Heartbeat ping.
func (e *Endpoint) onPong(p []byte) {
	var rtt time.Duration
	if len(p) == 8 {
		rtt = e.hb.ack(binary.BigEndian.Uint64(p), e.now)
	}
	if h := e.cfg.hooks; h != nil && h.pong != nil {
		h.pong(p, rtt)
	}
}

// onClose answers the peer's close and ends the read side.
func (e *Endpoint) onClose(c *frame.Close) error {
	e.flushPong()
	ce := &CloseError{Code: c.Code, Reason: c.Reason, Remote: true}
	h := e.cfg.hooks
	if h != nil && h.close != nil {
		h.close(c.Code, c.Reason)
	}
	if h != nil && h.manualClose {
		// The application answers; the close timeout still guards.
		code := c.Code
		e.cfg.clock.AfterFunc(e.cfg.closeTimeout, func() { _ = e.sendClose(code, "") })
	} else {
		// Echo the code (RFC 6455 §5.5.1); an empty close gets an empty close.
		_ = e.sendClose(c.Code, "")
	}
	e.endMu.Lock()
	if e.end.err == nil {
		e.end.peerClosed = true
	}
	e.endMu.Unlock()
	return e.finishRead(ce)
}

// control handles a control frame whose header NextHeader returned, in
// streaming mode. A reader error in its payload other than the end of the
// stream is returned as is, and finishControl resumes the frame.
func (e *Endpoint) control(h frame.Header) error {
	if e.in.ctl == nil {
		e.in.ctl = new(pendingControl)
	}
	c := e.in.ctl
	c.h, c.n, c.on = h, 0, true
	return e.finishControl()
}

// finishControl reads the rest of the control frame control began, if any,
// and handles it.
func (e *Endpoint) finishControl() error {
	c := e.in.ctl
	if c == nil || !c.on {
		return nil
	}
	n := int(c.h.Length)
	for c.n < n {
		k, err := e.in.p.Read(c.buf[c.n:n])
		c.n += k
		if err != nil && c.n < n {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return e.readFailed(err)
		}
	}
	c.on = false
	p := c.buf[:n]
	switch c.h.Opcode {
	case frame.OpPing:
		e.onPing(p)
	case frame.OpPong:
		e.flushPong()
		e.onPong(p)
	case frame.OpClose:
		var cf frame.Close
		if err := frame.ParseClose(p, &cf); err != nil {
			return e.fail(err)
		}
		return e.onClose(&cf)
	}
	return nil
}
