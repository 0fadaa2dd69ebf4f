package endpoint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// unixPair connects a client and a server Endpoint over a UNIX socket.
func unixPair(t *testing.T, copts, sopts []Option) (client, server *Endpoint, cc, sc net.Conn) {
	path := filepath.Join(t.TempDir(), "ws.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	cc, err = net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	sc = <-accepted
	t.Cleanup(func() { cc.Close(); sc.Close() })
	return New(frame.Client, cc, cc, copts...), New(frame.Server, sc, sc, sopts...), cc, sc
}

func TestUnixSocketEcho(t *testing.T) {
	noLeak(t)
	client, server, cc, sc := unixPair(t, []Option{FrameSize(2)}, nil)
	serverDone := make(chan error, 1)
	go func() {
		for {
			m, err := server.NextMessage()
			if err != nil {
				serverDone <- err
				return
			}
			if err := server.WriteMessage(m.Type, m.Data); err != nil {
				serverDone <- err
				return
			}
		}
	}()
	msgs := []Message{
		{frame.OpText, []byte("hello")},
		{frame.OpBinary, []byte{0, 1, 2, 255}},
		{frame.OpText, []byte("a😀b")}, // in fragments of 2: the emoji straddles two
		{frame.OpText, []byte(strings.Repeat("fragmented ", 100))},
		{frame.OpBinary, nil},
	}
	for i, m := range msgs {
		if i%2 == 0 {
			w, err := client.NextWriter(m.Type)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(m.Data); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		} else if err := client.WriteMessage(m.Type, m.Data); err != nil {
			t.Fatal(err)
		}
		got, err := client.NextMessage()
		if err != nil {
			t.Fatal(err)
		}
		if got.Type != m.Type || !bytes.Equal(got.Data, m.Data) {
			t.Fatalf("echo %d: %v %q, want %v %q", i, got.Type, got.Data, m.Type, m.Data)
		}
	}
	if err := client.Close(frame.CloseNormal, "done"); err != nil {
		t.Fatalf("client Close: %v", err)
	}
	err := <-serverDone
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != frame.CloseNormal || ce.Reason != "done" || !ce.Remote {
		t.Fatalf("server: %v", err)
	}
	if err := server.Close(frame.CloseNormal, ""); err != nil {
		t.Fatalf("server Close after the handshake: %v", err)
	}
	sc.Close()
	cc.Close()
}

func TestFailFastUTF8(t *testing.T) {
	noLeak(t)
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			e, peer := pipePair(t)
			errc := make(chan error, 1)
			go func() {
				_, err := readAllMessages(e, stream)
				errc <- err
			}()
			// The first fragment is bad; the peer sends nothing more until
			// it has the endpoint's close.
			peer.send(text(false, "ok"), cont(false, "fine\xf0\x28rest"))
			if got := peer.expectClose(); len(got) < 2 || got[0] != 0x03 || got[1] != 0xef {
				t.Fatalf("close %q, want 1007", got)
			}
			if err := <-errc; !errors.Is(err, frame.ErrInvalidUTF8) {
				t.Fatalf("error %v", err)
			}
			peer.conn.Close()
		})
	}
	// Both fail inside a frame: the header declares 1 MiB, the bad byte is
	// in the first bytes, and the rest never comes. NextMessage reads a
	// frame that has not arrived whole as its bytes come, and checks them.
	for _, tc := range []struct {
		name    string
		stream  bool
		payload string
	}{
		{"mid-frame/NextReader", true, "valid text, \xffthen"},
		{"mid-frame/NextMessage", false, "valid text, \xffthen"},
		{"mid-frame/NextMessage/first byte", false, "\xc0\xafrest"},
		{"mid-frame/NextMessage/continuation", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, peer := pipePair(t)
			errc := make(chan error, 1)
			go func() {
				if tc.stream {
					_, r, err := e.NextReader()
					if err == nil {
						_, err = io.Copy(io.Discard, r)
					}
					errc <- err
					return
				}
				_, err := readAllMessages(e, false)
				errc <- err
			}()
			var b []byte
			h := frame.Header{Fin: true, Opcode: frame.OpText, Length: 1 << 20, Masked: true, Mask: testKey}
			payload := []byte(tc.payload)
			if tc.payload == "" {
				// A whole first fragment, then a continuation whose
				// first bytes finish its code point wrongly.
				b = enc(t, frame.Client, text(false, "ok \xe2\x82"))
				h.Opcode = frame.OpContinuation
				payload = []byte("\x28 and more")
			}
			b = h.AppendTo(b)
			frame.Mask(payload, testKey, 0)
			peer.conn.Write(append(b, payload...))
			if got := peer.expectClose(); len(got) < 2 || got[1] != 0xef {
				t.Fatalf("close %q, want 1007", got)
			}
			if err := <-errc; !errors.Is(err, frame.ErrInvalidUTF8) {
				t.Fatalf("error %v", err)
			}
			peer.conn.Close()
		})
	}
}

// TestTextArrivingInPieces sends text frames a few bytes at a time, with
// pings between fragments, so that NextMessage reads them as they arrive,
// and a read deadline that interrupts it in the middle of a frame.
func TestTextArrivingInPieces(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t)
	msgs := []string{"héllo wörld", strings.Repeat("€uro ", 2000), "x", ""}
	var in []byte
	for _, m := range msgs {
		in = append(in, enc(t, frame.Client, text(true, m))...)
	}
	// A fragmented message: a whole-frame start, pieces after.
	in = append(in, enc(t, frame.Client, text(false, "frag€"[:5]), ping("p"), cont(false, "frag€"[5:]), cont(true, " end"), bin(true, "bin"))...)
	go func() {
		for len(in) > 0 {
			k := min(len(in), 7)
			if _, err := peer.conn.Write(in[:k]); err != nil {
				return
			}
			in = in[k:]
		}
	}()
	want := append(msgs, "frag€ end", "bin")
	pongs := make(chan string, 10)
	go func() {
		for {
			h, b, err := peer.next()
			if err != nil {
				close(pongs)
				return
			}
			if h.Opcode == frame.OpPong {
				pongs <- string(b)
			}
		}
	}()
	conn := e.tr.r.(net.Conn)
	for i := 0; i < len(want); {
		// A deadline that passes at times in the middle of a frame; the
		// next call resumes it.
		conn.SetReadDeadline(time.Now().Add(time.Duration(rand.IntN(200)) * time.Microsecond))
		m, err := e.NextMessage()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			continue
		}
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if string(m.Data) != want[i] {
			t.Fatalf("message %d: %.40q (%d bytes), want %.40q (%d bytes)", i, m.Data, len(m.Data), want[i], len(want[i]))
		}
		i++
	}
	if p := <-pongs; p != "p" {
		t.Fatalf("pong %q", p)
	}
	peer.conn.Close()
}

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
	if testing.Short() || raceEnabled {
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
