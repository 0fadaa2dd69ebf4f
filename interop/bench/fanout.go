package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	coder "github.com/coder/websocket"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
	"github.com/wskit/wskit/topics"
)

// FanoutLibs are the servers of the fan-out workload, wskit first.
var FanoutLibs = []string{"wskit", "gorilla", "gws", "coder", "gobwas"}

// FanoutDeflateLibs are the servers of the fan-out workload with
// permessage-deflate: the libraries that compress a broadcast once.
var FanoutDeflateLibs = []string{"wskit", "gorilla", "gws"}

// FanoutFloor is the fan-out workload's reference row, not a library: the
// message framed once and written to each connection with one
// net.Conn.Write, the least a server on Go's net package can do. The
// libraries' rows are measured against it to show what is left above the
// kernel's cost.
const FanoutFloor = "write-floor"

// FanoutCork is a row of the burst workload only (BenchmarkFanout with
// -fanout.burst above 1): wskit's Endpoints without topics, each sent the
// burst's messages with SendPrepared inside one Endpoint.Cork, so that they
// go out in one write. The topics Hub has no way to do this yet; the row
// shows what it would gain.
const FanoutCork = "wskit-cork"

// FanoutAPIs says how each server sends one message to all its
// connections: each library's documented way of doing it.
var FanoutAPIs = map[string]string{
	"wskit":   "net/http + Config.Upgrade + Upgraded.Endpoint, read loop in its own goroutine (README.md); topics.Hub: each Endpoint subscribed to the topic, Hub.Publish (one PreparedMessage per publication, queued to each subscriber with QueuePrepared and written by the Hub's writer goroutine with Flush: the publications that reach a connection before its turn go out in one write)",
	"gorilla": "net/http + Upgrader; NewPreparedMessage once, Conn.WritePreparedMessage to each connection in a loop",
	"gws":     "NewServer(...).RunListener; NewBroadcaster once, Broadcast to each connection (queued, written by gws's per-connection writer), Close",
	"coder":   "net/http + Accept; Conn.Write to each connection in a loop",
	"gobwas":  "raw net.Listener + ws.Upgrade; wsutil.WriteServerMessage to each connection in a loop",

	FanoutCork:  "burst rows only: the Endpoints without topics; per connection, Endpoint.Cork around one SendPrepared per message of the burst (one write)",
	FanoutFloor: "reference, no library: raw net.Listener + ws.Upgrade; the frame built once, net.Conn.Write of it to each connection in a loop",
}

// FanoutOffer is the fan-out client's offer of permessage-deflate: no
// context takeover, so that a server can compress a broadcast once.
const FanoutOffer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"

// FanoutRowName names a row of BenchmarkFanout, after its connection
// count: "deflate=on/lib=wskit".
func FanoutRowName(lib string, deflate bool) string {
	d := "off"
	if deflate {
		d = "on"
	}
	return "deflate=" + d + "/lib=" + lib
}

// fanoutRequest is a fan-out client's request: RequestText, offering
// FanoutOffer if deflate.
func fanoutRequest(deflate bool) string {
	if deflate {
		return requestOffering(FanoutOffer)
	}
	return RequestText
}

// FanoutMessage is the fan-out workload's message: 1 KiB of JSON text.
func FanoutMessage() []byte {
	b := JSON(1, 2<<10)[:1<<10]
	b[len(b)-1] = '}'
	return b
}

// FanoutServer is one library's server of the fan-out workload: it accepts
// WebSocket connections at /bench and sends each message given to Publish
// to every one of them. Each connection has a read loop, as in a real
// server, which reads nothing during the workload.
type FanoutServer struct {
	ln  net.Listener
	lib fanoutLib

	mu    sync.Mutex
	conns int
	err   error
}

// fanoutLib is one library's part of a FanoutServer.
type fanoutLib interface {
	serve(s *FanoutServer, ln net.Listener) error
	publish(msg []byte) error
	close()
}

// StartFanout starts lib's fan-out server on a loopback port, with
// permessage-deflate accepted if deflate.
func StartFanout(lib string, deflate bool) (*FanoutServer, error) {
	var l fanoutLib
	switch lib {
	case "wskit":
		l = newWskitFanout(deflate)
	case FanoutCork:
		w := newWskitFanout(deflate)
		l = &corkFanout{w}
	case "gorilla":
		l = &gorillaFanout{deflate: deflate}
	case "gws":
		l = &gwsFanout{deflate: deflate}
	case "coder":
		l = &coderFanout{deflate: deflate}
	case "gobwas":
		l = &gobwasFanout{deflate: deflate}
	case FanoutFloor:
		if deflate {
			return nil, fmt.Errorf("%s: no permessage-deflate", lib)
		}
		l = &floorFanout{}
	default:
		return nil, fmt.Errorf("no such fan-out server %q", lib)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &FanoutServer{ln: ln, lib: l}
	go l.serve(s, ln)
	return s, nil
}

// Addr returns the address the server listens on.
func (s *FanoutServer) Addr() string { return s.ln.Addr().String() }

// added counts a connection ready to receive.
func (s *FanoutServer) added() {
	s.mu.Lock()
	s.conns++
	s.mu.Unlock()
}

// WaitConns waits until n connections are ready to receive, for at most d.
func (s *FanoutServer) WaitConns(n int, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		s.mu.Lock()
		c := s.conns
		s.mu.Unlock()
		if c >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d connections of %d after %s", c, n, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Publish sends msg, as a text message, to every connection.
func (s *FanoutServer) Publish(msg []byte) error { return s.lib.publish(msg) }

// burster is a server that sends a burst of messages otherwise than one
// Publish after another.
type burster interface {
	publishBurst(msg []byte, k int) error
}

// PublishBurst sends msg k times to every connection: k Publish calls, or
// the server's own way of sending a burst.
func (s *FanoutServer) PublishBurst(msg []byte, k int) error {
	if b, ok := s.lib.(burster); ok {
		return b.publishBurst(msg, k)
	}
	for range k {
		if err := s.lib.publish(msg); err != nil {
			return err
		}
	}
	return nil
}

// Close stops accepting and closes every connection.
func (s *FanoutServer) Close() {
	s.ln.Close()
	s.lib.close()
}

// conns is a list of a server's connections, in the order they came.
type conns[T any] struct {
	mu   sync.Mutex
	list []T
}

// add adds x and counts it as a connection ready to receive.
func (c *conns[T]) add(s *FanoutServer, x T) {
	c.put(x)
	s.added()
}

// put adds x.
func (c *conns[T]) put(x T) {
	c.mu.Lock()
	c.list = append(c.list, x)
	c.mu.Unlock()
}

func (c *conns[T]) all() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.list
}

// closeAll closes every connection of c.
func closeAll[T io.Closer](c *conns[T]) {
	for _, x := range c.all() {
		x.Close()
	}
}

// ---- wskit ----

// fanoutTopic is the topic every wskit connection subscribes to.
const fanoutTopic = "bench.fanout"

type wskitFanout struct {
	cfg *server.Config
	hub *topics.Hub
	nc  conns[net.Conn]
	eps conns[*endpoint.Endpoint]
}

func newWskitFanout(deflate bool) *wskitFanout {
	cfg := &server.Config{}
	if deflate {
		ext, err := pmce.New(pmce.Config{})
		if err != nil {
			panic(err)
		}
		cfg.Extensions = []handshake.Extension{ext}
	}
	return &wskitFanout{cfg: cfg, hub: topics.New()}
}

// serve is README.md's net/http server: Upgrade, Upgraded.Endpoint, and
// the read loop in a goroutine of its own, so that the handler returns.
func (w *wskitFanout) serve(s *FanoutServer, ln net.Listener) error {
	return http.Serve(ln, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		up, err := w.cfg.Upgrade(rw, r)
		if err != nil {
			return
		}
		ep, err := up.Endpoint()
		if err != nil || w.hub.Subscribe(ep, fanoutTopic) != nil {
			up.Close()
			return
		}
		w.eps.put(ep)
		w.nc.add(s, up.Conn)
		go func() {
			defer up.Close()
			for {
				if _, err := ep.NextMessage(); err != nil {
					w.hub.UnsubscribeAll(ep)
					return
				}
			}
		}()
	}))
}

func (w *wskitFanout) publish(msg []byte) error {
	return w.hub.Publish(fanoutTopic, frame.OpText, msg)
}

// corkFanout is wskit's server of the FanoutCork row.
type corkFanout struct{ *wskitFanout }

func (c *corkFanout) publish(msg []byte) error { return c.publishBurst(msg, 1) }

func (c *corkFanout) publishBurst(msg []byte, k int) error {
	pm, err := endpoint.NewPreparedMessage(frame.OpText, msg)
	if err != nil {
		return err
	}
	for _, ep := range c.eps.all() {
		var serr error
		err := ep.Cork(func() {
			for range k {
				if _, err := ep.SendPrepared(pm); err != nil && serr == nil {
					serr = err
				}
			}
		})
		if err == nil {
			err = serr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *wskitFanout) close() { closeAll(&w.nc) }

// ---- gorilla ----

type gorillaFanout struct {
	deflate bool
	cs      conns[*gorilla.Conn]
}

func (g *gorillaFanout) serve(s *FanoutServer, ln net.Listener) error {
	u := &gorilla.Upgrader{EnableCompression: g.deflate}
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := u.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		g.cs.add(s, c)
		for {
			if _, _, err := c.NextReader(); err != nil {
				return
			}
		}
	}))
}

func (g *gorillaFanout) publish(msg []byte) error {
	pm, err := gorilla.NewPreparedMessage(gorilla.TextMessage, msg)
	if err != nil {
		return err
	}
	for _, c := range g.cs.all() {
		if err := c.WritePreparedMessage(pm); err != nil {
			return err
		}
	}
	return nil
}

func (g *gorillaFanout) close() { closeAll(&g.cs) }

// ---- gws ----

type gwsFanout struct {
	gws.BuiltinEventHandler
	deflate bool
	s       *FanoutServer
	cs      conns[*gws.Conn]
}

func (g *gwsFanout) serve(s *FanoutServer, ln net.Listener) error {
	g.s = s
	srv := gws.NewServer(g, &gws.ServerOption{CheckUtf8Enabled: true,
		PermessageDeflate: gws.PermessageDeflate{Enabled: g.deflate},
	})
	srv.OnError = func(_ net.Conn, err error) {
		if errors.Is(err, net.ErrClosed) {
			select {} // RunListener would retry a closed listener forever
		}
	}
	return srv.RunListener(ln)
}

func (g *gwsFanout) OnOpen(c *gws.Conn) { g.cs.add(g.s, c) }

func (g *gwsFanout) OnMessage(c *gws.Conn, m *gws.Message) { m.Close() }

func (g *gwsFanout) publish(msg []byte) error {
	b := gws.NewBroadcaster(gws.OpcodeText, msg)
	defer b.Close()
	for _, c := range g.cs.all() {
		if err := b.Broadcast(c); err != nil {
			return err
		}
	}
	return nil
}

func (g *gwsFanout) close() {
	for _, c := range g.cs.all() {
		c.NetConn().Close()
	}
}

// ---- coder ----

type coderFanout struct {
	deflate bool
	cs      conns[*coder.Conn]
}

func (c *coderFanout) serve(s *FanoutServer, ln net.Listener) error {
	opts := &coder.AcceptOptions{CompressionMode: coder.CompressionDisabled}
	if c.deflate {
		opts.CompressionMode = coder.CompressionNoContextTakeover
	}
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := coder.Accept(w, r, opts)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		c.cs.add(s, conn)
		ctx := context.Background()
		for {
			if _, _, err := conn.Reader(ctx); err != nil {
				return
			}
		}
	}))
}

func (c *coderFanout) publish(msg []byte) error {
	ctx := context.Background()
	for _, conn := range c.cs.all() {
		if err := conn.Write(ctx, coder.MessageText, msg); err != nil {
			return err
		}
	}
	return nil
}

func (c *coderFanout) close() {
	for _, conn := range c.cs.all() {
		conn.CloseNow()
	}
}

// ---- gobwas ----

type gobwasFanout struct {
	deflate bool
	cs      conns[net.Conn]
}

func (g *gobwasFanout) serve(s *FanoutServer, ln net.Listener) error {
	return acceptLoop(ln, func(conn net.Conn) {
		defer conn.Close()
		if _, err := ws.Upgrade(conn); err != nil {
			return
		}
		g.cs.add(s, conn)
		for {
			if _, _, err := wsutil.ReadClientData(conn); err != nil {
				return
			}
		}
	})
}

func (g *gobwasFanout) publish(msg []byte) error {
	for _, c := range g.cs.all() {
		if err := wsutil.WriteServerMessage(c, ws.OpText, msg); err != nil {
			return err
		}
	}
	return nil
}

func (g *gobwasFanout) close() { closeAll(&g.cs) }

// ---- the floor ----

type floorFanout struct {
	cs conns[net.Conn]
}

func (f *floorFanout) serve(s *FanoutServer, ln net.Listener) error {
	return acceptLoop(ln, func(conn net.Conn) {
		defer conn.Close()
		if _, err := ws.Upgrade(conn); err != nil {
			return
		}
		f.cs.add(s, conn)
		io.Copy(io.Discard, conn)
	})
}

func (f *floorFanout) publish(msg []byte) error {
	b, err := ws.CompileFrame(ws.NewTextFrame(msg))
	if err != nil {
		return err
	}
	for _, c := range f.cs.all() {
		if _, err := c.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (f *floorFanout) close() { closeAll(&f.cs) }
