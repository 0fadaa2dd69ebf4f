package client_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/wskit/wskit/handshake/client"
)

// The Extended CONNECT of WebSocket over HTTP/3 (RFC 9220), and the check
// of the server's answer. An HTTP/3 client (quic-go's RequestStream) sends
// the request's header and reads the response.
func ExampleRequest_HTTP3Request() {
	req, err := client.NewRequest("wss://example.com:8443/chat", &client.Config{Protocols: []string{"chat"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	h3 := req.HTTP3Request(context.Background())
	fmt.Println(h3.Method, h3.Proto, h3.URL.Scheme, h3.Host, h3.URL.RequestURI())
	fmt.Println(h3.Header)

	resp := &http.Response{StatusCode: 200, Header: http.Header{"Sec-Websocket-Protocol": {"chat"}}}
	res, err := req.VerifyHTTP3(resp)
	fmt.Println(res.Protocol, err)
	// Output:
	// CONNECT websocket https example.com:8443 /chat
	// map[Sec-Websocket-Protocol:[chat] Sec-Websocket-Version:[13]]
	// chat <nil>
}
