// Command echo is wskit's demo server: a WebSocket echo endpoint and a
// browser page to try it.
//
//	go run ./demo/echo                      # http://127.0.0.1:8080
//	go run ./demo/echo -unix /tmp/echo.sock # on a UNIX socket
//	go run ./demo/echo -h2                  # HTTP/1.1 and HTTP/2 (RFC 8441) over TLS
//
// At / it serves a page that opens a WebSocket to the server, sends text and
// binary messages, asks the server for a ping and closes with a chosen code
// and reason. Any request that asks for an upgrade, on any path, is an echo
// endpoint: every text or binary message comes back unchanged with the same
// type. The subprotocols "echo" and "chat" can be negotiated, and
// permessage-deflate (RFC 7692) unless -deflate=false.
//
// The server logs one line per connection. On SIGINT or SIGTERM it closes
// every connection with 1001 (going away), waits briefly for the peers'
// close frames, and exits 0.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

type options struct {
	addr       string
	unix       string
	h2         bool
	deflate    bool
	maxMessage int64
	maxFrame   int64
	frameSize  int
	origins    string
	heartbeat  time.Duration
	hsTimeout  time.Duration
}

// run serves until a signal arrives (or stop is closed, for tests), then
// shuts down.
func run(args []string, logw io.Writer, stop <-chan struct{}) error {
	var o options
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	fs.SetOutput(logw)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "TCP address to listen on")
	fs.StringVar(&o.unix, "unix", "", "listen on this UNIX socket path instead of -addr")
	fs.BoolVar(&o.h2, "h2", false, "serve TLS with a self-signed certificate, with WebSocket over HTTP/2 (RFC 8441)")
	fs.BoolVar(&o.deflate, "deflate", true, "accept permessage-deflate (RFC 7692)")
	fs.Int64Var(&o.maxMessage, "max-message", 32<<20, "largest message accepted, in bytes")
	fs.Int64Var(&o.maxFrame, "max-frame", 0, "largest frame payload accepted, in bytes (0: as -max-message)")
	fs.IntVar(&o.frameSize, "frame-size", 0, "send messages longer than this in fragments of this size (0: one frame per message)")
	fs.StringVar(&o.origins, "origin", "", "comma-separated origin patterns allowed besides the server's own host (e.g. 'http://localhost:*,*.example.com')")
	fs.DurationVar(&o.heartbeat, "heartbeat", 0, "ping every connection this often and close those that leave 3 pings unanswered (0: off)")
	fs.DurationVar(&o.hsTimeout, "handshake-timeout", 10*time.Second, "longest time a client may take to send its opening handshake")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := log.New(logw, "", log.LstdFlags)

	if o.h2 && !strings.Contains(os.Getenv("GODEBUG"), "http2xconnect=1") {
		// net/http reads this setting once, at start-up: run again with it.
		return reexecWith("GODEBUG=" + joinGodebug(os.Getenv("GODEBUG"), "http2xconnect=1"))
	}

	ln, url, err := listen(o)
	if err != nil {
		return err
	}
	srv := newServer(o, logger)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: o.hsTimeout, MaxHeaderBytes: 64 << 10, ErrorLog: logger}
	if o.h2 {
		cert, err := selfSigned()
		if err != nil {
			return err
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
		ln = tls.NewListener(ln, hs.TLSConfig)
		hs.Protocols = new(http.Protocols)
		hs.Protocols.SetHTTP1(true)
		hs.Protocols.SetHTTP2(true)
	}
	logger.Printf("wskit echo: listening on %s", url)

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case s := <-sig:
		logger.Printf("wskit echo: %v: closing connections", s)
	case <-stop:
	case err := <-served:
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	hs.Shutdown(ctx) // stops accepting; hijacked connections are ours to close
	srv.shutdown(2 * time.Second)
	if o.unix != "" {
		os.Remove(o.unix)
	}
	logger.Printf("wskit echo: stopped")
	return nil
}

// listen opens the TCP or UNIX listener and names its URL.
func listen(o options) (net.Listener, string, error) {
	scheme := "http"
	if o.h2 {
		scheme = "https"
	}
	if o.unix == "" {
		ln, err := net.Listen("tcp", o.addr)
		if err != nil {
			return nil, "", err
		}
		return ln, scheme + "://" + ln.Addr().String(), nil
	}
	if fi, err := os.Lstat(o.unix); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, "", fmt.Errorf("%s exists and is not a socket: not removing it", o.unix)
		}
		// A socket file left by an earlier run: remove it if nobody answers there.
		if c, err := net.Dial("unix", o.unix); err == nil {
			c.Close()
			return nil, "", fmt.Errorf("%s: another server is listening there", o.unix)
		}
		if err := os.Remove(o.unix); err != nil {
			return nil, "", err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, "", err
	}
	ln, err := net.Listen("unix", o.unix)
	if err != nil {
		return nil, "", err
	}
	return ln, "unix:" + o.unix, nil
}

func joinGodebug(cur, add string) string {
	if cur == "" {
		return add
	}
	return cur + "," + add
}

// reexecWith runs this program again with one more environment variable.
func reexecWith(env string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, os.Args, append(os.Environ(), env))
}
