package client_test

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
)

// FuzzReadResponseVerify feeds arbitrary bytes to ReadResponse and Verify,
// which must never panic.
func FuzzReadResponseVerify(f *testing.F) {
	f.Add([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: ICX+Yqv66kxgM0FcWaLWlFLwTAI=\r\nSec-WebSocket-Protocol: chat.v1\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate; a=1, x-rsv2\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		req := newTestRequest(t)
		resp, err := client.ReadResponse(bufio.NewReader(bytes.NewReader(data)), nil, handshake.Limits{MaxHeaders: 20, MaxLineBytes: 256, MaxHeaderBytes: 1024})
		if err != nil {
			return
		}
		req.Verify(resp)
	})
}
