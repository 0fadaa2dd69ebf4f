package handshake_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
)

type (
	P = handshake.Param
	O = handshake.ExtensionOffer
)

func TestParseExtensions(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []string
		want []O
	}{
		{"empty", nil, nil},
		{"token", []string{"permessage-deflate"}, []O{{Name: "permessage-deflate"}}},
		{"params", []string{"permessage-deflate; client_max_window_bits; server_max_window_bits=10"},
			[]O{{Name: "permessage-deflate", Params: []P{{Name: "client_max_window_bits"}, {Name: "server_max_window_bits", Value: "10"}}}}},
		{"no spaces", []string{"foo;a=1;b"}, []O{{Name: "foo", Params: []P{{"a", "1"}, {"b", ""}}}}},
		{"spaces everywhere", []string{" foo \t; a = 1 ;\tb , bar "}, []O{{Name: "foo", Params: []P{{"a", "1"}, {"b", ""}}}, {Name: "bar"}}},
		{"quoted", []string{`foo; a="10"; b="x\y"`}, []O{{Name: "foo", Params: []P{{"a", "10"}, {"b", "xy"}}}}},
		{"several lines", []string{"foo; a", "bar, baz; c=3"}, []O{{Name: "foo", Params: []P{{"a", ""}}}, {Name: "bar"}, {Name: "baz", Params: []P{{"c", "3"}}}}},
		{"same name twice", []string{"pmd; a=1, pmd"}, []O{{Name: "pmd", Params: []P{{"a", "1"}}}, {Name: "pmd"}}},
		{"empty elements", []string{", foo,, ,bar,"}, []O{{Name: "foo"}, {Name: "bar"}}},
		{"empty line", []string{"", "foo"}, []O{{Name: "foo"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := handshake.ParseExtensions(tt.in)
			if err != nil {
				t.Fatalf("ParseExtensions(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseExtensions(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseExtensionsErrors(t *testing.T) {
	for _, in := range []string{
		";a",
		"foo;",
		"foo; =1",
		"foo; a=",
		"foo; a=;",
		`foo; a="1`,
		`foo; a="1\`,
		`foo; a="a b"`,
		`foo; a=""`,
		"foo; a=1 2",
		"foo bar",
		"foo; a=\"\x01\"",
		"fo\"o",
		"foo; a=b=c",
		"foo, ;",
	} {
		got, err := handshake.ParseExtensions([]string{in})
		var he *handshake.HeaderError
		if !errors.As(err, &he) || !errors.Is(err, handshake.ErrBadHeader) {
			t.Errorf("ParseExtensions(%q) = %v, %v; want a *HeaderError", in, got, err)
			continue
		}
		if he.Name != "Sec-WebSocket-Extensions" || he.Value != in {
			t.Errorf("ParseExtensions(%q) error = %+v", in, he)
		}
	}
}

func TestFormatExtensions(t *testing.T) {
	list := []O{
		{Name: "permessage-deflate", Params: []P{{Name: "client_max_window_bits"}, {Name: "server_max_window_bits", Value: "10"}}},
		{Name: "x-foo"},
	}
	const want = "permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-foo"
	if got := handshake.FormatExtensions(list); got != want {
		t.Errorf("FormatExtensions = %q, want %q", got, want)
	}
	back, err := handshake.ParseExtensions([]string{want})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(list, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if !handshake.ValidExtensions(list) {
		t.Error("ValidExtensions = false")
	}
	quoted := []O{{Name: "x", Params: []P{{"a", `b "c"\`}}}}
	if got := handshake.FormatExtensions(quoted); got != `x; a="b \"c\"\\"` {
		t.Errorf("FormatExtensions quoted = %q", got)
	}
	if handshake.ValidExtensions(quoted) || handshake.ValidExtensions([]O{{Name: "a b"}}) {
		t.Error("ValidExtensions accepts non-tokens")
	}
}

func FuzzParseExtensions(f *testing.F) {
	for _, s := range []string{"permessage-deflate; client_max_window_bits", `a; b="c", d`, `x; y="\"`, ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		list, err := handshake.ParseExtensions([]string{s})
		if err != nil {
			return
		}
		if !handshake.ValidExtensions(list) {
			t.Fatalf("ParseExtensions(%q) = %v, not valid", s, list)
		}
		back, err := handshake.ParseExtensions([]string{handshake.FormatExtensions(list)})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(list, back); diff != "" {
			t.Fatalf("round trip of %q (-want +got):\n%s", s, diff)
		}
	})
}
