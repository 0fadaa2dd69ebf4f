package conformance

import (
	"bytes"
	"compress/flate"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testMessages are consecutive slices of the JSON payload, as the cases
// send them, plus an empty one and an incompressible one.
func testMessages() [][]byte {
	b := pmdJSON.Bytes()
	var ms [][]byte
	for i, n := range []int{16, 300, 5000, 0, 40000, 70000, 1000} {
		ms = append(ms, b[i*80000%len(b):][:n])
	}
	return append(ms, pmdPDF.Bytes()[1000:30000])
}

// TestScanDeflate checks the stream walker against compress/flate's
// output of every kind of block: stored, fixed and dynamic Huffman.
func TestScanDeflate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 50000)
	for i := range random {
		random[i] = byte(r.IntN(256))
	}
	inputs := map[string][]byte{
		"empty": nil, "short": []byte("a"), "repeats": bytes.Repeat([]byte("abcabcabd"), 9000),
		"json": pmdJSON.Bytes()[:100000], "random": random,
	}
	for name, in := range inputs {
		for _, level := range []int{flate.NoCompression, flate.BestSpeed, flate.DefaultCompression, flate.BestCompression, flate.HuffmanOnly} {
			var buf bytes.Buffer
			w, _ := flate.NewWriter(&buf, level)
			w.Write(in)
			w.Close()
			st, err := scanDeflate(buf.Bytes())
			if err != nil {
				t.Errorf("%s level %d: %v", name, level, err)
				continue
			}
			if st.outLen != len(in) || st.maxDist > 32768 {
				t.Errorf("%s level %d: inflates to %d bytes (want %d), largest distance %d", name, level, st.outLen, len(in), st.maxDist)
			}
			if level == flate.HuffmanOnly && st.maxDist != 0 {
				t.Errorf("%s: Huffman-only stream has a distance of %d", name, st.maxDist)
			}
			if name == "repeats" && level > 0 && st.maxDist == 0 {
				t.Errorf("repeats level %d: no match found", level)
			}
		}
	}
	for _, bad := range [][]byte{{0x07}, {0x01, 0x05, 0x00, 0xfa, 0xff}, {0x00, 0x00, 0x00, 0xff, 0xff}} {
		if _, err := scanDeflate(bad); err == nil {
			t.Errorf("%x: no error", bad)
		}
	}
}

// TestCodecRoundTrip sends messages through the fuzzer's compressor and
// decompressor with every agreement, and checks the window its
// compressor keeps to.
func TestCodecRoundTrip(t *testing.T) {
	msgs := testMessages()
	for _, bits := range []int{8, 9, 12, 15} {
		for _, nct := range []bool{false, true} {
			name := fmt.Sprintf("bits=%d,no_context_takeover=%v", bits, nct)
			tx := &deflater{noTakeover: nct, bits: bits}
			rx := &inflater{noTakeover: nct, bits: bits}
			for i, m := range msgs {
				c := tx.compress(m)
				if bytes.HasSuffix(c, syncTail) {
					t.Errorf("%s message %d: tail not removed", name, i)
				}
				in := append(append([]byte(nil), c...), syncTail...)
				in = append(in, finalEmpty...)
				st, err := scanDeflate(in)
				if err != nil {
					t.Fatalf("%s message %d: %v", name, i, err)
				}
				if st.maxDist > 1<<bits {
					t.Errorf("%s message %d: distance %d beyond the window", name, i, st.maxDist)
				}
				got, err := rx.decompress(c, 1<<20)
				if err != nil {
					t.Fatalf("%s message %d: %v", name, i, err)
				}
				if diff := cmp.Diff(m, got, cmp.Comparer(bytes.Equal)); diff != "" {
					t.Errorf("%s message %d differs", name, i)
				}
			}
		}
	}
}

// TestInflaterCatches checks that the decompressor fails a peer that breaks
// the agreement or sends what is not DEFLATE.
func TestInflaterCatches(t *testing.T) {
	json := pmdJSON.Bytes()
	takeover := &deflater{bits: 15}
	first, second := takeover.compress(json[:3000]), takeover.compress(json[3000:6000])
	wide := (&deflater{bits: 15}).compress([]byte(strings.Repeat("0123456789abcdefghij", 2) + strings.Repeat("x", 300) + "0123456789abcdefghij"))
	tests := []struct {
		name string
		rx   *inflater
		msgs [][]byte
		want string // in the last message's error
	}{
		{"context takeover without agreement", &inflater{noTakeover: true, bits: 15}, [][]byte{first, second}, "not a valid DEFLATE stream"},
		{"distance beyond the window", &inflater{bits: 8}, [][]byte{wide}, "beyond the agreed window"},
		{"not DEFLATE", &inflater{bits: 15}, [][]byte{[]byte("\xff\xff\xff\xff")}, "not a valid DEFLATE stream"},
		{"too big", &inflater{bits: 15}, [][]byte{(&deflater{bits: 15}).compress(make([]byte, 5000))}, errTooBig.Error()},
	}
	for _, tc := range tests {
		var err error
		for _, m := range tc.msgs {
			_, err = tc.rx.decompress(m, 4096)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one with %q", tc.name, err, tc.want)
		}
	}
	// The same pair is fine under context takeover.
	rx := &inflater{bits: 15}
	for _, m := range [][]byte{first, second} {
		if _, err := rx.decompress(m, 1<<20); err != nil {
			t.Errorf("context takeover agreed: %v", err)
		}
	}
}

// TestPayloads checks the generated files: Autobahn's sizes, the same
// bytes every time, ASCII text where messages are text.
func TestPayloads(t *testing.T) {
	for _, d := range pmdFiles {
		b := d.Bytes()
		if len(b) != d.Size {
			t.Errorf("%s: %d bytes, want %d", d.Name, len(b), d.Size)
		}
		again := d.gen(rand.New(rand.NewPCG(uint64(d.Size), 7692)), d.Size)[:d.Size]
		if !bytes.Equal(b, again) {
			t.Errorf("%s: not deterministic", d.Name)
		}
		if !d.Binary {
			for i, c := range b {
				if c >= 0x80 {
					t.Errorf("%s: non-ASCII byte at %d", d.Name, i)
					break
				}
			}
		}
	}
}
