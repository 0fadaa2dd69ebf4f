package endpoint

import (
	"errors"
	"testing"

	"github.com/wskit/wskit/frame"
)

func TestDefragmenter(t *testing.T) {
	var d Defragmenter
	add := func(f frame.Frame) (Message, bool, error) { return d.Add(f) }
	if _, ok, err := add(text(false, "he")); ok || err != nil {
		t.Fatal(ok, err)
	}
	if !d.InMessage() {
		t.Fatal("not in a message")
	}
	if _, _, err := add(ping("x")); err != ErrNotData {
		t.Fatalf("control frame: %v", err)
	}
	m, ok, err := add(cont(true, "llo"))
	if !ok || err != nil || m.Type != frame.OpText || string(m.Data) != "hello" {
		t.Fatal(m, ok, err)
	}
	// A single frame comes back without a copy.
	f := bin(true, "abc")
	m, ok, _ = add(f)
	if !ok || &m.Data[0] != &f.Payload[0] {
		t.Fatal("single frame was copied")
	}
	// A violation is final until Reset.
	if _, _, err := add(cont(true, "x")); !errors.Is(err, frame.ErrUnexpectedContinue) {
		t.Fatal(err)
	}
	if _, _, err := add(text(true, "ok")); !errors.Is(err, frame.ErrUnexpectedContinue) {
		t.Fatalf("after a violation: %v", err)
	}
	d.Reset()
	if m, ok, err := add(text(true, "ok")); !ok || err != nil || string(m.Data) != "ok" {
		t.Fatal(m, ok, err)
	}
}

func TestDefragmenterLimits(t *testing.T) {
	d := Defragmenter{MaxMessage: 4, MaxFragments: 2}
	d.Add(bin(false, "ab"))
	if _, _, err := d.Add(cont(true, "abc")); !errors.Is(err, frame.ErrMessageTooBig) {
		t.Fatal(err)
	}
	d.Reset()
	d.Add(bin(false, ""))
	d.Add(cont(false, ""))
	if _, _, err := d.Add(cont(true, "")); !errors.Is(err, frame.ErrTooManyFragments) {
		t.Fatal(err)
	}
	// No limits.
	d = Defragmenter{MaxMessage: -1, MaxFragments: -1}
	d.Add(bin(false, "x"))
	for range 9999 {
		if _, _, err := d.Add(cont(false, "x")); err != nil {
			t.Fatal(err)
		}
	}
	if m, ok, err := d.Add(cont(true, "")); !ok || err != nil || len(m.Data) != 10000 {
		t.Fatal(len(m.Data), ok, err)
	}
}

func TestDefragmenterBufferReleased(t *testing.T) {
	var d Defragmenter
	big := make([]byte, 1<<20)
	d.Add(bin(false, string(big)))
	d.Add(cont(true, "x"))
	if d.buf == nil || cap(*d.buf) <= keepBuffer {
		t.Fatal("no large buffer")
	}
	d.Add(bin(false, "small"))
	if d.buf != nil && cap(*d.buf) > keepBuffer {
		t.Fatal("large buffer kept after the next message started")
	}
}
