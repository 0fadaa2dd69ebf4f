package parser_test

import (
	"github.com/wskit/wskit/internal/frametest"

	"github.com/wskit/wskit/internal/race"

	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// rfcExamples are the examples of RFC 6455 §5.7, byte for byte.
var rfcExamples = []struct {
	name string
	wire []byte
	want []frametest.Frame
}{
	{
		name: "single-frame unmasked text",
		wire: []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
		want: []frametest.Frame{{Type: "*frame.Text", Header: frame.Header{Fin: true, Opcode: frame.OpText, Length: 5}, Payload: []byte("Hello")}},
	},
	{
		name: "single-frame masked text",
		wire: []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
		want: []frametest.Frame{{Type: "*frame.Text", Header: frame.Header{Fin: true, Opcode: frame.OpText, Masked: true, Mask: key, Length: 5}, Payload: []byte("Hello")}},
	},
	{
		name: "fragmented unmasked text",
		wire: []byte{0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f},
		want: []frametest.Frame{
			{Type: "*frame.Text", Header: frame.Header{Opcode: frame.OpText, Length: 3}, Payload: []byte("Hel")},
			{Type: "*frame.Continuation", Header: frame.Header{Fin: true, Opcode: frame.OpContinuation, Length: 2}, Payload: []byte("lo")},
		},
	},
	{
		name: "unmasked ping",
		wire: []byte{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
		want: []frametest.Frame{{Type: "*frame.Ping", Header: frame.Header{Fin: true, Opcode: frame.OpPing, Length: 5}, Payload: []byte("Hello")}},
	},
	{
		name: "masked pong",
		wire: []byte{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
		want: []frametest.Frame{{Type: "*frame.Pong", Header: frame.Header{Fin: true, Opcode: frame.OpPong, Masked: true, Mask: key, Length: 5}, Payload: []byte("Hello")}},
	},
	{
		name: "256 bytes binary",
		wire: append([]byte{0x82, 0x7e, 0x01, 0x00}, repeat(0xab, 256)...),
		want: []frametest.Frame{{Type: "*frame.Binary", Header: frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 256}, Payload: repeat(0xab, 256)}},
	},
	{
		name: "64 KiB binary",
		wire: append([]byte{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}, repeat(0xcd, 65536)...),
		want: []frametest.Frame{{Type: "*frame.Binary", Header: frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 65536}, Payload: repeat(0xcd, 65536)}},
	},
}

func TestRFCExamples(t *testing.T) {
	for _, tt := range rfcExamples {
		t.Run(tt.name, func(t *testing.T) {
			for _, size := range []int{64, parser.DefaultBufferSize, 1 << 20} {
				p := parser.New(bytes.NewReader(tt.wire), parser.BufferSize(size))
				got, err := readAll(p)
				if err != io.EOF {
					t.Errorf("BufferSize(%d): Next error = %v, want io.EOF", size, err)
				}
				if diff := cmp.Diff(tt.want, got, cmpBytes); diff != "" {
					t.Errorf("BufferSize(%d): Next mismatch (-want +got):\n%s", size, diff)
				}
			}

			p := parser.New(nil)
			got, err := feedChunks(p, bytes.Clone(tt.wire), func() int { return len(tt.wire) })
			if err != nil {
				t.Fatalf("Feed: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpBytes); diff != "" {
				t.Errorf("Feed mismatch (-want +got):\n%s", diff)
			}

			p = parser.New(nil)
			got, err = feedChunks(p, bytes.Clone(tt.wire), one)
			if err != nil {
				t.Fatalf("Feed one byte at a time: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpBytes); diff != "" {
				t.Errorf("Feed one byte at a time mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// violations are streams that break the protocol, each after a valid frame.
var violations = []struct {
	name     string
	opts     []parser.Option
	wire     []byte // the offending frame (or its start)
	want     error
	code     frame.CloseCode
	declared int64 // the payload length the header declares
	client   bool  // the parser has the client role: the valid frame before is unmasked
}{
	{
		name:     "2^63-byte length",
		opts:     []parser.Option{parser.Role(frame.Server)},
		wire:     []byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4},
		want:     frame.ErrLengthOverflow,
		code:     frame.CloseProtocolError,
		declared: 1 << 62, // at least
	},
	{
		name:     "1 GiB over the limit",
		opts:     []parser.Option{parser.Role(frame.Server)},
		wire:     []byte{0x82, 0xff, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4, 'x', 'y'},
		want:     frame.ErrFrameTooBig,
		code:     frame.CloseMessageTooBig,
		declared: 1 << 30,
	},
	{
		name:     "1 GiB over a small limit, unmasked at a client",
		opts:     []parser.Option{parser.Role(frame.Client), parser.MaxPayload(1 << 16)},
		wire:     []byte{0x82, 0x7f, 0, 0, 0, 0, 0x40, 0, 0, 0},
		want:     frame.ErrFrameTooBig,
		code:     frame.CloseMessageTooBig,
		declared: 1 << 30,
		client:   true,
	},
	{
		name:     "126-byte control frame",
		opts:     []parser.Option{parser.Role(frame.Server)},
		wire:     append([]byte{0x89, 0xfe, 0x00, 0x7e, 1, 2, 3, 4}, repeat('p', 126)...),
		want:     frame.ErrControlTooLong,
		code:     frame.CloseProtocolError,
		declared: 126,
	},
	{
		name:     "huge close frame",
		opts:     []parser.Option{parser.Role(frame.Server), parser.MaxPayload(1 << 40)},
		wire:     []byte{0x88, 0xff, 0, 0, 0, 0x10, 0, 0, 0, 0, 1, 2, 3, 4},
		want:     frame.ErrControlTooLong,
		code:     frame.CloseProtocolError,
		declared: 1 << 36,
	},
	{
		name: "fragmented ping",
		opts: []parser.Option{parser.Role(frame.Server)},
		wire: []byte{0x09, 0x80, 1, 2, 3, 4},
		want: frame.ErrFragmentedControl,
		code: frame.CloseProtocolError,
	},
	{
		name: "unmasked frame at a server",
		opts: []parser.Option{parser.Role(frame.Server)},
		wire: []byte{0x82, 0x05, 'H', 'e', 'l', 'l', 'o'},
		want: frame.ErrUnmasked,
		code: frame.CloseProtocolError,
	},
	{
		name:     "unmasked 1 GiB frame at a server",
		opts:     []parser.Option{parser.Role(frame.Server), parser.MaxPayload(1 << 31)},
		wire:     []byte{0x82, 0x7f, 0, 0, 0, 0, 0x40, 0, 0, 0},
		want:     frame.ErrUnmasked,
		code:     frame.CloseProtocolError,
		declared: 1 << 30,
	},
	{
		name:   "masked frame at a client",
		opts:   []parser.Option{parser.Role(frame.Client)},
		wire:   []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
		want:   frame.ErrMasked,
		code:   frame.CloseProtocolError,
		client: true,
	},
	{
		name: "reserved data opcode",
		opts: []parser.Option{parser.Role(frame.Server)},
		wire: []byte{0x83, 0x80, 1, 2, 3, 4},
		want: frame.ErrReservedOpcode,
		code: frame.CloseProtocolError,
	},
	{
		name:     "reserved control opcode, 1 GiB",
		opts:     []parser.Option{parser.Role(frame.Server), parser.MaxPayload(1 << 31)},
		wire:     []byte{0x8f, 0xff, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4},
		want:     frame.ErrReservedOpcode,
		code:     frame.CloseProtocolError,
		declared: 1 << 30,
	},
	{
		name: "RSV1 without AllowRsv",
		opts: []parser.Option{parser.Role(frame.Server)},
		wire: []byte{0xc2, 0x80, 1, 2, 3, 4},
		want: frame.ErrReservedBits,
		code: frame.CloseProtocolError,
	},
	{
		name: "RSV2 with only RSV1 allowed",
		opts: []parser.Option{parser.Role(frame.Server), parser.AllowRsv(frame.Rsv1)},
		wire: []byte{0xe2, 0x80, 1, 2, 3, 4},
		want: frame.ErrReservedBits,
		code: frame.CloseProtocolError,
	},
	{
		name:     "non-minimal 64-bit length",
		opts:     []parser.Option{parser.Role(frame.Server)},
		wire:     []byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'},
		want:     frame.ErrNonMinimalLength,
		code:     frame.CloseProtocolError,
		declared: 5,
	},
	{
		name:     "one-byte close payload",
		wire:     []byte{0x88, 0x01, 0x03},
		want:     frame.ErrCloseLength,
		code:     frame.CloseProtocolError,
		declared: 1,
	},
	{
		name:     "close code 1005 on the wire",
		wire:     []byte{0x88, 0x02, 0x03, 0xed},
		want:     frame.ErrCloseCode,
		code:     frame.CloseProtocolError,
		declared: 2,
	},
	{
		name:     "close reason not UTF-8",
		wire:     []byte{0x88, 0x84, 0, 0, 0, 0, 0x03, 0xe8, 0xc3, 0x28},
		want:     frame.ErrCloseReasonUTF8,
		code:     frame.CloseInvalidPayload,
		declared: 4,
	},
}

func TestViolations(t *testing.T) {
	good := []byte{0x82, 0x82, 1, 2, 3, 4, 'o' ^ 1, 'k' ^ 2} // masked "ok"
	unmaskedGood := []byte{0x82, 0x02, 'o', 'k'}
	for _, tt := range violations {
		t.Run(tt.name, func(t *testing.T) {
			first := good
			if tt.client {
				first = unmaskedGood
			}
			stream := append(bytes.Clone(first), tt.wire...)
			wantFirst := []frametest.Frame{{Type: "*frame.Binary", Header: frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 2}, Payload: []byte("ok")}}
			if bytes.Equal(first, good) {
				wantFirst[0].Header.Masked, wantFirst[0].Header.Mask = true, [4]byte{1, 2, 3, 4}
			}

			check := func(mode string, got []frametest.Frame, err error) {
				t.Helper()
				if diff := cmp.Diff(wantFirst, got); diff != "" {
					t.Errorf("%s: frames before the violation mismatch (-want +got):\n%s", mode, diff)
				}
				if !errors.Is(err, tt.want) {
					t.Fatalf("%s: error = %v, want %v", mode, err, tt.want)
				}
				var fe *frame.Error
				if !errors.As(err, &fe) {
					t.Fatalf("%s: error %v is not a *frame.Error", mode, err)
				}
				if fe.Code != tt.code || frame.CloseCodeOf(err) != tt.code {
					t.Errorf("%s: close code = %v, want %v", mode, fe.Code, tt.code)
				}
			}

			// Pull mode, whole stream and one byte per read.
			for _, r := range []struct {
				name string
				r    io.Reader
			}{
				{"Next", bytes.NewReader(stream)},
				{"Next one byte per read", iotest.OneByteReader(bytes.NewReader(stream))},
			} {
				var p *parser.Parser
				var got []frametest.Frame
				var err error
				n := bytesAlloc(func() {
					p = parser.New(r.r, tt.opts...)
					got, err = readAll(p)
				})
				check(r.name, got, err)
				if limit := uint64(64 << 10); n > limit {
					t.Errorf("%s: allocated %d bytes for a frame declaring %d, want at most %d", r.name, n, tt.declared, limit)
				}
				// The violation is final.
				for range 2 {
					if _, err2 := p.Next(); err2 != err {
						t.Errorf("%s: Next after the violation = %v, want %v again", r.name, err2, err)
					}
					if _, err2 := p.NextHeader(); err2 != err {
						t.Errorf("%s: NextHeader after the violation = %v, want %v again", r.name, err2, err)
					}
					if err2 := p.Feed(good, func(frame.Frame) error { return nil }); err2 != err {
						t.Errorf("%s: Feed after the violation = %v, want %v again", r.name, err2, err)
					}
				}
			}

			// Push mode, whole and one byte at a time.
			for _, c := range []struct {
				name string
				size func() int
			}{
				{"Feed", func() int { return len(stream) }},
				{"Feed one byte at a time", one},
			} {
				var p *parser.Parser
				var got []frametest.Frame
				var err error
				n := bytesAlloc(func() {
					p = parser.New(nil, tt.opts...)
					got, err = feedChunks(p, bytes.Clone(stream), c.size)
				})
				check(c.name, got, err)
				if limit := uint64(64 << 10); n > limit {
					t.Errorf("%s: allocated %d bytes for a frame declaring %d, want at most %d", c.name, n, tt.declared, limit)
				}
				for range 2 {
					if err2 := p.Feed(nil, func(frame.Frame) error { return nil }); err2 != err {
						t.Errorf("%s: Feed after the violation = %v, want %v again", c.name, err2, err)
					}
				}
			}

			// Streaming: NextHeader refuses the header itself.
			if tt.declared != 0 && !isHeaderViolation(tt.want) {
				return
			}
			p := parser.New(bytes.NewReader(stream), tt.opts...)
			if _, err := p.NextHeader(); err != nil {
				t.Fatalf("NextHeader(first frame): %v", err)
			}
			_, err := p.NextHeader()
			if !errors.Is(err, tt.want) {
				t.Errorf("NextHeader error = %v, want %v", err, tt.want)
			}
			if _, err2 := p.Next(); err2 != err {
				t.Errorf("Next after the violation = %v, want %v again", err2, err)
			}
		})
	}
}

// isHeaderViolation reports whether err is found in a header alone (and so
// by NextHeader); close frame payloads are checked by Next and Feed.
func isHeaderViolation(err error) bool {
	switch err {
	case frame.ErrCloseLength, frame.ErrCloseCode, frame.ErrCloseReasonUTF8:
		return false
	}
	return true
}

func TestLargeDeclaredLengthGrowsWithData(t *testing.T) {
	// A frame under the limit that declares 1 GiB but brings 100 bytes
	// costs memory for what arrived, not for what was declared.
	wire := append([]byte{0x82, 0xff, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4}, repeat('x', 100)...)
	opts := []parser.Option{parser.Role(frame.Server), parser.MaxPayload(1 << 31)}

	var err error
	var p *parser.Parser
	n := bytesAlloc(func() {
		p = parser.New(bytes.NewReader(wire), opts...)
		_, err = p.Next()
	})
	if err != io.ErrUnexpectedEOF {
		t.Errorf("Next error = %v, want io.ErrUnexpectedEOF", err)
	}
	if n > 1<<20 {
		t.Errorf("Next allocated %d bytes for 114 bytes of a 1 GiB frame", n)
	}
	if got := p.Buffered(); got != len(wire) {
		t.Errorf("Buffered() = %d, want %d", got, len(wire))
	}

	n = bytesAlloc(func() {
		p = parser.New(nil, opts...)
		_, err = feedChunks(p, bytes.Clone(wire), func() int { return 7 })
	})
	if err != nil {
		t.Errorf("Feed error = %v, want nil", err)
	}
	if n > 1<<20 {
		t.Errorf("Feed allocated %d bytes for 114 bytes of a 1 GiB frame", n)
	}
	if got := p.Buffered(); got != len(wire) {
		t.Errorf("Buffered() = %d, want %d", got, len(wire))
	}
}

func TestViolationAllocsPerRun(t *testing.T) {
	// Refusing a frame by its header costs a handful of small allocations
	// (the parser itself), whatever length the header declares.
	wire := []byte{0x82, 0xff, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4}
	var r bytes.Reader
	allocs := testing.AllocsPerRun(20, func() {
		r.Reset(wire)
		p := parser.New(&r, parser.BufferSize(64))
		if _, err := p.Next(); err != frame.ErrFrameTooBig {
			t.Fatalf("Next error = %v, want ErrFrameTooBig", err)
		}
		p = parser.New(nil)
		if err := p.Feed(wire, nil); err != frame.ErrFrameTooBig {
			t.Fatalf("Feed error = %v, want ErrFrameTooBig", err)
		}
	})
	if allocs > 6 {
		t.Errorf("refusing a 1 GiB frame: %v allocs/op, want at most 6", allocs)
	}
}

func TestEndOfStream(t *testing.T) {
	whole := []byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}
	big := append([]byte{0x82, 0x7e, 0x10, 0x00}, repeat('b', 4096)...)
	tests := []struct {
		name string
		wire []byte
		want error
	}{
		{"empty", nil, io.EOF},
		{"whole frame", whole, io.EOF},
		{"one header byte", whole[:1], io.ErrUnexpectedEOF},
		{"header only", whole[:2], io.ErrUnexpectedEOF},
		{"partial payload", whole[:5], io.ErrUnexpectedEOF},
		{"frame then partial header", append(bytes.Clone(whole), 0x82, 0x7e, 0x10), io.ErrUnexpectedEOF},
		{"partial large frame", big[:3000], io.ErrUnexpectedEOF},
		{"partial large frame past the buffer", append(bytes.Clone(whole), big[:4000]...), io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parser.New(bytes.NewReader(tt.wire), parser.BufferSize(64))
			_, err := readAll(p)
			if err != tt.want {
				t.Errorf("Next error = %v, want %v", err, tt.want)
			}
			p = parser.New(iotest.DataErrReader(bytes.NewReader(tt.wire)), parser.BufferSize(64))
			if _, err := readAll(p); err != tt.want {
				t.Errorf("Next error with data and EOF together = %v, want %v", err, tt.want)
			}
			// Push mode: a truncated stream leaves bytes buffered.
			p = parser.New(nil)
			if _, err := feedChunks(p, bytes.Clone(tt.wire), func() int { return 3 }); err != nil {
				t.Fatalf("Feed: %v", err)
			}
			if got := p.Buffered() > 0; got != (tt.want == io.ErrUnexpectedEOF) {
				t.Errorf("Buffered() = %d after Feed, want > 0: %v", p.Buffered(), !got)
			}
		})
	}
}

func TestReaderErrorsAreNotFinal(t *testing.T) {
	boom := errors.New("boom")
	wire := encode(t, false, &frame.Text{Fin: true, Payload: []byte("one")}, &frame.Text{Fin: true, Payload: []byte("two")})
	r := io.MultiReader(bytes.NewReader(wire[:7]), iotest.ErrReader(boom))
	p := parser.New(r)
	f, err := p.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if diff := cmp.Diff("one", string(f.(*frame.Text).Payload)); diff != "" {
		t.Errorf("first frame mismatch (-want +got):\n%s", diff)
	}
	for range 3 {
		if _, err := p.Next(); err != boom {
			t.Fatalf("Next error = %v, want %v", err, boom)
		}
	}
	if got, want := p.Buffered(), 2; got != want {
		t.Errorf("Buffered() = %d, want %d", got, want)
	}
}

func TestNoProgress(t *testing.T) {
	p := parser.New(zeroReader{})
	if _, err := p.Next(); err != io.ErrNoProgress {
		t.Errorf("Next error = %v, want io.ErrNoProgress", err)
	}
	p = parser.New(io.MultiReader(bytes.NewReader([]byte{0x82, 0x7e, 0x10, 0x00}), zeroReader{}), parser.BufferSize(64))
	if _, err := p.Next(); err != io.ErrNoProgress {
		t.Errorf("Next in a large frame error = %v, want io.ErrNoProgress", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestNoReader(t *testing.T) {
	p := parser.New(nil)
	if _, err := p.Next(); err != parser.ErrNoReader {
		t.Errorf("Next error = %v, want ErrNoReader", err)
	}
	if _, err := p.NextHeader(); err != parser.ErrNoReader {
		t.Errorf("NextHeader error = %v, want ErrNoReader", err)
	}
	// Leftover bytes are parsed even without a reader.
	wire := []byte{0x81, 0x02, 'h', 'i', 0x81}
	p = parser.New(nil, parser.Leftover(wire))
	f, err := p.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if diff := cmp.Diff(frametest.Frame{Type: "*frame.Text", Header: frame.Header{Fin: true, Opcode: frame.OpText, Length: 2}, Payload: []byte("hi")}, frametest.Record(f)); diff != "" {
		t.Errorf("Next mismatch (-want +got):\n%s", diff)
	}
	if _, err := p.Next(); err != parser.ErrNoReader {
		t.Errorf("Next error = %v, want ErrNoReader", err)
	}
}

func TestLeftover(t *testing.T) {
	frames := []frame.Frame{
		&frame.Text{Fin: true, Payload: []byte("first")},
		&frame.Binary{Fin: true, Payload: repeat('b', 300)},
		&frame.Ping{Payload: []byte("p")},
		&frame.Binary{Fin: true, Payload: repeat('c', 5000)},
	}
	wire := encode(t, true, frames...)
	var want []frametest.Frame
	for _, f := range frames {
		want = append(want, wantRec(f, true, key))
	}
	for _, cut := range []int{0, 1, 11, 12, 100, 400, 1000, len(wire) - 1, len(wire)} {
		for _, size := range []int{64, 4096} {
			leftover := bytes.Clone(wire[:cut])
			p := parser.New(bytes.NewReader(wire[cut:]), parser.Leftover(leftover), parser.BufferSize(size), parser.Role(frame.Server))
			clear(leftover) // the parser copied it
			got, err := readAll(p)
			if err != io.EOF {
				t.Errorf("cut %d, BufferSize(%d): Next error = %v, want io.EOF", cut, size, err)
			}
			if diff := cmp.Diff(want, got, cmpBytes); diff != "" {
				t.Errorf("cut %d, BufferSize(%d): Next mismatch (-want +got):\n%s", cut, size, diff)
			}
		}
	}
}

func TestReset(t *testing.T) {
	a := encode(t, false, &frame.Text{Fin: true, Payload: []byte("a")}, &frame.Binary{Fin: true, Payload: repeat('x', 9000)})
	b := encode(t, false, &frame.Text{Fin: true, Payload: []byte("b")})
	p := parser.New(bytes.NewReader(a[:100]), parser.AllowRsv(frame.Rsv1), parser.BufferSize(64))
	if _, err := p.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Next(); err != io.ErrUnexpectedEOF {
		t.Fatalf("Next error = %v, want io.ErrUnexpectedEOF", err)
	}
	p.Reset(bytes.NewReader(b))
	if got := p.Buffered(); got != 0 {
		t.Errorf("Buffered() after Reset = %d, want 0", got)
	}
	got, err := readAll(p)
	if err != io.EOF {
		t.Errorf("Next error = %v, want io.EOF", err)
	}
	if diff := cmp.Diff([]frametest.Frame{{Type: "*frame.Text", Header: frame.Header{Fin: true, Opcode: frame.OpText, Length: 1}, Payload: []byte("b")}}, got); diff != "" {
		t.Errorf("Next after Reset mismatch (-want +got):\n%s", diff)
	}
	// A violation is forgotten by Reset; the configuration is kept.
	p.Reset(bytes.NewReader([]byte{0xa1, 0x00}))
	if _, err := p.Next(); err != frame.ErrReservedBits {
		t.Errorf("Next error = %v, want ErrReservedBits", err)
	}
	p.Reset(bytes.NewReader([]byte{0xc1, 0x00}))
	if _, err := p.Next(); err != nil {
		t.Errorf("Next (RSV1 allowed) error = %v, want nil", err)
	}
	// Reset(nil) makes a push-mode parser.
	p.Reset(nil)
	if _, err := p.Next(); err != parser.ErrNoReader {
		t.Errorf("Next after Reset(nil) error = %v, want ErrNoReader", err)
	}
}

func TestRegisterAndAllowIllegal(t *testing.T) {
	wire := []byte{
		0x83, 0x01, 'x', // reserved opcode 0x3
		0x89, 0x7e, 0x00, 0x7e, // a 126-byte ping
	}
	wire = append(wire, repeat('p', 126)...)
	wire = append(wire, 0x09, 0x00, 0xf2, 0x00, 0x88, 0x02, 0x03, 0xec) // fragmented ping, all RSV bits, close code 1004

	p := parser.New(bytes.NewReader(wire))
	if _, err := p.Next(); err != frame.ErrReservedOpcode {
		t.Errorf("Next error = %v, want ErrReservedOpcode", err)
	}

	var seen []string
	ext := func(h frame.Header, payload []byte) (frame.Frame, error) {
		seen = append(seen, string(payload))
		return &frame.Raw{Head: h, Payload: payload}, nil
	}
	p = parser.New(bytes.NewReader(wire), parser.Register(0x3, ext))
	f, err := p.Next()
	if err != nil {
		t.Fatalf("Next with 0x3 registered: %v", err)
	}
	if diff := cmp.Diff(frametest.Frame{Type: "*frame.Raw", Header: frame.Header{Fin: true, Opcode: 0x3, Length: 1}, Payload: []byte("x")}, frametest.Record(f)); diff != "" {
		t.Errorf("registered frame mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"x"}, seen); diff != "" {
		t.Errorf("ParseFunc calls mismatch (-want +got):\n%s", diff)
	}
	if _, err := p.Next(); err != frame.ErrControlTooLong {
		t.Errorf("Next error = %v, want ErrControlTooLong", err)
	}

	p = parser.New(bytes.NewReader(wire), parser.AllowIllegal())
	got, err := readAll(p)
	if err != io.EOF {
		t.Errorf("AllowIllegal: Next error = %v, want io.EOF", err)
	}
	want := []frametest.Frame{
		{Type: "*frame.Raw", Header: frame.Header{Fin: true, Opcode: 0x3, Length: 1}, Payload: []byte("x")},
		// Control frames that break the rules come back as Raw, which keeps
		// the length, the missing FIN and any RSV bits.
		{Type: "*frame.Raw", Header: frame.Header{Fin: true, Opcode: frame.OpPing, Length: 126}, Payload: repeat('p', 126)},
		{Type: "*frame.Raw", Header: frame.Header{Fin: false, Opcode: frame.OpPing}, Payload: nil},
		{Type: "*frame.Binary", Header: frame.Header{Fin: true, Rsv: frame.Rsv1 | frame.Rsv2 | frame.Rsv3, Opcode: frame.OpBinary}, Payload: nil},
	}
	if len(got) != 5 {
		t.Fatalf("AllowIllegal: got %d frames, want 5", len(got))
	}
	if diff := cmp.Diff(want, got[:4], cmpBytes); diff != "" {
		t.Errorf("AllowIllegal mismatch (-want +got):\n%s", diff)
	}
	if got[4].Type != "*frame.Close" {
		t.Errorf("AllowIllegal: last frame %s, want *frame.Close", got[4].Type)
	}
}

func TestBuffered(t *testing.T) {
	wire := encode(t, false, &frame.Text{Fin: true, Payload: []byte("a")}, &frame.Text{Fin: true, Payload: []byte("bc")})
	p := parser.New(bytes.NewReader(wire))
	if _, err := p.Next(); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Buffered(), 4; got != want {
		t.Errorf("Buffered() = %d, want %d", got, want)
	}
	p = parser.New(nil)
	if err := p.Feed(wire[:5], func(frame.Frame) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Buffered(), 2; got != want {
		t.Errorf("Buffered() after Feed = %d, want %d", got, want)
	}
}

func TestPeek(t *testing.T) {
	small := &frame.Text{Fin: true, Payload: []byte("hello")}
	large := &frame.Binary{Fin: true, Payload: repeat('x', 10000)}
	wire := encode(t, true, small, large, &frame.Ping{Payload: []byte("p")})

	// Everything at hand: the small frame is complete, the large one is
	// not (it does not fit the buffer), and Peek consumes nothing.
	p := parser.New(bytes.NewReader(wire), parser.Role(frame.Server))
	for range 2 {
		h, complete, err := p.Peek()
		if err != nil || !complete || h.Opcode != frame.OpText || h.Length != 5 {
			t.Fatalf("Peek = %+v, %v, %v", h, complete, err)
		}
	}
	if f, err := p.Next(); err != nil || string(f.(*frame.Text).Payload) != "hello" {
		t.Fatalf("Next after Peek = %v, %v", f, err)
	}
	h, complete, err := p.Peek()
	if err != nil || complete || h.Opcode != frame.OpBinary || h.Length != 10000 {
		t.Fatalf("Peek large = %+v, %v, %v", h, complete, err)
	}
	// Stream it after peeking.
	if h2, err := p.NextHeader(); err != nil || h2 != h {
		t.Fatalf("NextHeader after Peek = %+v, %v", h2, err)
	}
	got, err := io.ReadAll(p)
	if err != nil || !bytes.Equal(got, large.Payload) {
		t.Fatalf("Read: %d bytes, %v", len(got), err)
	}
	if h, complete, err := p.Peek(); err != nil || !complete || h.Opcode != frame.OpPing {
		t.Fatalf("Peek ping = %+v, %v, %v", h, complete, err)
	}

	// Bytes that trickle in: Peek reads the header only, so the frame is
	// incomplete; Next then finishes it.
	p = parser.New(iotest.OneByteReader(bytes.NewReader(wire)), parser.Role(frame.Server))
	if _, complete, err := p.Peek(); err != nil || complete {
		t.Fatalf("Peek over one-byte reads = %v, %v", complete, err)
	}
	if f, err := p.Next(); err != nil || string(f.(*frame.Text).Payload) != "hello" {
		t.Fatalf("Next = %v, %v", f, err)
	}

	// A reader error in a large frame that Next began: Peek reports it
	// incomplete, and Next resumes it.
	p = parser.New(&timeoutReader{r: bytes.NewReader(wire[6+5:])}, parser.Role(frame.Server))
	peeked := 0
	for {
		_, err := p.Next()
		if err == nil {
			break
		}
		if !isTimeout(err) {
			t.Fatal(err)
		}
		h, complete, err := p.Peek()
		if err == nil && (complete || h.Opcode != frame.OpBinary) || err != nil && !isTimeout(err) {
			t.Fatalf("Peek mid-frame = %+v, %v, %v", h, complete, err)
		}
		if err == nil {
			peeked++
		}
	}
	if peeked == 0 {
		t.Error("Peek never saw the header")
	}

	// A violation in the header is final, as for Next.
	p = parser.New(bytes.NewReader(encode(t, false, small)), parser.Role(frame.Server))
	if _, _, err := p.Peek(); err != frame.ErrUnmasked {
		t.Fatalf("Peek unmasked = %v", err)
	}
	if _, err := p.Next(); err != frame.ErrUnmasked {
		t.Fatalf("Next after the violation = %v", err)
	}
	// The end of the stream.
	p = parser.New(bytes.NewReader(nil))
	if _, _, err := p.Peek(); err != io.EOF {
		t.Fatalf("Peek at the end = %v", err)
	}
}

// TestPeekWholeFrames reads frames that each arrive in one read: Peek finds
// every one complete, however far into its buffer the last one ended.
func TestPeekWholeFrames(t *testing.T) {
	f := &frame.Text{Fin: true, Payload: repeat('a', 1024)}
	var chunks [][]byte
	for range 20 {
		chunks = append(chunks, encode(t, true, f))
	}
	p := parser.New(&chunkReader{chunks: chunks}, parser.Role(frame.Server))
	for i := range chunks {
		if _, complete, err := p.Peek(); err != nil || !complete {
			t.Fatalf("frame %d: Peek = %v, %v", i, complete, err)
		}
		if _, err := p.Next(); err != nil {
			t.Fatal(err)
		}
	}
}

// chunkReader returns one chunk per Read.
type chunkReader struct{ chunks [][]byte }

func (r *chunkReader) Read(b []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(b, r.chunks[0])
	if r.chunks[0] = r.chunks[0][n:]; len(r.chunks[0]) == 0 {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

func TestTimeoutErrorHelper(t *testing.T) {
	// The test reader's error is what a net.Conn returns at its deadline.
	if !isTimeout(os.ErrDeadlineExceeded) {
		t.Fatal("os.ErrDeadlineExceeded is not a timeout")
	}
}

func TestNextAllocs(t *testing.T) {
	if race.Enabled {
		t.Log("allocation counts are not checked under the race detector")
	}
	var b []byte
	for _, n := range []int{0, 16, 125, 1000, 4000, 10000, 64 << 10} {
		var err error
		b, err = frame.AppendMasked(b, &frame.Binary{Fin: true, Payload: repeat('a', n)}, key)
		if err != nil {
			t.Fatal(err)
		}
	}
	r := &loopReader{b: b}
	p := parser.New(r, parser.Role(frame.Server))
	for range 14 { // warm up
		if _, err := p.Next(); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(20, func() {
		for range 7 {
			if _, err := p.Next(); err != nil {
				t.Fatal(err)
			}
		}
	})
	if !race.Enabled && allocs != 0 {
		t.Errorf("Next: %v allocs per 7 frames, want 0", allocs)
	}
	// Push mode: frames held whole are decoded in place; one cut by the
	// chunking is assembled in a pooled buffer.
	src := bytes.Clone(b)
	noop := func(frame.Frame) error { return nil }
	feed := func() {
		for _, size := range []int{len(src), 4096, 1000} {
			for c := src; len(c) > 0; c = c[min(size, len(c)):] {
				if err := p.Feed(c[:min(size, len(c))], noop); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	feed()
	allocs = testing.AllocsPerRun(20, feed)
	if !race.Enabled && allocs != 0 {
		t.Errorf("Feed: %v allocs per 7 frames, want 0", allocs)
	}
}
