package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/internal/exttest"
	"github.com/wskit/wskit/handshake/server"
)

// TestHTTP3Request checks the RFC 9220 request's fields, and that
// handshake/server accepts it as quic-go's server would deliver it.
func TestHTTP3Request(t *testing.T) {
	for _, tt := range []struct {
		url, host, path string
		cfg             *client.Config
		want            http.Header
	}{
		{url: "wss://example.com:8443/chat?room=1", host: "example.com:8443", path: "/chat?room=1",
			want: http.Header{"Sec-Websocket-Version": {"13"}}},
		{url: "wss://example.com/", host: "example.com", path: "/",
			cfg: &client.Config{Origin: "https://example.com", Protocols: []string{"chat.v2"},
				Extensions: []handshake.Extension{&exttest.Ext{ExtName: "x-rsv2", Bits: 0x20}},
				Header:     http.Header{"Authorization": {"Bearer x"}}},
			want: http.Header{"Sec-Websocket-Version": {"13"}, "Origin": {"https://example.com"},
				"Sec-Websocket-Protocol": {"chat.v2"}, "Sec-Websocket-Extensions": {"x-rsv2"}, "Authorization": {"Bearer x"}}},
		// HTTP/3 has TLS only: a ws URL still gets :scheme https.
		{url: "ws://127.0.0.1:9000/x", host: "127.0.0.1:9000", path: "/x",
			want: http.Header{"Sec-Websocket-Version": {"13"}}},
	} {
		t.Run(tt.url, func(t *testing.T) {
			req, err := client.NewRequest(tt.url, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			h3 := req.HTTP3Request(context.Background())
			got := []string{h3.Method, h3.Proto, h3.URL.Scheme, h3.Host, h3.URL.RequestURI()}
			if diff := cmp.Diff([]string{"CONNECT", "websocket", "https", tt.host, tt.path}, got); diff != "" {
				t.Errorf("method, :protocol, :scheme, :authority, :path (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, h3.Header); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if h3.ProtoMajor != 3 || h3.Body != nil {
				t.Errorf("ProtoMajor %d, body %v; want 3, none", h3.ProtoMajor, h3.Body)
			}
			// What quic-go's server hands its handler.
			in := &http.Request{Method: h3.Method, Proto: h3.Proto, ProtoMajor: 3, Host: h3.Host,
				URL: h3.URL, RequestURI: h3.URL.RequestURI(), Header: h3.Header}
			scfg := &server.Config{Protocols: []string{"chat.v2"},
				Extensions: []handshake.Extension{&exttest.Ext{ExtName: "x-rsv2", Bits: 0x20}}}
			res, err := scfg.Accept(in)
			if err != nil {
				t.Fatalf("server.Accept: %v", err)
			}
			resp := &http.Response{StatusCode: res.StatusCode(), Status: "200 OK", Header: res.Header()}
			cres, err := req.VerifyHTTP3(resp)
			if err != nil {
				t.Fatalf("VerifyHTTP3: %v", err)
			}
			if !res.HTTP3 || cres.Protocol != res.Protocol || len(cres.Extensions) != len(res.Extensions) {
				t.Errorf("server %+v, client %+v: disagree", res, cres)
			}
		})
	}
}

func TestVerifyHTTP3(t *testing.T) {
	cfg := &client.Config{Protocols: []string{"chat"}, Extensions: []handshake.Extension{&exttest.Ext{ExtName: "x-rsv2", Bits: 0x20}}}
	for _, tt := range []struct {
		name   string
		resp   *http.Response
		want   *client.Result
		wantIs error
	}{
		{name: "200", resp: &http.Response{StatusCode: 200, Header: http.Header{}}, want: &client.Result{}},
		{name: "200 with subprotocol", resp: &http.Response{StatusCode: 200, Header: http.Header{"Sec-Websocket-Protocol": {"chat"}}}, want: &client.Result{Protocol: "chat"}},
		{name: "nil", resp: nil, wantIs: handshake.ErrBadStatus},
		{name: "101 is not an HTTP/3 status", resp: &http.Response{StatusCode: 101, Header: http.Header{}}, wantIs: handshake.ErrBadStatus},
		{name: "501", resp: &http.Response{StatusCode: 501, Status: "501 Not Implemented"}, wantIs: handshake.ErrBadStatus},
		{name: "unoffered subprotocol", resp: &http.Response{StatusCode: 200, Header: http.Header{"Sec-Websocket-Protocol": {"other"}}}, wantIs: handshake.ErrUnknownSubprotocol},
		{name: "two subprotocols", resp: &http.Response{StatusCode: 200, Header: http.Header{"Sec-Websocket-Protocol": {"chat", "chat"}}}, wantIs: handshake.ErrDuplicateHeader},
		{name: "unoffered extension", resp: &http.Response{StatusCode: 200, Header: http.Header{"Sec-Websocket-Extensions": {"x-other"}}}, wantIs: handshake.ErrUnknownExtension},
		{name: "header flood", resp: &http.Response{StatusCode: 200, Header: http.Header{"X": make([]string, 10000)}}, wantIs: handshake.ErrHeaderLimit},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := client.NewRequest("wss://example.com/", cfg)
			if err != nil {
				t.Fatal(err)
			}
			res, err := req.VerifyHTTP3(tt.resp)
			if tt.wantIs != nil {
				if !errors.Is(err, tt.wantIs) {
					t.Fatalf("VerifyHTTP3 = %v, want %v", err, tt.wantIs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}
