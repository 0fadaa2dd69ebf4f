package h3ws_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
)

// An echo server and a client over HTTP/3 on loopback.
func Example() {
	cert, pool, err := h3ws.SelfSigned()
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := &server.Config{Protocols: []string{"echo"}}
	srv := &http3.Server{
		TLSConfig: http3.ConfigureTLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}}),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := h3ws.Accept(cfg, w, r) // answers a refusal itself
			if err != nil {
				return
			}
			for {
				m, err := c.NextMessage() // closes the stream when the connection ends
				if err != nil {
					return
				}
				c.WriteMessage(m.Type, m.Data)
			}
		}),
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(pc)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d := &h3ws.Dialer{TLS: &tls.Config{RootCAs: pool}}
	c, qconn, err := d.Dial(ctx, "wss://"+pc.LocalAddr().String()+"/echo", &client.Config{Protocols: []string{"echo"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer qconn.CloseWithError(0, "")
	c.WriteMessage(frame.OpText, []byte("hello over HTTP/3"))
	m, err := c.NextMessage()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s (subprotocol %s)\n", m.Data, c.Protocol)
	fmt.Println("close:", c.Close(frame.CloseNormal, "bye"))
	// Output:
	// hello over HTTP/3 (subprotocol echo)
	// close: <nil>
}
