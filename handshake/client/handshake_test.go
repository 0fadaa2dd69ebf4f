package client_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"sync"
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

// deadlines is a connection that records the deadlines set on it.
type deadlines struct {
	net.Conn
	mu  sync.Mutex
	set []time.Time
}

func (d *deadlines) SetDeadline(t time.Time) error {
	d.mu.Lock()
	d.set = append(d.set, t)
	d.mu.Unlock()
	return d.Conn.SetDeadline(t)
}

// TestHandshakeContext runs handshakes against a server that answers at
// once, late or never, under contexts that end them or not, and checks
// the deadlines set on the connection: the context's while the handshake
// runs, one in the past to end it when the context is cancelled, none once
// it has returned.
func TestHandshakeContext(t *testing.T) {
	never := time.Now().Add(time.Hour)
	past := time.Unix(1, 0)
	for _, tt := range []struct {
		name      string
		delay     time.Duration // before the server answers; < 0: never
		ctx       func() (context.Context, context.CancelFunc)
		wantErr   error
		cancelled bool // while the handshake waits
		before    bool // before the handshake starts
	}{
		{name: "background", ctx: func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }},
		{name: "cancellable", ctx: func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
		{name: "within the deadline", ctx: func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), never)
		}},
		{name: "deadline passes", delay: -1, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 30*time.Millisecond)
		}, wantErr: context.DeadlineExceeded},
		{name: "answer after the deadline", delay: 200 * time.Millisecond, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 30*time.Millisecond)
		}, wantErr: context.DeadlineExceeded},
		{name: "cancelled while waiting", delay: -1, ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(30*time.Millisecond, cancel)
			return ctx, cancel
		}, wantErr: context.Canceled, cancelled: true},
		{name: "cancelled before", ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, wantErr: context.Canceled, before: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, s := net.Pipe()
			defer c.Close()
			defer s.Close()
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
				s.Write(res.AppendResponse(nil))
			}()
			req, err := client.NewRequest("ws://example.com/", nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			conn := &deadlines{Conn: c}
			_, _, err = req.Handshake(ctx, conn)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Handshake error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !tt.before && !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("error %v does not keep the I/O error", err)
			}
			conn.mu.Lock()
			defer conn.mu.Unlock()
			// A context that expires may also end the I/O through the
			// past deadline, if its timer fires first; only a cancelled
			// one must.
			sawPast := slices.Contains(conn.set, past)
			got := slices.DeleteFunc(slices.Clone(conn.set), func(d time.Time) bool { return d.Equal(past) })
			if tt.cancelled && !sawPast {
				t.Errorf("deadlines set %v: the cancellation set none in the past", conn.set)
			}
			var want []time.Time
			if d, ok := ctx.Deadline(); ok && !tt.before {
				want = append(want, d)
			}
			if ctx.Done() != nil && !tt.before {
				want = append(want, time.Time{}) // cleared on return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("deadlines set, but for the past one (-want +got):\n%s", diff)
			}
		})
	}
}
