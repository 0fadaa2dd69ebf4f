package endpoint

import (
	"io"
	"net"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/hdr"
	"github.com/wskit/wskit/internal/pool"
)

// outbound is the write side's state, guarded by Endpoint.frameMu.
type outbound struct {
	err       error        // a failed write: final, the stream may hold part of a frame
	buf       *[]byte      // a frame copied whole with its header; pooled
	vec       *frameVector // a frame written without a copy; made on first use
	streaming bool         // a NextWriter's message is open (set and cleared with msgMu held too)
}

// frameVector is a frame's header and payload, written without copying the
// payload: as net.Buffers, one writev, or as two Writes.
type frameVector struct {
	hdr  [frame.MaxHeaderSize]byte
	vec  [2][]byte
	bufs net.Buffers // vec as net.Buffers, kept here so that writing allocates nothing
}

// appendHeader appends a frame header, masked with a fresh key for a client,
// and returns the key's use.
func (e *Endpoint) appendHeader(b []byte, op frame.Opcode, rsv byte, n int) ([]byte, bool, [4]byte) {
	// From the parts, not through a frame.Header: see internal/hdr.
	b0 := 0x80 | rsv&(frame.Rsv1|frame.Rsv2|frame.Rsv3) | byte(op&0x0F)
	if e.cfg.keys == nil {
		return hdr.Append(b, b0, uint64(n), false, [4]byte{}), false, [4]byte{}
	}
	key := e.cfg.keys()
	return hdr.Append(b, b0, uint64(n), true, key), true, key
}

// usable reports why a frame may not be sent; frameMu is held.
func (e *Endpoint) usable() error {
	if e.out.err != nil {
		return e.out.err
	}
	if e.closeSent.Load() {
		return ErrClosed
	}
	return nil
}

// write writes one encoded frame; frameMu is held. A failed write is final.
func (e *Endpoint) write(b []byte) error {
	if q := e.sendq.Load(); q.busy() {
		return e.writeBehind(q, nil, b)
	}
	if e.push != nil {
		return e.pushWrite(b, nil)
	}
	e.armWrite()
	n, err := e.tr.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		e.out.err = err
	}
	return err
}

// pushWrite writes the frame h then p to a push Endpoint's writer, and
// keeps in the send queue what its socket did not take (the writer said
// ErrWouldBlock, or wrote less): the event loop's Flush sends it. A
// writer that keeps everything itself, as Outbox does, never leaves any.
// frameMu is held.
func (e *Endpoint) pushWrite(h, p []byte) error {
	n, err := e.tr.w.Write(h)
	if err == nil && n == len(h) {
		if len(p) == 0 {
			return nil
		}
		var m int
		m, err = e.tr.w.Write(p)
		if err == nil && m == len(p) {
			return nil
		}
		n += m
	}
	if err != nil && !wouldBlock(err) {
		e.out.err = err
		return err
	}
	parts := [2][]byte{h, p}
	bufs := parts[:1]
	if len(p) > 0 {
		bufs = parts[:2]
	}
	q := e.queue()
	q.mu.Lock()
	q.keepRest(bufs, n, false)
	q.mu.Unlock()
	return nil
}

// armWrite sets the transport's write deadline WriteTimeout from now, if
// the option and the transport have one; frameMu is held.
func (e *Endpoint) armWrite() {
	if e.cfg.writeTimeout > 0 {
		if wd := e.tr.writeDeadline(); wd != nil {
			_ = wd.SetWriteDeadline(time.Now().Add(e.cfg.writeTimeout))
		}
	}
}

// appendControl appends a whole control frame, masked by a client.
func (e *Endpoint) appendControl(b []byte, op frame.Opcode, payload []byte) []byte {
	b, masked, key := e.appendHeader(b, op, 0, len(payload))
	start := len(b)
	b = append(b, payload...)
	if masked {
		frame.Mask(b[start:], key, 0)
	}
	return b
}

// writeBehind queues a frame behind those queued already and sends the
// queue, waiting for the transport unless corked or in push mode (where
// the event loop's Flush sends the rest); frameMu is held.
func (e *Endpoint) writeBehind(q *sendQueue, h, p []byte) error {
	q.mu.Lock()
	q.appendFrame(h, p, false)
	corked := q.corked.Load() > 0
	q.mu.Unlock()
	if corked {
		return nil
	}
	_, err := e.flushLocked(q, e.push == nil)
	return err
}

// writeControl sends a control frame. A close goes out behind every data
// frame sent before it. A ping or a pong never waits behind queued data
// (RFC 6455 §5.4 lets control frames go between any two frames): when the
// transport is busy or the send queue holds frames, it takes the queue's
// lane to the next frame boundary, where a pong replaces an older one (a
// pong may answer only the latest ping, §5.5.3). A full lane (8 frames)
// makes it wait its turn at the transport instead.
func (e *Endpoint) writeControl(op frame.Opcode, payload []byte) error {
	if len(payload) > frame.MaxControlPayload {
		return frame.ErrControlTooLong
	}
	// Control frames are rare: a pooled buffer, not one kept per connection.
	buf := pool.Get(frame.MaxHeaderSize + frame.MaxControlPayload)
	defer pool.Put(buf)
	b := e.appendControl((*buf)[:0], op, payload)
	if op == frame.OpClose {
		e.frameMu.Lock()
	} else if !e.lockFrameNow() {
		if e.closeSent.Load() {
			return ErrClosed
		}
		q := e.queue()
		if q.addLane(b) {
			return e.kick(q, false)
		}
		e.frameMu.Lock() // the lane is full: wait for the transport
	}
	defer e.frameMu.Unlock()
	if err := e.usable(); err != nil {
		return err
	}
	if op == frame.OpClose {
		e.closeSent.Store(true)
		return e.write(b)
	}
	if q := e.sendq.Load(); q.busy() && q.addLane(b) {
		return e.kick(q, true)
	}
	return e.write(b)
}

// sendClose sends a close frame, unless one was sent already (ErrClosed).
func (e *Endpoint) sendClose(code frame.CloseCode, reason string) error {
	var buf [frame.MaxControlPayload]byte
	c := frame.Close{Code: code, Reason: reason}
	p, err := c.AppendPayload(buf[:0])
	if err != nil {
		return err
	}
	return e.writeControl(frame.OpClose, p)
}

// directWrite is the payload size from which an unmasked frame is written
// without copying its payload to a writer without writev: below it, one
// copy and one Write cost less than a second Write (a second syscall, a
// second TLS record).
const directWrite = 2 << 10

// writeData sends a data frame; msgMu is held.
func (e *Endpoint) writeData(op frame.Opcode, rsv byte, payload []byte) error {
	e.frameMu.Lock()
	err := e.writeDataLocked(op, rsv, payload)
	e.frameMu.Unlock()
	return err
}

// writeDataLocked sends a data frame; frameMu is held, and no NextWriter's
// message is open.
func (e *Endpoint) writeDataLocked(op frame.Opcode, rsv byte, payload []byte) error {
	if err := e.usable(); err != nil {
		return err
	}
	if e.cfg.keys == nil && (e.tr.writev || len(payload) >= directWrite) {
		return e.writeVector(op, rsv, payload)
	}
	need := frame.MaxHeaderSize + len(payload)
	o := &e.out
	if o.buf == nil || cap(*o.buf) < need {
		pool.Put(o.buf)
		o.buf = pool.Get(need)
	}
	b, masked, key := e.appendHeader((*o.buf)[:0], op, rsv, len(payload))
	start := len(b)
	if masked {
		// Mask while copying: one pass over the payload, not two.
		b = b[:start+len(payload)]
		frame.MaskCopy(b[start:], payload, key, 0)
	} else {
		b = append(b, payload...)
	}
	err := e.write(b)
	e.releaseBuf()
	return err
}

// releaseBuf gives the write buffer back when it is large, or in push
// mode, whose Endpoints keep none (most of their connections are idle at
// any time); frameMu is held.
func (e *Endpoint) releaseBuf() {
	if o := &e.out; o.buf != nil && (cap(*o.buf) > keepBuffer || e.push != nil) {
		pool.Put(o.buf)
		o.buf = nil
	}
}

// writeVector sends an unmasked frame without copying its payload: header
// and payload as net.Buffers, one writev on a TCP or UNIX connection, at any
// size, so a server holds no write buffer per connection; on other writers,
// from directWrite on, two Write calls. Either way under the frame lock.
func (e *Endpoint) writeVector(op frame.Opcode, rsv byte, payload []byte) error {
	v := e.out.vec
	if v == nil {
		v = new(frameVector)
		e.out.vec = v
	}
	h, _, _ := e.appendHeader(v.hdr[:0], op, rsv, len(payload))
	if q := e.sendq.Load(); q.busy() {
		return e.writeBehind(q, h, payload)
	}
	if e.push != nil {
		return e.pushWrite(h, payload)
	}
	if !e.tr.writev {
		// Writers without writev get the two Writes net.Buffers would
		// make, without its bookkeeping.
		if err := e.write(h); err != nil {
			return err
		}
		return e.write(payload)
	}
	e.armWrite()
	v.vec[0], v.vec[1] = h, payload
	v.bufs = v.vec[:]
	_, err := v.bufs.WriteTo(e.tr.w)
	v.vec[1], v.bufs = nil, nil // do not keep the caller's payload
	if err != nil {
		e.out.err = err
	}
	return err
}

// WriteMessage sends data as one message of type op (frame.OpText or
// frame.OpBinary) in a single frame, encoded by the extensions. A server
// writing to a *net.TCPConn or *net.UnixConn sends header and payload as one
// writev, without copying the payload; on other writers a frame is one
// Write call, except that a payload of 2 KiB or more goes out without a
// copy as two (header, then payload). A client copies and masks in one
// pass and makes one Write. The frame lock keeps other frames out either
// way. WriteMessage waits for a message a NextWriter is sending to end. It
// does not check that text is UTF-8. After a close frame was sent it fails
// with ErrClosed.
func (e *Endpoint) WriteMessage(op frame.Opcode, data []byte) error {
	if op != frame.OpText && op != frame.OpBinary {
		return ErrOpcode
	}
	if len(e.exts()) == 0 {
		// The common case takes one lock: a message without extensions is
		// one frame, which the frame lock alone keeps whole, unless a
		// NextWriter's message is open between its fragments.
		e.frameMu.Lock()
		if !e.out.streaming {
			err := e.writeDataLocked(op, 0, data)
			e.frameMu.Unlock()
			return err
		}
		e.frameMu.Unlock()
	}
	e.msgMu.Lock()
	defer e.msgMu.Unlock()
	return e.writeMessage(op, data)
}

// writeMessage encodes and sends a message; msgMu is held.
func (e *Endpoint) writeMessage(op frame.Opcode, data []byte) error {
	data, rsv, err := e.encode(op, data)
	if err != nil {
		return err
	}
	err = e.writeData(op, rsv, data)
	e.trimEncoded()
	return err
}

// encode applies the extensions to a message's payload and returns it with
// the RSV bits they set; msgMu is held, so the extensions' buffers are this
// call's. Without extensions it returns data as it is.
func (e *Endpoint) encode(op frame.Opcode, data []byte) ([]byte, byte, error) {
	exts := e.exts()
	if len(exts) == 0 {
		return data, 0, nil
	}
	if e.enc == nil {
		e.enc = new([2][]byte)
	}
	var rsv byte
	k := 0
	for _, x := range exts {
		out, bits, err := x.EncodeMessage(e.enc[k][:0], data, op)
		if err != nil {
			return nil, 0, err
		}
		e.enc[k], data, rsv, k = out, out, rsv|bits, 1-k
	}
	return data, rsv, nil
}

// trimEncoded lets go of an encoding buffer a large message grew; msgMu is
// held.
func (e *Endpoint) trimEncoded() {
	if enc := e.enc; enc != nil {
		for i := range enc {
			if cap(enc[i]) > keepBuffer {
				enc[i] = nil
			}
		}
	}
}

// WritePlain sends data as one message of type op without applying the
// extensions: with permessage-deflate, uncompressed, with RSV1 clear, which
// RFC 7692 allows on any message whatever was agreed. Use it for a message
// that carries a secret beside text an attacker chooses (a session token
// and a chat line, say): compressed together, their size can leak the
// secret a byte at a time (the CRIME and BREACH attacks). With context
// takeover (pmce's default Send class) the messages of a connection are
// compressed against the ones before them, so a secret sent compressed
// stays within reach of the next messages: send it with WritePlain, which
// keeps it out of the compressor's window too. Otherwise it is
// WriteMessage. An extension other than permessage-deflate may not allow
// it.
func (e *Endpoint) WritePlain(op frame.Opcode, data []byte) error {
	if op != frame.OpText && op != frame.OpBinary {
		return ErrOpcode
	}
	e.msgMu.Lock()
	defer e.msgMu.Unlock()
	return e.writeData(op, 0, data)
}

// Ping sends a ping with the given payload (at most 125 bytes). The peer's
// pong is handled by the reading goroutine; it does not count for Heartbeat
// unless it carries one of Heartbeat's payloads.
func (e *Endpoint) Ping(payload []byte) error { return e.writeControl(frame.OpPing, payload) }
