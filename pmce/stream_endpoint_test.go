package pmce_test

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/internal/race"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

// agreedPair negotiates permessage-deflate with cfg on both sides and
// returns the client's and the server's codecs.
func agreedPair(t *testing.T, cfg pmce.Config) (cli, srv endpoint.Codec) {
	t.Helper()
	ext, err := pmce.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	offer := handshake.OfferExtensions([]handshake.Extension{ext})
	resp, sAgreed, err := handshake.NegotiateExtensions([]handshake.Extension{ext}, offer)
	if err != nil || len(sAgreed) != 1 {
		t.Fatalf("negotiating: %v", err)
	}
	cAgreed, err := handshake.AcceptExtensions([]handshake.Extension{ext}, resp)
	if err != nil || len(cAgreed) != 1 {
		t.Fatalf("accepting: %v", err)
	}
	return cAgreed[0].(endpoint.Codec), sAgreed[0].(endpoint.Codec)
}

// pattern yields n deterministic bytes that compress, but not to nothing.
type pattern struct{ i, n int }

func (p *pattern) Read(b []byte) (int, error) {
	if p.i == p.n {
		return 0, io.EOF
	}
	b = b[:min(len(b), p.n-p.i)]
	for k := range b {
		x := p.i + k
		b[k] = byte('a' + (x/7+x/1000)%26)
	}
	p.i += len(b)
	return len(b), nil
}

// TestStreamHugeCompressed sends a 64 MiB compressed message each way
// through NextWriter and NextReader, which compress and inflate as the
// bytes go: the echo is exact, and what the transfer allocates is far below
// the message's size.
func TestStreamHugeCompressed(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 128 MiB")
	}
	const size = 64 << 20
	for _, cfg := range []pmce.Config{{}, {Send: pmce.Dedicated(15)}} {
		cc, sc := agreedPair(t, cfg)
		c2sR, c2sW := io.Pipe()
		s2cR, s2cW := io.Pipe()
		limit := endpoint.MaxMessage(size + 1<<20)
		cli := endpoint.New(frame.Client, s2cR, c2sW, limit, endpoint.Extensions(cc))
		srv := endpoint.New(frame.Server, c2sR, s2cW, limit, endpoint.Extensions(sc))

		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		echoed := make(chan error, 1)
		go func() { // the server streams the message back as it arrives
			op, r, err := srv.NextReader()
			if err != nil {
				echoed <- err
				return
			}
			w, err := srv.NextWriter(op)
			if err != nil {
				echoed <- err
				return
			}
			_, err = io.Copy(w, r)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			echoed <- err
		}()
		sent := make(chan error, 1)
		go func() {
			w, err := cli.NextWriter(frame.OpText)
			if err != nil {
				sent <- err
				return
			}
			_, err = io.Copy(w, &pattern{n: size})
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			sent <- err
		}()
		op, r, err := cli.NextReader()
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		n, err := io.Copy(h, r)
		if err != nil || n != size || op != frame.OpText {
			t.Fatalf("echo: %d bytes of %v, %v; want %d of text", n, op, err, size)
		}
		want := sha256.New()
		io.Copy(want, &pattern{n: size})
		if !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
			t.Fatal("the echo differs from the message")
		}
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
		if err := <-echoed; err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%+v: 2 x %d MiB streamed with %.1f MiB allocated", cfg, size>>20, float64(alloc)/(1<<20))
		if !race.Enabled && alloc > 8<<20 {
			t.Errorf("%d MiB allocated to stream 64 MiB each way: the message was held", alloc>>20)
		}
		c2sW.Close()
		s2cW.Close()
	}
}

// TestStreamBombRefused: a compressed message that would inflate far past
// MaxMessage fails NextReader's reader at the limit with 1009, allocating
// far less than the limit.
func TestStreamBombRefused(t *testing.T) {
	const limit = 32 << 20
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 256 { // 256 MiB of zeros
		fw.Write(zeros)
	}
	fw.Flush()
	bomb := bytes.TrimSuffix(z.Bytes(), []byte{0, 0, 0xff, 0xff})

	_, sc := agreedPair(t, pmce.Config{})
	var in, out bytes.Buffer
	frame.WriteMasked(&in, &frame.Binary{Fin: true, Rsv: frame.Rsv1, Payload: bomb}, [4]byte{1, 2, 3, 4})
	srv := endpoint.New(frame.Server, &in, &out, endpoint.MaxMessage(limit), endpoint.Extensions(sc))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, r, err := srv.NextReader()
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, frame.ErrMessageTooBig) || n != limit {
		t.Fatalf("read %d bytes, %v; want exactly %d, then ErrMessageTooBig", n, err, limit)
	}
	if code := frame.CloseCodeOf(err); code != frame.CloseMessageTooBig {
		t.Errorf("close code %d, want 1009", code)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; !race.Enabled && alloc > 4<<20 {
		t.Errorf("%d MiB allocated to refuse a %d KiB bomb at %d MiB", alloc>>20, len(bomb)>>10, limit>>20)
	}
	p := parser.New(&out, parser.Role(frame.Client))
	f, err := p.Next()
	if c, ok := f.(*frame.Close); err != nil || !ok || c.Code != frame.CloseMessageTooBig {
		t.Errorf("sent %v, %v; want a close 1009", f, err)
	}
}

// TestWritePlain: a message sent with WritePlain on a connection that
// agreed compression goes out uncompressed, RSV1 clear, and arrives as is.
func TestWritePlain(t *testing.T) {
	cc, sc := agreedPair(t, pmce.Config{Threshold: -1}) // compress everything else
	var wire bytes.Buffer
	cli := endpoint.New(frame.Client, bytes.NewReader(nil), &wire, endpoint.Extensions(cc))
	secret := []byte(`{"token":"s3cr3t","echo":"attacker's text"}`)
	if err := cli.WritePlain(frame.OpText, secret); err != nil {
		t.Fatal(err)
	}
	if err := cli.WriteMessage(frame.OpText, []byte(compressible)); err != nil {
		t.Fatal(err)
	}
	p := parser.New(bytes.NewReader(wire.Bytes()), parser.Role(frame.Server), parser.AllowRsv(frame.Rsv1))
	for i, wantRsv := range []byte{0, frame.Rsv1} {
		f, err := p.Next()
		if err != nil {
			t.Fatal(err)
		}
		if rsv := f.Header().Rsv; rsv != wantRsv {
			t.Errorf("message %d: RSV %#x, want %#x", i, rsv, wantRsv)
		}
	}
	srv := endpoint.New(frame.Server, bytes.NewReader(wire.Bytes()), io.Discard, endpoint.Extensions(sc))
	for _, want := range []string{string(secret), compressible} {
		m, err := srv.NextMessage()
		if err != nil || string(m.Data) != want {
			t.Fatalf("received %q, %v; want %q", m.Data, err, want)
		}
	}
}

// compressible is a message that permessage-deflate makes smaller.
var compressible = string(bytes.Repeat([]byte("compressed, compressed, compressed. "), 20))

// TestPreparedCompressedOnce: a PreparedMessage sent to connections that
// agreed permessage-deflate is compressed once for all of those of the
// same compressor, whatever their Send class, and each peer inflates it
// and the messages around it: a connection with context takeover sends
// its own messages before and after shared ones, and the one after must
// not refer back past the shared message, which its compressor never saw
// but its peer's window holds.
func TestPreparedCompressedOnce(t *testing.T) {
	pm, err := endpoint.NewPreparedMessage(frame.OpText, []byte(compressible))
	if err != nil {
		t.Fatal(err)
	}
	own := []string{compressible + " first", compressible + " second", compressible + " third"}
	var keys []any
	for _, cfg := range []pmce.Config{
		{},
		{Send: pmce.Shared},
		{Send: pmce.Dedicated(15)},
		{Send: pmce.Leased(15)},
		{Send: pmce.SlidingWindow(15)},
		{Send: pmce.SlidingWindow(10)}, // a window smaller than the shared message
	} {
		cc, sc := agreedPair(t, cfg)
		key, shared := sc.(endpoint.SharedEncoder).SharedEncoding()
		if !shared {
			t.Errorf("%v: SharedEncoding ok = false", cfg.Send)
		}
		keys = append(keys, key)
		var wire bytes.Buffer
		srv := endpoint.New(frame.Server, bytes.NewReader(nil), &wire, endpoint.Extensions(sc))
		var want []string
		for i, m := range own {
			if err := srv.WriteMessage(frame.OpText, []byte(m)); err != nil {
				t.Fatal(err)
			}
			want = append(want, m)
			if i == len(own)-1 {
				break
			}
			before := wire.Len()
			if err := srv.WritePrepared(pm); err != nil {
				t.Fatal(err)
			}
			sent := wire.Bytes()[before:]
			p := parser.New(bytes.NewReader(sent), parser.Role(frame.Client), parser.AllowRsv(frame.Rsv1))
			if f, err := p.Next(); err != nil || f.Header().Rsv != frame.Rsv1 || len(sent) >= len(compressible) {
				t.Errorf("%v: shared message sent as %d bytes (%v), want a compressed frame", cfg.Send, len(sent), err)
			}
			want = append(want, compressible)
		}
		var got []string
		cli := endpoint.New(frame.Client, &wire, io.Discard, endpoint.Extensions(cc))
		for range want {
			m, err := cli.NextMessage()
			if err != nil {
				t.Fatalf("%v: message %d: %v", cfg.Send, len(got), err)
			}
			got = append(got, string(m.Data))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v: received (-want +got):\n%s", cfg.Send, diff)
		}
	}
	for i, k := range keys {
		if k != keys[0] {
			t.Errorf("shared key %d is %v, want %v: codecs of the same compressor share one", i, k, keys[0])
		}
	}
}

// TestStreamHugeCompressedPush: a push Endpoint's FeedStream inflates a
// 64 MiB compressed message as it is fed, in 4 KiB chunks, delivering it
// in pieces: exact, and with what the transfer allocates far below the
// message's size. A callback error in the middle of a compressed message
// passes over its rest, and the next message comes whole.
func TestStreamHugeCompressedPush(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 64 MiB")
	}
	const size = 64 << 20
	cc, sc := agreedPair(t, pmce.Config{})
	var wire bytes.Buffer
	cli := endpoint.NewPush(frame.Client, &wire, endpoint.Extensions(cc), endpoint.MaxMessage(size+1<<20))
	w, err := cli.NextWriter(frame.OpBinary)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, &pattern{n: size}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	cli.WriteMessage(frame.OpText, []byte("after"))
	// Compressed with the client's window (context takeover): it inflates
	// only if the window the abandoned message left is whole.
	later := strings.Repeat("later ", 100)
	cli.WriteMessage(frame.OpText, []byte(later))
	stream := wire.Bytes()

	srv := endpoint.NewPush(frame.Server, io.Discard, endpoint.Extensions(sc), endpoint.MaxMessage(size+1<<20))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	h := sha256.New()
	var got int
	var texts []string
	for b := stream; len(b) > 0; {
		chunk := b[:min(len(b), 4096)]
		b = b[len(chunk):]
		err := srv.FeedStream(chunk, func(p endpoint.Piece) error {
			if p.Type == frame.OpText {
				texts = append(texts, string(p.Data))
				return nil
			}
			got += len(p.Data)
			h.Write(p.Data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	want := sha256.New()
	io.Copy(want, &pattern{n: size})
	if got != size || !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
		t.Fatalf("inflated %d bytes, want %d, or they differ", got, size)
	}
	if strings.Join(texts, "") != "after"+later {
		t.Errorf("the messages after: pieces %q", texts)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("64 MiB fed in 4 KiB chunks, inflated with %.1f MiB allocated", float64(alloc)/(1<<20))
	if !race.Enabled && alloc > 8<<20 {
		t.Errorf("%d MiB allocated to inflate 64 MiB: the message was held", alloc>>20)
	}

	// A callback that fails in the middle of a compressed message.
	srv = endpoint.NewPush(frame.Server, io.Discard, endpoint.Extensions(sc), endpoint.MaxMessage(size+1<<20))
	stop := errors.New("stop")
	failed := false
	var after2 []string
	for b := stream; len(b) > 0; {
		chunk := b[:min(len(b), 4096)]
		b = b[len(chunk):]
		err := srv.FeedStream(chunk, func(p endpoint.Piece) error {
			if p.Type == frame.OpText {
				after2 = append(after2, string(p.Data))
				return nil
			}
			if !failed {
				failed = true
				return stop
			}
			t.Fatalf("a piece of the abandoned message came after the error")
			return nil
		})
		if err != nil && !errors.Is(err, stop) {
			t.Fatal(err)
		}
	}
	if strings.Join(after2, "") != "after"+later {
		t.Errorf("after the abandoned message: %q, want \"after\" and the compressed one", after2)
	}
}
