package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
)

// A WebSocket echo server on net/http, with permessage-deflate: Upgrade
// answers the handshake, Endpoint carries on with the bytes the client
// sent early and the agreed compression. The handler returns at once, so
// that net/http lets go of what it held for the request; the connection
// lives on in its own goroutine.
func ExampleUpgraded_Endpoint() {
	deflate, _ := pmce.New(pmce.Config{})
	cfg := &server.Config{Extensions: []handshake.Extension{deflate}}
	echo := func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r) // validates; answers 101, or the HTTP error
		if err != nil {
			return
		}
		ep, err := up.Endpoint(endpoint.MaxMessage(1 << 20))
		if err != nil {
			up.Close()
			return
		}
		go func() {
			defer up.Close()
			for {
				m, err := ep.NextMessage() // pings, pongs and the close are answered on the way
				if err != nil {
					return
				}
				ep.WriteMessage(m.Type, m.Data)
			}
		}()
	}
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()

	// A client to talk to it.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := client.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &client.Config{Extensions: []handshake.Extension{deflate}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	ep := d.Endpoint()
	ep.WriteMessage(frame.OpText, []byte("hello"))
	m, _ := ep.NextMessage()
	fmt.Printf("%s %q\n", m.Type, m.Data)
	fmt.Println(ep.Close(frame.CloseNormal, ""))
	// Output:
	// text "hello"
	// <nil>
}
