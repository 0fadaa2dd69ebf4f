package conformance

// TEMPORARY reference targets, built from the toolkit's low-level packages
// (parser, frame, handshake/client, handshake/server, internal/utf8), until
// demo/echo and demo/client exist. They let the suite be developed and
// validated; once the demos exist the tests use them instead (see
// targets_test.go).

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	u8 "github.com/wskit/wskit/internal/utf8"
	"github.com/wskit/wskit/parser"
)

// refServer is an in-process echo server over raw TCP. A lax one checks
// nothing (to test the grader).
type refServer struct{ lax bool }

func (rs refServer) StartServer(ctx context.Context) (string, func(), error) {
	return serveTCP(func(conn net.Conn) {
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(conn)
		req, err := server.ReadRequest(br, handshake.Limits{})
		if err != nil {
			return
		}
		res, err := (&server.Config{}).Accept(req)
		if err != nil {
			var e *server.Error
			if errors.As(err, &e) {
				e.WriteTo(conn)
			}
			return
		}
		if _, err := res.WriteTo(conn); err != nil {
			return
		}
		conn.SetDeadline(time.Time{})
		if rs.lax {
			laxEcho(conn, br)
			return
		}
		echo(conn, br, frame.Server)
	})
}

// refClient is an in-process echo client.
type refClient struct{}

func (refClient) RunClient(ctx context.Context, url string) error {
	req, err := client.NewRequest(url, nil)
	if err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", req.URL.Host)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := conn.Write(req.AppendText(nil)); err != nil {
		return err
	}
	br := bufio.NewReader(conn)
	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
	if err != nil {
		return err
	}
	if _, err := req.Verify(resp); err != nil {
		return err
	}
	echo(conn, br, frame.Client)
	return nil
}

// echo runs the echo endpoint on conn until the connection ends.
func echo(conn net.Conn, br *bufio.Reader, role frame.Role) {
	p := parser.New(br, parser.Role(role), parser.MaxPayload(64<<20))
	write := func(f frame.Frame) error {
		if role == frame.Client {
			_, err := frame.WriteMasked(conn, f, frame.NewMaskKey())
			return err
		}
		_, err := frame.Write(conn, f)
		return err
	}
	// finish ends the connection after a close frame was sent: the server
	// closes the TCP connection, the client waits for the server to.
	finish := func() {
		if role == frame.Client {
			conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			io.Copy(io.Discard, br)
		}
	}
	fail := func(code frame.CloseCode) {
		write(&frame.Close{Code: code})
		finish()
	}
	var (
		inMsg  bool
		binary bool
		msg    []byte
		v      u8.Validator
	)
	for {
		f, err := p.Next()
		if err != nil {
			var fe *frame.Error
			if errors.As(err, &fe) {
				fail(fe.Code)
			}
			return
		}
		var payload []byte
		var fin, data bool
		switch f := f.(type) {
		case *frame.Text:
			if inMsg {
				fail(frame.CloseProtocolError)
				return
			}
			inMsg, binary, msg, data, fin, payload = true, false, msg[:0], true, f.Fin, f.Payload
			v.Reset()
		case *frame.Binary:
			if inMsg {
				fail(frame.CloseProtocolError)
				return
			}
			inMsg, binary, msg, data, fin, payload = true, true, msg[:0], true, f.Fin, f.Payload
		case *frame.Continuation:
			if !inMsg {
				fail(frame.CloseProtocolError)
				return
			}
			data, fin, payload = true, f.Fin, f.Payload
		case *frame.Ping:
			if write(&frame.Pong{Payload: f.Payload}) != nil {
				return
			}
		case *frame.Pong:
		case *frame.Close:
			code := f.Code
			if code == frame.CloseNoStatus {
				code = 0
			}
			write(&frame.Close{Code: code})
			finish()
			return
		}
		if !data {
			continue
		}
		msg = append(msg, payload...)
		if !binary && !v.Write(payload) {
			fail(frame.CloseInvalidPayload)
			return
		}
		if !fin {
			continue
		}
		inMsg = false
		if !binary && !v.Complete() {
			fail(frame.CloseInvalidPayload)
			return
		}
		var out frame.Frame = &frame.Binary{Fin: true, Payload: msg}
		if !binary {
			out = &frame.Text{Fin: true, Payload: msg}
		}
		if write(out) != nil {
			return
		}
	}
}

// laxEcho echoes every data frame as it comes, checks nothing, answers close
// frames with 1000 and never closes first: a broken peer.
func laxEcho(conn net.Conn, br *bufio.Reader) {
	p := parser.New(br, parser.AllowIllegal(), parser.MaxPayload(64<<20))
	for {
		f, err := p.Next()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *frame.Text:
			frame.Write(conn, &frame.Text{Fin: f.Fin, Payload: f.Payload})
		case *frame.Binary:
			frame.Write(conn, &frame.Binary{Fin: f.Fin, Payload: f.Payload})
		case *frame.Continuation:
			frame.Write(conn, &frame.Continuation{Fin: f.Fin, Payload: f.Payload})
		case *frame.Ping:
			frame.Write(conn, &frame.Pong{Payload: f.Payload})
		case *frame.Close:
			frame.Write(conn, &frame.Close{Code: frame.CloseNormal})
			return
		case *frame.Raw:
			// An illegal close frame (too long, fragmented, RSV bits)
			// decodes as Raw; the broken peer answers it all the same.
			if f.Head.Opcode == frame.OpClose {
				frame.Write(conn, &frame.Close{Code: frame.CloseNormal})
				return
			}
		}
	}
}
