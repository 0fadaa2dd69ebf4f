package pmce

import (
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// pooledWriter is a compressor and the buffer it appends its output to.
// The buffer belongs to the pooled value, so a pooled writer refers to no
// codec and no caller's memory.
type pooledWriter struct {
	kind writerKind
	fw   *flate.Writer
	out  appendWriter
	sbuf []byte // the output buffer of a streaming Writer, reused
}

// appendWriter appends what is written to b.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// writerKind says which compressor a codec uses: for the full window of 15
// bits, klauspost's compressor of a level, from flate.HuffmanOnly (-2) to
// flate.BestCompression (9), kinds 0 to 11; for a window of 8 to 14 bits,
// klauspost's windowed compressor (flate.NewWriterWindow), whose distances
// never reach the window, kinds 12 to 18. A window changes nothing for
// Huffman-only coding, which has no distances.
type writerKind uint8

const windowKinds = flate.BestCompression - flate.HuffmanOnly + 1

func writerKindOf(level, bits int) writerKind {
	if bits >= MaxWindowBits || level == flate.HuffmanOnly {
		return writerKind(level - flate.HuffmanOnly)
	}
	return writerKind(windowKinds + bits - MinWindowBits)
}

func (k writerKind) new(w io.Writer) *flate.Writer {
	var fw *flate.Writer
	if k < windowKinds {
		fw, _ = flate.NewWriter(w, int(k)+flate.HuffmanOnly) // the level was checked by New
	} else {
		fw, _ = flate.NewWriterWindow(w, 1<<(int(k)-windowKinds+MinWindowBits))
	}
	return fw
}

// writerPools holds idle compressors by kind.
var writerPools [windowKinds + MaxWindowBits - MinWindowBits]sync.Pool

// getWriter returns a compressor of the kind, reset, that writes to its own
// out.
func getWriter(k writerKind) *pooledWriter {
	if v := writerPools[k].Get(); v != nil {
		w := v.(*pooledWriter)
		w.fw.Reset(&w.out)
		return w
	}
	w := &pooledWriter{kind: k}
	w.fw = k.new(&w.out)
	return w
}

func putWriter(w *pooledWriter) {
	w.out.b = nil
	writerPools[w.kind].Put(w)
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
