package client_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/internal/exttest"
)

// zeroRand makes the key "AAAAAAAAAAAAAAAAAAAAAA==".
func zeroRand() *bytes.Reader { return bytes.NewReader(make([]byte, 16)) }

const zeroKey = "AAAAAAAAAAAAAAAAAAAAAA=="

func TestNewRequestURL(t *testing.T) {
	for _, tt := range []struct {
		url, host, path, scheme string
	}{
		{"ws://example.com", "example.com", "/", "ws"},
		{"ws://example.com/", "example.com", "/", "ws"},
		{"ws://example.com:80/chat", "example.com", "/chat", "ws"},
		{"ws://example.com:443/chat", "example.com:443", "/chat", "ws"},
		{"wss://example.com:443/chat?room=1&x=%20", "example.com", "/chat?room=1&x=%20", "wss"},
		{"wss://example.com:8443/", "example.com:8443", "/", "wss"},
		{"WSS://Example.com/a%2Fb", "Example.com", "/a%2Fb", "wss"},
		{"http://example.com/", "example.com", "/", "ws"},
		{"https://example.com/", "example.com", "/", "wss"},
		{"ws://[::1]/", "[::1]", "/", "ws"},
		{"ws://[::1]:9000/x", "[::1]:9000", "/x", "ws"},
		{"wss://[fe80::1%25eth0]:443/", "[fe80::1%eth0]", "/", "wss"},
		{"ws://127.0.0.1:8080?q", "127.0.0.1:8080", "/?q", "ws"},
	} {
		req, err := client.NewRequest(tt.url, nil)
		if err != nil {
			t.Errorf("NewRequest(%q): %v", tt.url, err)
			continue
		}
		got := []string{req.Host, req.Path, req.URL.Scheme}
		if diff := cmp.Diff([]string{tt.host, tt.path, tt.scheme}, got); diff != "" {
			t.Errorf("NewRequest(%q) host, path, scheme (-want +got):\n%s", tt.url, diff)
		}
	}
}

func TestNewRequestErrors(t *testing.T) {
	for _, tt := range []struct {
		url  string
		cfg  *client.Config
		want error
	}{
		{"ftp://example.com/", nil, client.ErrBadURL},
		{"example.com/", nil, client.ErrBadURL},
		{"ws://bücher.example/", nil, client.ErrBadURL},
		{"ws:///path", nil, client.ErrBadURL},
		{"ws://example.com/#frag", nil, client.ErrBadURL},
		{"ws://example.com/#", nil, client.ErrBadURL},
		{"ws://user:pw@example.com/", nil, client.ErrBadURL},
		{"ws://exa mple.com/", nil, client.ErrBadURL},
		{"ws://example.com/\x00", nil, client.ErrBadURL},
		{"ws://example.com/", &client.Config{Header: http.Header{"Sec-WebSocket-Key": {"x"}}}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Header: http.Header{"upgrade": {"x"}}}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Header: http.Header{"Host": {"x"}}}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Header: http.Header{"Origin": {"x"}}}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Header: http.Header{"Sec-Websocket-Protocol": {"x"}}}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Header: http.Header{"X-Inject": {"a\r\nX-Evil: 1"}}}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Header: http.Header{"Bad Name": {"a"}}}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Origin: "http://a\r\nX: y"}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Protocols: []string{"a b"}}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Protocols: []string{"a", "a"}}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Extensions: []handshake.Extension{&exttest.Ext{ExtName: "a b"}}}, handshake.ErrBadHeader},
		{"ws://example.com/", &client.Config{Rand: bytes.NewReader(nil)}, nil},
	} {
		_, err := client.NewRequest(tt.url, tt.cfg)
		if tt.want == nil {
			if err == nil {
				t.Errorf("NewRequest(%q, %+v) succeeded", tt.url, tt.cfg)
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("NewRequest(%q, %+v) error = %v, want %v", tt.url, tt.cfg, err, tt.want)
		}
	}
}

func TestRequestText(t *testing.T) {
	req, err := client.NewRequest("wss://example.com:8443/chat?x=1", &client.Config{
		Origin:     "https://example.com",
		Protocols:  []string{"chat.v2", "chat.v1"},
		Extensions: []handshake.Extension{&exttest.Ext{ExtName: "permessage-deflate", Params: []handshake.Param{{Name: "client_max_window_bits"}}}},
		Header:     http.Header{"Cookie": {"a=1"}, "authorization": {"Bearer t"}},
		Rand:       zeroRand(),
	})
	if err != nil {
		t.Fatal(err)
	}
	const want = "GET /chat?x=1 HTTP/1.1\r\n" +
		"Host: example.com:8443\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + zeroKey + "\r\n" +
		"Sec-WebSocket-Version: 13\r\n" +
		"Origin: https://example.com\r\n" +
		"Sec-WebSocket-Protocol: chat.v2, chat.v1\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
		"Authorization: Bearer t\r\n" +
		"Cookie: a=1\r\n" +
		"\r\n"
	if diff := cmp.Diff(want, req.String()); diff != "" {
		t.Errorf("request text (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if n, err := req.WriteTo(&buf); err != nil || n != int64(len(want)) || buf.String() != want {
		t.Errorf("WriteTo = %d, %v", n, err)
	}

	hr := req.HTTPRequest(context.Background())
	if hr.Method != "GET" || hr.URL.String() != "https://example.com:8443/chat?x=1" || hr.Host != "example.com:8443" {
		t.Errorf("HTTPRequest = %s %s Host %s", hr.Method, hr.URL, hr.Host)
	}
	wantHeader := http.Header{
		"Upgrade":                  {"websocket"},
		"Connection":               {"Upgrade"},
		"Sec-Websocket-Key":        {zeroKey},
		"Sec-Websocket-Version":    {"13"},
		"Origin":                   {"https://example.com"},
		"Sec-Websocket-Protocol":   {"chat.v2, chat.v1"},
		"Sec-Websocket-Extensions": {"permessage-deflate; client_max_window_bits"},
		"Authorization":            {"Bearer t"},
		"Cookie":                   {"a=1"},
	}
	if diff := cmp.Diff(wantHeader, hr.Header); diff != "" {
		t.Errorf("HTTPRequest header (-want +got):\n%s", diff)
	}

	h2 := req.HTTP2Request(context.Background(), nil)
	if h2.Method != "CONNECT" || h2.Header.Get(":protocol") != "websocket" || h2.Header.Get("Upgrade") != "" || h2.Header.Get("Sec-WebSocket-Key") != "" || h2.Header.Get("Sec-WebSocket-Version") != "13" {
		t.Errorf("HTTP2Request = %s %v", h2.Method, h2.Header)
	}
}

func TestNewRequestEncodesPath(t *testing.T) {
	// RFC 6455 §11.1: non-ASCII characters of the resource name go out
	// UTF-8 percent-encoded.
	req, err := client.NewRequest("ws://example.com/ä b?q=ü", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/%C3%A4%20b?q=%C3%BC"; req.Path != want {
		t.Errorf("Path = %q, want %q", req.Path, want)
	}
	// RFC 6455 §3: a "#" that is not a fragment stays escaped.
	req, err = client.NewRequest("ws://example.com/a%23b", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/a%23b"; req.Path != want {
		t.Errorf("Path = %q, want %q", req.Path, want)
	}
}
