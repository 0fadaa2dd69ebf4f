package fuzz

import (
	"github.com/wskit/wskit/internal/frametest"

	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

const maxPayload = 1 << 16

// options turns the fuzzer's cfg byte into parser options.
func options(cfg byte) []parser.Option {
	opts := []parser.Option{
		parser.MaxPayload(maxPayload),
		parser.BufferSize([]int{64, 200, 4096, 1 << 17}[cfg&3]),
	}
	switch cfg >> 2 & 3 {
	case 1:
		opts = append(opts, parser.Role(frame.Server))
	case 2:
		opts = append(opts, parser.Role(frame.Client))
	}
	if cfg&0x10 != 0 {
		opts = append(opts, parser.AllowRsv(frame.Rsv1))
	}
	if cfg&0x20 != 0 {
		opts = append(opts, parser.AllowIllegal())
	}
	return opts
}

var errStop = errors.New("stop")

// pull reads frames with Next until an error.
// countingReader counts the calls to Read.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(b []byte) (int, error) {
	c.n++
	return c.r.Read(b)
}

func pull(data []byte, cfg byte) ([]frametest.Frame, error, *parser.Parser) {
	r := &countingReader{r: bytes.NewReader(data)}
	p := parser.New(r, options(cfg)...)
	var out []frametest.Frame
	for {
		complete, reads := p.Complete(), r.n
		f, err := p.Next()
		if complete && r.n != reads {
			// Complete promised a frame already buffered: Next returns
			// it, or the violation its header holds, without reading.
			panic(fmt.Sprintf("Complete was true, then Next read %d times and returned %v", r.n-reads, err))
		}
		if err != nil {
			return out, err, p
		}
		if len(out) > len(data) {
			panic("more frames than bytes")
		}
		out = append(out, frametest.Record(f))
	}
}

// push feeds data in chunks whose sizes come from the input itself; with
// cfg&0x40 the callback also stops at every third frame, and Feed(nil) goes on.
func push(data []byte, cfg byte) ([]frametest.Frame, error, *parser.Parser) {
	data = bytes.Clone(data) // Feed unmasks in place
	p := parser.New(nil, options(cfg)...)
	var out []frametest.Frame
	fn := func(f frame.Frame) error {
		out = append(out, frametest.Record(f))
		if cfg&0x40 != 0 && len(out)%3 == 0 {
			return errStop
		}
		return nil
	}
	for i := 0; len(data) > 0; i++ {
		n := 1
		if len(data) > 1 {
			n = int(data[i%len(data)])%(len(data)) + 1
		}
		if cfg&0x80 != 0 {
			n = 1 // one byte at a time
		}
		err := p.Feed(data[:n], fn)
		data = data[n:]
		for err == errStop {
			err = p.Feed(nil, fn)
		}
		if err != nil {
			return out, err, p
		}
	}
	return out, nil, p
}

// discard parses data in pull and push mode and keeps nothing.
func discard(data []byte, cfg byte) {
	p := parser.New(bytes.NewReader(data), options(cfg)...)
	for {
		if _, err := p.Next(); err != nil {
			break
		}
	}
	p = parser.New(nil, options(cfg)...)
	fn := func(frame.Frame) error { return nil }
	for b := bytes.Clone(data); len(b) > 0; b = b[min(len(b), 1000):] {
		if p.Feed(b[:min(len(b), 1000)], fn) != nil {
			break
		}
	}
}

// stream reads frames with NextHeader and Read, through a small buffer.
func stream(data []byte, cfg byte) ([]frametest.Frame, error) {
	p := parser.New(bytes.NewReader(data), options(cfg)...)
	var out []frametest.Frame
	buf := make([]byte, 1+int(cfg)%300)
	for {
		h, err := p.NextHeader()
		if err != nil {
			return out, err
		}
		var payload []byte
		for {
			n, err := p.Read(buf)
			payload = append(payload, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				return out, err
			}
		}
		if int64(len(payload)) != h.Length {
			panic(fmt.Sprintf("Read gave %d bytes of a %d-byte payload", len(payload), h.Length))
		}
		out = append(out, frametest.Frame{Header: h, Payload: payload})
	}
}

func addSeeds(f *testing.F) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	enc := func(masked bool, frames ...frame.Frame) []byte {
		var b []byte
		for _, fr := range frames {
			if masked {
				b, _ = frame.AppendMasked(b, fr, key)
			} else {
				b, _ = frame.Append(b, fr)
			}
		}
		return b
	}
	valid := [][]byte{
		{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
		{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
		{0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f},
		{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
		{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
		append([]byte{0x82, 0x7e, 0x01, 0x00}, make([]byte, 256)...),
		enc(true, &frame.Binary{Fin: true, Payload: make([]byte, 300)}, &frame.Close{Code: frame.CloseNormal, Reason: "bye"}),
		enc(false, &frame.Text{Payload: []byte("a")}, &frame.Ping{Payload: []byte("p")}, &frame.Continuation{Fin: true, Rsv: frame.Rsv1, Payload: []byte("b")}),
		enc(true, &frame.Close{}),
		enc(false, &frame.Binary{Fin: true, Payload: make([]byte, maxPayload)}),
	}
	invalid := [][]byte{
		{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4},                      // 2^63 length
		{0x82, 0xff, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4},                      // 1 GiB
		{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 1},                                     // just over the limit
		{0x82, 0x7e, 0x00, 0x05, 'a', 'b', 'c', 'd', 'e'},                        // non-minimal length
		append([]byte{0x89, 0xfe, 0x00, 0x7e, 1, 2, 3, 4}, make([]byte, 126)...), // long ping
		{0x09, 0x80, 1, 2, 3, 4},                                                 // fragmented ping
		{0x82, 0x02, 'o', 'k'},                                                   // unmasked
		{0x83, 0x80, 1, 2, 3, 4},                                                 // reserved opcode
		{0xc2, 0x80, 1, 2, 3, 4},                                                 // RSV1
		{0xe2, 0x00},                                                             // RSV2
		{0x88, 0x01, 0x03},                                                       // one-byte close
		{0x88, 0x02, 0x03, 0xed},                                                 // close 1005
		{0x88, 0x04, 0x03, 0xe8, 0xc3, 0x28},                                     // close reason not UTF-8
		{0x82, 0x7e, 0x10, 0x00, 'x'},                                            // truncated
		{0x82},                                                                   // one byte
		{},
	}
	for i, b := range append(valid, invalid...) {
		for _, cfg := range []byte{0, 0x05, 0x0a, 0x33, 0x43, 0x80 | 0x04, byte(i)} {
			f.Add(b, cfg)
		}
	}
}

func FuzzParser(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, cfg byte) {
		// Memory: parsing alone (no copies kept) allocates the read-ahead
		// buffer and buffers bounded by the limit, whatever lengths the input
		// declares.
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		discard(data, cfg)
		runtime.ReadMemStats(&after)
		if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(2*len(data)+4*maxPayload+1<<19); got > limit {
			t.Errorf("parsing %d bytes allocated %d bytes, want at most %d", len(data), got, limit)
		}

		pulled, pullErr, pp := pull(data, cfg)
		pushed, pushErr, ps := push(data, cfg)
		for _, p := range []*parser.Parser{pp, ps} {
			if b := p.Buffered(); b > len(data) || b > maxPayload+frame.MaxHeaderSize+1<<17 {
				t.Errorf("Buffered() = %d for %d bytes of input", b, len(data))
			}
		}
		for _, r := range pulled {
			if r.Header.Length > maxPayload {
				t.Fatalf("a frame of %d bytes passed a limit of %d", r.Header.Length, maxPayload)
			}
		}

		// Pull and push mode return the same frames...
		if diff := cmp.Diff(pulled, pushed, cmp.Comparer(bytes.Equal)); diff != "" {
			t.Fatalf("Next and Feed disagree (-Next +Feed):\n%s", diff)
		}
		// ... and end the same way.
		var fe *frame.Error
		switch {
		case errors.As(pullErr, &fe):
			if pushErr != pullErr {
				t.Fatalf("Next failed with %v, Feed with %v", pullErr, pushErr)
			}
			if pp.Buffered() < 0 {
				t.Fatal("negative Buffered")
			}
			// Violations are final.
			if _, err := pp.Next(); err != pullErr {
				t.Fatalf("Next after %v = %v", pullErr, err)
			}
			if err := ps.Feed([]byte{0x81, 0x00}, func(frame.Frame) error { return nil }); err != pushErr {
				t.Fatalf("Feed after %v = %v", pushErr, err)
			}
		case pullErr == io.EOF:
			if pushErr != nil || ps.Buffered() != 0 {
				t.Fatalf("Next ended cleanly, Feed with %v and %d bytes buffered", pushErr, ps.Buffered())
			}
		case pullErr == io.ErrUnexpectedEOF:
			if pushErr != nil || ps.Buffered() == 0 {
				t.Fatalf("Next found a truncated frame, Feed ended with %v and %d bytes buffered", pushErr, ps.Buffered())
			}
		default:
			t.Fatalf("Next failed with %v (%T)", pullErr, pullErr)
		}

		// Streaming sees the same headers and payloads, up to where Next
		// stopped; it does not decode close payloads, so it may go further.
		streamed, streamErr := stream(data, cfg)
		var want []frametest.Frame
		for _, r := range pulled {
			want = append(want, frametest.Frame{Header: r.Header, Payload: r.Payload})
		}
		closeErr := errors.Is(pullErr, frame.ErrCloseLength) || errors.Is(pullErr, frame.ErrCloseCode) || errors.Is(pullErr, frame.ErrCloseReasonUTF8)
		if closeErr || cfg&0x20 != 0 {
			// A leniently decoded or refused close frame is not its wire payload.
			return
		}
		if diff := cmp.Diff(want, streamed, cmp.Comparer(bytes.Equal)); diff != "" {
			t.Fatalf("Next and NextHeader+Read disagree (-Next +streamed):\n%s", diff)
		}
		if streamErr != pullErr {
			t.Fatalf("Next ended with %v, NextHeader+Read with %v", pullErr, streamErr)
		}
	})
}
