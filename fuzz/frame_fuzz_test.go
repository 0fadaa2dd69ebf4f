package fuzz

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
)

func FuzzHeader(f *testing.F) {
	for _, b := range [][]byte{
		{0x81, 0x05},
		{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d},
		{0x82, 0x7e, 0x01, 0x00},
		{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0},
		{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4},
		{0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0},
		{0x82, 0x7e, 0x00, 0x7d},
		{0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff},
		{0xff, 0xff},
		{0x82},
		{},
	} {
		f.Add(b, int64(len(b))*1000, byte(len(b)), byte(0x81))
	}
	f.Fuzz(func(t *testing.T, b []byte, length int64, bits, op byte) {
		// Bytes to a header and back.
		h, n, err := frame.ParseHeader(b)
		rh, rerr := frame.ReadHeader(bytes.NewReader(b))
		switch {
		case len(b) == 0:
			if err != io.ErrUnexpectedEOF || rerr != io.EOF {
				t.Fatalf("empty input: ParseHeader %v, ReadHeader %v", err, rerr)
			}
		case err == io.ErrUnexpectedEOF:
			if n != 0 || len(b) >= 2 && len(b) >= frame.HeaderLen(b) {
				t.Fatalf("ParseHeader(%x): ErrUnexpectedEOF with %d bytes, size %d", b, len(b), n)
			}
			if rerr != io.ErrUnexpectedEOF {
				t.Fatalf("ParseHeader(%x) = %v, ReadHeader = %v", b, err, rerr)
			}
		default:
			if n != frame.HeaderLen(b) || n > len(b) || n > frame.MaxHeaderSize {
				t.Fatalf("ParseHeader(%x) size %d, HeaderLen %d", b, n, frame.HeaderLen(b))
			}
			if rerr != err || err == nil && rh != h {
				t.Fatalf("ParseHeader(%x) = %+v, %v; ReadHeader = %+v, %v", b, h, err, rh, rerr)
			}
		}
		switch {
		case err == nil:
			if h.Length < 0 {
				t.Fatalf("ParseHeader(%x): negative length %d", b, h.Length)
			}
			if got := h.AppendTo(nil); !bytes.Equal(got, b[:n]) {
				t.Fatalf("ParseHeader(%x) = %+v, which encodes to %x", b[:n], h, got)
			}
			if h.Size() != n {
				t.Fatalf("ParseHeader(%x): Size() = %d, want %d", b[:n], h.Size(), n)
			}
		case errors.Is(err, frame.ErrNonMinimalLength):
			// The shortest form decodes to the same header.
			enc := h.AppendTo(nil)
			if len(enc) >= n {
				t.Fatalf("ParseHeader(%x): non-minimal, but %+v encodes in %d bytes", b[:n], h, len(enc))
			}
			if h2, _, err := frame.ParseHeader(enc); err != nil || h2.Length != h.Length {
				t.Fatalf("%+v encodes to %x, which parses to %+v, %v", h, enc, h2, err)
			}
		case errors.Is(err, frame.ErrLengthOverflow):
			if n < 10 || b[2]&0x80 == 0 {
				t.Fatalf("ParseHeader(%x): ErrLengthOverflow without the top bit", b)
			}
		case err == io.ErrUnexpectedEOF:
		default:
			t.Fatalf("ParseHeader(%x): unexpected error %v", b, err)
		}

		// A header to bytes and back.
		if length < 0 {
			length = -(length + 1) // 0 to MaxInt64
		}
		h = frame.Header{
			Fin:    bits&1 != 0,
			Rsv:    bits & (frame.Rsv1 | frame.Rsv2 | frame.Rsv3),
			Opcode: frame.Opcode(op & 0xF),
			Masked: bits&0x02 != 0,
			Length: length,
		}
		if h.Masked && len(b) >= 4 {
			copy(h.Mask[:], b)
		}
		enc := h.AppendTo(nil)
		if len(enc) != h.Size() {
			t.Fatalf("%+v: AppendTo wrote %d bytes, Size() = %d", h, len(enc), h.Size())
		}
		got, n, err := frame.ParseHeader(enc)
		if err != nil || n != len(enc) {
			t.Fatalf("%+v encodes to %x, which parses with size %d, error %v", h, enc, n, err)
		}
		if diff := cmp.Diff(h, got); diff != "" {
			t.Fatalf("AppendTo/ParseHeader mismatch (-want +got):\n%s", diff)
		}
		if h.Length == math.MaxInt64 && len(enc) != 10+4*btoi(h.Masked) {
			t.Fatalf("%+v: %d bytes", h, len(enc))
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func FuzzParseClose(f *testing.F) {
	for _, b := range [][]byte{
		nil,
		{0x03},
		{0x03, 0xe8},
		{0x03, 0xe8, 'b', 'y', 'e'},
		{0x03, 0xed},
		{0x0f, 0xa0, 0xc3, 0xa9},
		{0x03, 0xe8, 0xc3, 0x28},
		{0x13, 0x88},
		{0xff, 0xff, 0xff},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		c := frame.Close{Code: 1234, Reason: "stale"}
		err := frame.ParseClose(payload, &c)
		var fe *frame.Error
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("ParseClose(%x): error %v is not a *frame.Error", payload, err)
		}
		switch {
		case len(payload) == 0:
			if err != nil || c.Code != frame.CloseNoStatus || c.Reason != "" {
				t.Fatalf("ParseClose(empty) = %+v, %v", c, err)
			}
		case len(payload) == 1:
			if err != frame.ErrCloseLength {
				t.Fatalf("ParseClose(%x) = %v, want ErrCloseLength", payload, err)
			}
			return
		case !c.Code.Valid():
			if err != frame.ErrCloseCode || fe.Code != frame.CloseProtocolError {
				t.Fatalf("ParseClose(%x): code %d, error %v; want ErrCloseCode", payload, c.Code, err)
			}
			return
		case !utf8.Valid(payload[2:]):
			if err != frame.ErrCloseReasonUTF8 || fe.Code != frame.CloseInvalidPayload {
				t.Fatalf("ParseClose(%x): error %v, want ErrCloseReasonUTF8", payload, err)
			}
			return
		case err != nil:
			t.Fatalf("ParseClose(%x): unexpected error %v", payload, err)
		}
		if c.Reason != string(payload[min(2, len(payload)):]) {
			t.Fatalf("ParseClose(%x): reason %q", payload, c.Reason)
		}
		// A valid close frame encodes back to its payload, if it fits.
		b, err := frame.Append(nil, &c)
		if len(payload) > frame.MaxControlPayload {
			if err != frame.ErrCloseReasonTooLong {
				t.Fatalf("%+v: Append error %v, want ErrCloseReasonTooLong", c, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%+v: Append: %v", c, err)
		}
		h, n, err := frame.ParseHeader(b)
		if err != nil || h.Opcode != frame.OpClose || !h.Fin || !bytes.Equal(b[n:], payload) {
			t.Fatalf("%+v encodes to %x (%+v, %v), want payload %x", c, b, h, err, payload)
		}
	})
}
