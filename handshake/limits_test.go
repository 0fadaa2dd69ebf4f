package handshake_test

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
)

func TestCheckHeader(t *testing.T) {
	small := handshake.Limits{MaxHeaders: 3, MaxLineBytes: 20, MaxHeaderBytes: 40}
	for _, tt := range []struct {
		name string
		l    handshake.Limits
		h    http.Header
		want *handshake.LimitError
	}{
		{"ok", small, http.Header{"A": {"1", "2"}, "B": {"3"}}, nil},
		{"count", small, http.Header{"A": {"1", "2"}, "B": {"3", "4"}}, &handshake.LimitError{Limit: "header count", Max: 3}},
		{"line", small, http.Header{"A": {strings.Repeat("x", 18)}}, &handshake.LimitError{Limit: "line length", Max: 20}},
		{"bytes", small, http.Header{"A": {strings.Repeat("x", 17)}, "B": {strings.Repeat("x", 17)}}, &handshake.LimitError{Limit: "header bytes", Max: 40}},
		{"defaults", handshake.Limits{}, http.Header{"A": make([]string, handshake.DefaultMaxHeaders+1)}, &handshake.LimitError{Limit: "header count", Max: handshake.DefaultMaxHeaders}},
		{"unlimited", handshake.Limits{MaxHeaders: -1}, http.Header{"A": make([]string, handshake.DefaultMaxHeaders+1)}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.CheckHeader(tt.h)
			var got *handshake.LimitError
			if err != nil && (!errors.As(err, &got) || !errors.Is(err, handshake.ErrHeaderLimit)) {
				t.Fatalf("error %v is not a LimitError", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestHeaderReaderStopsAtEnd(t *testing.T) {
	for _, head := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\nHost: x\n\n",
		"GET / HTTP/1.1\r\n\r\n",
	} {
		const rest = "\x81\x85FRAME\r\n\r\nmore"
		br := bufio.NewReader(strings.NewReader(head + rest))
		hr := handshake.NewHeaderReader(br, handshake.Limits{})
		got, err := io.ReadAll(io.LimitReader(hr, int64(len(head))))
		if err != nil || string(got) != head || !hr.Done() {
			t.Errorf("read %q, %v, done %v; want %q", got, err, hr.Done(), head)
		}
		after, _ := io.ReadAll(br)
		if string(after) != rest {
			t.Errorf("left %q, want %q", after, rest)
		}
	}
}

func TestHeaderReaderSmallReads(t *testing.T) {
	const head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	br := bufio.NewReader(strings.NewReader(head + "tail"))
	hr := handshake.NewHeaderReader(br, handshake.Limits{})
	var got []byte
	var b [1]byte
	for !hr.Done() {
		n, err := hr.Read(b[:])
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b[:n]...)
	}
	if string(got) != head {
		t.Errorf("read %q, want %q", got, head)
	}
	// After the header block, reads pass through.
	rest, _ := io.ReadAll(hr)
	if string(rest) != "tail" {
		t.Errorf("pass-through read %q", rest)
	}
}

func TestHeaderReaderLimits(t *testing.T) {
	l := handshake.Limits{MaxHeaders: 2, MaxLineBytes: 16, MaxHeaderBytes: 48}
	for _, tt := range []struct {
		in   string
		want *handshake.LimitError
	}{
		{"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", nil},
		{"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &handshake.LimitError{Limit: "header count", Max: 2}},
		{"GET / HTTP/1.1\r\nA: 0123456789abc\r\n\r\n", nil},
		{"GET / HTTP/1.1\r\nA: 0123456789abcd\r\n\r\n", &handshake.LimitError{Limit: "line length", Max: 16}},
		{"GET /0123456789abcdef HTTP/1.1\r\n\r\n", &handshake.LimitError{Limit: "line length", Max: 16}},
		{"GET / HTTP/1.1\r\nA: 0123456789\r\nB: 01234567890\r\n\r\n", &handshake.LimitError{Limit: "header bytes", Max: 48}},
	} {
		hr := handshake.NewHeaderReader(bufio.NewReader(strings.NewReader(tt.in)), l)
		_, err := io.ReadAll(hr)
		var got *handshake.LimitError
		if err != nil && !errors.As(err, &got) {
			t.Errorf("%q: error %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
		if (tt.want != nil) != (hr.Err() != nil) {
			t.Errorf("%q: Err() = %v", tt.in, hr.Err())
		}
	}
}
