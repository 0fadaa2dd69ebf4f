package pmce

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/race"
)

// feedPieces feeds payload to f in pieces of size bytes and returns what
// came out and the first error.
func feedPieces(f *Inflater, payload []byte, size int) ([]byte, error) {
	var out []byte
	emit := func(p []byte) error { out = append(out, p...); return nil }
	for {
		n := min(size, len(payload))
		last := n == len(payload)
		if err := f.Feed(payload[:n], last, emit); err != nil {
			return out, err
		}
		payload = payload[n:]
		if last {
			return out, nil
		}
	}
}

// TestInflaterMatchesDecompress inflates messages fed in pieces of several
// sizes, with and without context takeover: every message comes out as
// Decompress makes it of the whole payload, and the window carries over
// to the next message.
func TestInflaterMatchesDecompress(t *testing.T) {
	msgs := texts(30, 100<<10, 3)
	msgs = append(msgs, nil, bytes.Repeat([]byte("abc"), 50<<10))
	for _, p := range []Params{
		fullWindow,
		{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		{ServerMaxWindowBits: 15, ClientMaxWindowBits: 9},
	} {
		for _, size := range []int{1, 5, 4096, 1 << 20} {
			t.Run(fmt.Sprintf("%+v/%d", p, size), func(t *testing.T) {
				if race.Enabled && size == 1 {
					t.Skip("byte at a time is minutes under the race detector; the 5-byte pieces cover the same path")
				}
				client, whole := pair(p, 1)
				pushed := newCodec(true, p, 1, 0)
				for i, m := range msgs {
					wire, err := client.Compress(nil, m)
					if err != nil {
						t.Fatal(err)
					}
					want, err := whole.Decompress(nil, wire, 0)
					if err != nil {
						t.Fatal(err)
					}
					f := pushed.NewInflater(0)
					got, err := feedPieces(f, wire, size)
					if err != nil {
						t.Fatalf("message %d: %v", i, err)
					}
					if err := f.Close(); err != nil {
						t.Fatalf("message %d: Close: %v", i, err)
					}
					if !bytes.Equal(got, want) || !bytes.Equal(got, m) {
						t.Fatalf("message %d: inflated %d bytes, want %d", i, len(got), len(m))
					}
				}
			})
		}
	}
}

// TestInflaterErrors checks the limit, corrupt data and emit's error, fed
// whole and in pieces.
func TestInflaterErrors(t *testing.T) {
	big := bomb(t, 4) // 4 MiB of zeros
	boom := errors.New("boom")
	for _, tt := range []struct {
		name     string
		payload  []byte
		limit    int64
		emitErr  error
		wantErr  error
		wantCode frame.CloseCode
		wantOut  int // -1: what was decoded before the damage
	}{
		{"over the limit", big, 1 << 20, nil, ErrTooBig, frame.CloseMessageTooBig, 1 << 20},
		{"at the limit", big, 4 << 20, nil, nil, 0, 4 << 20},
		{"corrupt", unhex(t, "f2 48"), 0, nil, ErrCorrupt, frame.CloseInvalidPayload, -1},
		{"reserved block type", unhex(t, "ff"), 0, nil, ErrCorrupt, frame.CloseInvalidPayload, 0},
		{"emit fails", big, 0, boom, boom, 0, inflaterBuf},
	} {
		for _, size := range []int{3, 1000, 1 << 30} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, size), func(t *testing.T) {
				c := newCodec(true, fullWindow, 1, 0)
				f := c.NewInflater(tt.limit)
				n := 0
				emit := func(p []byte) error { n += len(p); return tt.emitErr }
				var err error
				for rest := tt.payload; err == nil; {
					k := min(size, len(rest))
					err = f.Feed(rest[:k], k == len(rest), emit)
					if rest = rest[k:]; len(rest) == 0 {
						break
					}
				}
				if !errors.Is(err, tt.wantErr) || (tt.wantCode != 0 && frame.CloseCodeOf(err) != tt.wantCode) {
					t.Fatalf("err %v (close code %d), want %v (%d)", err, frame.CloseCodeOf(err), tt.wantErr, tt.wantCode)
				}
				if tt.wantOut >= 0 && n != tt.wantOut {
					t.Errorf("emitted %d bytes, want %d", n, tt.wantOut)
				}
				if tt.wantErr != nil {
					if again := f.Feed([]byte{0}, true, emit); !errors.Is(again, tt.wantErr) {
						t.Errorf("Feed after the error: %v", again)
					}
				}
				f.Close()
			})
		}
	}
}

// TestInflaterClose closes Inflaters in every state: the coroutine ends
// (no goroutine is left behind), a second Close and a Feed after Close
// fail with ErrClosed, and a message abandoned under context takeover,
// and only then, leaves the receiving side failed.
func TestInflaterClose(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, p := range []Params{fullWindow, {ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}} {
		client, _ := pair(p, 1)
		wire, _ := client.Compress(nil, bytes.Repeat([]byte("hello wskit "), 10000))
		_, takeover := newCodec(true, p, 1, 0).ContextTakeover()
		for _, tt := range []struct {
			name string
			feed int // bytes fed before Close
		}{{"unused", 0}, {"midway", len(wire) / 2}, {"whole", len(wire)}} {
			t.Run(fmt.Sprintf("%+v/%s", p, tt.name), func(t *testing.T) {
				c := newCodec(true, p, 1, 0)
				f := c.NewInflater(0)
				if tt.feed > 0 {
					if err := f.Feed(wire[:tt.feed], tt.feed == len(wire), func([]byte) error { return nil }); err != nil {
						t.Fatal(err)
					}
				}
				if err := f.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if err := f.Close(); !errors.Is(err, ErrClosed) {
					t.Errorf("second Close: %v", err)
				}
				if err := f.Feed(nil, true, nil); !errors.Is(err, ErrClosed) {
					t.Errorf("Feed after Close: %v", err)
				}
				wantErr := takeover && tt.feed < len(wire)
				if _, err := c.Decompress(nil, wire, 0); (err != nil) != wantErr {
					t.Errorf("next message after Close: %v, want an error: %v", err, wantErr)
				}
			})
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > before {
		t.Errorf("%d goroutines after closing, %d before", got, before)
	}
}

// TestInflaterMemory feeds a 64 MiB message in 4 KiB pieces: the heap
// grows by the decompressor and buffers, not by the message.
func TestInflaterMemory(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector's shadow memory makes heap figures meaningless; CI runs this without it")
	}
	client, _ := pair(fullWindow, 1)
	msg := bytes.Repeat([]byte(`{"id":12345,"text":"the quick brown fox jumps over the lazy dog"},`), 1<<20)[:64<<20]
	var wire []byte
	w := client.NewWriter(writerFunc(func(p []byte) (int, error) { wire = append(wire, p...); return len(p), nil }))
	writePieces(t, w, msg, 1<<20)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	msg = nil
	c := newCodec(true, fullWindow, 1, 0)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	f := c.NewInflater(64 << 20)
	total := 0
	for i := 0; i < len(wire); i += 4096 {
		end := min(i+4096, len(wire))
		err := f.Feed(wire[i:end], end == len(wire), func(p []byte) error { total += len(p); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if i%(1<<20) == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	f.Close()
	if diff := cmp.Diff(64<<20, total); diff != "" {
		t.Errorf("inflated bytes (-want +got):\n%s", diff)
	}
	if grew := peak - base; grew > 4<<20 {
		t.Errorf("the heap grew by %d bytes while inflating 64 MiB fed in pieces", grew)
	}
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

// BenchmarkInflater inflates 64 KiB messages fed in 4 KiB pieces, beside
// the pull Reader over the same pieces: the coroutine's cost per message
// and per piece.
func BenchmarkInflater(b *testing.B) {
	msgs := benchText(64, 64<<10)
	for _, m := range benchModes[:2] {
		wire := compressAll(m, msgs)
		b.Run("Inflater/"+m.name, func(b *testing.B) {
			c := newCodec(true, m.p, 1, 0)
			emit := func([]byte) error { return nil }
			b.SetBytes(64 << 10)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i%len(wire) == 0 {
					c.dec.window.buf = c.dec.window.buf[:0]
				}
				f := c.NewInflater(0)
				w := wire[i%len(wire)]
				for k := 0; k < len(w); k += 4096 {
					end := min(k+4096, len(w))
					if err := f.Feed(w[k:end], end == len(w), emit); err != nil {
						b.Fatal(err)
					}
				}
				f.Close()
				i++
			}
		})
		b.Run("Reader/"+m.name, func(b *testing.B) { benchReader(b, m, wire, inflaterBuf) })
	}
}

// TestInflaterAfterFailure: once the receiving side failed, a new
// Inflater returns the same error.
func TestInflaterAfterFailure(t *testing.T) {
	c := newCodec(true, fullWindow, 1, 0)
	if _, err := c.Decompress(nil, bomb(t, 2), 1<<20); !errors.Is(err, ErrTooBig) {
		t.Fatalf("bomb: %v", err)
	}
	f := c.NewInflater(0)
	defer f.Close()
	if err := f.Feed([]byte{0}, true, func([]byte) error { t.Error("emitted"); return nil }); !errors.Is(err, ErrTooBig) {
		t.Errorf("Feed on a failed codec: %v", err)
	}
}
