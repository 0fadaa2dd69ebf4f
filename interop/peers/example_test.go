package peers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	gorilla "github.com/gorilla/websocket"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
)

// One cell of the matrix in miniature: a gorilla/websocket client sends a
// text message to a wskit echo server on net/http, reads the echo, and
// closes with 1000; the endpoint answers the close echoing the code, as
// RFC 6455 §5.5.1 suggests, without the reason.
func Example() {
	cfg := &server.Config{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r)
		if err != nil {
			return
		}
		defer up.Close()
		ep := endpoint.New(frame.Server, up.Conn, up.Conn, endpoint.ParserOptions(parser.Leftover(up.Buffered)))
		for {
			m, err := ep.NextMessage() // the close is answered on the way
			if err != nil {
				return
			}
			ep.WriteMessage(m.Type, m.Data)
		}
	}))
	defer srv.Close()

	c, _, err := gorilla.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/x", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	c.WriteMessage(gorilla.TextMessage, []byte("hello from gorilla"))
	typ, p, err := c.ReadMessage()
	fmt.Println(typ == gorilla.TextMessage, string(p), err)
	c.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(gorilla.CloseNormalClosure, "bye"))
	_, _, err = c.ReadMessage()
	fmt.Println(err)
	// Output:
	// true hello from gorilla <nil>
	// websocket: close 1000 (normal)
}
