package main

import (
	"errors"
	"net"
	"path/filepath"
	"testing"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

func TestEchoOverUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "echo.sock")
	ln, err := listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serve(ln)

	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ep, err := open(conn)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"hello", "", "world"} {
		if err := ep.WriteMessage(frame.OpText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		m, err := ep.NextMessage()
		if err != nil || string(m.Data) != msg {
			t.Fatalf("echo %q: %q %v", msg, m.Data, err)
		}
	}
	if err := ep.Close(frame.CloseNormal, ""); err != nil {
		t.Fatalf("closing handshake: %v", err)
	}
	// After the closing handshake the server closed its end.
	_, err = ep.NextMessage()
	var ce *endpoint.CloseError
	if !errors.As(err, &ce) || ce.Code != frame.CloseNormal {
		t.Fatalf("after Close: %v", err)
	}
}

func TestSend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "echo.sock")
	ln, err := listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serve(ln)
	if err := send(path, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
}
