package pmce_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/pmce"
)

// A client and a server negotiate permessage-deflate through the
// Sec-WebSocket-Extensions header, then exchange compressed messages with
// the codecs they agreed on. The client compresses each message on its own
// (Send Shared: client_no_context_takeover); the server keeps a dedicated
// compressor of 2^12 bytes of window for its messages and keeps no window
// of the client's.
func Example() {
	clientExt, _ := pmce.New(pmce.Config{Send: pmce.Shared, ClientMaxWindowBits: 15})
	serverExt, _ := pmce.New(pmce.Config{Send: pmce.Dedicated(12), Receive: pmce.Shared})

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
	sending, receiving := server.ContextTakeover()
	fmt.Printf("server:   context takeover sending %v, receiving %v\n", sending, receiving)

	msg := []byte(strings.Repeat("hello, compressed world! ", 40))
	payload, _ := client.Compress(nil, msg) // sent with RSV1 set
	back, _ := server.Decompress(nil, payload, 1<<20)
	fmt.Printf("%d bytes sent as %d, received intact: %v\n", len(msg), len(payload), string(back) == string(msg))
	// Output:
	// offer:    permessage-deflate; client_no_context_takeover; client_max_window_bits
	// response: permessage-deflate; client_no_context_takeover; server_max_window_bits=12
	// agreed:   {ServerNoContextTakeover:false ClientNoContextTakeover:true ServerMaxWindowBits:12 ClientMaxWindowBits:15}
	// server:   context takeover sending true, receiving false
	// 1000 bytes sent as 36, received intact: true
}

// A chat or API server's configuration, which is also the zero Config's:
// context takeover with a compressor held only while the connection sends
// (Leased: none once it has been idle for a second), level 4, up to 32 KiB
// kept of the data of a client that compresses with context takeover, as
// browsers do, and messages under 256 bytes sent as they are.
func ExampleConfig() {
	ext, err := pmce.New(pmce.Config{
		Send:      pmce.Leased(15),
		Receive:   pmce.Dedicated(15),
		Level:     4,
		Threshold: 256,
		LeaseIdle: time.Second,
	})
	if err != nil {
		panic(err)
	}
	defaults, _ := pmce.New(pmce.Config{})
	fmt.Println(ext.Config() == defaults.Config())
	// Output: true
}

// A client's offer for each Send class: Shared asks for nothing to be kept
// by the server for its messages (client_no_context_takeover), Dedicated(10)
// keeps a compressor of its own with 1 KiB of window and says so
// (client_max_window_bits=10), so that the server keeps no more than that of
// its data either; SlidingWindow(12) keeps 4 KiB of what it sent and no
// compressor, and bounds nothing; Leased(10) offers what Dedicated(10)
// does, and holds its compressor only while it sends.
func ExampleClass() {
	for _, send := range []pmce.Class{pmce.Shared, pmce.Dedicated(10), pmce.SlidingWindow(12), pmce.Leased(10)} {
		ext, _ := pmce.New(pmce.Config{Send: send})
		offer := handshake.FormatExtensions(handshake.OfferExtensions([]handshake.Extension{ext}))
		fmt.Printf("%-13v %s\n", send, offer)
	}
	// Output:
	// shared        permessage-deflate; client_no_context_takeover
	// dedicated(10) permessage-deflate; client_max_window_bits=10
	// window(12)    permessage-deflate
	// leased(10)    permessage-deflate; client_max_window_bits=10
}
