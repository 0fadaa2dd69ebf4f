package frame_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
)

var key = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// headerTests are headers with their exact wire form.
var headerTests = []struct {
	name string
	h    frame.Header
	wire []byte
}{
	{
		name: "empty unmasked",
		h:    frame.Header{Fin: true, Opcode: frame.OpText},
		wire: []byte{0x81, 0x00},
	},
	{
		name: "7-bit 125 unmasked",
		h:    frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 125},
		wire: []byte{0x82, 0x7d},
	},
	{
		name: "7-bit masked",
		h:    frame.Header{Fin: true, Opcode: frame.OpText, Masked: true, Mask: key, Length: 5},
		wire: []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d},
	},
	{
		name: "16-bit 126 unmasked",
		h:    frame.Header{Opcode: frame.OpBinary, Length: 126},
		wire: []byte{0x02, 0x7e, 0x00, 0x7e},
	},
	{
		name: "16-bit 65535 masked",
		h:    frame.Header{Fin: true, Opcode: frame.OpContinuation, Masked: true, Mask: key, Length: 65535},
		wire: []byte{0x80, 0xfe, 0xff, 0xff, 0x37, 0xfa, 0x21, 0x3d},
	},
	{
		name: "64-bit 65536 unmasked",
		h:    frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 65536},
		wire: []byte{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0},
	},
	{
		name: "64-bit max masked",
		h:    frame.Header{Opcode: frame.OpText, Masked: true, Mask: [4]byte{1, 2, 3, 4}, Length: math.MaxInt64},
		wire: []byte{0x01, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4},
	},
	{
		name: "rsv1",
		h:    frame.Header{Fin: true, Rsv: frame.Rsv1, Opcode: frame.OpText, Length: 1},
		wire: []byte{0xc1, 0x01},
	},
	{
		name: "rsv2",
		h:    frame.Header{Fin: true, Rsv: frame.Rsv2, Opcode: frame.OpBinary, Length: 2},
		wire: []byte{0xa2, 0x02},
	},
	{
		name: "rsv3",
		h:    frame.Header{Rsv: frame.Rsv3, Opcode: frame.OpContinuation},
		wire: []byte{0x10, 0x00},
	},
	{
		name: "all rsv bits masked",
		h:    frame.Header{Fin: true, Rsv: frame.Rsv1 | frame.Rsv2 | frame.Rsv3, Opcode: frame.OpPing, Masked: true, Mask: key},
		wire: []byte{0xf9, 0x80, 0x37, 0xfa, 0x21, 0x3d},
	},
	{
		name: "reserved opcode",
		h:    frame.Header{Fin: true, Opcode: 0xB, Length: 3},
		wire: []byte{0x8b, 0x03},
	},
	{
		name: "illegal long ping",
		h:    frame.Header{Fin: true, Opcode: frame.OpPing, Length: 200},
		wire: []byte{0x89, 0x7e, 0x00, 0xc8},
	},
}

func TestHeaderAppendTo(t *testing.T) {
	for _, tt := range headerTests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("xy")
			got := tt.h.AppendTo(prefix)
			if diff := cmp.Diff(append([]byte("xy"), tt.wire...), got); diff != "" {
				t.Errorf("AppendTo mismatch (-want +got):\n%s", diff)
			}
			if got, want := tt.h.Size(), len(tt.wire); got != want {
				t.Errorf("Size() = %d, want %d", got, want)
			}
		})
	}
}

func TestParseHeader(t *testing.T) {
	for _, tt := range headerTests {
		t.Run(tt.name, func(t *testing.T) {
			// Trailing bytes (a payload) must not matter.
			in := append(append([]byte{}, tt.wire...), 0xaa, 0xbb)
			h, n, err := frame.ParseHeader(in)
			if err != nil {
				t.Fatalf("ParseHeader: %v", err)
			}
			if n != len(tt.wire) {
				t.Errorf("ParseHeader size = %d, want %d", n, len(tt.wire))
			}
			if diff := cmp.Diff(tt.h, h); diff != "" {
				t.Errorf("ParseHeader mismatch (-want +got):\n%s", diff)
			}
			if got := frame.HeaderLen(in); got != len(tt.wire) {
				t.Errorf("HeaderLen = %d, want %d", got, len(tt.wire))
			}
			// Every strict prefix is incomplete.
			for i := range len(tt.wire) {
				if _, n, err := frame.ParseHeader(tt.wire[:i]); err != io.ErrUnexpectedEOF || n != 0 {
					t.Errorf("ParseHeader(%d of %d bytes) = %d, %v; want 0, io.ErrUnexpectedEOF", i, len(tt.wire), n, err)
				}
			}
		})
	}
}

func TestReadHeader(t *testing.T) {
	for _, tt := range headerTests {
		t.Run(tt.name, func(t *testing.T) {
			payload := []byte("payload")
			readers := map[string]io.Reader{
				"whole":    bytes.NewReader(append(append([]byte{}, tt.wire...), payload...)),
				"one byte": iotest.OneByteReader(bytes.NewReader(append(append([]byte{}, tt.wire...), payload...))),
			}
			for rname, r := range readers {
				h, err := frame.ReadHeader(r)
				if err != nil {
					t.Fatalf("%s: ReadHeader: %v", rname, err)
				}
				if diff := cmp.Diff(tt.h, h); diff != "" {
					t.Errorf("%s: ReadHeader mismatch (-want +got):\n%s", rname, diff)
				}
				// ReadHeader reads no byte of the payload.
				rest, _ := io.ReadAll(r)
				if diff := cmp.Diff(payload, rest); diff != "" {
					t.Errorf("%s: bytes after the header mismatch (-want +got):\n%s", rname, diff)
				}
			}
			// Truncated headers.
			if _, err := frame.ReadHeader(bytes.NewReader(nil)); err != io.EOF {
				t.Errorf("ReadHeader(empty) error = %v, want io.EOF", err)
			}
			for i := 1; i < len(tt.wire); i++ {
				if _, err := frame.ReadHeader(bytes.NewReader(tt.wire[:i])); err != io.ErrUnexpectedEOF {
					t.Errorf("ReadHeader(%d of %d bytes) error = %v, want io.ErrUnexpectedEOF", i, len(tt.wire), err)
				}
			}
		})
	}
}

func TestReadHeaderReaderError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader([]byte{0x82, 0x7e, 0x01}), iotest.ErrReader(boom))
	if _, err := frame.ReadHeader(r); err != boom {
		t.Errorf("ReadHeader error = %v, want %v", err, boom)
	}
}

func TestParseHeaderBadLength(t *testing.T) {
	tests := []struct {
		name string
		wire []byte
		want error
		len  int64
	}{
		{"16-bit 0", []byte{0x82, 0x7e, 0x00, 0x00}, frame.ErrNonMinimalLength, 0},
		{"16-bit 125", []byte{0x82, 0x7e, 0x00, 0x7d}, frame.ErrNonMinimalLength, 125},
		{"64-bit 0", []byte{0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0}, frame.ErrNonMinimalLength, 0},
		{"64-bit 125", []byte{0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0, 125}, frame.ErrNonMinimalLength, 125},
		{"64-bit 126", []byte{0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0, 126}, frame.ErrNonMinimalLength, 126},
		{"64-bit 65535", []byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4}, frame.ErrNonMinimalLength, 65535},
		{"2^63", []byte{0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0}, frame.ErrLengthOverflow, 0},
		{"2^64-1", []byte{0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}, frame.ErrLengthOverflow, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, n, err := frame.ParseHeader(tt.wire)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseHeader error = %v, want %v", err, tt.want)
			}
			if n != len(tt.wire) {
				t.Errorf("ParseHeader size = %d, want %d", n, len(tt.wire))
			}
			if h.Length != tt.len {
				t.Errorf("ParseHeader Length = %d, want %d", h.Length, tt.len)
			}
			var fe *frame.Error
			if !errors.As(err, &fe) || fe.Code != frame.CloseProtocolError {
				t.Errorf("ParseHeader error %v: want a *frame.Error with code 1002", err)
			}
			if _, err := frame.ReadHeader(bytes.NewReader(tt.wire)); !errors.Is(err, tt.want) {
				t.Errorf("ReadHeader error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHeaderValidate(t *testing.T) {
	tests := []struct {
		h    frame.Header
		want error
	}{
		{frame.Header{Fin: true, Opcode: frame.OpPing, Length: 125}, nil},
		{frame.Header{Fin: true, Opcode: frame.OpPong, Length: 126}, frame.ErrControlTooLong},
		{frame.Header{Fin: true, Opcode: frame.OpClose, Length: 1 << 40}, frame.ErrControlTooLong},
		{frame.Header{Fin: false, Opcode: frame.OpPing}, frame.ErrFragmentedControl},
		{frame.Header{Fin: false, Opcode: frame.OpClose, Length: 2}, frame.ErrFragmentedControl},
		{frame.Header{Fin: true, Opcode: 0xB, Length: 126}, frame.ErrControlTooLong},
		{frame.Header{Fin: false, Opcode: frame.OpText, Length: 1 << 20}, nil},
		{frame.Header{Fin: false, Opcode: frame.OpContinuation}, nil},
	}
	for _, tt := range tests {
		if err := tt.h.Validate(); err != tt.want {
			t.Errorf("%+v.Validate() = %v, want %v", tt.h, err, tt.want)
		}
	}
}

func TestHeaderAllocs(t *testing.T) {
	h := frame.Header{Fin: true, Opcode: frame.OpBinary, Masked: true, Mask: key, Length: 70000}
	buf := make([]byte, 0, frame.MaxHeaderSize)
	wire := h.AppendTo(nil)
	r := bytes.NewReader(wire)
	allocs := testing.AllocsPerRun(100, func() {
		buf = h.AppendTo(buf[:0])
		if _, _, err := frame.ParseHeader(buf); err != nil {
			t.Fatal(err)
		}
		r.Reset(wire)
		if _, err := frame.ReadHeader(r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("AppendTo+ParseHeader+ReadHeader: %v allocs/op, want 0", allocs)
	}
}

func TestHeaderSizeMatchesAppendTo(t *testing.T) {
	// Size agrees with AppendTo for every length, even an illegal negative one.
	for _, l := range []int64{0, 125, 126, 65535, 65536, math.MaxInt64, -1, math.MinInt64} {
		for _, masked := range []bool{false, true} {
			h := frame.Header{Opcode: frame.OpBinary, Length: l, Masked: masked}
			if got, want := h.Size(), len(h.AppendTo(nil)); got != want {
				t.Errorf("Header{Length: %d, Masked: %v}.Size() = %d, AppendTo wrote %d bytes", l, masked, got, want)
			}
		}
	}
}
