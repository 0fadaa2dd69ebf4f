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
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
)

// Server is the event-loop echo server. Set its fields, then call Listen
// and Serve.
type Server struct {
	Config     server.Config // the opening handshake's rules
	Workers    int           // event-loop goroutines; 0 means 1
	MaxMessage int64         // largest message; 0 means 16 MiB
	// Deflate accepts permessage-deflate without context takeover in
	// either direction, so an idle connection holds no compressor.
	Deflate bool
	// Heartbeat is how often each connection is pinged (Endpoint.Heartbeat);
	// a peer that leaves MaxPings pings unanswered is closed. 0 means 30s.
	Heartbeat time.Duration
	// HandshakeTimeout bounds the opening handshake, and the wait for the
	// peer's FIN once the closing handshake is done. 0 means 10s.
	HandshakeTimeout time.Duration
	// Options are added to every connection's Endpoint (hooks, limits).
	Options []endpoint.Option

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
	waitMillis = 100      // EpollWait's timeout: how often timers are checked
)

func (s *Server) maxMessage() int64 {
	if s.MaxMessage <= 0 {
		return 16 << 20
	}
	return s.MaxMessage
}

func (s *Server) heartbeat() time.Duration {
	if s.Heartbeat <= 0 {
		return 30 * time.Second
	}
	return s.Heartbeat
}

func (s *Server) handshakeTimeout() time.Duration {
	if s.HandshakeTimeout <= 0 {
		return 10 * time.Second
	}
	return s.HandshakeTimeout
}

// Addr returns the listening address.
func (s *Server) Addr() net.Addr { return s.addr }

// Conns returns the number of open connections.
func (s *Server) Conns() int64 { return s.conns.Load() }

// Serve runs the workers until Close.
func (s *Server) Serve() error {
	if s.Deflate {
		ext, err := pmce.New(pmce.Config{ServerNoContextTakeover: true, ClientNoContextTakeover: true})
		if err != nil {
			return err
		}
		s.Config.Extensions = append(s.Config.Extensions, ext)
	}
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
		w.echo = func(m endpoint.Message) error { return w.cur.ep.WriteMessage(m.Type, m.Data) }
		s.workers = append(s.workers, w)
	}
	s.wg.Add(n)
	for _, w := range s.workers {
		go w.loop()
	}
	s.wg.Wait()
	return nil
}

// Close stops the workers, closes every connection (with 1001, going away)
// and the listening socket.
func (s *Server) Close() {
	if s.closed.Swap(true) {
		return
	}
	s.wg.Wait()
	syscall.Close(s.lfd)
}

// worker is one event loop: it owns its connections and everything in them.
type worker struct {
	s      *Server
	epfd   int
	conns  map[int32]*conn
	buf    []byte
	events [128]syscall.EpollEvent
	cur    *conn                        // the connection Feed is running for
	echo   func(endpoint.Message) error // sends a message back to cur
	sweep  time.Time                    // when timers were last checked
	beat   time.Time                    // when the connections were last pinged
}

// conn is one connection: all that an idle connection holds besides its
// Endpoint, which holds no parser and no buffer while idle.
type conn struct {
	fd       int
	hs       []byte                 // the opening handshake so far, until it is complete
	deadline time.Time              // the end of the handshake, or of the wait for the peer's FIN
	ep       *endpoint.Endpoint     // from the 101 on
	agreed   []handshake.Negotiated // the agreed extensions, released when the connection ends
	out      endpoint.Outbox        // what the socket did not take yet
	closing  bool                   // the read side ended: nothing more is fed
	finSent  bool                   // the write side is shut down
	waiting  bool                   // registered for EPOLLOUT
	dead     bool
}

func (w *worker) loop() {
	defer w.s.wg.Done()
	defer w.closeAll()
	for !w.s.closed.Load() {
		n, err := syscall.EpollWait(w.epfd, w.events[:], waitMillis)
		if err != nil && err != syscall.EINTR {
			return
		}
		for _, ev := range w.events[:max(n, 0)] {
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
			if !c.dead && ev.Events&(syscall.EPOLLIN|syscall.EPOLLHUP|syscall.EPOLLERR|syscall.EPOLLRDHUP) != 0 && c.out.Len() == 0 {
				w.read(c)
			}
			w.update(c)
		}
		w.timers()
	}
}

func (w *worker) accept() {
	for {
		fd, _, err := syscall.Accept4(w.s.lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		if err != nil {
			return // EAGAIN: another worker took it, or none is left
		}
		syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		c := &conn{fd: fd, deadline: time.Now().Add(w.s.handshakeTimeout())}
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}
		if err := syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			syscall.Close(fd)
			continue
		}
		w.conns[int32(fd)] = c
		w.s.conns.Add(1)
	}
}

// read reads what the socket has and hands it over.
func (w *worker) read(c *conn) {
	n, err := syscall.Read(c.fd, w.buf)
	if err == syscall.EAGAIN || err == syscall.EINTR {
		return
	}
	if n <= 0 || err != nil {
		// The end of the stream, or a reset.
		if c.ep != nil && !c.closing {
			c.ep.FeedEOF()
		}
		c.dead = true
		return
	}
	data := w.buf[:n]
	switch {
	case c.closing:
		// The read side ended: what follows is discarded until the peer
		// closes the connection.
	case c.ep == nil:
		w.handshake(c, data)
	default:
		w.feed(c, data)
	}
}

// feed runs the connection's Endpoint over data, echoing each message.
func (w *worker) feed(c *conn, data []byte) {
	w.cur = c
	err := c.ep.Feed(data, w.echo)
	w.cur = nil
	if err != nil {
		// The peer's close (echoed), a violation (answered with its close
		// code), or a failed write: the Endpoint is done.
		w.shutdown(c)
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
	ep, err := res.PushEndpoint(c, append([]endpoint.Option{endpoint.MaxMessage(w.s.maxMessage())}, w.s.Options...)...)
	if err != nil {
		w.refuse(c, err)
		return
	}
	c.Write(res.AppendResponse(nil))
	rest := c.hs[end:]
	c.hs, c.ep, c.agreed = nil, ep, res.Extensions
	if len(rest) > 0 {
		w.feed(c, rest)
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
	c.Write(b.Bytes())
	c.hs = nil
	w.shutdown(c)
}

// Write implements io.Writer for the Endpoint: it writes what the socket
// takes and keeps the rest, to be written when the socket is writable.
func (c *conn) Write(b []byte) (int, error) {
	if c.dead {
		return 0, syscall.EPIPE
	}
	n := len(b)
	if c.out.Len() == 0 {
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
				return 0, err
			}
			b = b[n:]
		}
	}
	c.out.Write(b)
	return n, nil
}

// fdWriter writes to a non-blocking socket.
type fdWriter int

func (fd fdWriter) Write(b []byte) (int, error) {
	for {
		n, err := syscall.Write(int(fd), b)
		if err == syscall.EINTR {
			continue
		}
		return max(n, 0), err
	}
}

// flush writes pending output.
func (w *worker) flush(c *conn) {
	if _, err := c.out.WriteTo(fdWriter(c.fd)); err != nil && err != syscall.EAGAIN {
		c.dead = true
	}
}

// shutdown ends the connection from this side once its output is written:
// the write side is shut down (FIN), and what the peer still sends is read
// and discarded until it closes the connection too (RFC 6455 §7.1.1: the
// server closes first, without cutting off the close frame with a reset),
// or until the handshake timeout passes.
func (w *worker) shutdown(c *conn) {
	c.closing = true
	c.deadline = time.Now().Add(w.s.handshakeTimeout())
}

// timers runs what is due: handshakes and closings past their deadline are
// dropped, the read side of a connection whose closing handshake timed out
// ends, and every open connection gets its heartbeat.
func (w *worker) timers() {
	now := time.Now()
	if now.Sub(w.sweep) < 100*time.Millisecond {
		return
	}
	w.sweep = now
	beat := now.Sub(w.beat) >= w.s.heartbeat()
	if beat {
		w.beat = now
	}
	for _, c := range w.conns {
		switch {
		case c.ep == nil || c.closing:
			if now.After(c.deadline) {
				c.dead = true
			}
		case c.ep.Err() != nil:
			w.shutdown(c) // Close or Heartbeat's close timed out
		case beat:
			if c.ep.Heartbeat() != nil {
				w.shutdown(c) // the peer left too many pings unanswered
			}
		}
		w.update(c)
	}
}

// update registers the connection for the events its state needs, and
// drops it when it is dead.
func (w *worker) update(c *conn) {
	if c.closing && !c.finSent && c.out.Len() == 0 && !c.dead {
		syscall.Shutdown(c.fd, syscall.SHUT_WR)
		c.finSent = true
	}
	if c.dead {
		w.drop(c)
		return
	}
	want := c.out.Len() > 0
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

// drop closes the connection and releases what it holds.
func (w *worker) drop(c *conn) {
	if w.conns[int32(c.fd)] != c {
		return // dropped already
	}
	syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
	syscall.Close(c.fd)
	delete(w.conns, int32(c.fd))
	w.s.conns.Add(-1)
	for _, x := range c.agreed {
		if r, ok := x.(interface{ Release() }); ok {
			r.Release()
		}
	}
	c.out.Reset()
	c.hs, c.dead = nil, true
}

// closeAll closes every connection of the worker, telling the open ones
// the server is going away, and its epoll instance.
func (w *worker) closeAll() {
	for _, c := range w.conns {
		if c.ep != nil && !c.closing {
			c.ep.SendClose(frame.CloseGoingAway, "") // no timer: the connection is dropped next
		}
		w.flush(c)
		w.drop(c)
	}
	syscall.Close(w.epfd)
}

// epollExclusive is EPOLLEXCLUSIVE (Linux 4.5), which package syscall
// lacks: one worker wakes per new connection.
const epollExclusive = 1 << 28

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
