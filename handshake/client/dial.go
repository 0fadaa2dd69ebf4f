package client

import (
	"context"
	"crypto/tls"
	"io"
	"net"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/internal/seam"
	"github.com/wskit/wskit/parser"
)

// Dialed is a connection Dial opened, with its handshake done.
type Dialed struct {
	// Result is what the handshake agreed on.
	Result *Result
	// Conn is the connection: TCP, or TLS over it for wss.
	Conn net.Conn

	leftover []byte
}

// Dial opens a WebSocket to rawURL (ws or wss) and performs the opening
// handshake under ctx: it connects to the URL's host and port (80 for ws,
// 443 for wss by default) with cfg.NetDial or a net.Dialer, runs TLS for
// wss (cfg.TLSConfig), sends the request cfg describes and verifies the
// response. Endpoint then makes the Endpoint; Close closes the connection.
// A nil cfg is the zero Config.
func Dial(ctx context.Context, rawURL string, cfg *Config) (*Dialed, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	req, err := NewRequest(rawURL, cfg)
	if err != nil {
		return nil, err
	}
	port := req.URL.Port()
	if port == "" {
		port = "80"
		if req.URL.Scheme == "wss" {
			port = "443"
		}
	}
	addr := net.JoinHostPort(req.URL.Hostname(), port)
	dial := cfg.NetDial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if req.URL.Scheme == "wss" {
		tc := cfg.TLSConfig.Clone()
		if tc == nil {
			tc = &tls.Config{}
		}
		if tc.ServerName == "" {
			tc.ServerName = req.URL.Hostname()
		}
		t := tls.Client(conn, tc)
		if err := t.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		conn = t
	}
	res, leftover, err := req.Handshake(ctx, conn)
	if err == nil {
		err = seam.Check(res.Extensions)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &Dialed{Result: res, Conn: conn, leftover: leftover}, nil
}

// Endpoint returns the connection's Endpoint, ready to use: a client
// Endpoint that reads the server's frames from the first byte the
// handshake left unread, writes to the connection, takes its deadlines
// from it, and applies the agreed extensions. opts come after those.
func (d *Dialed) Endpoint(opts ...endpoint.Option) *endpoint.Endpoint {
	ep := newEndpoint(d.Conn, d.Result, d.leftover, opts)
	d.leftover = nil
	return ep
}

// Close closes the connection. Close the Endpoint first (its Close runs
// the closing handshake). It first lets the agreed extensions give back
// what they hold for sending (a permessage-deflate compressor of the
// Leased class goes back to its pool).
func (d *Dialed) Close() error {
	if d.Result != nil {
		seam.CloseSend(d.Result.Extensions)
	}
	return d.Conn.Close()
}

// Endpoint performs the handshake over conn, a connection the caller
// opened, as Handshake does, and returns the client Endpoint that carries
// on over it, with the bytes read past the response and the agreed
// extensions, and the Result. It fails with handshake.ErrExtensionUnusable
// if an agreed extension cannot code messages. conn stays the caller's to
// close.
func (r *Request) Endpoint(ctx context.Context, conn io.ReadWriter, opts ...endpoint.Option) (*endpoint.Endpoint, *Result, error) {
	res, leftover, err := r.Handshake(ctx, conn)
	if err != nil {
		return nil, nil, err
	}
	if err := seam.Check(res.Extensions); err != nil {
		return nil, nil, err
	}
	return newEndpoint(conn, res, leftover, opts), res, nil
}

func newEndpoint(conn io.ReadWriter, res *Result, leftover []byte, opts []endpoint.Option) *endpoint.Endpoint {
	all := seam.Options(res.Extensions)
	if len(leftover) > 0 {
		all = append(all, endpoint.ParserOptions(parser.Leftover(leftover)))
	}
	return endpoint.New(frame.Client, conn, conn, append(all, opts...)...)
}
