package endpoint

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/wskit/wskit/frame"
)

// TestPingBurst floods the endpoint with pings read back to back: the first
// DefaultPingBurst are answered each, then only the latest, with fixed
// memory.
func TestPingBurst(t *testing.T) {
	noLeak(t)
	const n = 10000
	a, b := duplex(1 << 20)
	var frames []frame.Frame
	for i := range n {
		frames = append(frames, ping(fmt.Sprintf("%05d", i)))
	}
	frames = append(frames, text(true, "after"), closeFrame(1000, ""))
	in := enc(t, frame.Client, frames...)
	if _, err := b.Write(in); err != nil {
		t.Fatal(err)
	}
	e := New(frame.Server, a, a)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := e.NextMessage()
	runtime.ReadMemStats(&after)
	if err != nil || string(m.Data) != "after" {
		t.Fatalf("NextMessage: %q %v", m.Data, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10 {
		t.Errorf("answering %d pings allocated %d bytes", n, alloc)
	}
	if _, err := e.NextMessage(); err == nil {
		t.Fatal("no close")
	}
	a.out.Close()
	out, _ := io.ReadAll(b)
	var pongs []string
	for _, f := range decodeAll(t, frame.Server, out) {
		if f.h.Opcode == frame.OpPong {
			pongs = append(pongs, string(f.payload))
		}
	}
	// The pings (11 bytes each) never end exactly where a read of the
	// parser's 4096-byte buffer does, so they are one run: the first
	// DefaultPingBurst pongs, then the one for the last ping.
	var want []string
	for i := range DefaultPingBurst {
		want = append(want, fmt.Sprintf("%05d", i))
	}
	want = append(want, fmt.Sprintf("%05d", n-1))
	if fmt.Sprint(pongs) != fmt.Sprint(want) {
		t.Fatalf("%d pongs for a burst of %d pings: %q, want %q", len(pongs), n, pongs, want)
	}
}

// TestPingBurstSmall sends ten pings back to back, as Autobahn's cases 2.10
// and 2.11 do: each gets its pong, in order.
func TestPingBurstSmall(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			var frames []frame.Frame
			var want []string
			for i := range 10 {
				want = append(want, fmt.Sprint("payload-", i))
				frames = append(frames, ping(want[i]))
			}
			frames = append(frames, closeFrame(1000, ""))
			var w bytes.Buffer
			e := New(frame.Server, bytes.NewReader(enc(t, frame.Client, frames...)), &w)
			if _, err := readAllMessages(e, stream); !isTyped(err) {
				t.Fatal(err)
			}
			var pongs []string
			for _, f := range decodeAll(t, frame.Server, w.Bytes()) {
				if f.h.Opcode == frame.OpPong {
					pongs = append(pongs, string(f.payload))
				}
			}
			if fmt.Sprint(pongs) != fmt.Sprint(want) {
				t.Fatalf("pongs %q, want %q", pongs, want)
			}
		})
	}
}

func TestPingEachAnsweredWhenNotBurst(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t)
	go readAllMessages(e, false)
	for i := range 100 {
		want := fmt.Sprint(i)
		peer.send(ping(want))
		h, b, err := peer.next()
		if err != nil || h.Opcode != frame.OpPong || string(b) != want {
			t.Fatalf("ping %d: %v %q %v", i, h, b, err)
		}
	}
	peer.conn.Close()
}
