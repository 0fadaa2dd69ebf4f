package server_test

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
)

// handshakeFrom returns a valid handshake request for Host
// chat.example.com, with an Origin field unless origin is "".
func handshakeFrom(origin string) *http.Request {
	r := &http.Request{
		Method: "GET", ProtoMajor: 1, ProtoMinor: 1, Host: "chat.example.com",
		Header: http.Header{
			"Upgrade":               {"websocket"},
			"Connection":            {"Upgrade"},
			"Sec-Websocket-Key":     {"dGhlIHNhbXBsZSBub25jZQ=="},
			"Sec-Websocket-Version": {"13"},
		},
	}
	if origin != "" {
		r.Header.Set("Origin", origin)
	}
	return r
}

// A server that only the pages of one origin may use, not even those of
// its own host.
func ExampleAllowOrigins() {
	allow, err := server.AllowOrigins("https://app.example.com")
	if err != nil {
		log.Fatal(err)
	}
	cfg := &server.Config{CheckOrigin: allow}
	for _, origin := range []string{"https://app.example.com", "https://chat.example.com", "https://evil.test", ""} {
		_, err := cfg.Accept(handshakeFrom(origin))
		var e *server.Error
		switch {
		case err == nil:
			fmt.Printf("%-26q 101\n", origin)
		case errors.As(err, &e):
			fmt.Printf("%-26q %d %v\n", origin, e.StatusCode, errors.Is(err, handshake.ErrOrigin))
		}
	}
	// Output:
	// "https://app.example.com"  101
	// "https://chat.example.com" 403 true
	// "https://evil.test"        403 true
	// ""                         101
}

var errNotAllowed = errors.New("origin not allowed")

// A policy of the server's own: every subdomain of the request's host, over
// TLS, and no client that does not say where it comes from.
func ExampleConfig_checkOrigin() {
	cfg := &server.Config{
		CheckOrigin: func(origin string, r *http.Request) error {
			if origin == "" {
				return errors.New("no Origin: browsers only")
			}
			host, ok := strings.CutPrefix(origin, "https://")
			if !ok || !strings.HasSuffix(host, "."+r.Host) {
				return errNotAllowed
			}
			return nil
		},
	}
	for _, origin := range []string{"https://eu.chat.example.com", "http://eu.chat.example.com", ""} {
		_, err := cfg.Accept(handshakeFrom(origin))
		fmt.Printf("%q: %v\n", origin, err)
	}
	// Output:
	// "https://eu.chat.example.com": <nil>
	// "http://eu.chat.example.com": 403 Forbidden: handshake: origin "http://eu.chat.example.com" is not allowed for host "chat.example.com": origin not allowed
	// "": 403 Forbidden: handshake: a request without Origin is not allowed for host "chat.example.com": no Origin: browsers only
}
