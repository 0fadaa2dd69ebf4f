// Command fuzzing sends a handler frames that break RFC 6455 and prints
// what the handler answers. Its tests hold a fuzz target for the same
// handler. It is the program of docs/guides/fuzzing.md.
//
//	go run ./docs/guides/fuzzing
//	go test ./docs/guides/fuzzing -run '^$' -fuzz FuzzShout -fuzztime 30s
package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// shout is the handler under test: it answers each text message in upper
// case and refuses binary messages with 1003.
func shout(ep *endpoint.Endpoint) error {
	for {
		m, err := ep.NextMessage()
		if err != nil {
			return err
		}
		if m.Type != frame.OpText {
			return ep.Close(frame.CloseUnsupportedData, "text only")
		}
		if err := ep.WriteMessage(frame.OpText, bytes.ToUpper(m.Data)); err != nil {
			return err
		}
	}
}

var key = [4]byte{1, 2, 3, 4}

// raw is a masked frame with any header at all.
func raw(fin bool, op frame.Opcode, payload string) *frame.Raw {
	return &frame.Raw{
		Head:    frame.Header{Fin: fin, Opcode: op, Length: int64(len(payload)), Masked: true, Mask: key},
		Payload: []byte(payload),
	}
}

var probes = []struct {
	name   string
	frames []frame.Frame
}{
	{"text", []frame.Frame{raw(true, frame.OpText, "hello")}},
	{"ping between fragments", []frame.Frame{raw(false, frame.OpText, "hel"), raw(true, frame.OpPing, "p"), raw(true, frame.OpContinuation, "lo")}},
	{"200-byte ping", []frame.Frame{raw(true, frame.OpPing, strings.Repeat("x", 200))}},
	{"fragmented close", []frame.Frame{raw(false, frame.OpClose, "\x03\xe8")}},
	{"reserved opcode 3", []frame.Frame{raw(true, 3, "?")}},
	{"invalid UTF-8", []frame.Frame{raw(true, frame.OpText, "caf\xe9")}},
	{"continuation first", []frame.Frame{raw(true, frame.OpContinuation, "x")}},
	{"unmasked", []frame.Frame{&frame.Raw{Head: frame.Header{Fin: true, Opcode: frame.OpText, Length: 2}, Payload: []byte("hi")}}},
	{"binary", []frame.Frame{raw(true, frame.OpBinary, "\x00")}},
}

func main() {
	for _, p := range probes {
		got, err := probe(p.frames)
		if err != nil {
			log.Fatalf("%s: %v", p.name, err)
		}
		fmt.Printf("%-24s -> %s\n", p.name, strings.Join(got, ", "))
	}
}

// probe runs shout on one end of a pipe, sends it frames and then a
// close, and returns what it sent back, up to its close frame.
func probe(frames []frame.Frame) ([]string, error) {
	c, s := net.Pipe()
	defer c.Close()
	go func() {
		defer s.Close()
		shout(endpoint.New(frame.Server, s, s, endpoint.CloseTimeout(time.Second)))
	}()
	go func() {
		for _, f := range frames {
			if _, err := frame.Write(c, f); err != nil {
				return
			}
		}
		frame.WriteMasked(c, &frame.Close{Code: frame.CloseNormal}, key)
	}()
	// Read the answers leniently: a broken handler may send anything, and
	// we want to see it rather than stop at it.
	p := parser.New(c, parser.AllowIllegal())
	var out []string
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		f, err := p.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch f := f.(type) {
		case *frame.Close:
			return append(out, fmt.Sprintf("close %d", f.Code)), nil
		default:
			b, _ := f.AppendPayload(nil)
			out = append(out, fmt.Sprintf("%v %q", f.Header().Opcode, b))
		}
	}
}
