package endpoint

import (
	"errors"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
)

func TestHeartbeat(t *testing.T) {
	noLeak(t)
	e, peer := pipePair(t, MaxPings(2))
	go func() {
		for {
			if _, err := e.NextMessage(); err != nil {
				return
			}
		}
	}()
	// A peer that answers.
	for i := range 5 {
		go func() {
			if err := e.Heartbeat(); err != nil {
				t.Errorf("Heartbeat %d: %v", i, err)
			}
		}()
		h, b, err := peer.next()
		if err != nil || h.Opcode != frame.OpPing || len(b) != 8 || b[7] != byte(i+1) {
			t.Fatalf("ping %d: %v %x %v", i, h, b, err)
		}
		peer.send(&frame.Pong{Payload: b})
	}
	waitFor(t, func() bool { return e.Outstanding() == 0 })
	// A peer that falls silent: two pings may be outstanding, the third
	// call closes with 1008.
	pings := make(chan []byte, 10)
	go func() {
		for {
			h, b, err := peer.next()
			if err != nil {
				return
			}
			pings <- append([]byte{byte(h.Opcode)}, b...)
		}
	}()
	for range 2 {
		if err := e.Heartbeat(); err != nil {
			t.Fatal(err)
		}
	}
	if e.Outstanding() != 2 {
		t.Fatalf("outstanding %d", e.Outstanding())
	}
	// An answer to the first ping only clears it; unrelated pongs change nothing.
	first := <-pings
	<-pings
	go peer.send(&frame.Pong{Payload: first[1:]}, pong("junk"), pong("12345678"))
	waitFor(t, func() bool { return e.Outstanding() == 1 })
	if err := e.Heartbeat(); err != nil {
		t.Fatal(err)
	}
	<-pings
	err := e.Heartbeat()
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != frame.ClosePolicyViolation || ce.Remote || !errors.Is(err, ErrNoPong) {
		t.Fatalf("Heartbeat: %v", err)
	}
	c := <-pings
	if frame.Opcode(c[0]) != frame.OpClose || c[1] != 0x03 || c[2] != 0xf0 {
		t.Fatalf("sent %x, want a close 1008", c)
	}
	if err := e.Ping(nil); err != ErrClosed {
		t.Fatalf("Ping after heartbeat close: %v", err)
	}
	peer.conn.Close()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met")
		}
		time.Sleep(time.Millisecond)
	}
}
