package server_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/internal/exttest"
	"github.com/wskit/wskit/handshake/server"
)

// h3Request is an RFC 9220 request as quic-go's HTTP/3 server hands it to
// a handler: :protocol in Proto, :path in URL, :authority in Host.
func h3Request() *http.Request {
	return &http.Request{
		Method:     "CONNECT",
		Proto:      "websocket",
		ProtoMajor: 3,
		Host:       "example.com:8443",
		URL:        &url.URL{Path: "/chat"},
		RequestURI: "/chat",
		Header:     http.Header{"Sec-Websocket-Version": {"13"}},
	}
}

// rawConnect is an Extended CONNECT whose pseudo-headers are all in the
// header, as a caller with its own HTTP/2 or HTTP/3 layer may build it.
func rawConnect(major int) *http.Request {
	return &http.Request{
		Method:     "CONNECT",
		ProtoMajor: major,
		Header: http.Header{
			":protocol":             {"websocket"},
			":scheme":               {"https"},
			":path":                 {"/chat?room=1"},
			":authority":            {"example.com"},
			"Sec-Websocket-Version": {"13"},
		},
	}
}

// TestAcceptConnect checks the Extended CONNECT form that RFC 8441
// (HTTP/2) and RFC 9220 (HTTP/3) share, each case in both versions.
func TestAcceptConnect(t *testing.T) {
	// No Upgrade field: HTTP/2 and HTTP/3 forbid it.
	versionHeader := http.Header{"Sec-Websocket-Version": {"13"}}
	type connectCase struct {
		name       string
		cfg        *server.Config
		req        func() *http.Request // h3Request if nil
		set        func(r *http.Request)
		want       *server.Result // HTTP2/HTTP3 filled in per version
		wantHeader http.Header
		status     int
		wantErr    error
		is         error
	}
	cases := []connectCase{
		{name: "as quic-go delivers it", want: &server.Result{}, wantHeader: http.Header{}},
		{name: "pseudo-headers in the header", req: func() *http.Request { return rawConnect(3) }, want: &server.Result{}, wantHeader: http.Header{}},
		{name: ":protocol in the header", set: func(r *http.Request) { r.Proto = "HTTP/3.0"; r.Header[":protocol"] = []string{"websocket"} }, want: &server.Result{}},
		{name: ":protocol case-insensitive", set: func(r *http.Request) { r.Proto = "WebSocket" }, want: &server.Result{}},
		{name: "scheme http", req: func() *http.Request { return rawConnect(3) }, set: func(r *http.Request) { r.Header[":scheme"] = []string{"http"} }, want: &server.Result{}},
		{name: "negotiation", cfg: testConfig, set: func(r *http.Request) {
			r.Header["Sec-Websocket-Protocol"] = []string{"chat.v1, chat.v2"}
			r.Header["Sec-Websocket-Extensions"] = []string{"x-rsv2"}
			r.Header["Origin"] = []string{"https://example.com:8443"}
		}, want: &server.Result{Protocol: "chat.v2", Extensions: []handshake.Negotiated{&exttest.Agreed{Name: "x-rsv2", Bits: 0x20}}},
			wantHeader: http.Header{"Sec-Websocket-Protocol": {"chat.v2"}, "Sec-Websocket-Extensions": {"x-rsv2"}}},

		{name: "GET", set: func(r *http.Request) { r.Method = "GET" }, status: 405,
			wantHeader: http.Header{"Allow": {"CONNECT"}}, wantErr: &handshake.MethodError{Method: "GET", Allow: "CONNECT"}, is: handshake.ErrBadMethod},
		{name: "plain CONNECT, no :protocol", set: func(r *http.Request) { r.Proto = "HTTP/3.0" }, status: 400,
			wantErr: &handshake.MissingHeaderError{Name: ":protocol"}, is: handshake.ErrMissingHeader},
		{name: "unknown :protocol", set: func(r *http.Request) { r.Proto = "webtransport" }, status: 501,
			wantErr: &handshake.HeaderError{Name: ":protocol", Value: "webtransport", Reason: "is not websocket"}, is: handshake.ErrBadHeader},
		{name: "unknown :protocol in the header", req: func() *http.Request { return rawConnect(3) }, set: func(r *http.Request) { r.Header[":protocol"] = []string{"connect-udp"} }, status: 501,
			wantErr: &handshake.HeaderError{Name: ":protocol", Value: "connect-udp", Reason: "is not websocket"}, is: handshake.ErrBadHeader},
		{name: "two :protocol", req: func() *http.Request { return rawConnect(3) }, set: func(r *http.Request) { r.Header[":protocol"] = []string{"websocket", "websocket"} }, status: 400,
			wantErr: &handshake.DuplicateHeaderError{Name: ":protocol"}, is: handshake.ErrDuplicateHeader},
		{name: "no :path", set: func(r *http.Request) { r.URL, r.RequestURI = nil, "" }, status: 400,
			wantErr: &handshake.MissingHeaderError{Name: ":path"}, is: handshake.ErrMissingHeader},
		{name: "no :path in the header", req: func() *http.Request { return rawConnect(3) }, set: func(r *http.Request) { delete(r.Header, ":path") }, status: 400,
			wantErr: &handshake.MissingHeaderError{Name: ":path"}, is: handshake.ErrMissingHeader},
		{name: "relative :path", req: func() *http.Request { return rawConnect(3) }, set: func(r *http.Request) { r.Header[":path"] = []string{"chat"} }, status: 400,
			wantErr: &handshake.HeaderError{Name: ":path", Value: "chat", Reason: "does not start with /"}, is: handshake.ErrBadHeader},
		{name: "no :authority", req: func() *http.Request { return rawConnect(3) }, set: func(r *http.Request) { delete(r.Header, ":authority") }, status: 400,
			wantErr: &handshake.MissingHeaderError{Name: ":authority"}, is: handshake.ErrMissingHeader},
		{name: "no Host", set: func(r *http.Request) { r.Host = "" }, status: 400,
			wantErr: &handshake.MissingHeaderError{Name: ":authority"}, is: handshake.ErrMissingHeader},
		{name: ":scheme ftp", req: func() *http.Request { return rawConnect(3) }, set: func(r *http.Request) { r.Header[":scheme"] = []string{"ftp"} }, status: 400,
			wantErr: &handshake.HeaderError{Name: ":scheme", Value: "ftp", Reason: "is not http or https"}, is: handshake.ErrBadHeader},
		{name: "URL scheme ws", set: func(r *http.Request) { r.URL.Scheme = "ws" }, status: 400,
			wantErr: &handshake.HeaderError{Name: ":scheme", Value: "ws", Reason: "is not http or https"}, is: handshake.ErrBadHeader},
		{name: "content before the response", set: func(r *http.Request) { r.ContentLength = 10 }, status: 400,
			wantErr: &handshake.HeaderError{Name: "Content-Length", Value: "10", Reason: "an Extended CONNECT has no content before its response"}, is: handshake.ErrBadHeader},
		{name: "version 8", set: func(r *http.Request) { r.Header["Sec-Websocket-Version"] = []string{"8"} }, status: 426,
			wantHeader: versionHeader, wantErr: &handshake.VersionError{Version: "8"}, is: handshake.ErrUnsupportedVersion},
		{name: "no version", set: func(r *http.Request) { delete(r.Header, "Sec-Websocket-Version") }, status: 400,
			wantHeader: versionHeader, wantErr: &handshake.MissingHeaderError{Name: "Sec-WebSocket-Version"}, is: handshake.ErrMissingHeader},
		{name: "cross origin", set: func(r *http.Request) { r.Header["Origin"] = []string{"https://evil.test"} }, status: 403,
			wantErr: &handshake.OriginError{Origin: "https://evil.test", Host: "example.com:8443"}, is: handshake.ErrOrigin},
		{name: "bad protocol list", cfg: testConfig, set: func(r *http.Request) { r.Header["Sec-Websocket-Protocol"] = []string{"a b"} }, status: 400,
			wantErr: &handshake.HeaderError{Name: "Sec-WebSocket-Protocol", Value: "a b", Reason: `subprotocol "a b" is not a token`}, is: handshake.ErrBadHeader},
	}
	for _, major := range []int{2, 3} {
		for _, tt := range cases {
			t.Run(fmt.Sprintf("h%d %s", major, tt.name), func(t *testing.T) {
				mk := tt.req
				if mk == nil {
					mk = h3Request
				}
				r := mk()
				if tt.set != nil {
					tt.set(r)
				}
				if r.ProtoMajor = major; major == 2 {
					asHTTP2(r)
				}
				res, err := tt.cfg.Accept(r)
				if tt.want != nil {
					if err != nil {
						t.Fatalf("Accept: %v", err)
					}
					want := *tt.want
					want.HTTP2, want.HTTP3 = major == 2, major == 3
					got := &server.Result{Protocol: res.Protocol, Extensions: res.Extensions, HTTP2: res.HTTP2, HTTP3: res.HTTP3}
					if diff := cmp.Diff(&want, got, cmpopts.IgnoreUnexported(server.Result{})); diff != "" {
						t.Errorf("result (-want +got):\n%s", diff)
					}
					if !res.ExtendedConnect() || res.StatusCode() != http.StatusOK || res.Key != "" {
						t.Errorf("ExtendedConnect %v, status %d, key %q; want true, 200, none", res.ExtendedConnect(), res.StatusCode(), res.Key)
					}
					if tt.wantHeader != nil {
						if diff := cmp.Diff(tt.wantHeader, res.Header()); diff != "" {
							t.Errorf("response header (-want +got):\n%s", diff)
						}
					}
					return
				}
				var e *server.Error
				if !errors.As(err, &e) {
					t.Fatalf("Accept error = %v (%T), want *server.Error", err, err)
				}
				if e.StatusCode != tt.status {
					t.Errorf("status = %d, want %d", e.StatusCode, tt.status)
				}
				if diff := cmp.Diff(tt.wantErr, e.Err, errorsEqual); diff != "" {
					t.Errorf("cause (-want +got):\n%s", diff)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
				}
				if diff := cmp.Diff(tt.wantHeader, e.Header); diff != "" {
					t.Errorf("error header (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// asHTTP2 turns a request as quic-go's HTTP/3 server delivers it into one
// as net/http's HTTP/2 server does: :protocol in the header.
func asHTTP2(r *http.Request) {
	if r.Proto != "" && !strings.HasPrefix(r.Proto, "HTTP/") {
		r.Header[":protocol"] = []string{r.Proto}
	}
	if r.Proto != "" {
		r.Proto = "HTTP/2.0"
	}
}
