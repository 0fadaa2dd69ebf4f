//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/wskit/wskit/frame"
)

// TestIdleMemory opens connections from raw sockets (no Go objects on the
// client side), has each echo one 1 KiB message, then measures the server's
// live heap and goroutine stacks per idle connection: at most 1 KiB without
// permessage-deflate, and with it (no context takeover) at most 1.5 KiB: no
// compressor, decompressor or window, only the agreed parameters (the
// pmce.Codec) and a small output buffer, where a flate writer alone is
// hundreds of KiB and a window 32 KiB.
func TestIdleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens thousands of connections")
	}
	// 4,000 by default; WSKIT_IDLE_CONNS=10000 for the documented run.
	n := 4000
	if v, err := strconv.Atoi(os.Getenv("WSKIT_IDLE_CONNS")); err == nil && v > 0 {
		n = v
	}
	raiseNoFile()
	// Two descriptors a connection (client and server side): stay within
	// the open-file limit of the machine.
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && uint64(2*n+200) > lim.Cur {
		n = int(lim.Cur-200) / 2
		t.Logf("open-file limit %d: %d connections", lim.Cur, n)
	}
	if n < 500 {
		t.Fatalf("the open-file limit allows only %d connections", n)
	}
	for _, tc := range []struct {
		deflate bool
		limit   float64
	}{{false, 1024}, {true, 1536}} {
		t.Run(fmt.Sprintf("deflate=%v", tc.deflate), func(t *testing.T) {
			s := &Server{Workers: 2, MaxMessage: 1 << 20, Deflate: tc.deflate}
			if err := s.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- s.Serve() }()
			defer func() { s.Close(); <-done }()
			before := liveBytes()
			fds := make([]int, 0, n)
			defer func() {
				for _, fd := range fds {
					syscall.Close(fd)
				}
			}()
			for range n {
				fd, err := rawClient(s.Addr().String(), tc.deflate)
				if err != nil {
					t.Fatal(err)
				}
				fds = append(fds, fd)
			}
			if got := s.Conns(); got != int64(n) {
				t.Fatalf("%d connections open, want %d", got, n)
			}
			per := float64(liveBytes()-before) / float64(n)
			t.Logf("%.0f bytes of heap and stacks per idle connection (%d connections, deflate %v)", per, n, tc.deflate)
			if per > tc.limit {
				t.Errorf("%.0f bytes per idle connection, want at most %.0f", per, tc.limit)
			}
		})
	}
}

// liveBytes returns the live heap and goroutine stacks after a collection.
func liveBytes() int64 {
	var m runtime.MemStats
	for range 2 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc + m.StackInuse)
}

// rawClient connects with a plain socket, performs the opening handshake
// and echoes one 1 KiB text message, all with system calls.
func rawClient(addr string, deflate bool) (int, error) {
	var host [4]byte
	var port int
	var a, b, c, d int
	if _, err := fmt.Sscanf(addr, "%d.%d.%d.%d:%d", &a, &b, &c, &d, &port); err != nil {
		return -1, err
	}
	host = [4]byte{byte(a), byte(b), byte(c), byte(d)}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := syscall.Connect(fd, &syscall.SockaddrInet4{Addr: host, Port: port}); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	if deflate {
		req += "Sec-WebSocket-Extensions: permessage-deflate\r\n"
	}
	if _, err := syscall.Write(fd, append([]byte(req+"\r\n"), idleMessage...)); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	// The 101, then the 1 KiB echo: read until both have come.
	var got []byte
	buf := make([]byte, 4096) // garbage once the client returns
	for {
		k, err := syscall.Read(fd, buf)
		if err != nil || k <= 0 {
			syscall.Close(fd)
			return -1, fmt.Errorf("reading the handshake and echo: %v", err)
		}
		got = append(got, buf[:k]...)
		if i := strings.Index(string(got), "\r\n\r\n"); i >= 0 {
			if !strings.HasPrefix(string(got), "HTTP/1.1 101") {
				syscall.Close(fd)
				return -1, fmt.Errorf("handshake: %q", got[:i])
			}
			if deflate != strings.Contains(string(got[:i]), "permessage-deflate") {
				syscall.Close(fd)
				return -1, fmt.Errorf("permessage-deflate agreed: %v, want %v", !deflate, deflate)
			}
			if echoDone(got[i+4:]) {
				return fd, nil
			}
		}
	}
}

// idleMessage is a masked 1 KiB text message.
var idleMessage = func() []byte {
	var b bytes.Buffer
	frame.WriteMasked(&b, &frame.Text{Fin: true, Payload: bytes.Repeat([]byte("idle "), 205)[:1024]}, [4]byte{1, 2, 3, 4})
	return b.Bytes()
}()

// echoDone reports whether b holds one whole unmasked frame.
func echoDone(b []byte) bool {
	h, n, err := frame.ParseHeader(b)
	return err == nil && int64(len(b)-n) >= h.Length
}
