package frame_test

import (
	"errors"
	"fmt"

	"github.com/wskit/wskit/frame"
)

// A client masks every frame it sends. This is the masked "Hello" of
// RFC 6455 §5.7; a real client draws its key from frame.NewMaskKey.
func ExampleAppendMasked() {
	f := &frame.Text{Fin: true, Payload: []byte("Hello")}
	b, err := frame.AppendMasked(nil, f, [4]byte{0x37, 0xfa, 0x21, 0x3d})
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", b)
	// Output:
	// 81 85 37 fa 21 3d 7f 9f 4d 51 58
}

func ExampleParseHeader() {
	h, n, err := frame.ParseHeader([]byte{0x82, 0x7e, 0x01, 0x00})
	fmt.Println(h.Opcode, h.Fin, h.Length, n, err)
	// Output:
	// binary true 256 4 <nil>
}

func ExampleClose() {
	b, _ := frame.Append(nil, &frame.Close{Code: frame.CloseGoingAway, Reason: "bye"})
	fmt.Printf("% x\n", b)

	var c frame.Close
	err := frame.ParseClose([]byte{0x03, 0xe8, 0xff}, &c)
	fmt.Println(c.Code, errors.Is(err, frame.ErrCloseReasonUTF8), frame.CloseCodeOf(err))
	// Output:
	// 88 05 03 e9 62 79 65
	// 1000 (normal closure) true 1007 (invalid payload data)
}
