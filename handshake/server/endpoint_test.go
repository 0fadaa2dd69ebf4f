package server_test

import (
	"bytes"

	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/internal/exttest"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
)

// TestEndpointKeepsEarlyBytes: frames written with the request in one
// write reach the Endpoint that Upgraded.Endpoint makes, compressed ones
// included, and Endpoint leaves nothing to read beside it.
func TestEndpointKeepsEarlyBytes(t *testing.T) {
	deflate, _ := pmce.New(pmce.Config{})
	cfg := &server.Config{Extensions: []handshake.Extension{deflate}}
	got := make(chan []string, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r)
		if err != nil {
			t.Error(err)
			return
		}
		defer up.Close()
		ep, err := up.Endpoint()
		if err != nil {
			t.Error(err)
			return
		}
		if up.Buffered != nil || up.Reader != nil {
			t.Error("Endpoint left Buffered or Reader set")
		}
		var msgs []string
		for m, err := ep.NextMessage(); err == nil; m, err = ep.NextMessage() {
			msgs = append(msgs, string(m.Data))
		}
		got <- msgs
	}))
	defer ts.Close()

	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req, err := client.NewRequest("ws://"+ts.Listener.Addr().String()+"/", &client.Config{Extensions: []handshake.Extension{deflate}})
	if err != nil {
		t.Fatal(err)
	}
	// The request and three frames in one write: net/http reads them
	// together. The second message is compressed ("Hello", RFC 7692 §7.2.3.1).
	var out bytes.Buffer
	req.WriteTo(&out)
	key := [4]byte{1, 2, 3, 4}
	frame.WriteMasked(&out, &frame.Text{Fin: true, Payload: []byte("first")}, key)
	frame.WriteMasked(&out, &frame.Text{Fin: true, Rsv: frame.Rsv1, Payload: []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}}, key)
	frame.WriteMasked(&out, &frame.Close{Code: frame.CloseNormal}, key)
	if _, err := conn.Write(out.Bytes()); err != nil {
		t.Fatal(err)
	}
	select {
	case msgs := <-got:
		if diff := cmp.Diff([]string{"first", "Hello"}, msgs); diff != "" {
			t.Errorf("messages (-want +got):\n%s", diff)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server read no close")
	}
}

// TestEndpointExtensionUnusable: an agreed extension that cannot code
// messages makes Endpoint and PushEndpoint fail with ErrExtensionUnusable.
func TestEndpointExtensionUnusable(t *testing.T) {
	res := &server.Result{Extensions: []handshake.Negotiated{&exttest.Agreed{Name: "x-test", Bits: frame.Rsv2}}}
	up := &server.Upgraded{Result: res, Reader: strings.NewReader(""), Writer: &bytes.Buffer{}}
	if _, err := up.Endpoint(); !errors.Is(err, handshake.ErrExtensionUnusable) {
		t.Errorf("Endpoint = %v, want ErrExtensionUnusable", err)
	}
	if _, err := res.PushEndpoint(&bytes.Buffer{}); !errors.Is(err, handshake.ErrExtensionUnusable) {
		t.Errorf("PushEndpoint = %v, want ErrExtensionUnusable", err)
	}
}

// TestPushEndpoint: the Endpoint for an event loop answers with the
// agreed extensions.
func TestPushEndpoint(t *testing.T) {
	deflate, _ := pmce.New(pmce.Config{})
	_, agreed, _, _ := deflate.Negotiate([][]handshake.Param{nil})
	var out bytes.Buffer
	ep, err := (&server.Result{Extensions: []handshake.Negotiated{agreed}}).PushEndpoint(&out)
	if err != nil {
		t.Fatal(err)
	}
	var in bytes.Buffer
	frame.WriteMasked(&in, &frame.Text{Fin: true, Rsv: frame.Rsv1, Payload: []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}}, [4]byte{9, 9, 9, 9})
	var got string
	if err := ep.Feed(in.Bytes(), func(m endpoint.Message) error { got = string(m.Data); return nil }); err != nil {
		t.Fatal(err)
	}
	if got != "Hello" {
		t.Errorf("message %q, want the inflated \"Hello\"", got)
	}

}
