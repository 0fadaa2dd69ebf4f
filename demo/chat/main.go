package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "chat:", err)
		}
		os.Exit(2)
	}
}

// parseFlags reads the command line.
func parseFlags(args []string, logw io.Writer) (addr string, cfg Config, cc ClusterConfig, err error) {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(logw)
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "TCP address to listen on")
	fs.IntVar(&cfg.MaxBackpressure, "max-backpressure", DefaultMaxBackpressure, "bytes a connection's send queue may hold; past it the connection is dropped")
	fs.Int64Var(&cfg.MaxMessage, "max-message", DefaultMaxMessage, "largest message a client may send, in bytes")
	fs.IntVar(&cfg.WriteBuffer, "write-buffer", 0, "each connection's socket send buffer (SO_SNDBUF) in bytes; 0: the OS's autotuning")
	cc.register(fs)
	if err := fs.Parse(args); err != nil {
		return "", Config{}, ClusterConfig{}, err
	}
	if fs.NArg() > 0 {
		return "", Config{}, ClusterConfig{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfg.MaxBackpressure <= 0 || cfg.MaxMessage <= 0 || cfg.WriteBuffer < 0 {
		return "", Config{}, ClusterConfig{}, errors.New("-max-backpressure and -max-message must be positive, -write-buffer not negative")
	}
	if err := cc.check(); err != nil {
		return "", Config{}, ClusterConfig{}, err
	}
	return addr, cfg, cc, nil
}

// run parses the flags, serves until a signal arrives (or stop is closed,
// for tests), then closes every connection with 1001 and returns.
func run(args []string, logw io.Writer, stop <-chan struct{}) error {
	addr, cfg, cc, err := parseFlags(args, logw)
	if err != nil {
		return err
	}
	logger := log.New(logw, "", log.LstdFlags)
	cfg.Log = logger

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv, err := newNode(cfg, cc) // an unreachable -nats ends the command here
	if err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10, ErrorLog: logger}
	logger.Printf("wskit chat: %s", cc.describe())
	logger.Printf("wskit chat: listening on http://%s", ln.Addr())

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case s := <-sig:
		logger.Printf("wskit chat: %v: closing connections", s)
	case <-stop:
	case err := <-served:
		srv.Close(0)
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	hs.Shutdown(ctx) // stops accepting; the WebSockets are hijacked, ours to close
	if err := srv.Close(3 * time.Second); err != nil {
		logger.Printf("wskit chat: %v", err)
	}
	logger.Printf("wskit chat: stopped")
	return nil
}
