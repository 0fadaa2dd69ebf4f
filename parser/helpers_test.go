package parser_test

import (
	"github.com/wskit/wskit/internal/frametest"

	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

var (
	key = [4]byte{0x37, 0xfa, 0x21, 0x3d}
	// cmpBytes compares byte slices with bytes.Equal (nil equals empty):
	// much faster than cmp's element-wise walk over large payloads.
	cmpBytes = cmp.Comparer(bytes.Equal)
)

// wantRec is the record a parser returns for f as it was sent: masked with
// key when masked is set.
func wantRec(f frame.Frame, masked bool, key [4]byte) frametest.Frame {
	r := frametest.Record(f)
	r.Header.Masked, r.Header.Mask = masked, [4]byte{}
	if masked {
		r.Header.Mask = key
	}
	return r
}

// readAll reads frames with Next until an error, which it returns.
func readAll(p *parser.Parser) ([]frametest.Frame, error) {
	var out []frametest.Frame
	for {
		f, err := p.Next()
		if err != nil {
			return out, err
		}
		out = append(out, frametest.Record(f))
	}
}

// feedChunks feeds b to p in chunks whose sizes come from size, and returns
// the frames and the first error.
func feedChunks(p *parser.Parser, b []byte, size func() int) ([]frametest.Frame, error) {
	var out []frametest.Frame
	fn := func(f frame.Frame) error { out = append(out, frametest.Record(f)); return nil }
	for len(b) > 0 {
		n := min(max(size(), 0), len(b))
		if err := p.Feed(b[:n], fn); err != nil {
			return out, err
		}
		b = b[n:]
	}
	return out, nil
}

func one() int { return 1 }

func repeat(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

// encode appends the frames, masked with key when masked is set.
func encode(t testing.TB, masked bool, frames ...frame.Frame) []byte {
	t.Helper()
	var b []byte
	for _, f := range frames {
		var err error
		if masked {
			b, err = frame.AppendMasked(b, f, key)
		} else {
			b, err = frame.Append(b, f)
		}
		if err != nil {
			t.Fatalf("encode %T: %v", f, err)
		}
	}
	return b
}

// timeoutReader fails with a timeout every 3 bytes, as a connection with a
// short read deadline does. Every other failure comes with the bytes read
// before it, as (n > 0, err).
type timeoutReader struct {
	r     io.Reader
	since int // bytes since the last timeout
	fails int
}

func (t *timeoutReader) Read(p []byte) (int, error) {
	if t.since == 3 {
		t.since = 0
		t.fails++
		return 0, os.ErrDeadlineExceeded
	}
	if len(p) > 3-t.since {
		p = p[:3-t.since]
	}
	n, err := t.r.Read(p)
	t.since += n
	if err == nil && t.since == 3 && t.fails%2 == 1 {
		t.since = 0
		t.fails++
		return n, os.ErrDeadlineExceeded
	}
	return n, err
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

// loopReader yields b over and over and never allocates.
type loopReader struct {
	b   []byte
	off int
}

func (l *loopReader) Read(p []byte) (int, error) {
	if l.off == len(l.b) {
		l.off = 0
	}
	n := copy(p, l.b[l.off:])
	l.off += n
	return n, nil
}

// bytesAlloc returns the bytes allocated while fn runs.
func bytesAlloc(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
