package server_test

import (
	"bufio"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
)

// genReader produces a request line, then n header lines from line(i),
// then the empty line, without ever holding more than one line, and counts
// the bytes it hands out.
type genReader struct {
	n     int
	line  func(i int) string
	i     int
	cur   string
	read  int
	state int // 0 request line, 1 headers, 2 end, 3 EOF
}

func (g *genReader) Read(p []byte) (int, error) {
	for g.cur == "" {
		switch g.state {
		case 0:
			g.cur, g.state = "GET /chat HTTP/1.1\r\nHost: example.com\r\n", 1
		case 1:
			if g.i == g.n {
				g.state = 2
				continue
			}
			g.cur = g.line(g.i)
			g.i++
		case 2:
			g.cur, g.state = "\r\n", 3
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, g.cur)
	g.cur = g.cur[n:]
	g.read += n
	return n, nil
}

func TestReadRequestFlood(t *testing.T) {
	longLine := "X-Long: " + strings.Repeat("a", 1<<20) + "\r\n"
	cookie := "Cookie: " + strings.Repeat("c", 50) + "\r\n"
	for _, tt := range []struct {
		name  string
		n     int
		line  func(i int) string
		limit string
	}{
		{"10000 headers", 10000, func(i int) string { return "X-H" + strconv.Itoa(i) + ": v\r\n" }, "header count"},
		{"1 MiB line", 1, func(int) string { return longLine }, "line length"},
		{"1 MiB of short lines", 1 << 20 / 64, func(int) string { return cookie }, "header count"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := &genReader{n: tt.n, line: tt.line}
			br := bufio.NewReaderSize(src, 4096)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			req, err := server.ReadRequest(br, handshake.Limits{})
			runtime.ReadMemStats(&after)
			var e *server.Error
			var le *handshake.LimitError
			if !errors.As(err, &e) || !errors.As(err, &le) {
				t.Fatalf("ReadRequest = %v, %v; want a 431 *server.Error", req, err)
			}
			if e.StatusCode != 431 || le.Limit != tt.limit {
				t.Errorf("status %d, limit %q; want 431, %q", e.StatusCode, le.Limit, tt.limit)
			}
			// The reader stops within the limits plus one buffer.
			if max := handshake.DefaultMaxHeaderBytes + 4096; src.read > max {
				t.Errorf("read %d bytes from the source, want at most %d", src.read, max)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<10 {
				t.Errorf("allocated %d bytes, want at most 256 KiB", alloc)
			}
			t.Logf("read %d bytes, allocated %d bytes", src.read, after.TotalAlloc-before.TotalAlloc)
		})
	}
}

func TestReadRequestKeepsFrames(t *testing.T) {
	const frame = "\x81\x85\x01\x02\x03\x04ig`hn" // masked "hello"
	raw := "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + sampleKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n" + frame
	br := bufio.NewReader(strings.NewReader(raw))
	req, err := server.ReadRequest(br, handshake.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (*server.Config)(nil).Accept(req); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(br)
	if string(rest) != frame {
		t.Errorf("left %q, want %q", rest, frame)
	}
}

func TestReadRequestMalformed(t *testing.T) {
	for _, raw := range []string{"GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n", ""} {
		_, err := server.ReadRequest(bufio.NewReader(strings.NewReader(raw)), handshake.Limits{})
		var e *server.Error
		if !errors.As(err, &e) || e.StatusCode != 400 {
			t.Errorf("ReadRequest(%q) = %v, want 400", raw, err)
		}
	}
}
