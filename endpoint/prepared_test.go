package endpoint

import (
	"bytes"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/race"
)

// sharedXor is xorExt that says its encoding is the same for every
// connection, and counts its encodings.
type sharedXor struct {
	xorExt
	encodes *int
}

func (s sharedXor) EncodeMessage(dst, src []byte, op frame.Opcode) ([]byte, byte, error) {
	*s.encodes++
	return s.xorExt.EncodeMessage(dst, src, op)
}

func (sharedXor) SharedEncoding() (any, bool) { return sharedXorKey, true }

var sharedXorKey = new(int)

// TestWritePrepared sends one PreparedMessage to server Endpoints of every
// kind: each peer receives the message, and the encoding shared by many
// connections is done once.
func TestWritePrepared(t *testing.T) {
	pm, err := NewPreparedMessage(frame.OpText, []byte("to everyone"))
	if err != nil {
		t.Fatal(err)
	}
	encodes := 0
	kinds := []struct {
		name string
		opts []Option
	}{
		{"plain", nil},
		{"plain again", nil},
		{"shared encoding", []Option{Extensions(sharedXor{encodes: &encodes})}},
		{"shared encoding again", []Option{Extensions(sharedXor{encodes: &encodes})}},
		{"own encoding", []Option{Extensions(xorExt{})}},
	}
	for _, k := range kinds {
		var wire bytes.Buffer
		e := New(frame.Server, bytes.NewReader(nil), &wire, k.opts...)
		if err := e.WritePrepared(pm); err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		peer := New(frame.Client, &wire, io.Discard, k.opts...)
		m, err := peer.NextMessage()
		if err != nil || m.Type != frame.OpText || string(m.Data) != "to everyone" {
			t.Errorf("%s: received %v %q, %v", k.name, m.Type, m.Data, err)
		}
	}
	if encodes != 1 {
		t.Errorf("the shared encoding ran %d times for two connections, want once", encodes)
	}
	// A client masks each frame anew: it sends the message as is.
	var wire bytes.Buffer
	c := New(frame.Client, bytes.NewReader(nil), &wire, MaskKeys(fixedKeys))
	if err := c.WritePrepared(pm); err != nil {
		t.Fatal(err)
	}
	frames := decodeAll(t, frame.Client, wire.Bytes())
	if diff := cmp.Diff("to everyone", string(frames[0].payload)); diff != "" || !frames[0].h.Masked {
		t.Errorf("client frame %+v, want the message masked", frames[0].h)
	}
	if _, err := NewPreparedMessage(frame.OpPing, nil); err != ErrOpcode {
		t.Errorf("NewPreparedMessage(ping) = %v, want ErrOpcode", err)
	}
}

// TestWritePreparedAllocs: after the first recipient of its kind, sending
// a prepared message allocates nothing.
func TestWritePreparedAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	pm, _ := NewPreparedMessage(frame.OpBinary, make([]byte, 1<<10))
	var eps []*Endpoint
	encodes := 0
	for i := range 8 {
		var opts []Option
		if i%2 == 1 {
			opts = append(opts, Extensions(sharedXor{encodes: &encodes}))
		}
		eps = append(eps, New(frame.Server, bytes.NewReader(nil), &countWriter{}, opts...))
	}
	for _, e := range eps {
		e.WritePrepared(pm)
	}
	if n := testing.AllocsPerRun(100, func() {
		for _, e := range eps {
			if err := e.WritePrepared(pm); err != nil {
				t.Fatal(err)
			}
		}
	}); n != 0 {
		t.Errorf("%v allocations per fan-out to 8 connections, want 0", n)
	}
}
