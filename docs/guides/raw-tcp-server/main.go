// Command raw-tcp-server is a WebSocket echo server on a plain TCP
// listener, without net/http's server. It is the program of
// docs/guides/raw-tcp-server.md.
//
//	go run ./docs/guides/raw-tcp-server -addr 127.0.0.1:8080
//	go run ./demo/client ws://127.0.0.1:8080/echo
package main

import (
	"bufio"
	"errors"
	"flag"
	"log"
	"net"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on ws://%s/echo", ln.Addr())
	log.Fatal(serve(ln, 1000))
}

// serve accepts connections on ln, at most max at a time, until ln is
// closed.
func serve(ln net.Listener, max int) error {
	slots := make(chan struct{}, max)
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		select {
		case slots <- struct{}{}:
		default:
			conn.Close() // full: shed load before reading a byte
			continue
		}
		go func() {
			defer func() { <-slots }()
			handle(conn)
		}()
	}
}

var cfg = &server.Config{Limits: handshake.Limits{MaxHeaders: 50}}

func handle(conn net.Conn) {
	defer conn.Close() // RFC 6455 §7.1.1: the server closes TCP first

	// A client gets 10 seconds to send its request.
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	req, err := server.ReadRequest(br, cfg.Limits) // 400, or 431 for a header flood
	if err == nil && req.URL.Path != "/echo" {
		err = &server.Error{StatusCode: 404, Err: errors.New("no WebSocket at " + req.URL.Path)}
	}
	var res *server.Result
	if err == nil {
		res, err = cfg.Accept(req) // 400, 403, 405 or 426 as the request deserves
	}
	if err != nil {
		var se *server.Error
		if errors.As(err, &se) {
			se.WriteTo(conn) // a complete HTTP response: status, fields, body
		}
		return
	}
	if _, err := res.WriteTo(conn); err != nil {
		return
	}
	conn.SetDeadline(time.Time{})

	// Frames the client sent right behind its request are in br already.
	// Peek does not copy; the parser takes them before it reads conn.
	leftover, _ := br.Peek(br.Buffered())
	ep := endpoint.New(frame.Server, conn, conn,
		endpoint.MaxMessage(1<<20),
		endpoint.ParserOptions(parser.Leftover(leftover)))
	for {
		m, err := ep.NextMessage()
		if err != nil {
			return // *endpoint.CloseError, or a violation already answered with its close code
		}
		if err := ep.WriteMessage(m.Type, m.Data); err != nil {
			return
		}
	}
}
