package handshake_test

import (
	"bytes"
	"testing"

	"github.com/wskit/wskit/handshake"
)

func TestAcceptRFCSample(t *testing.T) {
	// RFC 6455 section 1.3.
	const key, want = "dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
	if got := handshake.Accept(key); got != want {
		t.Errorf("Accept(%q) = %q, want %q", key, got, want)
	}
	if got := string(handshake.AppendAccept([]byte("x"), key)); got != "x"+want {
		t.Errorf("AppendAccept = %q, want %q", got, "x"+want)
	}
	if !handshake.AcceptMatches(want, key) || handshake.AcceptMatches(want+"=", key) {
		t.Error("AcceptMatches is wrong")
	}
}

func TestAppendAcceptAllocs(t *testing.T) {
	key := handshake.NewKey()
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = handshake.AppendAccept(buf[:0], key) }); n != 0 {
		t.Errorf("AppendAccept allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { handshake.AcceptMatches("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", key) }); n != 0 {
		t.Errorf("AcceptMatches allocates %v times, want 0", n)
	}
}

func TestNewKey(t *testing.T) {
	a, b := handshake.NewKey(), handshake.NewKey()
	if !handshake.ValidKey(a) || !handshake.ValidKey(b) || a == b {
		t.Errorf("NewKey gave %q and %q", a, b)
	}
	k, err := handshake.ReadKey(bytes.NewReader(make([]byte, 16)))
	if err != nil || k != "AAAAAAAAAAAAAAAAAAAAAA==" {
		t.Errorf("ReadKey = %q, %v", k, err)
	}
	if _, err := handshake.ReadKey(bytes.NewReader(make([]byte, 15))); err == nil {
		t.Error("ReadKey of 15 bytes succeeded")
	}
}

func TestValidKey(t *testing.T) {
	for _, tt := range []struct {
		key  string
		want bool
	}{
		{"dGhlIHNhbXBsZSBub25jZQ==", true},
		{"AAAAAAAAAAAAAAAAAAAAAA==", true},
		{"", false},
		{"dGhlIHNhbXBsZSBub25jZQ", false},     // no padding
		{"dGhlIHNhbXBsZSBub25jZQ=", false},    // short padding
		{"dGhlIHNhbXBsZSBub25jZQ===", false},  // 25 bytes
		{"dGhlIHNhbXBsZSBub25jZR==", false},   // non-zero trailing bits
		{"dGhlIHNhbXBsZSBub25j====", false},   // 15 bytes
		{"AAAAAAAAAAAAAAAAAAAAAAAA", false},   // 18 bytes
		{"dGhlIHNhbXBsZSBub25jZQ==\n", false}, // trailing newline
		{"dGhl IHNhbXBsZSBub25jZQ=", false},   // space
		{"dGhlIHNhbXBsZSBub25jZQ-_", false},   // URL alphabet
		{"\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff", false},
	} {
		if got := handshake.ValidKey(tt.key); got != tt.want {
			t.Errorf("ValidKey(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}
