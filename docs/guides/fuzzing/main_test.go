package main

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

func TestProbes(t *testing.T) {
	want := map[string][]string{
		"text":                   {`text "HELLO"`, "close 1000"},
		"ping between fragments": {`pong "p"`, `text "HELLO"`, "close 1000"},
		"200-byte ping":          {"close 1002"},
		"fragmented close":       {"close 1002"},
		"reserved opcode 3":      {"close 1002"},
		"invalid UTF-8":          {"close 1007"},
		"continuation first":     {"close 1002"},
		"unmasked":               {"close 1002"},
		"binary":                 {"close 1003"},
	}
	for _, p := range probes {
		got, err := probe(p.frames)
		if err != nil || !slices.Equal(got, want[p.name]) {
			t.Errorf("%s: %q %v, want %q", p.name, got, err, want[p.name])
		}
	}
}

// FuzzShout feeds any bytes to shout as the client's side of the
// connection. Whatever they are, shout must not panic, must not hang, and
// must send only valid frames: unmasked, well formed, messages in order
// and in UTF-8, and nothing after its close frame.
func FuzzShout(f *testing.F) {
	// Seeds: masked frames, so that mutations get past the masking check.
	for _, frames := range [][]frame.Frame{
		{&frame.Text{Fin: true, Payload: []byte("hello")}, &frame.Close{Code: frame.CloseNormal}},
		{&frame.Text{Payload: []byte("he")}, &frame.Ping{Payload: []byte("p")}, &frame.Continuation{Fin: true, Payload: []byte("llo")}},
		{&frame.Binary{Fin: true, Payload: []byte{0}}},
	} {
		var seed []byte
		for _, fr := range frames {
			seed, _ = frame.AppendMasked(seed, fr, key)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		ep := endpoint.New(frame.Server, bytes.NewReader(in), &out,
			endpoint.MaxMessage(1<<16), endpoint.CloseTimeout(time.Second))
		shout(ep)

		// The bytes are in hand: push mode parses them without a reader.
		// A client-role parser refuses masked frames, as a client must.
		p := parser.New(nil, parser.Role(frame.Client))
		var d endpoint.Defragmenter // checks order and UTF-8
		closed := false
		err := p.Feed(out.Bytes(), func(fr frame.Frame) error {
			if closed {
				t.Fatalf("frame after close: %v", fr.Header())
			}
			switch fr.(type) {
			case *frame.Close:
				closed = true
			case *frame.Text, *frame.Binary, *frame.Continuation:
				_, _, err := d.Add(fr)
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatalf("shout sent an invalid stream: %v\n% x", err, out.Bytes())
		}
		if p.Buffered() != 0 {
			t.Fatalf("shout sent a partial frame: % x", out.Bytes())
		}
	})
}
