package server

import (
	"io"
	"net/http"
	"testing"
)

func TestWriteToAllocatesNothing(t *testing.T) {
	r := &http.Request{
		Method: "GET", ProtoMajor: 1, ProtoMinor: 1, Host: "example.com",
		Header: http.Header{
			"Upgrade":               {"websocket"},
			"Connection":            {"Upgrade"},
			"Sec-Websocket-Key":     {"dGhlIHNhbXBsZSBub25jZQ=="},
			"Sec-Websocket-Version": {"13"},
		},
	}
	res, err := (&Config{}).Accept(r)
	if err != nil {
		t.Fatal(err)
	}
	res.WriteTo(io.Discard) // warm the pool
	if n := testing.AllocsPerRun(100, func() { res.WriteTo(io.Discard) }); n != 0 {
		t.Errorf("Result.WriteTo allocates %v times per call, want 0", n)
	}
}
