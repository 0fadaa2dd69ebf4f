package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/client"
)

// BenchmarkEcho measures 1 KiB echo round trips to the demo server on
// loopback, over TLS in each HTTP version: HTTP/1.1 (one TCP connection
// per WebSocket), HTTP/2 (RFC 8441, WebSockets as streams of one TCP
// connection) and HTTP/3 (RFC 9220, streams of one QUIC connection), with
// 1 and 64 WebSockets at once. rt/s is round trips per second, all
// WebSockets together.
func BenchmarkEcho(b *testing.B) {
	addr, pool := startServers(b)
	msg := bytes.Repeat([]byte("x"), 1024)
	for _, proto := range []string{"h1", "h2", "h3"} {
		for _, n := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/conc=%d", proto, n), func(b *testing.B) {
				conns, closeAll := openMany(b, proto, addr, pool, n)
				defer closeAll()
				var next atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, n)
				b.SetBytes(int64(len(msg)))
				b.ReportAllocs()
				b.ResetTimer()
				for _, c := range conns {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= int64(b.N) {
							if err := c.send(frame.OpBinary, msg); err != nil {
								errs <- err
								return
							}
							m, err := c.recv()
							if err != nil {
								errs <- err
								return
							}
							if len(m.Data) != len(msg) {
								errs <- fmt.Errorf("echo of %d bytes", len(m.Data))
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
			})
		}
	}
}

// openMany opens n client WebSockets over proto.
func openMany(b *testing.B, proto, addr string, pool *x509.CertPool, n int) ([]*wsConn, func()) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var conns []*wsConn
	var closers []func()
	closeAll := func() {
		for _, c := range conns {
			c.close()
		}
		for _, f := range closers {
			f()
		}
	}
	switch proto {
	case "h1":
		for i := 0; i < n; i++ {
			c, err := dialH1(ctx, addr, pool)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
		}
	case "h2":
		conn, err := (&tls.Dialer{Config: &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}}}).DialContext(ctx, "tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		closers = append(closers, func() { conn.Close() })
		tr := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: pool}}
		rt, err := client.HTTP2RoundTripper(tr, addr, conn)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			c, err := openH2Stream(rt, addr)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
		}
	case "h3":
		qc, err := quic.DialAddr(ctx, addr, &tls.Config{RootCAs: pool, NextProtos: []string{http3.NextProtoH3}}, nil)
		if err != nil {
			b.Fatal(err)
		}
		closers = append(closers, func() { qc.CloseWithError(0, "") })
		cc := (&http3.Transport{}).NewClientConn(qc)
		for i := 0; i < n; i++ {
			c, err := h3ws.DialConn(ctx, cc, "wss://"+addr+"/echo", nil)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, &wsConn{send: c.WriteMessage, recv: c.NextMessage, close: func() error {
				return c.Close(frame.CloseNormal, "")
			}})
		}
	}
	return conns, closeAll
}

// openH2Stream opens a WebSocket on a new stream of an HTTP/2 connection.
func openH2Stream(rt http.RoundTripper, addr string) (*wsConn, error) {
	req, err := client.NewRequest("wss://"+addr+"/echo", nil)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	resp, err := rt.RoundTrip(req.HTTP2Request(context.Background(), pr))
	if err != nil {
		return nil, err
	}
	if _, err := req.VerifyHTTP2(resp); err != nil {
		return nil, err
	}
	ep := endpoint.New(frame.Client, resp.Body, pw)
	return &wsConn{send: ep.WriteMessage, recv: ep.NextMessage, close: func() error {
		err := ep.Close(frame.CloseNormal, "")
		pw.Close()
		resp.Body.Close()
		return err
	}}, nil
}
