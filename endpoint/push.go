package endpoint

import (
	"errors"
	"io"
	"sync"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/pool"
	"github.com/wskit/wskit/parser"
)

// errWouldBlock is what the push source returns when the bytes fed are used
// up: a reader error like a deadline, after which the read side resumes.
var errWouldBlock = errors.New("endpoint: the bytes fed are used up")

// pushMode is what an Endpoint made by NewPush adds; it belongs to the
// caller of Feed, who holds the read lock.
type pushMode struct {
	src     source
	pending []byte       // bytes fed but not parsed when the callback failed
	parsers *sync.Pool   // idle parsers of this configuration; nil: the parser is the Endpoint's own
	op      frame.Opcode // FeedStream's message in progress: its type,
	first   bool         // and whether its first piece is still to come
}

// source is the parser's reader in push mode: the bytes of the current Feed.
type source struct {
	b   []byte
	eof bool
}

func (s *source) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		if s.eof {
			return 0, io.EOF
		}
		return 0, errWouldBlock
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}

// parserKey identifies a parser configuration that push Endpoints share
// idle parsers of.
type parserKey struct {
	role       frame.Role
	maxPayload int64
	rsv        byte
}

var parserPools sync.Map // parserKey -> *sync.Pool

// NewPush returns an Endpoint for the given role that reads nothing itself:
// the caller feeds it the bytes it receives with Feed, which answers the
// protocol (pongs, the close echo, the close that fails the connection) on
// w and hands over the messages the bytes complete. It is the Endpoint New
// makes — the same options, limits, hooks, extensions and send methods —
// driven by an event loop, an HTTP/2 or HTTP/3 stack's callbacks, a fuzzer,
// instead of a goroutine blocked in a read.
//
// w receives every frame as the Endpoint writes it, in order, on the
// goroutine that sends it. An event loop whose socket may not take the bytes
// at once gives a writer that keeps the rest, such as an Outbox, and sends
// it when the socket is writable.
//
// An idle push Endpoint — nothing fed but not yet parsed, no message half
// read — holds no parser and no read buffer: it borrows a parser from a pool
// shared by the Endpoints of the same role and limits while Feed runs, and
// gives it back when Feed leaves the stream at a frame boundary (unless
// ParserOptions gave options of its own, which make the parser the
// Endpoint's).
func NewPush(role frame.Role, w io.Writer, opts ...Option) *Endpoint {
	b := build(opts)
	e := newEndpoint(role, nil, w, b)
	e.push = &pushMode{}
	if len(b.popts) == 0 {
		key := parserKey{role: role, maxPayload: rawLimit(b.maxMessage, len(b.exts) > 0), rsv: extRsv(b.exts)}
		popts := b.parserOptions(role)
		pl, _ := parserPools.LoadOrStore(key, &sync.Pool{New: func() any { return parser.New(nil, popts...) }})
		e.push.parsers = pl.(*sync.Pool)
	} else {
		e.in.p = parser.New(&e.push.src, b.parserOptions(role)...)
	}
	return e
}

// Feed hands the Endpoint bytes received from the peer, cut anywhere, and
// calls fn with each whole message they complete, in order; Message.Data is
// valid until fn returns. On the way Feed does all that NextMessage does:
// it answers pings, echoes the peer's close, fails the connection on a
// violation, checks text for UTF-8 as it arrives (a text frame is checked
// piece by piece, across Feed calls) and applies the extensions.
//
// Feed returns nil when it has used every byte of b; the next call
// continues the stream. Once the read side has ended it returns the final
// error, as NextMessage does, now and on every later call: a *CloseError
// when the peer's close arrived (the echo is written already) and a
// *frame.Error when a violation failed the connection (the close frame is
// written already). The caller then writes out what is pending and closes
// the transport. An error from fn stops Feed and is returned as is; the
// bytes not yet parsed are kept and parsed by the next call.
//
// Feed must not be called concurrently with itself; sends may be. An
// Endpoint made by New returns ErrPushMode.
func (e *Endpoint) Feed(b []byte, fn func(Message) error) error {
	ps := e.push
	if ps == nil {
		return ErrPushMode
	}
	e.lockRead()
	defer e.unlockRead()
	if len(b) > 0 {
		e.heardPeer()
	}
	return e.feedKept(b, func(b []byte) error { return e.feed(b, fn) })
}

// Piece is part of a message, as FeedStream delivers it: the bytes of the
// message that have arrived, in order. Text is checked for UTF-8 as it
// arrives, but a piece may end in the middle of a character.
type Piece struct {
	Type  frame.Opcode // frame.OpText or frame.OpBinary, the same for every piece of a message
	Data  []byte       // valid until the callback returns
	First bool         // the message's first piece
	Last  bool         // its last: the message ended, and was checked whole
}

// FeedStream is Feed for messages of any size: instead of whole messages
// it delivers each message's bytes as they arrive, in pieces of at most 16
// KiB, so that a message up to MaxMessage streams through without being
// held. Every rule Feed applies holds, as NextReader's do. A compressed
// message (permessage-deflate, a FeedCodec) is inflated as it arrives too,
// and ends with an empty piece marked Last; a callback error in its middle
// abandons its rest, since its inflater cannot go back: the rest is
// inflated but not delivered, and the message after it comes as usual. A message another extension
// decodes is delivered once it has arrived whole and been decoded, in
// pieces still. An empty message is one piece, both First and Last. Use
// one of Feed and FeedStream on an Endpoint: switching in the middle of a
// message skips its rest.
func (e *Endpoint) FeedStream(b []byte, fn func(Piece) error) error {
	ps := e.push
	if ps == nil {
		return ErrPushMode
	}
	e.lockRead()
	defer e.unlockRead()
	if len(b) > 0 {
		e.heardPeer()
	}
	buf := pool.Get(pieceSize)
	defer pool.Put(buf)
	return e.feedKept(b, func(b []byte) error { return e.feedPieces(b, *buf, fn) })
}

// pieceSize is the largest piece FeedStream delivers.
const pieceSize = 16 << 10

// feedPieces runs the protocol over b, delivering pieces read into buf;
// the read lock is held.
func (e *Endpoint) feedPieces(b, buf []byte, fn func(Piece) error) error {
	ps := e.push
	if err := e.Err(); err != nil {
		return err
	}
	e.borrowParser()
	ps.src.b = b
	defer func() { ps.src.b = nil; e.rest() }()
	r := &e.in.msg
	for {
		if r.active && (r.dec != nil || r.skip) {
			switch err := e.feedDecoded(buf, fn); err {
			case nil:
				continue
			case errWouldBlock:
				e.flushPong()
				return nil
			default:
				return err
			}
		}
		if !r.active {
			op, err := e.nextReader()
			if err == errWouldBlock {
				e.flushPong()
				return nil
			}
			if err != nil {
				return err
			}
			ps.op, ps.first = op, true
			if r.dec != nil {
				continue // inflated as it arrives, above
			}
		}
		n, err := r.read(buf)
		if last := err == io.EOF; n > 0 || last {
			if ferr := fn(Piece{Type: ps.op, Data: buf[:n], First: ps.first, Last: last}); ferr != nil {
				ps.keep()
				return ferr
			}
			ps.first = false
			if last {
				continue
			}
		}
		switch {
		case err == errWouldBlock:
			e.flushPong()
			return nil
		case err != nil:
			return err
		}
	}
}

// feedDecoded feeds the compressed payload of the message in progress to
// its decoder as it arrives, reading it into raw, and delivers what comes
// out; it returns nil once the message is over, errWouldBlock when the bytes
// fed are used up. After a callback error the rest of the message is
// still decoded, so that a decoder keeping a window across messages
// (context takeover) stays whole, but not delivered.
func (e *Endpoint) feedDecoded(raw []byte, fn func(Piece) error) error {
	ps, r, d := e.push, &e.in.msg, &e.in.defrag
	var failed error // the callback's
	emit := func(out []byte) error {
		if d.op == frame.OpText && !d.v.Write(out) {
			return d.fail(frame.ErrInvalidUTF8)
		}
		if r.skip {
			return nil
		}
		if err := fn(Piece{Type: ps.op, Data: out, First: ps.first}); err != nil {
			r.skip, failed = true, err
			return nil
		}
		ps.first = false
		return nil
	}
	for {
		n, err := r.readPayload(raw)
		last := err == io.EOF
		if err != nil && !last && (n == 0 || e.Err() != nil) {
			return err
		}
		if derr := r.dec.Feed(raw[:n], last, emit); derr != nil {
			r.err = e.fail(derr)
			return r.err
		}
		if last {
			skipped := r.skip
			if err := r.over(); err != nil {
				return err
			}
			if !skipped {
				failed = fn(Piece{Type: ps.op, First: ps.first, Last: true})
			}
		}
		if failed != nil {
			ps.keep()
			return failed
		}
		if last {
			return nil
		}
		if err != nil {
			return err // the bytes fed are used up, after n more
		}
	}
}

// FeedEOF tells the Endpoint that the peer's byte stream ended. It returns
// the read side's final error: the one it had already, or a *CloseError
// with code 1006 (CloseAbnormal) wrapping io.EOF, or io.ErrUnexpectedEOF
// when the stream ended inside a frame, as NextMessage reports it. Bytes
// that a callback error left unparsed are dropped: call Feed(nil, fn)
// first to have them delivered.
func (e *Endpoint) FeedEOF() error {
	ps := e.push
	if ps == nil {
		return ErrPushMode
	}
	e.lockRead()
	defer e.unlockRead()
	ps.src.eof = true
	ps.pending = nil
	if err := e.feed(nil, func(Message) error { return nil }); err != nil {
		return err
	}
	return e.Err()
}

// feed runs the protocol over b; the read lock is held.
func (e *Endpoint) feed(b []byte, fn func(Message) error) error {
	ps := e.push
	if err := e.Err(); err != nil {
		return err
	}
	e.borrowParser()
	ps.src.b = b
	// Forget b when done: even used up, the slice would keep the
	// caller's buffer alive.
	defer func() { ps.src.b = nil; e.rest() }()
	for {
		m, err := e.nextMessage()
		if err == errWouldBlock {
			e.flushPong()
			return nil
		}
		if err != nil {
			ps.src.b = nil
			return err
		}
		if err := fn(m); err != nil {
			ps.keep()
			return err
		}
	}
}

// borrowParser gives an idle push Endpoint a parser for the bytes fed.
func (e *Endpoint) borrowParser() {
	if e.in.p == nil {
		e.in.p = e.push.parsers.Get().(*parser.Parser)
		e.in.p.Reset(&e.push.src)
	}
}

// keep keeps a copy of the bytes fed but not parsed, for the next call.
func (ps *pushMode) keep() {
	ps.pending = append([]byte(nil), ps.src.b...)
	ps.src.b = nil
}

// feedKept runs feed over the bytes a callback error left unparsed in an
// earlier call, if any, then over b; the read lock is held.
func (e *Endpoint) feedKept(b []byte, feed func([]byte) error) error {
	ps := e.push
	if kept := ps.pending; len(kept) > 0 {
		ps.pending = nil
		if err := feed(kept); err != nil {
			if e.Err() == nil {
				// A callback error again, before b was reached: b is
				// the caller's, keep a copy.
				ps.pending = append(ps.pending, b...)
			}
			return err
		}
	}
	return feed(b)
}

// rest gives back what an idle push Endpoint need not hold: the parser,
// when the stream is at a frame boundary, and the message buffers.
func (e *Endpoint) rest() {
	in, ps := &e.in, e.push
	ended := e.Err() != nil
	if ps.parsers != nil && in.p != nil && (ended || !in.msg.active && (in.ctl == nil || !in.ctl.on) && in.p.Idle()) {
		in.p.Reset(nil)
		ps.parsers.Put(in.p)
		in.p = nil
	}
	if ended {
		in.defrag.Reset()
	} else if !in.defrag.open {
		in.defrag.idle()
	}
}

// closePush is Close in push mode: it sends the close frame and arms the
// close timeout, and returns without waiting; the peer's close arrives
// through Feed.
func (e *Endpoint) closePush(code frame.CloseCode, reason string) error {
	err := e.sendClose(code, reason)
	if err != nil {
		if err == ErrClosed {
			return nil // sent already: the handshake is under way or over
		}
		return err
	}
	e.cfg.clock.AfterFunc(e.cfg.closeTimeout, func() {
		if e.finishRead(ErrCloseTimeout) == ErrCloseTimeout {
			e.interrupt()
		}
	})
	return nil
}
