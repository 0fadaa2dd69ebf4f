package endpoint

import (
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/pool"
)

// SendResult says what became of a message given to Send or SendPrepared.
type SendResult int

const (
	// Sent: the transport took the whole message.
	Sent SendResult = iota
	// Queued: all or part of the message waits in the send queue, behind
	// what was queued before it, and goes out in order.
	Queued
	// Dropped: the message was not sent, because queuing it would take
	// the send queue past MaxBackpressure, or because sending failed (the
	// error says why).
	Dropped
)

// String returns "sent", "queued" or "dropped".
func (r SendResult) String() string {
	switch r {
	case Sent:
		return "sent"
	case Queued:
		return "queued"
	case Dropped:
		return "dropped"
	}
	return "SendResult(?)"
}

// Send sends data as one message of type op (frame.OpText or
// frame.OpBinary), encoded by the extensions as WriteMessage does, without
// ever waiting for the network: the transport takes what it can at once
// (one non-blocking writev on a TCP or UNIX socket in blocking mode; the
// writer of a push Endpoint), and the send queue keeps the rest, which a
// blocking Endpoint writes from a goroutine of its own and a push
// Endpoint on Flush. It reports Sent, Queued, or Dropped when the queue
// holds more than MaxBackpressure allows (see CloseOnBackpressureLimit).
//
// Send waits only for locks: for a message a NextWriter is sending to end,
// and, with extensions, for another message being encoded. It keeps no
// reference to data. After a close frame was sent it fails with
// ErrClosed, and after the transport failed with its error.
func (e *Endpoint) Send(op frame.Opcode, data []byte) (SendResult, error) {
	if op != frame.OpText && op != frame.OpBinary {
		return Dropped, ErrOpcode
	}
	// msgMu keeps the frame out of a message NextWriter is sending, and
	// queued frames in the order their senders took it.
	e.msgMu.Lock()
	defer e.msgMu.Unlock()
	data, rsv, err := e.encode(op, data)
	if err != nil {
		return Dropped, err
	}
	res, err := e.sendFrame(op, rsv, data, nil)
	e.trimEncoded()
	return res, err
}

// SendPrepared sends pm as Send sends a message: it never waits for the
// network, and reports Sent, Queued or Dropped. Like WritePrepared it
// writes the frame pm holds for the Endpoint's kind of connection, encoded
// once for all of them, and allocates nothing; a frame of 64 bytes or more
// that must wait is queued by reference, not copied, so a thousand slow
// receivers of one message hold one copy of it between them.
func (e *Endpoint) SendPrepared(pm *PreparedMessage) (SendResult, error) {
	if pm.op != frame.OpText && pm.op != frame.OpBinary {
		return Dropped, ErrOpcode
	}
	e.msgMu.Lock()
	b, err := e.preparedFrame(pm)
	if err != nil || b == nil {
		e.msgMu.Unlock()
		if err != nil {
			return Dropped, err
		}
		return e.Send(pm.op, pm.data)
	}
	res, err := e.sendFrame(0, 0, nil, b)
	e.msgMu.Unlock()
	return res, err
}

// QueuePrepared puts pm in the send queue without writing it, as Send
// would queue it behind a busy transport: it reports Queued, or Dropped
// (and the error) as Send does past MaxBackpressure. Flush, Cork's end, or
// the next send writes it, with whatever else was queued, in one write.
// A broadcaster queues a burst of messages to each connection this way and
// flushes each connection once — one system call for several messages —
// which is how topics.Hub delivers. Like SendPrepared it allocates nothing:
// the frame pm holds is queued by reference.
func (e *Endpoint) QueuePrepared(pm *PreparedMessage) (SendResult, error) {
	if pm.op != frame.OpText && pm.op != frame.OpBinary {
		return Dropped, ErrOpcode
	}
	e.msgMu.Lock()
	defer e.msgMu.Unlock()
	b, err := e.preparedFrame(pm)
	if err != nil {
		return Dropped, err
	}
	if b != nil {
		return e.enqueue(e.queue(), 0, 0, nil, b, true)
	}
	// Encoded for this connection alone: into the queue as Send would.
	data, rsv, err := e.encode(pm.op, pm.data)
	if err != nil {
		return Dropped, err
	}
	res, err := e.enqueue(e.queue(), pm.op, rsv, data, nil, true)
	e.trimEncoded()
	return res, err
}

// preparedFrame returns pm's frame for this Endpoint, or nil when the
// Endpoint must encode pm itself (a client, or an encoding of its own);
// msgMu is held, so that a codec encodes pm as one of this connection's
// messages.
func (e *Endpoint) preparedFrame(pm *PreparedMessage) ([]byte, error) {
	if e.cfg.keys != nil {
		return nil, nil
	}
	exts := e.exts()
	if len(exts) == 0 {
		return pm.frame(nil, nil)
	}
	se, ok := exts[0].(SharedEncoder)
	if len(exts) > 1 || !ok {
		return nil, nil
	}
	key, ok := se.SharedEncoding()
	if !ok {
		return nil, nil
	}
	b, err := pm.frame(key, se)
	if ce, ok := se.(ContextEncoder); ok && err == nil {
		ce.SentShared(pm.data, b[0]&(frame.Rsv1|frame.Rsv2|frame.Rsv3))
	}
	return b, err
}

// sendFrame sends a data frame without waiting for the network: a frame
// of type op with rsv and payload, or the whole encoded frame framed (a
// PreparedMessage's, shared); msgMu is held.
func (e *Endpoint) sendFrame(op frame.Opcode, rsv byte, payload, framed []byte) (SendResult, error) {
	q := e.queue()
	if !e.lockFrameNow() {
		// The transport is another goroutine's: queue behind it.
		return e.enqueue(q, op, rsv, payload, framed, false)
	}
	res, err := e.sendLocked(q, op, rsv, payload, framed)
	e.frameMu.Unlock()
	if res == Sent && err == nil && q.pending.Load() == 0 {
		e.notifyDrain(q)
	}
	return res, err
}

// sendLocked is sendFrame holding frameMu.
func (e *Endpoint) sendLocked(q *sendQueue, op frame.Opcode, rsv byte, payload, framed []byte) (SendResult, error) {
	if err := e.usable(); err != nil {
		return Dropped, err
	}
	if q.busy() {
		// Behind the frames queued already.
		res, err := e.enqueue(q, op, rsv, payload, framed, true)
		if res != Queued || err != nil {
			return res, err
		}
		if err := e.kick(q, true); err != nil {
			return Dropped, err
		}
		if q.pending.Load() == 0 {
			return Sent, nil
		}
		return Queued, nil
	}
	v := e.out.vec
	if v == nil {
		v = new(frameVector)
		e.out.vec = v
	}
	bufs := v.vec[:0]
	switch {
	case framed != nil:
		bufs = append(bufs, framed)
	case e.cfg.keys != nil:
		bufs = append(bufs, e.maskedFrame(op, rsv, payload))
	default:
		h, _, _ := e.appendHeader(v.hdr[:0], op, rsv, len(payload))
		bufs = append(bufs, h, payload)
	}
	n, err, ok := e.tryWrite(bufs)
	total := lenAll(bufs)
	switch {
	case !ok:
		n = 0 // this transport can only be waited for: the flusher's job
	case err == errStalled:
	case err != nil:
		clear(v.vec[:])
		e.out.err = err
		return Dropped, err
	case n == total:
		clear(v.vec[:])
		e.releaseBuf()
		q.stats.sent.Add(1)
		return Sent, nil
	}
	// What the transport did not take must follow at once, whatever the
	// limit: the frame has begun.
	q.mu.Lock()
	q.keepRest(bufs, n, framed != nil)
	q.mu.Unlock()
	clear(v.vec[:])
	e.releaseBuf()
	q.stats.queued.Add(1)
	return Queued, e.kick(q, false)
}

// keepRest queues what is left of a frame made of bufs (one or two
// pieces) after a write took n bytes of it; mu is held. shared: bufs is a
// PreparedMessage's frame.
func (q *sendQueue) keepRest(bufs [][]byte, n int, shared bool) {
	switch {
	case n == 0 && len(bufs) == 1:
		q.appendFrame(nil, bufs[0], shared)
	case n == 0:
		q.appendFrame(bufs[0], bufs[1], false)
	default:
		for _, b := range bufs {
			if n >= len(b) {
				n -= len(b)
				continue
			}
			q.appendRest(b[n:], shared)
			n = 0
		}
	}
}

// maskedFrame builds a client's frame, masked, in the write buffer;
// frameMu is held.
func (e *Endpoint) maskedFrame(op frame.Opcode, rsv byte, payload []byte) []byte {
	o := &e.out
	if need := frame.MaxHeaderSize + len(payload); o.buf == nil || cap(*o.buf) < need {
		pool.Put(o.buf)
		o.buf = pool.Get(need)
	}
	b, _, key := e.appendHeader((*o.buf)[:0], op, rsv, len(payload))
	start := len(b)
	b = b[:start+len(payload)]
	frame.MaskCopy(b[start:], payload, key, 0)
	return b
}

// enqueue queues a frame behind those queued already, unless that would
// take the queue past its limit; msgMu is held. A blocking Endpoint's
// flusher is started to send it, unless the caller sends the queue itself
// (it holds frameMu) or leaves it for a Flush (QueuePrepared): later.
func (e *Endpoint) enqueue(q *sendQueue, op frame.Opcode, rsv byte, payload, framed []byte, later bool) (SendResult, error) {
	size := len(framed)
	if framed == nil {
		size = frame.Header{Length: int64(len(payload)), Masked: e.cfg.keys != nil}.Size() + len(payload)
	}
	q.mu.Lock()
	if e.closeSent.Load() {
		q.mu.Unlock()
		return Dropped, ErrClosed
	}
	if q.err != nil {
		q.mu.Unlock()
		return Dropped, q.err
	}
	if q.n > 0 && q.n+size > e.cfg.maxBackpressure {
		q.mu.Unlock()
		q.stats.dropped.Add(1)
		if e.cfg.closeOnLimit {
			e.failBackpressure(q)
			return Dropped, ErrBackpressure
		}
		return Dropped, nil
	}
	if framed != nil {
		q.appendFrame(nil, framed, true)
	} else {
		var hb [frame.MaxHeaderSize]byte
		h, masked, key := e.appendHeader(hb[:0], op, rsv, len(payload))
		q.appendFrame(h, payload, false)
		if masked && len(payload) > 0 {
			// copyIn put the payload in one piece at the end of the
			// newest run.
			b := q.segs[len(q.segs)-1].b
			frame.Mask(b[len(b)-len(payload):], key, 0)
		}
	}
	q.mu.Unlock()
	q.stats.queued.Add(1)
	if e.push == nil && !later {
		if err := e.kick(q, false); err != nil {
			return Dropped, err
		}
	}
	return Queued, nil
}

// failBackpressure fails the connection whose send queue passed its limit
// (CloseOnBackpressureLimit): the queued data goes, a close with 1008
// takes its place, and the read side ends with ErrBackpressure.
func (e *Endpoint) failBackpressure(q *sendQueue) {
	const reason = "send queue over its limit"
	err := &CloseError{Code: frame.ClosePolicyViolation, Reason: reason, Err: ErrBackpressure}
	var pb [frame.MaxControlPayload]byte
	c := frame.Close{Code: frame.ClosePolicyViolation, Reason: reason}
	p, _ := c.AppendPayload(pb[:0])
	var fb [frame.MaxHeaderSize + frame.MaxControlPayload]byte
	f := e.appendControl(fb[:0], frame.OpClose, p)
	q.mu.Lock()
	if e.closeSent.Swap(true) {
		q.mu.Unlock()
		return // closing already
	}
	q.dropData()
	q.appendFrame(nil, f, false)
	q.mu.Unlock()
	// The close may never get through to a peer that does not read: bound
	// the flusher's wait by the close timeout.
	if wd := e.tr.writeDeadline(); wd != nil && e.push == nil {
		_ = wd.SetWriteDeadline(e.now().Add(e.cfg.closeTimeout))
	}
	e.endRead(err)
	_ = e.kick(q, false)
}
