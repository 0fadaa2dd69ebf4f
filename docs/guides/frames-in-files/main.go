// Command frames-in-files writes WebSocket frames to a file and reads them
// back, in pull mode and in push mode. It is the program of
// docs/guides/frames-in-files.md.
//
//	go run ./docs/guides/frames-in-files /tmp/frames.bin
//	go run ./demo/dump /tmp/frames.bin
package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/streamer"
)

func main() {
	path := "frames.bin"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if err := record(path); err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	lines, err := pull(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("frames (pull):")
	for _, l := range lines {
		fmt.Println("  " + l)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	msgs, err := push(data, 7)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("messages (push, 7 bytes at a time):")
	for _, m := range msgs {
		fmt.Println("  " + m)
	}
}

// record writes a small conversation, as a server would send it: a text
// message in one frame, a ping, a binary message streamed in 8-byte
// fragments, and a close frame.
func record(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := frame.Write(f, &frame.Text{Fin: true, Payload: []byte("hello")}); err != nil {
		return err
	}
	if _, err := frame.Write(f, &frame.Ping{Payload: []byte("are you there?")}); err != nil {
		return err
	}
	// A Streamer sends one message of any length, here from a reader.
	// Add streamer.Masked() to record what a client would send.
	s := streamer.New(f, frame.OpBinary, streamer.FrameSize(8))
	if _, err := io.Copy(s, strings.NewReader("a message longer than one frame")); err != nil {
		return err
	}
	if err := s.Close(); err != nil { // the last fragment, with FIN
		return err
	}
	if _, err := frame.Write(f, &frame.Close{Code: frame.CloseNormal, Reason: "done"}); err != nil {
		return err
	}
	return f.Close()
}

// pull reads frames from r one by one, the way a goroutine per connection
// reads a socket.
func pull(r io.Reader) ([]string, error) {
	p := parser.New(r) // no Role: masked and unmasked frames both pass
	var out []string
	for {
		f, err := p.Next()
		if err == io.EOF {
			return out, nil // the file ended between frames
		}
		if err != nil {
			return out, err // io.ErrUnexpectedEOF mid-frame, or a *frame.Error
		}
		h := f.Header()
		payload, _ := f.AppendPayload(nil) // f is valid until the next call: copy
		out = append(out, fmt.Sprintf("%-12v fin=%-5v %q", h.Opcode, h.Fin, payload))
	}
}

// push hands data to a parser in chunks of size bytes, the way an event
// loop hands over whatever a read returned, and reassembles the messages.
func push(data []byte, size int) ([]string, error) {
	p := parser.New(nil) // push mode needs no reader
	var d endpoint.Defragmenter
	var out []string
	for len(data) > 0 {
		n := min(size, len(data))
		err := p.Feed(data[:n], func(f frame.Frame) error {
			switch f := f.(type) {
			case *frame.Text, *frame.Binary, *frame.Continuation:
				m, ok, err := d.Add(f) // order, limits and UTF-8 are checked here
				if ok {
					out = append(out, fmt.Sprintf("%v %q", m.Type, m.Data))
				}
				return err
			case *frame.Close:
				out = append(out, fmt.Sprintf("close %d %q", f.Code, f.Reason))
			}
			return nil
		})
		if err != nil {
			return out, err
		}
		data = data[n:]
	}
	return out, nil
}
