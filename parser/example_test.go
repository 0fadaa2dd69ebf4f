package parser_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/streamer"
)

// A Parser reads from any io.Reader: here a file that a Streamer wrote a
// fragmented message and a ping into.
func Example() {
	f, err := os.CreateTemp("", "frames")
	if err != nil {
		panic(err)
	}
	defer os.Remove(f.Name())

	s := streamer.New(f, frame.OpText, streamer.FrameSize(5))
	io.WriteString(s, "Hello, world")
	s.Close()
	frame.Write(f, &frame.Ping{Payload: []byte("are you there?")})
	f.Close()

	f, err = os.Open(f.Name())
	if err != nil {
		panic(err)
	}
	defer f.Close()
	p := parser.New(f)
	for {
		fr, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			panic(err)
		}
		switch fr := fr.(type) {
		case *frame.Text:
			fmt.Printf("text fin=%v %q\n", fr.Fin, fr.Payload)
		case *frame.Continuation:
			fmt.Printf("continuation fin=%v %q\n", fr.Fin, fr.Payload)
		case *frame.Ping:
			fmt.Printf("ping %q\n", fr.Payload)
		}
	}
	// Output:
	// text fin=false "Hello"
	// continuation fin=false ", wor"
	// continuation fin=true "ld"
	// ping "are you there?"
}

// Push mode: the caller holds the bytes, as an event loop does, and feeds
// them in whatever pieces they arrived in.
func ExampleParser_Feed() {
	wire := []byte{
		0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58, // masked "Hello"
		0x88, 0x82, 0x01, 0x02, 0x03, 0x04, 0x03 ^ 0x01, 0xe8 ^ 0x02, // masked close 1000
	}
	p := parser.New(nil, parser.Role(frame.Server))
	print := func(f frame.Frame) error {
		switch f := f.(type) {
		case *frame.Text:
			fmt.Printf("text %q\n", f.Payload)
		case *frame.Close:
			fmt.Println("close", f.Code)
		}
		return nil
	}
	for _, chunk := range [][]byte{wire[:4], wire[4:13], wire[13:]} {
		if err := p.Feed(chunk, print); err != nil {
			fmt.Println("error:", err, frame.CloseCodeOf(err))
		}
	}
	// A client frame that is not masked is a protocol violation.
	err := parser.New(nil, parser.Role(frame.Server)).Feed([]byte{0x81, 0x00}, print)
	fmt.Println("error:", err, "→", frame.CloseCodeOf(err))
	// Output:
	// text "Hello"
	// close 1000 (normal closure)
	// error: websocket: client frame is not masked → 1002 (protocol error)
}

// NextHeader and Read stream a payload without holding it in memory.
func ExampleParser_NextHeader() {
	wire, _ := frame.Append(nil, &frame.Binary{Fin: true, Payload: []byte("a payload read as a stream")})
	p := parser.New(bytes.NewReader(wire))
	h, err := p.NextHeader()
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Opcode, h.Length)
	io.Copy(os.Stdout, p)
	fmt.Println()
	// Output:
	// binary 26
	// a payload read as a stream
}
