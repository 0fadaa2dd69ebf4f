package conformance

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
)

// The fuzzer's own permessage-deflate codec (RFC 7692 §7.2), on
// compress/flate, independent of wskit's pmce package.

// syncTail is what a sync flush ends with; RFC 7692 §7.2.1 strips it from
// a message and §7.2.2 appends it again.
var syncTail = []byte{0x00, 0x00, 0xff, 0xff}

// finalEmpty is an empty final stored block. Appended after the tail it
// ends the stream, so that a whole message reads to io.EOF and a
// truncated one fails. (A peer may also end a message with a block of its
// own with BFINAL set, RFC 7692 §7.2.3.4; the reader stops there.)
var finalEmpty = []byte{0x01, 0x00, 0x00, 0xff, 0xff}

// deflater compresses the fuzzer's messages.
type deflater struct {
	noTakeover bool
	bits       int // the window the peer allows us, 8 to 15
	w          *flate.Writer
	out        bytes.Buffer
}

// compress returns the payload of a compressed message.
//
// With a 15-bit window it is compress/flate at its default level (zlib's
// level 6, as Autobahn uses), one writer kept across messages under
// context takeover. compress/flate cannot narrow its 32 KiB window, so for
// a smaller window b each message goes in blocks of at most 2^b bytes,
// each from a reset writer and ended by a sync flush: no match reaches
// outside its block, hence none is 2^b or more away, and none reaches into
// an earlier message. flate.BestSpeed there, because its reset is cheap.
func (d *deflater) compress(p []byte) []byte {
	d.out.Reset()
	if d.bits >= 15 {
		if d.w == nil {
			d.w, _ = flate.NewWriter(&d.out, flate.DefaultCompression)
		} else if d.noTakeover {
			d.w.Reset(&d.out)
		}
		d.w.Write(p)
		d.w.Flush()
	} else {
		if d.w == nil {
			d.w, _ = flate.NewWriter(&d.out, flate.BestSpeed)
		}
		block := 1 << d.bits
		for i := 0; i == 0 || i < len(p); i += block {
			d.w.Reset(&d.out)
			d.w.Write(p[i:min(i+block, len(p))])
			d.w.Flush()
		}
	}
	b := d.out.Bytes()
	if !bytes.HasSuffix(b, syncTail) {
		panic("compress/flate: a sync flush without its tail") // cannot happen
	}
	return bytes.Clone(b[:len(b)-len(syncTail)])
}

// inflater decompresses the peer's messages and checks that the peer kept
// to what was agreed: no reference into an earlier message without context
// takeover, and no distance beyond its window.
type inflater struct {
	noTakeover bool
	bits       int    // the peer's window, 8 to 15
	hist       []byte // the peer's last 2^bits bytes, under context takeover
	src        bytes.Reader
	r          io.ReadCloser
}

// errTooBig is a message that inflates beyond the fuzzer's limit.
var errTooBig = errors.New("decompressed message too big")

func (f *inflater) decompress(p []byte, limit int) ([]byte, error) {
	in := make([]byte, 0, len(p)+len(syncTail)+len(finalEmpty))
	in = append(append(append(in, p...), syncTail...), finalEmpty...)
	if f.bits < 15 {
		// compress/flate reads any distance up to 32 KiB; the window is
		// checked here.
		st, err := scanDeflate(in)
		if err != nil {
			return nil, err
		}
		if st.maxDist > 1<<f.bits {
			return nil, fmt.Errorf("a distance of %d bytes, beyond the agreed window of 2^%d = %d", st.maxDist, f.bits, 1<<f.bits)
		}
	}
	var dict []byte
	if !f.noTakeover {
		dict = f.hist
	}
	f.src.Reset(in)
	if f.r == nil {
		f.r = flate.NewReaderDict(&f.src, dict)
	} else if err := f.r.(flate.Resetter).Reset(&f.src, dict); err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(f.r, int64(limit)+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("not a valid DEFLATE stream: %v", err)
	case len(out) > limit:
		return nil, errTooBig
	}
	if !f.noTakeover {
		keep := 1 << f.bits
		if len(out) >= keep {
			f.hist = append(f.hist[:0], out[len(out)-keep:]...)
		} else {
			f.hist = append(f.hist, out...)
			if len(f.hist) > keep {
				f.hist = f.hist[len(f.hist)-keep:]
			}
		}
	}
	return out, nil
}
