package client_test

import (
	"bufio"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/internal/exttest"
)

// errorsEqual compares errors by type and message, which covers every
// field of the handshake errors.
var errorsEqual = cmp.Comparer(func(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.TypeOf(a) == reflect.TypeOf(b) && a.Error() == b.Error()
})

func newTestRequest(t *testing.T) *client.Request {
	t.Helper()
	req, err := client.NewRequest("ws://example.com/chat", &client.Config{
		Protocols: []string{"chat.v2", "chat.v1"},
		Extensions: []handshake.Extension{
			&exttest.Ext{ExtName: "permessage-deflate", Bits: 0x40},
			&exttest.Ext{ExtName: "x-other", Bits: 0x40},
			&exttest.Ext{ExtName: "x-rsv2", Bits: 0x20},
		},
		Rand: zeroRand(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

var zeroAccept = handshake.Accept(zeroKey)

func TestVerify(t *testing.T) {
	good := func() http.Header {
		return http.Header{
			"Upgrade":              {"websocket"},
			"Connection":           {"Upgrade"},
			"Sec-Websocket-Accept": {zeroAccept},
		}
	}
	with := func(f func(h http.Header)) http.Header { h := good(); f(h); return h }
	for _, tt := range []struct {
		name    string
		code    int
		h       http.Header
		want    *client.Result
		wantErr error
		is      error
	}{
		{"minimal", 101, good(), &client.Result{}, nil, nil},
		{"case-insensitive values", 101, with(func(h http.Header) {
			h["Upgrade"] = []string{"WebSocket"}
			h["Connection"] = []string{"keep-alive, UPGRADE"}
		}), &client.Result{}, nil, nil},
		{"lower-case keys", 101, http.Header{
			"upgrade":                {"websocket"},
			"connection":             {"upgrade"},
			"sec-websocket-accept":   {zeroAccept},
			"sec-websocket-protocol": {"chat.v1"},
		}, &client.Result{Protocol: "chat.v1"}, nil, nil},
		{"protocol and extensions", 101, with(func(h http.Header) {
			h["Sec-Websocket-Protocol"] = []string{"chat.v1"}
			h["Sec-Websocket-Extensions"] = []string{"x-rsv2; a=1, permessage-deflate; server_no_context_takeover"}
		}), &client.Result{Protocol: "chat.v1", Extensions: []handshake.Negotiated{
			&exttest.Agreed{Name: "x-rsv2", Params: []handshake.Param{{Name: "a", Value: "1"}}, Bits: 0x20},
			&exttest.Agreed{Name: "permessage-deflate", Params: []handshake.Param{{Name: "server_no_context_takeover"}}, Bits: 0x40},
		}}, nil, nil},
		{"bad status", 200, good(), nil, &handshake.StatusError{Code: 200, Status: "200 OK"}, handshake.ErrBadStatus},
		{"bad status 426", 426, with(func(h http.Header) { h["Sec-Websocket-Version"] = []string{"13"} }), nil,
			&handshake.StatusError{Code: 426, Status: "426 Upgrade Required"}, handshake.ErrBadStatus},
		{"missing upgrade", 101, with(func(h http.Header) { delete(h, "Upgrade") }), nil,
			&handshake.MissingHeaderError{Name: "Upgrade"}, handshake.ErrMissingHeader},
		{"wrong upgrade", 101, with(func(h http.Header) { h["Upgrade"] = []string{"h2c"} }), nil,
			&handshake.HeaderError{Name: "Upgrade", Value: "h2c", Reason: "does not contain websocket"}, handshake.ErrBadHeader},
		{"missing connection", 101, with(func(h http.Header) { delete(h, "Connection") }), nil,
			&handshake.MissingHeaderError{Name: "Connection"}, handshake.ErrMissingHeader},
		{"wrong connection", 101, with(func(h http.Header) { h["Connection"] = []string{"keep-alive"} }), nil,
			&handshake.HeaderError{Name: "Connection", Value: "keep-alive", Reason: "does not contain upgrade"}, handshake.ErrBadHeader},
		{"missing accept", 101, with(func(h http.Header) { delete(h, "Sec-Websocket-Accept") }), nil,
			&handshake.MissingHeaderError{Name: "Sec-WebSocket-Accept"}, handshake.ErrMissingHeader},
		{"bad accept", 101, with(func(h http.Header) { h["Sec-Websocket-Accept"] = []string{"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="} }), nil,
			&handshake.AcceptError{Got: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Want: zeroAccept}, handshake.ErrBadAccept},
		{"duplicate accept", 101, with(func(h http.Header) { h["Sec-Websocket-Accept"] = []string{zeroAccept, zeroAccept} }), nil,
			&handshake.DuplicateHeaderError{Name: "Sec-WebSocket-Accept"}, handshake.ErrDuplicateHeader},
		{"duplicate accept in other case", 101, with(func(h http.Header) { h["sec-websocket-accept"] = []string{zeroAccept} }), nil,
			&handshake.DuplicateHeaderError{Name: "Sec-WebSocket-Accept"}, handshake.ErrDuplicateHeader},
		{"duplicate protocol", 101, with(func(h http.Header) { h["Sec-Websocket-Protocol"] = []string{"chat.v1", "chat.v1"} }), nil,
			&handshake.DuplicateHeaderError{Name: "Sec-WebSocket-Protocol"}, handshake.ErrDuplicateHeader},
		{"two protocols", 101, with(func(h http.Header) { h["Sec-Websocket-Protocol"] = []string{"chat.v1, chat.v2"} }), nil,
			&handshake.HeaderError{Name: "Sec-WebSocket-Protocol", Value: "chat.v1, chat.v2", Reason: "must name exactly one subprotocol"}, handshake.ErrBadHeader},
		{"unknown protocol", 101, with(func(h http.Header) { h["Sec-Websocket-Protocol"] = []string{"chat.v3"} }), nil,
			&handshake.SubprotocolError{Protocol: "chat.v3"}, handshake.ErrUnknownSubprotocol},
		{"protocol case matters", 101, with(func(h http.Header) { h["Sec-Websocket-Protocol"] = []string{"CHAT.v1"} }), nil,
			&handshake.SubprotocolError{Protocol: "CHAT.v1"}, handshake.ErrUnknownSubprotocol},
		{"duplicate extensions", 101, with(func(h http.Header) { h["Sec-Websocket-Extensions"] = []string{"permessage-deflate", "x-rsv2"} }), nil,
			&handshake.DuplicateHeaderError{Name: "Sec-WebSocket-Extensions"}, handshake.ErrDuplicateHeader},
		{"unknown extension", 101, with(func(h http.Header) { h["Sec-Websocket-Extensions"] = []string{"x-unknown"} }), nil,
			&handshake.ExtensionError{Name: "x-unknown", Err: handshake.ErrUnknownExtension}, handshake.ErrUnknownExtension},
		{"extension twice", 101, with(func(h http.Header) { h["Sec-Websocket-Extensions"] = []string{"x-rsv2, x-rsv2"} }), nil,
			&handshake.ExtensionError{Name: "x-rsv2", Err: handshake.ErrUnknownExtension}, handshake.ErrUnknownExtension},
		{"extension refuses params", 101, with(func(h http.Header) { h["Sec-Websocket-Extensions"] = []string{"permessage-deflate; bad"} }), nil,
			&handshake.ExtensionError{Name: "permessage-deflate", Err: exttest.ErrRefused}, exttest.ErrRefused},
		{"extensions clash on RSV1", 101, with(func(h http.Header) { h["Sec-Websocket-Extensions"] = []string{"permessage-deflate, x-other"} }), nil,
			&handshake.ExtensionError{Name: "x-other", Err: handshake.ErrExtensionConflict}, handshake.ErrExtensionConflict},
		{"bad extension syntax", 101, with(func(h http.Header) { h["Sec-Websocket-Extensions"] = []string{"permessage-deflate;"} }), nil,
			&handshake.HeaderError{Name: "Sec-WebSocket-Extensions", Value: "permessage-deflate;", Reason: "expected a parameter name in extension permessage-deflate"}, handshake.ErrBadHeader},
		{"too many headers", 101, with(func(h http.Header) { h["X-Flood"] = make([]string, 200) }), nil,
			&handshake.LimitError{Limit: "header count", Max: handshake.DefaultMaxHeaders}, handshake.ErrHeaderLimit},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := newTestRequest(t)
			got, err := req.VerifyHeader(tt.code, tt.h)
			if diff := cmp.Diff(tt.wantErr, err, errorsEqual); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			// Verify gives the same answer for the same response.
			resp := &http.Response{StatusCode: tt.code, Status: http.StatusText(tt.code), Header: tt.h}
			if tt.code != 101 {
				resp.Status = tt.wantErr.(*handshake.StatusError).Status
			}
			if _, err2 := req.Verify(resp); (err2 == nil) != (err == nil) {
				t.Errorf("Verify error = %v, VerifyHeader error = %v", err2, err)
			}
		})
	}
}

func TestVerifyNoOffers(t *testing.T) {
	req, err := client.NewRequest("ws://example.com/", &client.Config{Rand: zeroRand()})
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Accept": {zeroAccept}}
	h.Set("Sec-WebSocket-Protocol", "chat")
	if _, err := req.VerifyHeader(101, h); !errors.Is(err, handshake.ErrUnknownSubprotocol) {
		t.Errorf("protocol not offered: %v", err)
	}
	h.Del("Sec-WebSocket-Protocol")
	h.Set("Sec-WebSocket-Extensions", "permessage-deflate")
	if _, err := req.VerifyHeader(101, h); !errors.Is(err, handshake.ErrUnknownExtension) {
		t.Errorf("extension not offered: %v", err)
	}
	if _, err := req.Verify(nil); !errors.Is(err, handshake.ErrBadStatus) {
		t.Errorf("Verify(nil) = %v", err)
	}
}

func TestReadResponse(t *testing.T) {
	req := newTestRequest(t)
	const frames = "\x81\x05hello"
	raw := "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: " + zeroAccept + "\r\n\r\n" + frames
	br := bufio.NewReader(strings.NewReader(raw))
	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := req.Verify(resp); err != nil {
		t.Fatal(err)
	}
	rest := make([]byte, len(frames)+1)
	n, _ := br.Read(rest)
	if string(rest[:n]) != frames {
		t.Errorf("after the response: %q, want %q", rest[:n], frames)
	}

	// An error response's body can be read.
	raw = "HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\n\r\nnope"
	resp, err = client.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil, handshake.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 8)
	n, _ = resp.Body.Read(body)
	if _, err := req.Verify(resp); !errors.Is(err, handshake.ErrBadStatus) || string(body[:n]) != "nope" {
		t.Errorf("Verify = %v, body %q", err, body[:n])
	}

	// A header flood is refused.
	flood := "HTTP/1.1 101 Switching Protocols\r\n" + strings.Repeat("X: y\r\n", 10000) + "\r\n"
	_, err = client.ReadResponse(bufio.NewReader(strings.NewReader(flood)), nil, handshake.Limits{})
	var le *handshake.LimitError
	if !errors.As(err, &le) || le.Limit != "header count" {
		t.Errorf("flood: %v", err)
	}
}
