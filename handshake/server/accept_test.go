package server_test

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/internal/exttest"
	"github.com/wskit/wskit/handshake/server"
)

const sampleKey = "dGhlIHNhbXBsZSBub25jZQ=="

// errorsEqual compares errors by type and message, which covers every
// field of the handshake errors.
var errorsEqual = cmp.Comparer(func(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.TypeOf(a) == reflect.TypeOf(b) && a.Error() == b.Error()
})

func baseRequest() *http.Request {
	return &http.Request{
		Method:     "GET",
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Host:       "example.com",
		Header: http.Header{
			"Upgrade":               {"websocket"},
			"Connection":            {"Upgrade"},
			"Sec-Websocket-Key":     {sampleKey},
			"Sec-Websocket-Version": {"13"},
		},
	}
}

func h2Request() *http.Request {
	return &http.Request{
		Method:     "CONNECT",
		Proto:      "HTTP/2.0",
		ProtoMajor: 2,
		Host:       "example.com",
		URL:        &url.URL{Path: "/chat"},
		Header: http.Header{
			":protocol":             {"websocket"},
			"Sec-Websocket-Version": {"13"},
		},
	}
}

var testConfig = &server.Config{
	Protocols: []string{"chat.v2", "chat.v1"},
	Extensions: []handshake.Extension{
		&exttest.Ext{ExtName: "permessage-deflate", Bits: 0x40},
		&exttest.Ext{ExtName: "x-rsv2", Bits: 0x20},
	},
}

type acceptCase struct {
	name       string
	cfg        *server.Config
	req        *http.Request
	set        func(r *http.Request)
	want       *server.Result // compared without Key and unexported fields
	wantHeader http.Header    // of the response, or of the Error
	status     int            // of the Error
	wantErr    error          // the Error's cause
	is         error
}

func TestAccept(t *testing.T) {
	bad := func(name string, set func(r *http.Request), wantErr, is error) acceptCase {
		return acceptCase{name: name, set: set, status: 400, wantErr: wantErr, is: is}
	}
	versionHeader := http.Header{"Sec-Websocket-Version": {"13"}, "Upgrade": {"websocket"}}
	cases := []acceptCase{
		{name: "minimal", want: &server.Result{},
			wantHeader: http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Accept": {"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}}},
		{name: "case-insensitive", set: func(r *http.Request) {
			r.Header = http.Header{
				"upgrade":               {"WebSocket"},
				"CONNECTION":            {"keep-alive, upgrade"},
				"sec-websocket-key":     {sampleKey},
				"Sec-WebSocket-Version": {"13"},
				"origin":                {"HTTP://EXAMPLE.COM"},
			}
		}, want: &server.Result{}},
		{name: "host from header", set: func(r *http.Request) { r.Host = ""; r.Header["Host"] = []string{"example.com"} }, want: &server.Result{}},
		{name: "HTTP/1.2", set: func(r *http.Request) { r.ProtoMinor = 2 }, want: &server.Result{}},
		{name: "connection in two lines", set: func(r *http.Request) { r.Header["Connection"] = []string{"keep-alive", "Upgrade"} }, want: &server.Result{}},
		{name: "protocol by server preference", cfg: testConfig, set: func(r *http.Request) {
			r.Header["Sec-Websocket-Protocol"] = []string{"chat.v1", "chat.v2, other"}
		}, want: &server.Result{Protocol: "chat.v2"}},
		{name: "no common protocol", cfg: testConfig, set: func(r *http.Request) {
			r.Header["Sec-Websocket-Protocol"] = []string{"other"}
		}, want: &server.Result{}},
		{name: "extensions in client order", cfg: testConfig, set: func(r *http.Request) {
			r.Header["Sec-Websocket-Extensions"] = []string{"x-unknown, x-rsv2; a=1", "permessage-deflate; reject, permessage-deflate; client_max_window_bits"}
		}, want: &server.Result{Extensions: []handshake.Negotiated{
			&exttest.Agreed{Name: "x-rsv2", Params: []handshake.Param{{Name: "a", Value: "1"}}, Bits: 0x20},
			&exttest.Agreed{Name: "permessage-deflate", Params: []handshake.Param{{Name: "client_max_window_bits"}}, Bits: 0x40},
		}}, wantHeader: http.Header{
			"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Accept": {"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
			"Sec-Websocket-Extensions": {"x-rsv2; a=1, permessage-deflate; client_max_window_bits"},
		}},
		{name: "same-host origin", set: func(r *http.Request) { r.Header["Origin"] = []string{"https://example.com"} }, want: &server.Result{}},
		{name: "same-host origin with port", set: func(r *http.Request) {
			r.Host = "example.com:8080"
			r.Header["Origin"] = []string{"http://example.com:8080"}
		}, want: &server.Result{}},
		{name: "origin on default port", set: func(r *http.Request) {
			r.Host = "example.com:443"
			r.Header["Origin"] = []string{"https://example.com"}
		}, want: &server.Result{}},
		{name: "IPv6 origin", set: func(r *http.Request) {
			r.Host = "[::1]:9000"
			r.Header["Origin"] = []string{"http://[::1]:9000"}
		}, want: &server.Result{}},
		{name: "origin pattern", cfg: &server.Config{OriginPatterns: []string{"*.example.org"}}, set: func(r *http.Request) {
			r.Header["Origin"] = []string{"https://app.Example.org"}
		}, want: &server.Result{}},
		{name: "origin pattern with scheme", cfg: &server.Config{OriginPatterns: []string{"http://localhost:*"}}, set: func(r *http.Request) {
			r.Header["Origin"] = []string{"http://localhost:3000"}
		}, want: &server.Result{}},
		{name: "origin star", cfg: &server.Config{OriginPatterns: []string{"*"}}, set: func(r *http.Request) {
			r.Header["Origin"] = []string{"https://anything.test"}
		}, want: &server.Result{}},

		{name: "POST", set: func(r *http.Request) { r.Method = "POST" }, status: 405,
			wantHeader: http.Header{"Allow": {"GET"}},
			wantErr:    &handshake.MethodError{Method: "POST", Allow: "GET"}, is: handshake.ErrBadMethod},
		bad("HTTP/1.0", func(r *http.Request) { r.Proto, r.ProtoMinor = "HTTP/1.0", 0 },
			&handshake.ProtoError{Proto: "HTTP/1.0"}, handshake.ErrBadProto),
		bad("no Host", func(r *http.Request) { r.Host = "" },
			&handshake.MissingHeaderError{Name: "Host"}, handshake.ErrMissingHeader),
		bad("no Upgrade", func(r *http.Request) { delete(r.Header, "Upgrade") },
			&handshake.MissingHeaderError{Name: "Upgrade"}, handshake.ErrMissingHeader),
		bad("Upgrade h2c", func(r *http.Request) { r.Header["Upgrade"] = []string{"h2c"} },
			&handshake.HeaderError{Name: "Upgrade", Value: "h2c", Reason: "does not contain websocket"}, handshake.ErrBadHeader),
		bad("no Connection", func(r *http.Request) { delete(r.Header, "Connection") },
			&handshake.MissingHeaderError{Name: "Connection"}, handshake.ErrMissingHeader),
		bad("Connection keep-alive", func(r *http.Request) { r.Header["Connection"] = []string{"keep-alive"} },
			&handshake.HeaderError{Name: "Connection", Value: "keep-alive", Reason: "does not contain upgrade"}, handshake.ErrBadHeader),
		{name: "version 8", set: func(r *http.Request) { r.Header["Sec-Websocket-Version"] = []string{"8"} }, status: 426,
			wantHeader: versionHeader, wantErr: &handshake.VersionError{Version: "8"}, is: handshake.ErrUnsupportedVersion},
		{name: "no version", set: func(r *http.Request) { delete(r.Header, "Sec-Websocket-Version") }, status: 400,
			wantHeader: versionHeader, wantErr: &handshake.MissingHeaderError{Name: "Sec-WebSocket-Version"}, is: handshake.ErrMissingHeader},
		bad("two versions", func(r *http.Request) { r.Header["Sec-Websocket-Version"] = []string{"13", "13"} },
			&handshake.DuplicateHeaderError{Name: "Sec-WebSocket-Version"}, handshake.ErrDuplicateHeader),
		bad("no key", func(r *http.Request) { delete(r.Header, "Sec-Websocket-Key") },
			&handshake.MissingHeaderError{Name: "Sec-WebSocket-Key"}, handshake.ErrMissingHeader),
		bad("two keys", func(r *http.Request) { r.Header["sec-websocket-key"] = []string{sampleKey} },
			&handshake.DuplicateHeaderError{Name: "Sec-WebSocket-Key"}, handshake.ErrDuplicateHeader),
		bad("short key", func(r *http.Request) { r.Header["Sec-Websocket-Key"] = []string{"dGhlIHNhbXBsZSBub25j"} },
			&handshake.HeaderError{Name: "Sec-WebSocket-Key", Value: "dGhlIHNhbXBsZSBub25j", Reason: "does not decode to 16 bytes"}, handshake.ErrBadHeader),
		bad("key not base64", func(r *http.Request) { r.Header["Sec-Websocket-Key"] = []string{"!!!!!!!!!!!!!!!!!!!!!!=="} },
			&handshake.HeaderError{Name: "Sec-WebSocket-Key", Value: "!!!!!!!!!!!!!!!!!!!!!!==", Reason: "does not decode to 16 bytes"}, handshake.ErrBadHeader),
		bad("body", func(r *http.Request) { r.ContentLength = 5 },
			&handshake.HeaderError{Name: "Content-Length", Value: "5", Reason: "a handshake request has no body"}, handshake.ErrBadHeader),
		bad("two origins", func(r *http.Request) { r.Header["Origin"] = []string{"https://example.com", "https://example.com"} },
			&handshake.DuplicateHeaderError{Name: "Origin"}, handshake.ErrDuplicateHeader),
		{name: "cross origin", set: func(r *http.Request) { r.Header["Origin"] = []string{"https://evil.test"} }, status: 403,
			wantErr: &handshake.OriginError{Origin: "https://evil.test", Host: "example.com"}, is: handshake.ErrOrigin},
		{name: "origin on other port", set: func(r *http.Request) { r.Header["Origin"] = []string{"http://example.com:8080"} }, status: 403,
			wantErr: &handshake.OriginError{Origin: "http://example.com:8080", Host: "example.com"}, is: handshake.ErrOrigin},
		{name: "origin null", set: func(r *http.Request) { r.Header["Origin"] = []string{"null"} }, status: 403,
			wantErr: &handshake.OriginError{Origin: "null", Host: "example.com"}, is: handshake.ErrOrigin},
		{name: "origin pattern mismatch", cfg: &server.Config{OriginPatterns: []string{"*.example.org", "[bad"}}, set: func(r *http.Request) {
			r.Header["Origin"] = []string{"https://example.org.evil.test"}
		}, status: 403, wantErr: &handshake.OriginError{Origin: "https://example.org.evil.test", Host: "example.com"}, is: handshake.ErrOrigin},
		{name: "bad protocol list", cfg: testConfig, set: func(r *http.Request) { r.Header["Sec-Websocket-Protocol"] = []string{"a b"} }, status: 400,
			wantErr: &handshake.HeaderError{Name: "Sec-WebSocket-Protocol", Value: "a b", Reason: `subprotocol "a b" is not a token`}, is: handshake.ErrBadHeader},
		{name: "bad extension list", cfg: testConfig, set: func(r *http.Request) { r.Header["Sec-Websocket-Extensions"] = []string{"a;;"} }, status: 400,
			wantErr: &handshake.HeaderError{Name: "Sec-WebSocket-Extensions", Value: "a;;", Reason: "expected a parameter name in extension a"}, is: handshake.ErrBadHeader},
		{name: "extension fails", cfg: testConfig, set: func(r *http.Request) { r.Header["Sec-Websocket-Extensions"] = []string{"x-rsv2; fail"} }, status: 400,
			wantErr: &handshake.ExtensionError{Name: "x-rsv2", Err: exttest.ErrRefused}, is: exttest.ErrRefused},
		{name: "too many headers", set: func(r *http.Request) { r.Header["X-Flood"] = make([]string, 10000) }, status: 431,
			wantErr: &handshake.LimitError{Limit: "header count", Max: handshake.DefaultMaxHeaders}, is: handshake.ErrHeaderLimit},
		{name: "long line", set: func(r *http.Request) { r.Header["X-Long"] = []string{strings.Repeat("x", 1<<20)} }, status: 431,
			wantErr: &handshake.LimitError{Limit: "line length", Max: handshake.DefaultMaxLineBytes}, is: handshake.ErrHeaderLimit},
		{name: "nil request", req: nil, set: func(*http.Request) {}, status: 400, wantErr: errors.New("server: no request")},

		// RFC 8441.
		{name: "h2", req: h2Request(), want: &server.Result{HTTP2: true}, wantHeader: http.Header{}},
		{name: "h2 negotiation", cfg: testConfig, req: h2Request(), set: func(r *http.Request) {
			r.Header["Sec-Websocket-Protocol"] = []string{"chat.v1"}
			r.Header["Sec-Websocket-Extensions"] = []string{"permessage-deflate"}
			r.Header["Origin"] = []string{"https://example.com"}
		}, want: &server.Result{HTTP2: true, Protocol: "chat.v1", Extensions: []handshake.Negotiated{&exttest.Agreed{Name: "permessage-deflate", Bits: 0x40}}},
			wantHeader: http.Header{"Sec-Websocket-Protocol": {"chat.v1"}, "Sec-Websocket-Extensions": {"permessage-deflate"}}},
		{name: "h2 GET", req: h2Request(), set: func(r *http.Request) { r.Method = "GET" }, status: 405,
			wantHeader: http.Header{"Allow": {"CONNECT"}}, wantErr: &handshake.MethodError{Method: "GET", Allow: "CONNECT"}, is: handshake.ErrBadMethod},
		{name: "h2 no :protocol", req: h2Request(), set: func(r *http.Request) { delete(r.Header, ":protocol") }, status: 400,
			wantErr: &handshake.MissingHeaderError{Name: ":protocol"}, is: handshake.ErrMissingHeader},
		{name: "h2 :protocol other", req: h2Request(), set: func(r *http.Request) { r.Header[":protocol"] = []string{"webtransport"} }, status: 501,
			wantErr: &handshake.HeaderError{Name: ":protocol", Value: "webtransport", Reason: "is not websocket"}, is: handshake.ErrBadHeader},
		{name: "h2 version 12", req: h2Request(), set: func(r *http.Request) { r.Header["Sec-Websocket-Version"] = []string{"12"} }, status: 426,
			wantHeader: http.Header{"Sec-Websocket-Version": {"13"}}, wantErr: &handshake.VersionError{Version: "12"}, is: handshake.ErrUnsupportedVersion},
		{name: "h2 cross origin", req: h2Request(), set: func(r *http.Request) { r.Header["Origin"] = []string{"https://evil.test"} }, status: 403,
			wantErr: &handshake.OriginError{Origin: "https://evil.test", Host: "example.com"}, is: handshake.ErrOrigin},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req
			if r == nil && tt.name != "nil request" {
				r = baseRequest()
			}
			if tt.set != nil && r != nil {
				tt.set(r)
			}
			res, err := tt.cfg.Accept(r)
			if tt.want != nil {
				if err != nil {
					t.Fatalf("Accept: %v", err)
				}
				got := &server.Result{Protocol: res.Protocol, Extensions: res.Extensions, HTTP2: res.HTTP2}
				if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(server.Result{})); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
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
