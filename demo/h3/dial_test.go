package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"testing"

	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/parser"
)

// startServers serves the demo on a free loopback port until the test
// ends, and returns its address and the pool that trusts its certificate.
func startServers(t testing.TB) (string, *x509.CertPool) {
	t.Helper()
	cert, pool, err := h3ws.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	s, err := listen("127.0.0.1:0", cert, mustConfig(t), log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.serve() }()
	t.Cleanup(func() {
		s.close()
		<-done
	})
	return s.Addr(), pool
}

// wsConn is a client WebSocket of any HTTP version, and what closes it.
type wsConn struct {
	send  func(op frame.Opcode, p []byte) error
	recv  func() (endpoint.Message, error)
	close func() error
}

// dialers open a client WebSocket to the demo over each HTTP version.
var dialers = map[string]func(ctx context.Context, addr string, pool *x509.CertPool) (*wsConn, error){
	"h1": dialH1, "h2": dialH2, "h3": dialH3,
}

func dialH1(ctx context.Context, addr string, pool *x509.CertPool) (*wsConn, error) {
	conn, err := (&tls.Dialer{Config: &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}}}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	req, err := client.NewRequest("wss://"+addr+"/echo", nil)
	if err != nil {
		return nil, err
	}
	_, leftover, err := req.Handshake(ctx, conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	ep := endpoint.New(frame.Client, conn, conn, endpoint.ParserOptions(parser.Leftover(leftover)))
	return &wsConn{send: ep.WriteMessage, recv: ep.NextMessage, close: func() error {
		err := ep.Close(frame.CloseNormal, "")
		conn.Close()
		return err
	}}, nil
}

func dialH2(ctx context.Context, addr string, pool *x509.CertPool) (*wsConn, error) {
	conn, err := (&tls.Dialer{Config: &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}}}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: pool}}
	req, err := client.NewRequest("wss://"+addr+"/echo", nil)
	if err != nil {
		return nil, err
	}
	rt, err := client.HTTP2RoundTripper(tr, req.URL.Host, conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	pr, pw := io.Pipe()
	resp, err := rt.RoundTrip(req.HTTP2Request(context.WithoutCancel(ctx), pr))
	if err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := req.VerifyHTTP2(resp); err != nil {
		conn.Close()
		return nil, err
	}
	ep := endpoint.New(frame.Client, resp.Body, pw)
	return &wsConn{send: ep.WriteMessage, recv: ep.NextMessage, close: func() error {
		err := ep.Close(frame.CloseNormal, "")
		pw.Close()
		resp.Body.Close()
		conn.Close()
		return err
	}}, nil
}

func dialH3(ctx context.Context, addr string, pool *x509.CertPool) (*wsConn, error) {
	c, qc, err := (&h3ws.Dialer{TLS: &tls.Config{RootCAs: pool}}).Dial(ctx, "wss://"+addr+"/echo", nil)
	if err != nil {
		return nil, err
	}
	return &wsConn{send: c.WriteMessage, recv: c.NextMessage, close: func() error {
		err := c.Close(frame.CloseNormal, "")
		qc.CloseWithError(0, "")
		return err
	}}, nil
}
