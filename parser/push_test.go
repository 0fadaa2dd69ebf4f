package parser_test

import (
	"github.com/wskit/wskit/internal/frametest"

	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

func TestPushMatchesPull(t *testing.T) {
	rng := rand.New(rand.NewPCG(6455, 4))
	stream, want := randStream(t, rng, 60)
	opts := []parser.Option{parser.AllowRsv(allRsv)}

	pull, err := readAll(parser.New(bytes.NewReader(stream), opts...))
	if err != io.EOF {
		t.Fatalf("Next error = %v, want io.EOF", err)
	}
	if diff := cmp.Diff(want, pull, cmpBytes); diff != "" {
		t.Fatalf("Next mismatch (-want +got):\n%s", diff)
	}

	chunkings := []struct {
		name string
		size func() int
	}{
		{"one byte", one},
		{"two bytes", func() int { return 2 }},
		{"13 bytes", func() int { return 13 }},
		{"random small", func() int { return rng.IntN(20) }}, // zero-length chunks too
		{"random large", func() int { return 1 + rng.IntN(70000) }},
		{"whole", func() int { return len(stream) }},
	}
	for _, c := range chunkings {
		p := parser.New(nil, opts...)
		got, err := feedChunks(p, bytes.Clone(stream), c.size)
		if err != nil {
			t.Fatalf("%s: Feed error = %v", c.name, err)
		}
		if diff := cmp.Diff(pull, got, cmpBytes); diff != "" {
			t.Errorf("%s: Feed mismatch with Next (-pull +push):\n%s", c.name, diff)
		}
		if p.Buffered() != 0 {
			t.Errorf("%s: Buffered() = %d at the end, want 0", c.name, p.Buffered())
		}
	}
}

func TestFeedCallbackError(t *testing.T) {
	rng := rand.New(rand.NewPCG(6455, 5))
	stream, want := randStream(t, rng, 12)
	stop := errors.New("stop")
	for stopAt := range want {
		for _, chunk := range []int{len(stream), 1000, 7} {
			p := parser.New(nil, parser.AllowRsv(allRsv))
			var got []frametest.Frame
			fn := func(f frame.Frame) error {
				got = append(got, frametest.Record(f))
				if len(got) == stopAt+1 {
					return stop
				}
				return nil
			}
			src := bytes.Clone(stream)
			stopped := false
			for len(src) > 0 {
				n := min(chunk, len(src))
				err := p.Feed(src[:n], fn)
				src = src[n:]
				if err == stop {
					stopped = true
					// The callback's error is not final: the bytes not yet
					// parsed are kept for the next call.
					if got, want := len(got), stopAt+1; got != want {
						t.Fatalf("stop at %d, chunk %d: %d frames before the error, want %d", stopAt, chunk, got, want)
					}
					err = p.Feed(nil, fn)
				}
				if err != nil {
					t.Fatalf("stop at %d, chunk %d: Feed error = %v", stopAt, chunk, err)
				}
			}
			if !stopped {
				t.Fatalf("stop at %d, chunk %d: the callback's error never came back", stopAt, chunk)
			}
			if diff := cmp.Diff(want, got, cmpBytes); diff != "" {
				t.Errorf("stop at %d, chunk %d: frames mismatch (-want +got):\n%s", stopAt, chunk, diff)
			}
			if p.Buffered() != 0 {
				t.Errorf("stop at %d, chunk %d: Buffered() = %d at the end", stopAt, chunk, p.Buffered())
			}
		}
	}
}

func TestFeedStopsEveryFrame(t *testing.T) {
	// A callback that stops at every frame still sees every frame once,
	// with Feed(nil, fn) driving the rest.
	rng := rand.New(rand.NewPCG(6455, 6))
	stream, want := randStream(t, rng, 30)
	stop := errors.New("stop")
	p := parser.New(nil, parser.AllowRsv(allRsv))
	var got []frametest.Frame
	fn := func(f frame.Frame) error { got = append(got, frametest.Record(f)); return stop }
	err := p.Feed(bytes.Clone(stream), fn)
	for err == stop {
		err = p.Feed(nil, fn)
	}
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpBytes); diff != "" {
		t.Errorf("frames mismatch (-want +got):\n%s", diff)
	}
}

func TestFeedInPlace(t *testing.T) {
	// A frame held whole is unmasked inside the caller's bytes and aliases them.
	b := []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	p := parser.New(nil, parser.Role(frame.Server))
	err := p.Feed(b, func(f frame.Frame) error {
		payload := f.(*frame.Text).Payload
		if &payload[0] != &b[6] {
			t.Error("the payload does not alias the fed bytes")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("Hello", string(b[6:])); diff != "" {
		t.Errorf("fed bytes after Feed mismatch (-want +got):\n%s", diff)
	}
}
