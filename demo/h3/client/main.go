// Command client is a WebSocket client over HTTP/3 (RFC 9220): it sends
// each line of its standard input as a text message and prints what comes
// back, then closes with 1000 at the end of the input.
//
//	go -C demo/h3 run ./client -insecure wss://127.0.0.1:8443/echo
//
// -insecure accepts any certificate, such as the self-signed one of
// demo/h3 (go -C demo/h3 run .); -ca names a PEM file of roots to trust
// instead.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/client"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

func run(args []string, in io.Reader, out, errw io.Writer) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(errw)
	insecure := fs.Bool("insecure", false, "accept any server certificate (for a self-signed demo server)")
	caFile := fs.String("ca", "", "PEM file of the roots to trust")
	protocols := fs.String("protocol", "", "comma-separated subprotocols to offer")
	timeout := fs.Duration("timeout", 10*time.Second, "time to open the WebSocket")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: client [-insecure] [-ca file] [-protocol p1,p2] wss://host:port/path")
	}
	tc := &tls.Config{InsecureSkipVerify: *insecure}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return err
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s: no certificate", *caFile)
		}
	}
	cfg := &client.Config{}
	if *protocols != "" {
		cfg.Protocols = strings.Split(*protocols, ",")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	c, qconn, err := (&h3ws.Dialer{TLS: tc}).Dial(ctx, fs.Arg(0), cfg)
	if err != nil {
		return err
	}
	defer qconn.CloseWithError(0, "")
	fmt.Fprintf(errw, "connected over HTTP/3 (subprotocol %q)\n", c.Protocol)

	done := make(chan error, 1)
	go func() {
		for {
			m, err := c.NextMessage()
			if err != nil {
				done <- err
				return
			}
			fmt.Fprintf(out, "< %s\n", m.Data)
		}
	}()
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if err := c.WriteMessage(frame.OpText, sc.Bytes()); err != nil {
			return err
		}
	}
	// SendClose, not Close: the reader goes on receiving the echoes still
	// in flight until the server's close; NextMessage then ends the stream.
	if err := c.Endpoint().SendClose(frame.CloseNormal, ""); err != nil {
		return err
	}
	select {
	case err := <-done:
		fmt.Fprintln(errw, "closed:", err)
	case <-time.After(*timeout):
		c.Abort()
		return errors.New("the server did not close in time")
	}
	return nil
}
