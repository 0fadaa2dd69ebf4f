// Command net-http-server is a WebSocket echo server on net/http. It is the
// program of docs/guides/net-http-server.md.
//
//	go run ./docs/guides/net-http-server -addr 127.0.0.1:8080
//	go run ./demo/client -protocol echo.v1 ws://127.0.0.1:8080/echo
//
// Ctrl-C closes every connection with 1001 (going away).
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Printf("listening on ws://%s/echo", ln.Addr())
	if err := serve(ctx, ln); err != nil {
		log.Fatal(err)
	}
}

// serve runs the server on ln until ctx is done, then closes every
// WebSocket with 1001.
func serve(ctx context.Context, ln net.Listener) error {
	h, err := newHub()
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/echo", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Shutdown stops accepting and waits for plain HTTP requests. It does
	// not know the hijacked WebSocket connections: the hub closes those.
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	h.closeAll()
	return nil
}

// hub upgrades requests, echoes messages and keeps track of its
// connections so that a shutdown can close them.
type hub struct {
	cfg server.Config

	mu    sync.Mutex
	conns map[*endpoint.Endpoint]bool
	down  bool
	wg    sync.WaitGroup
}

func newHub() (*hub, error) {
	// Compress messages of 128 bytes or more; the client may ask for less
	// memory (a smaller window, no context takeover) and the codec obeys.
	deflate, err := pmce.New(pmce.Config{Threshold: 128})
	if err != nil {
		return nil, err
	}
	return &hub{
		cfg: server.Config{
			Protocols: []string{"echo.v2", "echo.v1"}, // our preference first
			// Browsers on these pages may connect besides same-host pages;
			// clients without Origin (not browsers) always may.
			OriginPatterns: []string{"http://localhost:*", "http://127.0.0.1:*"},
			Extensions:     []handshake.Extension{deflate},
			Limits:         handshake.Limits{MaxHeaders: 50, MaxHeaderBytes: 16 << 10},
		},
		conns: map[*endpoint.Endpoint]bool{},
	}, nil
}

func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Authenticate here, before Upgrade: a 401 or a redirect is plain HTTP.
	up, err := h.cfg.Upgrade(w, r) // 101, or the refusal (400, 403, 405, 426, 431) already written
	if err != nil {
		log.Printf("refused %s: %v", r.RemoteAddr, err)
		return
	}
	defer up.Close() // the endpoint owns no socket: closing it is ours

	opts := []endpoint.Option{
		endpoint.MaxMessage(1 << 20), // 1 MiB after decompression
		endpoint.MaxFragments(64),
		endpoint.CloseTimeout(5 * time.Second),
	}
	for _, n := range up.Result.Extensions {
		if x, ok := n.(endpoint.Codec); ok {
			opts = append(opts, endpoint.Extensions(x))
		}
		if c, ok := n.(*pmce.Codec); ok {
			defer c.Release()
		}
	}
	var ep *endpoint.Endpoint
	if up.Conn != nil {
		// HTTP/1.1: read from the net.Conn itself, so that Close can use
		// its deadlines, and hand over what net/http read too early.
		opts = append(opts, endpoint.ParserOptions(parser.Leftover(up.Buffered)))
		ep = endpoint.New(frame.Server, up.Conn, up.Conn, opts...)
	} else {
		ep = endpoint.New(frame.Server, up.Reader, up.Writer, opts...) // HTTP/2 (RFC 8441)
	}
	if !h.add(ep) {
		ep.Close(frame.CloseGoingAway, "server shutting down")
		return
	}
	defer h.remove(ep)

	for {
		m, err := ep.NextMessage() // pings, pongs and close are answered on the way
		if err != nil {
			var ce *endpoint.CloseError
			if !errors.As(err, &ce) {
				log.Printf("%s: %v", r.RemoteAddr, err) // a violation; the close frame is sent
			}
			return
		}
		if err := ep.WriteMessage(m.Type, m.Data); err != nil {
			return
		}
	}
}

func (h *hub) add(ep *endpoint.Endpoint) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return false
	}
	h.conns[ep] = true
	h.wg.Add(1)
	return true
}

func (h *hub) remove(ep *endpoint.Endpoint) {
	h.mu.Lock()
	delete(h.conns, ep)
	h.mu.Unlock()
	h.wg.Done()
}

// closeAll starts the closing handshake with 1001 on every connection and
// waits for the handlers to return.
func (h *hub) closeAll() {
	h.mu.Lock()
	h.down = true
	for ep := range h.conns {
		// Close waits for the peer's answer; the handler's NextMessage
		// sees it and returns.
		go ep.Close(frame.CloseGoingAway, "server shutting down")
	}
	h.mu.Unlock()
	h.wg.Wait()
}
