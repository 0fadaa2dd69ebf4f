package endpoint

import (
	"io"
	"sync"

	"github.com/wskit/wskit/internal/pool"
)

// Outbox is an io.Writer for callers that send when their transport is
// writable, as event loops do: give it to NewPush as the Endpoint's writer,
// or write to it what the transport did not take, and call WriteTo when
// the transport can take more. It keeps the bytes in a pooled buffer that
// goes back to the pool once they are all written, so an idle connection
// holds none. It is safe for concurrent use. The zero Outbox is empty and
// ready.
type Outbox struct {
	mu   sync.Mutex
	buf  *[]byte // pending bytes: (*buf)[r:w]
	r, w int
}

// Write keeps a copy of b. It never fails.
func (o *Outbox) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.buf == nil {
		o.buf = pool.Get(len(b))
		*o.buf = (*o.buf)[:cap(*o.buf)]
		o.r, o.w = 0, 0
	}
	if len(*o.buf)-o.w < len(b) {
		n := o.w - o.r
		if len(*o.buf) < n+len(b) {
			nb := pool.Get(max(n+len(b), 2*len(*o.buf)))
			*nb = (*nb)[:cap(*nb)]
			copy(*nb, (*o.buf)[o.r:o.w])
			pool.Put(o.buf)
			o.buf = nb
		} else {
			copy(*o.buf, (*o.buf)[o.r:o.w])
		}
		o.r, o.w = 0, n
	}
	o.w += copy((*o.buf)[o.w:], b)
	return len(b), nil
}

// Len returns the number of bytes pending.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.w - o.r
}

// WriteTo writes the pending bytes to w until it has written them all or w
// fails; a non-blocking transport fails with its would-block error, and the
// bytes it did not take stay pending for the next call. It implements
// io.WriterTo.
func (o *Outbox) WriteTo(w io.Writer) (int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var total int64
	for o.r < o.w {
		n, err := w.Write((*o.buf)[o.r:o.w])
		o.r += n
		total += int64(n)
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, io.ErrShortWrite
		}
	}
	pool.Put(o.buf)
	o.buf, o.r, o.w = nil, 0, 0
	return total, nil
}

// Reset drops the pending bytes and gives the buffer back.
func (o *Outbox) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	pool.Put(o.buf)
	o.buf, o.r, o.w = nil, 0, 0
}
