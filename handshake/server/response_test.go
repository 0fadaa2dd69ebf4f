package server_test

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake/server"
)

func TestResponseText(t *testing.T) {
	r := baseRequest()
	r.Header.Set("Sec-WebSocket-Protocol", "chat.v1")
	r.Header.Set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")
	res, err := testConfig.Accept(r)
	if err != nil {
		t.Fatal(err)
	}
	const want = "HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
		"Sec-WebSocket-Protocol: chat.v1\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
		"\r\n"
	if diff := cmp.Diff(want, string(res.AppendResponse(nil))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if _, err := res.WriteTo(&buf); err != nil || buf.String() != want {
		t.Errorf("WriteTo: %v %q", err, buf.String())
	}
	if res.StatusCode() != 101 || res.Key != sampleKey {
		t.Errorf("StatusCode %d, Key %q", res.StatusCode(), res.Key)
	}

	rec := httptest.NewRecorder()
	if err := res.WriteHeader(rec); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 101 || rec.Header().Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" || !rec.Flushed {
		t.Errorf("WriteHeader: %d %v flushed %v", rec.Code, rec.Header(), rec.Flushed)
	}
}

func TestResponseAllocs(t *testing.T) {
	res, err := (&server.Config{}).Accept(baseRequest())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(100, func() { buf = res.AppendResponse(buf[:0]) }); n != 0 {
		t.Errorf("AppendResponse allocates %v times", n)
	}
}
