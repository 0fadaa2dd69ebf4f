package endpoint_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

// serve runs an echo server on one accepted connection. The opening
// handshake is left out: an Endpoint starts where it ends.
func serve(conn net.Conn, done chan<- struct{}) {
	defer close(done)
	defer conn.Close()
	ep := endpoint.New(frame.Server, conn, conn)
	for {
		m, err := ep.NextMessage()
		var ce *endpoint.CloseError
		if errors.As(err, &ce) {
			fmt.Println("server: peer closed with", ce.Code)
			return
		}
		if err != nil {
			fmt.Println("server:", err)
			return
		}
		fmt.Printf("server: %s %q\n", m.Type, m.Data)
		if err := ep.WriteMessage(m.Type, m.Data); err != nil {
			return
		}
	}
}

// An echo server over a UNIX socket.
func Example_server() {
	dir, _ := os.MkdirTemp("", "ws")
	defer os.RemoveAll(dir)
	ln, err := net.Listen("unix", filepath.Join(dir, "echo.sock"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		serve(conn, done)
	}()

	// A client for the server to talk to.
	conn, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	client := endpoint.New(frame.Client, conn, conn)
	client.WriteMessage(frame.OpText, []byte("hello"))
	client.NextMessage()
	client.Close(frame.CloseNormal, "")
	<-done

	// Output:
	// server: text "hello"
	// server: peer closed with 1000 (normal closure)
}

// A client that sends a text message, a fragmented binary message and a
// ping, then closes.
func Example_client() {
	dir, _ := os.MkdirTemp("", "ws")
	defer os.RemoveAll(dir)
	ln, err := net.Listen("unix", filepath.Join(dir, "echo.sock"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		serve(conn, done)
	}()

	conn, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	ep := endpoint.New(frame.Client, conn, conn, endpoint.FrameSize(4))

	if err := ep.WriteMessage(frame.OpText, []byte("hi there")); err != nil {
		fmt.Println(err)
	}
	m, _ := ep.NextMessage()
	fmt.Printf("client: %s %q\n", m.Type, m.Data)

	w, _ := ep.NextWriter(frame.OpBinary) // sent as frames of 4 bytes
	fmt.Fprintf(w, "%s", "in several fragments")
	w.Close()
	m, _ = ep.NextMessage()
	fmt.Printf("client: %s %q\n", m.Type, m.Data)

	ep.Ping([]byte("are you there?")) // the pong is handled by NextMessage

	err = ep.Close(frame.CloseNormal, "bye")
	conn.Close() // the Endpoint owns no socket
	<-done
	fmt.Println("client: closing handshake complete:", err == nil)

	// Output:
	// server: text "hi there"
	// client: text "hi there"
	// server: binary "in several fragments"
	// client: binary "in several fragments"
	// server: peer closed with 1000 (normal closure)
	// client: closing handshake complete: true
}

// A client that sends all it has to say, half-closes with SendClose, and
// still receives the replies in flight, then the server's close.
func ExampleEndpoint_SendClose() {
	dir, _ := os.MkdirTemp("", "ws")
	defer os.RemoveAll(dir)
	ln, err := net.Listen("unix", filepath.Join(dir, "echo.sock"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		serve(conn, done)
	}()

	conn, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	ep := endpoint.New(frame.Client, conn, conn)
	for _, s := range []string{"one", "two", "three"} {
		ep.WriteMessage(frame.OpText, []byte(s))
	}
	ep.SendClose(frame.CloseNormal, "") // returns at once: nothing more to send

	// The replies still arrive; a real client bounds this loop with a
	// read deadline or a timer that closes conn.
	var replies []string
	for {
		m, err := ep.NextMessage()
		if err != nil {
			<-done
			fmt.Println("client: replies:", replies)
			fmt.Println("client:", err)
			break
		}
		replies = append(replies, string(m.Data))
	}
	conn.Close()

	// Output:
	// server: text "one"
	// server: text "two"
	// server: text "three"
	// server: peer closed with 1000 (normal closure)
	// client: replies: [one two three]
	// client: endpoint: peer closed: 1000 (normal closure)
}
