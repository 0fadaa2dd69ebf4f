package main

import (
	"io"
	"net"
	"net/http"
	"testing"
)

func TestHTTPOverWebSocket(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go http.Serve(ln, tunnel(app()))

	hc, closeTunnel, err := dialTunnel("ws://" + ln.Addr().String() + "/tunnel")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{"/hello", "hello, world\n"},
		{"/hello?name=ws", "hello, ws\n"},
	} {
		resp, err := hc.Get("http://inner" + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != tt.want {
			t.Fatalf("GET %s: %q %v, want %q", tt.path, body, err, tt.want)
		}
	}
	closeTunnel()
	if _, err := hc.Get("http://inner/hello"); err == nil {
		t.Fatal("a request after the tunnel closed succeeded")
	}
}
