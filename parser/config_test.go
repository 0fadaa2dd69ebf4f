package parser_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// TestImpossibleOptions: an option that cannot be honoured makes every
// call fail with ErrConfig, in both modes, instead of being ignored.
func TestImpossibleOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  parser.Option
		also error
	}{
		{"negative buffer size", parser.BufferSize(-1), nil},
		{"Register of a defined opcode", parser.Register(frame.OpText, nil), frame.ErrNotReserved},
		{"Register of an opcode past 15", parser.Register(16, nil), frame.ErrNotReserved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parser.New(bytes.NewReader([]byte{0x81, 0x00}), tc.opt)
			_, err := p.Next()
			if !errors.Is(err, parser.ErrConfig) || tc.also != nil && !errors.Is(err, tc.also) {
				t.Errorf("Next = %v, want ErrConfig (and %v)", err, tc.also)
			}
			if err2 := p.Feed([]byte{0x81, 0x00}, func(frame.Frame) error { return nil }); err2 != err {
				t.Errorf("Feed = %v, want %v again", err2, err)
			}
			p.Reset(bytes.NewReader(nil))
			if _, err3 := p.Next(); err3 != err {
				t.Errorf("Next after Reset = %v, want %v again", err3, err)
			}
		})
	}
}

// TestLimitConventions: 0 means the default, a negative limit none.
func TestLimitConventions(t *testing.T) {
	big := frame.Header{Fin: true, Opcode: frame.OpBinary, Length: parser.DefaultMaxPayload + 1}
	hdr := big.AppendTo(nil)
	for _, tc := range []struct {
		name string
		opts []parser.Option
		want error
	}{
		{"default", nil, frame.ErrFrameTooBig},
		{"MaxPayload(0) is the default", []parser.Option{parser.MaxPayload(0)}, frame.ErrFrameTooBig},
		{"MaxPayload(-1) is no limit", []parser.Option{parser.MaxPayload(-1)}, nil},
		{"BufferSize(0) is the default", []parser.Option{parser.BufferSize(0), parser.MaxPayload(-1)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parser.New(bytes.NewReader(hdr), tc.opts...)
			_, _, err := p.Peek()
			if !errors.Is(err, tc.want) {
				t.Errorf("Peek = %v, want %v", err, tc.want)
			}
		})
	}
}
