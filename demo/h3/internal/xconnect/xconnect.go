// Package xconnect turns on Extended CONNECT (RFC 8441) in net/http's
// HTTP/2 server and client, which Go 1.26 keeps behind
// GODEBUG=http2xconnect=1 and reads once, in net/http's init.
//
// Importing it for its side effect (import _) adds the setting to GODEBUG
// before net/http initializes: the Go specification initializes the
// package with the lexically smallest import path first among those whose
// dependencies are ready, and this one, needing only os and strings, sorts
// before "net/http". main imports it so that "go run ." needs no
// environment; a re-exec, as demo/echo does, would work too.
package xconnect

import (
	"os"
	"strings"
)

// Setting is the GODEBUG setting this package adds.
const Setting = "http2xconnect=1"

func init() {
	g := os.Getenv("GODEBUG")
	if strings.Contains(g, Setting) {
		return
	}
	if g != "" {
		g += ","
	}
	os.Setenv("GODEBUG", g+Setting)
}
