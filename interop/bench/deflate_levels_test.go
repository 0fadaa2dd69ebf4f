package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/pmce"
)

// serverCodec returns the codec a wskit server with cfg agrees to offer
// (a Sec-WebSocket-Extensions value) with.
func serverCodec(tb testing.TB, cfg pmce.Config, offer string) *pmce.Codec {
	tb.Helper()
	ext, err := pmce.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	list, err := handshake.ParseExtensions([]string{offer})
	if err != nil {
		tb.Fatal(err)
	}
	_, n, ok, err := ext.Negotiate([][]handshake.Param{list[0].Params})
	if err != nil || !ok {
		tb.Fatalf("%s: declined (%v)", offer, err)
	}
	return n.(*pmce.Codec)
}

// deflateRow is a server configuration and the offer it answers.
type deflateRow struct {
	name  string
	cfg   pmce.Config
	offer string
}

// deflateRows are the server configurations BenchmarkDeflateServerSide
// measures: the default, each level without context takeover, and context
// takeover with a kept compressor or a kept window.
var deflateRows = func() []deflateRow {
	rows := []deflateRow{{"default", pmce.Config{}, EchoOffer}}
	for level := 1; level <= 9; level++ {
		rows = append(rows, deflateRow{fmt.Sprintf("shared/level%d", level), pmce.Config{Send: pmce.Shared, Level: level}, EchoOffer})
	}
	for _, r := range []struct {
		send  pmce.Class
		level int
	}{
		{pmce.Dedicated(15), 1}, {pmce.Dedicated(15), 2}, {pmce.Dedicated(15), 3}, {pmce.Dedicated(15), 4}, {pmce.Dedicated(15), 5},
		{pmce.SlidingWindow(12), 1}, {pmce.SlidingWindow(12), 2}, {pmce.SlidingWindow(12), 3}, {pmce.SlidingWindow(12), 4},
		{pmce.SlidingWindow(14), 4}, {pmce.SlidingWindow(15), 4},
		{pmce.SlidingWindow(9), 5}, {pmce.SlidingWindow(10), 5}, {pmce.SlidingWindow(11), 5}, {pmce.SlidingWindow(12), 5},
		{pmce.SlidingWindow(15), 5},
		{pmce.Leased(15), 1}, {pmce.Leased(15), 2}, {pmce.Leased(15), 3}, {pmce.Leased(15), 4},
	} {
		rows = append(rows, deflateRow{fmt.Sprintf("%v/level%d", r.send, r.level), pmce.Config{Send: r.send, Level: r.level}, EchoOffer})
	}
	// gws's way: context takeover with a 12-bit window, a 4 KiB window
	// kept per connection and klauspost's windowed compressor (level 5).
	return append(rows, deflateRow{"gws-like window(12)/windowed", pmce.Config{Send: pmce.SlidingWindow(12)},
		EchoOffer + "; server_max_window_bits=12"})
}()

// BenchmarkDeflateServerSide compresses the echo workload's messages (16
// KiB of JSON, 64 different ones in turn) as a server of each
// configuration does, one connection: the time per message, the process's
// CPU time per message (cpu-µs/msg, which the shared machine's load moves
// less than the time) and the bytes each one takes on the wire (frame
// header included), the figure cmd/deflate's echo table reports as
// server → client.
func BenchmarkDeflateServerSide(b *testing.B) {
	msgs := make([][]byte, 64)
	for i := range msgs {
		msgs[i] = JSON(i, 16<<10)
	}
	for _, r := range deflateRows {
		b.Run(r.name, func(b *testing.B) {
			c := serverCodec(b, r.cfg, r.offer)
			defer c.Release()
			dst := make([]byte, 0, 32<<10)
			wire, n := 0, 0
			b.SetBytes(int64(len(msgs[0])))
			b.ReportAllocs()
			cpu0 := ProcessCPU()
			for b.Loop() {
				var err error
				if dst, _, err = c.EncodeMessage(dst[:0], msgs[n%len(msgs)], frame.OpText); err != nil {
					b.Fatal(err)
				}
				wire += frameLen(len(dst))
				n++
			}
			b.ReportMetric(float64(ProcessCPU()-cpu0)/float64(time.Microsecond)/float64(n), "cpu-µs/msg")
			b.ReportMetric(float64(wire)/float64(n), "wireB/msg")
		})
	}
}

// BenchmarkDeflateServerInflate inflates the echo workload's messages as
// the client sends them (compressed alone, level 1), the other half of a
// server's work per round trip.
func BenchmarkDeflateServerInflate(b *testing.B) {
	client := serverCodec(b, pmce.Config{Send: pmce.Shared}, EchoOffer) // compresses as the client does
	c := serverCodec(b, pmce.Config{}, EchoOffer)
	payloads := make([][]byte, 64)
	for i := range payloads {
		var err error
		if payloads[i], err = client.Compress(nil, JSON(i, 16<<10)); err != nil {
			b.Fatal(err)
		}
	}
	dst := make([]byte, 0, 32<<10)
	n := 0
	b.SetBytes(int64(len(JSON(0, 16<<10))))
	b.ReportAllocs()
	cpu0 := ProcessCPU()
	for b.Loop() {
		var err error
		if dst, err = c.DecodeMessage(dst[:0], payloads[n%len(payloads)], frame.Rsv1, 64<<20); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(ProcessCPU()-cpu0)/float64(time.Microsecond)/float64(n), "cpu-µs/msg")
}
