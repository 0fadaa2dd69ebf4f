package pmce

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/pmce/internal/inflate"
)

// Errors of decompression. Both are protocol errors that carry the close
// code to fail the connection with.
var (
	// ErrCorrupt: the payload of a compressed message is not valid
	// DEFLATE data (close code 1007). Errors wrap it with the details.
	ErrCorrupt = &frame.Error{Code: frame.CloseInvalidPayload, Msg: "permessage-deflate: corrupt data"}
	// ErrTooBig: a message decompresses to more than the limit (close
	// code 1009). It wraps frame.ErrMessageTooBig.
	ErrTooBig error = &tooBig{}
)

type tooBig struct{}

func (*tooBig) Error() string { return "permessage-deflate: decompressed message over the limit" }
func (*tooBig) Unwrap() error { return frame.ErrMessageTooBig }

// syncMarker ends the output of every flush: the empty stored block that
// RFC 7692 §7.2.1 strips from a message and §7.2.2 appends again.
const syncMarker = "\x00\x00\xff\xff"

// errNoMarker means compress/flate did not end a flush with syncMarker.
var errNoMarker = errors.New("permessage-deflate: compressor output does not end with a sync flush")

// Codec is an agreed permessage-deflate: the per-connection state that
// compresses the messages one endpoint sends and decompresses those it
// receives. Extension.Accept (client) and Extension.Negotiate (server)
// return one as their handshake.Negotiated.
//
// The sending side (Compress, EncodeMessage, NewWriter) and the receiving
// side (Decompress, DecodeMessage, NewReader) are independent: one
// goroutine may send while another receives. Each side handles one message
// at a time.
//
// With context takeover, a side keeps its state between messages: sending,
// what its Send class keeps (a compressor while it sends for Leased, for
// good for Dedicated, the last bytes sent for SlidingWindow; docs/pmce.md
// has the sizes); receiving, a window of the last 2^bits bytes of the
// peer's data (32 KiB for the full window), allocated when the first
// compressed message arrives. Without it, the compressor comes from a pool
// for the length of one message and no window is kept, so an idle
// connection holds neither. Decompressors always come from a pool.
//
// An error leaves the side that failed unusable: it returns the same error
// from then on, as the connection must be failed.
type Codec struct {
	server    bool
	params    Params
	threshold int
	enc       encoder
	dec       decoder
	shared    *sharedKey // see SharedEncoding
}

func newCodec(server bool, p Params, level, threshold int) *Codec {
	c := &Codec{server: server, params: p, threshold: threshold}
	ownBits, ownNCT := p.ClientMaxWindowBits, p.ClientNoContextTakeover
	peerBits, peerNCT := p.ServerMaxWindowBits, p.ServerNoContextTakeover
	if server {
		ownBits, peerBits = peerBits, ownBits
		ownNCT, peerNCT = peerNCT, ownNCT
	}
	c.enc.kind = writerKindOf(level, ownBits)
	c.enc.bits = ownBits
	c.enc.takeover = !ownNCT
	if !peerNCT {
		c.dec.window.size = 1 << peerBits
	}
	c.shared = internKey(sharedKey{kind: c.enc.kind, threshold: threshold})
	return c
}

// RSV returns frame.Rsv1, the bit that marks a compressed message.
func (c *Codec) RSV() byte { return frame.Rsv1 }

// Params returns the agreed parameters.
func (c *Codec) Params() Params { return c.params }

// IsServer reports whether the codec is the server's side of the
// connection.
func (c *Codec) IsServer() bool { return c.server }

// ContextTakeover reports whether this side's compressor keeps its window
// between messages (sending), and whether this side keeps a window of the
// peer's data between messages (receiving).
func (c *Codec) ContextTakeover() (sending, receiving bool) {
	return c.enc.takeover, c.dec.window.size > 0
}

// EncodeMessage implements the endpoint package's Extension: it appends to
// dst the payload to send for src and returns frame.Rsv1, or appends src
// itself and returns 0 when src is shorter than the Config's Threshold or,
// without context takeover, when compressing does not make it shorter. op
// does not matter.
func (c *Codec) EncodeMessage(dst, src []byte, op frame.Opcode) ([]byte, byte, error) {
	if len(src) < c.threshold {
		return append(dst, src...), 0, nil
	}
	start := len(dst)
	out, err := c.Compress(dst, src)
	if err != nil {
		return out, 0, err
	}
	if !c.enc.takeover && len(out)-start >= len(src) {
		// Without context takeover no state depends on this message,
		// so it may go out as it is (RFC 7692 §6.1).
		return append(out[:start], src...), 0, nil
	}
	return out, frame.Rsv1, nil
}

// DecodeMessage implements the endpoint package's Extension: it appends to
// dst the decompressed payload of a message whose first frame had the RSV
// bits rsv, or src itself when rsv lacks frame.Rsv1. It appends at most
// limit bytes (DefaultMaxMessage if limit <= 0); see Decompress.
func (c *Codec) DecodeMessage(dst, src []byte, rsv byte, limit int) ([]byte, error) {
	if rsv&frame.Rsv1 == 0 {
		if limit <= 0 {
			limit = DefaultMaxMessage
		}
		if len(src) > limit {
			return dst, ErrTooBig
		}
		return append(dst, src...), nil
	}
	return c.Decompress(dst, src, limit)
}

// Compress appends to dst the payload of a compressed message whose data
// is src, as RFC 7692 §7.2.1 says: the DEFLATE data of src, ended by a
// sync flush whose final four bytes 00 00 ff ff are removed. The message
// is sent with RSV1 set on its first frame. With context takeover, the
// compressor remembers src for the following messages.
func (c *Codec) Compress(dst, src []byte) ([]byte, error) {
	e := &c.enc
	if e.err != nil {
		return dst, e.err
	}
	w := e.acquire()
	out, err := compressWith(w, dst, src)
	e.release(w)
	if err != nil {
		e.fail(err)
		return dst, err
	}
	e.slide.write(src)
	return out, nil
}

// compressWith appends to dst the compressed payload of src, made by w:
// the DEFLATE data flushed, less the final sync marker.
func compressWith(w *pooledWriter, dst, src []byte) ([]byte, error) {
	start := len(dst)
	w.out.b = dst
	var err error
	if _, err = w.fw.Write(src); err == nil {
		err = w.fw.Flush()
	}
	out := w.out.b
	w.out.b = nil
	if err == nil && !bytes.HasSuffix(out[start:], []byte(syncMarker)) {
		err = errNoMarker
	}
	if err != nil {
		return dst, err
	}
	return out[:len(out)-len(syncMarker)], nil
}

// Decompress appends to dst the data of a compressed message whose payload
// is src, as RFC 7692 §7.2.2 says: it appends 00 00 ff ff to src and
// inflates it, with the window of the previous messages under context
// takeover. A message that inflates to more than limit bytes
// (DefaultMaxMessage if limit <= 0) fails with ErrTooBig having written at
// most limit+1 bytes: memory stays bounded whatever src holds. Data that is
// not DEFLATE fails with an error that wraps ErrCorrupt. An empty src is
// an empty message. Data after a block with BFINAL set is ignored.
func (c *Codec) Decompress(dst, src []byte, limit int) ([]byte, error) {
	d := &c.dec
	if d.err != nil {
		return dst, d.err
	}
	if len(src) == 0 {
		// Not what a compressor makes (an empty message compresses to
		// one 0x00 byte), but the obvious meaning, and what
		// zlib-based receivers make of it.
		return dst, nil
	}
	if limit <= 0 {
		limit = DefaultMaxMessage
	}
	limit = min(limit, math.MaxInt-1) // "no limit": limit+1 must not overflow
	start := len(dst)
	var err error
	if len(src) <= maxFlat {
		w := getWhole()
		w.flat = append(append(w.flat[:0], src...), tail...)
		dst, err = w.dec.Decode(dst, w.flat, d.window.buf, limit)
		putWhole(w)
		if err == inflate.ErrLimit {
			err = ErrTooBig
		} else if err != nil {
			err = corrupt(err)
		}
	} else {
		dst, err = inflateStream(dst, src, d.window.buf, limit)
	}
	if err != nil {
		d.fail(err)
		return dst[:start], err
	}
	d.window.write(dst[start:])
	return dst, nil
}

// corrupt wraps ErrCorrupt with the decompressor's error.
func corrupt(err error) error { return fmt.Errorf("%w: %v", ErrCorrupt, err) }

// grow returns dst with room for more of a message that started at start:
// twice what it holds, or a guess from the compressed size, but never more
// than limit+1 bytes of message.
func grow(dst []byte, start, limit, srcLen int) []byte {
	n := len(dst) - start
	want := max(2*n, 4*srcLen, 512)
	want = min(want, limit+1)
	if want <= n {
		want = n + 1
	}
	nb := make([]byte, len(dst), start+want)
	copy(nb, dst)
	return nb
}

// Release returns the codec's compressor to the pool and drops its
// window. Call it when the connection is over; the codec must not be used
// afterwards. It is optional: the garbage collector reclaims both anyway.
func (c *Codec) Release() {
	e := &c.enc
	e.lock()
	if e.timer != nil {
		e.timer.Stop()
	}
	if e.held != nil {
		putWriter(e.held)
		e.held = nil
	}
	e.err = errReleased
	e.slide.buf = nil
	e.unlock()
	c.dec.err = errReleased
	c.dec.window.buf = nil
}

var errReleased = errors.New("permessage-deflate: codec released")

// encoder is the sending side.
type encoder struct {
	kind     writerKind // the compressor: its level and window
	bits     int        // the window
	takeover bool
	held     *pooledWriter // the compressor kept for context takeover
	// slide, under context takeover with a SlidingWindow class, keeps the
	// last 2^bits bytes sent instead of a compressor: each message is
	// compressed by a pooled compressor primed with them.
	slide window
	err   error
	sw    Writer // the streaming writer NewWriter hands out

	// Under context takeover with a Leased class, held is given back to
	// the pool by the timer, which runs on its own goroutine: mu guards
	// held, busy and used then.
	leaseIdle time.Duration // 0 for the other classes
	mu        sync.Mutex
	timer     *time.Timer // fires every leaseIdle while held is set
	busy      bool        // a message is being compressed with held
	used      bool        // held compressed a message since the timer last fired
	stale     bool        // dropContext came while busy: drop it at release
	ended     bool        // CloseSend: hold no compressor any more
}

// setClass applies the Send class: SlidingWindow keeps the window
// instead of a compressor, and Leased gives the compressor back after
// leaseIdle without a message.
func (e *encoder) setClass(c Class, leaseIdle time.Duration) {
	switch {
	case !e.takeover:
	case c.sliding():
		e.slide.size = 1 << min(e.bits, c.Bits())
	case c.leased():
		e.leaseIdle = leaseIdle
	}
}

func (e *encoder) lock() {
	if e.leaseIdle > 0 {
		e.mu.Lock()
	}
}

func (e *encoder) unlock() {
	if e.leaseIdle > 0 {
		e.mu.Unlock()
	}
}

func (e *encoder) acquire() *pooledWriter {
	if e.slide.size > 0 {
		w := getWriter(e.kind)
		w.fw.ResetDict(&w.out, e.slide.buf)
		return w
	}
	if !e.takeover {
		return getWriter(e.kind)
	}
	e.lock()
	if e.ended {
		// Each message on its own, with a compressor of its own.
		e.unlock()
		return getWriter(e.kind)
	}
	if e.held == nil {
		e.held = getWriter(e.kind)
		if e.leaseIdle > 0 {
			if e.timer == nil {
				e.timer = time.AfterFunc(e.leaseIdle, e.expire)
			} else {
				e.timer.Reset(e.leaseIdle)
			}
		}
	}
	e.busy = true
	w := e.held
	e.unlock()
	return w
}

func (e *encoder) release(w *pooledWriter) {
	if e.slide.size > 0 {
		// Forget the window, which is this connection's data, before
		// the writer goes back to the pool.
		w.fw.ResetDict(nil, nil)
		putWriter(w)
		if e.stale {
			// A shared message went out while this one streamed:
			// the window no longer ends as the peer's does.
			e.slide.buf = e.slide.buf[:0]
			e.stale = false
		}
		return
	}
	if !e.takeover {
		putWriter(w)
		return
	}
	e.lock()
	if w != e.held {
		// Taken for this message alone, after CloseSend.
		e.unlock()
		putWriter(w)
		return
	}
	e.busy = false
	e.used = true
	if e.ended {
		e.held = nil
		putWriter(w)
	}
	stale := e.stale
	e.unlock()
	if stale {
		e.dropContext(nil)
	}
}

// CloseSend tells the codec that its connection sends no more messages,
// or hardly any: its close frame went out, or the connection is being
// closed. A Leased codec gives its compressor back to the pool at once
// rather than after LeaseIdle (at the end of a message being compressed,
// if one is), and compresses any message still sent with a compressor of
// its own, referring to nothing before it; the other classes are not
// affected. It is safe to call while another goroutine sends.
// handshake/server's Upgraded.Close and handshake/client's Dialed.Close
// call it on the agreed codecs.
func (c *Codec) CloseSend() {
	e := &c.enc
	if e.leaseIdle == 0 {
		return
	}
	e.mu.Lock()
	e.ended = true
	if e.held != nil && !e.busy {
		putWriter(e.held)
		e.held = nil
	}
	e.mu.Unlock()
}

// expire is the Leased class's timer: it gives the compressor back if no
// message was compressed since it last fired.
func (e *encoder) expire() {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.held == nil:
	case e.busy || e.used:
		e.used = false
		e.timer.Reset(e.leaseIdle)
	default:
		putWriter(e.held)
		e.held = nil
	}
}

// dropContext follows a message the peer received compressed but this
// side's compressor did not see (a shared encoding, see SentShared): the
// peer's window now holds data, so a compressor that refers back into its
// own history would refer to the wrong bytes. A SlidingWindow class adds
// the data to its window; a kept compressor forgets its history.
func (e *encoder) dropContext(data []byte) {
	if e.slide.size > 0 {
		if e.sw.pw != nil {
			e.stale = true // a Writer's message is under way
			return
		}
		e.slide.write(data)
		return
	}
	e.lock()
	e.stale = e.busy
	switch {
	case e.held == nil || e.busy:
	case e.leaseIdle > 0:
		putWriter(e.held)
		e.held = nil
	default:
		e.held.fw.Reset(&e.held.out)
	}
	e.unlock()
}

func (e *encoder) fail(err error) {
	e.lock()
	e.err = err
	e.held = nil // its state is unknown: let it go
	e.busy = false
	e.slide.buf = nil
	e.unlock()
}

// decoder is the receiving side.
type decoder struct {
	window window
	err    error
	sr     Reader // the streaming reader NewReader hands out
}

func (d *decoder) fail(err error) {
	d.err = err
	d.window.buf = nil
}

// window is the sliding window of decompressed data kept between messages
// under context takeover: the last size bytes, where size is 2^bits of
// the peer's window. size 0 keeps nothing.
type window struct {
	size int
	buf  []byte
}

func (w *window) write(p []byte) {
	if w.size == 0 {
		return
	}
	if w.buf == nil {
		w.buf = make([]byte, 0, w.size)
	}
	if len(p) >= w.size {
		w.buf = append(w.buf[:0], p[len(p)-w.size:]...)
		return
	}
	if over := len(w.buf) + len(p) - w.size; over > 0 {
		w.buf = w.buf[:copy(w.buf, w.buf[over:])]
	}
	w.buf = append(w.buf, p...)
}

// inflateStream inflates a message too large to copy whole, with
// klauspost's decompressor reading it through a bufio.Reader.
func inflateStream(dst, src, dict []byte, limit int) ([]byte, error) {
	r := getReader()
	r.resetStream(msgInput{b: src}, dict)
	start := len(dst)
	var err error
	for {
		n := len(dst) - start
		if n > limit {
			err = ErrTooBig
			break
		}
		if len(dst) == cap(dst) {
			dst = grow(dst, start, limit, len(src))
		}
		room := dst[len(dst):cap(dst)]
		room = room[:min(len(room), limit+1-n)]
		m, rerr := r.fr.Read(room)
		dst = dst[:len(dst)+m]
		if len(dst)-start > limit {
			// Past the limit first, whatever follows (as Reader sees it).
			err = ErrTooBig
			break
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = corrupt(rerr)
			break
		}
	}
	putReader(r)
	return dst, err
}
