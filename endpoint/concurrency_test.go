package endpoint

import (
	"github.com/wskit/wskit/internal/race"

	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// TestConcurrentSenders sends from many goroutines, with NextWriter and
// WriteMessage, while the reader answers a stream of pings, and checks on the
// wire that no frame is torn and no two messages' fragments interleave.
func TestConcurrentSenders(t *testing.T) {
	noLeak(t)
	const senders, perSender, pings = 8, 100, 2000
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	e := New(frame.Server, a, a, FrameSize(7))
	go readAllMessages(e, false)

	// The peer: reads everything and reassembles.
	type result struct {
		msgs  map[string]bool
		pongs int
		err   error
	}
	resc := make(chan result, 1)
	go func() {
		res := result{msgs: map[string]bool{}}
		p := parser.New(b, parser.Role(frame.Client))
		var d Defragmenter
		for {
			f, err := p.Next()
			if err != nil {
				res.err = err
				resc <- res
				return
			}
			switch f.(type) {
			case *frame.Pong:
				res.pongs++
				continue
			case *frame.Close:
				resc <- res
				return
			}
			m, ok, err := d.Add(f)
			if err != nil {
				res.err = err
				resc <- res
				return
			}
			if ok {
				s := string(m.Data)
				id, body, _ := strings.Cut(s, ":")
				if body != strings.Repeat(id, 5) {
					res.err = fmt.Errorf("torn message %q", s)
					resc <- res
					return
				}
				res.msgs[id] = true
			}
		}
	}()
	// The peer's pings.
	pingDone := make(chan struct{})
	go func() {
		defer close(pingDone)
		for i := range pings {
			if _, err := b.Write(enc(t, frame.Client, ping(fmt.Sprint(i)))); err != nil {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range perSender {
				id := fmt.Sprintf("g%d.%d", g, i)
				msg := []byte(id + ":" + strings.Repeat(id, 5))
				if i%2 == 0 {
					if err := e.WriteMessage(frame.OpText, msg); err != nil {
						t.Error(err)
						return
					}
					continue
				}
				w, err := e.NextWriter(frame.OpText)
				if err != nil {
					t.Error(err)
					return
				}
				for len(msg) > 0 {
					k := min(len(msg), 1+rng.IntN(10))
					if _, err := w.Write(msg[:k]); err != nil {
						t.Error(err)
					}
					msg = msg[k:]
					runtime.Gosched()
				}
				if err := w.Close(); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	<-pingDone
	time.Sleep(10 * time.Millisecond)
	go e.Close(frame.CloseNormal, "")
	res := <-resc
	if res.err != nil {
		t.Fatal(res.err)
	}
	if len(res.msgs) != senders*perSender {
		t.Fatalf("%d messages, want %d", len(res.msgs), senders*perSender)
	}
	if res.pongs == 0 {
		t.Fatal("no pongs")
	}
	t.Logf("%d messages, %d pongs for %d pings", len(res.msgs), res.pongs, pings)
	b.Close()
}

// patternReader yields an endless stream of bytes.
type patternReader struct{ n byte }

func (r *patternReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = r.n
		r.n++
	}
	return len(b), nil
}

func TestStreamHuge(t *testing.T) {
	noLeak(t)
	size := int64(1 << 30)
	if testing.Short() || race.Enabled {
		size = 32 << 20
	}
	a, b := duplex(1 << 20)
	client := New(frame.Client, a, a)
	server := New(frame.Server, b, b, MaxMessage(size), MaxFragments(-1))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sent := make(chan error, 1)
	go func() {
		w, err := client.NextWriter(frame.OpBinary)
		if err == nil {
			_, err = io.CopyN(w, &patternReader{}, size)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		sent <- err
	}()
	op, r, err := server.NextReader()
	if err != nil || op != frame.OpBinary {
		t.Fatal(op, err)
	}
	// Check the bytes as they pass, without holding them.
	var want patternReader
	buf := make([]byte, 64<<10)
	exp := make([]byte, 64<<10)
	var got int64
	for {
		n, err := r.Read(buf)
		want.Read(exp[:n])
		if !bytes.Equal(buf[:n], exp[:n]) {
			t.Fatalf("corrupt data at %d", got)
		}
		got += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if got != size {
		t.Fatalf("got %d bytes, want %d", got, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("streaming %d bytes allocated %d bytes", size, alloc)
	}
	a.Close()
	b.Close()
}

// errAgain is a reader error that is not final, as a passed deadline is.
var errAgain = errors.New("try again")

// stutterReader yields one byte at a time, with errAgain between bytes.
type stutterReader struct {
	b    []byte
	fail bool
}

func (r *stutterReader) Read(p []byte) (int, error) {
	if r.fail = !r.fail; r.fail {
		return 0, errAgain
	}
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

// TestResumeAnywhere interrupts the reader before every byte: the read
// methods return the error and the next call resumes, whether it struck in
// a whole frame, a text frame read as it arrives or a control frame between
// fragments.
func TestResumeAnywhere(t *testing.T) {
	in := []frame.Frame{
		text(true, "héllo"), ping("p1"), bin(true, "\x00\x01"),
		text(false, "fr€"), ping("p2"), pong("x"), cont(false, "ag"), ping("p3"), cont(true, " ✓"),
		text(true, strings.Repeat("ü", 100)), closeFrame(1000, "bye"),
	}
	want := []string{"t:héllo", "b:\x00\x01", "t:fr€ag ✓", "t:" + strings.Repeat("ü", 100)}
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			var w bytes.Buffer
			e := New(frame.Server, &stutterReader{b: enc(t, frame.Client, in...)}, &w)
			var got []string
			var err error
			for {
				var op frame.Opcode
				var data []byte
				if stream {
					var r io.Reader
					if op, r, err = e.NextReader(); err == nil {
						var buf [3]byte
						for {
							k, rerr := r.Read(buf[:])
							data = append(data, buf[:k]...)
							if rerr == io.EOF {
								break
							}
							if rerr != nil && rerr != errAgain {
								t.Fatal(rerr)
							}
						}
					}
				} else {
					var m Message
					m, err = e.NextMessage()
					op, data = m.Type, m.Data
				}
				if err == errAgain {
					continue
				}
				if err != nil {
					break
				}
				kind := "t:"
				if op == frame.OpBinary {
					kind = "b:"
				}
				got = append(got, kind+string(data))
			}
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Code != 1000 || ce.Reason != "bye" {
				t.Fatalf("error %v", err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("messages %q, want %q", got, want)
			}
			var pongs []string
			for _, f := range decodeAll(t, frame.Server, w.Bytes()) {
				if f.h.Opcode == frame.OpPong {
					pongs = append(pongs, string(f.payload))
				}
			}
			if fmt.Sprint(pongs) != "[p1 p2 p3]" {
				t.Fatalf("pongs %q", pongs)
			}
		})
	}
}
