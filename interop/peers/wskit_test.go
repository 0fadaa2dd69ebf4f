package peers

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

// maxMessage bounds messages on both sides: the largest test message is
// 16 MiB.
const maxMessage = 64 << 20

// The subprotocols: a client offers clientProtocols, a server speaks
// serverProtocols; the one they share is wantProtocol.
var (
	clientProtocols = []string{"v1.interop", "v2.interop"}
	serverProtocols = []string{"v2.interop", "v3.interop"}
)

const wantProtocol = "v2.interop"

// received is a message the wskit side received, with what its frames
// looked like on the wire.
type received struct {
	op     frame.Opcode
	data   []byte
	frames int  // data frames it arrived in
	rsv1   bool // its first frame had RSV1 (compressed)
}

// wsConn is the wskit side of one connection: an Endpoint, a goroutine
// that reads it, and a tap that sees the frames the Endpoint reads.
type wsConn struct {
	nc       net.Conn
	ep       *endpoint.Endpoint
	role     frame.Role
	protocol string
	deflate  bool // permessage-deflate agreed
	codecs   []*pmce.Codec
	tap      *tap

	msgs   chan received
	done   chan struct{}
	endErr error // valid once done is closed
	once   sync.Once
}

func (c *wsConn) start() {
	c.msgs = make(chan received, 16)
	c.done = make(chan struct{})
	go func() {
		defer close(c.done)
		for {
			m, err := c.ep.NextMessage()
			if err != nil {
				c.endErr = err
				return
			}
			r := received{op: m.Type, data: append([]byte(nil), m.Data...)}
			select {
			case info := <-c.tap.messages:
				r.frames, r.rsv1 = info.frames, info.rsv1
			default:
			}
			c.msgs <- r
		}
	}()
}

// recv returns the next message, or the error that ended the connection.
func (c *wsConn) recv(d time.Duration) (received, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case m := <-c.msgs:
		return m, nil
	case <-c.done:
		select {
		case m := <-c.msgs:
			return m, nil
		default:
		}
		return received{}, c.endErr
	case <-t.C:
		return received{}, fmt.Errorf("no message within %v", d)
	}
}

// end waits for the reading goroutine to stop and returns its error.
func (c *wsConn) end(d time.Duration) error {
	select {
	case <-c.done:
		return c.endErr
	case <-time.After(d):
		return fmt.Errorf("the connection did not end within %v", d)
	}
}

// shutdown closes the transport: at once for a server, after the server had
// a moment to close first for a client (RFC 6455 §7.1.1).
func (c *wsConn) shutdown() { c.once.Do(c.doShutdown) }

func (c *wsConn) doShutdown() {
	if c.role == frame.Client {
		select {
		case <-c.done:
		case <-time.After(200 * time.Millisecond):
		}
	}
	c.nc.Close()
	<-c.done
	for _, codec := range c.codecs {
		codec.Release()
	}
}

func (c *wsConn) command(s string) error {
	return c.ep.WriteMessage(frame.OpText, []byte("CMD "+s))
}

// reply waits for the agent's text answer that starts with prefix.
func (c *wsConn) reply(prefix string, d time.Duration) (string, error) {
	m, err := c.recv(d)
	if err != nil {
		return "", fmt.Errorf("waiting for %q: %w", prefix, err)
	}
	if m.op != frame.OpText || !strings.HasPrefix(string(m.data), prefix+" ") {
		return "", fmt.Errorf("waiting for %q: got %s message of %d bytes: %.60q", prefix, m.op, len(m.data), m.data)
	}
	return strings.TrimPrefix(string(m.data), prefix+" "), nil
}

// newEndpoint builds the Endpoint and its tap over nc, with the bytes
// already read past the handshake.
func newWSConn(role frame.Role, nc net.Conn, leftover []byte, protocol string, agreed []handshake.Negotiated) *wsConn {
	c := &wsConn{nc: nc, role: role, protocol: protocol}
	opts := []endpoint.Option{
		endpoint.MaxMessage(maxMessage),
		endpoint.FrameSize(fragFrame),
		endpoint.ParserOptions(parser.Leftover(leftover)),
		endpoint.CloseTimeout(5 * time.Second),
	}
	for _, n := range agreed {
		if ext, ok := n.(endpoint.Codec); ok {
			opts = append(opts, endpoint.Extensions(ext))
		}
		if codec, ok := n.(*pmce.Codec); ok {
			c.codecs = append(c.codecs, codec)
			c.deflate = true
		}
	}
	c.tap = newTap(role, leftover)
	c.ep = endpoint.New(role, &tappedConn{Conn: nc, tap: c.tap}, nc, opts...)
	c.start()
	return c
}

// wskitDeflate is the permessage-deflate configuration of wskit's side:
// the defaults, or a memory class TestPeersClasses tries.
var wskitDeflate = pmce.Config{}

// dialWskit connects a wskit client to url as demo/client does.
func dialWskit(ctx context.Context, url string, deflate bool) (*wsConn, error) {
	cfg := &client.Config{Protocols: clientProtocols}
	if deflate {
		ext, err := pmce.New(wskitDeflate)
		if err != nil {
			return nil, err
		}
		cfg.Extensions = []handshake.Extension{ext}
	}
	req, err := client.NewRequest(url, cfg)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", req.URL.Host)
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := req.WriteTo(nc); err != nil {
		nc.Close()
		return nil, fmt.Errorf("sending the handshake: %w", err)
	}
	br := bufio.NewReader(nc)
	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("reading the handshake response: %w", err)
	}
	res, err := req.Verify(resp)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("handshake refused: %w", err)
	}
	nc.SetDeadline(time.Time{})
	leftover, _ := br.Peek(br.Buffered())
	return newWSConn(frame.Client, nc, append([]byte(nil), leftover...), res.Protocol, res.Extensions), nil
}

// wskitServer is a wskit server as demo/echo builds one: it upgrades each
// request and hands the connection, named by its path, to the test waiting
// for it. A path that starts with "d-" agrees to permessage-deflate.
type wskitServer struct {
	srv   *http.Server
	ln    net.Listener
	plain server.Config
	defl  server.Config

	mu      sync.Mutex
	waiting map[string]chan *wsConn
}

func startWskitServer(t testing.TB) *wskitServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ext, err := pmce.New(wskitDeflate)
	if err != nil {
		t.Fatal(err)
	}
	s := &wskitServer{ln: ln, waiting: map[string]chan *wsConn{}}
	s.plain.Protocols = serverProtocols
	s.defl.Protocols = serverProtocols
	s.defl.Extensions = []handshake.Extension{ext}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *wskitServer) url(name string) string { return "ws://" + s.ln.Addr().String() + "/" + name }

func (s *wskitServer) slot(name string) chan *wsConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.waiting[name]
	if !ok {
		ch = make(chan *wsConn, 1)
		s.waiting[name] = ch
	}
	return ch
}

func (s *wskitServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/")
	cfg := &s.plain
	if strings.HasPrefix(name, "d-") {
		cfg = &s.defl
	}
	up, err := cfg.Upgrade(w, r)
	if err != nil {
		return
	}
	if up.Conn == nil { // HTTP/2: not used here
		up.Close()
		return
	}
	c := newWSConn(frame.Server, up.Conn, append([]byte(nil), up.Buffered...), up.Result.Protocol, up.Result.Extensions)
	select {
	case s.slot(name) <- c:
	default:
		c.shutdown()
	}
}

// accept waits for the connection named name.
func (s *wskitServer) accept(ctx context.Context, name string) (*wsConn, error) {
	select {
	case c := <-s.slot(name):
		return c, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no connection %q reached the wskit server: %w", name, ctx.Err())
	}
}

// tap parses a copy of the bytes the Endpoint reads, to see what the peer
// put on the wire: the payload of each pong, the frames of each message.
type tap struct {
	p        *parser.Parser
	pongs    chan []byte
	messages chan msgInfo
	cur      msgInfo
	err      error
}

type msgInfo struct {
	frames int
	rsv1   bool
}

func newTap(role frame.Role, leftover []byte) *tap {
	t := &tap{
		p:        parser.New(nil, parser.Role(role), parser.MaxPayload(maxMessage), parser.AllowRsv(frame.Rsv1)),
		pongs:    make(chan []byte, 16),
		messages: make(chan msgInfo, 1024),
	}
	t.feed(leftover)
	return t
}

func (t *tap) feed(b []byte) {
	if t.err != nil || len(b) == 0 {
		return
	}
	t.err = t.p.Feed(append([]byte(nil), b...), func(f frame.Frame) error {
		h := f.Header()
		switch h.Opcode {
		case frame.OpPong:
			select {
			case t.pongs <- append([]byte{}, f.(*frame.Pong).Payload...):
			default:
			}
		case frame.OpText, frame.OpBinary, frame.OpContinuation:
			if h.Opcode != frame.OpContinuation {
				t.cur = msgInfo{rsv1: h.Rsv&frame.Rsv1 != 0}
			}
			t.cur.frames++
			if h.Fin {
				select {
				case t.messages <- t.cur:
				default:
				}
			}
		}
		return nil
	})
}

// tappedConn is the transport the Endpoint reads: a net.Conn (so Close can
// set deadlines) whose reads also go to the tap.
type tappedConn struct {
	net.Conn
	tap *tap
}

func (c *tappedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.tap.feed(b[:n])
	return n, err
}

// closeErr extracts the close code and reason from the error that ended a
// wskit connection.
func closeErr(err error) (frame.CloseCode, string, bool) {
	var ce *endpoint.CloseError
	if errors.As(err, &ce) {
		return ce.Code, ce.Reason, true
	}
	return 0, "", false
}
