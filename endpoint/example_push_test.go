package endpoint_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// An Endpoint that reads for itself: one goroutine blocks in NextMessage,
// which answers pings and the close on the way.
func ExampleNew() {
	c, s := net.Pipe()
	go func() {
		client := endpoint.New(frame.Client, c, c)
		client.WriteMessage(frame.OpText, []byte("hello"))
		client.Close(frame.CloseNormal, "bye")
		c.Close()
	}()

	ep := endpoint.New(frame.Server, s, s)
	for {
		m, err := ep.NextMessage()
		var ce *endpoint.CloseError
		if errors.As(err, &ce) {
			fmt.Println("peer closed:", ce.Code, ce.Reason)
			break
		}
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Printf("%s %q\n", m.Type, m.Data)
	}
	s.Close()
	// Output:
	// text "hello"
	// peer closed: 1000 (normal closure) bye
}

// An Endpoint fed by the caller, as an event loop, an HTTP/2 stack's
// callbacks or a fuzzer feed it: Feed takes the bytes as they arrived, cut
// anywhere, and calls back with each message. What the protocol sends — here
// an echo, the pong and the close echo — goes to an Outbox, which the
// caller writes to its transport when that is writable.
func ExampleNewPush() {
	var out endpoint.Outbox
	ep := endpoint.NewPush(frame.Server, &out)
	echo := func(m endpoint.Message) error {
		fmt.Printf("%s %q\n", m.Type, m.Data)
		return ep.WriteMessage(m.Type, m.Data)
	}

	in := clientBytes(&frame.Text{Fin: true, Payload: []byte("hello")},
		&frame.Ping{Payload: []byte("?")}, &frame.Close{Code: frame.CloseNormal})
	for _, chunk := range [][]byte{in[:4], in[4:13], in[13:]} {
		err := ep.Feed(chunk, echo)
		var ce *endpoint.CloseError
		if errors.As(err, &ce) {
			fmt.Println("peer closed:", ce.Code)
		}
	}

	// When the transport is writable: out.WriteTo(conn). Here, a look at
	// what would go out.
	var sent bytes.Buffer
	out.WriteTo(&sent)
	p := parser.New(&sent, parser.Role(frame.Client))
	for f, err := p.Next(); err == nil; f, err = p.Next() {
		fmt.Println("sent:", f.Header().Opcode)
	}
	// Output:
	// text "hello"
	// peer closed: 1000 (normal closure)
	// sent: text
	// sent: pong
	// sent: close
}

// clientBytes encodes frames as a client sends them, masked.
func clientBytes(fs ...frame.Frame) []byte {
	var b bytes.Buffer
	for _, f := range fs {
		frame.WriteMasked(&b, f, frame.NewMaskKey())
	}
	return b.Bytes()
}

// A line protocol over a WebSocket: NetConn makes the Endpoint a net.Conn,
// so anything that reads and writes one works over it.
func ExampleEndpoint_NetConn() {
	c, s := net.Pipe()
	go func() {
		peer := endpoint.New(frame.Client, c, c)
		peer.WriteMessage(frame.OpText, []byte("hello\nworld\n"))
		for range 2 {
			m, _ := peer.NextMessage()
			fmt.Print(string(m.Data))
		}
		peer.Close(frame.CloseNormal, "")
		c.Close()
	}()

	ep := endpoint.New(frame.Server, s, s)
	conn := ep.NetConn(frame.OpText) // lines are text
	sc := bufio.NewScanner(conn)
	for sc.Scan() {
		fmt.Fprintf(conn, "you said: %s\n", sc.Text())
	}
	conn.Close()
	// Output:
	// you said: hello
	// you said: world
}
