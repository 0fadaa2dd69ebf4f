package pmce

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// heap returns the live heap after two collections, which also empty the
// sync.Pools (the first moves their values to the victim cache, the second
// drops them).
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkConnMemory measures what a server's codec holds per connection
// after it sent and received one 16 KiB message, for each memory class of
// each direction (the other direction Shared): "idle-B/conn" is the live
// heap per connection, the Codec included, once the pools are emptied and
// a Leased codec has given its compressor back (LeaseIdle 1 ms here).
// The client uses context takeover and offers client_max_window_bits, so
// that the server's Receive class alone decides what it keeps.
func BenchmarkConnMemory(b *testing.B) {
	const conns = 200
	msg := benchText(1, 16<<10)[0]
	classes := []Class{Shared, Dedicated(15), Dedicated(12), Dedicated(10), Dedicated(8),
		SlidingWindow(15), SlidingWindow(12), SlidingWindow(10), Leased(15), Leased(10)}
	client := Config{Send: Dedicated(15), ClientMaxWindowBits: 15}
	for _, dir := range []string{"send", "receive"} {
		for _, class := range classes {
			if dir == "receive" && (class.sliding() || class.leased()) {
				continue
			}
			server := Config{Send: Shared, Receive: Shared, LeaseIdle: time.Millisecond}
			if dir == "send" {
				server.Send = class
			} else {
				server.Receive = class
			}
			b.Run(fmt.Sprintf("%s=%v", dir, class), func(b *testing.B) {
				var perConn float64
				for b.Loop() {
					// One client's first message: the same for every
					// connection, as each starts with an empty window.
					_, _, c0, _ := negotiatePair(b, client, server)
					wire, err := c0.Compress(nil, msg)
					if err != nil {
						b.Fatal(err)
					}
					codecs := make([]*Codec, conns)
					before := heap()
					for i := range codecs {
						_, _, _, codecs[i] = negotiatePair(b, client, server)
						if _, err := codecs[i].Compress(nil, msg); err != nil {
							b.Fatal(err)
						}
						if _, err := codecs[i].Decompress(nil, wire, 0); err != nil {
							b.Fatal(err)
						}
					}
					for _, c := range codecs {
						waitIdle(b, c)
					}
					after := heap()
					perConn = float64(int64(after)-int64(before)) / conns
					runtime.KeepAlive(codecs)
				}
				b.ReportMetric(perConn, "idle-B/conn")
			})
		}
	}
}

// waitIdle waits for a Leased codec to give its compressor back, as an
// idle connection's does after LeaseIdle; other classes are idle at once.
func waitIdle(b *testing.B, c *Codec) {
	for range 5000 {
		c.enc.lock()
		held := c.enc.held != nil
		c.enc.unlock()
		if c.enc.leaseIdle == 0 || !held {
			return
		}
		time.Sleep(time.Millisecond)
	}
	b.Fatal("a leased compressor was never given back")
}

// BenchmarkCoderMemory measures the memory one message in flight takes
// from a pool, whatever the class: a compressor of each kind, klauspost's
// decompressor (streamed messages) and the whole-message decoder
// ("B/coder": the live heap per coder after one 16 KiB message).
func BenchmarkCoderMemory(b *testing.B) {
	const n = 50
	msg := benchText(1, 16<<10)[0]
	wire, _ := newCodec(false, fullWindow, 1, 0).Compress(nil, msg)
	for _, k := range []struct {
		name string
		kind writerKind
	}{
		{"compressor/level1", writerKindOf(1, 15)},
		{"compressor/level6", writerKindOf(6, 15)},
		{"compressor/level9", writerKindOf(9, 15)},
		{"compressor/window12", writerKindOf(1, 12)},
		{"compressor/window8", writerKindOf(1, 8)},
		{"decompressor", 255},
		{"decoder/whole", 254},
	} {
		b.Run(k.name, func(b *testing.B) {
			var per float64
			for b.Loop() {
				ws := make([]*pooledWriter, n)
				rs := make([]*pooledReader, n)
				wds := make([]*wholeDecoder, n)
				before := heap()
				for i := range n {
					if k.kind == 254 {
						wds[i] = new(wholeDecoder)
						wds[i].flat = append(append(wds[i].flat, wire...), tail...)
						if _, err := wds[i].dec.Decode(nil, wds[i].flat, nil, 1<<20); err != nil {
							b.Fatal(err)
						}
						continue
					}
					if k.kind == 255 {
						rs[i] = getReader()
						rs[i].resetStream(msgInput{b: wire}, nil)
						for {
							var buf [4096]byte
							if _, err := rs[i].fr.Read(buf[:]); err != nil {
								break
							}
						}
						continue
					}
					ws[i] = &pooledWriter{kind: k.kind}
					ws[i].fw = k.kind.new(&ws[i].out)
					ws[i].fw.Write(msg)
					ws[i].fw.Flush()
					ws[i].out.b = nil
				}
				per = float64(int64(heap())-int64(before)) / n
				runtime.KeepAlive(ws)
				runtime.KeepAlive(rs)
				runtime.KeepAlive(wds)
			}
			b.ReportMetric(per, "B/coder")
		})
	}
}
