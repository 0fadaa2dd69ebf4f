package endpoint

import (
	"encoding/binary"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/wskit/wskit/frame"
)

// heartbeat counts Heartbeat's pings and the pongs that answered them. Any
// goroutine may use it: its fields are atomic.
type heartbeat struct {
	sent, acked atomic.Uint64
	at          [4]atomic.Int64 // when ping n was sent, at n%4, for the round-trip time
	heard       atomic.Bool     // bytes came from the peer since IdleTimeout's last tick
	idle        idle
}

// ack records a pong carrying the counter n and returns the round-trip time
// of the ping it answers, or 0 when it answers none of the latest.
func (h *heartbeat) ack(n uint64, now func() time.Time) time.Duration {
	for {
		acked := h.acked.Load()
		sent := h.sent.Load()
		if n <= acked || n > sent {
			return 0
		}
		if h.acked.CompareAndSwap(acked, n) {
			if sent-n >= uint64(len(h.at)) {
				return 0 // its time was overwritten
			}
			return now().Sub(time.Unix(0, h.at[n%uint64(len(h.at))].Load()))
		}
	}
}

// now reads the Endpoint's clock.
func (e *Endpoint) now() time.Time {
	if c, ok := e.cfg.clock.(interface{ Now() time.Time }); ok {
		return c.Now()
	}
	return time.Now()
}

// Heartbeat checks that the peer is alive, like Net::WebSocket's
// check_heartbeat; call it periodically (every 30 seconds, say) while
// another goroutine reads, or from an event loop's timer in push mode. Each
// call sends a ping whose payload is a distinct 8-byte counter; a pong
// carrying a counter answers that ping and every earlier one (the OnPong
// hook gets its round-trip time). When MaxPings pings are unanswered at the
// time of the call, Heartbeat sends a close with code 1008 (policy
// violation: the peer broke the rule that pings are answered) instead, and
// returns a *CloseError wrapping ErrNoPong; the caller should then close the
// transport, since the peer is unlikely to answer the close either.
func (e *Endpoint) Heartbeat() error {
	sent, acked := e.hb.sent.Load(), e.hb.acked.Load()
	if n := sent - acked; n >= uint64(e.cfg.maxPings) {
		reason := "unanswered pings: " + strconv.FormatUint(n, 10)
		if err := e.sendClose(frame.ClosePolicyViolation, reason); err != nil && err != ErrClosed {
			return err
		}
		return &CloseError{Code: frame.ClosePolicyViolation, Reason: reason, Err: ErrNoPong}
	}
	n := e.hb.sent.Add(1)
	e.hb.at[n%uint64(len(e.hb.at))].Store(e.now().UnixNano())
	var p [8]byte
	binary.BigEndian.PutUint64(p[:], n)
	return e.writeControl(frame.OpPing, p[:])
}

// Outstanding returns the number of Heartbeat's pings not answered yet.
func (e *Endpoint) Outstanding() int {
	return int(e.hb.sent.Load() - e.hb.acked.Load())
}
