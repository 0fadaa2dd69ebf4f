package pmce

import (
	"github.com/wskit/wskit/internal/race"

	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/flate"
	"github.com/wskit/wskit/frame"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pair returns a client and a server codec agreed on p.
func pair(p Params, level int) (client, server *Codec) {
	return newCodec(false, p, level, 0), newCodec(true, p, level, 0)
}

var fullWindow = Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}

// TestRFCExamples decodes the payloads of RFC 7692 §7.2.3 byte for byte.
func TestRFCExamples(t *testing.T) {
	tests := []struct {
		name     string
		payloads []string // one message each, decoded by one codec in order
		want     []string
	}{
		{"7.2.3.1 one compressed block", []string{"f2 48 cd c9 c9 07 00"}, []string{"Hello"}},
		{"7.2.3.1 fragmented, reassembled", []string{"f2 48 cd" + "c9 c9 07 00"}, []string{"Hello"}},
		{"7.2.3.2 sharing the window", []string{"f2 48 cd c9 c9 07 00", "f2 00 11 00 00"}, []string{"Hello", "Hello"}},
		{"7.2.3.3 no compression", []string{"00 05 00 fa ff 48 65 6c 6c 6f 00"}, []string{"Hello"}},
		{"7.2.3.4 BFINAL set", []string{"f3 48 cd c9 c9 07 00 00"}, []string{"Hello"}},
		{"7.2.3.5 two blocks", []string{"f2 48 05 00 00 00 ff ff ca c9 c9 07 00"}, []string{"Hello"}},
		{"7.2.3.6 empty message", []string{"00"}, []string{""}},
		{"empty payload", []string{""}, []string{""}},
		{"flushed in three fragments", []string{"f2 48 cd c9 c9 57 00 00 00 00 ff ff" + "0a cf 2f ca 49 01 00 00 00 ff ff" + "52 04 00"}, []string{"Hello World!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCodec(false, fullWindow, 6, 0)
			var got []string
			for _, p := range tt.payloads {
				out, err := c.Decompress(nil, unhex(t, p), 0)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, string(out))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestRFCCompress checks what this package sends against RFC 7692 §7.2.3.
func TestRFCCompress(t *testing.T) {
	hello := []byte("Hello")
	check := func(level int, want ...string) {
		t.Helper()
		c, s := pair(fullWindow, level)
		for i, w := range want {
			out, err := c.Compress(nil, hello)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(out); got != strings.ReplaceAll(w, " ", "") {
				t.Errorf("level %d message %d: % x, want %s", level, i, out, w)
			}
			back, err := s.Decompress(nil, out, 0)
			if err != nil || string(back) != "Hello" {
				t.Errorf("level %d message %d: back %q, %v", level, i, back, err)
			}
		}
	}
	// §7.2.3.3: klauspost/compress stores a block this short as it is,
	// at every level.
	check(flate.BestSpeed, "00 05 00 fa ff 48 65 6c 6c 6f 00")
	check(flate.DefaultCompression, "00 05 00 fa ff 48 65 6c 6c 6f 00")
	// §7.2.3.6: an empty message is one 0x00 byte.
	c, _ := pair(fullWindow, 6)
	if out, _ := c.Compress(nil, nil); !bytes.Equal(out, []byte{0}) {
		t.Errorf("empty message: % x", out)
	}
}

func texts(n, size int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, 1))
	words := strings.Fields("the quick brown fox jumps over the lazy dog lorem ipsum dolor sit amet " +
		"websocket frame message deflate window context takeover server client {\"id\": 42, \"name\":")
	msgs := make([][]byte, n)
	for i := range msgs {
		var b []byte
		l := r.IntN(size + 1)
		for len(b) < l {
			b = append(b, words[r.IntN(len(words))]...)
			b = append(b, ' ')
		}
		if r.IntN(8) == 0 { // some incompressible data
			b = binary(r, l)
		}
		msgs[i] = b[:l]
	}
	return msgs
}

func binary(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	cases := []Params{
		fullWindow,
		{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		{ServerNoContextTakeover: true, ServerMaxWindowBits: 9, ClientMaxWindowBits: 12},
		{ServerNoContextTakeover: true, ServerMaxWindowBits: 8, ClientMaxWindowBits: 8},
		{ServerMaxWindowBits: 15, ClientMaxWindowBits: 10},
	}
	n := 300
	if race.Enabled || testing.Short() {
		n = 30
	}
	msgs := texts(n, 3000, 1)
	msgs = append(msgs, bytes.Repeat([]byte("abcdefgh"), 20000), nil, []byte("x"))
	for _, level := range []int{flate.HuffmanOnly, flate.BestSpeed, flate.DefaultCompression, flate.BestCompression} {
		for _, p := range cases {
			t.Run(fmt.Sprintf("%d/%+v", level, p), func(t *testing.T) {
				c, s := pair(p, level)
				for _, dir := range []struct {
					name     string
					from, to *Codec
					bits     int
				}{{"c2s", c, s, p.ClientMaxWindowBits}, {"s2c", s, c, p.ServerMaxWindowBits}} {
					var wire, back []byte
					for i, m := range msgs {
						var err error
						wire, err = dir.from.Compress(wire[:0], m)
						if err != nil {
							t.Fatal(err)
						}
						n, dist, err := inspectDeflate(wire)
						if err != nil || n != len(m) {
							t.Fatalf("%s %d: inspect: n=%d of %d, %v", dir.name, i, n, len(m), err)
						}
						if !dir.from.enc.takeover && dist > len(m) || dist >= 1<<dir.bits && dir.bits < 15 {
							t.Fatalf("%s %d: distance %d with window %d bits, message of %d", dir.name, i, dist, dir.bits, len(m))
						}
						back, err = dir.to.Decompress(back[:0], wire, 0)
						if err != nil {
							t.Fatalf("%s %d: %v", dir.name, i, err)
						}
						if !bytes.Equal(back, m) {
							t.Fatalf("%s %d: round trip differs", dir.name, i)
						}
					}
				}
			})
		}
	}
}

// TestContextTakeover checks that context takeover shares the window: the
// same message costs less the second time, and a decoder without the first
// message cannot decode the second.
func TestContextTakeover(t *testing.T) {
	msg := []byte(strings.Repeat("permessage-deflate shares its window. ", 20))
	c, s := pair(fullWindow, 6)
	first, _ := c.Compress(nil, msg)
	second, _ := c.Compress(nil, msg)
	if len(second) >= len(first)/4 {
		t.Errorf("second message %d bytes, first %d", len(second), len(first))
	}
	if _, err := s.Decompress(nil, first, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Decompress(nil, second, 0); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("second: %v", err)
	}
	fresh := newCodec(true, fullWindow, 6, 0)
	if _, err := fresh.Decompress(nil, second, 0); !errors.Is(err, ErrCorrupt) {
		t.Errorf("without the window: %v", err)
	}
}

func TestEncodeMessage(t *testing.T) {
	c := newCodec(false, Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, 1, 10)
	out, rsv, err := c.EncodeMessage([]byte("pre"), []byte("short"), frame.OpText)
	if err != nil || rsv != 0 || string(out) != "preshort" {
		t.Errorf("below threshold: %q %x %v", out, rsv, err)
	}
	long := []byte(strings.Repeat("a", 100))
	out, rsv, err = c.EncodeMessage([]byte("pre"), long, frame.OpText)
	if err != nil || rsv != frame.Rsv1 || !bytes.HasPrefix(out, []byte("pre")) || len(out) > 40 {
		t.Errorf("compressed: % x %x %v", out, rsv, err)
	}
	noise := binary(rand.New(rand.NewPCG(1, 2)), 1000)
	out, rsv, err = c.EncodeMessage(nil, noise, frame.OpBinary)
	if err != nil || rsv != 0 || !bytes.Equal(out, noise) {
		t.Errorf("incompressible without context takeover: rsv %x, %d bytes, %v", rsv, len(out), err)
	}
	// With context takeover every message above the threshold goes
	// through the compressor, to keep the windows in step.
	ct := newCodec(false, fullWindow, 1, 0)
	if _, rsv, _ = ct.EncodeMessage(nil, noise, frame.OpBinary); rsv != frame.Rsv1 {
		t.Error("incompressible with context takeover was not compressed")
	}
	// DecodeMessage passes a message without RSV1 through.
	got, err := c.DecodeMessage([]byte("x"), []byte("plain"), 0, 100)
	if err != nil || string(got) != "xplain" {
		t.Errorf("DecodeMessage without RSV1: %q %v", got, err)
	}
	if _, err := c.DecodeMessage(nil, []byte("plain"), 0, 3); !errors.Is(err, frame.ErrMessageTooBig) {
		t.Errorf("DecodeMessage without RSV1 over the limit: %v", err)
	}
}

// bomb returns the compressed payload of n MiB of zeros: one compressed MiB
// repeated, which is valid as each copy ends with a sync flush and refers
// to nothing before it.
func bomb(t testing.TB, n int) []byte {
	c := newCodec(false, Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, 9, 0)
	one, err := c.Compress(nil, make([]byte, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	one = append(one, syncMarker...)
	out := bytes.Repeat(one, n)
	return out[:len(out)-len(syncMarker)]
}

func TestZipBomb(t *testing.T) {
	payload := bomb(t, 64) // 64 MiB of zeros in about 64 KiB
	t.Logf("64 MiB bomb: %d bytes", len(payload))
	small := payload[:1024] // a valid prefix: 1 KiB that inflates to ~1 MiB
	for _, tt := range []struct {
		payload []byte
		limit   int
	}{{payload, 1 << 20}, {payload, 0}, {small, 64 << 10}} {
		if race.Enabled && tt.limit == 0 {
			continue
		}
		c := newCodec(true, fullWindow, 6, 0)
		out, err := c.Decompress(make([]byte, 0, 16), tt.payload, tt.limit)
		if !errors.Is(err, ErrTooBig) || !errors.Is(err, frame.ErrMessageTooBig) || frame.CloseCodeOf(err) != frame.CloseMessageTooBig {
			t.Fatalf("limit %d: err %v", tt.limit, err)
		}
		if len(out) != 0 {
			t.Errorf("returned %d bytes", len(out))
		}
		// The codec is done for: the connection must fail.
		if _, err := c.Decompress(nil, []byte{0}, 0); !errors.Is(err, ErrTooBig) {
			t.Errorf("after the bomb: %v", err)
		}
	}
	if race.Enabled {
		return
	}
	// Memory stays bounded by the limit.
	allocs := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := newCodec(true, fullWindow, 6, 0)
			c.Decompress(nil, small, 64<<10)
		}
	})
	if per := allocs.AllocedBytesPerOp(); per > 300<<10 {
		t.Errorf("a refused bomb allocates %d bytes", per)
	}
}

func TestLimitExact(t *testing.T) {
	c, s := pair(fullWindow, 6)
	msg := bytes.Repeat([]byte("0123456789"), 100)
	wire, _ := c.Compress(nil, msg)
	if out, err := s.Decompress(nil, wire, len(msg)); err != nil || len(out) != len(msg) {
		t.Fatalf("at the limit: %d %v", len(out), err)
	}
	c, s = pair(fullWindow, 6)
	wire, _ = c.Compress(nil, msg)
	if _, err := s.Decompress(nil, wire, len(msg)-1); !errors.Is(err, ErrTooBig) {
		t.Fatalf("one over: %v", err)
	}
}

func TestNoLimit(t *testing.T) {
	c, s := pair(fullWindow, 6)
	msg := bytes.Repeat([]byte("no limit "), 1000)
	wire, _ := c.Compress(nil, msg)
	if out, err := s.DecodeMessage(nil, wire, frame.Rsv1, math.MaxInt); err != nil || !bytes.Equal(out, msg) {
		t.Fatalf("whole: %v", err)
	}
	wire, _ = c.Compress(nil, msg)
	out, err := io.ReadAll(s.NewReader(bytes.NewReader(wire), math.MaxInt64))
	if err != nil || !bytes.Equal(out, msg) {
		t.Fatalf("streamed: %v", err)
	}
}

func TestCorrupt(t *testing.T) {
	for _, p := range []string{
		"ff",             // reserved block type 3
		"f2 48",          // a block cut short
		"00 05 00 fb ff", // stored length and its complement disagree
		"00 05 00 fa ff 48 65",
		"04 c0 21 00 00", // a distance before the start of the data
	} {
		c := newCodec(true, fullWindow, 6, 0)
		_, err := c.Decompress(nil, unhex(t, p), 0)
		var fe *frame.Error
		if !errors.Is(err, ErrCorrupt) || !errors.As(err, &fe) || fe.Code != frame.CloseInvalidPayload {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestRelease(t *testing.T) {
	c, _ := pair(fullWindow, 6)
	c.Compress(nil, []byte("hello"))
	c.Release()
	if _, err := c.Compress(nil, []byte("x")); err == nil {
		t.Error("Compress after Release")
	}
}

func TestWindow(t *testing.T) {
	w := window{size: 8}
	var all []byte
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		p := binary(r, r.IntN(12))
		all = append(all, p...)
		w.write(p)
		want := all[max(0, len(all)-8):]
		if !bytes.Equal(w.buf, want) {
			t.Fatalf("window % x, want % x", w.buf, want)
		}
	}
}
