package endpoint

import (
	"github.com/wskit/wskit/frame"
)

// idle is IdleTimeout's watch over the peer; its timer's goroutine owns
// pinged, and the read side sets heard.
type idle struct {
	pinged bool // a ping went out at the last tick, and nothing came since
}

// heardPeer records that bytes came from the peer, for IdleTimeout.
func (e *Endpoint) heardPeer() {
	if e.cfg.idleTimeout > 0 {
		e.hb.heard.Store(true)
	}
}

// watchIdle arms IdleTimeout's next tick.
func (e *Endpoint) watchIdle() {
	e.cfg.clock.AfterFunc(e.cfg.idleTimeout, e.idleTick)
}

// idleTick runs every IdleTimeout while the read side goes on: quiet for
// one period, the peer gets a ping; quiet for another, it is failed.
func (e *Endpoint) idleTick() {
	if e.ended.Load() {
		return
	}
	switch {
	case e.hb.heard.Swap(false):
		e.hb.idle.pinged = false
	case !e.hb.idle.pinged:
		e.hb.idle.pinged = true
		if err := e.Heartbeat(); err != nil {
			e.failIdle()
			return
		}
	default:
		e.failIdle()
		return
	}
	e.watchIdle()
}

// failIdle fails the connection of a peer that stayed silent.
func (e *Endpoint) failIdle() {
	const reason = "idle timeout"
	_ = e.sendClose(frame.ClosePolicyViolation, reason)
	e.endRead(&CloseError{Code: frame.ClosePolicyViolation, Reason: reason, Err: ErrNoPong})
}

// endRead ends the read side with err, for a connection the Endpoint
// fails by itself, and makes a read blocked in the transport return now
// (a push Endpoint has none).
func (e *Endpoint) endRead(err error) {
	e.finishRead(err)
	if rd := e.tr.readDeadline(); rd != nil && e.push == nil {
		_ = rd.SetReadDeadline(aLongTimeAgo)
	}
}
