//go:build linux

package bench

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// The fan-out workload's clients are one reader for every server: raw
// sockets read by one epoll loop that parses frame headers and counts whole
// messages, without Go's poller or a goroutine per connection, so that the
// receiving side costs the same, and little, whichever server sends.

// FanoutClientEnv names the environment variable that turns a process
// into the fan-out clients (see FanoutClientMain): "addr,n,deflate".
const FanoutClientEnv = "WSKIT_FANOUT_CLIENT"

// FanoutCounts is what the fan-out clients received.
type FanoutCounts struct {
	Messages   int64 `json:"messages"`   // whole data messages
	Compressed int64 `json:"compressed"` // of which compressed (RSV1)
	Bytes      int64 `json:"bytes"`      // payload bytes, as on the wire
	CPU        int64 `json:"cpu_ns"`     // the clients' process's CPU time so far, user and system
}

// fanoutReader is n client connections read by one epoll loop.
type fanoutReader struct {
	epfd  int
	fds   []int
	conns []frameCounter // by file descriptor
	step  int64          // messages per notification
	next  int64          // message count of the next notification
	note  func() error   // called once per step messages
	count FanoutCounts
	seen  [3]atomic.Int64 // count, for other goroutines
}

// frameCounter follows the frames of one connection's stream.
type frameCounter struct {
	hdr  [10]byte
	hn   int    // header bytes read
	left uint64 // payload bytes of the current frame still to come
	b0   byte   // first header byte of the current frame
	rsv1 bool   // the current message is compressed
}

var errServerClosed = errors.New("the server sent a close frame")

// feed counts the frames in p.
func (c *frameCounter) feed(p []byte, n *FanoutCounts) error {
	for len(p) > 0 {
		if c.left > 0 {
			k := uint64(len(p))
			if k > c.left {
				k = c.left
			}
			p, c.left = p[k:], c.left-k
			if c.left == 0 {
				if err := c.end(n); err != nil {
					return err
				}
			}
			continue
		}
		c.hdr[c.hn] = p[0]
		c.hn++
		p = p[1:]
		if c.hn < 2 {
			continue
		}
		if c.hdr[1]&0x80 != 0 {
			return errors.New("masked frame from the server")
		}
		need, size := 2, uint64(c.hdr[1]&0x7f)
		switch size {
		case 126:
			need = 4
		case 127:
			need = 10
		}
		if c.hn < need {
			continue
		}
		switch need {
		case 4:
			size = uint64(binary.BigEndian.Uint16(c.hdr[2:4]))
		case 10:
			size = binary.BigEndian.Uint64(c.hdr[2:10])
		}
		c.b0, c.hn, c.left = c.hdr[0], 0, size
		if op := c.b0 & 0x0f; op == 1 || op == 2 {
			c.rsv1 = c.b0&0x40 != 0
		}
		n.Bytes += int64(size)
		if size == 0 {
			if err := c.end(n); err != nil {
				return err
			}
		}
	}
	return nil
}

// end ends a frame.
func (c *frameCounter) end(n *FanoutCounts) error {
	op := c.b0 & 0x0f
	switch {
	case op == 8:
		return errServerClosed
	case op >= 8: // ping, pong: not a message
	case c.b0&0x80 != 0:
		n.Messages++
		if c.rsv1 {
			n.Compressed++
		}
	}
	return nil
}

// dialFanout opens n connections to addr, offering FanoutOffer if
// deflate.
func dialFanout(addr string, n int, deflate bool) (*fanoutReader, error) {
	ta, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return nil, err
	}
	sa := &syscall.SockaddrInet4{Port: ta.Port}
	copy(sa.Addr[:], ta.IP.To4())
	req := fanoutRequest(deflate)
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	r := &fanoutReader{epfd: epfd, fds: make([]int, n)}
	for i := range r.fds {
		r.fds[i] = -1
	}
	var mu sync.Mutex
	err = dialMany(n, func(i int) error {
		fd, rest, err := dialRaw(sa, req, deflate)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		r.fds[i] = fd
		if fd >= len(r.conns) {
			r.conns = append(r.conns, make([]frameCounter, fd+1-len(r.conns)+1024)...)
		}
		if err := r.conns[fd].feed(rest, &r.count); err != nil {
			return err
		}
		return syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)})
	})
	if err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// dialRaw opens one connection and performs the handshake; it returns the
// socket, non-blocking, and the bytes read after the response.
func dialRaw(sa *syscall.SockaddrInet4, req string, deflate bool) (int, []byte, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, nil, err
	}
	fail := func(err error) (int, []byte, error) {
		syscall.Close(fd)
		return -1, nil, err
	}
	// A read with a timeout is not restarted after a signal (the Go
	// runtime sends them), so EINTR is retried here.
	tv := syscall.Timeval{Sec: 10}
	syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	if err := syscall.Connect(fd, sa); err != nil {
		return fail(err)
	}
	for b := []byte(req); len(b) > 0; {
		k, err := syscall.Write(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fail(err)
		}
		b = b[k:]
	}
	var resp []byte
	buf := make([]byte, 1024)
	for {
		k, err := syscall.Read(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fail(err)
		}
		if k == 0 {
			return fail(io.ErrUnexpectedEOF)
		}
		resp = append(resp, buf[:k]...)
		if i := bytes.Index(resp, []byte("\r\n\r\n")); i >= 0 {
			head, rest := string(resp[:i]), resp[i+4:]
			if !strings.HasPrefix(head, "HTTP/1.1 101 ") {
				return fail(fmt.Errorf("no upgrade: %q", head))
			}
			if deflate && !strings.Contains(strings.ToLower(head), "permessage-deflate") {
				return fail(fmt.Errorf("permessage-deflate declined: %q", head))
			}
			if err := syscall.SetNonblock(fd, true); err != nil {
				return fail(err)
			}
			return fd, rest, nil
		}
		if len(resp) > 4096 {
			return fail(errors.New("response too long"))
		}
	}
}

// loop reads until a connection fails.
func (r *fanoutReader) loop() error {
	events := make([]syscall.EpollEvent, 512)
	buf := make([]byte, 256<<10)
	for {
		k, err := syscall.EpollWait(r.epfd, events, -1)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		for _, ev := range events[:k] {
			fd := int(ev.Fd)
			m, err := syscall.Read(fd, buf)
			if err == syscall.EAGAIN || err == syscall.EINTR {
				continue // level-triggered: the next wait reports it again
			}
			if err != nil {
				return fmt.Errorf("read: %w", err)
			}
			if m == 0 {
				return errors.New("the server closed a connection")
			}
			if err := r.conns[fd].feed(buf[:m], &r.count); err != nil {
				return err
			}
		}
		r.seen[0].Store(r.count.Messages)
		r.seen[1].Store(r.count.Compressed)
		r.seen[2].Store(r.count.Bytes)
		for r.step > 0 && r.count.Messages >= r.next {
			r.next += r.step
			if err := r.note(); err != nil {
				return err
			}
		}
	}
}

// close resets every connection (SO_LINGER 0, no TIME_WAIT) and closes it.
func (r *fanoutReader) close() {
	for _, fd := range r.fds {
		if fd >= 0 {
			syscall.SetsockoptLinger(fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 0})
			syscall.Close(fd)
		}
	}
	syscall.Close(r.epfd)
}

// FanoutClientMain runs the fan-out clients as the process's only work,
// as told by spec ("addr,n,deflate"): it opens n connections to addr,
// writes "ready\n" to standard output, then a "." each time n more
// messages have arrived in all; a line "stats" on standard input is
// answered with a line "stats " and FanoutCounts in JSON. It resets the
// connections and returns when standard input ends, and returns an error,
// after writing "E" and it on a line, when a connection fails.
func FanoutClientMain(spec string) error {
	f := strings.Split(spec, ",")
	if len(f) != 3 {
		return fmt.Errorf("%s=%q: want addr,n,deflate", FanoutClientEnv, spec)
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return err
	}
	RaiseNoFile()
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	say := func(s string) error {
		mu.Lock()
		defer mu.Unlock()
		out.WriteString(s)
		return out.Flush()
	}
	r, err := dialFanout(f[0], n, f[2] == "true")
	if err != nil {
		say("E" + strings.ReplaceAll(err.Error(), "\n", " ") + "\n")
		return err
	}
	defer r.close()
	r.step, r.next = int64(n), int64(n)
	r.note = func() error { return say(".") }
	done := make(chan error, 2)
	go func() { done <- r.loop() }()
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			if sc.Text() == "stats" {
				b, _ := json.Marshal(FanoutCounts{r.seen[0].Load(), r.seen[1].Load(), r.seen[2].Load(),
					int64(ProcessCPU())})
				say("stats " + string(b) + "\n")
			}
		}
		done <- nil
	}()
	say("ready\n")
	if err := <-done; err != nil {
		say("E" + strings.ReplaceAll(err.Error(), "\n", " ") + "\n")
		return err
	}
	return nil
}
