// Command unix-sockets runs a WebSocket server and client over a UNIX
// socket. It is the program of docs/guides/unix-sockets.md.
//
//	go run ./docs/guides/unix-sockets -serve /tmp/ws.sock &
//	go run ./docs/guides/unix-sockets -dial /tmp/ws.sock hello world
//	go run ./docs/guides/unix-sockets hello world   # both, on a temporary socket
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
)

func main() {
	serveAt := flag.String("serve", "", "serve on this socket path")
	dialAt := flag.String("dial", "", "send the arguments as messages to this socket path")
	flag.Parse()
	switch {
	case *serveAt != "":
		ln, err := listen(*serveAt)
		if err != nil {
			log.Fatal(err)
		}
		log.Fatal(serve(ln))
	case *dialAt != "":
		if err := send(*dialAt, flag.Args()); err != nil {
			log.Fatal(err)
		}
	default: // both, on a socket in a fresh directory
		dir, err := os.MkdirTemp("", "ws")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "echo.sock")
		ln, err := listen(path)
		if err != nil {
			log.Fatal(err)
		}
		defer ln.Close()
		go serve(ln)
		if err := send(path, flag.Args()); err != nil {
			log.Fatal(err)
		}
	}
}

// listen creates the socket, readable and writable by its owner only: on
// a UNIX socket, file permissions are the access control.
func listen(path string) (net.Listener, error) {
	os.Remove(path) // a socket file left by a previous run
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	return ln, os.Chmod(path, 0o600)
}

// serve echoes messages on every connection accepted on ln.
func serve(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		go handle(conn)
	}
}

func handle(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	req, err := server.ReadRequest(br, handshake.Limits{})
	var res *server.Result
	if err == nil {
		res, err = (&server.Config{Protocols: []string{"echo"}}).Accept(req)
	}
	if err != nil {
		var se *server.Error
		if errors.As(err, &se) {
			se.WriteTo(conn)
		}
		return
	}
	res.WriteTo(conn)
	leftover, _ := br.Peek(br.Buffered())
	ep := endpoint.New(frame.Server, conn, conn, endpoint.ParserOptions(parser.Leftover(leftover)))
	for {
		m, err := ep.NextMessage()
		if err != nil {
			return
		}
		if err := ep.WriteMessage(m.Type, m.Data); err != nil {
			return
		}
	}
}

// send opens a WebSocket on the socket at path, sends each message and
// prints its echo, then closes with 1000.
func send(path string, messages []string) error {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return err
	}
	defer conn.Close()
	ep, err := open(conn)
	if err != nil {
		return err
	}
	for _, msg := range messages {
		if err := ep.WriteMessage(frame.OpText, []byte(msg)); err != nil {
			return err
		}
		m, err := ep.NextMessage()
		if err != nil {
			return err
		}
		fmt.Printf("echo: %s\n", m.Data)
	}
	return ep.Close(frame.CloseNormal, "") // waits for the server's close
}

// open runs the client's side of the handshake on conn.
func open(conn net.Conn) (*endpoint.Endpoint, error) {
	// The URL only fills the request line and Host: the socket decides
	// where the bytes go.
	req, err := client.NewRequest("ws://localhost/echo", &client.Config{Protocols: []string{"echo"}})
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := req.WriteTo(conn); err != nil {
		return nil, err
	}
	br := bufio.NewReader(conn)
	resp, err := client.ReadResponse(br, nil, handshake.Limits{}) // reads no byte past the header
	if err != nil {
		return nil, err
	}
	res, err := req.Verify(resp) // status 101, Upgrade, Connection, Accept, subprotocol, extensions
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	log.Printf("connected, subprotocol %q", res.Protocol)
	// Frames the server sent right after its response may sit in br.
	leftover, _ := br.Peek(br.Buffered())
	return endpoint.New(frame.Client, conn, conn, endpoint.ParserOptions(parser.Leftover(leftover))), nil
}
