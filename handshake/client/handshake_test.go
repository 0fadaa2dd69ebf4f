package client_test

import (
	"bufio"
	"errors"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
)

func TestHandshake(t *testing.T) {
	frames := []byte{0x81, 0x02, 'h', 'i'} // a frame the server sends right behind its 101
	tests := []struct {
		name         string
		cfg          server.Config
		wantLeftover []byte
		wantErr      error
	}{
		{name: "accepted", cfg: server.Config{Protocols: []string{"chat"}}, wantLeftover: frames},
		{name: "refused", cfg: server.Config{OriginPatterns: []string{"nothing.example"}}, wantErr: handshake.ErrBadStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := net.Pipe()
			defer c.Close()
			go func() {
				defer s.Close()
				req, err := server.ReadRequest(bufio.NewReader(s), handshake.Limits{})
				if err != nil {
					return
				}
				res, err := tt.cfg.Accept(req)
				if err != nil {
					err.(*server.Error).WriteTo(s)
					return
				}
				s.Write(append(res.AppendResponse(nil), frames...))
			}()
			req, err := client.NewRequest("ws://example.com/chat", &client.Config{
				Protocols: []string{"chat"}, Origin: "http://elsewhere.example",
			})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantErr == nil {
				req.Header.Del("Origin")
			}
			res, leftover, err := req.Handshake(c)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Handshake error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if res.Protocol != "chat" {
				t.Errorf("Protocol = %q, want chat", res.Protocol)
			}
			if diff := cmp.Diff(tt.wantLeftover, leftover); diff != "" {
				t.Errorf("leftover mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
