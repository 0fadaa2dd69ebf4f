package client_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
)

func Example() {
	req, err := client.NewRequest("wss://example.com/chat", &client.Config{
		Protocols: []string{"chat.v2", "chat.v1"},
		Rand:      bytes.NewReader(make([]byte, 16)), // a fixed key for the example
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// What the client writes on the connection, CRLF shown as LF.
	fmt.Print(strings.ReplaceAll(req.String(), "\r\n", "\n"))

	// What the server answers, read from the connection.
	conn := bufio.NewReader(strings.NewReader("HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + handshake.Accept(req.Key) + "\r\n" +
		"Sec-WebSocket-Protocol: chat.v1\r\n" +
		"\r\n"))
	resp, err := client.ReadResponse(conn, nil, handshake.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := req.Verify(resp)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("subprotocol:", res.Protocol)
	// Output:
	// GET /chat HTTP/1.1
	// Host: example.com
	// Upgrade: websocket
	// Connection: Upgrade
	// Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==
	// Sec-WebSocket-Version: 13
	// Sec-WebSocket-Protocol: chat.v2, chat.v1
	//
	// subprotocol: chat.v1
}

func ExampleRequest_Verify_badAccept() {
	req, _ := client.NewRequest("ws://example.com/", nil)
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
	r, _ := client.ReadResponse(bufio.NewReader(strings.NewReader(resp)), nil, handshake.Limits{})
	_, err := req.Verify(r)
	fmt.Println(err != nil && errors.Is(err, handshake.ErrBadAccept))
	// Output: true
}
