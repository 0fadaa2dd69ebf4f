package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/wskit/wskit/handshake/server"
)

// pipeWriter is a ResponseWriter whose Hijack hands over one end of a
// pipe, so that the test decides when the 101 can be written.
type pipeWriter struct {
	*httptest.ResponseRecorder
	conn     net.Conn
	hijacked bool
}

func (p *pipeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	p.hijacked = true
	return p.conn, bufio.NewReadWriter(bufio.NewReader(p.conn), bufio.NewWriter(p.conn)), nil
}

// TestUpgradeContext runs Upgrade under request contexts that end before
// it, during the write of the 101 (which the client does not read), or
// not at all, and checks that an upgraded connection has no deadline left.
func TestUpgradeContext(t *testing.T) {
	for _, tt := range []struct {
		name       string
		ctx        func() (context.Context, context.CancelFunc)
		readsReply bool // the client reads the 101
		wantErr    error
		wantStatus int // answered through the ResponseWriter, 0 if hijacked
	}{
		{"background", func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, true, nil, 0},
		{"deadline, met", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
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
			w := &pipeWriter{ResponseRecorder: httptest.NewRecorder(), conn: sconn}
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
			// No deadline is left on the connection: data sent once the
			// context's deadline has passed is read.
			if _, ok := ctx.Deadline(); ok {
				<-ctx.Done()
			}
			go cconn.Write([]byte("x"))
			if _, err := io.ReadFull(up.Reader, make([]byte, 1)); err != nil {
				t.Errorf("read after Upgrade: %v (timeout: %v)", err, errors.Is(err, os.ErrDeadlineExceeded))
			}
		})
	}
}
