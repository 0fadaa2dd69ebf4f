package parser_test

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

func TestComplete(t *testing.T) {
	short := encode(t, true, &frame.Text{Fin: true, Payload: []byte("hello")})                 // 6-byte header
	medium := encode(t, true, &frame.Binary{Fin: true, Payload: bytes.Repeat([]byte{7}, 200)}) // 16-bit length
	huge := []byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}                          // 2^63 bytes declared

	for _, tt := range []struct {
		name string
		left []byte // given with parser.Leftover; the reader has nothing
		want bool
	}{
		{"nothing buffered", nil, false},
		{"one byte", short[:1], false},
		{"header only", short[:6], false},
		{"one byte short", short[:len(short)-1], false},
		{"whole 7-bit frame", short, true},
		{"whole 16-bit frame", medium, true},
		{"16-bit frame one byte short", medium[:len(medium)-1], false},
		{"16-bit length cut", medium[:3], false},
		{"whole frame and part of the next", append(append([]byte(nil), short...), medium[:5]...), true},
		{"2^63 bytes declared", huge, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := parser.New(bytes.NewReader(nil), parser.Role(frame.Server), parser.Leftover(tt.left))
			if got := p.Complete(); got != tt.want {
				t.Errorf("Complete() = %v, want %v", got, tt.want)
			}
			if !tt.want {
				return
			}
			// Next must then return the frame without reading: the
			// reader would fail.
			p = parser.New(iotest.ErrReader(errNoRead), parser.Role(frame.Server), parser.Leftover(tt.left))
			if _, err := p.Next(); err != nil {
				t.Errorf("Next after Complete: %v", err)
			}
		})
	}
}

// TestCompleteAlongAStream asks Complete before every Next, over a reader
// that yields one byte at a time and over one that yields everything: it is
// true exactly when Next's frame is already buffered.
func TestCompleteAlongAStream(t *testing.T) {
	stream := encode(t, true,
		&frame.Text{Fin: true, Payload: []byte("a")},
		&frame.Ping{Payload: []byte("p")},
		&frame.Binary{Fin: true, Payload: bytes.Repeat([]byte{1}, 300)},
	)
	for _, tt := range []struct {
		name string
		p    *parser.Parser
		want []bool
	}{
		{"one byte per read", parser.New(iotest.OneByteReader(bytes.NewReader(stream)), parser.Role(frame.Server)), []bool{false, false, false}},
		{"all at once", parser.New(bytes.NewReader(stream), parser.Role(frame.Server)), []bool{false, true, true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []bool
			for range tt.want {
				got = append(got, tt.p.Complete())
				if _, err := tt.p.Next(); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Complete before each Next (-want +got):\n%s", diff)
			}
			if tt.p.Complete() {
				t.Error("Complete at the end of the stream")
			}
		})
	}
}

var errNoRead = errors.New("the parser read")
