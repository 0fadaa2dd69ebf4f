//go:build unix

package parser

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
)

// TestReleaseIdle reads frames from a TCP connection with ReleaseIdle: the
// read buffer is given back while the parser waits, deadlines and the end
// of the stream work as for any reader, and nothing is lost.
func TestReleaseIdle(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	p := New(conn, ReleaseIdle(), BufferSize(256))
	if p.idle == nil {
		t.Fatal("no idle reader for a TCP connection")
	}

	// Nothing arrives before the deadline: the buffer went back.
	conn.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	if _, err := p.Next(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Next = %v, want the deadline", err)
	}
	if p.buf != nil || p.pooled != nil {
		t.Fatal("the parser holds its buffer while waiting")
	}
	conn.SetReadDeadline(time.Time{})

	// Frames larger and smaller than the buffer, in one write and in
	// pieces: all arrive whole.
	var wire []byte
	big := make([]byte, 1000)
	for i := range big {
		big[i] = byte(i)
	}
	for _, f := range []frame.Frame{&frame.Text{Fin: true, Payload: []byte("one")}, &frame.Binary{Fin: true, Payload: big}, &frame.Ping{Payload: []byte("p")}} {
		wire, _ = frame.Append(wire, f)
	}
	go func() {
		peer.Write(wire[:3])
		time.Sleep(10 * time.Millisecond)
		peer.Write(wire[3:])
		peer.Close()
	}()
	var got []string
	for {
		f, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, f.Header().Opcode.String())
		if b, ok := f.(*frame.Binary); ok && string(b.Payload) != string(big) {
			t.Fatal("the binary frame's payload differs")
		}
	}
	if len(got) != 3 {
		t.Fatalf("frames %v, want text, binary, ping", got)
	}
}
