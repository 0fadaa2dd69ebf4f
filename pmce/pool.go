package pmce

import (
	"compress/flate"
	"io"
	"sync"
)

// pooledWriter is a compressor and the buffer it appends its output to.
// The buffer belongs to the pooled value, so a pooled writer refers to no
// codec and no caller's memory.
type pooledWriter struct {
	level int
	fw    *flate.Writer
	out   appendWriter
	sbuf  []byte // the output buffer of a streaming Writer, reused
}

// appendWriter appends what is written to b.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// writerPools holds idle compressors by level, from flate.HuffmanOnly (-2)
// to flate.BestCompression (9).
var writerPools [flate.BestCompression - flate.HuffmanOnly + 1]sync.Pool

// getWriter returns a compressor of the level, reset, that writes to its
// own out.
func getWriter(level int) *pooledWriter {
	if v := writerPools[level-flate.HuffmanOnly].Get(); v != nil {
		w := v.(*pooledWriter)
		w.fw.Reset(&w.out)
		return w
	}
	w := &pooledWriter{level: level}
	w.fw, _ = flate.NewWriter(&w.out, level) // the level was checked by New
	return w
}

func putWriter(w *pooledWriter) {
	w.out.b = nil
	writerPools[w.level-flate.HuffmanOnly].Put(w)
}

// chunked compresses src in blocks of at most chunk bytes, each by a
// compressor reset before it and flushed after it, so that no distance in
// the output reaches farther back than chunk-1 bytes. An empty src still
// gets its flush.
func (w *pooledWriter) chunked(src []byte, chunk int) error {
	for first := true; first || len(src) > 0; first = false {
		n := min(len(src), chunk)
		if !first {
			w.fw.Reset(&w.out)
		}
		if _, err := w.fw.Write(src[:n]); err != nil {
			return err
		}
		if err := w.fw.Flush(); err != nil {
			return err
		}
		src = src[n:]
	}
	return nil
}

// pooledReader is a decompressor and the input it reads from.
type pooledReader struct {
	fr io.ReadCloser // a flate reader, also a flate.Resetter
	in msgInput
}

var readerPool sync.Pool

// getReader returns a decompressor that reads r.in, with dict as the
// window of preceding data. The caller sets r.in's source.
func getReader(dict []byte) *pooledReader {
	if v := readerPool.Get(); v != nil {
		r := v.(*pooledReader)
		r.fr.(flate.Resetter).Reset(&r.in, dict)
		return r
	}
	r := new(pooledReader)
	r.fr = flate.NewReaderDict(&r.in, dict)
	return r
}

func putReader(r *pooledReader) {
	r.in = msgInput{}
	readerPool.Put(r)
}

// tail follows every message's data: the 00 00 ff ff that the sender
// removed (RFC 7692 §7.2.2), then an empty final stored block, so that the
// decompressor ends with io.EOF rather than wanting more input.
const tail = syncMarker + "\x01\x00\x00\xff\xff"

// msgInput is the decompressor's input: the message's payload, from b and
// then from r if it is set, followed by tail. It implements flate.Reader,
// so compress/flate reads it without a bufio.Reader of its own.
type msgInput struct {
	b   []byte        // payload bytes not yet read
	r   io.ByteReader // the streamed rest of the payload, or nil
	rr  io.Reader     // r as an io.Reader
	t   int           // bytes of tail read
	got bool          // a byte of the payload came from r
	err error         // r's error other than io.EOF
}

// tailStart starts the tail: an empty payload, which is not DEFLATE data,
// counts as an empty message, so it is followed by the final block alone.
func (m *msgInput) tailStart() {
	if m.t == 0 && !m.got {
		m.t = len(syncMarker)
	}
}

func (m *msgInput) ReadByte() (byte, error) {
	if len(m.b) > 0 {
		c := m.b[0]
		m.b = m.b[1:]
		return c, nil
	}
	if m.r != nil {
		c, err := m.r.ReadByte()
		if err == nil {
			m.got = true
			return c, nil
		}
		m.r, m.rr = nil, nil
		if err != io.EOF {
			m.err = err
			return 0, err
		}
		m.tailStart()
	}
	if m.t < len(tail) {
		c := tail[m.t]
		m.t++
		return c, nil
	}
	return 0, io.EOF
}

func (m *msgInput) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(m.b) > 0 {
		n := copy(p, m.b)
		m.b = m.b[n:]
		return n, nil
	}
	if m.rr != nil {
		n, err := m.rr.Read(p)
		m.got = m.got || n > 0
		if err == io.EOF {
			m.r, m.rr = nil, nil
			m.tailStart()
			err = nil
		} else if err != nil {
			m.r, m.rr = nil, nil
			m.err = err
		}
		if n > 0 || err != nil || m.rr != nil {
			return n, err
		}
	}
	if m.t < len(tail) {
		n := copy(p, tail[m.t:])
		m.t += n
		return n, nil
	}
	return 0, io.EOF
}
