package server_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake/server"
)

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

// pipeWriter is a ResponseWriter whose Hijack hands over one end of a
// pipe, so that the test decides when the 101 can be written.
type pipeWriter struct {
	*httptest.ResponseRecorder
	conn     *deadlines
	hijacked bool
}

func (p *pipeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	p.hijacked = true
	return p.conn, bufio.NewReadWriter(bufio.NewReader(p.conn), bufio.NewWriter(p.conn)), nil
}

// TestUpgradeContext runs Upgrade under request contexts that end before
// it, during the write of the 101 (which the client does not read), or
// not at all, and checks that an upgraded connection has the context's
// deadline while the 101 is written and none left afterwards.
func TestUpgradeContext(t *testing.T) {
	for _, tt := range []struct {
		name       string
		ctx        func() (context.Context, context.CancelFunc)
		readsReply bool // the client reads the 101
		wantErr    error
		wantStatus int // answered through the ResponseWriter, 0 if hijacked
	}{
		{"background", func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, true, nil, 0},
		{"cancellable", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, true, nil, 0},
		{"deadline, met", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Hour)
		}, true, nil, 0},
		{"ended before", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, true, context.Canceled, 503},
		{"deadline passes during the write", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 30*time.Millisecond)
		}, false, context.DeadlineExceeded, 0},
		{"cancelled during the write", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(30*time.Millisecond, cancel)
			return ctx, cancel
		}, false, context.Canceled, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sconn, cconn := net.Pipe()
			defer sconn.Close()
			defer cconn.Close()
			w := &pipeWriter{ResponseRecorder: httptest.NewRecorder(), conn: &deadlines{Conn: sconn}}
			ctx, cancel := tt.ctx()
			defer cancel()
			r := baseRequest().WithContext(ctx)
			replied := make(chan error, 1)
			if tt.readsReply {
				go func() {
					_, err := http.ReadResponse(bufio.NewReader(cconn), nil)
					replied <- err
				}()
			}
			up, err := (&server.Config{}).Upgrade(w, r)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Upgrade error = %v, want %v", err, tt.wantErr)
				}
				if tt.wantStatus != 0 && (w.Code != tt.wantStatus || w.hijacked) {
					t.Errorf("answered %d, hijacked %v; want %d, not hijacked", w.Code, w.hijacked, tt.wantStatus)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := <-replied; err != nil {
				t.Fatalf("client reading the 101: %v", err)
			}
			var want []time.Time
			if d, ok := ctx.Deadline(); ok {
				want = append(want, d)
			}
			if ctx.Done() != nil {
				want = append(want, time.Time{}) // cleared on return
			}
			w.conn.mu.Lock()
			defer w.conn.mu.Unlock()
			if diff := cmp.Diff(want, w.conn.set); diff != "" {
				t.Errorf("deadlines set (-want +got):\n%s", diff)
			}
			if up.Conn != net.Conn(w.conn) {
				t.Errorf("Upgraded.Conn is %T, not the hijacked connection", up.Conn)
			}
		})
	}
}
