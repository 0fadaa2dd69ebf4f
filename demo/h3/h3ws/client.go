package h3ws

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/client"
)

// ErrNoExtendedConnect is returned when the server's SETTINGS did not
// enable Extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 9220
// section 3): a client must not send :protocol then.
var ErrNoExtendedConnect = errors.New("h3ws: the server did not enable Extended CONNECT")

// Dialer opens QUIC connections for Dial.
type Dialer struct {
	// TLS is the TLS configuration; "h3" is added to its NextProtos.
	// Nil verifies the server against the system's roots.
	TLS *tls.Config
	// QUIC is quic-go's configuration; nil takes its defaults.
	QUIC *quic.Config
}

// Dial opens a QUIC connection to the host of rawURL (wss:// or
// https://), then a WebSocket on one request stream of it (see
// [DialConn]). Closing the returned Conn does not close the QUIC
// connection: the caller closes the returned *quic.Conn when done.
func (d *Dialer) Dial(ctx context.Context, rawURL string, cfg *client.Config, opts ...endpoint.Option) (*Conn, *quic.Conn, error) {
	req, err := client.NewRequest(rawURL, cfg)
	if err != nil {
		return nil, nil, err
	}
	var tc *tls.Config
	if d != nil && d.TLS != nil {
		tc = d.TLS.Clone()
	} else {
		tc = &tls.Config{}
	}
	tc.NextProtos = []string{http3.NextProtoH3}
	var qc *quic.Config
	if d != nil {
		qc = d.QUIC
	}
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr += ":443"
	}
	qconn, err := quic.DialAddr(ctx, addr, tc, qc)
	if err != nil {
		return nil, nil, err
	}
	cc := (&http3.Transport{}).NewClientConn(qconn)
	c, err := openStream(ctx, cc, req, opts...)
	if err != nil {
		qconn.CloseWithError(quic.ApplicationErrorCode(http3.ErrCodeNoError), "")
		return nil, nil, err
	}
	return c, qconn, nil
}

// DialConn opens a WebSocket to rawURL on a new request stream of cc, an
// HTTP/3 connection to the URL's server: it waits for the server's
// SETTINGS, sends the Extended CONNECT of
// handshake/client.Request.HTTP3Request, reads the response and checks it
// with VerifyHTTP3. Many WebSockets may share one connection, one per
// stream.
func DialConn(ctx context.Context, cc *http3.ClientConn, rawURL string, cfg *client.Config, opts ...endpoint.Option) (*Conn, error) {
	req, err := client.NewRequest(rawURL, cfg)
	if err != nil {
		return nil, err
	}
	return openStream(ctx, cc, req, opts...)
}

func openStream(ctx context.Context, cc *http3.ClientConn, req *client.Request, opts ...endpoint.Option) (*Conn, error) {
	select {
	case <-cc.ReceivedSettings():
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !cc.Settings().EnableExtendedConnect {
		return nil, ErrNoExtendedConnect
	}
	str, err := cc.OpenRequestStream(ctx)
	if err != nil {
		return nil, err
	}
	// A reset stream returns the stream's errors to every call; the
	// context bounds the wait for the response.
	stop := context.AfterFunc(ctx, func() {
		str.CancelRead(codeCancelled)
		str.CancelWrite(codeCancelled)
	})
	defer stop()
	fail := func(err error) (*Conn, error) {
		str.CancelRead(codeCancelled)
		str.CancelWrite(codeCancelled)
		return nil, err
	}
	if err := str.SendRequestHeader(req.HTTP3Request(ctx)); err != nil {
		return fail(fmt.Errorf("h3ws: sending the request: %w", err))
	}
	resp, err := str.ReadResponse()
	if err != nil {
		return fail(fmt.Errorf("h3ws: reading the response: %w", err))
	}
	res, err := req.VerifyHTTP3(resp)
	if err != nil {
		return fail(err)
	}
	if !stop() {
		return fail(ctx.Err())
	}
	return newConn(frame.Client, str, res.Protocol, res.Extensions, opts), nil
}
