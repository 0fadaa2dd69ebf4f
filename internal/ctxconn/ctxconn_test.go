package ctxconn_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wskit/wskit/internal/ctxconn"
)

// TestWatch blocks a read on a pipe under contexts that end it or not, and
// checks the error done returns and that the deadline is gone afterwards.
func TestWatch(t *testing.T) {
	for _, tt := range []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		send    bool  // the peer writes, so the read succeeds
		wantErr error // nil: the read succeeds
	}{
		{"background, data", func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }, true, nil},
		{"deadline, data", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Minute)
		}, true, nil},
		{"deadline passes", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, false, context.DeadlineExceeded},
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(20*time.Millisecond, cancel)
			return ctx, cancel
		}, false, context.Canceled},
		{"cancelled before", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, false, context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			ctx, cancel := tt.ctx()
			defer cancel()
			if tt.send {
				go b.Write([]byte("x"))
			}
			done := ctxconn.Watch(ctx, a)
			_, err := a.Read(make([]byte, 1))
			err = done(err)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("error = %v, want none", err)
				}
			} else if !errors.Is(err, tt.wantErr) || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("error = %v, want one matching %v and the read's timeout", err, tt.wantErr)
			}
			// The deadline is cleared: a read waits for data again.
			go func() {
				time.Sleep(30 * time.Millisecond)
				b.Write([]byte("y"))
			}()
			if _, err := a.Read(make([]byte, 1)); err != nil {
				t.Errorf("read after done: %v", err)
			}
		})
	}
}

// TestWatchWithoutDeadlines checks a connection without SetDeadline: the
// I/O cannot be ended, but an error after ctx ended is reported as ctx's.
func TestWatchWithoutDeadlines(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := strings.NewReader("")
	done := ctxconn.Watch(ctx, r)
	if err := done(nil); err != nil {
		t.Errorf("done(nil) = %v", err)
	}
	done = ctxconn.Watch(ctx, r)
	if err := done(io.ErrUnexpectedEOF); err != io.ErrUnexpectedEOF {
		t.Errorf("done(err) before cancel = %v", err)
	}
	cancel()
	done = ctxconn.Watch(ctx, r)
	if err := done(io.ErrUnexpectedEOF); !errors.Is(err, context.Canceled) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("done(err) after cancel = %v", err)
	}
}
