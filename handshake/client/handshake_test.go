package client_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

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
			res, leftover, err := req.Handshake(context.Background(), c)
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

// TestHandshakeContext runs handshakes against a server that answers at
// once, late or never, under contexts that end them or not, and checks
// that a handshake that returns leaves the connection without deadline.
func TestHandshakeContext(t *testing.T) {
	const frame = "\x81\x02hi"
	for _, tt := range []struct {
		name    string
		delay   time.Duration // before the server answers; < 0: never
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
	}{
		{"no deadline", 0, func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, nil},
		{"within the deadline", 0, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		}, nil},
		{"deadline passes", -1, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 30*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancelled while waiting", -1, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(30*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"cancelled before", 0, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
		{"answer after the deadline", 200 * time.Millisecond, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 30*time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, s := net.Pipe()
			defer c.Close()
			defer s.Close()
			sendFrame := make(chan struct{})
			go func() {
				req, err := server.ReadRequest(bufio.NewReader(s), handshake.Limits{})
				if err != nil {
					return
				}
				res, err := (&server.Config{}).Accept(req)
				if err != nil || tt.delay < 0 {
					return
				}
				time.Sleep(tt.delay)
				if _, err := s.Write(res.AppendResponse(nil)); err != nil {
					return
				}
				<-sendFrame
				s.Write([]byte(frame))
			}()
			req, err := client.NewRequest("ws://example.com/", nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			_, _, err = req.Handshake(ctx, c)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Handshake error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The deadline went with the handshake: a frame sent once
			// the context's deadline has passed is read.
			if _, ok := ctx.Deadline(); ok {
				<-ctx.Done()
			}
			close(sendFrame)
			got := make([]byte, len(frame))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != frame {
				t.Errorf("read after the handshake: %q, %v (timeout: %v)", got, err, errors.Is(err, os.ErrDeadlineExceeded))
			}
		})
	}
}
