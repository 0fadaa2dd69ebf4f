package peers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"compress/flate"
	"github.com/coder/websocket"
	"github.com/gobwas/httphead"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"
	"github.com/gobwas/ws/wsutil"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"
)

// goServer serves handler on 127.0.0.1 until the test ends and returns its
// base URL. Connections the handler hijacked are closed at the end too.
type goServer struct {
	mu    sync.Mutex
	conns []io.Closer
}

func (g *goServer) track(c io.Closer) {
	g.mu.Lock()
	g.conns = append(g.conns, c)
	g.mu.Unlock()
}

func startGoServer(t *testing.T, handler func(g *goServer, w http.ResponseWriter, r *http.Request)) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	g := &goServer{}
	srv := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler(g, w, r) }),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		g.mu.Lock()
		defer g.mu.Unlock()
		for _, c := range g.conns {
			c.Close()
		}
	})
	return "ws://" + ln.Addr().String(), nil
}

func connName(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, "/") }

func urlName(url string) string {
	i := strings.LastIndex(url, "/")
	return url[i+1:]
}

func pushPong(ch chan []byte, p []byte) {
	select {
	case ch <- append([]byte{}, p...):
	default:
	}
}

// ---- github.com/gorilla/websocket ----

type gorillaPeer struct{}

func (gorillaPeer) name() string { return "gorilla/websocket" }
func (gorillaPeer) setup(*testing.T) (string, error) {
	return goModuleVersion("github.com/gorilla/websocket"), nil
}
func (gorillaPeer) deflate() (bool, string) { return true, "" }
func (gorillaPeer) fixedPing() bool         { return false }

func (gorillaPeer) serve(t *testing.T, o peerOpts, ev *events) (string, error) {
	up := gorilla.Upgrader{
		Subprotocols:      o.protocols,
		EnableCompression: o.deflate,
		CheckOrigin:       func(*http.Request) bool { return true },
	}
	return startGoServer(t, func(g *goServer, w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			ev.emit(connName(r), "ERROR upgrade:"+err.Error())
			return
		}
		g.track(c.NetConn())
		runAgent(newGorillaConn(c, "?"), connName(r), ev)
	})
}

func (gorillaPeer) dial(t *testing.T, url string, o peerOpts, ev *events) error {
	d := gorilla.Dialer{Subprotocols: o.protocols, EnableCompression: o.deflate, HandshakeTimeout: 10 * time.Second}
	c, resp, err := d.Dial(url, nil)
	if err != nil {
		return err
	}
	t.Cleanup(func() { c.NetConn().Close() })
	defl := "0"
	if strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
		defl = "1"
	}
	go runAgent(newGorillaConn(c, defl), urlName(url), ev)
	return nil
}

type gorillaConn struct {
	c    *gorilla.Conn
	pch  chan []byte
	defl string
}

func newGorillaConn(c *gorilla.Conn, defl string) *gorillaConn {
	g := &gorillaConn{c: c, pch: make(chan []byte, 4), defl: defl}
	c.SetPongHandler(func(s string) error { pushPong(g.pch, []byte(s)); return nil })
	return g
}

func gorillaType(text bool) int {
	if text {
		return gorilla.TextMessage
	}
	return gorilla.BinaryMessage
}

func (g *gorillaConn) next() (bool, []byte, error) {
	typ, data, err := g.c.ReadMessage()
	var ce *gorilla.CloseError
	if errors.As(err, &ce) {
		return false, nil, &closedError{ce.Code, ce.Text}
	}
	return typ == gorilla.TextMessage, data, err
}
func (g *gorillaConn) send(text bool, data []byte) error {
	return g.c.WriteMessage(gorillaType(text), data)
}
func (g *gorillaConn) sendStream(text bool, data []byte, n int) error {
	w, err := g.c.NextWriter(gorillaType(text))
	if err != nil {
		return err
	}
	if err := chunks(data, n, func(b []byte) error { _, err := w.Write(b); return err }); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
func (g *gorillaConn) ping(p []byte) error {
	return g.c.WriteControl(gorilla.PingMessage, p, time.Now().Add(5*time.Second))
}
func (g *gorillaConn) pongs() <-chan []byte { return g.pch }
func (g *gorillaConn) close(code int, reason string) error {
	return g.c.WriteControl(gorilla.CloseMessage, gorilla.FormatCloseMessage(code, reason), time.Now().Add(5*time.Second))
}
func (g *gorillaConn) protocol() string { return g.c.Subprotocol() }
func (g *gorillaConn) deflate() string  { return g.defl }
func (g *gorillaConn) abort()           { g.c.NetConn().Close() }

// ---- github.com/gobwas/ws ----

type gobwasPeer struct{}

func (gobwasPeer) name() string { return "gobwas/ws" }
func (gobwasPeer) setup(*testing.T) (string, error) {
	return goModuleVersion("github.com/gobwas/ws"), nil
}
func (gobwasPeer) deflate() (bool, string) { return true, "" }
func (gobwasPeer) fixedPing() bool         { return false }
func (gobwasPeer) note() string {
	return "gobwas/ws is a toolkit too: its agent is built from ws (handshake, frames), wsutil (Reader with CheckUTF8 and OnIntermediate, Writer for streaming) and wsflate with compress/flate (per-message compression, no context takeover), as its documentation shows. (wsflate.Reader over github.com/klauspost/compress/flate instead of compress/flate fails on some valid messages from wskit, \"flate: corrupt input\" in its added final block, while compress/flate and zlib decode them.)"
}

func (gobwasPeer) serve(t *testing.T, o peerOpts, ev *events) (string, error) {
	return startGoServer(t, func(g *goServer, w http.ResponseWriter, r *http.Request) {
		ext := &wsflate.Extension{Parameters: wsflate.DefaultParameters}
		u := ws.HTTPUpgrader{
			Protocol: func(p string) bool { return slices.Contains(o.protocols, p) },
		}
		if o.deflate {
			u.Negotiate = ext.Negotiate
		}
		nc, rw, hs, err := u.Upgrade(r, w)
		if err != nil {
			ev.emit(connName(r), "ERROR upgrade:"+err.Error())
			return
		}
		g.track(nc)
		_, deflated := ext.Accepted()
		runAgent(newGobwasConn(nc, rw.Reader, ws.StateServerSide, hs.Protocol, deflated), connName(r), ev)
	})
}

func (gobwasPeer) dial(t *testing.T, url string, o peerOpts, ev *events) error {
	d := ws.Dialer{Protocols: o.protocols, Timeout: 10 * time.Second}
	if o.deflate {
		d.Extensions = []httphead.Option{wsflate.DefaultParameters.Option()}
	}
	nc, br, hs, err := d.Dial(context.Background(), url)
	if err != nil {
		return err
	}
	t.Cleanup(func() { nc.Close() })
	deflated := false
	for _, e := range hs.Extensions {
		if string(e.Name) == wsflate.ExtensionName {
			deflated = true
		}
	}
	var src io.Reader = nc
	if br != nil {
		src = br
	}
	go runAgent(newGobwasConn(nc, src, ws.StateClientSide, hs.Protocol, deflated), urlName(url), ev)
	return nil
}

type gobwasConn struct {
	nc       net.Conn
	state    ws.State
	rd       *wsutil.Reader
	proto    string
	deflated bool
	msg      wsflate.MessageState // compression of the message being read
	pch      chan []byte

	wmu       sync.Mutex // serializes the reader's replies with the agent's sends
	closeSent bool
}

func newGobwasConn(nc net.Conn, src io.Reader, state ws.State, proto string, deflated bool) *gobwasConn {
	g := &gobwasConn{nc: nc, state: state, proto: proto, deflated: deflated, pch: make(chan []byte, 4)}
	g.rd = &wsutil.Reader{Source: src, State: state, CheckUTF8: !deflated, OnIntermediate: g.control}
	if deflated {
		// RSV1 is allowed by StateExtended and cleared by the MessageState,
		// as wsflate's documentation shows.
		g.rd.State |= ws.StateExtended
		g.rd.Extensions = []wsutil.RecvExtension{&g.msg}
	}
	return g
}

// control handles a control frame: pings are answered, pongs reported,
// a close answered (unless this side closed first) and returned.
func (g *gobwasConn) control(h ws.Header, r io.Reader) error {
	p, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	switch h.OpCode {
	case ws.OpPing:
		return g.writeFrame(ws.OpPong, p)
	case ws.OpPong:
		pushPong(g.pch, p)
		return nil
	case ws.OpClose:
		code, reason := ws.ParseCloseFrameData(p)
		g.wmu.Lock()
		sent := g.closeSent
		g.wmu.Unlock()
		if !sent {
			var body []byte
			if !code.Empty() {
				body = ws.NewCloseFrameBody(code, "")
			}
			g.writeFrame(ws.OpClose, body)
		}
		c := int(code)
		if code.Empty() {
			c = 1005
		}
		return &closedError{c, reason}
	}
	return nil
}

func (g *gobwasConn) writeFrame(op ws.OpCode, p []byte) error {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if op == ws.OpClose {
		g.closeSent = true
	}
	return wsutil.WriteMessage(g.nc, g.state, op, append([]byte{}, p...))
}

func (g *gobwasConn) next() (bool, []byte, error) {
	for {
		h, err := g.rd.NextFrame()
		if err != nil {
			return false, nil, err
		}
		if h.OpCode.IsControl() {
			if err := g.control(h, g.rd); err != nil {
				return false, nil, err
			}
			continue
		}
		data, err := io.ReadAll(g.rd)
		if err != nil {
			return false, nil, err
		}
		if g.deflated && g.msg.IsCompressed() {
			fr := wsflate.NewReader(bytes.NewReader(data), func(r io.Reader) wsflate.Decompressor { return flate.NewReader(r) })
			if data, err = io.ReadAll(fr); err != nil {
				return false, nil, err
			}
		}
		return h.OpCode == ws.OpText, data, nil
	}
}

func gobwasOp(text bool) ws.OpCode {
	if text {
		return ws.OpText
	}
	return ws.OpBinary
}

func (g *gobwasConn) send(text bool, data []byte) error {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if !g.deflated {
		return wsutil.WriteMessage(g.nc, g.state, gobwasOp(text), data)
	}
	// Compressed as wsflate's documentation shows.
	var st wsflate.MessageState
	st.SetCompressed(true)
	w := wsutil.NewWriter(g.nc, g.state|ws.StateExtended, gobwasOp(text))
	w.SetExtensions(&st)
	fw := wsflate.NewWriter(w, func(w io.Writer) wsflate.Compressor {
		c, _ := flate.NewWriter(w, flate.DefaultCompression)
		return c
	})
	if _, err := fw.Write(data); err != nil {
		return err
	}
	if err := fw.Close(); err != nil {
		return err
	}
	return w.Flush()
}

func (g *gobwasConn) sendStream(text bool, data []byte, n int) error {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	// A Writer of n bytes sends a fragment each time its buffer fills.
	w := wsutil.NewWriterSize(g.nc, g.state, gobwasOp(text), n)
	if err := chunks(data, n, func(b []byte) error { _, err := w.Write(b); return err }); err != nil {
		return err
	}
	return w.Flush()
}

func (g *gobwasConn) ping(p []byte) error  { return g.writeFrame(ws.OpPing, p) }
func (g *gobwasConn) pongs() <-chan []byte { return g.pch }
func (g *gobwasConn) close(code int, reason string) error {
	return g.writeFrame(ws.OpClose, ws.NewCloseFrameBody(ws.StatusCode(code), reason))
}
func (g *gobwasConn) protocol() string { return g.proto }
func (g *gobwasConn) deflate() string {
	if g.deflated {
		return "1"
	}
	return "0"
}
func (g *gobwasConn) abort() { g.nc.Close() }

// ---- github.com/coder/websocket ----

type coderPeer struct{}

func (coderPeer) name() string { return "coder/websocket" }
func (coderPeer) setup(*testing.T) (string, error) {
	return goModuleVersion("github.com/coder/websocket"), nil
}
func (coderPeer) deflate() (bool, string) { return true, "" }
func (coderPeer) fixedPing() bool         { return true }
func (coderPeer) note() string {
	return "coder/websocket's Conn.Ping chooses its own payload and returns once the pong with that payload arrived; \"ping from peer\" checks that, and that the pong is not empty. Its close waits for the peer's close itself."
}

func coderMode(deflate bool) websocket.CompressionMode {
	if deflate {
		return websocket.CompressionContextTakeover
	}
	return websocket.CompressionDisabled
}

func (coderPeer) serve(t *testing.T, o peerOpts, ev *events) (string, error) {
	return startGoServer(t, func(g *goServer, w http.ResponseWriter, r *http.Request) {
		cc := newCoderConn("?")
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
			Subprotocols:    o.protocols,
			CompressionMode: coderMode(o.deflate),
			OnPongReceived:  cc.onPong,
		})
		if err != nil {
			ev.emit(connName(r), "ERROR accept:"+err.Error())
			return
		}
		cc.c = c
		g.track(closerFunc(func() error { return c.CloseNow() }))
		runAgent(cc, connName(r), ev)
	})
}

func (coderPeer) dial(t *testing.T, url string, o peerOpts, ev *events) error {
	cc := newCoderConn("0")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		Subprotocols:    o.protocols,
		CompressionMode: coderMode(o.deflate),
		OnPongReceived:  cc.onPong,
	})
	if err != nil {
		return err
	}
	if strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
		cc.defl = "1"
	}
	cc.c = c
	t.Cleanup(func() { c.CloseNow() })
	go runAgent(cc, urlName(url), ev)
	return nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

type coderConn struct {
	c    *websocket.Conn
	defl string
	pch  chan []byte

	mu   sync.Mutex
	last []byte // the payload of the last pong
}

func newCoderConn(defl string) *coderConn {
	return &coderConn{defl: defl, pch: make(chan []byte, 4)}
}

func (c *coderConn) onPong(_ context.Context, p []byte) {
	c.mu.Lock()
	c.last = append([]byte{}, p...)
	c.mu.Unlock()
}

func coderType(text bool) websocket.MessageType {
	if text {
		return websocket.MessageText
	}
	return websocket.MessageBinary
}

func (c *coderConn) next() (bool, []byte, error) {
	c.c.SetReadLimit(maxMessage)
	typ, data, err := c.c.Read(context.Background())
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return false, nil, &closedError{int(ce.Code), ce.Reason}
	}
	return typ == websocket.MessageText, data, err
}

func (c *coderConn) send(text bool, data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), msgTimeout)
	defer cancel()
	return c.c.Write(ctx, coderType(text), data)
}

func (c *coderConn) sendStream(text bool, data []byte, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), msgTimeout)
	defer cancel()
	w, err := c.c.Writer(ctx, coderType(text))
	if err != nil {
		return err
	}
	if err := chunks(data, n, func(b []byte) error { _, err := w.Write(b); return err }); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// ping has coder ping with its own payload; once Ping returns (the pong
// with that payload arrived) the pong's payload goes to pongs.
func (c *coderConn) ping([]byte) error {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.c.Ping(ctx); err != nil {
			return
		}
		c.mu.Lock()
		p := c.last
		c.mu.Unlock()
		pushPong(c.pch, p)
	}()
	return nil
}
func (c *coderConn) pongs() <-chan []byte { return c.pch }

// close runs coder's whole closing handshake.
func (c *coderConn) close(code int, reason string) error {
	return c.c.Close(websocket.StatusCode(code), reason)
}
func (c *coderConn) protocol() string { return c.c.Subprotocol() }
func (c *coderConn) deflate() string  { return c.defl }
func (c *coderConn) abort()           { c.c.CloseNow() }

// ---- github.com/lxzan/gws ----

type gwsPeer struct{}

func (gwsPeer) name() string { return "lxzan/gws" }
func (gwsPeer) setup(*testing.T) (string, error) {
	return goModuleVersion("github.com/lxzan/gws"), nil
}
func (gwsPeer) deflate() (bool, string) { return true, "" }
func (gwsPeer) fixedPing() bool         { return false }
func (gwsPeer) note() string {
	return "lxzan/gws's BuiltinEventHandler answers a ping with an empty pong; its agent answers with the ping's payload (WritePong(payload) in OnPing), as RFC 6455 §5.5.3 requires. Its server, with client context takeover, answers client_max_window_bits=12 even when the client did not offer the parameter (RFC 7692 §7.1.2.2 forbids that; wskit's client refuses the handshake), so the agent sets ClientMaxWindowBits to 15, which leaves it out. Its streaming writer (WriteFile) sends 128 KiB fragments whatever the agent asks for, and its WriteClose closes the TCP connection right after the close frame, without waiting for the answer."
}

// gwsDeflate is gws's permessage-deflate with context takeover. A gws
// server with client context takeover answers client_max_window_bits=12
// (its default) even to an offer without that parameter, which RFC 7692
// §7.1.2.2 forbids and wskit's client rightly refuses; ClientMaxWindowBits
// 15 keeps the parameter out of its answer.
func gwsDeflate(on bool) gws.PermessageDeflate {
	return gws.PermessageDeflate{Enabled: on, ServerContextTakeover: true, ClientContextTakeover: true, ClientMaxWindowBits: 15}
}

func (gwsPeer) serve(t *testing.T, o peerOpts, ev *events) (string, error) {
	return startGoServer(t, func(g *goServer, w http.ResponseWriter, r *http.Request) {
		h := newGwsConn(connName(r), ev)
		up := gws.NewUpgrader(h, &gws.ServerOption{
			SubProtocols:        o.protocols,
			PermessageDeflate:   gwsDeflate(o.deflate),
			ReadMaxPayloadSize:  maxMessage,
			WriteMaxPayloadSize: maxMessage,
			CheckUtf8Enabled:    true,
		})
		c, err := up.Upgrade(w, r)
		if err != nil {
			ev.emit(connName(r), "ERROR upgrade:"+err.Error())
			return
		}
		h.c = c
		h.defl = "?"
		g.track(c.NetConn())
		go c.ReadLoop()
		runAgent(h, connName(r), ev)
	})
}

func (gwsPeer) dial(t *testing.T, url string, o peerOpts, ev *events) error {
	h := newGwsConn(urlName(url), ev)
	hdr := http.Header{}
	hdr.Set("Sec-WebSocket-Protocol", strings.Join(o.protocols, ", "))
	c, resp, err := gws.NewClient(h, &gws.ClientOption{
		Addr:                url,
		RequestHeader:       hdr,
		PermessageDeflate:   gwsDeflate(o.deflate),
		ReadMaxPayloadSize:  maxMessage,
		WriteMaxPayloadSize: maxMessage,
		CheckUtf8Enabled:    true,
		HandshakeTimeout:    10 * time.Second,
	})
	if err != nil {
		return err
	}
	h.c = c
	h.defl = "0"
	if strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
		h.defl = "1"
	}
	t.Cleanup(func() { c.NetConn().Close() })
	go c.ReadLoop()
	go runAgent(h, urlName(url), ev)
	return nil
}

// gwsConn adapts gws's event handler to the agent: events go to channels.
type gwsConn struct {
	c    *gws.Conn
	defl string
	msgs chan gwsMsg
	pch  chan []byte
}

type gwsMsg struct {
	text bool
	data []byte
	err  error
}

func newGwsConn(string, *events) *gwsConn {
	return &gwsConn{msgs: make(chan gwsMsg, 16), pch: make(chan []byte, 4)}
}

func (g *gwsConn) OnOpen(*gws.Conn) {}
func (g *gwsConn) OnClose(_ *gws.Conn, err error) {
	var ce *gws.CloseError
	if errors.As(err, &ce) {
		err = &closedError{int(ce.Code), string(ce.Reason)}
	} else if err == nil {
		err = io.EOF
	}
	g.msgs <- gwsMsg{err: err}
}
func (g *gwsConn) OnPing(c *gws.Conn, p []byte) { c.WritePong(p) }
func (g *gwsConn) OnPong(_ *gws.Conn, p []byte) { pushPong(g.pch, p) }
func (g *gwsConn) OnMessage(_ *gws.Conn, m *gws.Message) {
	g.msgs <- gwsMsg{text: m.Opcode == gws.OpcodeText, data: append([]byte{}, m.Bytes()...)}
	m.Close()
}

func gwsOp(text bool) gws.Opcode {
	if text {
		return gws.OpcodeText
	}
	return gws.OpcodeBinary
}

func (g *gwsConn) next() (bool, []byte, error) {
	m := <-g.msgs
	return m.text, m.data, m.err
}
func (g *gwsConn) send(text bool, data []byte) error { return g.c.WriteMessage(gwsOp(text), data) }
func (g *gwsConn) sendStream(text bool, data []byte, _ int) error {
	return g.c.WriteFile(gwsOp(text), bytes.NewReader(data))
}
func (g *gwsConn) ping(p []byte) error  { return g.c.WritePing(p) }
func (g *gwsConn) pongs() <-chan []byte { return g.pch }
func (g *gwsConn) close(code int, reason string) error {
	return g.c.WriteClose(uint16(code), []byte(reason))
}
func (g *gwsConn) protocol() string { return g.c.SubProtocol() }
func (g *gwsConn) deflate() string  { return g.defl }
func (g *gwsConn) abort()           { g.c.NetConn().Close() }
