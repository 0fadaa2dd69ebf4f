package fuzz

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/pmce"
)

// session is everything an Endpoint did with a byte stream: the messages it
// delivered and the events its hooks heard, in order, the bytes it wrote
// back, and its final error.
type session struct {
	Events []string
	Out    []byte
	Err    string
}

// endpointOptions turns the fuzzer's cfg byte into Endpoint options. Every
// ping is answered at once (PingBurst(-1)): which pings of a run are
// answered depends, by design, on how the bytes arrive, and the two modes
// see them arrive differently.
func endpointOptions(t *testing.T, cfg byte, ev *[]string) []endpoint.Option {
	opts := []endpoint.Option{
		endpoint.PingBurst(-1),
		endpoint.MaxMessage([]int64{1 << 16, 100, 5000, 1 << 20}[cfg&3]),
		endpoint.MaxFragments([]int{0, 4}[cfg>>2&1]),
		endpoint.OnPing(func(p []byte) { *ev = append(*ev, fmt.Sprintf("ping %q", p)) }),
		endpoint.OnPong(func(p []byte, _ time.Duration) { *ev = append(*ev, fmt.Sprintf("pong %q", p)) }),
		endpoint.OnClose(func(c frame.CloseCode, r string) { *ev = append(*ev, fmt.Sprintf("close %d %q", c, r)) }),
	}
	if cfg&8 != 0 {
		// permessage-deflate, as a server agrees it with no context
		// takeover; the codec is deterministic, so both modes write alike.
		ext, err := pmce.New(pmce.Config{ServerNoContextTakeover: true, ClientNoContextTakeover: true})
		if err != nil {
			t.Fatal(err)
		}
		_, agreed, ok, err := ext.Negotiate([][]handshake.Param{nil})
		if err != nil || !ok {
			t.Fatalf("negotiating permessage-deflate: %v", err)
		}
		opts = append(opts, endpoint.Extensions(agreed.(endpoint.Codec)))
	}
	return opts
}

func message(ev *[]string) func(endpoint.Message) error {
	return func(m endpoint.Message) error {
		*ev = append(*ev, fmt.Sprintf("message %v %q", m.Type, m.Data))
		return nil
	}
}

// blocking runs a server Endpoint made by New over the whole stream.
func blocking(t *testing.T, data []byte, cfg byte) session {
	var s session
	var w bytes.Buffer
	e := endpoint.New(frame.Server, bytes.NewReader(data), &w, endpointOptions(t, cfg, &s.Events)...)
	deliver := message(&s.Events)
	for {
		var m endpoint.Message
		var err error
		if cfg&0x10 == 0 {
			m, err = e.NextMessage()
		} else {
			m.Type, m.Data, err = readWhole(e)
		}
		if err != nil {
			s.Err = err.Error()
			break
		}
		deliver(m)
	}
	s.Out = w.Bytes()
	return s
}

// readWhole reads a message with NextReader.
func readWhole(e *endpoint.Endpoint) (frame.Opcode, []byte, error) {
	op, r, err := e.NextReader()
	if err != nil {
		return 0, nil, err
	}
	data, err := io.ReadAll(r)
	return op, data, err
}

// assemble joins FeedStream's pieces into messages for deliver.
func assemble(deliver func(endpoint.Message) error) func(endpoint.Piece) error {
	var m endpoint.Message
	return func(p endpoint.Piece) error {
		if p.First {
			m = endpoint.Message{Type: p.Type, Data: []byte{}}
		}
		m.Data = append(m.Data, p.Data...)
		if p.Last {
			return deliver(m)
		}
		return nil
	}
}

// pushed runs a server Endpoint made by NewPush over the stream cut into
// chunks whose sizes come from seed.
func pushed(t *testing.T, data []byte, cfg byte, seed uint64) session {
	var s session
	var w bytes.Buffer
	e := endpoint.NewPush(frame.Server, &w, endpointOptions(t, cfg, &s.Events)...)
	deliver := message(&s.Events)
	pieces := assemble(deliver)
	var err error
	for len(data) > 0 && err == nil {
		seed = seed*6364136223846793005 + 1442695040888963407
		n := min(len(data), 1+int(seed>>33)%(2*len(data)))
		if seed>>20&3 == 0 {
			n = 1
		}
		// The caller's buffer is reused after Feed: clobber it.
		chunk := bytes.Clone(data[:n])
		if cfg&0x10 == 0 {
			err = e.Feed(chunk, deliver)
		} else {
			err = e.FeedStream(chunk, pieces)
		}
		for i := range chunk {
			chunk[i] = 0xAA
		}
		data = data[n:]
	}
	if err == nil {
		err = e.FeedEOF()
	}
	s.Err = err.Error()
	s.Out = w.Bytes()
	return s
}

// FuzzPushAgreesWithBlocking feeds the same byte stream to a blocking
// Endpoint and, in random chunks, to a push Endpoint, and checks that both
// deliver the same messages, hear the same control frames, write the same
// bytes back and end with the same error: NextMessage against Feed, or,
// with cfg&0x10, NextReader against FeedStream's pieces.
func FuzzPushAgreesWithBlocking(f *testing.F) {
	key := [4]byte{1, 2, 3, 4}
	frames := func(fs ...frame.Frame) []byte {
		var b bytes.Buffer
		for _, fr := range fs {
			if _, err := frame.WriteMasked(&b, fr, key); err != nil {
				f.Fatal(err)
			}
		}
		return b.Bytes()
	}
	f.Add(frames(&frame.Text{Fin: true, Payload: []byte("hello")}, &frame.Close{Code: 1000}), byte(0), uint64(1))
	f.Add(frames(&frame.Text{Payload: []byte("a\xf0\x9f")}, &frame.Ping{Payload: []byte("x")},
		&frame.Continuation{Fin: true, Payload: []byte("\x98\x80")}, &frame.Pong{Payload: []byte("y")}, &frame.Close{}), byte(0), uint64(2))
	f.Add(frames(&frame.Text{Fin: true, Payload: []byte("ok\xff")}), byte(1), uint64(3))
	f.Add(frames(&frame.Binary{Fin: true, Payload: bytes.Repeat([]byte("z"), 9000)}), byte(2), uint64(4))
	f.Add(frames(&frame.Binary{Payload: []byte("1")}, &frame.Continuation{Payload: []byte("2")},
		&frame.Continuation{Payload: []byte("3")}, &frame.Continuation{Payload: []byte("4")}, &frame.Continuation{Fin: true}), byte(4), uint64(5))
	// A compressed "hello" (RFC 7692 §7.2.3.1), then one that inflates far
	// past the limit.
	f.Add(frames(&frame.Text{Fin: true, Rsv: frame.Rsv1, Payload: []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}}), byte(8), uint64(6))
	f.Add(frames(&frame.Binary{Fin: true, Rsv: frame.Rsv1, Payload: deflated(200000)}), byte(9), uint64(7))
	f.Add([]byte{0x81, 0x85, 1, 2, 3}, byte(0), uint64(8))
	f.Add(frames(&frame.Binary{Payload: bytes.Repeat([]byte("s"), 40000)}, &frame.Ping{Payload: []byte("x")},
		&frame.Continuation{Fin: true, Payload: []byte("end")}, &frame.Text{Fin: true}), byte(0x13), uint64(9))
	f.Add(frames(&frame.Text{Fin: true, Rsv: frame.Rsv1, Payload: []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}}), byte(0x18), uint64(10))
	f.Fuzz(func(t *testing.T, data []byte, cfg byte, seed uint64) {
		want := blocking(t, bytes.Clone(data), cfg)
		got := pushed(t, data, cfg, seed)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("push mode differs from blocking (-blocking +push):\n%s", diff)
		}
	})
}

// deflated returns n zero bytes compressed as a permessage-deflate message.
func deflated(n int) []byte {
	ext, _ := pmce.New(pmce.Config{ServerNoContextTakeover: true, ClientNoContextTakeover: true})
	_, agreed, _, _ := ext.Negotiate([][]handshake.Param{nil})
	out, _, _ := agreed.(endpoint.Codec).EncodeMessage(nil, make([]byte, n), frame.OpBinary)
	return out
}
