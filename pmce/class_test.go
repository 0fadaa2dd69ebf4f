package pmce

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
)

// negotiatePair runs the handshake between a client and a server
// configured by cc and sc, through header values, and returns the offer,
// the response and both codecs (nil if the server declined).
func negotiatePair(t testing.TB, cc, sc Config) (offer, resp string, client, server *Codec) {
	t.Helper()
	ce, err := New(cc)
	if err != nil {
		t.Fatal(err)
	}
	se, err := New(sc)
	if err != nil {
		t.Fatal(err)
	}
	offer = handshake.FormatExtensions(handshake.OfferExtensions([]handshake.Extension{ce}))
	offers, err := handshake.ParseExtensions([]string{offer})
	if err != nil {
		t.Fatal(err)
	}
	rp, sAgreed, err := handshake.NegotiateExtensions([]handshake.Extension{se}, offers)
	if err != nil || len(sAgreed) != 1 {
		t.Fatalf("server: %v, %d agreed", err, len(sAgreed))
	}
	resp = handshake.FormatExtensions(rp)
	list, err := handshake.ParseExtensions([]string{resp})
	if err != nil {
		t.Fatal(err)
	}
	cAgreed, err := handshake.AcceptExtensions([]handshake.Extension{ce}, list)
	if err != nil || len(cAgreed) != 1 {
		t.Fatalf("client: %v, %d agreed", err, len(cAgreed))
	}
	return offer, resp, cAgreed[0].(*Codec), sAgreed[0].(*Codec)
}

// side is what a codec keeps between messages: whether its compressor
// keeps context and its window in bits, and the bytes of window it keeps
// for the peer's data (0: none).
type side struct {
	SendTakeover bool
	SendBits     int
	RecvWindow   int
}

func sideOf(c *Codec) side {
	s, _ := c.ContextTakeover()
	bits := c.params.ClientMaxWindowBits
	if c.server {
		bits = c.params.ServerMaxWindowBits
	}
	return side{SendTakeover: s, SendBits: bits, RecvWindow: c.dec.window.size}
}

// TestClasses negotiates each memory class against the others and checks
// the header values, what each side keeps, and that messages both ways
// round-trip with no distance beyond the agreed window.
func TestClasses(t *testing.T) {
	full := func(b int) Class { return Dedicated(b) }
	tests := []struct {
		name           string
		client, server Config
		offer, resp    string
		wantC, wantS   side
	}{
		{"defaults", Config{}, Config{},
			"permessage-deflate", "permessage-deflate",
			side{true, 15, 1 << 15}, side{true, 15, 1 << 15}},
		{"shared both ways", Config{Send: Shared}, Config{Send: Shared},
			"permessage-deflate; client_no_context_takeover",
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			side{false, 15, 0}, side{false, 15, 0}},
		{"client dedicated, server shared", Config{Send: full(15)}, Config{Send: Shared},
			"permessage-deflate",
			"permessage-deflate; server_no_context_takeover",
			side{true, 15, 0}, side{false, 15, 1 << 15}},
		{"both dedicated", Config{Send: full(15)}, Config{Send: full(15)},
			"permessage-deflate", "permessage-deflate",
			side{true, 15, 1 << 15}, side{true, 15, 1 << 15}},
		{"client dedicated small window, server keeps at most 4 KiB", Config{Send: full(10)}, Config{Send: Shared, Receive: full(12)},
			"permessage-deflate; client_max_window_bits=10",
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=10",
			side{true, 10, 0}, side{false, 15, 1 << 10}},
		{"server bounds a bare client_max_window_bits", Config{Send: full(15), ClientMaxWindowBits: 15}, Config{Send: Shared, Receive: full(11)},
			"permessage-deflate; client_max_window_bits",
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=11",
			side{true, 11, 0}, side{false, 15, 1 << 11}},
		{"server cannot bound the client's window: no context takeover instead", Config{Send: full(15)}, Config{Send: Shared, Receive: full(11)},
			"permessage-deflate",
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			side{false, 15, 0}, side{false, 15, 0}},
		{"server receives shared", Config{Send: full(15)}, Config{Receive: Shared, Send: full(15)},
			"permessage-deflate",
			"permessage-deflate; client_no_context_takeover",
			side{false, 15, 1 << 15}, side{true, 15, 0}},
		{"client receives shared", Config{Send: Shared, Receive: Shared}, Config{Send: full(15)},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			side{false, 15, 0}, side{false, 15, 0}},
		{"client keeps at most 512 bytes of the server's", Config{Send: Shared, Receive: full(9)}, Config{Send: full(15)},
			"permessage-deflate; client_no_context_takeover; server_max_window_bits=9",
			"permessage-deflate; client_no_context_takeover; server_max_window_bits=9",
			side{false, 15, 1 << 9}, side{true, 9, 0}},
		{"sliding windows bound nothing", Config{Send: SlidingWindow(15)}, Config{Send: SlidingWindow(12)},
			"permessage-deflate",
			"permessage-deflate",
			side{true, 15, 1 << 15}, side{true, 15, 1 << 15}},
		{"sliding window with a peer's small window", Config{Send: SlidingWindow(9), Receive: Dedicated(10), ClientMaxWindowBits: 15},
			Config{Send: SlidingWindow(15), Receive: Dedicated(11)},
			"permessage-deflate; server_max_window_bits=10; client_max_window_bits",
			"permessage-deflate; server_max_window_bits=10; client_max_window_bits=11",
			side{true, 11, 1 << 10}, side{true, 10, 1 << 11}},
		{"leased negotiates as dedicated", Config{Send: Leased(15)}, Config{Send: Leased(10)},
			"permessage-deflate",
			"permessage-deflate; server_max_window_bits=10",
			side{true, 15, 1 << 10}, side{true, 10, 1 << 15}},
		{"server dedicated small window unprompted", Config{Send: Shared}, Config{Send: full(8)},
			"permessage-deflate; client_no_context_takeover",
			"permessage-deflate; client_no_context_takeover; server_max_window_bits=8",
			side{false, 15, 1 << 8}, side{true, 8, 0}},
	}
	msgs := texts(40, 3000, 7)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer, resp, c, s := negotiatePair(t, tt.client, tt.server)
			got := []any{offer, resp, sideOf(c), sideOf(s)}
			want := []any{tt.offer, tt.resp, tt.wantC, tt.wantS}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("(-want +got)\n%s", diff)
			}
			for _, dir := range []struct {
				from, to *Codec
				bits     int
			}{{c, s, tt.wantC.SendBits}, {s, c, tt.wantS.SendBits}} {
				var wire, back []byte
				for i, m := range msgs {
					var err error
					if wire, err = dir.from.Compress(wire[:0], m); err != nil {
						t.Fatal(err)
					}
					if _, dist, err := inspectDeflate(wire); err != nil || dist >= 1<<dir.bits {
						t.Fatalf("message %d: distance %d, window %d bits, %v", i, dist, dir.bits, err)
					}
					if back, err = dir.to.Decompress(back[:0], wire, 0); err != nil || !bytes.Equal(back, m) {
						t.Fatalf("message %d: round trip: %v", i, err)
					}
				}
			}
		})
	}
}

// TestClassValues checks Class's accessors and its validation.
func TestClassValues(t *testing.T) {
	var got []string
	for _, c := range []Class{0, Shared, Dedicated(8), Dedicated(15), Dedicated(16), 2, SlidingWindow(8), SlidingWindow(15), SlidingWindow(16),
		Leased(8), Leased(15), Leased(16)} {
		got = append(got, fmt.Sprintf("%v:%d:%v", c, c.Bits(), c.check("x") == nil))
	}
	want := []string{"default:0:true", "shared:0:true", "dedicated(8):8:true", "dedicated(15):15:true",
		"Class(16):0:false", "Class(2):0:false", "window(8):8:true", "window(15):15:true", "Class(32):0:false",
		"leased(8):8:true", "leased(15):15:true", "Class(48):0:false"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// leaseHeld reports whether a Leased codec holds its compressor.
func leaseHeld(c *Codec) bool {
	c.enc.mu.Lock()
	defer c.enc.mu.Unlock()
	return c.enc.held != nil
}

// waitReleased waits for a Leased codec's timer to give its compressor back.
func waitReleased(t *testing.T, c *Codec) {
	t.Helper()
	for range 2000 {
		if !leaseHeld(c) {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the leased compressor was not given back")
}

// TestLeased: while a Leased codec sends, it compresses exactly as a
// Dedicated one (same bytes); once idle for LeaseIdle it holds no
// compressor, and its next message refers to nothing before it, which the
// peer, keeping its window, inflates all the same. A message streamed
// through a Writer keeps the compressor however long it takes. CloseSend
// gives it back at once.
func TestLeased(t *testing.T) {
	msgs := texts(6, 3000, 11)
	dedicated := newCodec(true, fullWindow, 4, 0)
	leased := newCodec(true, fullWindow, 4, 0)
	leased.enc.setClass(Leased(15), 5*time.Millisecond)
	fresh := newCodec(true, Params{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, 4, 0)
	peer := newCodec(false, fullWindow, 4, 0)
	roundTrip := func(i int, wire []byte) {
		t.Helper()
		back, err := peer.Decompress(nil, wire, 0)
		if err != nil || !bytes.Equal(back, msgs[i]) {
			t.Fatalf("message %d: the peer inflated %d bytes, %v", i, len(back), err)
		}
	}
	compress := func(c *Codec, m []byte) []byte {
		t.Helper()
		out, err := c.Compress(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for i := range 3 {
		got, want := compress(leased, msgs[i]), compress(dedicated, msgs[i])
		if !bytes.Equal(got, want) {
			t.Fatalf("message %d: leased sent %d bytes, dedicated %d: want the same", i, len(got), len(want))
		}
		roundTrip(i, got)
	}
	if !leaseHeld(leased) {
		t.Fatal("no compressor held right after a message")
	}
	waitReleased(t, leased)
	got, want := compress(leased, msgs[3]), compress(fresh, msgs[3])
	if !bytes.Equal(got, want) {
		t.Errorf("first message after idle: %d bytes, want %d as compressed alone", len(got), len(want))
	}
	roundTrip(3, got)

	var wire bytes.Buffer
	w := leased.NewWriter(&wire)
	half := len(msgs[4]) / 2
	if _, err := w.Write(msgs[4][:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond) // many periods of LeaseIdle
	if !leaseHeld(leased) {
		t.Fatal("the compressor was given back in the middle of a message")
	}
	if _, err := w.Write(msgs[4][half:]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	roundTrip(4, wire.Bytes())
	roundTrip(5, compress(leased, msgs[5]))
	waitReleased(t, leased)

	// CloseSend gives the compressor back at once, at the end of a
	// message being compressed, and later messages are compressed alone.
	leased.enc.setClass(Leased(15), time.Hour)
	roundTrip(0, compress(leased, msgs[0]))
	w = leased.NewWriter(&wire)
	leased.CloseSend()
	if !leaseHeld(leased) {
		t.Fatal("CloseSend took the compressor in the middle of a message")
	}
	wire.Reset()
	if _, err := w.Write(msgs[1]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	roundTrip(1, wire.Bytes())
	if leaseHeld(leased) {
		t.Fatal("the compressor outlived CloseSend and the message")
	}
	for i := 2; i < 4; i++ {
		got, want := compress(leased, msgs[i]), compress(fresh, msgs[i])
		if !bytes.Equal(got, want) || leaseHeld(leased) {
			t.Errorf("message %d after CloseSend: %d bytes (held %v), want %d as compressed alone", i, len(got), leaseHeld(leased), len(want))
		}
		roundTrip(i, got)
	}
	leased.Release()
	if _, err := leased.Compress(nil, msgs[0]); err != errReleased {
		t.Errorf("Compress after Release: %v, want errReleased", err)
	}
}

// TestSlidingPoolHygiene checks that a compressor primed with one
// connection's window goes back to the pool without it: a Shared codec
// that takes it next makes output that a decoder without any window reads.
func TestSlidingPoolHygiene(t *testing.T) {
	if _, err := New(Config{Receive: SlidingWindow(12)}); err == nil {
		t.Error("SlidingWindow accepted as a Receive class")
	}
	msg := bytes.Repeat([]byte("a window that belongs to one connection only. "), 40)
	for range 20 {
		sl := newCodec(false, fullWindow, 1, 0)
		sl.enc.setClass(SlidingWindow(15), 0)
		if _, err := sl.Compress(nil, msg); err != nil {
			t.Fatal(err)
		}
		if _, err := sl.Compress(nil, msg); err != nil {
			t.Fatal(err)
		}
		shared := newCodec(false, Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, 1, 0)
		wire, err := shared.Compress(nil, msg)
		if err != nil {
			t.Fatal(err)
		}
		fresh := newCodec(true, Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, 1, 0)
		if back, err := fresh.Decompress(nil, wire, 0); err != nil || !bytes.Equal(back, msg) {
			t.Fatalf("a shared compressor after a sliding one: %v", err)
		}
	}
}

// TestSentSharedMidMessage: a shared message reported while a Writer's
// message is under way goes out after it (an Endpoint sends frames of one
// message at a time), so the codec drops its context only once that
// message ends; the peer then inflates the streamed message, the shared
// one and the next one, for every class with context takeover.
func TestSentSharedMidMessage(t *testing.T) {
	msgs := benchText(3, 3000)
	for _, class := range []Class{Dedicated(15), Leased(15), SlidingWindow(15), SlidingWindow(12)} {
		t.Run(class.String(), func(t *testing.T) {
			c := newCodec(true, fullWindow, 4, 0)
			c.enc.setClass(class, time.Hour)
			peer := newCodec(false, fullWindow, 4, 0)
			shared, rsv, err := c.EncodeShared(nil, msgs[1], 0)
			if err != nil || rsv == 0 {
				t.Fatalf("EncodeShared: rsv %v, %v", rsv, err)
			}
			// Some context first, so that dropping it matters.
			first, err := c.Compress(nil, msgs[2])
			if err != nil {
				t.Fatal(err)
			}
			var streamed bytes.Buffer
			w := c.NewWriter(&streamed)
			half := len(msgs[0]) / 2
			if _, err := w.Write(msgs[0][:half]); err != nil {
				t.Fatal(err)
			}
			c.SentShared(msgs[1], rsv)
			if _, err := w.Write(msgs[0][half:]); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			// What is where in the peer's window now differs from the
			// sender's history unless the context was dropped: each of
			// these refers far back into it.
			next, err := c.Compress(nil, msgs[2])
			if err != nil {
				t.Fatal(err)
			}
			last, err := c.Compress(nil, msgs[0][half:])
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, wire := range [][]byte{first, streamed.Bytes(), shared, next, last} {
				back, err := peer.Decompress(nil, wire, 0)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, string(back))
			}
			want := []string{string(msgs[2]), string(msgs[0]), string(msgs[1]), string(msgs[2]), string(msgs[0][half:])}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("the peer received (-want +got):\n%s", diff)
			}
		})
	}
}
