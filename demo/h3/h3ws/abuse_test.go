package h3ws_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/server"
)

// TestAbuse: misbehaving clients on the HTTP/3 path get the answer the
// RFCs call for, and leave nothing behind: after each case the goroutine
// count returns to what it was with the connection open and idle.
func TestAbuse(t *testing.T) {
	ended := make(chan error, 1000)
	srv := startServer(t, echoHandler(&server.Config{}, ended))
	_, cc := srv.dial(t)
	base := baseline() + 1 // + the goroutine of each subtest

	t.Run("a declared body before the 200", func(t *testing.T) {
		// quic-go's RoundTrip sends the body with its Content-Length
		// before it reads the response; an Extended CONNECT has no content.
		req := rawConnect(srv.addr, "/", nil)
		req.Body = io.NopCloser(strings.NewReader("not a WebSocket"))
		req.ContentLength = int64(len("not a WebSocket"))
		resp, err := cc.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), "no content before its response") {
			t.Errorf("response %d %q, want 400 for the content", resp.StatusCode, body)
		}
		var se *server.Error
		if err := <-ended; !errors.As(err, &se) || se.StatusCode != 400 {
			t.Errorf("server: %v, want the 400 refusal", err)
		}
		settle(t, base)
	})

	t.Run("a frame before the 200", func(t *testing.T) {
		// RFC 6455 §4.1: a client waits for the response; one that does
		// not has its early frame taken as the stream's first, not lost.
		str, err := cc.OpenRequestStream(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := str.SendRequestHeader(rawConnect(srv.addr, "/", nil)); err != nil {
			t.Fatal(err)
		}
		str.Write(appendFrame(nil, wireFrame{true, frame.OpText, []byte("early")}, true))
		resp, err := str.ReadResponse()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("response %v, %v", resp, err)
		}
		f, _, err := readFrame(str)
		if diff := cmp.Diff(wireFrame{true, frame.OpText, []byte("early")}, f); diff != "" || err != nil {
			t.Fatalf("echo of the early frame (-want +got): %v\n%s", err, diff)
		}
		str.Write(appendFrame(nil, wireFrame{true, frame.OpClose, closePayload(frame.CloseNormal, "")}, true))
		str.Close()
		if _, err := io.ReadAll(str); err != nil {
			t.Errorf("after close: %v, want the server's FIN", err)
		}
		var ce *endpoint.CloseError
		if err := <-ended; !cmpCloseCode(err, &ce, frame.CloseNormal) {
			t.Errorf("server: %v, want the client's 1000", err)
		}
		settle(t, base)
	})

	t.Run("a body that is not WebSocket before the 200", func(t *testing.T) {
		str, err := cc.OpenRequestStream(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := str.SendRequestHeader(rawConnect(srv.addr, "/", nil)); err != nil {
			t.Fatal(err)
		}
		str.Write([]byte("POST-like body, not frames\r\n"))
		resp, err := str.ReadResponse()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("response %v, %v", resp, err)
		}
		// The server fails the connection: a close frame with 1002 (the
		// body's first byte has reserved bits set), then FIN.
		f, _, err := readFrame(str)
		if err != nil || f.Op != frame.OpClose || len(f.Payload) < 2 || frame.CloseCode(binary.BigEndian.Uint16(f.Payload)) != frame.CloseProtocolError {
			t.Fatalf("after the body: %+v %v, want a 1002 close", f, err)
		}
		str.Close()
		if _, err := io.ReadAll(str); err != nil {
			t.Errorf("after close: %v, want the server's FIN", err)
		}
		var fe *frame.Error
		if err := <-ended; !errors.As(err, &fe) {
			t.Errorf("server: %v, want a *frame.Error", err)
		}
		settle(t, base)
	})

	t.Run("resets in the middle of a message", func(t *testing.T) {
		for i := 0; i < 50; i++ {
			str, resp := openRaw(t, cc, rawConnect(srv.addr, "/", nil))
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			str.Write(appendFrame(nil, wireFrame{true, frame.OpBinary, make([]byte, 4000)}, true)[:1000])
			str.CancelWrite(quic.StreamErrorCode(http3.ErrCodeRequestCanceled))
			str.CancelRead(quic.StreamErrorCode(http3.ErrCodeRequestCanceled))
			checkAbnormal(t, <-ended, true)
		}
		settle(t, base)
	})

	t.Run("many streams on one connection", func(t *testing.T) {
		// More WebSockets than quic-go's 100 concurrent streams: the rest
		// open only as closed ones give their streams back, so this
		// passes only if every close releases its stream.
		for round, n := range []int{300, 150} {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			errs := make(chan error, n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- oneEcho(ctx, cc, srv.url("/"), fmt.Sprintf("round %d stream %d", round, i))
				}()
			}
			wg.Wait()
			cancel()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			for i := 0; i < n; i++ {
				var ce *endpoint.CloseError
				if err := <-ended; !cmpCloseCode(err, &ce, frame.CloseNormal) {
					t.Fatalf("server: %v, want the client's 1000", err)
				}
			}
			settle(t, base)
		}
	})
}

// oneEcho opens a WebSocket on cc, echoes three messages and closes.
func oneEcho(ctx context.Context, cc *http3.ClientConn, url, msg string) error {
	c, err := h3ws.DialConn(ctx, cc, url, nil)
	if err != nil {
		return err
	}
	for i := 0; i < 3; i++ {
		if err := c.WriteMessage(frame.OpText, []byte(msg)); err != nil {
			return err
		}
		m, err := c.NextMessage()
		if err != nil {
			return err
		}
		if string(m.Data) != msg {
			return fmt.Errorf("echo %q, want %q", m.Data, msg)
		}
	}
	return c.Close(frame.CloseNormal, "")
}
