package server_test

import (
	"bufio"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
)

func Example() {
	// What a client wrote on the connection: the request of RFC 6455
	// section 1.2.
	conn := bufio.NewReader(strings.NewReader("GET /chat HTTP/1.1\r\n" +
		"Host: server.example.com\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
		"Origin: http://server.example.com\r\n" +
		"Sec-WebSocket-Protocol: chat, superchat\r\n" +
		"Sec-WebSocket-Version: 13\r\n" +
		"\r\n"))

	cfg := &server.Config{Protocols: []string{"superchat", "chat"}}
	req, err := server.ReadRequest(conn, handshake.Limits{})
	if err != nil {
		err.(*server.Error).WriteTo(os.Stdout)
		return
	}
	res, err := cfg.Accept(req)
	if err != nil {
		err.(*server.Error).WriteTo(os.Stdout)
		return
	}
	// What the server writes back, CRLF shown as LF.
	fmt.Print(strings.ReplaceAll(string(res.AppendResponse(nil)), "\r\n", "\n"))
	// Output:
	// HTTP/1.1 101 Switching Protocols
	// Upgrade: websocket
	// Connection: Upgrade
	// Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
	// Sec-WebSocket-Protocol: superchat
}

func ExampleError() {
	req := &http.Request{
		Method: "GET", ProtoMajor: 1, ProtoMinor: 1, Host: "example.com",
		Header: http.Header{
			"Upgrade":               {"websocket"},
			"Connection":            {"Upgrade"},
			"Sec-Websocket-Key":     {"dGhlIHNhbXBsZSBub25jZQ=="},
			"Sec-Websocket-Version": {"8"},
		},
	}
	_, err := (&server.Config{}).Accept(req)
	var e *server.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Header.Get("Sec-WebSocket-Version"), errors.Is(err, handshake.ErrUnsupportedVersion))
	}
	// Output: 426 13 true
}

func ExampleConfig_Upgrade() {
	cfg := &server.Config{Protocols: []string{"chat"}}
	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r) // on failure, the client has its answer
		if err != nil {
			log.Print(err)
			return
		}
		defer up.Close()
		// Read frames from up.Reader, which starts with any bytes
		// net/http had read past the request, and write to up.Writer.
		_ = up.Result.Protocol
	})
}
