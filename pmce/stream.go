package pmce

import (
	"errors"
	"io"
	"math"
)

// ErrClosed is returned by a Writer's Write after Close, and by a
// Reader's Read after Close.
var ErrClosed = errors.New("permessage-deflate: use after close")

// Writer compresses one message as it is written, for a message sent in
// fragments: what it writes to its destination is the payload of the
// message, to be sent with RSV1 set on the first frame (a
// streamer.Streamer made with streamer.Rsv(frame.Rsv1) does that). It holds
// back the last four bytes it was given by the compressor until it knows
// whether they are the sync flush that Close removes.
//
// A Writer owns the codec's sending side until Close: do not call Compress
// or EncodeMessage, or open another Writer, in between.
type Writer struct {
	c      *Codec
	pw     *pooledWriter
	dst    io.Writer
	err    error
	closed bool
}

// NewWriter returns a Writer that compresses one message into dst. The
// codec has one Writer, which each call resets: a Writer must not be used
// after Close.
func (c *Codec) NewWriter(dst io.Writer) *Writer {
	w := &c.enc.sw
	*w = Writer{c: c, dst: dst}
	if c.enc.err != nil {
		w.err = c.enc.err
		return w
	}
	w.pw = c.enc.acquire()
	return w
}

// Write compresses p into the message. Compressed data goes to the
// destination as the compressor produces it, which is not always at once:
// the compressor buffers up to a block.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	if err := w.run(func() error { _, err := w.pw.fw.Write(p); return err }); err != nil {
		return 0, err
	}
	w.c.enc.slide.write(p)
	return len(p), nil
}

// run calls f with the compressor writing to its streaming buffer, then
// sends all but the last four bytes of output to the destination.
func (w *Writer) run(f func() error) error {
	w.pw.out.b = w.pw.sbuf
	err := f()
	b := w.pw.out.b
	w.pw.out.b = nil
	if err == nil {
		if n := len(b) - len(syncMarker); n > 0 {
			_, err = w.dst.Write(b[:n])
			b = b[:copy(b, b[n:])]
		}
	}
	w.pw.sbuf = b
	if err != nil {
		w.fail(err)
	}
	return err
}

func (w *Writer) fail(err error) {
	w.err = err
	if w.c.enc.slide.size > 0 {
		w.pw.fw.ResetDict(nil, nil) // it saw this connection's data
		putWriter(w.pw)
	}
	w.c.enc.fail(err)
	w.pw = nil
}

// Close ends the message: it flushes the compressor, sends what remains but
// the final 00 00 ff ff, and releases the compressor.
func (w *Writer) Close() error {
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	w.pw.out.b = w.pw.sbuf
	err := w.pw.fw.Flush()
	b := w.pw.out.b
	w.pw.out.b = nil
	if err == nil && (len(b) < len(syncMarker) || string(b[len(b)-len(syncMarker):]) != syncMarker) {
		err = errNoMarker
	}
	if err == nil && len(b) > len(syncMarker) {
		_, err = w.dst.Write(b[:len(b)-len(syncMarker)])
	}
	if err != nil {
		w.fail(err)
		return err
	}
	w.pw.sbuf = b[:0]
	w.c.enc.release(w.pw)
	w.pw = nil
	return nil
}

// Reader decompresses one message as it is read from the source, which
// yields the message's payload and then io.EOF. It enforces the limit as
// Decompress does, and with context takeover it adds what it reads to the
// codec's window.
//
// A Reader owns the codec's receiving side until Close: do not call
// Decompress or DecodeMessage, or open another Reader, in between.
type Reader struct {
	c      *Codec
	pr     *pooledReader
	limit  int64
	n      int64
	err    error
	eof    bool
	closed bool
}

// NewReader returns a Reader that decompresses the message whose payload
// src yields, producing at most limit bytes (DefaultMaxMessage if limit
// <= 0). The codec has one Reader, which each call resets: a Reader must
// not be used after Close.
func (c *Codec) NewReader(src io.Reader, limit int64) *Reader {
	if limit <= 0 {
		limit = DefaultMaxMessage
	}
	limit = min(limit, math.MaxInt64-1)
	r := &c.dec.sr
	*r = Reader{c: c, limit: limit}
	if c.dec.err != nil {
		r.err = c.dec.err
		return r
	}
	r.pr = getReader()
	r.pr.resetStream(msgInput{rr: src}, c.dec.window.buf)
	return r
}

// Read reads decompressed data. It returns io.EOF at the end of the
// message, ErrTooBig past the limit, an error wrapping ErrCorrupt for data
// that is not DEFLATE, and the source's error if reading the source failed.
func (r *Reader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, ErrClosed
	}
	if r.err != nil {
		return 0, r.err
	}
	if r.eof {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	room := p[:min(int64(len(p)), r.limit+1-r.n)]
	n, err := r.pr.fr.Read(room)
	r.n += int64(n)
	if r.n > r.limit {
		n -= int(r.n - r.limit)
		r.fail(ErrTooBig)
		return n, ErrTooBig
	}
	r.c.dec.window.write(p[:n])
	switch {
	case err == io.EOF:
		r.eof = true
	case err != nil && r.pr.in.err != nil:
		r.fail(r.pr.in.err)
		err = r.err
	case err != nil:
		r.fail(corrupt(err))
		err = r.err
	}
	return n, err
}

func (r *Reader) fail(err error) {
	r.err = err
	r.c.dec.fail(err)
}

// Close releases the decompressor. With context takeover, a message not
// read to its end is read to its end first, as the following messages
// depend on it; Close returns the error that reading met.
func (r *Reader) Close() error {
	if r.closed {
		return ErrClosed
	}
	var err error
	if r.err == nil && !r.eof && r.c.dec.window.size > 0 {
		var buf [512]byte
		for err == nil {
			_, err = r.Read(buf[:])
		}
		if err == io.EOF {
			err = nil
		}
	}
	r.closed = true
	if r.pr != nil {
		putReader(r.pr)
		r.pr = nil
	}
	return err
}

// MessageWriter is NewWriter as an io.WriteCloser, so that the Codec is an
// endpoint.StreamCodec: NextWriter compresses through it as a message is
// written.
func (c *Codec) MessageWriter(dst io.Writer) io.WriteCloser { return c.NewWriter(dst) }

// MessageReader is NewReader as an io.ReadCloser, so that the Codec is an
// endpoint.StreamCodec: NextReader inflates through it as a message
// arrives.
func (c *Codec) MessageReader(src io.Reader, limit int64) io.ReadCloser {
	return c.NewReader(src, limit)
}
