//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
)

// Server is the event-loop echo server. Set its fields, then call Listen
// and Serve.
type Server struct {
	Config     server.Config // the opening handshake's rules
	Workers    int           // event-loop goroutines; 0 means 1
	MaxMessage int64         // largest message; 0 means 16 MiB

	lfd     int
	addr    net.Addr
	workers []*worker
	closed  atomic.Bool
	conns   atomic.Int64
	wg      sync.WaitGroup
}

const (
	maxRequest = 16 << 10 // the opening handshake's bytes, at most
	readBuffer = 64 << 10 // each worker's read buffer
	waitMillis = 200      // EpollWait's timeout, to notice Close
)

// Listen opens a non-blocking listening socket on addr (host:port, IPv4 or
// IPv6).
func (s *Server) Listen(addr string) error {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return err
	}
	var sa syscall.Sockaddr
	family := syscall.AF_INET
	if ip4 := ta.IP.To4(); ip4 != nil || ta.IP == nil {
		a := &syscall.SockaddrInet4{Port: ta.Port}
		copy(a.Addr[:], ip4)
		sa = a
	} else {
		family = syscall.AF_INET6
		a := &syscall.SockaddrInet6{Port: ta.Port}
		copy(a.Addr[:], ta.IP.To16())
		sa = a
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		syscall.Close(fd)
		return err
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return fmt.Errorf("bind %s: %w", addr, err)
	}
	if err := syscall.Listen(fd, 4096); err != nil {
		syscall.Close(fd)
		return fmt.Errorf("listen: %w", err)
	}
	bound, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return err
	}
	switch b := bound.(type) {
	case *syscall.SockaddrInet4:
		s.addr = &net.TCPAddr{IP: net.IP(b.Addr[:]), Port: b.Port}
	case *syscall.SockaddrInet6:
		s.addr = &net.TCPAddr{IP: net.IP(b.Addr[:]), Port: b.Port}
	}
	s.lfd = fd
	return nil
}

// Addr returns the listening address.
func (s *Server) Addr() net.Addr { return s.addr }

// Conns returns the number of open connections.
func (s *Server) Conns() int64 { return s.conns.Load() }

// Serve runs the workers until Close.
func (s *Server) Serve() error {
	n := max(s.Workers, 1)
	for range n {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return fmt.Errorf("epoll_create1: %w", err)
		}
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | epollExclusive, Fd: int32(s.lfd)}
		if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, s.lfd, &ev); err != nil {
			return fmt.Errorf("epoll_ctl: %w", err)
		}
		w := &worker{s: s, epfd: epfd, conns: map[int32]*conn{}, buf: make([]byte, readBuffer)}
		w.feed = func(f frame.Frame) error { return w.onFrame(w.cur, f) }
		s.workers = append(s.workers, w)
	}
	s.wg.Add(n)
	for _, w := range s.workers {
		go w.loop()
	}
	s.wg.Wait()
	return nil
}

// Close stops the workers, closes every connection and the listening
// socket.
func (s *Server) Close() {
	if s.closed.Swap(true) {
		return
	}
	s.wg.Wait()
	syscall.Close(s.lfd)
}

// epollExclusive is EPOLLEXCLUSIVE (Linux 4.5), which package syscall
// lacks: one worker wakes per new connection.
const epollExclusive = 1 << 28

// worker is one event loop.
type worker struct {
	s      *Server
	epfd   int
	conns  map[int32]*conn
	buf    []byte
	events [128]syscall.EpollEvent
	cur    *conn                   // the connection Feed is parsing for
	feed   func(frame.Frame) error // calls onFrame for cur
}

// conn is one connection: all that an idle connection holds.
type conn struct {
	fd      int
	hs      []byte         // the opening handshake so far, until it is complete
	p       *parser.Parser // push mode: no read buffer
	d       endpoint.Defragmenter
	out     []byte // output the socket did not take yet
	closing bool   // a close frame was sent: no more frames are read
	finSent bool   // the write side is shut down
	waiting bool   // registered for EPOLLOUT
	dead    bool
}

func (w *worker) loop() {
	defer w.s.wg.Done()
	defer w.closeAll()
	for !w.s.closed.Load() {
		n, err := syscall.EpollWait(w.epfd, w.events[:], waitMillis)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			return
		}
		for _, ev := range w.events[:n] {
			if int(ev.Fd) == w.s.lfd {
				w.accept()
				continue
			}
			c := w.conns[ev.Fd]
			if c == nil {
				continue
			}
			if ev.Events&syscall.EPOLLOUT != 0 {
				w.flush(c)
			}
			if !c.dead && ev.Events&(syscall.EPOLLIN|syscall.EPOLLHUP|syscall.EPOLLERR|syscall.EPOLLRDHUP) != 0 && len(c.out) == 0 {
				w.read(c)
			}
			w.update(c)
		}
	}
}

func (w *worker) accept() {
	for {
		fd, _, err := syscall.Accept4(w.s.lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		if err != nil {
			return // EAGAIN: another worker took it, or none is left
		}
		syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		c := &conn{fd: fd}
		c.d.MaxMessage = w.s.maxMessage()
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}
		if err := syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			syscall.Close(fd)
			continue
		}
		w.conns[int32(fd)] = c
		w.s.conns.Add(1)
	}
}

func (s *Server) maxMessage() int64 {
	if s.MaxMessage <= 0 {
		return 16 << 20
	}
	return s.MaxMessage
}

// read reads what the socket has and handles it.
func (w *worker) read(c *conn) {
	n, err := syscall.Read(c.fd, w.buf)
	if err == syscall.EAGAIN || err == syscall.EINTR {
		return
	}
	if n <= 0 || err != nil {
		c.dead = true // the end of the stream, or a reset
		return
	}
	data := w.buf[:n]
	switch {
	case c.closing:
		// A close frame was sent: what follows is discarded until the
		// peer closes the connection.
	case c.p == nil:
		w.handshake(c, data)
	default:
		w.frames(c, data)
	}
}

// handshake collects the opening handshake and answers it.
func (w *worker) handshake(c *conn, data []byte) {
	c.hs = append(c.hs, data...)
	end := bytes.Index(c.hs, []byte("\r\n\r\n"))
	if end < 0 {
		if len(c.hs) > maxRequest {
			w.refuse(c, &server.Error{StatusCode: 431, Err: errors.New("request header too large")})
		}
		return
	}
	end += 4
	req, err := server.ReadRequest(bufio.NewReader(bytes.NewReader(c.hs[:end])), w.s.Config.Limits)
	var res *server.Result
	if err == nil {
		res, err = w.s.Config.Accept(req)
	}
	if err != nil {
		w.refuse(c, err)
		return
	}
	c.write(res.AppendResponse(nil))
	rest := c.hs[end:]
	c.hs = nil
	c.p = parser.New(nil, parser.Role(frame.Server), parser.MaxPayload(w.s.maxMessage()))
	if len(rest) > 0 {
		w.frames(c, rest)
	}
}

// refuse answers a bad opening handshake with an HTTP error and closes.
func (w *worker) refuse(c *conn, err error) {
	var se *server.Error
	if !errors.As(err, &se) {
		se = &server.Error{StatusCode: 400, Err: err}
	}
	var b bytes.Buffer
	se.WriteTo(&b)
	c.write(b.Bytes())
	c.hs = nil
	w.shutdown(c)
}

// errClosing stops Feed after a close frame was answered.
var errClosing = errors.New("closing")

// frames parses data and answers each frame it completes.
func (w *worker) frames(c *conn, data []byte) {
	w.cur = c
	err := c.p.Feed(data, w.feed)
	w.cur = nil
	switch {
	case err == nil || err == errClosing:
	default:
		// A violation: fail the connection with its close code.
		_, _ = frame.Write(c, &frame.Close{Code: frame.CloseCodeOf(err)})
		w.shutdown(c)
	}
}

// onFrame answers one frame.
func (w *worker) onFrame(c *conn, f frame.Frame) error {
	switch f := f.(type) {
	case *frame.Ping:
		_, err := frame.Write(c, &frame.Pong{Payload: f.Payload})
		return err
	case *frame.Pong:
		return nil
	case *frame.Close:
		_, _ = frame.Write(c, &frame.Close{Code: f.Code})
		w.shutdown(c)
		return errClosing
	}
	m, ok, err := c.d.Add(f)
	if err != nil || !ok {
		return err
	}
	if m.Type == frame.OpText {
		_, err = frame.Write(c, &frame.Text{Fin: true, Payload: m.Data})
	} else {
		_, err = frame.Write(c, &frame.Binary{Fin: true, Payload: m.Data})
	}
	c.d.Reset() // give a fragmented message's buffer back to the pool
	return err
}

// Write implements io.Writer for frame.Write: it writes what the socket
// takes and keeps the rest, to be written when the socket is writable.
func (c *conn) Write(b []byte) (int, error) {
	c.write(b)
	return len(b), nil
}

func (c *conn) write(b []byte) {
	if c.dead {
		return
	}
	if len(c.out) > 0 {
		c.out = append(c.out, b...)
		return
	}
	for len(b) > 0 {
		n, err := syscall.Write(c.fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EAGAIN {
			break
		}
		if err != nil {
			c.dead = true
			return
		}
		b = b[n:]
	}
	if len(b) > 0 {
		c.out = append([]byte(nil), b...)
	}
}

// flush writes pending output.
func (w *worker) flush(c *conn) {
	out := c.out
	c.out = nil
	c.write(out)
}

// shutdown ends the connection from this side once its output is written:
// the write side is shut down (FIN), and what the peer still sends is read
// and discarded until it closes the connection too (RFC 6455 §7.1.1: the
// server closes first, without cutting off the close frame with a reset).
func (w *worker) shutdown(c *conn) { c.closing = true }

// update registers the connection for the events its state needs, and
// drops it when it is dead.
func (w *worker) update(c *conn) {
	if c.closing && !c.finSent && len(c.out) == 0 && !c.dead {
		syscall.Shutdown(c.fd, syscall.SHUT_WR)
		c.finSent = true
	}
	if c.dead {
		w.drop(c)
		return
	}
	want := len(c.out) > 0
	if want == c.waiting {
		return
	}
	// While output is pending, the connection is not read: the peer
	// cannot make the server hold more than one read's worth of replies.
	events := uint32(syscall.EPOLLIN | syscall.EPOLLRDHUP)
	if want {
		events = syscall.EPOLLOUT
	}
	ev := syscall.EpollEvent{Events: events, Fd: int32(c.fd)}
	if syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_MOD, c.fd, &ev) != nil {
		w.drop(c)
		return
	}
	c.waiting = want
}

// drop closes the connection and releases its buffers.
func (w *worker) drop(c *conn) {
	syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
	syscall.Close(c.fd)
	delete(w.conns, int32(c.fd))
	w.s.conns.Add(-1)
	if c.p != nil {
		c.p.Reset(nil)
	}
	c.d.Reset()
	c.out, c.hs, c.dead = nil, nil, true
}

// closeAll closes every connection of the worker and its epoll instance.
func (w *worker) closeAll() {
	for _, c := range w.conns {
		w.drop(c)
	}
	syscall.Close(w.epfd)
}
