package parser

import (
	"errors"
	"io"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/pool"
)

// Usage errors. They report a misuse of the Parser, not a peer's violation;
// ErrNoReader and ErrMidFrame are not final, ErrConfig is.
var (
	ErrNoReader = errors.New("parser: pull mode needs an io.Reader")
	ErrMidFrame = errors.New("parser: NextHeader called while Next is in the middle of a frame")
	// ErrConfig is wrapped by the error of an impossible option (a
	// negative BufferSize, a defined opcode given to Register), which a
	// Parser returns from every call: a misconfigured parser fails loudly
	// rather than run with a setting it did not ask for.
	ErrConfig = errors.New("parser: impossible configuration")
)

// Parser reads WebSocket frames. Create one with New; it is not safe for
// concurrent use.
type Parser struct {
	rd  io.Reader
	cfg config
	dec frame.Decoder

	buf    []byte  // read-ahead; the unread bytes are buf[r:w]
	pooled *[]byte // buf's pool buffer, when it came from the pool
	r, w   int
	idle   *idleReader // waits on a socket without holding buf; nil unless ReleaseIdle
	rerr   error       // a reader error that arrived with enough bytes; returned by the next read

	big  *[]byte // a frame too large for buf, being assembled in (*big)[:bigN]
	bigN int
	lent *[]byte // the pooled buffer behind the last frame returned
	hint int     // the size of the last frame that needed a buffer of its own

	peeked    frame.Header // the header Peek checked at buf[r:], valid while peekedLen > 0
	peekedLen int

	hdr     frame.Header // the frame being streamed by NextHeader and Read
	remain  int64        // its payload bytes not yet read
	maskPos int

	tail  *[]byte // push mode: a partial frame, (*tail)[:tailN]
	tailN int

	err error // a protocol violation: final

	// For quick: the first header bytes that pass check when the length
	// is in its 7-bit form, built from the configuration by New.
	okB0   [4]uint64 // a bit per first byte
	okMask [2]bool   // indexed by the mask bit
}

// New returns a Parser that reads from r. r may be nil for a Parser used
// only in push mode (Feed).
func New(r io.Reader, opts ...Option) *Parser {
	p := &Parser{rd: r}
	p.cfg = config{maxPayload: DefaultMaxPayload, bufSize: DefaultBufferSize}
	for _, o := range opts {
		o(&p.cfg)
	}
	p.dec.Lenient = p.cfg.illegal
	if p.cfg.ext != nil {
		for op, fn := range p.cfg.ext {
			if fn != nil {
				_ = p.dec.Register(frame.Opcode(op), fn)
			}
		}
	}
	if r != nil || len(p.cfg.leftover) > 0 {
		p.buf = make([]byte, max(p.cfg.bufSize, len(p.cfg.leftover)))
		p.w = copy(p.buf, p.cfg.leftover)
	}
	p.cfg.leftover = nil
	if p.cfg.releaseIdle {
		p.idle = newIdleReader(p, r)
	}
	p.tables()
	p.err = p.cfg.err
	return p
}

// tables fills okB0 and okMask from the configuration, as check decides.
func (p *Parser) tables() {
	for b := range 256 {
		// The masking rule is okMask's: a first byte is good when check
		// accepts it with the mask bit the role wants.
		h := frame.Header{Fin: b&0x80 != 0, Rsv: byte(b) & (frame.Rsv1 | frame.Rsv2 | frame.Rsv3), Opcode: frame.Opcode(b & 0x0F)}
		unmasked := p.check(h) == nil
		h.Masked = true
		if unmasked || p.check(h) == nil {
			p.okB0[b>>6] |= 1 << (b & 63)
		}
	}
	p.okMask[0] = p.check(frame.Header{Opcode: frame.OpBinary, Fin: true}) == nil
	p.okMask[1] = p.check(frame.Header{Opcode: frame.OpBinary, Fin: true, Masked: true}) == nil
}

// quickLen checks the header at the start of data in the common case, a
// 7-bit length and a first byte check accepts, without calling
// frame.ParseHeader and check, and returns its size. It returns 0 when data
// holds another case, or too few bytes; the general path decides then.
func (p *Parser) quickLen(data []byte) int {
	if len(data) < 6 {
		return 0
	}
	b0, b1 := data[0], data[1]
	l := int64(b1 & 0x7F)
	if l > 125 || p.okB0[b0>>6]>>(b0&63)&1 == 0 || !p.okMask[b1>>7] || l > p.cfg.maxPayload {
		return 0
	}
	return 2 + 4*int(b1>>7)
}

// quick decodes the header quickLen accepts.
func (p *Parser) quick(data []byte) (h frame.Header, hl int, ok bool) {
	if hl = p.quickLen(data); hl == 0 {
		return h, 0, false
	}
	return shortHeader(data, hl), hl, true
}

// shortHeader decodes the hl-byte header with a 7-bit length at the start
// of data. It is small enough to be inlined, so step builds the Header in
// its own frame: a frame.Header returned from a call that is not inlined
// is copied with wide loads of bytes just stored one at a time, a
// store-forwarding stall (see frame.Decoder).
func shortHeader(data []byte, hl int) frame.Header {
	var key [4]byte
	if hl == 6 {
		key = [4]byte(data[2:6])
	}
	b0 := data[0]
	return frame.Header{Fin: b0&0x80 != 0, Rsv: b0 & (frame.Rsv1 | frame.Rsv2 | frame.Rsv3), Opcode: frame.Opcode(b0 & 0x0F),
		Masked: hl == 6, Mask: key, Length: int64(data[1] & 0x7F)}
}

// Reset discards the Parser's state and makes it read from r, keeping its
// configuration and its read-ahead buffer.
func (p *Parser) Reset(r io.Reader) {
	p.recycle()
	pool.Put(p.big)
	pool.Put(p.tail)
	*p = Parser{rd: r, cfg: p.cfg, dec: p.dec, buf: p.buf, pooled: p.pooled, okB0: p.okB0, okMask: p.okMask, err: p.cfg.err}
	if r != nil && p.buf == nil {
		p.buf = make([]byte, p.cfg.bufSize)
	}
	if p.cfg.releaseIdle {
		p.idle = newIdleReader(p, r)
	}
}

// Idle reports whether the Parser holds nothing of its stream: no unread
// byte, no partial frame, no payload left to stream and no violation. An
// idle Parser loses nothing when Reset makes it read another stream, which
// lets an event loop keep one Parser per busy connection rather than one
// per connection.
func (p *Parser) Idle() bool {
	return p.err == nil && p.r == p.w && p.big == nil && p.tail == nil && p.remain == 0 && p.rerr == nil
}

// Buffered returns the number of bytes the Parser holds that belong to frames
// it has not returned yet: read-ahead, or the start of a partial frame.
func (p *Parser) Buffered() int { return p.w - p.r + p.bigN + p.tailN }

// Next returns the next frame with its payload unmasked. The frame is one of
// frame's types (*frame.Text, *frame.Close, ...) and is valid until the next
// call on p. At the end of the stream Next returns io.EOF, or
// io.ErrUnexpectedEOF when the stream ends inside a frame. Any other error
// from the reader is returned as is, and the next call resumes the frame.
func (p *Parser) Next() (frame.Frame, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.rd == nil && p.w == p.r {
		return nil, ErrNoReader
	}
	p.recycle()
	if hl := p.peekedLen; hl > 0 {
		// Peek parsed and checked this frame's header; when the whole
		// frame is buffered, decode it without parsing the header again.
		p.peekedLen = 0
		if h := p.peeked; int64(p.w-p.r-hl) >= h.Length {
			total := hl + int(h.Length)
			payload := p.buf[p.r+hl : p.r+total]
			if h.Masked {
				frame.Mask(payload, h.Mask, 0)
			}
			f, err := p.dec.Decode(h, payload)
			if err != nil {
				return nil, p.fail(err)
			}
			p.r += total
			return f, nil
		}
	}
	if err := p.skip(); err != nil {
		return nil, err
	}
	if p.buf == nil && p.rd != nil {
		p.takeBuffer() // ReleaseIdle gave it back
	}
	for p.big == nil {
		f, n, need, err := p.step(p.buf[p.r:p.w])
		if err != nil {
			return nil, p.fail(err)
		}
		if n > 0 {
			p.r += n
			return f, nil
		}
		if need > len(p.buf) {
			// The frame does not fit the read-ahead buffer, which holds
			// nothing beyond it: move it to a buffer of its own that grows
			// as the payload arrives, so a large declared length costs
			// nothing until its bytes come. It starts at the size of the
			// last large frame, which did arrive, so a steady stream of
			// large frames is not copied while its buffer grows.
			p.big = pool.Get(min(need, max(2*len(p.buf), 64<<10, p.hint)))
			p.bigN = copy(*p.big, p.buf[p.r:p.w])
			p.r, p.w = 0, 0
			break
		}
		if err := p.fill(need); err != nil {
			return nil, err
		}
	}
	return p.nextBig()
}

// nextBig finishes the frame being assembled in p.big.
func (p *Parser) nextBig() (frame.Frame, error) {
	hl := frame.HeaderLen(*p.big)
	h, _, _ := frame.ParseHeader((*p.big)[:hl]) // checked by step already
	need := hl + int(h.Length)
	for empty := 0; p.bigN < need; {
		if p.bigN == len(*p.big) {
			p.big = pool.Grow(p.big, min(need, 2*p.bigN))
		}
		// Read no further than the frame's end: the next frame's bytes
		// belong in the read-ahead buffer.
		n, err := p.read((*p.big)[p.bigN:])
		p.bigN += n
		if p.bigN == need {
			break
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if n == 0 {
			if empty++; empty == 100 {
				return nil, io.ErrNoProgress
			}
		}
	}
	f, _, _, err := p.step((*p.big)[:need])
	p.lent, p.big, p.bigN, p.hint = p.big, nil, 0, need
	if err != nil {
		return nil, p.fail(err)
	}
	return f, nil
}

// step decodes the frame at the start of data and returns it with its size.
// When data holds only part of the frame, step returns n == 0 and need, the
// number of bytes the frame takes as far as it is known. Pull and push mode
// both go through step, so they apply the same rules in the same order.
func (p *Parser) step(data []byte) (f frame.Frame, n, need int, err error) {
	var h frame.Header
	hl := p.quickLen(data)
	if hl > 0 {
		h = shortHeader(data, hl)
	} else {
		hl = frame.HeaderLen(data)
		if hl == 0 {
			return nil, 0, 2, nil
		}
		if len(data) < hl {
			return nil, 0, hl, nil
		}
		if h, _, err = frame.ParseHeader(data); err != nil {
			return nil, 0, 0, err
		}
		if err := p.check(h); err != nil {
			return nil, 0, 0, err
		}
	}
	total := hl + int(h.Length)
	if len(data) < total {
		return nil, 0, total, nil
	}
	payload := data[hl:total]
	if h.Masked {
		frame.Mask(payload, h.Mask, 0)
	}
	f, err = p.dec.Decode(h, payload)
	if err != nil {
		return nil, 0, 0, err
	}
	return f, total, total, nil
}

// check applies the rules a header alone can break.
func (p *Parser) check(h frame.Header) error {
	if !p.cfg.illegal {
		if !p.dec.Registered(h.Opcode) {
			return frame.ErrReservedOpcode
		}
		// Extensions give RSV bits a meaning on data frames only; the
		// decoded control frame types have no room for them.
		if h.Rsv&^p.cfg.rsv != 0 || h.Opcode.IsControl() && h.Rsv != 0 {
			return frame.ErrReservedBits
		}
		if err := h.Validate(); err != nil {
			return err
		}
		switch {
		case p.cfg.role == frame.Server && !h.Masked:
			return frame.ErrUnmasked
		case p.cfg.role == frame.Client && h.Masked:
			return frame.ErrMasked
		}
	}
	if h.Length > p.cfg.maxPayload {
		return frame.ErrFrameTooBig
	}
	return nil
}

func (p *Parser) fail(err error) error {
	p.err = err
	return err
}

// read reads from the reader, first returning an error kept from a read that
// brought enough bytes.
func (p *Parser) read(b []byte) (int, error) {
	if p.rerr != nil {
		err := p.rerr
		p.rerr = nil
		return 0, err
	}
	if p.rd == nil {
		return 0, ErrNoReader
	}
	return p.rd.Read(b)
}

// fill reads until the read-ahead buffer holds need unread bytes; need must
// not exceed its size.
func (p *Parser) fill(need int) error {
	if p.r == p.w {
		// Nothing unread: read into the whole buffer, so that a frame
		// that fits arrives whole rather than cut at the buffer's end.
		p.r, p.w = 0, 0
		if p.idle != nil && p.rerr == nil {
			// Wait for the next bytes without holding a buffer.
			n, err := p.idle.read()
			p.w = n
			if n == 0 && err != nil {
				return err
			}
			if p.w >= need {
				p.rerr = err
				return nil
			}
			if err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return err
			}
		}
	}
	if p.buf == nil {
		p.takeBuffer()
	}
	if len(p.buf)-p.r < need {
		p.w = copy(p.buf, p.buf[p.r:p.w])
		p.r = 0
	}
	for empty := 0; p.w-p.r < need; {
		n, err := p.read(p.buf[p.w:])
		p.w += n
		if p.w-p.r >= need {
			p.rerr = err
			return nil
		}
		if err != nil {
			if err == io.EOF && p.w > p.r {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if n == 0 {
			if empty++; empty == 100 {
				return io.ErrNoProgress
			}
		}
	}
	return nil
}

// recycle returns the buffer behind the last frame to the pool.
func (p *Parser) recycle() {
	if p.lent != nil {
		pool.Put(p.lent)
		p.lent = nil
	}
}
