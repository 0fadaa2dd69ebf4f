package endpoint

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
)

// TestNextMessageContext: cancelling the context ends a blocked read with
// an error that wraps context.Canceled, and the Endpoint reads on after it.
func TestNextMessageContext(t *testing.T) {
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	ep := New(frame.Server, s, s)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := ep.NextMessageContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("NextMessageContext = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := ep.NextMessageContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("NextMessageContext = %v, want context.DeadlineExceeded", err)
	}
	// Not final: a message sent now arrives, the deadline cleared.
	go func() { c.Write(enc(t, frame.Client, text(true, "after"))) }()
	time.Sleep(30 * time.Millisecond)
	m, err := ep.NextMessage()
	if err != nil || string(m.Data) != "after" {
		t.Fatalf("NextMessage = %q, %v; want \"after\"", m.Data, err)
	}
}

// TestWriteTimeout: a peer that reads nothing makes a send fail within the
// timeout instead of blocking it.
func TestWriteTimeout(t *testing.T) {
	c, s := net.Pipe() // synchronous: a write waits for a reader
	defer c.Close()
	defer s.Close()
	ep := New(frame.Server, s, s, WriteTimeout(30*time.Millisecond))
	start := time.Now()
	err := ep.WriteMessage(frame.OpText, []byte("nobody reads this"))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("WriteMessage = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("WriteMessage blocked %v", d)
	}
	if err2 := ep.WriteMessage(frame.OpText, []byte("x")); err2 != err {
		t.Errorf("the next send = %v, want the same final error", err2)
	}
}

// TestWriteMessageContext: a cancelled context ends a blocked write.
func TestWriteMessageContext(t *testing.T) {
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	ep := New(frame.Server, s, s)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if err := ep.WriteMessageContext(ctx, frame.OpBinary, []byte("blocked")); !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteMessageContext = %v, want context.Canceled", err)
	}
}
