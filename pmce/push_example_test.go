package pmce_test

import (
	"fmt"
	"strings"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/pmce"
)

// A push-driven server inflates a compressed message as its bytes arrive,
// here in pieces of 7 bytes: each Feed returns once what it was given is
// inflated, and the message never has to be whole in memory.
func ExampleCodec_NewInflater() {
	clientExt, _ := pmce.New(pmce.Config{})
	serverExt, _ := pmce.New(pmce.Config{})
	offers, _ := handshake.ParseExtensions([]string{handshake.FormatExtensions(handshake.OfferExtensions([]handshake.Extension{clientExt}))})
	resp, serverAgreed, _ := handshake.NegotiateExtensions([]handshake.Extension{serverExt}, offers)
	list, _ := handshake.ParseExtensions([]string{handshake.FormatExtensions(resp)})
	clientAgreed, _ := handshake.AcceptExtensions([]handshake.Extension{clientExt}, list)
	client, server := clientAgreed[0].(*pmce.Codec), serverAgreed[0].(*pmce.Codec)

	msg := strings.Repeat("pieces of a compressed message; ", 100)
	payload, _ := client.Compress(nil, []byte(msg))

	f := server.NewInflater(1 << 20)
	defer f.Close()
	var got strings.Builder
	feeds := 0
	for len(payload) > 0 {
		n := min(7, len(payload))
		err := f.Feed(payload[:n], n == len(payload), func(p []byte) error {
			got.WriteString(string(p))
			return nil
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		payload = payload[n:]
		feeds++
	}
	fmt.Printf("%d feeds, %d bytes inflated, intact: %v\n", feeds, got.Len(), got.String() == msg)
	// Output:
	// 8 feeds, 3200 bytes inflated, intact: true
}
