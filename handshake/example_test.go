package handshake_test

import (
	"fmt"

	"github.com/wskit/wskit/handshake"
)

func ExampleAccept() {
	// The sample key of RFC 6455 section 1.3.
	fmt.Println(handshake.Accept("dGhlIHNhbXBsZSBub25jZQ=="))
	// Output: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
}

func ExampleParseExtensions() {
	list, err := handshake.ParseExtensions([]string{
		`permessage-deflate; client_max_window_bits; server_max_window_bits="10"`,
		"x-webkit-deflate-frame",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range list {
		fmt.Printf("%s %q\n", e.Name, e.Params)
	}
	fmt.Println(handshake.FormatExtensions(list))
	// Output:
	// permessage-deflate [{"client_max_window_bits" ""} {"server_max_window_bits" "10"}]
	// x-webkit-deflate-frame []
	// permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-webkit-deflate-frame
}

func ExampleHasToken() {
	fmt.Println(handshake.HasToken([]string{"keep-alive, Upgrade"}, "upgrade"))
	// Output: true
}
