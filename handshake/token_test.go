package handshake_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
)

func TestHasToken(t *testing.T) {
	for _, tt := range []struct {
		values []string
		token  string
		want   bool
	}{
		{[]string{"Upgrade"}, "upgrade", true},
		{[]string{"keep-alive, Upgrade"}, "upgrade", true},
		{[]string{"keep-alive,upgrade"}, "upgrade", true},
		{[]string{"keep-alive", " UPGRADE\t"}, "upgrade", true},
		{[]string{"websocket"}, "websocket", true},
		{[]string{"WebSocket"}, "websocket", true},
		{[]string{"h2c, WebSocket"}, "websocket", true},
		{[]string{"keep-alive"}, "upgrade", false},
		{[]string{"upgrades"}, "upgrade", false},
		{[]string{"up grade"}, "upgrade", false},
		{[]string{""}, "upgrade", false},
		{nil, "upgrade", false},
	} {
		if got := handshake.HasToken(tt.values, tt.token); got != tt.want {
			t.Errorf("HasToken(%q, %q) = %v, want %v", tt.values, tt.token, got, tt.want)
		}
	}
}

func TestHeaderValuesCaseInsensitive(t *testing.T) {
	h := http.Header{
		"Sec-Websocket-Key": {"a"},
		"sec-websocket-key": {"b"},
		"SEC-WEBSOCKET-KEY": {"c"},
		"Other":             {"x"},
	}
	got := handshake.HeaderValues(h, "Sec-WebSocket-Key")
	if len(got) != 3 || got[0] != "a" {
		t.Errorf("HeaderValues = %q, want a first and 3 values", got)
	}
	if diff := cmp.Diff([]string{"x"}, handshake.HeaderValues(h, "other")); diff != "" {
		t.Errorf("HeaderValues(other) (-want +got):\n%s", diff)
	}
	if got := handshake.HeaderValues(h, "Missing"); got != nil {
		t.Errorf("HeaderValues(Missing) = %q", got)
	}
	if h["Sec-Websocket-Key"][0] != "a" || len(h["Sec-Websocket-Key"]) != 1 {
		t.Error("HeaderValues modified the header")
	}
}

func TestIsTokenAndValidHeaderField(t *testing.T) {
	for s, want := range map[string]bool{"chat": true, "x-foo.v1": true, "": false, "a b": false, "a,b": false, "a\"": false, "é": false} {
		if got := handshake.IsToken(s); got != want {
			t.Errorf("IsToken(%q) = %v", s, got)
		}
	}
	if !handshake.ValidHeaderField("X-A", "v\tw") || handshake.ValidHeaderField("X-A", "v\r\nX: y") || handshake.ValidHeaderField("X A", "v") {
		t.Error("ValidHeaderField is wrong")
	}
}
