// Command netconn-adapter runs HTTP inside a WebSocket: the server answers
// HTTP requests that arrive as the messages of a WebSocket, through
// Endpoint.NetConn. It is the program of docs/guides/netconn-adapter.md.
//
//	go run ./docs/guides/netconn-adapter                 # server and client in one process
//	go run ./docs/guides/netconn-adapter -serve 127.0.0.1:8080
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
)

func main() {
	serveAt := flag.String("serve", "", "only serve, on this address")
	flag.Parse()
	addr := "127.0.0.1:0"
	if *serveAt != "" {
		addr = *serveAt
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	if *serveAt != "" {
		log.Printf("tunnel at ws://%s/tunnel", ln.Addr())
		log.Fatal(http.Serve(ln, tunnel(app())))
	}
	go http.Serve(ln, tunnel(app()))

	hc, closeTunnel, err := dialTunnel("ws://" + ln.Addr().String() + "/tunnel")
	if err != nil {
		log.Fatal(err)
	}
	defer closeTunnel()
	for _, path := range []string{"/hello", "/hello?name=tunnel"} {
		resp, err := hc.Get("http://inner" + path) // the host is ignored: there is one connection
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("GET %s: %s %s", path, resp.Status, body)
	}
}

// app is the inner HTTP application.
func app() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "world"
		}
		fmt.Fprintf(w, "hello, %s\n", name)
	})
	return mux
}

// tunnel upgrades requests to WebSockets and serves inner on each, as one
// HTTP/1.1 connection.
func tunnel(inner http.Handler) http.Handler {
	cfg := &server.Config{Protocols: []string{"http"}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r)
		if err != nil {
			return
		}
		// The net/http handler may return: the connection is hijacked.
		ep := endpoint.New(frame.Server, up.Conn, up.Conn,
			endpoint.ParserOptions(parser.Leftover(up.Buffered)))
		// Binary: HTTP is bytes, and text messages would be checked for UTF-8.
		conn := ep.NetConn(frame.OpBinary)
		srv := &http.Server{Handler: inner, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(newOneConnListener(conn))
	})
}

// dialTunnel opens the WebSocket and returns an HTTP client whose only
// connection is that WebSocket, and a function that closes it.
func dialTunnel(url string) (*http.Client, func(), error) {
	req, err := client.NewRequest(url, &client.Config{Protocols: []string{"http"}})
	if err != nil {
		return nil, nil, err
	}
	tcp, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		return nil, nil, err
	}
	ep, err := handshakeOn(tcp, req)
	if err != nil {
		tcp.Close()
		return nil, nil, err
	}
	conn := ep.NetConn(frame.OpBinary)

	var once sync.Once
	tr := &http.Transport{
		// Every dial gets the one WebSocket; MaxConnsPerHost keeps it to one.
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			var c net.Conn
			once.Do(func() { c = conn })
			if c == nil {
				return nil, fmt.Errorf("the tunnel carries one connection")
			}
			return c, nil
		},
		MaxConnsPerHost: 1,
	}
	// Closing the idle connection runs conn.Close: the closing handshake
	// (1000), then the TCP connection is closed.
	return &http.Client{Transport: tr}, tr.CloseIdleConnections, nil
}

// oneConnListener is a net.Listener that yields one connection, then
// reports itself closed once that connection is closed, so that
// http.Server.Serve returns.
type oneConnListener struct {
	conn net.Conn
	once sync.Once
	done chan struct{}
}

func newOneConnListener(c net.Conn) *oneConnListener {
	l := &oneConnListener{done: make(chan struct{})}
	l.conn = &notifyConn{Conn: c, done: l.done}
	return l
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	var c net.Conn
	l.once.Do(func() { c = l.conn })
	if c != nil {
		return c, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error   { return nil }
func (l *oneConnListener) Addr() net.Addr { return l.conn.LocalAddr() }

// notifyConn closes done when it is closed.
type notifyConn struct {
	net.Conn
	once sync.Once
	done chan struct{}
}

func (c *notifyConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.done) })
	return err
}

// handshakeOn runs the client's side of the handshake on tcp.
func handshakeOn(tcp net.Conn, req *client.Request) (*endpoint.Endpoint, error) {
	tcp.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := req.WriteTo(tcp); err != nil {
		return nil, err
	}
	br := bufio.NewReader(tcp)
	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
	if err != nil {
		return nil, err
	}
	res, err := req.Verify(resp)
	if err != nil {
		return nil, err
	}
	if res.Protocol != "http" {
		return nil, fmt.Errorf("server chose subprotocol %q", res.Protocol)
	}
	tcp.SetDeadline(time.Time{})
	leftover, _ := br.Peek(br.Buffered())
	return endpoint.New(frame.Client, tcp, tcp, endpoint.ParserOptions(parser.Leftover(leftover))), nil
}
