package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/pmce"
)

// wsConn is an open WebSocket connection.
type wsConn struct {
	nc         net.Conn
	ep         *endpoint.Endpoint
	res        *client.Result
	record     *os.File
	binaryMode bool
}

// dial connects, performs the opening handshake and builds the Endpoint.
// It dials the connection itself rather than through client.Dial: a
// recording of a wss connection needs the bytes above TLS.
func dial(o options) (*wsConn, error) {
	cfg := &client.Config{Origin: o.origin, Protocols: o.protos, Header: http.Header{}}
	for _, h := range o.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			return nil, fmt.Errorf("-header %q: want 'Name: value'", h)
		}
		cfg.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	if o.deflate {
		ext, err := pmce.New(pmce.Config{})
		if err != nil {
			return nil, err
		}
		cfg.Extensions = []handshake.Extension{ext}
	}
	req, err := client.NewRequest(o.url, cfg)
	if err != nil {
		return nil, err
	}

	// One bound for the dial, TLS and the opening handshake.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nc, err := dialTransport(ctx, o, req)
	if err != nil {
		return nil, err
	}
	c := &wsConn{nc: nc, binaryMode: o.binary}
	var rw io.ReadWriter = nc
	if o.record != "" {
		// The recording starts with the server's response, which
		// demo/dump shows; a refused handshake is recorded too.
		if c.record, err = os.Create(o.record); err != nil {
			nc.Close()
			return nil, err
		}
		rw = &teeConn{Conn: nc, w: c.record}
	}
	if c.ep, c.res, err = req.Endpoint(ctx, rw, endpoint.MaxMessage(o.maxMsg)); err != nil {
		c.close()
		return nil, fmt.Errorf("opening handshake failed: %w", err)
	}
	return c, nil
}

// agreed describes what the handshake agreed on, as
// "protocol=chat extensions=permessage-deflate; server_no_context_takeover":
// the parameters in force, which a client that keeps no compressor between
// messages extends with client_no_context_takeover.
func (c *wsConn) agreed() string {
	var exts []handshake.ExtensionOffer
	for _, n := range c.res.Extensions {
		codec, ok := n.(*pmce.Codec)
		if !ok {
			exts = append(exts, handshake.ExtensionOffer{Name: fmt.Sprintf("%T", n)})
			continue
		}
		p := codec.Params()
		x := handshake.ExtensionOffer{Name: pmce.Name}
		flag := func(on bool, name string) {
			if on {
				x.Params = append(x.Params, handshake.Param{Name: name})
			}
		}
		bits := func(b int, name string) {
			if b < pmce.MaxWindowBits {
				x.Params = append(x.Params, handshake.Param{Name: name, Value: strconv.Itoa(b)})
			}
		}
		flag(p.ServerNoContextTakeover, "server_no_context_takeover")
		flag(p.ClientNoContextTakeover, "client_no_context_takeover")
		bits(p.ServerMaxWindowBits, "server_max_window_bits")
		bits(p.ClientMaxWindowBits, "client_max_window_bits")
		exts = append(exts, x)
	}
	return "protocol=" + orDash(c.res.Protocol) + " extensions=" + orDash(handshake.FormatExtensions(exts))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// dialTransport opens the TCP, TLS or UNIX connection the URL and flags name.
func dialTransport(ctx context.Context, o options, req *client.Request) (net.Conn, error) {
	var d net.Dialer
	var (
		nc  net.Conn
		err error
	)
	if o.unix != "" {
		nc, err = d.DialContext(ctx, "unix", o.unix)
	} else {
		nc, err = d.DialContext(ctx, "tcp", hostPort(req))
	}
	if err != nil {
		return nil, err
	}
	if req.URL.Scheme == "wss" {
		host := req.URL.Hostname()
		tc := tls.Client(nc, &tls.Config{ServerName: host, InsecureSkipVerify: o.insecure, NextProtos: []string{"http/1.1"}})
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, fmt.Errorf("TLS: %w", err)
		}
		nc = tc
	}
	return nc, nil
}

func hostPort(req *client.Request) string {
	if req.URL.Port() != "" {
		return req.URL.Host
	}
	port := "80"
	if req.URL.Scheme == "wss" {
		port = "443"
	}
	return net.JoinHostPort(req.URL.Hostname(), port)
}

func (c *wsConn) close() {
	c.nc.Close()
	if c.record != nil {
		c.record.Close()
	}
}

// echo sends every message back until the connection ends.
func (c *wsConn) echo(stderr io.Writer) int {
	for {
		m, err := c.ep.NextMessage()
		if err != nil {
			return c.ended(err, false, stderr)
		}
		if err := c.ep.WriteMessage(m.Type, m.Data); err != nil {
			return c.ended(err, false, stderr)
		}
	}
}

// ended reports how the connection ended, the close frame the reader got
// being the server's own or, when byClient, its answer to the client's
// 1000; it returns the exit status: 0 for a close with 1000, 1001 or no
// code; 1 otherwise.
func (c *wsConn) ended(err error, byClient bool, stderr io.Writer) int {
	var ce *endpoint.CloseError
	if errors.As(err, &ce) && ce.Code != frame.CloseAbnormal {
		reason := ""
		if ce.Reason != "" {
			reason = " " + fmt.Sprintf("%q", ce.Reason)
		}
		if byClient {
			fmt.Fprintf(stderr, "closed by the client: %v; the server answered %v%s\n", frame.CloseNormal, ce.Code, reason)
		} else {
			fmt.Fprintf(stderr, "closed by the server: %v%s\n", ce.Code, reason)
		}
		switch ce.Code {
		case frame.CloseNormal, frame.CloseGoingAway, frame.CloseNoStatus:
			return 0
		}
		return 1
	}
	fmt.Fprintln(stderr, "client: connection failed:", err)
	return 1
}

// teeConn records what is read from a connection.
type teeConn struct {
	net.Conn
	w io.Writer
}

func (t *teeConn) Read(b []byte) (int, error) {
	n, err := t.Conn.Read(b)
	if n > 0 {
		if _, werr := t.w.Write(b[:n]); werr != nil && err == nil {
			err = werr
		}
	}
	return n, err
}
