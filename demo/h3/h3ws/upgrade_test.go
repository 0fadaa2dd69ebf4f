package h3ws_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
)

// TestConfigUpgradeUnderQuicGo: handshake/server's Config.Upgrade, the
// net/http helper, works unchanged in a quic-go HTTP/3 handler: it answers
// 200 and hands over the request body and a flushing writer, which carry
// the frames. The stream then ends when the handler returns, as quic-go
// ends any request (FIN), so Accept, which owns the stream, is the way to
// reset it.
func TestConfigUpgradeUnderQuicGo(t *testing.T) {
	handlerErr := make(chan error, 1)
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := (&server.Config{Protocols: []string{"chat"}}).Upgrade(w, r)
		if err != nil {
			handlerErr <- err
			return
		}
		defer up.Close()
		if !up.Result.HTTP3 || up.Result.Protocol != "chat" {
			t.Errorf("Result %+v, want HTTP3 and chat", up.Result)
		}
		ep := endpoint.New(frame.Server, up.Reader, up.Writer)
		for {
			m, err := ep.NextMessage()
			if err != nil {
				handlerErr <- err
				return
			}
			ep.WriteMessage(m.Type, m.Data)
		}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, qc, err := srv.dialer().Dial(ctx, srv.url("/"), &client.Config{Protocols: []string{"chat"}})
	if err != nil {
		t.Fatal(err)
	}
	defer qc.CloseWithError(0, "")
	var got []string
	for _, msg := range []string{"one", "two"} {
		c.WriteMessage(frame.OpText, []byte(msg))
		m, err := c.NextMessage()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(m.Data))
	}
	if diff := cmp.Diff([]string{"one", "two"}, got); diff != "" {
		t.Errorf("echoes (-want +got):\n%s", diff)
	}
	if err := c.Close(frame.CloseNormal, ""); err != nil {
		t.Errorf("Close: %v", err)
	}
	var ce *endpoint.CloseError
	if err := <-handlerErr; !cmpCloseCode(err, &ce, frame.CloseNormal) {
		t.Errorf("handler: %v, want the client's 1000", err)
	}
}
