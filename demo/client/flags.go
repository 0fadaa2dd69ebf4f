package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

type options struct {
	url      string
	binary   bool
	insecure bool
	unix     string
	protos   []string
	headers  []string
	origin   string
	record   string
	deflate  bool
	echo     bool
	maxMsg   int64
}

// list is a flag that may be repeated.
type list []string

func (l *list) String() string     { return strings.Join(*l, ", ") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var protos, headers list
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.binary, "binary", false, "send each line as a binary message")
	fs.BoolVar(&o.insecure, "insecure", false, "accept any TLS certificate (self-signed servers)")
	fs.StringVar(&o.unix, "unix", "", "dial this UNIX socket instead of the URL's host")
	fs.Var(&protos, "protocol", "offer this subprotocol (repeat for several, or separate with commas)")
	fs.Var(&headers, "header", "add a header field 'Name: value' to the request (repeatable)")
	fs.StringVar(&o.origin, "origin", "", "send this Origin")
	fs.StringVar(&o.record, "record", "", "write what the server sends (its handshake response and frames), as raw bytes, to this file")
	fs.BoolVar(&o.deflate, "deflate", false, "offer permessage-deflate (RFC 7692)")
	fs.BoolVar(&o.echo, "echo", false, "send every message received back, instead of reading standard input")
	fs.Int64Var(&o.maxMsg, "max-message", 64<<20, "largest message accepted, in bytes")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: client [flags] ws://host[:port]/path")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return o, errors.New("one URL expected")
	}
	o.url = fs.Arg(0)
	for _, p := range protos {
		for _, s := range strings.Split(p, ",") {
			if s = strings.TrimSpace(s); s != "" {
				o.protos = append(o.protos, s)
			}
		}
	}
	o.headers = headers
	return o, nil
}
