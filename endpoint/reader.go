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
	if err := e.readErr(); err != nil {
		return 0, nil, err
	}
	in := &e.in
	if err := in.msg.discard(); err != nil {
		return 0, nil, err
	}
	if err := e.finishControl(); err != nil {
		return 0, nil, err
	}
	for {
		h, err := in.p.NextHeader()
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
		if err := in.defrag.header(h.Opcode, h.Rsv, h.Length); err != nil {
			return 0, nil, e.fail(err)
		}
		if err := in.msg.start(h); err != nil {
			return 0, nil, err
		}
		return in.defrag.op, &in.msg, nil
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
}

// begin starts reading a message whose first header is h.
func (r *messageReader) begin(h frame.Header, whole bool) {
	*r = messageReader{e: r.e, active: true, whole: whole, remain: h.Length, fin: h.Fin}
}

// start begins reading a message for NextReader.
func (r *messageReader) start(h frame.Header) error {
	r.begin(h, false)
	d := &r.e.in.defrag
	if !d.buffered() {
		return nil
	}
	// An extension decodes the message: read it whole.
	p := r.e.in.p
	for {
		for r.remain > 0 {
			room := d.room(int(min(r.remain, 64<<10)))
			k, err := io.ReadFull(p, room)
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
		r.sticky(err)
		return err
	}
	for {
		h, err := e.in.p.NextHeader()
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

// sticky keeps err when it ended the read side.
func (r *messageReader) sticky(err error) {
	if r.e.readErr() != nil {
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
	d := &r.e.in.defrag
	if r.data != nil || d.buffered() {
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

// end ends the message after its last byte: io.EOF, or the violation its
// end is (text cut in the middle of a character).
func (r *messageReader) end() error {
	r.active = false
	if err := r.e.in.defrag.end(); err != nil {
		r.err = r.e.fail(err)
		return r.err
	}
	return io.EOF
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
