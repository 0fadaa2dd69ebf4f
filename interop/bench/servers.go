package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"unicode/utf8"

	coder "github.com/coder/websocket"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
)

// ServerAPIs says how each echo server is built: each library's documented
// way of serving many connections, one goroutine per connection except
// where the library has its own loop.
var ServerAPIs = map[string]string{
	"wskit":       "raw net.Listener, server.ReadRequest + Config.Accept, endpoint NextMessage/WriteMessage",
	"gorilla":     "net/http + Upgrader, NextReader into a reused buffer (+utf8.Valid), WriteMessage",
	"gobwas":      "raw net.Listener, ws.Upgrade, wsutil.Reader{CheckUTF8} over bufio (4 KiB), ws.WriteFrame",
	"coder":       "net/http + Accept, Reader into a reused buffer (+utf8.Valid), Write",
	"gws":         "gws.NewServer(...).RunListener, OnMessage → WriteMessage (CheckUtf8Enabled)",
	"wskit-epoll": "demo/epoll: epoll event loop, parser push mode (Feed), no goroutine per connection",
}

// Serve runs lib's echo server on ln until ln is closed.
func Serve(lib string, ln net.Listener) error {
	if ok, err := serveHTTP(lib, ln); ok {
		return err
	}
	switch lib {
	case "wskit":
		return serveWskit(ln)
	case "gorilla":
		return http.Serve(ln, gorillaEcho(&gorilla.Upgrader{}))
	case "gobwas":
		return acceptLoop(ln, serveGobwas)
	case "coder":
		return http.Serve(ln, coderEcho(&coder.AcceptOptions{CompressionMode: coder.CompressionDisabled}))
	case "gws":
		return gws.NewServer(gwsEcho{}, &gws.ServerOption{CheckUtf8Enabled: true}).RunListener(ln)
	}
	return fmt.Errorf("no such server %q", lib)
}

// gorillaEcho is gorilla's echo handler as its README shows one, with u.
func gorillaEcho(u *gorilla.Upgrader) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := u.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		var buf []byte
		for {
			typ, rd, err := c.NextReader()
			if err != nil {
				return
			}
			m, err := readAll(rd, &buf)
			if err != nil || typ == gorilla.TextMessage && !utf8.Valid(m) {
				return
			}
			if c.WriteMessage(typ, m) != nil {
				return
			}
		}
	})
}

// coderEcho is coder's echo handler as its README shows one, with opts.
func coderEcho(opts *coder.AcceptOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := coder.Accept(w, r, opts)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(64 << 20)
		ctx := context.Background()
		var buf []byte
		for {
			typ, rd, err := c.Reader(ctx)
			if err != nil {
				return
			}
			m, err := readAll(rd, &buf)
			if err != nil || typ == coder.MessageText && !utf8.Valid(m) {
				return
			}
			if c.Write(ctx, typ, m) != nil {
				return
			}
		}
	})
}

func acceptLoop(ln net.Listener, handle func(net.Conn)) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go handle(c)
	}
}

var wskitConfig = &server.Config{}

// serveWskit is wskit's echo server on a raw listener: the handshake
// read and answered by handshake/server, then an Endpoint on the
// connection, with the bytes read past the request.
func serveWskit(ln net.Listener) error {
	return acceptLoop(ln, func(conn net.Conn) {
		defer conn.Close()
		br := bufio.NewReader(conn)
		req, err := server.ReadRequest(br, wskitConfig.Limits)
		var res *server.Result
		if err == nil {
			res, err = wskitConfig.Accept(req)
		}
		if err != nil {
			var se *server.Error
			if errors.As(err, &se) {
				se.WriteTo(conn)
			}
			return
		}
		if _, err := res.WriteTo(conn); err != nil {
			return
		}
		leftover, _ := br.Peek(br.Buffered())
		ep := endpoint.New(frame.Server, conn, conn, endpoint.ParserOptions(parser.Leftover(leftover)))
		br = nil
		for {
			m, err := ep.NextMessage()
			if err != nil {
				return
			}
			if ep.WriteMessage(m.Type, m.Data) != nil {
				return
			}
		}
	})
}

func serveGobwas(conn net.Conn) {
	if _, err := ws.Upgrade(conn); err != nil {
		conn.Close()
		return
	}
	gobwasLoop(conn)
}

type gwsEcho struct{ gws.BuiltinEventHandler }

func (gwsEcho) OnMessage(c *gws.Conn, m *gws.Message) {
	_ = c.WriteMessage(m.Opcode, m.Bytes())
	m.Close()
}

var _ io.Reader = (*wsutil.Reader)(nil)
