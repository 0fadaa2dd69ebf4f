// Command h3 is wskit's WebSocket echo server over HTTP/3 (RFC 9220), and
// over HTTP/1.1 (RFC 6455) and HTTP/2 (RFC 8441) on the same port over TCP,
// so that one URL works for every client:
//
//	go -C demo/h3 run .                                  # wss://127.0.0.1:8443/echo
//	go -C demo/h3 run ./client -insecure wss://127.0.0.1:8443/echo
//
// It listens on UDP (QUIC, ALPN h3) and TCP (TLS, ALPN h2 and http/1.1) at
// -addr, and announces HTTP/3 to TCP clients with Alt-Svc. Any request that
// opens a WebSocket, on any path, is an echo endpoint: every text or binary
// message comes back unchanged. The subprotocols "echo" and "chat" can be
// negotiated, and permessage-deflate unless -deflate=false. Without -cert
// and -key it makes a self-signed certificate for localhost, 127.0.0.1 and
// ::1. On SIGINT or SIGTERM it stops.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/wskit/wskit/demo/h3/internal/xconnect" // before net/http: Extended CONNECT for HTTP/2
)

func main() {
	if err := run(os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "h3:", err)
		os.Exit(1)
	}
}

// run serves until a signal arrives (or stop is closed, for tests).
func run(args []string, logw io.Writer, stop <-chan struct{}) error {
	fs := flag.NewFlagSet("h3", flag.ContinueOnError)
	fs.SetOutput(logw)
	addr := fs.String("addr", "127.0.0.1:8443", "UDP and TCP address to listen on")
	certFile := fs.String("cert", "", "TLS certificate file (PEM); with -key, instead of a self-signed one")
	keyFile := fs.String("key", "", "TLS key file (PEM)")
	deflate := fs.Bool("deflate", true, "accept permessage-deflate (RFC 7692)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*certFile == "") != (*keyFile == "") {
		return fmt.Errorf("-cert and -key go together")
	}
	logger := log.New(logw, "", log.LstdFlags)
	cert, err := loadCert(*certFile, *keyFile)
	if err != nil {
		return err
	}
	hs, err := newConfig(*deflate)
	if err != nil {
		return err
	}
	s, err := listen(*addr, cert, hs, logger)
	if err != nil {
		return err
	}
	logger.Printf("wskit h3: wss://%s/echo (HTTP/3 over UDP; HTTP/1.1 and HTTP/2 over TCP)", s.Addr())
	served := make(chan error, 2)
	go func() { served <- s.serve() }()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case v := <-sig:
		logger.Printf("wskit h3: %v: stopping", v)
	case <-stop:
	case err := <-served:
		s.close()
		return err
	}
	s.close()
	logger.Printf("wskit h3: stopped")
	return nil
}
