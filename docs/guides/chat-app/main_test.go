package main

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/pmce"
)

func start(t *testing.T, beat time.Duration) (*hub, string) {
	t.Helper()
	h, err := newHub("http://chat.example", beat)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, "ws" + strings.TrimPrefix(srv.URL, "http") + "/chat"
}

func dial(t *testing.T, url, origin string) (*client.Dialed, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	deflate, _ := pmce.New(pmce.Config{})
	d, err := client.Dial(ctx, url, &client.Config{Origin: origin, Extensions: []handshake.Extension{deflate}})
	if err == nil {
		t.Cleanup(func() { d.Close() })
	}
	return d, err
}

// TestBroadcast: the client's 10 messages reach another connection too,
// compressed.
func TestBroadcast(t *testing.T) {
	_, url := start(t, time.Minute)
	d, err := dial(t, url, "http://chat.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Result.Extensions) != 1 {
		t.Errorf("agreed %d extensions, want permessage-deflate", len(d.Result.Extensions))
	}
	listener := d.Endpoint()
	if err := send(url, 10); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		m, err := listener.NextMessage()
		if want := fmt.Sprintf("message %d", i+1); err != nil || string(m.Data) != want {
			t.Fatalf("broadcast %d: %q, %v", i+1, m.Data, err)
		}
	}
}

// TestOriginAllowList: exactly the one origin is allowed, not even the
// server's own host.
func TestOriginAllowList(t *testing.T) {
	_, url := start(t, time.Minute)
	for _, origin := range []string{"http://evil.example", "http://" + strings.TrimPrefix(strings.Split(url, "/chat")[0], "ws://")} {
		_, err := dial(t, url, origin)
		var se *handshake.StatusError
		if !errors.As(err, &se) || se.Code != 403 {
			t.Errorf("origin %s: %v, want 403", origin, err)
		}
	}
}

// TestSilentClientDropped: a client that never reads leaves the pings
// unanswered and is dropped with 1008 after three of them.
func TestSilentClientDropped(t *testing.T) {
	h, url := start(t, 50*time.Millisecond)
	d, err := dial(t, url, "http://chat.example")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // not reading: no pong goes back
	h.mu.Lock()
	n := len(h.conns)
	h.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d connections still in the hub", n)
	}
	var ce *endpoint.CloseError
	e := d.Endpoint()
	for _, err := e.NextMessage(); !errors.As(err, &ce); _, err = e.NextMessage() {
		if err != nil {
			t.Fatalf("read %v, want the server's close", err)
		}
	}
	if ce.Code != frame.ClosePolicyViolation {
		t.Errorf("closed with %d, want 1008", ce.Code)
	}
}
