package server_test

import (
	"bufio"
	"bytes"
	"errors"
	"testing"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
)

// FuzzReadRequestAccept feeds arbitrary bytes to ReadRequest and Accept:
// they must never panic, and every refusal must be an *Error with a status.
func FuzzReadRequestAccept(f *testing.F) {
	f.Add([]byte("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Protocol: chat.v1\r\nSec-WebSocket-Extensions: permessage-deflate; a=\"1\"\r\nOrigin: http://a\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		limits := handshake.Limits{MaxHeaders: 20, MaxLineBytes: 256, MaxHeaderBytes: 1024}
		req, err := server.ReadRequest(bufio.NewReader(bytes.NewReader(data)), limits)
		if err == nil {
			cfg := *testConfig
			cfg.Limits = limits
			var res *server.Result
			res, err = cfg.Accept(req)
			if err == nil {
				res.AppendResponse(nil)
				res.Header()
				return
			}
		}
		var e *server.Error
		if !errors.As(err, &e) || e.StatusCode < 400 || e.StatusCode > 599 {
			t.Fatalf("error %v is not an *Error with a 4xx/5xx status", err)
		}
		e.WriteTo(&bytes.Buffer{})
	})
}
