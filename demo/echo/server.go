package main

import (
	_ "embed"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

//go:embed index.html
var page []byte

// echoServer upgrades requests and echoes messages; it tracks its
// connections so that a shutdown can close each with 1001.
type echoServer struct {
	hs         server.Config
	maxMessage int64
	maxFrame   int64
	frameSize  int
	heartbeat  time.Duration
	log        *log.Logger

	mu    sync.Mutex
	conns map[*conn]struct{}
	ids   map[string]*conn // connections the page named with ?id=, for /ping
	wg    sync.WaitGroup
	down  bool
}

// conn is one echo connection. It is tracked from before its 101 goes
// out, so that a client that got the 101 can already be pinged; ready is
// closed once ep is set.
type conn struct {
	ep    *endpoint.Endpoint
	ready chan struct{}
	id    string
	in    atomic.Int64
	out   atomic.Int64
}

func newServer(o options, logger *log.Logger) *echoServer {
	s := &echoServer{
		maxMessage: o.maxMessage,
		maxFrame:   o.maxFrame,
		frameSize:  o.frameSize,
		heartbeat:  o.heartbeat,
		log:        logger,
		conns:      map[*conn]struct{}{},
		ids:        map[string]*conn{},
	}
	s.hs.Protocols = []string{"echo", "chat"}
	if o.origins != "" {
		s.hs.OriginPatterns = strings.Split(o.origins, ",")
	}
	if o.deflate {
		ext, err := pmce.New(pmce.Config{})
		if err != nil {
			panic(err) // the zero Config is valid
		}
		s.hs.Extensions = []handshake.Extension{ext}
	}
	return s
}

func (s *echoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	wantsUpgrade := handshake.HasToken(r.Header["Upgrade"], "websocket") || r.Method == http.MethodConnect
	switch {
	case r.URL.Path == "/" && !wantsUpgrade:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(page)
	case r.URL.Path == "/ping" && !wantsUpgrade:
		s.ping(w, r)
	default:
		s.echo(w, r)
	}
}

// echo upgrades the request and echoes every message until the connection ends.
func (s *echoServer) echo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	down := s.down
	if !down {
		s.wg.Add(1)
	}
	s.mu.Unlock()
	if down {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()

	c := &conn{id: r.URL.Query().Get("id"), ready: make(chan struct{})}
	s.track(c, true)
	defer s.track(c, false)
	up, err := s.hs.Upgrade(w, r)
	if err != nil {
		s.log.Printf("refused %s %s: %v", r.RemoteAddr, r.URL.Path, err)
		return
	}
	defer up.Close()

	var rd io.Reader
	var wr io.Writer
	popts := []parser.Option{}
	if s.maxFrame > 0 {
		popts = append(popts, parser.MaxPayload(s.maxFrame))
	}
	if up.Conn != nil {
		// Keep the net.Conn's deadline methods: Close uses them.
		cc := &countingConn{Conn: up.Conn, c: c}
		rd, wr = cc, cc
		popts = append(popts, parser.Leftover(up.Buffered))
		c.in.Add(int64(len(up.Buffered)))
	} else {
		rd, wr = &countingReader{r: up.Reader, c: c}, &countingWriter{w: up.Writer, c: c}
	}
	opts := []endpoint.Option{endpoint.MaxMessage(s.maxMessage), endpoint.ParserOptions(popts...)}
	var extNames []string
	for _, n := range up.Result.Extensions {
		if ext, ok := n.(endpoint.Codec); ok {
			opts = append(opts, endpoint.Extensions(ext))
		}
		if c, ok := n.(*pmce.Codec); ok {
			defer c.Release()
			extNames = append(extNames, pmce.Name)
		}
	}
	c.ep = endpoint.New(frame.Server, rd, wr, opts...)
	// A shutdown that found this connection still in its handshake left it
	// to us: ready and down are decided under s.mu, so exactly one side
	// sends the 1001.
	s.mu.Lock()
	close(c.ready)
	down = s.down
	s.mu.Unlock()
	if down {
		go c.ep.Close(frame.CloseGoingAway, "server shutting down")
	}

	if s.heartbeat > 0 {
		// A timer, not a goroutine, so an idle connection stays small.
		var beat *time.Timer
		set := make(chan struct{})
		beat = time.AfterFunc(s.heartbeat, func() {
			<-set
			if c.ep.Heartbeat() != nil {
				up.Close() // the peer left too many pings unanswered
				return
			}
			beat.Reset(s.heartbeat)
		})
		close(set)
		defer beat.Stop()
	}
	start := time.Now()
	err = s.loop(c)
	code := frame.CloseCodeOf(err)
	proto := up.Result.Protocol
	if proto == "" {
		proto = "-"
	}
	exts := strings.Join(extNames, ",")
	if exts == "" {
		exts = "-"
	}
	s.log.Printf("conn %s %s proto=%s ext=%s close=%d in=%d out=%d time=%s",
		remote(r), r.URL.Path, proto, exts,
		code, c.in.Load(), c.out.Load(), time.Since(start).Round(time.Millisecond))
}

// loop echoes messages; it returns the error that ended the connection.
func (s *echoServer) loop(c *conn) error {
	for {
		m, err := c.ep.NextMessage()
		if err != nil {
			return err
		}
		if s.frameSize > 0 && len(m.Data) > s.frameSize {
			err = s.sendFragmented(c.ep, m)
		} else {
			err = c.ep.WriteMessage(m.Type, m.Data)
		}
		if err != nil {
			return err
		}
	}
}

func (s *echoServer) sendFragmented(ep *endpoint.Endpoint, m endpoint.Message) error {
	w, err := ep.NextWriter(m.Type)
	if err != nil {
		return err
	}
	if _, err := w.Write(m.Data); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func (s *echoServer) track(c *conn, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		s.conns[c] = struct{}{}
		if c.id != "" {
			s.ids[c.id] = c
		}
		return
	}
	delete(s.conns, c)
	if c.id != "" && s.ids[c.id] == c {
		delete(s.ids, c.id)
	}
}

// ping serves the page's Ping button: browsers cannot send a ping, so the
// server pings the page's connection and reports the round trip.
func (s *echoServer) ping(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	c := s.ids[r.URL.Query().Get("id")]
	s.mu.Unlock()
	if c == nil {
		http.Error(w, "no such connection", http.StatusNotFound)
		return
	}
	select {
	case <-c.ready:
	case <-time.After(3 * time.Second):
		http.Error(w, "connection not open", http.StatusConflict)
		return
	}
	start := time.Now()
	if err := c.ep.Heartbeat(); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	// The connection's reader records the pong.
	for c.ep.Outstanding() > 0 {
		if time.Since(start) > 3*time.Second {
			http.Error(w, "no pong within 3s", http.StatusGatewayTimeout)
			return
		}
		time.Sleep(time.Millisecond)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]float64{"rtt_ms": float64(time.Since(start).Microseconds()) / 1000})
}

// shutdown closes every connection with 1001 and waits up to wait for
// them to end.
func (s *echoServer) shutdown(wait time.Duration) {
	s.mu.Lock()
	s.down = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
		select {
		case <-c.ready:
			go c.ep.Close(frame.CloseGoingAway, "server shutting down")
		default: // still in its handshake: it closes itself when ready
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
		s.log.Printf("wskit echo: %d connections did not close in time", len(conns))
	}
}

func remote(r *http.Request) string {
	if r.RemoteAddr == "" || r.RemoteAddr == "@" {
		return "unix"
	}
	return r.RemoteAddr
}

// countingConn counts the bytes a connection carries and keeps its
// deadline methods.
type countingConn struct {
	net.Conn
	c *conn
}

func (cc *countingConn) Read(b []byte) (int, error) {
	n, err := cc.Conn.Read(b)
	cc.c.in.Add(int64(n))
	return n, err
}

func (cc *countingConn) Write(b []byte) (int, error) {
	n, err := cc.Conn.Write(b)
	cc.c.out.Add(int64(n))
	return n, err
}

type countingReader struct {
	r io.Reader
	c *conn
}

func (cr *countingReader) Read(b []byte) (int, error) {
	n, err := cr.r.Read(b)
	cr.c.in.Add(int64(n))
	return n, err
}

type countingWriter struct {
	w io.Writer
	c *conn
}

func (cw *countingWriter) Write(b []byte) (int, error) {
	n, err := cw.w.Write(b)
	cw.c.out.Add(int64(n))
	return n, err
}
