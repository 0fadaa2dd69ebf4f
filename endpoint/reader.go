package endpoint

import (
	"io"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/pool"
)

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
// then served from memory. An Endpoint made by NewPush returns ErrPushMode.
func (e *Endpoint) NextReader() (frame.Opcode, io.Reader, error) {
	if e.push != nil {
		return 0, nil, ErrPushMode
	}
	e.lockRead()
	defer e.unlockRead()
	op, err := e.nextReader()
	if err != nil {
		return 0, nil, err
	}
	return op, &e.in.msg, nil
}

// nextReader is NextReader's body, for both modes; the read lock is held.
// It starts e.in.msg on the next message and returns its type.
func (e *Endpoint) nextReader() (frame.Opcode, error) {
	if err := e.Err(); err != nil {
		return 0, err
	}
	in := &e.in
	if err := in.msg.discard(); err != nil {
		return 0, err
	}
	if err := e.finishControl(); err != nil {
		return 0, err
	}
	for {
		h, err := in.p.NextHeader()
		if err != nil {
			return 0, e.readFailed(err)
		}
		e.heardPeer()
		if h.Opcode.IsControl() {
			if err := e.control(h); err != nil {
				return 0, err
			}
			continue
		}
		e.flushPong()
		if err := in.defrag.header(h.Opcode, h.Rsv, h.Length); err != nil {
			return 0, e.fail(err)
		}
		if err := in.msg.start(h); err != nil && in.msg.err != nil {
			return 0, err
		}
		// A message an extension decodes that a reader error (a deadline,
		// bytes not fed yet) interrupted goes on filling at the first
		// read, which returns the error again if it persists.
		return in.defrag.op, nil
	}
}

// messageReader streams the payload of the message NextReader returned, or
// of the text message NextMessage reads as it arrives (whole). It belongs
// to the read side.
type messageReader struct {
	e      *Endpoint
	active bool
	whole  bool  // NextMessage's: it resumes the message rather than skip it
	fin    bool  // the current frame is the message's last
	remain int64 // payload bytes left in the current frame
	data   []byte
	err    error // sticky
	// filling: an extension decodes the message, which is read whole
	// before the first byte is served from data.
	filling bool
	// zr inflates the message as it arrives, for an extension that
	// streams (StreamCodec); rawEnd: its compressed payload has ended.
	zr     io.ReadCloser
	rawEnd bool
	// dec decodes the message as FeedStream feeds it its compressed
	// payload (FeedCodec); skip: a callback failed in the middle of such a
	// message, whose rest is passed over.
	dec  Decoder
	skip bool
}

// begin starts reading a message whose first header is h.
func (r *messageReader) begin(h frame.Header, whole bool) {
	r.release() // a message abandoned before its end
	*r = messageReader{e: r.e, active: true, whole: whole, remain: h.Length, fin: h.Fin}
}

// start begins reading a message for NextReader.
func (r *messageReader) start(h frame.Header) error {
	r.begin(h, false)
	d := &r.e.in.defrag
	if !d.buffered() {
		return nil
	}
	if sc := r.e.streamCodec(); sc != nil && r.e.push == nil {
		r.zr = sc.MessageReader((*payload)(r), d.maxMessage())
		return nil
	}
	if fc, ok := r.e.streamCodec().(FeedCodec); ok && r.e.push != nil {
		r.dec = fc.MessageDecoder(d.maxMessage())
		return nil
	}
	r.filling = true
	return r.fill()
}

// fill reads whole the message an extension decodes, then decodes it. A
// reader error other than the end of the stream is returned as is, and the
// next read resumes the filling.
func (r *messageReader) fill() error {
	d := &r.e.in.defrag
	for {
		for r.remain > 0 {
			k, err := r.e.in.p.Read(d.room(int(min(r.remain, 64<<10))))
			d.n += k
			r.remain -= int64(k)
			if err != nil && r.remain > 0 {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				err = r.e.readFailed(err)
				r.sticky(err)
				return err
			}
		}
		if r.fin {
			r.filling = false
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
		r.sticky(err)
		return err
	}
	for {
		h, err := e.in.p.NextHeader()
		if err == nil {
			e.heardPeer()
		}
		if err != nil {
			err = e.readFailed(err)
			r.sticky(err)
			return err
		}
		if h.Opcode.IsControl() {
			if err := e.control(h); err != nil {
				r.sticky(err)
				return err
			}
			continue
		}
		e.flushPong()
		if err := e.in.defrag.header(h.Opcode, h.Rsv, h.Length); err != nil {
			r.err = e.fail(err)
			return r.err
		}
		r.remain, r.fin = h.Length, h.Fin
		return nil
	}
}

// release closes the message's decoders, if it has any.
func (r *messageReader) release() {
	if r.zr != nil {
		r.zr.Close()
		r.zr = nil
	}
	if r.dec != nil {
		r.dec.Close()
		r.dec = nil
	}
	r.skip = false
}

// sticky keeps err when it ended the read side.
func (r *messageReader) sticky(err error) {
	if r.e.Err() != nil {
		r.err = err
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
	if r.zr != nil {
		return r.readInflated(b)
	}
	if r.dec != nil || r.skip {
		return 0, r.skipPayload(b) // a message FeedStream did not finish
	}
	d := &r.e.in.defrag
	if r.filling {
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	if r.data != nil || d.buffered() {
		n := copy(b, r.data)
		r.data = r.data[n:]
		if len(r.data) == 0 {
			r.active, r.data = false, nil
			return n, io.EOF
		}
		return n, nil
	}
	return r.readPayload(b)
}

// readPayload reads the message's payload as it is on the wire, across its
// frames, checking plain text for UTF-8 as it goes. It returns io.EOF with
// the last bytes.
func (r *messageReader) readPayload(b []byte) (int, error) {
	d := &r.e.in.defrag
	for r.remain == 0 {
		if r.fin {
			return 0, r.end()
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
	n, err := r.e.in.p.Read(b)
	r.remain -= int64(n)
	if n > 0 {
		if cerr := d.check(b[:n]); cerr != nil {
			r.err = r.e.fail(cerr)
			return 0, r.err
		}
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		err = r.e.readFailed(err)
		r.sticky(err)
		return n, err
	}
	if r.remain == 0 && r.fin {
		// Report the end with the last bytes, so a reader need not come
		// back for it.
		if err := r.end(); err != io.EOF {
			return 0, err
		}
		return n, io.EOF
	}
	return n, nil
}

// end ends the payload after its last byte: io.EOF, or the violation its
// end is (text cut in the middle of a character). A message an inflater
// reads stays open for it.
func (r *messageReader) end() error {
	if r.zr != nil || r.dec != nil || r.skip {
		r.rawEnd = true
		return io.EOF
	}
	if err := r.over(); err != nil {
		return err
	}
	return io.EOF
}

// over ends the message after the last byte it delivers: its decoders are
// released, and text must end with a whole character.
func (r *messageReader) over() error {
	r.release()
	r.active = false
	if err := r.e.in.defrag.end(); err != nil {
		r.err = r.e.fail(err)
		return r.err
	}
	return nil
}

// drainPayload reads the rest of the compressed payload, which the decoder
// did not need, to the message's last frame.
func (r *messageReader) drainPayload() error {
	buf := pool.Get(4096)
	defer pool.Put(buf)
	for !r.rawEnd {
		if _, err := r.readPayload(*buf); err != nil && err != io.EOF {
			if r.err == nil {
				r.err = err
			}
			return err
		}
	}
	return nil
}

// skipPayload reads a compressed message's payload into b and drops it;
// at its end the message is over. It returns nil while it goes on.
func (r *messageReader) skipPayload(b []byte) error {
	_, err := r.readPayload(b)
	if err == io.EOF {
		r.release()
		r.active = false
		r.e.in.defrag.open = false
	}
	return err
}

// payload is the compressed payload of the message an inflater reads.
type payload messageReader

func (p *payload) Read(b []byte) (int, error) {
	r := (*messageReader)(p)
	if r.rawEnd {
		return 0, io.EOF
	}
	return r.readPayload(b)
}

// readInflated reads the message an extension's streaming decoder inflates
// as its compressed bytes arrive, checking text as it comes out. The
// inflater cannot resume after its source failed: a reader error in the
// middle of such a message (a deadline) is final.
func (r *messageReader) readInflated(b []byte) (int, error) {
	d := &r.e.in.defrag
	n, err := r.zr.Read(b)
	if rerr := r.e.Err(); rerr != nil {
		// The compressed payload's source ended the read side (the stream
		// ended, a violation): the message is lost with it.
		r.err = rerr
		return 0, rerr
	}
	if n > 0 && d.op == frame.OpText && !d.v.Write(b[:n]) {
		r.err = r.e.fail(d.fail(frame.ErrInvalidUTF8))
		return 0, r.err
	}
	switch {
	case err == io.EOF && !r.rawEnd:
		// The decoder is done before the payload is (pmce ignores data
		// after a final block): the message ends with its last frame.
		if derr := r.drainPayload(); derr != nil {
			return 0, derr
		}
		fallthrough
	case err == io.EOF:
		if err := r.over(); err != nil {
			return 0, err
		}
		return n, io.EOF
	case err != nil:
		if r.err == nil {
			// The decoder's own verdict (a *frame.Error such as 1009 or
			// 1007), or a reader error it cannot recover from.
			r.err = r.e.fail(err)
		}
		return 0, r.err
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
