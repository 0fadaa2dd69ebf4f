package streamer_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/streamer"
)

// A message written in pieces goes out as frames of at most FrameSize bytes;
// Close sends the last one with FIN set.
func Example() {
	var conn bytes.Buffer
	s := streamer.New(&conn, frame.OpText, streamer.FrameSize(4))
	io.WriteString(s, "Hello")
	io.WriteString(s, " you")
	s.Close()
	fmt.Printf("% x\n", conn.Bytes())
	// Output:
	// 01 04 48 65 6c 6c 00 04 6f 20 79 6f 80 01 75
}

// A client masks every frame; MaskKeys makes the keys predictable here.
func ExampleMaskKeys() {
	var conn bytes.Buffer
	key := func() [4]byte { return [4]byte{0x37, 0xfa, 0x21, 0x3d} }
	s := streamer.New(&conn, frame.OpText, streamer.MaskKeys(key))
	io.WriteString(s, "Hello")
	s.Close()
	fmt.Printf("% x\n", conn.Bytes())
	// Output:
	// 81 85 37 fa 21 3d 7f 9f 4d 51 58
}
