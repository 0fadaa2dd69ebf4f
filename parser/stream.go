package parser

import (
	"io"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/hdr"
)

// NextHeader reads the next frame's header and leaves its payload to Read, so
// a frame of any size (up to MaxPayload) streams through without being held
// in memory. The payload of a frame not read to its end is skipped by the
// next call to NextHeader or Next. The header is checked as Next checks it.
func (p *Parser) NextHeader() (frame.Header, error) {
	p.peekedLen = 0
	if p.err != nil {
		return frame.Header{}, p.err
	}
	if p.big != nil {
		return frame.Header{}, ErrMidFrame
	}
	p.recycle()
	h, hl, err := p.header()
	if err != nil {
		return frame.Header{}, err
	}
	p.r += hl
	p.hdr, p.remain, p.maskPos = h, h.Length, 0
	return h, nil
}

// Complete reports whether the next frame is whole in the read-ahead buffer,
// so that Next returns it, or the violation its header holds, without
// reading. It neither reads nor checks the header: it is the cheap question
// to ask before Peek, which does both, on every frame of a busy connection.
func (p *Parser) Complete() bool {
	if p.err != nil || p.big != nil || p.remain > 0 {
		return false
	}
	n, hl, ok := hdr.Length(p.buf[p.r:p.w])
	return ok && n <= uint64(p.w-p.r-hl)
}

// Peek reads until the next frame's header is buffered and returns it,
// checked as NextHeader checks it, without consuming anything. complete
// reports whether the frame's payload is buffered too, so that Next returns
// the frame without reading. A caller can so take the frames that arrived
// whole from Next, without a copy, and stream the others with NextHeader and
// Read as their bytes arrive.
//
// After a reader error interrupted Next in a frame too large for the
// read-ahead buffer, Peek reports that frame's header, incomplete; only Next
// can finish it (NextHeader returns ErrMidFrame).
func (p *Parser) Peek() (h frame.Header, complete bool, err error) {
	if p.err != nil {
		return frame.Header{}, false, p.err
	}
	if p.big != nil {
		hl := frame.HeaderLen(*p.big)
		h, _, _ = frame.ParseHeader((*p.big)[:hl]) // checked when it arrived
		return h, false, nil
	}
	h, hl, err := p.header()
	if err != nil {
		return frame.Header{}, false, err
	}
	// Remember the checked header, so that Next does not parse it again.
	p.peeked, p.peekedLen = h, hl
	return h, int64(p.w-p.r-hl) >= h.Length, nil
}

// header reads until the next frame's header is buffered, after skipping
// the rest of a streamed payload, and checks it. It returns the header and
// its length, and consumes nothing.
func (p *Parser) header() (frame.Header, int, error) {
	if p.remain == 0 {
		if h, hl, ok := p.quick(p.buf[p.r:p.w]); ok {
			return h, hl, nil
		}
	}
	if err := p.skip(); err != nil {
		return frame.Header{}, 0, err
	}
	for {
		data := p.buf[p.r:p.w]
		if hl := frame.HeaderLen(data); hl > 0 && len(data) >= hl {
			h, _, err := frame.ParseHeader(data)
			if err == nil {
				err = p.check(h)
			}
			if err != nil {
				return frame.Header{}, 0, p.fail(err)
			}
			return h, hl, nil
		} else if err := p.fill(max(hl, 2)); err != nil {
			return frame.Header{}, 0, err
		}
	}
}

// Read reads the payload of the frame whose header NextHeader returned,
// unmasked. It returns io.EOF at the payload's end, and io.ErrUnexpectedEOF
// when the stream ends first.
func (p *Parser) Read(b []byte) (int, error) {
	if p.remain == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.remain {
		b = b[:p.remain]
	}
	var (
		n   int
		err error
	)
	switch {
	case p.r < p.w:
		n = copy(b, p.buf[p.r:p.w])
		p.r += n
	case len(b) >= len(p.buf):
		// Large reads bypass the buffer; b is cut at the payload's end,
		// so nothing past the frame is read.
		n, err = p.read(b)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
	default:
		if err = p.fill(1); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		n = copy(b, p.buf[p.r:p.w])
		p.r += n
	}
	if p.hdr.Masked {
		p.maskPos = frame.Mask(b[:n], p.hdr.Mask, p.maskPos)
	}
	p.remain -= int64(n)
	if p.remain == 0 && err == io.ErrUnexpectedEOF {
		err = nil
	}
	return n, err
}

// skip discards the rest of a streamed payload.
func (p *Parser) skip() error {
	for p.remain > 0 {
		if p.r == p.w {
			if err := p.fill(1); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return err
			}
		}
		k := int(min(p.remain, int64(p.w-p.r)))
		p.r += k
		p.remain -= int64(k)
	}
	return nil
}
