package h3ws_test

import (
	"context"
	"crypto/tls"
	"errors"
	"testing"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/demo/h3/h3ws"
)

// TestDialNeedsExtendedConnect: a client sends :protocol only to a server
// whose SETTINGS enabled Extended CONNECT (RFC 8441 §3, RFC 9220 §3). The
// server here is QUIC with a bare HTTP/3 control stream whose SETTINGS
// frame is empty, which quic-go's http3.Server cannot be made to send; the
// dial fails with ErrNoExtendedConnect and opens no request stream.
func TestDialNeedsExtendedConnect(t *testing.T) {
	cert, pool, err := h3ws.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := quic.ListenAddr("127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{http3.NextProtoH3}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	opened := make(chan bool, 1)
	go func() {
		conn, err := ln.Accept(context.Background())
		if err != nil {
			return
		}
		ctrl, err := conn.OpenUniStream()
		if err != nil {
			return
		}
		// Stream type 0x00 (control), then SETTINGS (type 0x04) of length 0.
		ctrl.Write([]byte{0x00, 0x04, 0x00})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err = conn.AcceptStream(ctx)
		opened <- err == nil
		conn.CloseWithError(0, "")
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err = (&h3ws.Dialer{TLS: &tls.Config{RootCAs: pool}}).Dial(ctx, "wss://"+ln.Addr().String()+"/", nil)
	if !errors.Is(err, h3ws.ErrNoExtendedConnect) {
		t.Fatalf("Dial: %v, want ErrNoExtendedConnect", err)
	}
	if <-opened {
		t.Error("the client opened a request stream")
	}
}
