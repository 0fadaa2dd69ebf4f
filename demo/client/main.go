// Command client is a command-line WebSocket client built from wskit, like
// wscat or websocat.
//
//	go run ./demo/client ws://127.0.0.1:8080/echo
//
// It prints the agreed subprotocol and extensions ("connected: protocol=-
// extensions=permessage-deflate; server_no_context_takeover"), sends each
// line read from standard input as a text message (-binary: binary), prints
// every message it receives, answers pings, and closes with 1000 at the end
// of input (Ctrl-D) or on Ctrl-C. It says who closed the connection ("closed
// by the client: ..." or "closed by the server: ...") and exits 0 after a
// clean close, non-zero, with a message, when the handshake or the
// connection fails.
//
// Flags: -protocol and -origin for the handshake, -header 'K: V' (repeated)
// for extra header fields, -insecure to accept a self-signed certificate on
// wss://, -unix PATH to dial a UNIX socket, -record FILE to write what the
// server sends, as raw bytes above TLS, to FILE: its handshake response and
// every frame (read it with demo/dump, -inflate for compressed messages), -deflate to
// offer permessage-deflate, and -echo to send every message received back
// instead of reading standard input.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, sig))
}

// run is the client; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, interrupt <-chan os.Signal) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	c, err := dial(o)
	if err != nil {
		fmt.Fprintln(stderr, "client:", err)
		return 1
	}
	defer c.close()
	fmt.Fprintln(stderr, "connected:", c.agreed())
	if o.echo {
		return c.echo(stderr)
	}
	return c.interactive(stdin, stdout, stderr, interrupt)
}
