package pmce

import (
	"bufio"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/wskit/wskit/pmce/internal/inflate"
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

// pooledReader is klauspost's decompressor and the input it reads from,
// for a message streamed (Reader, Inflater) or too large for Decompress to
// copy whole (wholeDecoder takes the others). klauspost's decompressor
// reads a *bufio.Reader through code specialized for it, several times
// faster than through another flate.Reader, so it reads buf over in.
type pooledReader struct {
	fr   io.ReadCloser // a flate reader, also a flate.Resetter
	in   msgInput
	buf  *bufio.Reader // reads in
	flat []byte        // an Inflater's output buffer
}

// maxFlat bounds what Decompress copies into a wholeDecoder's flat, and so
// what a pooled one keeps.
const maxFlat = 64 << 10

var readerPool sync.Pool

// getReader returns a decompressor from the pool; resetStream prepares it
// for a message.
func getReader() *pooledReader {
	if v := readerPool.Get(); v != nil {
		return v.(*pooledReader)
	}
	r := new(pooledReader)
	r.buf = bufio.NewReaderSize(&r.in, 4096)
	r.fr = flate.NewReader(r.buf)
	return r
}

// resetStream prepares r to inflate what in yields, with dict as the
// window of the data before it.
func (r *pooledReader) resetStream(in msgInput, dict []byte) {
	r.in = in
	r.buf.Reset(&r.in)
	r.fr.(flate.Resetter).Reset(r.buf, dict)
}

func putReader(r *pooledReader) {
	r.in = msgInput{}
	r.buf.Reset(&r.in)
	if cap(r.flat) > maxFlat+len(tail) {
		r.flat = nil
	}
	readerPool.Put(r)
}

// tail follows every message's data: the 00 00 ff ff that the sender
// removed (RFC 7692 §7.2.2), then an empty final stored block, so that the
// decompressor ends with io.EOF rather than wanting more input.
const tail = syncMarker + "\x01\x00\x00\xff\xff"

// msgInput is the decompressor's input: the message's payload, from b and
// then from rr if it is set, followed by tail.
type msgInput struct {
	b   []byte    // payload bytes not yet read
	rr  io.Reader // the streamed rest of the payload, or nil
	t   int       // bytes of tail read
	got bool      // a byte of the payload came from rr
	err error     // rr's error other than io.EOF
}

// tailStart starts the tail: an empty payload, which is not DEFLATE data,
// counts as an empty message, so it is followed by the final block alone.
func (m *msgInput) tailStart() {
	if m.t == 0 && !m.got {
		m.t = len(syncMarker)
	}
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
			m.rr = nil
			m.tailStart()
			err = nil
		} else if err != nil {
			m.rr = nil
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

// wholeDecoder inflates a whole message of up to maxFlat bytes: the
// package's own decoder (pmce/internal/inflate, about twice as fast as
// klauspost's on these; docs/pmce.md) and the buffer that holds the
// payload followed by tail, as the decoder wants the stream whole.
type wholeDecoder struct {
	dec  inflate.Decoder
	flat []byte
}

var wholePool sync.Pool

func getWhole() *wholeDecoder {
	if v := wholePool.Get(); v != nil {
		return v.(*wholeDecoder)
	}
	return new(wholeDecoder)
}

func putWhole(w *wholeDecoder) {
	if cap(w.flat) > maxFlat+len(tail) {
		w.flat = nil
	}
	wholePool.Put(w)
}
