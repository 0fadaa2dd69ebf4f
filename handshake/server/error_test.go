package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
)

func versionError(t *testing.T) *server.Error {
	t.Helper()
	r := baseRequest()
	r.Header.Set("Sec-WebSocket-Version", "8")
	_, err := (*server.Config)(nil).Accept(r)
	e, ok := err.(*server.Error)
	if !ok {
		t.Fatalf("Accept error = %v", err)
	}
	return e
}

func TestErrorWriteTo(t *testing.T) {
	e := versionError(t)
	body := "426 Upgrade Required: handshake: unsupported WebSocket version \"8\"\n"
	want := "HTTP/1.1 426 Upgrade Required\r\n" +
		"Connection: close\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"X-Content-Type-Options: nosniff\r\n" +
		"Content-Length: 67\r\n" +
		"Sec-WebSocket-Version: 13\r\n" +
		"Upgrade: websocket\r\n" +
		"\r\n" + body
	var buf bytes.Buffer
	n, err := e.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo = %d, %v", n, err)
	}
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(body) != 67 {
		t.Errorf("body is %d bytes", len(body))
	}
}

func TestErrorServeHTTP(t *testing.T) {
	rec := httptest.NewRecorder()
	versionError(t).ServeHTTP(rec, nil)
	if rec.Code != http.StatusUpgradeRequired {
		t.Errorf("status %d", rec.Code)
	}
	want := http.Header{
		"Sec-Websocket-Version":  {"13"},
		"Upgrade":                {"websocket"},
		"Content-Type":           {"text/plain; charset=utf-8"},
		"X-Content-Type-Options": {"nosniff"},
		"Content-Length":         {"67"},
	}
	if diff := cmp.Diff(want, rec.Header()); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if rec.Body.Len() != 67 {
		t.Errorf("body %q", rec.Body)
	}

	e := &server.Error{StatusCode: 405, Header: http.Header{"Allow": {"GET"}}, Err: &handshake.MethodError{Method: "PUT", Allow: "GET"}}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, nil)
	if rec.Code != 405 || rec.Header().Get("Allow") != "GET" {
		t.Errorf("405: %d %v", rec.Code, rec.Header())
	}
	if (&server.Error{StatusCode: 500}).Error() != "500 Internal Server Error: <nil>" {
		t.Error("Error() with nil cause")
	}
}
