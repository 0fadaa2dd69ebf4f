package endpoint

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/hdr"
	"github.com/wskit/wskit/internal/pool"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/streamer"
)

// Endpoint is one side of a WebSocket connection at the level of messages.
// It reads frames with a parser.Parser, answers control frames as RFC 6455
// requires, reassembles messages, and writes frames to an io.Writer. It owns
// neither: the caller closes the transport (see Close).
//
// One goroutine at a time may read (NextMessage, NextReader and the reader
// it returns); any number may send concurrently with it and with each other.
type Endpoint struct {
	role frame.Role
	p    *parser.Parser
	w    io.Writer
	cfg  config
	rd   interface{ SetReadDeadline(time.Time) error }
	wd   interface{ SetWriteDeadline(time.Time) error }
	conn any // the reader or writer, for the net.Conn adapter's addresses

	// Read side: owned by whoever holds rmu. Close waits for it with
	// TryLock; unlockRead wakes it through rwake while closers > 0.
	rmu     sync.Mutex
	rwake   chan struct{}
	closers atomic.Int32
	failed  atomic.Bool // rerr is set
	defrag  Defragmenter
	mr      messageReader                 // NextReader's
	tr      messageReader                 // NextMessage's, for text frames that arrive in pieces
	ctl     [frame.MaxControlPayload]byte // a streamed control frame's payload, ctl[:ctlN]
	ctlN    int
	ctlH    frame.Header                  // its header
	ctlOn   bool                          // it is unfinished: a reader error interrupted it
	pong    [frame.MaxControlPayload]byte // the payload of the latest ping of a run
	pongN   int
	pongOK  bool // a pong is owed for it
	pingRun int  // pings of the current run answered at once

	mu         sync.Mutex // guards the fields below
	rerr       error      // the read side's final error
	peerClosed bool       // the peer's close frame arrived
	readDone   chan struct{}

	// Write side.
	msgMu     sync.Mutex // held for a whole message, so fragments never interleave
	wmu       sync.Mutex // held for one frame; guards the fields below
	streaming bool       // a NextWriter's message is open (set and cleared with msgMu held too)
	closeSent atomic.Bool
	werr      error
	wbuf      *[]byte
	cbuf      [frame.MaxHeaderSize + frame.MaxControlPayload]byte
	hbuf      [frame.MaxHeaderSize]byte // the header of a frame written without a copy
	wvec      [2][]byte                 // header and payload of such a frame
	wbufs     net.Buffers               // wvec as net.Buffers, kept here so that writing allocates nothing
	writev    bool                      // w is a TCP or UNIX connection: net.Buffers become one writev
	enc       [2][]byte                 // extension output
	mw        messageWriter
	sopts     []streamer.Option

	pingsSent, pingsAcked atomic.Uint64
}

// New returns an Endpoint for the given role that reads frames from r and
// writes them to w. A client masks every frame it sends and requires that the
// frames it receives are unmasked; a server the reverse. r and w are usually
// the same connection — a net.Conn, a UNIX socket, an HTTP/2 stream — but
// need not be.
//
// New builds the parser with parser.Role(role), parser.MaxPayload(MaxMessage)
// and parser.AllowRsv for the bits the extensions claim; ParserOptions adds
// others, such as parser.Leftover for bytes read past the opening handshake.
func New(role frame.Role, r io.Reader, w io.Writer, opts ...Option) *Endpoint {
	cfg := newConfig(opts)
	popts := []parser.Option{parser.Role(role), parser.MaxPayload(rawLimit(cfg.maxMessage, len(cfg.exts) > 0))}
	if rsv := extRsv(cfg.exts); rsv != 0 {
		popts = append(popts, parser.AllowRsv(rsv))
	}
	popts = append(popts, cfg.popts...)
	// The options are spent once the parser is built. Keeping them would
	// keep what they captured: parser.Leftover's slice, usually a view
	// into the caller's handshake bufio.Reader, pinning its whole buffer
	// for the life of the connection.
	cfg.popts = nil
	e := newEndpoint(role, parser.New(r, popts...), w, cfg)
	if d, ok := r.(interface{ SetReadDeadline(time.Time) error }); ok {
		e.rd = d
	}
	if r != nil {
		e.conn = r
	}
	return e
}

// NewWithParser returns an Endpoint that reads frames from p, configured by
// the caller (the role, limits and RSV bits are p's business then), and
// writes them to w. Read deadlines, when Close needs them, are taken from w.
func NewWithParser(role frame.Role, p *parser.Parser, w io.Writer, opts ...Option) *Endpoint {
	return newEndpoint(role, p, w, newConfig(opts))
}

func newEndpoint(role frame.Role, p *parser.Parser, w io.Writer, cfg config) *Endpoint {
	e := &Endpoint{role: role, p: p, w: w, cfg: cfg, conn: w}
	e.rwake = make(chan struct{}, 1)
	e.readDone = make(chan struct{})
	e.defrag = Defragmenter{
		MaxMessage:   cfg.maxMessage,
		MaxFragments: cfg.maxFragments,
		Extensions:   cfg.exts,
	}
	if d, ok := w.(interface{ SetReadDeadline(time.Time) error }); ok {
		e.rd = d
	}
	if d, ok := w.(interface{ SetWriteDeadline(time.Time) error }); ok {
		e.wd = d
	}
	switch w.(type) {
	case *net.TCPConn, *net.UnixConn:
		e.writev = true
	}
	if role == frame.Client && cfg.keys == nil {
		cfg.keys = frame.NewMaskKey
		e.cfg.keys = cfg.keys
	}
	if role != frame.Client {
		e.cfg.keys = nil
	}
	e.sopts = []streamer.Option{streamer.FrameSize(cfg.frameSize)}
	if e.cfg.keys != nil {
		e.sopts = append(e.sopts, streamer.MaskKeys(e.cfg.keys))
	}
	e.mw.e = e
	e.mr.e = e
	e.tr.e = e
	return e
}

// rawLimit is the largest payload a message may have on the wire: with
// extensions, a little more than the decoded limit, as compression can
// expand incompressible data slightly.
func rawLimit(max int64, exts bool) int64 {
	if exts && max < 1<<46 {
		return max + max/64 + 1024
	}
	return max
}

// ---- Receiving ----

func (e *Endpoint) lockRead() { e.rmu.Lock() }

func (e *Endpoint) unlockRead() {
	e.rmu.Unlock()
	if e.closers.Load() > 0 {
		select {
		case e.rwake <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
}

// readErr returns the read side's final error, if any.
func (e *Endpoint) readErr() error {
	if !e.failed.Load() {
		return nil // the read side goes on: no lock on the hot path
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rerr
}

// finishRead ends the read side with err (the first such error stays) and
// returns the final error.
func (e *Endpoint) finishRead(err error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rerr == nil {
		e.rerr = err
		e.failed.Store(true)
		close(e.readDone)
	}
	return e.rerr
}

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
// until Close starts reading in the reader's place.
func (e *Endpoint) NextMessage() (Message, error) {
	e.lockRead()
	defer e.unlockRead()
	if err := e.readErr(); err != nil {
		return Message{}, err
	}
	if err := e.mr.discard(); err != nil {
		return Message{}, err
	}
	if err := e.finishControl(); err != nil {
		return Message{}, err
	}
	if e.tr.active {
		// A reader error interrupted a text frame: resume it.
		return e.readText()
	}
	for {
		// A frame that has arrived whole goes straight to Next; Peek, which
		// reads and returns the checked header, is for the others.
		if !e.p.Complete() {
			h, complete, err := e.p.Peek()
			if err != nil {
				return Message{}, e.readFailed(err)
			}
			if !complete && e.checksText(h) {
				if _, err := e.p.NextHeader(); err == nil {
					e.flushPong()
					if err := e.defrag.header(h.Opcode, h.Rsv, h.Length); err != nil {
						return Message{}, e.fail(err)
					}
					e.tr = messageReader{e: e, active: true, remain: h.Length, fin: h.Fin}
					return e.readText()
				}
				// Next has begun the frame (ErrMidFrame): let it finish.
			}
		}
		f, err := e.p.Next()
		if err != nil {
			return Message{}, e.readFailed(err)
		}
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
			m, ok, err := e.defrag.Add(f)
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
	d := &e.defrag
	switch h.Opcode {
	case frame.OpText:
		return h.Rsv == 0
	case frame.OpContinuation:
		return d.open && d.op == frame.OpText && !d.buffered()
	}
	return false
}

// readText reads the rest of the text message e.tr has begun into the
// Defragmenter's buffer, as its bytes arrive; e.tr checks them as it goes.
// Control frames between its frames are handled as usual.
func (e *Endpoint) readText() (Message, error) {
	r, d := &e.tr, &e.defrag
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

// onPing answers a ping. Pings read back to back form a run, which ends
// when a frame other than a ping is read or nothing more is buffered: the
// first PingBurst pings of a run are answered at once; of the rest only the
// latest is answered (RFC 6455 §5.5.3), when the run ends.
func (e *Endpoint) onPing(p []byte) {
	if e.pingRun < e.cfg.pingBurst {
		e.pingRun++
		_ = e.writeControl(frame.OpPong, p)
	} else {
		e.pongN = copy(e.pong[:], p)
		e.pongOK = true
	}
	if e.p.Buffered() == 0 {
		e.flushPong()
	}
}

// flushPong ends a run of pings, sending the pong owed for its latest.
func (e *Endpoint) flushPong() {
	e.pingRun = 0
	if e.pongOK {
		e.pongOK = false
		_ = e.writeControl(frame.OpPong, e.pong[:e.pongN])
	}
}

// onPong clears the heartbeat pings the pong answers: a pong carrying the
// counter of an outstanding ping answers it and all before it.
func (e *Endpoint) onPong(p []byte) {
	if len(p) != 8 {
		return
	}
	n := binary.BigEndian.Uint64(p)
	for {
		acked := e.pingsAcked.Load()
		if n <= acked || n > e.pingsSent.Load() || e.pingsAcked.CompareAndSwap(acked, n) {
			return
		}
	}
}

// onClose answers the peer's close and ends the read side.
func (e *Endpoint) onClose(c *frame.Close) error {
	e.flushPong()
	ce := &CloseError{Code: c.Code, Reason: c.Reason, Remote: true}
	// Echo the code (RFC 6455 §5.5.1); an empty close gets an empty close.
	_ = e.sendClose(c.Code, "")
	e.mu.Lock()
	if e.rerr == nil {
		e.peerClosed = true
	}
	e.mu.Unlock()
	return e.finishRead(ce)
}

// control handles a control frame whose header NextHeader returned, in
// streaming mode. A reader error in its payload other than the end of the
// stream is returned as is, and finishControl resumes the frame.
func (e *Endpoint) control(h frame.Header) error {
	e.ctlH, e.ctlN, e.ctlOn = h, 0, true
	return e.finishControl()
}

// finishControl reads the rest of the control frame control began, if any,
// and handles it.
func (e *Endpoint) finishControl() error {
	if !e.ctlOn {
		return nil
	}
	h := e.ctlH
	n := int(h.Length)
	for e.ctlN < n {
		k, err := e.p.Read(e.ctl[e.ctlN:n])
		e.ctlN += k
		if err != nil && e.ctlN < n {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return e.readFailed(err)
		}
	}
	e.ctlOn = false
	p := e.ctl[:n]
	switch h.Opcode {
	case frame.OpPing:
		e.onPing(p)
	case frame.OpPong:
		e.flushPong()
		e.onPong(p)
	case frame.OpClose:
		var c frame.Close
		if err := frame.ParseClose(p, &c); err != nil {
			return e.fail(err)
		}
		return e.onClose(&c)
	}
	return nil
}

// NextReader returns the type of the next text or binary message and a
// reader of its payload, which streams: a message of any size (up to
// MaxMessage) flows through without being held in memory. Control frames are
// handled as NextMessage handles them, including those that arrive between
// the message's fragments while the reader is read. Text is checked for
// UTF-8 as it is read; the reader fails at the first invalid byte.
//
// The reader is valid until the next call to NextReader or NextMessage,
// which skips what was not read. It must be read by the goroutine that reads
// the Endpoint. A message that an extension decodes is read whole, decoded,
// then served from memory.
func (e *Endpoint) NextReader() (frame.Opcode, io.Reader, error) {
	e.lockRead()
	defer e.unlockRead()
	if err := e.readErr(); err != nil {
		return 0, nil, err
	}
	if err := e.tr.discard(); err != nil {
		return 0, nil, err
	}
	if err := e.mr.discard(); err != nil {
		return 0, nil, err
	}
	if err := e.finishControl(); err != nil {
		return 0, nil, err
	}
	for {
		h, err := e.p.NextHeader()
		if err != nil {
			return 0, nil, e.readFailed(err)
		}
		if h.Opcode.IsControl() {
			if err := e.control(h); err != nil {
				return 0, nil, err
			}
			continue
		}
		e.flushPong()
		if err := e.defrag.header(h.Opcode, h.Rsv, h.Length); err != nil {
			return 0, nil, e.fail(err)
		}
		if err := e.mr.start(h); err != nil {
			return 0, nil, err
		}
		return e.defrag.op, &e.mr, nil
	}
}

// messageReader streams the payload of the message NextReader returned, or
// of the text message NextMessage reads as it arrives.
type messageReader struct {
	e      *Endpoint
	active bool
	remain int64 // payload bytes left in the current frame
	fin    bool  // the current frame is the message's last
	data   []byte
	err    error // sticky
}

// start begins reading a message whose first header is h.
func (r *messageReader) start(h frame.Header) error {
	*r = messageReader{e: r.e, active: true, remain: h.Length, fin: h.Fin}
	if !r.e.defrag.buffered() {
		return nil
	}
	// An extension decodes the message: read it whole.
	d := &r.e.defrag
	for {
		for r.remain > 0 {
			room := d.room(int(min(r.remain, 64<<10)))
			k, err := io.ReadFull(r.e.p, room)
			d.n += k
			r.remain -= int64(k)
			if err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				r.err = r.e.finishRead(r.e.readFailed(err))
				return r.err
			}
		}
		if r.fin {
			m, _, err := d.finish(d.assembled())
			if err != nil {
				r.err = r.e.fail(err)
				return r.err
			}
			r.data = m.Data
			return nil
		}
		if err := r.next(); err != nil {
			return err
		}
	}
}

// next reads the header of the message's next frame, handling control
// frames before it.
func (r *messageReader) next() error {
	e := r.e
	if err := e.finishControl(); err != nil {
		if e.readErr() != nil {
			r.err = err
		}
		return err
	}
	for {
		h, err := e.p.NextHeader()
		if err != nil {
			err = e.readFailed(err)
			if e.readErr() != nil {
				r.err = err
			}
			return err
		}
		if h.Opcode.IsControl() {
			if err := e.control(h); err != nil {
				if e.readErr() != nil {
					r.err = err
				}
				return err
			}
			continue
		}
		e.flushPong()
		if err := e.defrag.header(h.Opcode, h.Rsv, h.Length); err != nil {
			r.err = e.fail(err)
			return r.err
		}
		r.remain, r.fin = h.Length, h.Fin
		return nil
	}
}

// Read implements io.Reader.
func (r *messageReader) Read(b []byte) (int, error) {
	r.e.lockRead()
	defer r.e.unlockRead()
	return r.read(b)
}

func (r *messageReader) read(b []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if !r.active {
		return 0, io.EOF
	}
	if r.data != nil || r.e.defrag.buffered() {
		n := copy(b, r.data)
		r.data = r.data[n:]
		if len(r.data) == 0 {
			r.active, r.data = false, nil
			return n, io.EOF
		}
		return n, nil
	}
	for r.remain == 0 {
		if r.fin {
			r.active = false
			if err := r.e.defrag.end(); err != nil {
				r.err = r.e.fail(err)
				return 0, r.err
			}
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	if len(b) == 0 {
		return 0, nil
	}
	if int64(len(b)) > r.remain {
		b = b[:r.remain]
	}
	n, err := r.e.p.Read(b)
	r.remain -= int64(n)
	if n > 0 {
		if cerr := r.e.defrag.check(b[:n]); cerr != nil {
			r.err = r.e.fail(cerr)
			return 0, r.err
		}
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		err = r.e.readFailed(err)
		if r.e.readErr() != nil {
			r.err = err
		}
		return n, err
	}
	if r.remain == 0 && r.fin {
		// Report the end with the last bytes, so a reader need not come
		// back for it.
		r.active = false
		if err := r.e.defrag.end(); err != nil {
			r.err = r.e.fail(err)
			return 0, r.err
		}
		return n, io.EOF
	}
	return n, nil
}

// discard skips the rest of a message the application did not read to its
// end, still checking it.
func (r *messageReader) discard() error {
	if !r.active || r.err != nil {
		return nil
	}
	if r.data != nil {
		r.active, r.data = false, nil
		return nil
	}
	buf := pool.Get(4096)
	defer pool.Put(buf)
	for {
		_, err := r.read(*buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ---- Sending ----

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

// usable reports why a frame may not be sent; e.wmu is held.
func (e *Endpoint) usable() error {
	if e.werr != nil {
		return e.werr
	}
	if e.closeSent.Load() {
		return ErrClosed
	}
	return nil
}

// write writes one encoded frame; e.wmu is held. A failed write is final: the
// stream may hold part of a frame.
func (e *Endpoint) write(b []byte) error {
	n, err := e.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		e.werr = err
	}
	return err
}

// writeControl sends a control frame.
func (e *Endpoint) writeControl(op frame.Opcode, payload []byte) error {
	if len(payload) > frame.MaxControlPayload {
		return frame.ErrControlTooLong
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.usable(); err != nil {
		return err
	}
	if op == frame.OpClose {
		e.closeSent.Store(true)
	}
	b, masked, key := e.appendHeader(e.cbuf[:0], op, 0, len(payload))
	start := len(b)
	b = append(b, payload...)
	if masked {
		frame.Mask(b[start:], key, 0)
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

// writeData sends a data frame; e.msgMu is held.
func (e *Endpoint) writeData(op frame.Opcode, rsv byte, payload []byte) error {
	e.wmu.Lock()
	err := e.writeDataLocked(op, rsv, payload)
	e.wmu.Unlock()
	return err
}

// writeDataLocked sends a data frame; e.wmu is held, and no NextWriter's
// message is open.
func (e *Endpoint) writeDataLocked(op frame.Opcode, rsv byte, payload []byte) error {
	if err := e.usable(); err != nil {
		return err
	}
	if e.cfg.keys == nil && (e.writev || len(payload) >= directWrite) {
		// An unmasked payload goes out without a copy: header and payload
		// as net.Buffers, one writev on a TCP or UNIX connection, at any
		// size, so a server holds no write buffer per connection; on
		// other writers, from directWrite on, two Write calls. Either way
		// under the frame lock.
		hdr, _, _ := e.appendHeader(e.hbuf[:0], op, rsv, len(payload))
		if e.writev {
			e.wvec[0], e.wvec[1] = hdr, payload
			e.wbufs = e.wvec[:]
			_, err := e.wbufs.WriteTo(e.w)
			e.wvec[1], e.wbufs = nil, nil // do not keep the caller's payload
			if err != nil {
				e.werr = err
			}
			return err
		}
		// Writers without writev get the two Writes net.Buffers would
		// make, without its bookkeeping.
		if err := e.write(hdr); err != nil {
			return err
		}
		return e.write(payload)
	}
	need := frame.MaxHeaderSize + len(payload)
	if e.wbuf == nil || cap(*e.wbuf) < need {
		pool.Put(e.wbuf)
		e.wbuf = pool.Get(need)
	}
	b, masked, key := e.appendHeader((*e.wbuf)[:0], op, rsv, len(payload))
	start := len(b)
	if masked {
		// Mask while copying: one pass over the payload, not two.
		b = b[:start+len(payload)]
		frame.MaskCopy(b[start:], payload, key, 0)
	} else {
		b = append(b, payload...)
	}
	err := e.write(b)
	if cap(*e.wbuf) > keepBuffer {
		pool.Put(e.wbuf)
		e.wbuf = nil
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
	if len(e.cfg.exts) == 0 {
		// The common case takes one lock: a message without extensions is
		// one frame, which the frame lock alone keeps whole, unless a
		// NextWriter's message is open between its fragments.
		e.wmu.Lock()
		if !e.streaming {
			err := e.writeDataLocked(op, 0, data)
			e.wmu.Unlock()
			return err
		}
		e.wmu.Unlock()
	}
	e.msgMu.Lock()
	defer e.msgMu.Unlock()
	return e.writeMessage(op, data)
}

func (e *Endpoint) writeMessage(op frame.Opcode, data []byte) error {
	var rsv byte
	k := 0
	for _, x := range e.cfg.exts {
		out, bits, err := x.EncodeMessage(e.enc[k][:0], data, op)
		if err != nil {
			return err
		}
		e.enc[k], data, rsv, k = out, out, rsv|bits, 1-k
	}
	err := e.writeData(op, rsv, data)
	for i := range e.enc {
		if cap(e.enc[i]) > keepBuffer {
			e.enc[i] = nil
		}
	}
	return err
}

// Ping sends a ping with the given payload (at most 125 bytes). The peer's
// pong is handled by the reading goroutine; it does not count for Heartbeat
// unless it carries one of Heartbeat's payloads.
func (e *Endpoint) Ping(payload []byte) error { return e.writeControl(frame.OpPing, payload) }

// Heartbeat checks that the peer is alive, like Net::WebSocket's
// check_heartbeat; call it periodically (every 30 seconds, say) while
// another goroutine reads. Each call sends a ping whose payload is a
// distinct 8-byte counter; a pong carrying a counter answers that ping and
// every earlier one. When MaxPings pings are unanswered at the time of the
// call, Heartbeat sends a close with code 1008 (policy violation: the peer
// broke the rule that pings are answered) instead, and returns a *CloseError
// wrapping ErrNoPong; the caller should then close the transport, since the
// peer is unlikely to answer the close either.
func (e *Endpoint) Heartbeat() error {
	sent, acked := e.pingsSent.Load(), e.pingsAcked.Load()
	if n := sent - acked; n >= uint64(e.cfg.maxPings) {
		reason := "unanswered pings: " + strconv.FormatUint(n, 10)
		if err := e.sendClose(frame.ClosePolicyViolation, reason); err != nil && err != ErrClosed {
			return err
		}
		return &CloseError{Code: frame.ClosePolicyViolation, Reason: reason, Err: ErrNoPong}
	}
	var p [8]byte
	binary.BigEndian.PutUint64(p[:], e.pingsSent.Add(1))
	return e.writeControl(frame.OpPing, p[:])
}

// Outstanding returns the number of Heartbeat's pings not answered yet.
func (e *Endpoint) Outstanding() int {
	return int(e.pingsSent.Load() - e.pingsAcked.Load())
}

// NextWriter starts a message of type op (frame.OpText or frame.OpBinary)
// and returns a writer of its payload. The message is sent in fragments of
// at most FrameSize bytes as it is written; Close sends the last one. Until
// then other messages wait (WriteMessage and NextWriter block), while
// control frames — pongs, a close — may go out between the fragments. The
// writer must be closed, even after an error, and must not be used after
// Close. Calling WriteMessage or NextWriter from the goroutine holding an
// open writer deadlocks.
//
// With extensions, the message is held until Close, then encoded and sent
// as by WriteMessage.
func (e *Endpoint) NextWriter(op frame.Opcode) (io.WriteCloser, error) {
	if op != frame.OpText && op != frame.OpBinary {
		return nil, ErrOpcode
	}
	e.msgMu.Lock()
	e.wmu.Lock()
	err := e.usable()
	e.streaming = err == nil
	e.wmu.Unlock()
	if err != nil {
		e.msgMu.Unlock()
		return nil, err
	}
	w := &e.mw
	w.open, w.op, w.n = true, op, 0
	if len(e.cfg.exts) == 0 {
		w.s.Reset((*frameSink)(e), op, e.sopts...)
	}
	return w, nil
}

// frameSink writes the frames a Streamer encodes, one Write per frame.
type frameSink Endpoint

func (s *frameSink) Write(b []byte) (int, error) {
	e := (*Endpoint)(s)
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.usable(); err != nil {
		return 0, err
	}
	if err := e.write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// endStream lets WriteMessage take its one-lock path again.
func (e *Endpoint) endStream() {
	e.wmu.Lock()
	e.streaming = false
	e.wmu.Unlock()
}

// messageWriter is the writer NextWriter returns.
type messageWriter struct {
	e    *Endpoint
	s    streamer.Streamer
	op   frame.Opcode
	open bool
	buf  *[]byte // the whole message, with extensions
	n    int
}

// Write implements io.Writer.
func (w *messageWriter) Write(p []byte) (int, error) {
	if !w.open {
		return 0, streamer.ErrClosed
	}
	if len(w.e.cfg.exts) == 0 {
		return w.s.Write(p)
	}
	if w.buf == nil || cap(*w.buf) < w.n+len(p) {
		nb := pool.Get(max(w.n+len(p), 2*w.n))
		if w.buf != nil {
			copy(*nb, (*w.buf)[:w.n])
			pool.Put(w.buf)
		}
		w.buf = nb
	}
	*w.buf = (*w.buf)[:cap(*w.buf)]
	w.n += copy((*w.buf)[w.n:], p)
	return len(p), nil
}

// ReadFrom implements io.ReaderFrom, so io.Copy fills frames directly.
func (w *messageWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.open {
		return 0, streamer.ErrClosed
	}
	if len(w.e.cfg.exts) == 0 {
		return w.s.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{w}, r)
}

// Close ends the message and lets the next one start.
func (w *messageWriter) Close() error {
	if !w.open {
		return streamer.ErrClosed
	}
	w.open = false
	defer w.e.msgMu.Unlock()
	defer w.e.endStream()
	if len(w.e.cfg.exts) == 0 {
		return w.s.Close()
	}
	var data []byte
	if w.buf != nil {
		data = (*w.buf)[:w.n]
	}
	err := w.e.writeMessage(w.op, data)
	pool.Put(w.buf)
	w.buf, w.n = nil, 0
	return err
}
