package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
)

// A client with permessage-deflate: Dial connects and performs the
// handshake, Endpoint carries on with the agreed compression.
func ExampleDial() {
	url := echoServer()

	deflate, _ := pmce.New(pmce.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := client.Dial(ctx, url, &client.Config{Extensions: []handshake.Extension{deflate}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	ep := d.Endpoint()
	ep.WriteMessage(frame.OpText, []byte("hello, compressed"))
	m, _ := ep.NextMessage()
	fmt.Printf("%s %q, extensions agreed: %d\n", m.Type, m.Data, len(d.Result.Extensions))
	ep.Close(frame.CloseNormal, "")
	// Output:
	// text "hello, compressed", extensions agreed: 1
}

// echoServer starts a wskit echo server with permessage-deflate and
// returns its ws:// URL; it runs until the program ends.
func echoServer() string {
	deflate, _ := pmce.New(pmce.Config{})
	cfg := &server.Config{Extensions: []handshake.Extension{deflate}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r)
		if err != nil {
			return
		}
		defer up.Close()
		ep, err := up.Endpoint()
		if err != nil {
			return
		}
		for m, err := ep.NextMessage(); err == nil; m, err = ep.NextMessage() {
			ep.WriteMessage(m.Type, m.Data)
		}
	}))
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}
