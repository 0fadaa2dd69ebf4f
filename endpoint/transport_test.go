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
	"strings"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
)

// dialPair returns the two ends of a connection to a listener on network
// and address, both closed at the end of the test.
func dialPair(t *testing.T, network, address string) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen(network, address)
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
	client, err = net.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { client.Close(); server.Close() })
	return server, client
}

// unixPair connects a client and a server Endpoint over a UNIX socket.
func unixPair(t *testing.T, copts, sopts []Option) (client, server *Endpoint, cc, sc net.Conn) {
	sc, cc = dialPair(t, "unix", filepath.Join(t.TempDir(), "ws.sock"))
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
