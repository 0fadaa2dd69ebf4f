package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	coder "github.com/coder/websocket"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

// Libs are the contestants, wskit first.
var Libs = []string{"wskit", "gorilla", "gobwas", "coder", "gws"}

// APIs says which API of each library the benchmarks use: the fastest one
// it documents for the job.
var APIs = map[string]string{
	"wskit":   "endpoint.Endpoint: NextMessage, WriteMessage",
	"gorilla": "Upgrader.Upgrade / Dialer; Conn.NextReader into a reused buffer, Conn.WriteMessage",
	"gobwas":  "ws.Upgrade; wsutil.Reader{CheckUTF8: true} over a 4 KiB bufio.Reader into a reused buffer; ws.WriteFrame (server), wsutil.WriteClientBinary (client)",
	"coder":   "gorilla.Accept / Dial; Conn.Reader into a reused buffer, Conn.Write",
	"gws":     "Upgrader.Upgrade / NewClientFromConn; Conn.ReadLoop with OnMessage (CheckUtf8Enabled), Conn.WriteMessage",
}

// Validates says whether the library checks that text messages are UTF-8
// itself. Where it does not, the read benchmarks add utf8.Valid, so every
// contestant does the same work.
var Validates = map[string]bool{"wskit": true, "gorilla": false, "gobwas": true, "coder": false, "gws": true}

// readAll reads r to its end into *buf, growing it as needed.
func readAll(r io.Reader, buf *[]byte) ([]byte, error) {
	n := 0
	for {
		if n == len(*buf) {
			*buf = append(*buf, make([]byte, max(len(*buf), 512))...)
		}
		k, err := r.Read((*buf)[n:])
		n += k
		if err == io.EOF {
			return (*buf)[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

var errUTF8 = errors.New("invalid UTF-8")

// ServerReader performs the server's side of the handshake on c (whose
// Stream holds the client's frames) and returns a function that reads n
// messages, calling fn with each whole message, validated as UTF-8 when it
// is text.
func ServerReader(lib string, c *Conn, bufSize int) (func(n int, fn func([]byte)) error, error) {
	ctx := context.Background()
	buf := make([]byte, bufSize)
	switch lib {
	case "wskit":
		ep := endpoint.New(frame.Server, c, c)
		return func(n int, fn func([]byte)) error {
			for range n {
				m, err := ep.NextMessage()
				if err != nil {
					return err
				}
				fn(m.Data)
			}
			return nil
		}, nil
	case "gorilla":
		u := gorilla.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}
		conn, err := u.Upgrade(&ResponseWriter{Conn: c}, Request(), nil)
		if err != nil {
			return nil, err
		}
		return func(n int, fn func([]byte)) error {
			for range n {
				typ, r, err := conn.NextReader()
				if err != nil {
					return err
				}
				m, err := readAll(r, &buf)
				if err != nil {
					return err
				}
				if typ == gorilla.TextMessage && !utf8.Valid(m) {
					return errUTF8
				}
				fn(m)
			}
			return nil
		}, nil
	case "gobwas":
		c.Pre = []byte(RequestText)
		if _, err := ws.Upgrade(c); err != nil {
			return nil, err
		}
		rd := &wsutil.Reader{Source: bufio.NewReaderSize(c, 4096), State: ws.StateServerSide, CheckUTF8: true}
		return func(n int, fn func([]byte)) error {
			for range n {
				if _, err := rd.NextFrame(); err != nil {
					return err
				}
				m, err := readAll(rd, &buf)
				if err != nil {
					return err
				}
				fn(m)
			}
			return nil
		}, nil
	case "coder":
		conn, err := coder.Accept(&ResponseWriter{Conn: c}, Request(), &coder.AcceptOptions{
			InsecureSkipVerify: true, CompressionMode: coder.CompressionDisabled})
		if err != nil {
			return nil, err
		}
		conn.SetReadLimit(64 << 20)
		return func(n int, fn func([]byte)) error {
			for range n {
				typ, r, err := conn.Reader(ctx)
				if err != nil {
					return err
				}
				m, err := readAll(r, &buf)
				if err != nil {
					return err
				}
				if typ == coder.MessageText && !utf8.Valid(m) {
					return errUTF8
				}
				fn(m)
			}
			return nil
		}, nil
	case "gws":
		h := &gwsHandler{}
		u := gws.NewUpgrader(h, &gws.ServerOption{CheckUtf8Enabled: true, ReadMaxPayloadSize: 64 << 20})
		conn, err := u.Upgrade(&ResponseWriter{Conn: c}, Request())
		if err != nil {
			return nil, err
		}
		return func(n int, fn func([]byte)) error {
			h.fn, h.count = fn, 0
			conn.ReadLoop() // until the stream ends
			if h.count != n {
				return fmt.Errorf("gws: %d messages of %d: %v", h.count, n, h.err)
			}
			return nil
		}, nil
	}
	return nil, fmt.Errorf("no such library %q", lib)
}

type gwsHandler struct {
	gws.BuiltinEventHandler
	fn    func([]byte)
	count int
	err   error
}

func (h *gwsHandler) OnMessage(c *gws.Conn, m *gws.Message) {
	h.fn(m.Bytes())
	h.count++
	m.Close()
}

func (h *gwsHandler) OnClose(c *gws.Conn, err error) { h.err = err }

// Writer returns a function that sends one message of type op
// (frame.OpText or frame.OpBinary) on c, as a server (unmasked) or a client
// (masked), after the handshake where the library needs one.
func Writer(lib string, c *Conn, client bool) (func(op frame.Opcode, p []byte) error, error) {
	ctx := context.Background()
	url := "ws://localhost/bench"
	switch lib {
	case "wskit":
		role := frame.Server
		if client {
			role = frame.Client
		}
		ep := endpoint.New(role, nil, c)
		return ep.WriteMessage, nil
	case "gorilla":
		var conn *gorilla.Conn
		var err error
		if client {
			c.Answer = true
			d := gorilla.Dialer{ReadBufferSize: 4096, WriteBufferSize: 4096,
				NetDialContext: func(context.Context, string, string) (net.Conn, error) { return c, nil }}
			conn, _, err = d.Dial(url, nil)
		} else {
			u := gorilla.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}
			conn, err = u.Upgrade(&ResponseWriter{Conn: c}, Request(), nil)
		}
		if err != nil {
			return nil, err
		}
		return func(op frame.Opcode, p []byte) error { return conn.WriteMessage(int(op), p) }, nil
	case "gobwas":
		if client {
			return func(op frame.Opcode, p []byte) error { return wsutil.WriteClientMessage(c, ws.OpCode(op), p) }, nil
		}
		return func(op frame.Opcode, p []byte) error { return ws.WriteFrame(c, ws.NewFrame(ws.OpCode(op), true, p)) }, nil
	case "coder":
		var conn *coder.Conn
		var err error
		if client {
			conn, _, err = coder.Dial(ctx, url, &coder.DialOptions{
				HTTPClient: &http.Client{Transport: memTransport{c}}, CompressionMode: coder.CompressionDisabled})
		} else {
			conn, err = coder.Accept(&ResponseWriter{Conn: c}, Request(), &coder.AcceptOptions{
				InsecureSkipVerify: true, CompressionMode: coder.CompressionDisabled})
		}
		if err != nil {
			return nil, err
		}
		return func(op frame.Opcode, p []byte) error { return conn.Write(ctx, coder.MessageType(op), p) }, nil
	case "gws":
		var conn *gws.Conn
		var err error
		if client {
			c.Answer = true
			conn, _, err = gws.NewClientFromConn(&gwsHandler{}, &gws.ClientOption{Addr: url}, c)
		} else {
			conn, err = gws.NewUpgrader(&gwsHandler{}, nil).Upgrade(&ResponseWriter{Conn: c}, Request())
		}
		if err != nil {
			return nil, err
		}
		return func(op frame.Opcode, p []byte) error { return conn.WriteMessage(gws.Opcode(op), p) }, nil
	}
	return nil, fmt.Errorf("no such library %q", lib)
}

// memTransport answers coder/websocket's handshake request with a 101
// response whose body is the in-memory connection.
type memTransport struct{ c *Conn }

func (t memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var b strings.Builder
	b.WriteString("GET / HTTP/1.1\r\n")
	r.Header.Write(&b)
	b.WriteString("\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(AnswerRequest([]byte(b.String()))))), r)
	if err != nil {
		return nil, err
	}
	resp.Body = t.c
	return resp, nil
}
