package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/internal/exttest"
	"github.com/wskit/wskit/handshake/server"
)

func clientConfig() *client.Config {
	return &client.Config{
		Origin:    "http://example.com",
		Protocols: []string{"chat.v1", "chat.v2"},
		Extensions: []handshake.Extension{
			&exttest.Ext{ExtName: "x-rsv2", Params: []handshake.Param{{Name: "a", Value: "1"}}, Bits: 0x20},
			&exttest.Ext{ExtName: "permessage-deflate", Params: []handshake.Param{{Name: "client_max_window_bits"}}, Bits: 0x40},
		},
		Header: http.Header{"Authorization": {"Bearer t"}},
	}
}

// wantClientResult is what clientConfig agrees on with testConfig.
var wantClientResult = &client.Result{
	Protocol: "chat.v2", // the server's preference
	Extensions: []handshake.Negotiated{
		&exttest.Agreed{Name: "x-rsv2", Params: []handshake.Param{{Name: "a", Value: "1"}}, Bits: 0x20},
		&exttest.Agreed{Name: "permessage-deflate", Params: []handshake.Param{{Name: "client_max_window_bits"}}, Bits: 0x40},
	},
}

// TestPipe runs a whole handshake over net.Pipe: the client's request text,
// read and validated by the server, whose response the client validates;
// the client's first frame travels in the same write as its request.
func TestPipe(t *testing.T) {
	cconn, sconn := net.Pipe()
	defer cconn.Close()
	errc := make(chan error, 1)
	go func() {
		defer sconn.Close()
		br := bufio.NewReader(sconn)
		req, err := server.ReadRequest(br, handshake.Limits{})
		if err != nil {
			errc <- err
			return
		}
		res, err := testConfig.Accept(req)
		if err != nil {
			var e *server.Error
			if errors.As(err, &e) {
				e.WriteTo(sconn)
			}
			errc <- err
			return
		}
		if res.Protocol != "chat.v2" || len(res.Extensions) != 2 || req.Header.Get("Authorization") != "Bearer t" {
			errc <- errors.New("server agreed on something else")
			return
		}
		if _, err := res.WriteTo(sconn); err != nil {
			errc <- err
			return
		}
		errc <- echo(br, sconn)
	}()

	req, err := client.NewRequest("ws://example.com/chat", clientConfig())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	req.WriteTo(&out)
	writeFrame(&out, opText, []byte("hello"), true)
	if _, err := cconn.Write(out.Bytes()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(cconn)
	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := req.Verify(resp)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantClientResult, res); diff != "" {
		t.Errorf("client result (-want +got):\n%s", diff)
	}
	op, p, masked, err := readFrame(br)
	if err != nil || op != opText || string(p) != "hello" || masked {
		t.Fatalf("echo: %d %q %v %v", op, p, masked, err)
	}
	if err := writeFrame(cconn, opClose, []byte{3, 232}, true); err != nil {
		t.Fatal(err)
	}
	if op, _, _, err := readFrame(br); err != nil || op != opClose {
		t.Fatalf("close: %d %v", op, err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server: %v", err)
	}
}

// TestPipeRefused shows a refusal travelling back to the client.
func TestPipeRefused(t *testing.T) {
	cconn, sconn := net.Pipe()
	defer cconn.Close()
	go func() {
		defer sconn.Close()
		br := bufio.NewReader(sconn)
		req, err := server.ReadRequest(br, handshake.Limits{})
		if err == nil {
			_, err = (&server.Config{}).Accept(req)
		}
		var e *server.Error
		if errors.As(err, &e) {
			e.WriteTo(sconn)
		}
	}()
	req, err := client.NewRequest("ws://example.com/chat", &client.Config{Origin: "https://evil.test"})
	if err != nil {
		t.Fatal(err)
	}
	go req.WriteTo(cconn)
	resp, err := client.ReadResponse(bufio.NewReader(cconn), nil, handshake.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_, err = req.Verify(resp)
	var se *handshake.StatusError
	if !errors.As(err, &se) || se.Code != 403 || !strings.Contains(string(body), "origin") {
		t.Errorf("Verify = %v, body %q", err, body)
	}
}

// upgradeServer starts an HTTP/1.1 server whose handler upgrades and
// echoes; the handler reports the bytes it found buffered.
func upgradeServer(t *testing.T, cfg *server.Config) (*httptest.Server, chan []byte) {
	buffered := make(chan []byte, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r)
		if err != nil {
			return
		}
		defer up.Close()
		buffered <- up.Buffered
		up.Conn.SetDeadline(time.Now().Add(10 * time.Second))
		echo(up.Reader, up.Writer)
	}))
	t.Cleanup(ts.Close)
	return ts, buffered
}

// TestUpgradeKeepsEarlyBytes sends the request and the first frames in
// one write: net/http reads them together, and Upgrade must hand them on.
func TestUpgradeKeepsEarlyBytes(t *testing.T) {
	ts, buffered := upgradeServer(t, testConfig)
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	cfg := clientConfig()
	cfg.Origin = ""
	req, err := client.NewRequest("ws://"+ts.Listener.Addr().String()+"/chat", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	req.WriteTo(&out)
	writeFrame(&out, opText, []byte("first"), true)
	writeFrame(&out, opText, bytes.Repeat([]byte("second"), 100), true)
	if _, err := conn.Write(out.Bytes()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := req.Verify(resp); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first", strings.Repeat("second", 100)} {
		op, p, _, err := readFrame(br)
		if err != nil || op != opText || string(p) != want {
			t.Fatalf("echo: %d %q %v, want %q", op, p, err, want)
		}
	}
	b := <-buffered
	t.Logf("net/http had buffered %d bytes past the request", len(b))
	if len(b) == 0 {
		t.Log("the frames arrived after the request was read; nothing to hand on this time")
	}
}

// TestUpgradeHTTPClient uses net/http's client, whose 101 response body
// is the connection.
func TestUpgradeHTTPClient(t *testing.T) {
	ts, _ := upgradeServer(t, testConfig)
	req, err := client.NewRequest(strings.Replace(ts.URL, "http", "ws", 1)+"/chat", clientConfig())
	if err != nil {
		t.Fatal(err)
	}
	hreq := req.HTTPRequest(context.Background())
	hreq.Header.Set("Origin", ts.URL) // same host as the server
	resp, err := ts.Client().Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	res, err := req.Verify(resp)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantClientResult, res); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	rwc, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		t.Fatalf("body is %T", resp.Body)
	}
	defer rwc.Close()
	writeFrame(rwc, opText, []byte("via net/http"), true)
	if op, p, _, err := readFrame(rwc); err != nil || op != opText || string(p) != "via net/http" {
		t.Fatalf("echo: %d %q %v", op, p, err)
	}
}

// TestUpgradeRefused checks the answers net/http's client receives.
func TestUpgradeRefused(t *testing.T) {
	ts, _ := upgradeServer(t, &server.Config{})
	for _, tt := range []struct {
		name   string
		set    func(r *http.Request)
		status int
		header string
		value  string
	}{
		{"version", func(r *http.Request) { r.Header.Set("Sec-WebSocket-Version", "8") }, 426, "Sec-WebSocket-Version", "13"},
		{"method", func(r *http.Request) { r.Method = "POST" }, 405, "Allow", "GET"},
		{"origin", func(r *http.Request) { r.Header.Set("Origin", "https://evil.test") }, 403, "", ""},
		{"key", func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "short") }, 400, "", ""},
		{"flood", func(r *http.Request) {
			for i := range 200 {
				r.Header.Add("X-Flood", strings.Repeat("x", i))
			}
		}, 431, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := client.NewRequest(strings.Replace(ts.URL, "http", "ws", 1), nil)
			hreq := req.HTTPRequest(context.Background())
			tt.set(hreq)
			resp, err := ts.Client().Do(hreq)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || tt.header != "" && resp.Header.Get(tt.header) != tt.value {
				t.Errorf("got %s %v %q", resp.Status, resp.Header, body)
			}
			if _, err := req.Verify(resp); !errors.Is(err, handshake.ErrBadStatus) {
				t.Errorf("Verify = %v", err)
			}
		})
	}
}
