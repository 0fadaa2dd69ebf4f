package client_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"time"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
)

func ExampleRequest_Handshake() {
	conn, peer := net.Pipe() // stands for a connection the client dialed
	defer conn.Close()
	go func() { // the server, which sends a text frame "hi" right behind its 101
		defer peer.Close()
		req, err := server.ReadRequest(bufio.NewReader(peer), handshake.Limits{})
		if err != nil {
			return
		}
		res, err := (&server.Config{Protocols: []string{"chat"}}).Accept(req)
		if err != nil {
			return
		}
		peer.Write(append(res.AppendResponse(nil), 0x81, 2, 'h', 'i'))
	}()

	req, err := client.NewRequest("ws://example.com/chat", &client.Config{Protocols: []string{"chat"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The handshake must be over within five seconds; the connection
	// has no deadline afterwards.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, leftover, err := req.Handshake(ctx, conn)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("subprotocol %q, first bytes of the stream % x\n", res.Protocol, leftover)
	// Output: subprotocol "chat", first bytes of the stream 81 02 68 69
}
