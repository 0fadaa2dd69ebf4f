package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/internal/exttest"
	"github.com/wskit/wskit/handshake/server"
)

// echoHandler upgrades with cfg and echoes until the connection ends.
func echoHandler(cfg *server.Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r)
		if err != nil {
			return
		}
		defer up.Close()
		ep, err := up.Endpoint()
		if err != nil {
			return // TestDialExtensionUnusable's server
		}
		for m, err := ep.NextMessage(); err == nil; m, err = ep.NextMessage() {
			ep.WriteMessage(m.Type, m.Data)
		}
	})
}

// TestDialPorts: the address Dial connects to is the URL's host with the
// scheme's default port, unless the URL gives one.
func TestDialPorts(t *testing.T) {
	for _, tc := range []struct{ url, addr string }{
		{"ws://example.com/chat", "example.com:80"},
		{"wss://example.com/chat", "example.com:443"},
		{"ws://example.com:8080/", "example.com:8080"},
		{"wss://[::1]/", "[::1]:443"},
		{"http://example.com/", "example.com:80"},
	} {
		var got string
		refused := errors.New("refused by the test")
		cfg := &client.Config{NetDial: func(_ context.Context, network, addr string) (net.Conn, error) {
			got = network + " " + addr
			return nil, refused
		}}
		if _, err := client.Dial(context.Background(), tc.url, cfg); !errors.Is(err, refused) {
			t.Errorf("%s: Dial = %v, want the dial's error", tc.url, err)
		}
		if got != "tcp "+tc.addr {
			t.Errorf("%s: dialed %q, want tcp %s", tc.url, got, tc.addr)
		}
	}
}

// TestDialTLS: wss runs TLS over the connection, with the server name from
// the URL.
func TestDialTLS(t *testing.T) {
	ts := httptest.NewTLSServer(echoHandler(&server.Config{}))
	defer ts.Close()
	url := "wss://" + strings.TrimPrefix(ts.URL, "https://") + "/"
	tlsConf := ts.Client().Transport.(*http.Transport).TLSClientConfig
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := client.Dial(ctx, url, &client.Config{TLSConfig: tlsConf})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ep := d.Endpoint()
	if err := ep.WriteMessage(frame.OpBinary, []byte("over TLS")); err != nil {
		t.Fatal(err)
	}
	if m, err := ep.NextMessage(); err != nil || string(m.Data) != "over TLS" {
		t.Fatalf("echo %q, %v", m.Data, err)
	}
	if err := ep.Close(frame.CloseNormal, ""); err != nil {
		t.Fatal(err)
	}
}

// TestRequestEndpoint performs the handshake over a connection the caller
// opened.
func TestRequestEndpoint(t *testing.T) {
	ts := httptest.NewServer(echoHandler(&server.Config{}))
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, err := client.NewRequest("ws://"+ts.Listener.Addr().String()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ep, res, err := req.Endpoint(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if res.Protocol != "" || len(res.Extensions) != 0 {
		t.Errorf("result %+v, want nothing agreed", res)
	}
	ep.WriteMessage(frame.OpText, []byte("hi"))
	if m, err := ep.NextMessage(); err != nil || string(m.Data) != "hi" {
		t.Fatalf("echo %q, %v", m.Data, err)
	}
	ep.Close(frame.CloseNormal, "")
}

// TestDialExtensionUnusable: an agreed extension that cannot code messages
// fails Dial, and closes the connection.
func TestDialExtensionUnusable(t *testing.T) {
	ext := &exttest.Ext{ExtName: "x-test", Bits: frame.Rsv2}
	ts := httptest.NewServer(echoHandler(&server.Config{Extensions: []handshake.Extension{ext}}))
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := client.Dial(ctx, "ws://"+ts.Listener.Addr().String()+"/", &client.Config{Extensions: []handshake.Extension{ext}})
	if !errors.Is(err, handshake.ErrExtensionUnusable) {
		t.Fatalf("Dial = %v, want ErrExtensionUnusable", err)
	}
}
