package pmce_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

// The codec is the endpoint's per-message extension as it is.
var _ endpoint.Codec = (*pmce.Codec)(nil)

// endpointExtensions picks the agreed extensions an Endpoint can apply.
func endpointExtensions(t *testing.T, agreed []handshake.Negotiated) []endpoint.Codec {
	t.Helper()
	var exts []endpoint.Codec
	for _, n := range agreed {
		x, ok := n.(endpoint.Codec)
		if !ok {
			t.Fatalf("%T is not an endpoint.Codec", n)
		}
		exts = append(exts, x)
	}
	return exts
}

// recorder is an io.Writer that passes bytes on and keeps a copy.
type recorder struct {
	w   io.Writer
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.buf.Write(p)
	r.mu.Unlock()
	return r.w.Write(p)
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.buf.Bytes())
}

// TestEndpoints negotiates permessage-deflate through the handshake
// packages' header fields, runs a client and a server Endpoint over pipes,
// exchanges messages, and checks on the wire that large messages went out
// compressed with RSV1 and small ones as they are.
func TestEndpoints(t *testing.T) {
	for _, tt := range []struct {
		name           string
		client, server pmce.Config
		resp           string
	}{
		{"defaults", pmce.Config{Threshold: 32}, pmce.Config{Threshold: 32}, "permessage-deflate"},
		{"shared both ways", pmce.Config{Send: pmce.Shared, Threshold: 32}, pmce.Config{Send: pmce.Shared, Threshold: 32},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"context takeover",
			pmce.Config{Send: pmce.Dedicated(15), ClientMaxWindowBits: 15, Threshold: 32},
			pmce.Config{Send: pmce.Dedicated(15), Threshold: 32},
			"permessage-deflate"},
		{"dedicated small windows",
			pmce.Config{Send: pmce.Dedicated(15), Receive: pmce.Dedicated(9), ClientMaxWindowBits: 15, Threshold: 32},
			pmce.Config{Send: pmce.Dedicated(11), Receive: pmce.Dedicated(10), Threshold: 32},
			"permessage-deflate; server_max_window_bits=9; client_max_window_bits=10"},
		{"shared both ways, asked by the client",
			pmce.Config{Send: pmce.Shared, Receive: pmce.Shared, Threshold: 32},
			pmce.Config{Send: pmce.Dedicated(15), Threshold: 32},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"no context takeover, small windows",
			pmce.Config{Send: pmce.Shared, ClientMaxWindowBits: 15, ServerMaxWindowBits: 10, Threshold: 32},
			pmce.Config{Send: pmce.Shared, ClientMaxWindowBits: 9, ClientNoContextTakeover: true, Threshold: 32},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9"},
	} {
		t.Run(tt.name, func(t *testing.T) { runEndpoints(t, tt.client, tt.server, tt.resp) })
	}
}

func runEndpoints(t *testing.T, ccfg, scfg pmce.Config, wantResp string) {
	cext, err := pmce.New(ccfg)
	if err != nil {
		t.Fatal(err)
	}
	sext, err := pmce.New(scfg)
	if err != nil {
		t.Fatal(err)
	}

	// The opening handshake, through header fields.
	req, err := client.NewRequest("ws://example.com/chat", &client.Config{Extensions: []handshake.Extension{cext}})
	if err != nil {
		t.Fatal(err)
	}
	sres, err := (&server.Config{Extensions: []handshake.Extension{sext}}).Accept(req.HTTPRequest(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if got := sres.Header().Get("Sec-WebSocket-Extensions"); got != wantResp {
		t.Fatalf("response %q, want %q", got, wantResp)
	}
	cres, err := req.VerifyHeader(sres.StatusCode(), sres.Header())
	if err != nil {
		t.Fatal(err)
	}

	// Two Endpoints over pipes, recording what each side sends.
	c2sR, c2sW := io.Pipe()
	s2cR, s2cW := io.Pipe()
	crec := &recorder{w: c2sW}
	srec := &recorder{w: s2cW}
	cli := endpoint.New(frame.Client, s2cR, crec, endpoint.Extensions(endpointExtensions(t, cres.Extensions)...))
	srv := endpoint.New(frame.Server, c2sR, srec, endpoint.Extensions(endpointExtensions(t, sres.Extensions)...))

	done := make(chan error, 1)
	go func() { // echo
		for {
			m, err := srv.NextMessage()
			if err != nil {
				var ce *endpoint.CloseError
				if errors.As(err, &ce) && ce.Code == frame.CloseNormal {
					err = nil
				}
				done <- err
				return
			}
			if err := srv.WriteMessage(m.Type, m.Data); err != nil {
				done <- err
				return
			}
		}
	}()

	big := strings.Repeat("permessage-deflate through two endpoints. ", 100)
	msgs := []struct {
		op   frame.Opcode
		data string
	}{
		{frame.OpText, big},
		{frame.OpText, "short"},
		{frame.OpBinary, big + big},
		{frame.OpText, big}, // the second time costs little with context takeover
		{frame.OpText, ""},
		{frame.OpText, strings.Repeat("é", 5000)},
	}
	for i, m := range msgs {
		if i == 2 { // one through NextWriter
			w, err := cli.NextWriter(m.op)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, m.data[:100])
			io.WriteString(w, m.data[100:])
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		} else if err := cli.WriteMessage(m.op, []byte(m.data)); err != nil {
			t.Fatal(err)
		}
		got, err := cli.NextMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if got.Type != m.op || string(got.Data) != m.data {
			t.Fatalf("message %d: echo differs (%d bytes, want %d)", i, len(got.Data), len(m.data))
		}
	}
	if err := cli.Close(frame.CloseNormal, ""); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c2sW.Close()
	s2cW.Close()

	// What went over the wire, each way.
	for _, side := range []struct {
		name string
		rec  *recorder
		role frame.Role // the role of the receiver, whose parser reads it
	}{{"client", crec, frame.Server}, {"server", srec, frame.Client}} {
		p := parser.New(bytes.NewReader(side.rec.bytes()), parser.Role(side.role), parser.AllowRsv(frame.Rsv1))
		var i int
		var sizes []int
		for {
			f, err := p.Next()
			if err != nil {
				if err != io.EOF {
					t.Fatal(err)
				}
				break
			}
			h := f.Header()
			if h.Opcode.IsControl() {
				continue
			}
			if !h.Fin {
				t.Fatalf("%s: message %d fragmented", side.name, i)
			}
			m := msgs[i]
			compressed := h.Rsv&frame.Rsv1 != 0
			if want := len(m.data) >= 32; compressed != want {
				t.Errorf("%s: message %d of %d bytes: RSV1 %v", side.name, i, len(m.data), compressed)
			}
			if compressed && int(h.Length) >= len(m.data)/4 {
				t.Errorf("%s: message %d: %d bytes on the wire for %d", side.name, i, h.Length, len(m.data))
			}
			sizes = append(sizes, int(h.Length))
			i++
		}
		if i != len(msgs) {
			t.Fatalf("%s: %d messages on the wire, want %d", side.name, i, len(msgs))
		}
		t.Logf("%s sent %v bytes", side.name, sizes)
		if sending, _ := cres.Extensions[0].(*pmce.Codec).ContextTakeover(); sending && side.name == "client" && sizes[3] >= sizes[0] {
			t.Errorf("context takeover: the repeated message is %d bytes, the first %d", sizes[3], sizes[0])
		}
	}
}

// TestUpgradedCloseReleases: README.md's server gives a Leased codec's
// compressor back when the connection is closed (Upgraded.Close calls
// CloseSend), instead of LeaseIdle later: the codec, which compressed the
// echo with context takeover, then compresses a message on its own, as a
// fresh compressor does.
func TestUpgradedCloseReleases(t *testing.T) {
	msg := []byte(strings.Repeat("a message worth compressing, twice over. ", 20))
	ext, err := pmce.New(pmce.Config{LeaseIdle: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &server.Config{Extensions: []handshake.Extension{ext}}
	codecs := make(chan *pmce.Codec, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r)
		if err != nil {
			return
		}
		ep, err := up.Endpoint()
		if err != nil {
			up.Close()
			return
		}
		go func() {
			m, err := ep.NextMessage()
			if err == nil {
				err = ep.WriteMessage(m.Type, m.Data)
			}
			up.Close()
			if err != nil {
				t.Error(err)
			}
			codecs <- up.Result.Extensions[0].(*pmce.Codec)
		}()
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := client.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &client.Config{Extensions: []handshake.Extension{ext}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cep := d.Endpoint()
	if err := cep.WriteMessage(frame.OpText, msg); err != nil {
		t.Fatal(err)
	}
	if m, err := cep.NextMessage(); err != nil || !bytes.Equal(m.Data, msg) {
		t.Fatalf("echo: %q, %v", m.Data, err)
	}
	codec := <-codecs
	got, err := codec.Compress(nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	_, alone := agreedPair(t, pmce.Config{Send: pmce.Shared})
	want, err := alone.(*pmce.Codec).Compress(nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("after Upgraded.Close the codec compressed %d bytes into %d, want %d as on its own", len(msg), len(got), len(want))
	}
}
