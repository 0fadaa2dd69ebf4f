package endpoint

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/wskit/wskit/frame"
)

// TestLimitConventions: for every limit, 0 means the default and a
// negative value no limit.
func TestLimitConventions(t *testing.T) {
	big := strings.Repeat("x", DefaultMaxMessage+1)
	for _, tc := range []struct {
		name string
		opts []Option
		ok   bool
	}{
		{"MaxMessage(0) is the default", []Option{MaxMessage(0)}, false},
		{"MaxMessage(-1) is no limit", []Option{MaxMessage(-1)}, true},
		{"MaxMessage(-1) with fragments", []Option{MaxMessage(-1), MaxFragments(-1)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := enc(t, frame.Client, bin(false, big[:len(big)/2]), cont(true, big[len(big)/2:]))
			e := New(frame.Server, bytes.NewReader(in), io.Discard, tc.opts...)
			m, err := e.NextMessage()
			if tc.ok && (err != nil || len(m.Data) != len(big)) {
				t.Errorf("NextMessage = %d bytes, %v; want the whole message", len(m.Data), err)
			}
			if !tc.ok && !errors.Is(err, frame.ErrMessageTooBig) && !errors.Is(err, frame.ErrFrameTooBig) {
				t.Errorf("NextMessage = %v, want a message over the limit", err)
			}
		})
	}
	t.Run("MaxPings(-1) never gives up", func(t *testing.T) {
		e := New(frame.Server, bytes.NewReader(nil), io.Discard, MaxPings(-1))
		for range 1000 {
			if err := e.Heartbeat(); err != nil {
				t.Fatalf("Heartbeat after %d unanswered pings: %v", e.Outstanding(), err)
			}
		}
	})
	t.Run("MaxPings(0) is the default", func(t *testing.T) {
		e := New(frame.Server, bytes.NewReader(nil), io.Discard, MaxPings(0))
		var err error
		for i := 0; i <= DefaultMaxPings && err == nil; i++ {
			err = e.Heartbeat()
		}
		if !errors.Is(err, ErrNoPong) {
			t.Fatalf("Heartbeat after %d unanswered pings = %v, want ErrNoPong", DefaultMaxPings, err)
		}
	})
}

// TestImpossibleOption: an Endpoint made with an impossible option fails
// every read and every send with it.
func TestImpossibleOption(t *testing.T) {
	for _, e := range []*Endpoint{
		New(frame.Server, bytes.NewReader(nil), io.Discard, FrameSize(-1)),
		NewPush(frame.Server, io.Discard, FrameSize(-1)),
	} {
		if err := e.WriteMessage(frame.OpText, []byte("x")); !errors.Is(err, ErrConfig) {
			t.Errorf("WriteMessage = %v, want ErrConfig", err)
		}
		if _, err := e.NextWriter(frame.OpText); !errors.Is(err, ErrConfig) {
			t.Errorf("NextWriter = %v, want ErrConfig", err)
		}
		if err := e.Ping(nil); !errors.Is(err, ErrConfig) {
			t.Errorf("Ping = %v, want ErrConfig", err)
		}
		var err error
		if e.push != nil {
			err = e.Feed(nil, func(Message) error { return nil })
		} else {
			_, err = e.NextMessage()
		}
		if !errors.Is(err, ErrConfig) {
			t.Errorf("reading = %v, want ErrConfig", err)
		}
	}
}

// TestCloseCodeOf: one function gives the close code of any error the
// Endpoint returns.
func TestCloseCodeOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want frame.CloseCode
	}{
		{nil, frame.CloseNormal},
		{frame.ErrInvalidUTF8, frame.CloseInvalidPayload},
		{&CloseError{Code: frame.CloseGoingAway, Remote: true}, frame.CloseGoingAway},
		{&CloseError{Code: frame.CloseAbnormal, Remote: true, Err: io.EOF}, frame.CloseAbnormal},
		{&CloseError{Code: frame.ClosePolicyViolation, Err: ErrNoPong}, frame.ClosePolicyViolation},
		{ErrCloseTimeout, frame.CloseInternalError},
	} {
		if got := frame.CloseCodeOf(tc.err); got != tc.want {
			t.Errorf("CloseCodeOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
