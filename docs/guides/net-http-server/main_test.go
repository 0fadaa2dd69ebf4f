package main

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

// dial opens a WebSocket to addr with cfg and returns the client endpoint
// and what the handshake agreed.
func dial(t *testing.T, addr string, cfg *client.Config) (*endpoint.Endpoint, *client.Result, error) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	req, err := client.NewRequest("ws://"+addr+"/echo", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := req.WriteTo(conn); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := req.Verify(resp)
	if err != nil {
		return nil, nil, err
	}
	var exts []endpoint.Codec
	for _, n := range res.Extensions {
		exts = append(exts, n.(endpoint.Codec))
	}
	leftover, _ := br.Peek(br.Buffered())
	ep := endpoint.New(frame.Client, conn, conn,
		endpoint.Extensions(exts...), endpoint.ParserOptions(parser.Leftover(leftover)))
	return ep, res, nil
}

func TestEchoAndGoingAway(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln) }()

	deflate, _ := pmce.New(pmce.Config{ClientMaxWindowBits: 15})
	ep, res, err := dial(t, ln.Addr().String(), &client.Config{
		Origin:     "http://localhost:3000",
		Protocols:  []string{"echo.v1", "other"},
		Extensions: []handshake.Extension{deflate},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Protocol != "echo.v1" || len(res.Extensions) != 1 {
		t.Fatalf("agreed %q %v", res.Protocol, res.Extensions)
	}
	for _, msg := range []string{"hello", strings.Repeat("compressible ", 100)} {
		if err := ep.WriteMessage(frame.OpText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		m, err := ep.NextMessage()
		if err != nil || string(m.Data) != msg {
			t.Fatalf("echo: %.20q %v", m.Data, err)
		}
	}

	cancel() // the server goes away
	_, err = ep.NextMessage()
	var ce *endpoint.CloseError
	if !errors.As(err, &ce) || ce.Code != frame.CloseGoingAway || !ce.Remote {
		t.Fatalf("after shutdown: %v, want the server's 1001", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("serve did not return")
	}
}

func TestRefusedOrigin(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go serve(ctx, ln)
	_, _, err = dial(t, ln.Addr().String(), &client.Config{Origin: "https://evil.example"})
	var se *handshake.StatusError
	if !errors.As(err, &se) || se.Code != 403 {
		t.Fatalf("cross-origin handshake: %v, want 403", err)
	}
}
