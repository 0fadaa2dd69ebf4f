package main

import (
	"bytes"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/handshake/server"
)

// TestClient: the command sends its input's lines over HTTP/3 and prints
// the echoes; without -insecure it refuses the self-signed certificate.
func TestClient(t *testing.T) {
	cert, _, err := h3ws.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &server.Config{Protocols: []string{"chat"}}
	srv := &http3.Server{
		TLSConfig: http3.ConfigureTLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}}),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := h3ws.Accept(cfg, w, r)
			if err != nil {
				return
			}
			for {
				m, err := c.NextMessage()
				if err != nil {
					return
				}
				c.WriteMessage(m.Type, m.Data)
			}
		}),
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(pc)
	defer srv.Close()
	url := "wss://" + pc.LocalAddr().String() + "/echo"

	for _, tt := range []struct {
		name    string
		args    []string
		wantOut string
		wantErr string
	}{
		{name: "insecure", args: []string{"-insecure", "-protocol", "chat", url}, wantOut: "< hello\n< over h3\n"},
		{name: "verified", args: []string{url}, wantErr: "certificate"},
		{name: "no URL", args: []string{"-insecure"}, wantErr: "usage"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			err := run(tt.args, strings.NewReader("hello\nover h3\n"), &out, &errw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, errw.String())
			}
			if diff := cmp.Diff(tt.wantOut, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if !strings.Contains(errw.String(), `subprotocol "chat"`) {
				t.Errorf("stderr %q", errw.String())
			}
		})
	}
}
