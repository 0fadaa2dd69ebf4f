package inflate

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/flate"
)

// outcome is what a decoder made of a stream: its data (on failure, the
// data handed on before it) and how it ended.
type outcome struct {
	Out []byte
	End string // "ok", "limit" or "corrupt"
}

// refReader is klauspost's decompressor as pmce's codec holds it.
var refReader = flate.NewReader(bytes.NewReader(nil))

// reference decodes src the way pmce's Decompress does with klauspost: a
// reader over src reset with dict, read into room that stops at limit+1
// bytes, "past the limit first".
func reference(src, dict []byte, limit int) outcome {
	var br bytes.Reader
	br.Reset(src)
	refReader.(flate.Resetter).Reset(&br, dict)
	out := []byte{}
	buf := make([]byte, 4096)
	for {
		n, err := refReader.Read(buf[:min(len(buf), limit+1-len(out))])
		out = append(out, buf[:n]...)
		if len(out) > limit {
			return outcome{out, "limit"}
		}
		if err == io.EOF {
			return outcome{out, "ok"}
		}
		if err != nil {
			return outcome{out, "corrupt"}
		}
	}
}

// decodeOutcome runs Decode with dst of capacity dcap (a prefix of dst
// kept), checks what the doc promises of its result and returns it as an
// outcome.
func decodeOutcome(t testing.TB, d *Decoder, src, dict []byte, limit, dcap int) outcome {
	t.Helper()
	prefix := []byte("prefix")
	dst := append(make([]byte, 0, len(prefix)+dcap), prefix...)
	out, err := d.Decode(dst, src, dict, limit)
	if !bytes.HasPrefix(out, prefix) {
		t.Fatalf("Decode lost dst's bytes: %q", out[:min(len(out), 10)])
	}
	if cap(out) != cap(dst) && cap(out) > bound(len(prefix)+max(limit, 0)+1) {
		t.Fatalf("Decode grew dst to %d bytes for a limit of %d", cap(out), limit)
	}
	o := outcome{Out: out[len(prefix):], End: "ok"}
	switch {
	case err == nil:
	case errors.Is(err, ErrLimit):
		o.End = "limit"
		if len(o.Out) != max(limit, 0)+1 {
			t.Fatalf("ErrLimit after %d bytes, want limit+1 = %d", len(o.Out), limit+1)
		}
	case errors.Is(err, ErrCorrupt):
		o.End = "corrupt"
	default:
		t.Fatalf("Decode: unexpected error %v", err)
	}
	if o.End != "limit" && len(o.Out) > limit {
		t.Fatalf("%d bytes over the limit %d without ErrLimit", len(o.Out), limit)
	}
	return o
}

// agree checks that Decode and klauspost make the same of src.
func agree(t testing.TB, d *Decoder, src, dict []byte, limit, dcap int) outcome {
	t.Helper()
	got := decodeOutcome(t, d, src, dict, limit, dcap)
	want := reference(src, dict, max(limit, 0))
	if got.End == want.End && bytes.Equal(got.Out, want.Out) {
		return got // cmp.Diff is slow on long outputs
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("src %x dict %d bytes limit %d: Decode differs from klauspost (-klauspost +Decode):\n%s", src, len(dict), limit, diff)
	}
	return got
}

// bound is the most the allocator may round an allocation of n bytes up
// to: by its size classes (at most 1/8 more) or to whole pages.
func bound(n int) int { return n + n/8 + 8192 }
