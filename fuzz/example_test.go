package fuzz_test

import (
	"bytes"
	"fmt"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// The property FuzzParser checks on every input, shown on one: pull mode
// (Next over an io.Reader) and push mode (Feed, here one byte at a time)
// decode the same frames and end with the same error. This input is a
// masked text frame followed by an unmasked one, which a server refuses.
func Example() {
	input := []byte{
		0x81, 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2, // masked "hi"
		0x81, 0x02, 'n', 'o', // unmasked: a protocol error at a server
	}

	pull := parser.New(bytes.NewReader(input), parser.Role(frame.Server))
	for {
		f, err := pull.Next()
		if err != nil {
			fmt.Println("pull:", err, "- close code", frame.CloseCodeOf(err))
			break
		}
		fmt.Printf("pull: %T %q\n", f, f.(*frame.Text).Payload)
	}

	push := parser.New(nil, parser.Role(frame.Server))
	for i := range input {
		err := push.Feed(input[i:i+1], func(f frame.Frame) error {
			fmt.Printf("push: %T %q\n", f, f.(*frame.Text).Payload)
			return nil
		})
		if err != nil {
			fmt.Println("push:", err, "- close code", frame.CloseCodeOf(err))
			break
		}
	}
	// Output:
	// pull: *frame.Text "hi"
	// pull: websocket: client frame is not masked - close code 1002 (protocol error)
	// push: *frame.Text "hi"
	// push: websocket: client frame is not masked - close code 1002 (protocol error)
}
