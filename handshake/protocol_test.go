package handshake_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
)

func TestParseProtocols(t *testing.T) {
	for _, tt := range []struct {
		in      []string
		want    []string
		wantErr bool
	}{
		{nil, nil, false},
		{[]string{"chat"}, []string{"chat"}, false},
		{[]string{"chat, superchat"}, []string{"chat", "superchat"}, false},
		{[]string{"chat", "superchat,  v2.x  "}, []string{"chat", "superchat", "v2.x"}, false},
		{[]string{" , chat,,"}, []string{"chat"}, false},
		{[]string{"chat, chat"}, nil, true},
		{[]string{"chat", "chat"}, nil, true},
		{[]string{"a b"}, nil, true},
		{[]string{"a;b"}, nil, true},
		{[]string{`"chat"`}, nil, true},
	} {
		got, err := handshake.ParseProtocols(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseProtocols(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil && !errors.Is(err, handshake.ErrBadHeader) {
			t.Errorf("ParseProtocols(%q) error %v is not ErrBadHeader", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseProtocols(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	if got := handshake.FormatProtocols([]string{"a", "b"}); got != "a, b" {
		t.Errorf("FormatProtocols = %q", got)
	}
}
