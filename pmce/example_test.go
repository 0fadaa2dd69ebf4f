package pmce_test

import (
	"fmt"
	"strings"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/pmce"
)

// A client and a server negotiate permessage-deflate through the
// Sec-WebSocket-Extensions header, then exchange compressed messages with
// the codecs they agreed on.
func Example() {
	clientExt, _ := pmce.New(pmce.Config{ClientMaxWindowBits: 15})
	serverExt, _ := pmce.New(pmce.Config{ClientNoContextTakeover: true})

	offer := handshake.FormatExtensions(handshake.OfferExtensions([]handshake.Extension{clientExt}))
	fmt.Println("offer:   ", offer)

	offers, _ := handshake.ParseExtensions([]string{offer})
	resp, serverAgreed, _ := handshake.NegotiateExtensions([]handshake.Extension{serverExt}, offers)
	response := handshake.FormatExtensions(resp)
	fmt.Println("response:", response)

	list, _ := handshake.ParseExtensions([]string{response})
	clientAgreed, err := handshake.AcceptExtensions([]handshake.Extension{clientExt}, list)
	if err != nil {
		fmt.Println(err)
		return
	}
	client := clientAgreed[0].(*pmce.Codec)
	server := serverAgreed[0].(*pmce.Codec)
	fmt.Printf("agreed:   %+v\n", client.Params())

	msg := []byte(strings.Repeat("hello, compressed world! ", 40))
	payload, _ := client.Compress(nil, msg) // sent with RSV1 set
	back, _ := server.Decompress(nil, payload, 1<<20)
	fmt.Printf("%d bytes sent as %d, received intact: %v\n", len(msg), len(payload), string(back) == string(msg))
	// Output:
	// offer:    permessage-deflate; client_max_window_bits
	// response: permessage-deflate; client_no_context_takeover
	// agreed:   {ServerNoContextTakeover:false ClientNoContextTakeover:true ServerMaxWindowBits:15 ClientMaxWindowBits:15}
	// 1000 bytes sent as 47, received intact: true
}
