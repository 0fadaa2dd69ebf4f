package endpoint

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
)

func TestNetConn(t *testing.T) {
	noLeak(t)
	client, server, _, _ := unixPair(t, nil, nil)
	cn, sn := client.NetConn(frame.OpBinary), server.NetConn(frame.OpBinary)
	if cn.LocalAddr().Network() != "unix" || sn.RemoteAddr().Network() != "unix" {
		t.Fatalf("addresses %v %v", cn.LocalAddr(), sn.RemoteAddr())
	}
	// Several messages read as one stream, in reads that span them.
	go func() {
		for _, s := range []string{"hello ", "", "wor", "ld"} {
			if _, err := cn.Write([]byte(s)); err != nil {
				t.Error(err)
			}
		}
		cn.Close() // handshake, then closes the socket
	}()
	got, err := io.ReadAll(sn)
	if err != nil || string(got) != "hello world" {
		t.Fatalf("ReadAll: %q %v", got, err)
	}
	if err := sn.Close(); err != nil {
		t.Fatalf("server Close: %v", err)
	}
}

func TestNetConnDeadlines(t *testing.T) {
	noLeak(t)
	a, b := net.Pipe()
	defer b.Close()
	c := New(frame.Server, a, a).NetConn(frame.OpBinary)
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	_, err := c.Read(buf)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read: %v, want a timeout", err)
	}
	// A timeout between frames is not final: extend it and read on.
	c.SetDeadline(time.Time{})
	go b.Write(enc(t, frame.Client, bin(true, "later")))
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "later" {
		t.Fatalf("Read after timeout: %q %v", buf[:n], err)
	}
	a.Close()

	// A transport without deadlines says so.
	x, _ := duplex(64)
	nc := New(frame.Server, x, x).NetConn(frame.OpBinary)
	if err := nc.SetDeadline(time.Now()); err != ErrDeadline {
		t.Fatalf("SetDeadline: %v", err)
	}
	if nc.LocalAddr().Network() != "websocket" {
		t.Fatal(nc.LocalAddr())
	}
}

func TestNetConnWrongType(t *testing.T) {
	noLeak(t)
	var w bytes.Buffer
	e := New(frame.Server, bytes.NewReader(enc(t, frame.Client, text(true, "nope"))), &w)
	_, err := e.NetConn(frame.OpBinary).Read(make([]byte, 4))
	if frame.CloseCodeOf(err) != frame.CloseUnsupportedData {
		t.Fatalf("Read: %v", err)
	}
	if got := closeCode(decodeAll(t, frame.Server, w.Bytes())); got != 1003 {
		t.Fatalf("sent close %d", got)
	}
}

func TestNetConnAbnormalClose(t *testing.T) {
	var w bytes.Buffer
	in := enc(t, frame.Client, bin(true, "x"), closeFrame(1011, "oops"))
	c := New(frame.Server, bytes.NewReader(in), &w).NetConn(frame.OpBinary)
	got, err := io.ReadAll(c)
	var ce *CloseError
	if string(got) != "x" || !errors.As(err, &ce) || ce.Code != 1011 {
		t.Fatalf("ReadAll: %q %v", got, err)
	}
	if !strings.Contains(err.Error(), "oops") {
		t.Fatal(err)
	}
}
