package pmce

import (
	"errors"
	"io"
	"iter"

	"github.com/wskit/wskit/endpoint"
)

// Inflater decompresses one message whose payload arrives in pieces, as a
// push-driven endpoint receives it: Feed hands it what arrived and returns
// once that is inflated, without waiting for the rest. It enforces the
// limit as Decompress does, and with context takeover it adds what it
// inflates to the codec's window.
//
// klauspost's decompressor cannot resume once its source has failed, so
// the Inflater runs a Reader as a coroutine (iter.Pull) that parks when
// it has read every byte fed so far and resumes at the next Feed. Between
// Feeds it holds the pooled decompressor (about 38 KiB), an output buffer
// and the coroutine's stack, whatever the size of the message.
//
// An Inflater owns the codec's receiving side until Close, as a Reader
// does.
type Inflater struct {
	r       *Reader
	in      []byte // fed bytes not yet read
	last    bool   // the payload's last piece was fed
	stopped bool
	yield   func([]byte) bool // the coroutine's, while it runs
	next    func() ([]byte, bool)
	stop    func()
	buf     []byte
	err     error // how the message ended: io.EOF once whole
	closed  bool
}

// inflaterBuf is the size of the pieces an Inflater inflates into.
const inflaterBuf = 16 << 10

var errStopped = errors.New("permessage-deflate: inflater closed before the end of the message")

// NewInflater returns an Inflater for one message, producing at most
// limit bytes (DefaultMaxMessage if limit <= 0).
func (c *Codec) NewInflater(limit int64) *Inflater {
	f := &Inflater{}
	f.r = c.NewReader(pushSource{f}, limit)
	if pr := f.r.pr; pr != nil {
		// The output goes to a buffer kept with the pooled
		// decompressor, so that it too is reused.
		if cap(pr.flat) < inflaterBuf {
			pr.flat = make([]byte, inflaterBuf)
		}
		f.buf = pr.flat[:inflaterBuf]
	}
	f.next, f.stop = iter.Pull(f.run)
	return f
}

// run is the coroutine: it inflates and yields each piece of output, and
// pushSource yields nil when it needs more input.
func (f *Inflater) run(yield func([]byte) bool) {
	f.yield = yield
	for {
		n, err := f.r.Read(f.buf)
		if n > 0 && !yield(f.buf[:n]) {
			return
		}
		if err != nil {
			f.err = err
			return
		}
	}
}

// pushSource is the Reader's source: the bytes fed so far, then a pause
// of the coroutine until more are fed, and io.EOF after the last piece.
type pushSource struct{ f *Inflater }

func (s pushSource) Read(p []byte) (int, error) {
	f := s.f
	for len(f.in) == 0 {
		if f.last {
			return 0, io.EOF
		}
		if f.stopped || !f.yield(nil) {
			return 0, errStopped
		}
	}
	n := copy(p, f.in)
	f.in = f.in[n:]
	return n, nil
}

// Feed inflates p, the next part of the message's payload (last: the end
// of it), calling emit with each piece of inflated data; a piece is valid
// only during the call. It returns nil when p is inflated and, if last,
// the message is whole; ErrTooBig once the inflated data passes the limit
// (emit having had exactly limit bytes), an error wrapping ErrCorrupt for
// data that is not DEFLATE, or emit's error. After an error the Inflater
// only returns it.
func (f *Inflater) Feed(p []byte, last bool, emit func([]byte) error) error {
	if f.closed {
		return ErrClosed
	}
	if f.err != nil {
		if f.err == io.EOF {
			return nil // data after the final block is ignored
		}
		return f.err
	}
	f.in, f.last = p, last
	defer func() { f.in = nil }()
	for {
		out, ok := f.next()
		if !ok {
			break
		}
		if out == nil {
			return nil // p is read; the coroutine waits for more
		}
		if err := emit(out); err != nil {
			f.err = err
			return err
		}
	}
	if f.err == io.EOF {
		return nil
	}
	return f.err
}

// Close ends the coroutine and releases the decompressor. Closing before
// the message is whole leaves the codec's receiving side failed under
// context takeover, as its window would miss the rest of the message;
// without context takeover the next message does not depend on it.
func (f *Inflater) Close() error {
	if f.closed {
		return ErrClosed
	}
	f.closed = true
	f.stopped = true
	d := &f.r.c.dec
	prev := d.err
	f.stop()
	err := f.r.Close()
	if errors.Is(err, errStopped) {
		err = nil
	}
	if d.window.size == 0 && errors.Is(d.err, errStopped) {
		d.err = prev
	}
	f.buf = nil
	return err
}

// MessageDecoder returns NewInflater(limit) as an endpoint.Decoder, so that
// a push Endpoint's FeedStream inflates a compressed message as it arrives
// (endpoint.FeedCodec).
func (c *Codec) MessageDecoder(limit int64) endpoint.Decoder { return c.NewInflater(limit) }
