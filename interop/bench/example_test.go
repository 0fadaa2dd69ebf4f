package bench_test

import (
	"fmt"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/interop/bench"
)

// ServerReader drives one contestant over an in-memory connection, as the
// read-path benchmark does: here wskit reads three text messages of 16
// bytes, each sent by a client in 4 masked frames.
func ExampleServerReader() {
	stream := bench.Frames(bench.Text(16), frame.OpText, 4, true)
	c := &bench.Conn{Stream: stream, Limit: -1}
	read, err := bench.ServerReader("wskit", c, 16)
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Limit = 3 * int64(len(stream))
	err = read(3, func(m []byte) { fmt.Printf("%d bytes: %q\n", len(m), m) })
	fmt.Println("error:", err)
	// Output:
	// 16 bytes: "héllo wörld, p"
	// 16 bytes: "héllo wörld, p"
	// 16 bytes: "héllo wörld, p"
	// error: <nil>
}
