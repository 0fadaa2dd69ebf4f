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
	"strings"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

// wsConn is an open WebSocket connection.
type wsConn struct {
	nc         net.Conn
	ep         *endpoint.Endpoint
	proto      string
	record     *os.File
	binaryMode bool
	codecs     []*pmce.Codec
}

// dial connects, performs the opening handshake and builds the Endpoint.
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
	res, leftover, err := req.Handshake(ctx, nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("opening handshake failed: %w", err)
	}

	c := &wsConn{nc: nc, proto: res.Protocol, binaryMode: o.binary}
	// Bytes the server sent right behind its response are the stream's first.
	var rd io.Reader = nc
	if o.record != "" {
		if c.record, err = os.Create(o.record); err != nil {
			nc.Close()
			return nil, err
		}
		if _, err := c.record.Write(leftover); err != nil {
			c.close()
			return nil, err
		}
		rd = &teeConn{Conn: nc, w: c.record}
	}
	opts := []endpoint.Option{
		endpoint.MaxMessage(o.maxMsg),
		endpoint.ParserOptions(parser.Leftover(leftover)),
	}
	for _, n := range res.Extensions {
		if codec, ok := n.(*pmce.Codec); ok {
			c.codecs = append(c.codecs, codec)
			opts = append(opts, endpoint.Extensions(codec))
		}
	}
	c.ep = endpoint.New(frame.Client, rd, nc, opts...)
	return c, nil
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
	for _, codec := range c.codecs {
		codec.Release()
	}
}

// echo sends every message back until the connection ends.
func (c *wsConn) echo(stderr io.Writer) int {
	for {
		m, err := c.ep.NextMessage()
		if err != nil {
			return c.ended(err, stderr)
		}
		if err := c.ep.WriteMessage(m.Type, m.Data); err != nil {
			return c.ended(err, stderr)
		}
	}
}

// ended reports how the connection ended and returns the exit status: 0 for
// a close with 1000, 1001 or no code; 1 otherwise.
func (c *wsConn) ended(err error, stderr io.Writer) int {
	var ce *endpoint.CloseError
	if errors.As(err, &ce) && ce.Code != frame.CloseAbnormal {
		reason := ""
		if ce.Reason != "" {
			reason = " " + fmt.Sprintf("%q", ce.Reason)
		}
		fmt.Fprintf(stderr, "closed by the server: %v%s\n", ce.Code, reason)
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
