package frame_test

import (
	"github.com/wskit/wskit/internal/race"

	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wskit/wskit/frame"
)

var cmpEmpty = cmpopts.EquateEmpty()

// rec is a comparable view of a Frame: its type, header and payload.
type rec struct {
	Type    string
	Header  frame.Header
	Payload []byte
	Err     string // from AppendPayload
}

func record(f frame.Frame) rec {
	r := rec{Type: fmt.Sprintf("%T", f), Header: f.Header()}
	p, err := f.AppendPayload(nil)
	r.Payload = p
	if err != nil {
		r.Err = err.Error()
	}
	return r
}

func repeat(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

// rfcExamples are the examples of RFC 6455 §5.7, byte for byte.
var rfcExamples = []struct {
	name  string
	f     []frame.Frame // the frames, unmasked
	masks [][4]byte     // per frame: the key it is masked with, or nil
	wire  []byte
}{
	{
		name: "single-frame unmasked text",
		f:    []frame.Frame{&frame.Text{Fin: true, Payload: []byte("Hello")}},
		wire: []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
	},
	{
		name:  "single-frame masked text",
		f:     []frame.Frame{&frame.Text{Fin: true, Payload: []byte("Hello")}},
		masks: [][4]byte{key},
		wire:  []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
	},
	{
		name: "fragmented unmasked text",
		f: []frame.Frame{
			&frame.Text{Payload: []byte("Hel")},
			&frame.Continuation{Fin: true, Payload: []byte("lo")},
		},
		wire: []byte{0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f},
	},
	{
		name: "unmasked ping",
		f:    []frame.Frame{&frame.Ping{Payload: []byte("Hello")}},
		wire: []byte{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
	},
	{
		name:  "masked pong",
		f:     []frame.Frame{&frame.Pong{Payload: []byte("Hello")}},
		masks: [][4]byte{key},
		wire:  []byte{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
	},
	{
		name: "256 bytes binary",
		f:    []frame.Frame{&frame.Binary{Fin: true, Payload: repeat(0xab, 256)}},
		wire: append([]byte{0x82, 0x7e, 0x01, 0x00}, repeat(0xab, 256)...),
	},
	{
		name: "64 KiB binary",
		f:    []frame.Frame{&frame.Binary{Fin: true, Payload: repeat(0xcd, 65536)}},
		wire: append([]byte{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}, repeat(0xcd, 65536)...),
	},
}

func TestRFCExamplesEncode(t *testing.T) {
	for _, tt := range rfcExamples {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			var w bytes.Buffer
			for i, f := range tt.f {
				var err error
				if tt.masks != nil {
					got, err = frame.AppendMasked(got, f, tt.masks[i])
					if err == nil {
						_, err = frame.WriteMasked(&w, f, tt.masks[i])
					}
				} else {
					got, err = frame.Append(got, f)
					if err == nil {
						_, err = frame.Write(&w, f)
					}
				}
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
			}
			if diff := cmp.Diff(tt.wire, got); diff != "" {
				t.Errorf("Append mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wire, w.Bytes()); diff != "" {
				t.Errorf("Write mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// decodeAll decodes the frames in b with ParseHeader, Mask and a Decoder.
func decodeAll(t *testing.T, b []byte) []rec {
	t.Helper()
	var d frame.Decoder
	var out []rec
	b = bytes.Clone(b)
	for len(b) > 0 {
		h, n, err := frame.ParseHeader(b)
		if err != nil {
			t.Fatalf("ParseHeader: %v", err)
		}
		payload := b[n : n+int(h.Length)]
		if h.Masked {
			frame.Mask(payload, h.Mask, 0)
		}
		f, err := d.Decode(h, payload)
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		out = append(out, record(f))
		b = b[n+int(h.Length):]
	}
	return out
}

func TestRFCExamplesDecode(t *testing.T) {
	for _, tt := range rfcExamples {
		t.Run(tt.name, func(t *testing.T) {
			var want []rec
			for i, f := range tt.f {
				r := record(f)
				if tt.masks != nil {
					r.Header.Masked, r.Header.Mask = true, tt.masks[i]
				}
				want = append(want, r)
			}
			got := decodeAll(t, tt.wire)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodedFrameReencodes(t *testing.T) {
	// A decoded frame remembers its masking: encoding it again gives the
	// bytes it came from.
	for _, tt := range rfcExamples {
		t.Run(tt.name, func(t *testing.T) {
			var d frame.Decoder
			b := bytes.Clone(tt.wire)
			var got []byte
			for len(b) > 0 {
				h, n, err := frame.ParseHeader(b)
				if err != nil {
					t.Fatal(err)
				}
				payload := b[n : n+int(h.Length)]
				frame.Mask(payload, h.Mask, 0) // a zero key when unmasked
				f, err := d.Decode(h, payload)
				if err != nil {
					t.Fatal(err)
				}
				if got, err = frame.Append(got, f); err != nil {
					t.Fatal(err)
				}
				b = b[n+int(h.Length):]
			}
			if diff := cmp.Diff(tt.wire, got); diff != "" {
				t.Errorf("re-encoded mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestControlTooLongOnSend(t *testing.T) {
	tests := []struct {
		f       frame.Frame
		wantErr error
	}{
		{&frame.Ping{Payload: repeat('p', 125)}, nil},
		{&frame.Ping{Payload: repeat('p', 126)}, frame.ErrControlTooLong},
		{&frame.Pong{Payload: repeat('p', 125)}, nil},
		{&frame.Pong{Payload: repeat('p', 126)}, frame.ErrControlTooLong},
		{&frame.Pong{Payload: repeat('p', 70000)}, frame.ErrControlTooLong},
	}
	for _, tt := range tests {
		h := tt.f.Header()
		got, err := frame.Append([]byte("keep"), tt.f)
		if err != tt.wantErr {
			t.Errorf("Append(%v, %d bytes) error = %v, want %v", h.Opcode, h.Length, err, tt.wantErr)
			continue
		}
		if err != nil {
			if string(got) != "keep" {
				t.Errorf("Append(%v, %d bytes) after an error = %q, want dst unchanged", h.Opcode, h.Length, got)
			}
			var w bytes.Buffer
			if n, err := frame.Write(&w, tt.f); err != tt.wantErr || n != 0 || w.Len() != 0 {
				t.Errorf("Write(%v, %d bytes) = %d, %v (%d bytes written), want 0, %v", h.Opcode, h.Length, n, err, w.Len(), tt.wantErr)
			}
			if _, err := frame.AppendMasked(nil, tt.f, key); err != tt.wantErr {
				t.Errorf("AppendMasked(%v, %d bytes) error = %v, want %v", h.Opcode, h.Length, err, tt.wantErr)
			}
			continue
		}
		if want := 4 + 2 + 125; len(got) != want {
			t.Errorf("Append(%v, 125 bytes) = %d bytes, want %d", h.Opcode, len(got), want)
		}
	}
}

func TestRawWritesIllegalFrames(t *testing.T) {
	tests := []struct {
		name string
		f    frame.Raw
		want []byte
	}{
		{
			name: "200-byte ping",
			f:    frame.Raw{Head: frame.Header{Fin: true, Opcode: frame.OpPing, Length: 200}, Payload: repeat('p', 200)},
			want: append([]byte{0x89, 0x7e, 0x00, 0xc8}, repeat('p', 200)...),
		},
		{
			name: "fragmented close",
			f:    frame.Raw{Head: frame.Header{Opcode: frame.OpClose, Length: 2}, Payload: []byte{0x03, 0xe8}},
			want: []byte{0x08, 0x02, 0x03, 0xe8},
		},
		{
			name: "reserved opcode with RSV bits",
			f:    frame.Raw{Head: frame.Header{Fin: true, Rsv: frame.Rsv2 | frame.Rsv3, Opcode: 0x5, Length: 1}, Payload: []byte{'x'}},
			want: []byte{0xb5, 0x01, 'x'},
		},
		{
			name: "length that does not match the payload",
			f:    frame.Raw{Head: frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 100}, Payload: []byte("short")},
			want: []byte{0x82, 0x64, 's', 'h', 'o', 'r', 't'},
		},
		{
			name: "invalid close code, masked",
			f:    frame.Raw{Head: frame.Header{Fin: true, Opcode: frame.OpClose, Masked: true, Mask: key, Length: 2}, Payload: []byte{0x03, 0xed}},
			want: []byte{0x88, 0x82, 0x37, 0xfa, 0x21, 0x3d, 0x03 ^ 0x37, 0xed ^ 0xfa},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f.AppendBinary(nil)
			if err != nil {
				t.Fatalf("AppendBinary: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("AppendBinary mismatch (-want +got):\n%s", diff)
			}
			var w bytes.Buffer
			if n, err := tt.f.WriteTo(&w); err != nil || n != int64(len(tt.want)) {
				t.Fatalf("WriteTo = %d, %v; want %d, nil", n, err, len(tt.want))
			}
			if diff := cmp.Diff(tt.want, w.Bytes()); diff != "" {
				t.Errorf("WriteTo mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFrameMethods(t *testing.T) {
	// Every frame type's AppendBinary and WriteTo produce what Append does.
	frames := []interface {
		frame.Frame
		AppendBinary([]byte) ([]byte, error)
		WriteTo(io.Writer) (int64, error)
	}{
		&frame.Text{Fin: true, Rsv: frame.Rsv1, Payload: []byte("text")},
		&frame.Binary{Payload: []byte{0, 1, 2}},
		&frame.Continuation{Fin: true, Payload: []byte("cont")},
		&frame.Close{Code: frame.CloseNormal, Reason: "done"},
		&frame.Ping{Payload: []byte("ping")},
		&frame.Pong{},
		&frame.Raw{Head: frame.Header{Opcode: 0x3, Length: 1}, Payload: []byte{9}},
	}
	for _, f := range frames {
		want, err := frame.Append(nil, f)
		if err != nil {
			t.Fatalf("Append(%T): %v", f, err)
		}
		got, err := f.AppendBinary([]byte{})
		if err != nil {
			t.Fatalf("AppendBinary(%T): %v", f, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%T.AppendBinary mismatch (-want +got):\n%s", f, diff)
		}
		var w bytes.Buffer
		n, err := f.WriteTo(&w)
		if err != nil || n != int64(len(want)) {
			t.Errorf("%T.WriteTo = %d, %v; want %d, nil", f, n, err, len(want))
		}
		if diff := cmp.Diff(want, w.Bytes()); diff != "" {
			t.Errorf("%T.WriteTo mismatch (-want +got):\n%s", f, diff)
		}
		if got := frame.HeaderLen(want) + int(f.Header().Length); got != len(want) {
			t.Errorf("%T: header + Length = %d, encoded %d bytes", f, got, len(want))
		}
	}
}

type errWriter struct{ n int }

func (w errWriter) Write(p []byte) (int, error) { return min(w.n, len(p)), io.ErrShortWrite }

func TestWriteError(t *testing.T) {
	n, err := frame.Write(errWriter{3}, &frame.Text{Fin: true, Payload: []byte("Hello")})
	if n != 3 || err != io.ErrShortWrite {
		t.Errorf("Write = %d, %v; want 3, io.ErrShortWrite", n, err)
	}
}

func TestAppendMaskedLeavesPayload(t *testing.T) {
	payload := []byte("Hello")
	f := &frame.Text{Fin: true, Payload: payload}
	if _, err := frame.AppendMasked(nil, f, key); err != nil {
		t.Fatal(err)
	}
	if _, err := frame.WriteMasked(io.Discard, f, key); err != nil {
		t.Fatal(err)
	}
	if string(payload) != "Hello" {
		t.Errorf("masking changed the caller's payload to %q", payload)
	}
	if f.Header().Masked {
		t.Error("AppendMasked marked the frame itself masked")
	}
}

func TestDecoderRegister(t *testing.T) {
	var d frame.Decoder
	for op := frame.Opcode(0); op < 0x20; op++ {
		err := d.Register(op, nil)
		wantOK := op <= 0xF && op.IsReserved()
		if (err == nil) != wantOK {
			t.Errorf("Register(%v) error = %v, want ok=%v", op, err, wantOK)
		}
		if !wantOK && err != frame.ErrNotReserved {
			t.Errorf("Register(%v) error = %v, want ErrNotReserved", op, err)
		}
	}

	type ext struct {
		frame.Raw
		Seen string
	}
	var got []string
	fn := func(h frame.Header, payload []byte) (frame.Frame, error) {
		got = append(got, fmt.Sprintf("%v:%s", h.Opcode, payload))
		return &ext{Raw: frame.Raw{Head: h, Payload: payload}, Seen: "yes"}, nil
	}
	d = frame.Decoder{}
	h := frame.Header{Fin: true, Opcode: 0x3, Length: 2}
	if d.Registered(0x3) {
		t.Error("Registered(0x3) before Register")
	}
	if _, err := d.Decode(h, []byte("ab")); err != frame.ErrReservedOpcode {
		t.Errorf("Decode(unregistered 0x3) error = %v, want ErrReservedOpcode", err)
	}
	if err := d.Register(0x3, fn); err != nil {
		t.Fatalf("Register(0x3): %v", err)
	}
	if !d.Registered(0x3) || d.Registered(0x4) || !d.Registered(frame.OpText) || d.Registered(0x13) {
		t.Error("Registered reports the wrong opcodes")
	}
	f, err := d.Decode(h, []byte("ab"))
	if err != nil {
		t.Fatalf("Decode(registered 0x3): %v", err)
	}
	if e, ok := f.(*ext); !ok || e.Seen != "yes" {
		t.Errorf("Decode(registered 0x3) = %T, want *ext from the ParseFunc", f)
	}
	if diff := cmp.Diff([]string{"reserved(0x3):ab"}, got); diff != "" {
		t.Errorf("ParseFunc calls mismatch (-want +got):\n%s", diff)
	}
	// Defined opcodes cannot be replaced.
	if err := d.Register(frame.OpText, fn); err != frame.ErrNotReserved {
		t.Errorf("Register(text) error = %v, want ErrNotReserved", err)
	}
	if f, err := d.Decode(frame.Header{Fin: true, Opcode: frame.OpText, Length: 1}, []byte("t")); err != nil {
		t.Errorf("Decode(text): %v", err)
	} else if _, ok := f.(*frame.Text); !ok {
		t.Errorf("Decode(text) = %T, want *frame.Text", f)
	}
}

func TestDecoderLenient(t *testing.T) {
	tests := []struct {
		name    string
		h       frame.Header
		payload []byte
		want    rec
		wantErr error // strict Decoder
	}{
		{
			name:    "reserved opcode",
			h:       frame.Header{Fin: true, Opcode: 0xC, Length: 1},
			payload: []byte{1},
			want:    rec{Type: "*frame.Raw", Header: frame.Header{Fin: true, Opcode: 0xC, Length: 1}, Payload: []byte{1}},
			wantErr: frame.ErrReservedOpcode,
		},
		{
			name:    "close with a bad code",
			h:       frame.Header{Fin: true, Opcode: frame.OpClose, Length: 2},
			payload: []byte{0x03, 0xec},
			want:    rec{Type: "*frame.Close", Header: frame.Header{Fin: true, Opcode: frame.OpClose, Length: 2}, Err: frame.ErrCloseCodeNotSendable.Error()},
			wantErr: frame.ErrCloseCode,
		},
		{
			name:    "close with invalid UTF-8",
			h:       frame.Header{Fin: true, Opcode: frame.OpClose, Length: 3},
			payload: []byte{0x03, 0xe8, 0xff},
			want:    rec{Type: "*frame.Close", Header: frame.Header{Fin: true, Opcode: frame.OpClose, Length: 3}, Err: frame.ErrCloseReasonUTF8.Error()},
			wantErr: frame.ErrCloseReasonUTF8,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			strict := frame.Decoder{}
			if _, err := strict.Decode(tt.h, tt.payload); err != tt.wantErr {
				t.Errorf("strict Decode error = %v, want %v", err, tt.wantErr)
			}
			lenient := frame.Decoder{Lenient: true}
			f, err := lenient.Decode(tt.h, tt.payload)
			if err != nil {
				t.Fatalf("lenient Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, record(f), cmpEmpty); diff != "" {
				t.Errorf("lenient Decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeAllocs(t *testing.T) {
	var d frame.Decoder
	payload := []byte("Hello")
	headers := []frame.Header{
		{Fin: true, Opcode: frame.OpText, Length: 5},
		{Opcode: frame.OpBinary, Length: 5},
		{Fin: true, Opcode: frame.OpContinuation, Length: 5},
		{Fin: true, Opcode: frame.OpPing, Length: 5},
		{Fin: true, Opcode: frame.OpPong, Length: 5, Masked: true, Mask: key},
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, h := range headers {
			if _, err := d.Decode(h, payload); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Decode: %v allocs/op, want 0", allocs)
	}
}

func TestAppendAllocs(t *testing.T) {
	buf := make([]byte, 0, 1024)
	frames := []frame.Frame{
		&frame.Text{Fin: true, Payload: []byte(strings.Repeat("a", 300))},
		&frame.Ping{Payload: []byte("ping")},
		&frame.Close{Code: frame.CloseNormal, Reason: "bye"},
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, f := range frames {
			var err error
			if buf, err = frame.Append(buf[:0], f); err != nil {
				t.Fatal(err)
			}
			if buf, err = frame.AppendMasked(buf[:0], f, key); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Append+AppendMasked into a reused buffer: %v allocs/op, want 0", allocs)
	}
	if !race.Enabled { // the race detector makes sync.Pool drop buffers
		allocs = testing.AllocsPerRun(100, func() {
			for _, f := range frames {
				if _, err := frame.Write(io.Discard, f); err != nil {
					t.Fatal(err)
				}
				if _, err := frame.WriteMasked(io.Discard, f, key); err != nil {
					t.Fatal(err)
				}
			}
		})
		if allocs != 0 {
			t.Errorf("Write+WriteMasked: %v allocs/op, want 0", allocs)
		}
	}
}

func TestErrorsAreDistinct(t *testing.T) {
	all := []error{
		frame.ErrLengthOverflow, frame.ErrNonMinimalLength, frame.ErrReservedOpcode,
		frame.ErrReservedBits, frame.ErrControlTooLong, frame.ErrFragmentedControl,
		frame.ErrUnmasked, frame.ErrMasked, frame.ErrCloseLength, frame.ErrCloseCode,
		frame.ErrCloseReasonUTF8, frame.ErrFrameTooBig,
	}
	for i, a := range all {
		for j, b := range all {
			if (i == j) != errors.Is(a, b) {
				t.Errorf("errors.Is(%v, %v) = %v", a, b, errors.Is(a, b))
			}
		}
	}
}

func TestWriteAllocsMixedSizes(t *testing.T) {
	if race.Enabled {
		t.Log("the race detector makes sync.Pool drop buffers; checking output only")
	}
	// Mostly small frames with an occasional large one: the large frame
	// must not allocate a fresh buffer each time.
	small := &frame.Binary{Fin: true, Payload: make([]byte, 16)}
	large := &frame.Binary{Fin: true, Payload: make([]byte, 64<<10)}
	var w countWriter
	allocs := testing.AllocsPerRun(50, func() {
		for range 30 {
			if _, err := frame.Write(&w, small); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := frame.WriteMasked(&w, large, key); err != nil {
			t.Fatal(err)
		}
	})
	if !race.Enabled && allocs != 0 {
		t.Errorf("Write of mixed sizes: %v allocs/op, want 0", allocs)
	}
	if want := 51 * (30*18 + 4 + 10 + 64<<10); w.n != want {
		t.Errorf("wrote %d bytes, want %d", w.n, want)
	}
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func TestLenientKeepsIllegalControlHeaders(t *testing.T) {
	tests := []frame.Header{
		{Fin: false, Opcode: frame.OpPing, Length: 3},
		{Fin: true, Rsv: frame.Rsv1, Opcode: frame.OpPong, Length: 3},
		{Fin: true, Opcode: frame.OpClose, Length: 126},
	}
	for _, h := range tests {
		d := frame.Decoder{Lenient: true}
		payload := make([]byte, h.Length)
		f, err := d.Decode(h, payload)
		if err != nil {
			t.Fatalf("Decode(%+v): %v", h, err)
		}
		raw, ok := f.(*frame.Raw)
		if !ok {
			t.Fatalf("Decode(%+v) = %T, want *frame.Raw", h, f)
		}
		if diff := cmp.Diff(h, raw.Header()); diff != "" {
			t.Errorf("header lost bits (-want +got):\n%s", diff)
		}
	}
}
