//go:build unix

package parser

import (
	"io"
	"syscall"

	"github.com/wskit/wskit/internal/pool"
)

// idleReader reads a socket's next bytes into a buffer it takes from the
// pool only once they have arrived; see ReleaseIdle.
type idleReader struct {
	p   *Parser
	raw syscall.RawConn
	fn  func(fd uintptr) bool // tryRead, made once: no allocation per read
	n   int
	err error
}

func newIdleReader(p *Parser, r io.Reader) *idleReader {
	sc, ok := r.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	ir := &idleReader{p: p, raw: raw}
	ir.fn = ir.tryRead
	return ir
}

// read gives the empty buffer back, waits until the socket is readable,
// and reads what arrived into a pooled buffer, which becomes the parser's.
// It returns what a Read would: the bytes read and an error, io.EOF at the
// end of the stream, the poller's error for a passed deadline.
func (ir *idleReader) read() (int, error) {
	p := ir.p
	if p.buf != nil {
		p.dropBuffer()
	}
	ir.n, ir.err = 0, nil
	if err := ir.raw.Read(ir.fn); err != nil {
		return 0, err
	}
	return ir.n, ir.err
}

// tryRead is the poller's callback: it reads, or reports that it must wait
// for readiness (without holding a buffer).
func (ir *idleReader) tryRead(fd uintptr) bool {
	p := ir.p
	b := pool.Get(p.cfg.bufSize)
	for {
		n, err := syscall.Read(int(fd), (*b)[:p.cfg.bufSize])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			pool.Put(b)
			return false
		case err != nil:
			pool.Put(b)
			ir.err = err
		case n == 0:
			pool.Put(b)
			ir.err = io.EOF
		default:
			p.pooled, p.buf, ir.n = b, (*b)[:p.cfg.bufSize], n
		}
		return true
	}
}
