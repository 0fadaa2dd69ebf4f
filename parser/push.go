package parser

import (
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/pool"
)

// Feed parses bytes the caller already holds and calls fn with each frame
// they complete, in order. A partial frame at the end of b is kept (copied)
// and completed by later calls, so b may be cut anywhere. Frames that b holds
// whole are decoded in place: Feed unmasks them inside b and fn's frame
// aliases b, valid until fn returns.
//
// Feed stops at the first violation, which it returns (and returns again on
// every later call), or at the first error from fn, which it returns after
// keeping the bytes not yet parsed for the next call. Feed needs no reader:
// New(nil) makes a Parser for push mode only.
func (p *Parser) Feed(b []byte, fn func(frame.Frame) error) error {
	if p.err != nil {
		return p.err
	}
	p.recycle()
	for p.tailN > 0 {
		f, n, need, err := p.step((*p.tail)[:p.tailN])
		if err != nil {
			return p.fail(err)
		}
		if n == 0 {
			if len(b) == 0 {
				return nil
			}
			// Take only the bytes this frame needs, so that the frames
			// after it are decoded in place in b.
			k := min(need-p.tailN, len(b))
			p.appendTail(b[:k])
			b = b[k:]
			continue
		}
		err = fn(f)
		if n > p.cfg.bufSize {
			p.hint = n
		}
		p.tailN = copy(*p.tail, (*p.tail)[n:p.tailN])
		if p.tailN == 0 {
			pool.Put(p.tail)
			p.tail = nil
		}
		if err != nil {
			p.appendTail(b)
			return err
		}
	}
	for len(b) > 0 {
		f, n, need, err := p.step(b)
		if err != nil {
			return p.fail(err)
		}
		if n == 0 {
			if p.tail == nil && need > p.cfg.bufSize {
				// A large frame starts: size its buffer as the last large
				// frame, which did arrive, so that it is not regrown and
				// copied through every size class; never above what this
				// frame declares.
				p.tail = pool.Get(min(need, max(len(b), p.hint)))
			}
			p.appendTail(b)
			return nil
		}
		b = b[n:]
		if err := fn(f); err != nil {
			p.appendTail(b)
			return err
		}
	}
	return nil
}

// appendTail keeps data after the partial frame held so far. The buffer grows
// with what arrives, never to a length the peer merely declared.
func (p *Parser) appendTail(data []byte) {
	if len(data) == 0 {
		return
	}
	n := p.tailN + len(data)
	if p.tail == nil || cap(*p.tail) < n {
		old := p.tail
		if old != nil {
			n = max(n, 2*cap(*old)) // grow geometrically: fewer copies
		}
		p.tail = pool.Get(n)
		n = p.tailN + len(data)
		if old != nil {
			copy(*p.tail, (*old)[:p.tailN])
			pool.Put(old)
		}
	}
	*p.tail = (*p.tail)[:cap(*p.tail)]
	copy((*p.tail)[p.tailN:], data)
	p.tailN = n
}
