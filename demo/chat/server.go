package main

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
	"github.com/wskit/wskit/topics"
)

// Defaults of Config.
const (
	// DefaultMaxBackpressure is the bytes a connection's send queue may
	// hold before the connection is dropped: 1 MiB.
	DefaultMaxBackpressure = 1 << 20
	// DefaultMaxMessage is the largest message a client may send: 64 KiB.
	DefaultMaxMessage = 64 << 10
)

// Config is what a Server is made with. The zero Config is a server of one
// process with the defaults.
type Config struct {
	// MaxBackpressure is the bytes each connection's send queue may hold;
	// a connection whose queue would pass it has stopped reading, and is
	// dropped (close 1008, then the TCP connection is reset) so that it
	// holds no more than that. 0 means DefaultMaxBackpressure.
	MaxBackpressure int

	// MaxMessage is the largest message a client may send; a larger one
	// fails its connection with 1009. 0 means DefaultMaxMessage.
	MaxMessage int64

	// WriteBuffer, if positive, is each TCP connection's socket send
	// buffer (SO_SNDBUF). The kernel's buffers come before the send queue:
	// on Linux a connection that stops reading can hold up to tcp_wmem's
	// maximum (4 MiB by default) in its socket before anything queues.
	// 0 leaves the operating system's autotuning.
	WriteBuffer int

	// Broker carries the rooms' messages between the processes that
	// share them; nil means topics.NewLocal(), this process only.
	Broker topics.Broker

	// Log receives a line per connection and per refused request; nil
	// means no log.
	Log *log.Logger
}

// Server is the chat: an http.Handler that serves the page at / and joins
// a WebSocket opened at /chat/{room} to that room. Each room is a topic of
// a topics.Hub; each connection's Endpoint subscribes to its room's topic
// (through a member, which covers the handshake), and every text message a
// connection sends is published to it, so that it reaches every connection
// of the room, the sender's included, in the order the hub received them.
type Server struct {
	cfg Config
	hs  server.Config
	hub *topics.Hub
	log *log.Logger

	mu    sync.Mutex
	conns map[*conn]struct{}
	down  bool
	wg    sync.WaitGroup

	// Tests observe the server through these; nil otherwise.
	subscriber func(*conn, *member) topics.Subscriber // what subscribes for c instead of its member
	ended      func(*conn)                            // called once c's transport is closed
	upgraded   func(*conn)                            // called once c's 101 is written
}

// errBinary ends a connection that sent a binary message: a chat carries
// text (RFC 6455 §7.4.1: 1003, a type of data it cannot accept).
var errBinary = &endpoint.CloseError{Code: frame.CloseUnsupportedData, Reason: "text messages only"}

// conn is one WebSocket connection in a room.
type conn struct {
	ep     *endpoint.Endpoint
	room   string
	remote string
	start  time.Time
	msgs   int   // text messages published
	err    error // what ended the read loop
	closed time.Time
}

// newServer returns a Server for cfg, with cfg's zero fields set to the
// defaults.
func newServer(cfg Config) *Server {
	if cfg.MaxBackpressure <= 0 {
		cfg.MaxBackpressure = DefaultMaxBackpressure
	}
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = DefaultMaxMessage
	}
	if cfg.Log == nil {
		cfg.Log = log.New(io.Discard, "", 0)
	}
	opts := []topics.Option{}
	if cfg.Broker != nil {
		opts = append(opts, topics.WithBroker(cfg.Broker))
	}
	deflate, err := pmce.New(pmce.Config{})
	if err != nil {
		panic(err) // the zero Config is valid
	}
	return &Server{
		cfg:   cfg,
		hs:    server.Config{Extensions: []handshake.Extension{deflate}},
		hub:   topics.New(opts...),
		log:   cfg.Log,
		conns: map[*conn]struct{}{},
	}
}

// ServeHTTP serves the page at / and the rooms at /chat/{room}.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/":
		servePage(w, r)
	case strings.HasPrefix(r.URL.Path, roomPrefix):
		s.join(w, r)
	default:
		http.NotFound(w, r)
	}
}

// admit checks what comes before the handshake — the room's name, and
// check's verdict on the rest of the request if check is not nil — and
// counts the connection in, unless the server is shutting down; it answers
// the request itself when it reports false.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, check func() (msg string, ok bool)) (room string, ok bool) {
	room, ok = roomOf(r.URL.Path)
	if !ok {
		// Before the handshake: a bad name never becomes a topic.
		http.Error(w, "400 Bad Request: a room name is one or more ASCII letters, digits, '-' and '_'", http.StatusBadRequest)
		s.log.Printf("refused %s %s: bad room name", r.RemoteAddr, r.URL.Path)
		return "", false
	}
	if check != nil {
		if msg, ok := check(); !ok {
			http.Error(w, "400 Bad Request: "+msg, http.StatusBadRequest)
			s.log.Printf("refused %s %s: %s", r.RemoteAddr, r.URL.RequestURI(), msg)
			return "", false
		}
	}
	s.mu.Lock()
	down := s.down
	if !down {
		s.wg.Add(1)
	}
	s.mu.Unlock()
	if down {
		http.Error(w, "503 Service Unavailable: shutting down", http.StatusServiceUnavailable)
		return "", false
	}
	return room, true
}

// endpointOptions are every connection's: its limits, and the
// backpressure policy (a reader that stops reading is dropped).
func (s *Server) endpointOptions() []endpoint.Option {
	return []endpoint.Option{
		endpoint.MaxMessage(s.cfg.MaxMessage),
		endpoint.MaxBackpressure(s.cfg.MaxBackpressure),
		endpoint.CloseOnBackpressureLimit(),
	}
}

// join validates the room name, upgrades the request and starts the
// connection's read loop. It returns at once, as README's server does, so
// that net/http lets go of what it held for the request.
func (s *Server) join(w http.ResponseWriter, r *http.Request) {
	room, ok := s.admit(w, r, nil)
	if !ok {
		return
	}
	// A request that is no handshake is refused before it touches the
	// hub, whose first subscriber to a room may cost the broker a round
	// trip.
	if _, err := s.hs.Accept(r); err != nil {
		var he *server.Error
		if errors.As(err, &he) {
			he.ServeHTTP(w, r)
		} else {
			http.Error(w, "400 Bad Request: "+err.Error(), http.StatusBadRequest)
		}
		s.refused(r, err)
		s.wg.Done()
		return
	}
	c := &conn{room: room, remote: r.RemoteAddr, start: time.Now()}
	m := &member{limit: s.cfg.MaxBackpressure}
	var sub topics.Subscriber = m
	if s.subscriber != nil {
		sub = s.subscriber(c, m)
	}
	// Subscribed before the 101: see member.
	if err := s.hub.Subscribe(sub, topicOf(room)); err != nil {
		http.Error(w, "503 Service Unavailable: cannot join the room", http.StatusServiceUnavailable)
		s.refused(r, err)
		s.wg.Done()
		return
	}
	up, err := s.open(w, r, c)
	if err != nil {
		s.hub.UnsubscribeAll(sub)
		s.wg.Done()
		return
	}
	go func() {
		defer s.wg.Done()
		s.serve(c, up, sub, m)
	}()
}

// open upgrades the request (answering 101, or the HTTP error) and sets
// c.ep to the connection's Endpoint. On failure it has logged the refusal
// and closed what it opened; the caller undoes the rest.
func (s *Server) open(w http.ResponseWriter, r *http.Request, c *conn) (*server.Upgraded, error) {
	up, err := s.hs.Upgrade(w, r)
	if err != nil {
		s.refused(r, err)
		return nil, err
	}
	if s.upgraded != nil {
		s.upgraded(c)
	}
	if tc, ok := up.Conn.(*net.TCPConn); ok && s.cfg.WriteBuffer > 0 {
		tc.SetWriteBuffer(s.cfg.WriteBuffer)
	}
	if c.ep, err = up.Endpoint(s.endpointOptions()...); err != nil {
		s.refused(r, err)
		up.Close()
		return nil, err
	}
	return up, nil
}

func (s *Server) refused(r *http.Request, err error) {
	s.log.Printf("refused %s %s: %v", r.RemoteAddr, r.URL.Path, err)
}

// serve runs c's read loop in its room until the connection ends, then
// leaves the room and closes the transport.
func (s *Server) serve(c *conn, up *server.Upgraded, sub topics.Subscriber, m *member) {
	s.track(c, true)
	defer s.track(c, false)

	if err := m.start(c.ep); err != nil {
		c.err = err
		c.ep.Close(frame.ClosePolicyViolation, "send queue over its limit")
	} else {
		c.err = s.read(c, topicOf(c.room))
	}
	s.hub.UnsubscribeAll(sub)
	s.finish(c, up, "")
}

// finish closes c's transport once its read loop has returned and logs
// its line, detail (if not "") after the room.
func (s *Server) finish(c *conn, up *server.Upgraded, detail string) {
	if errors.Is(c.err, endpoint.ErrBackpressure) {
		// The peer reads nothing: a graceful close would wait on it.
		// Reset, so that the kernel drops what the socket still holds.
		if tc, ok := up.Conn.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
	}
	up.Close()
	c.closed = time.Now()
	s.log.Printf("conn %s room=%s %smsgs=%d close=%d err=%v time=%s",
		c.remote, c.room, detail, c.msgs, frame.CloseCodeOf(c.err), c.err, c.closed.Sub(c.start).Round(time.Millisecond))
	if s.ended != nil {
		s.ended(c)
	}
}

// read publishes every text message c sends to topic; it returns the
// error that ended the connection.
func (s *Server) read(c *conn, topic string) error {
	for {
		m, err := c.ep.NextMessage() // pings, pongs and the close are answered on the way
		if err != nil {
			return err
		}
		if m.Type != frame.OpText {
			c.ep.Close(errBinary.Code, errBinary.Reason)
			return errBinary
		}
		// Publish copies m.Data, which the next NextMessage reuses.
		if err := s.hub.Publish(topic, frame.OpText, m.Data); err != nil {
			c.ep.Close(frame.CloseTryAgainLater, "the room is unavailable")
			return err
		}
		c.msgs++
	}
}

func (s *Server) track(c *conn, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		s.conns[c] = struct{}{}
		if s.down { // Close ran before c was tracked
			go c.ep.Close(frame.CloseGoingAway, "server shutting down")
		}
	} else {
		delete(s.conns, c)
	}
}

// Close closes every connection with 1001 (going away), waits up to wait
// for them to end, and closes the hub. Requests that come after are
// refused with 503.
func (s *Server) Close(wait time.Duration) error {
	s.mu.Lock()
	s.down = true
	for c := range s.conns {
		go c.ep.Close(frame.CloseGoingAway, "server shutting down")
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-time.After(wait):
		err = errors.New("chat: connections did not close in time")
	}
	if herr := s.hub.Close(); err == nil {
		err = herr
	}
	return err
}
