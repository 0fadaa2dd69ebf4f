package streamer_test

import (
	"github.com/wskit/wskit/internal/race"

	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/streamer"
)

var key = [4]byte{0x37, 0xfa, 0x21, 0x3d}

func fixedKey() [4]byte { return key }

// rec is a comparable frame.
type rec struct {
	Header  frame.Header
	Payload string
}

// recWriter records every Write call as one frame, checking that it holds
// exactly one whole frame.
type recWriter struct {
	t      *testing.T
	frames []rec
	raw    bytes.Buffer
}

func (w *recWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.raw.Write(b)
	h, n, err := frame.ParseHeader(b)
	if err != nil {
		w.t.Fatalf("Write of a bad header: %v", err)
	}
	if int64(len(b)-n) != h.Length {
		w.t.Fatalf("Write of %d bytes: header %d + payload %d, want one whole frame", len(b), n, h.Length)
	}
	p := bytes.Clone(b[n:])
	frame.Mask(p, h.Mask, 0)
	w.frames = append(w.frames, rec{h, string(p)})
	return len(b), nil
}

func hdr(fin bool, rsv byte, op frame.Opcode, n int) frame.Header {
	return frame.Header{Fin: fin, Rsv: rsv, Opcode: op, Length: int64(n)}
}

func TestRFCExamples(t *testing.T) {
	tests := []struct {
		name string
		op   frame.Opcode
		opts []streamer.Option
		data string
		want []byte
	}{
		{
			name: "single-frame unmasked text",
			op:   frame.OpText,
			data: "Hello",
			want: []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
		},
		{
			name: "single-frame masked text",
			op:   frame.OpText,
			opts: []streamer.Option{streamer.MaskKeys(fixedKey)},
			data: "Hello",
			want: []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
		},
		{
			name: "fragmented unmasked text",
			op:   frame.OpText,
			opts: []streamer.Option{streamer.FrameSize(3)},
			data: "Hello",
			want: []byte{0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f},
		},
		{
			name: "256 bytes binary",
			op:   frame.OpBinary,
			data: strings.Repeat("\xab", 256),
			want: append([]byte{0x82, 0x7e, 0x01, 0x00}, bytes.Repeat([]byte{0xab}, 256)...),
		},
		{
			name: "64 KiB binary",
			op:   frame.OpBinary,
			opts: []streamer.Option{streamer.FrameSize(1 << 16)},
			data: strings.Repeat("\xcd", 65536),
			want: append([]byte{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}, bytes.Repeat([]byte{0xcd}, 65536)...),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w bytes.Buffer
			s := streamer.New(&w, tt.op, tt.opts...)
			if _, err := io.WriteString(s, tt.data); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(tt.want, w.Bytes()) {
				t.Errorf("Streamer output mismatch (-want +got):\n%s", cmp.Diff(tt.want, w.Bytes()))
			}
		})
	}
}

func TestFragmentation(t *testing.T) {
	tests := []struct {
		name   string
		op     frame.Opcode
		opts   []streamer.Option
		writes []string
		flush  []bool // Flush after writes[i]
		want   []rec
	}{
		{
			name:   "nothing written",
			op:     frame.OpBinary,
			writes: nil,
			want:   []rec{{hdr(true, 0, frame.OpBinary, 0), ""}},
		},
		{
			name:   "empty writes",
			op:     frame.OpText,
			writes: []string{"", ""},
			want:   []rec{{hdr(true, 0, frame.OpText, 0), ""}},
		},
		{
			name:   "under one frame",
			op:     frame.OpText,
			opts:   []streamer.Option{streamer.FrameSize(4)},
			writes: []string{"ab"},
			want:   []rec{{hdr(true, 0, frame.OpText, 2), "ab"}},
		},
		{
			name:   "cut at FrameSize",
			op:     frame.OpText,
			opts:   []streamer.Option{streamer.FrameSize(4), streamer.Rsv(frame.Rsv1)},
			writes: []string{"abcdefghij"},
			want: []rec{
				{hdr(false, frame.Rsv1, frame.OpText, 4), "abcd"},
				{hdr(false, 0, frame.OpContinuation, 4), "efgh"},
				{hdr(true, 0, frame.OpContinuation, 2), "ij"},
			},
		},
		{
			name:   "data ends on a frame boundary",
			op:     frame.OpBinary,
			opts:   []streamer.Option{streamer.FrameSize(4)},
			writes: []string{"abcd", "efgh"},
			want: []rec{
				{hdr(false, 0, frame.OpBinary, 4), "abcd"},
				{hdr(true, 0, frame.OpContinuation, 4), "efgh"},
			},
		},
		{
			name:   "exactly one frame",
			op:     frame.OpBinary,
			opts:   []streamer.Option{streamer.FrameSize(4), streamer.Rsv(frame.Rsv1 | frame.Rsv3)},
			writes: []string{"ab", "cd"},
			want:   []rec{{hdr(true, frame.Rsv1|frame.Rsv3, frame.OpBinary, 4), "abcd"}},
		},
		{
			name:   "small writes",
			op:     frame.OpText,
			opts:   []streamer.Option{streamer.FrameSize(3)},
			writes: []string{"a", "b", "c", "d", "e", "f", "g"},
			want: []rec{
				{hdr(false, 0, frame.OpText, 3), "abc"},
				{hdr(false, 0, frame.OpContinuation, 3), "def"},
				{hdr(true, 0, frame.OpContinuation, 1), "g"},
			},
		},
		{
			name:   "FrameSize(1): one byte a frame",
			op:     frame.OpText,
			opts:   []streamer.Option{streamer.FrameSize(1)},
			writes: []string{"ab"},
			want: []rec{
				{hdr(false, 0, frame.OpText, 1), "a"},
				{hdr(true, 0, frame.OpContinuation, 1), "b"},
			},
		},
		{
			name:   "flush",
			op:     frame.OpText,
			opts:   []streamer.Option{streamer.FrameSize(10), streamer.Rsv(frame.Rsv1)},
			writes: []string{"ab", "", "cd"},
			flush:  []bool{true, true, false},
			want: []rec{
				{hdr(false, frame.Rsv1, frame.OpText, 2), "ab"},
				{hdr(true, 0, frame.OpContinuation, 2), "cd"},
			},
		},
		{
			name:   "flush then close",
			op:     frame.OpBinary,
			writes: []string{"xyz"},
			flush:  []bool{true},
			want: []rec{
				{hdr(false, 0, frame.OpBinary, 3), "xyz"},
				{hdr(true, 0, frame.OpContinuation, 0), ""},
			},
		},
		{
			name:   "flush before anything",
			op:     frame.OpBinary,
			writes: []string{""},
			flush:  []bool{true},
			want:   []rec{{hdr(true, 0, frame.OpBinary, 0), ""}},
		},
		{
			name:   "default FrameSize",
			op:     frame.OpBinary,
			writes: []string{strings.Repeat("x", streamer.DefaultFrameSize+1)},
			want: []rec{
				{hdr(false, 0, frame.OpBinary, streamer.DefaultFrameSize), strings.Repeat("x", streamer.DefaultFrameSize)},
				{hdr(true, 0, frame.OpContinuation, 1), "x"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &recWriter{t: t}
			s := streamer.New(w, tt.op, tt.opts...)
			for i, d := range tt.writes {
				n, err := s.Write([]byte(d))
				if n != len(d) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", d, n, err)
				}
				if i < len(tt.flush) && tt.flush[i] {
					if err := s.Flush(); err != nil {
						t.Fatalf("Flush: %v", err)
					}
				}
			}
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if diff := cmp.Diff(tt.want, w.frames); diff != "" {
				t.Errorf("frames mismatch (-want +got):\n%s", diff)
			}

			// ReadFrom sends the same frames when nothing is flushed.
			if tt.flush != nil {
				return
			}
			for _, r := range []struct {
				name string
				r    func(string) io.Reader
			}{
				{"ReadFrom", func(s string) io.Reader { return strings.NewReader(s) }},
				{"ReadFrom one byte at a time", func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) }},
				{"ReadFrom with data and EOF together", func(s string) io.Reader { return iotest.DataErrReader(strings.NewReader(s)) }},
			} {
				w := &recWriter{t: t}
				s := streamer.New(w, tt.op, tt.opts...)
				all := strings.Join(tt.writes, "")
				n, err := s.ReadFrom(r.r(all))
				if n != int64(len(all)) || err != nil {
					t.Fatalf("%s = %d, %v; want %d, nil", r.name, n, err, len(all))
				}
				if err := s.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if diff := cmp.Diff(tt.want, w.frames); diff != "" {
					t.Errorf("%s: frames mismatch (-want +got):\n%s", r.name, diff)
				}
			}
		})
	}
}

func TestMaskedParsesBack(t *testing.T) {
	data := make([]byte, 100000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	orig := bytes.Clone(data)
	for _, opts := range [][]streamer.Option{
		{streamer.Masked()},
		{streamer.Masked(), streamer.FrameSize(1000)},
		{streamer.MaskKeys(fixedKey), streamer.FrameSize(125)},
	} {
		var w bytes.Buffer
		s := streamer.New(&w, frame.OpBinary, opts...)
		if _, err := s.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(orig, data) {
			t.Fatal("masking changed the caller's bytes")
		}
		p := parser.New(&w, parser.Role(frame.Server)) // refuses unmasked frames
		var got []byte
		for i := 0; ; i++ {
			f, err := p.Next()
			if err != nil {
				t.Fatalf("frame %d: Next: %v", i, err)
			}
			h := f.Header()
			if want := i == 0; (h.Opcode == frame.OpBinary) != want {
				t.Fatalf("frame %d: opcode %v", i, h.Opcode)
			}
			pl, _ := f.AppendPayload(nil)
			got = append(got, pl...)
			if h.Fin {
				break
			}
		}
		if !bytes.Equal(data, got) {
			t.Errorf("parsed message differs from the written one (%d vs %d bytes)", len(got), len(data))
		}
		if _, err := p.Next(); err != io.EOF {
			t.Errorf("Next at the end = %v, want io.EOF", err)
		}
	}
}

func TestMaskKeyPerFrame(t *testing.T) {
	// Every frame is masked with a key of its own.
	i := byte(0)
	keys := func() [4]byte { i++; return [4]byte{i, i, i, i} }
	w := &recWriter{t: t}
	s := streamer.New(w, frame.OpText, streamer.MaskKeys(keys), streamer.FrameSize(2))
	io.WriteString(s, "abcde")
	s.Close()
	want := []rec{
		{frame.Header{Opcode: frame.OpText, Masked: true, Mask: [4]byte{1, 1, 1, 1}, Length: 2}, "ab"},
		{frame.Header{Opcode: frame.OpContinuation, Masked: true, Mask: [4]byte{2, 2, 2, 2}, Length: 2}, "cd"},
		{frame.Header{Fin: true, Opcode: frame.OpContinuation, Masked: true, Mask: [4]byte{3, 3, 3, 3}, Length: 1}, "e"},
	}
	if diff := cmp.Diff(want, w.frames); diff != "" {
		t.Errorf("frames mismatch (-want +got):\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	for _, op := range []frame.Opcode{frame.OpContinuation, frame.OpClose, frame.OpPing, frame.OpPong, 0xB} {
		var w bytes.Buffer
		s := streamer.New(&w, op)
		if n, err := s.Write([]byte("x")); n != 0 || err != streamer.ErrOpcode {
			t.Errorf("opcode %v: Write = %d, %v; want 0, ErrOpcode", op, n, err)
		}
		if _, err := s.ReadFrom(strings.NewReader("x")); err != streamer.ErrOpcode {
			t.Errorf("opcode %v: ReadFrom error = %v, want ErrOpcode", op, err)
		}
		if err := s.Flush(); err != streamer.ErrOpcode {
			t.Errorf("opcode %v: Flush error = %v, want ErrOpcode", op, err)
		}
		if err := s.Close(); err != streamer.ErrOpcode {
			t.Errorf("opcode %v: Close error = %v, want ErrOpcode", op, err)
		}
		if w.Len() != 0 {
			t.Errorf("opcode %v: wrote %d bytes", op, w.Len())
		}
	}
	// A reserved data opcode is allowed, for extensions.
	var w bytes.Buffer
	s := streamer.New(&w, 0x3)
	if err := s.Close(); err != nil {
		t.Errorf("opcode 0x3: Close: %v", err)
	}

	s = streamer.New(&w, frame.OpText)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Write([]byte("late")); n != 0 || err != streamer.ErrClosed {
		t.Errorf("Write after Close = %d, %v; want 0, ErrClosed", n, err)
	}
	if _, err := s.ReadFrom(strings.NewReader("late")); err != streamer.ErrClosed {
		t.Errorf("ReadFrom after Close error = %v, want ErrClosed", err)
	}
	if err := s.Flush(); err != streamer.ErrClosed {
		t.Errorf("Flush after Close error = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != streamer.ErrClosed {
		t.Errorf("second Close error = %v, want ErrClosed", err)
	}

	// Reset makes a closed Streamer usable again.
	w.Reset()
	s.Reset(&w, frame.OpBinary, streamer.FrameSize(2))
	if _, err := s.Write([]byte("abc")); err != nil {
		t.Fatalf("Write after Reset: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]byte{0x02, 0x02, 'a', 'b', 0x80, 0x01, 'c'}, w.Bytes()); diff != "" {
		t.Errorf("after Reset mismatch (-want +got):\n%s", diff)
	}
}

type failWriter struct {
	ok    int // writes that succeed
	calls int
}

var errWrite = errors.New("write failed")

func (w *failWriter) Write(b []byte) (int, error) {
	w.calls++
	if w.calls > w.ok {
		return 0, errWrite
	}
	return len(b), nil
}

func TestWriterError(t *testing.T) {
	w := &failWriter{ok: 1}
	s := streamer.New(w, frame.OpBinary, streamer.FrameSize(2))
	// "ab" is sent when "c" arrives; "cd" when "e" arrives, and fails.
	n, err := s.Write([]byte("abcdef"))
	if err != errWrite || n != 4 {
		t.Errorf("Write = %d, %v; want 4, %v", n, err, errWrite)
	}
	if n, err := s.Write([]byte("g")); n != 0 || err != errWrite {
		t.Errorf("Write after a failure = %d, %v; want 0, %v", n, err, errWrite)
	}
	if err := s.Close(); err != errWrite {
		t.Errorf("Close after a failure = %v, want %v", err, errWrite)
	}
	if w.calls != 2 {
		t.Errorf("the writer was called %d times after failing, want 2 in all", w.calls)
	}

	w = &failWriter{}
	s = streamer.New(w, frame.OpBinary)
	if err := s.Close(); err != errWrite {
		t.Errorf("Close = %v, want %v", err, errWrite)
	}

	boom := errors.New("read failed")
	s = streamer.New(&bytes.Buffer{}, frame.OpBinary)
	if n, err := s.ReadFrom(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom))); n != 3 || err != boom {
		t.Errorf("ReadFrom = %d, %v; want 3, %v", n, err, boom)
	}
}

func TestAllocs(t *testing.T) {
	if race.Enabled {
		t.Log("allocation counts are not checked under the race detector")
	}
	data := make([]byte, 40000)
	var s streamer.Streamer
	opts := []streamer.Option{streamer.MaskKeys(fixedKey), streamer.FrameSize(16 << 10)}
	send := func() {
		s.Reset(io.Discard, frame.OpBinary, opts...)
		if _, err := s.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	send()
	allocs := testing.AllocsPerRun(50, send)
	if !race.Enabled && allocs != 0 {
		t.Errorf("Reset+Write+Close: %v allocs/op, want 0", allocs)
	}
	var r bytes.Reader
	readFrom := func() {
		s.Reset(io.Discard, frame.OpBinary, opts...)
		r.Reset(data)
		if _, err := s.ReadFrom(&r); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	readFrom()
	allocs = testing.AllocsPerRun(50, readFrom)
	if !race.Enabled && allocs != 0 {
		t.Errorf("Reset+ReadFrom+Close: %v allocs/op, want 0", allocs)
	}
}

func TestReaderFrom(t *testing.T) {
	// A Streamer is an io.ReaderFrom: io.Copy uses ReadFrom.
	var w bytes.Buffer
	s := streamer.New(&w, frame.OpText, streamer.FrameSize(4))
	n, err := io.Copy(s, strings.NewReader("0123456789"))
	if n != 10 || err != nil {
		t.Fatalf("io.Copy = %d, %v", n, err)
	}
	s.Close()
	want := []byte{0x01, 0x04, '0', '1', '2', '3', 0x00, 0x04, '4', '5', '6', '7', 0x80, 0x02, '8', '9'}
	if diff := cmp.Diff(want, w.Bytes()); diff != "" {
		t.Errorf("io.Copy output mismatch (-want +got):\n%s", diff)
	}
}

// TestFrameSizeConventions: 0 means the default; a negative size is
// impossible and every call says so.
func TestFrameSizeConventions(t *testing.T) {
	var b bytes.Buffer
	s := streamer.New(&b, frame.OpBinary, streamer.FrameSize(0))
	s.Write(make([]byte, streamer.DefaultFrameSize+1))
	s.Close()
	frames := 0
	p := parser.New(&b)
	for _, err := p.Next(); err == nil; _, err = p.Next() {
		frames++
	}
	if frames != 2 {
		t.Errorf("FrameSize(0): %d frames for DefaultFrameSize+1 bytes, want 2", frames)
	}
	s = streamer.New(&b, frame.OpBinary, streamer.FrameSize(-1))
	if _, err := s.Write([]byte("x")); !errors.Is(err, streamer.ErrConfig) {
		t.Errorf("Write with FrameSize(-1) = %v, want ErrConfig", err)
	}
	if err := s.Close(); !errors.Is(err, streamer.ErrConfig) {
		t.Errorf("Close with FrameSize(-1) = %v, want ErrConfig", err)
	}
}
