package h3ws_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
)

// rawConnect is an RFC 9220 request as a quic-go client sends it without
// wskit: :protocol in Proto.
func rawConnect(addr, path string, h http.Header) *http.Request {
	if h == nil {
		h = http.Header{}
	}
	if _, ok := h["Sec-Websocket-Version"]; !ok {
		h.Set("Sec-WebSocket-Version", "13")
	}
	return &http.Request{
		Method: http.MethodConnect,
		Proto:  "websocket",
		URL:    &url.URL{Scheme: "https", Host: addr, Path: path},
		Host:   addr,
		Header: h,
	}
}

// openRaw sends req on a new stream of cc and reads the response.
func openRaw(t *testing.T, cc *http3.ClientConn, req *http.Request) (*http3.RequestStream, *http.Response) {
	t.Helper()
	str, err := cc.OpenRequestStream(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := str.SendRequestHeader(req); err != nil {
		t.Fatal(err)
	}
	resp, err := str.ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	return str, resp
}

// TestQuicGoClientAgainstAccept: a client written with quic-go alone (no
// wskit) opens WebSockets on a server that uses Accept, exchanges frames
// written by hand, and closes; the server ends its side with FIN.
func TestQuicGoClientAgainstAccept(t *testing.T) {
	cfg := &server.Config{Protocols: []string{"chat"}}
	srv := startServer(t, echoHandler(cfg, nil))
	_, cc := srv.dial(t)
	long := strings.Repeat("0123456789abcdef", 5000) // 80,000 bytes: a 64-bit length
	for _, tt := range []struct {
		name string
		send []wireFrame
		want []wireFrame
	}{
		{name: "text", send: []wireFrame{{true, frame.OpText, []byte("hello")}}, want: []wireFrame{{true, frame.OpText, []byte("hello")}}},
		{name: "empty binary", send: []wireFrame{{true, frame.OpBinary, []byte{}}}, want: []wireFrame{{true, frame.OpBinary, []byte{}}}},
		{name: "80 kB binary", send: []wireFrame{{true, frame.OpBinary, []byte(long)}}, want: []wireFrame{{true, frame.OpBinary, []byte(long)}}},
		{name: "fragments and a ping", send: []wireFrame{
			{false, frame.OpText, []byte("frag")}, {true, frame.OpPing, []byte("p")}, {true, frame.OpContinuation, []byte("ment")},
		}, want: []wireFrame{{true, frame.OpPong, []byte("p")}, {true, frame.OpText, []byte("fragment")}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			str, resp := openRaw(t, cc, rawConnect(srv.addr, "/echo", http.Header{"Sec-Websocket-Protocol": {"other, chat"}}))
			got := []string{resp.Status, resp.Header.Get("Sec-Websocket-Protocol"), resp.Header.Get("Sec-Websocket-Accept"), resp.Header.Get("Upgrade")}
			if diff := cmp.Diff([]string{"200 OK", "chat", "", ""}, got); diff != "" {
				t.Fatalf("status, subprotocol, accept, upgrade (-want +got):\n%s", diff)
			}
			var out []byte
			for _, f := range tt.send {
				out = appendFrame(out, f, true)
			}
			if _, err := str.Write(out); err != nil {
				t.Fatal(err)
			}
			var frames []wireFrame
			for range tt.want {
				f, masked, err := readFrame(str)
				if err != nil || masked {
					t.Fatalf("read: %v, masked %v", err, masked)
				}
				frames = append(frames, f)
			}
			if diff := cmp.Diff(tt.want, frames); diff != "" {
				t.Errorf("frames (-want +got):\n%s", diff)
			}
			// The closing handshake, then the server's FIN.
			str.Write(appendFrame(nil, wireFrame{true, frame.OpClose, closePayload(frame.CloseNormal, "bye")}, true))
			f, _, err := readFrame(str)
			if err != nil || f.Op != frame.OpClose || string(f.Payload[:2]) != string(closePayload(frame.CloseNormal, "")) {
				t.Fatalf("close echo: %+v %v", f, err)
			}
			str.Close()
			str.SetReadDeadline(time.Now().Add(3 * time.Second))
			if n, err := str.Read(make([]byte, 1)); err != io.EOF {
				t.Errorf("after the close frames: %d bytes, %v; want the server's FIN (io.EOF)", n, err)
			}
		})
	}
}

// TestRefusals: requests the server refuses, with the status the RFCs
// name, sent by a quic-go client.
func TestRefusals(t *testing.T) {
	srv := startServer(t, echoHandler(&server.Config{Protocols: []string{"chat"}}, nil))
	_, cc := srv.dial(t)
	for _, tt := range []struct {
		name   string
		edit   func(r *http.Request)
		status int
		header string // a field the refusal carries, as name: value
	}{
		{name: "unknown :protocol", edit: func(r *http.Request) { r.Proto = "webtransport" }, status: 501},
		{name: "version 8", edit: func(r *http.Request) { r.Header.Set("Sec-WebSocket-Version", "8") }, status: 426, header: "Sec-Websocket-Version: 13"},
		{name: "no version", edit: func(r *http.Request) { r.Header.Del("Sec-WebSocket-Version") }, status: 400},
		{name: "GET", edit: func(r *http.Request) { r.Method, r.Proto = http.MethodGet, "" }, status: 405, header: "Allow: CONNECT"},
		{name: "cross origin", edit: func(r *http.Request) { r.Header.Set("Origin", "https://evil.test") }, status: 403},
		{name: "bad subprotocol list", edit: func(r *http.Request) { r.Header.Set("Sec-WebSocket-Protocol", "a b") }, status: 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := rawConnect(srv.addr, "/echo", nil)
			tt.edit(req)
			str, resp := openRaw(t, cc, req)
			defer str.CancelRead(0x100)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.header != "" {
				name, value, _ := strings.Cut(tt.header, ": ")
				if got := resp.Header.Get(name); got != value {
					t.Errorf("%s: %q, want %q", name, got, value)
				}
			}
		})
	}
}

// rawEchoServer is an RFC 9220 server written with quic-go alone: it
// checks the Extended CONNECT itself, answers 200, takes the stream and
// echoes frames read and written by hand. After echoing a close frame it
// ends its side with FIN and reports what it saw of the client's side.
func rawEchoServer(t *testing.T, sawFIN chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect || r.Proto != "websocket" || r.Header.Get("Sec-Websocket-Version") != "13" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if p := r.Header.Get("Sec-Websocket-Protocol"); p != "" {
			w.Header().Set("Sec-WebSocket-Protocol", strings.Split(p, ",")[0])
		}
		w.WriteHeader(http.StatusOK)
		str, err := w.(http3.HTTPStreamer).HTTPStream()
		if err != nil {
			t.Error(err)
			return
		}
		for {
			f, masked, err := readFrame(str)
			if err != nil {
				str.CancelWrite(0x10c)
				sawFIN <- err
				return
			}
			if !masked {
				t.Error("client frame not masked")
			}
			if f.Op == frame.OpPing {
				f.Op = frame.OpPong
			}
			str.Write(appendFrame(nil, f, false))
			if f.Op == frame.OpClose {
				str.Close()
				str.SetReadDeadline(time.Now().Add(3 * time.Second))
				_, err := str.Read(make([]byte, 1))
				sawFIN <- err
				return
			}
		}
	})
}

// TestDialAgainstQuicGoServer: wskit's client (Dial: handshake/client and
// the endpoint) against a server written with quic-go alone.
func TestDialAgainstQuicGoServer(t *testing.T) {
	sawFIN := make(chan error, 1)
	srv := startServer(t, rawEchoServer(t, sawFIN))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, qc, err := srv.dialer().Dial(ctx, srv.url("/echo"), &client.Config{Protocols: []string{"chat"}})
	if err != nil {
		t.Fatal(err)
	}
	defer qc.CloseWithError(0, "")
	if c.Protocol != "chat" {
		t.Errorf("subprotocol %q, want chat", c.Protocol)
	}
	var got []string
	for _, msg := range []string{"one", strings.Repeat("two ", 30000), ""} {
		if err := c.WriteMessage(frame.OpText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		m, err := c.NextMessage()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(m.Data))
	}
	if diff := cmp.Diff([]string{"one", strings.Repeat("two ", 30000), ""}, got); diff != "" {
		t.Errorf("echoes (-want +got):\n%s", diff)
	}
	if err := c.Close(frame.CloseNormal, "done"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-sawFIN; err != io.EOF {
		t.Errorf("server read after the close frames: %v, want the client's FIN (io.EOF)", err)
	}
}

// TestDialRefused: Dial reports a refusal with the server's status.
func TestDialRefused(t *testing.T) {
	srv := startServer(t, echoHandler(&server.Config{}, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := srv.dialer().Dial(ctx, srv.url("/echo"), &client.Config{Origin: "https://evil.test"})
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("Dial with a foreign origin: %v, want a 403 status error", err)
	}
}

// TestResetIsAbnormal: a stream reset in the middle of a message is an
// abnormal closure (1006) carrying the reset, in both roles, and the side
// that sees it resets its own direction too.
func TestResetIsAbnormal(t *testing.T) {
	t.Run("client resets, server sees 1006", func(t *testing.T) {
		ended := make(chan error, 1)
		srv := startServer(t, echoHandler(&server.Config{}, ended))
		_, cc := srv.dial(t)
		str, resp := openRaw(t, cc, rawConnect(srv.addr, "/", nil))
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		half := appendFrame(nil, wireFrame{true, frame.OpBinary, make([]byte, 1000)}, true)[:500]
		str.Write(half)
		time.Sleep(50 * time.Millisecond)
		str.CancelWrite(quic.StreamErrorCode(http3.ErrCodeRequestCanceled))
		checkAbnormal(t, <-ended, true)
		// The server reset its direction as well.
		str.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, err := io.ReadAll(str)
		var he *http3.Error
		if !errors.As(err, &he) || he.ErrorCode != http3.ErrCodeRequestCanceled {
			t.Errorf("client read after its reset: %v, want the server's H3_REQUEST_CANCELLED", err)
		}
	})
	t.Run("server resets, client sees 1006", func(t *testing.T) {
		srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			str, _ := w.(http3.HTTPStreamer).HTTPStream()
			str.Write(appendFrame(nil, wireFrame{true, frame.OpText, []byte("a long message")}, false)[:8])
			time.Sleep(50 * time.Millisecond)
			str.CancelWrite(quic.StreamErrorCode(http3.ErrCodeRequestCanceled))
			str.CancelRead(quic.StreamErrorCode(http3.ErrCodeRequestCanceled))
		}))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, qc, err := srv.dialer().Dial(ctx, srv.url("/"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer qc.CloseWithError(0, "")
		_, err = c.NextMessage()
		checkAbnormal(t, err, true)
		if err := c.WriteMessage(frame.OpText, []byte("x")); err == nil {
			t.Error("WriteMessage after the reset succeeded")
		}
	})
}

// checkAbnormal requires a 1006 CloseError caused by a stream reset with
// H3_REQUEST_CANCELLED.
func checkAbnormal(t *testing.T, err error, remote bool) {
	t.Helper()
	var ce *endpoint.CloseError
	if !errors.As(err, &ce) || ce.Code != frame.CloseAbnormal || ce.Remote != remote {
		t.Fatalf("error %v, want a 1006 CloseError", err)
	}
	var re *h3ws.ResetError
	var he *http3.Error
	if !errors.As(err, &re) || !errors.As(err, &he) || he.ErrorCode != http3.ErrCodeRequestCanceled || !he.Remote {
		t.Errorf("cause %v, want a ResetError with the peer's H3_REQUEST_CANCELLED", ce.Err)
	}
}
