package server_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake/client"
)

// xconnect is the GODEBUG setting without which Go's HTTP/2 server neither
// announces SETTINGS_ENABLE_CONNECT_PROTOCOL nor accepts :protocol
// (net/http reads GODEBUG once, at init, from the environment).
const xconnect = "http2xconnect=1"

// TestHTTP2 opens a WebSocket over HTTP/2 (RFC 8441) between Go's own
// HTTP/2 client and server, over h2c and over TLS, and exchanges messages
// on the stream. When the test binary was started without
// GODEBUG=http2xconnect=1, it first checks that the client is refused,
// then runs itself again with the setting.
func TestHTTP2(t *testing.T) {
	if !strings.Contains(os.Getenv("GODEBUG"), xconnect) {
		t.Run("without GODEBUG", func(t *testing.T) {
			_, _, err := openHTTP2(t, false)
			if err == nil || !strings.Contains(err.Error(), "extended connect not supported by peer") {
				t.Errorf("without %s: %v, want the client to refuse", xconnect, err)
			}
		})
		godebug := xconnect
		if old := os.Getenv("GODEBUG"); old != "" {
			godebug = old + "," + xconnect
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestHTTP2$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "GODEBUG="+godebug)
		out, err := cmd.CombinedOutput()
		t.Logf("child process with GODEBUG=%s:\n%s", godebug, out)
		if err != nil || !strings.Contains(string(out), "--- PASS: TestHTTP2/tls") || !strings.Contains(string(out), "--- PASS: TestHTTP2/h2c") {
			t.Fatalf("child process: %v", err)
		}
		return
	}
	for _, tls := range []bool{false, true} {
		name := "h2c"
		if tls {
			name = "tls"
		}
		t.Run(name, func(t *testing.T) {
			body, w, err := openHTTP2(t, tls)
			if err != nil {
				t.Fatal(err)
			}
			defer body.Close()
			for _, msg := range []string{"hello", strings.Repeat("over h2 ", 1000)} {
				if err := writeFrame(w, opText, []byte(msg), true); err != nil {
					t.Fatal(err)
				}
				op, p, masked, err := readFrame(body)
				if err != nil || op != opText || string(p) != msg || masked {
					t.Fatalf("echo: %d %.20q %v %v", op, p, masked, err)
				}
			}
			writeFrame(w, opClose, []byte{3, 232}, true)
			if op, _, _, err := readFrame(body); err != nil || op != opClose {
				t.Fatalf("close: %d %v", op, err)
			}
			w.Close()
		})
	}
}

// openHTTP2 starts an HTTP/2 server whose handler upgrades with
// server.Config.Upgrade and echoes, sends it an extended CONNECT from Go's
// HTTP/2 client, and returns the stream's two directions.
func openHTTP2(t *testing.T, useTLS bool) (io.ReadCloser, io.WriteCloser, error) {
	t.Helper()
	handlerErr := make(chan error, 1)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 || r.Method != http.MethodConnect || r.Header.Get(":protocol") != "websocket" {
			handlerErr <- nil
			http.Error(w, "not an extended CONNECT", http.StatusBadRequest)
			return
		}
		up, err := testConfig.Upgrade(w, r)
		if err != nil {
			handlerErr <- err
			return
		}
		if !up.Result.HTTP2 || up.Conn != nil || up.Result.Protocol != "chat.v2" {
			t.Errorf("Upgrade = %+v", up)
		}
		handlerErr <- echo(up.Reader, up.Writer)
	}))
	var transport *http.Transport
	var conn net.Conn
	scheme := "ws"
	if useTLS {
		ts.EnableHTTP2 = true
		ts.StartTLS()
		transport = ts.Client().Transport.(*http.Transport).Clone()
		tc, err := tls.Dial("tcp", ts.Listener.Addr().String(), &tls.Config{
			RootCAs:    transport.TLSClientConfig.RootCAs,
			NextProtos: []string{"h2"},
			ServerName: "example.com", // in httptest's certificate
		})
		if err != nil {
			t.Fatal(err)
		}
		conn = tc
		scheme = "wss"
	} else {
		var p http.Protocols
		p.SetHTTP1(true)
		p.SetUnencryptedHTTP2(true)
		ts.Config.Protocols = &p
		ts.Start()
		var cp http.Protocols
		cp.SetUnencryptedHTTP2(true)
		transport = &http.Transport{Protocols: &cp}
		var err error
		if conn, err = net.Dial("tcp", ts.Listener.Addr().String()); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		conn.Close()
		transport.CloseIdleConnections()
		ts.Close()
	})

	cfg := clientConfig()
	cfg.Origin = ""
	req, err := client.NewRequest(scheme+"://"+ts.Listener.Addr().String()+"/chat", cfg)
	if err != nil {
		t.Fatal(err)
	}
	// net/http's Transport.RoundTrip refuses the :protocol field; the
	// HTTP/2 layer under it sends it.
	rt, err := client.HTTP2RoundTripper(transport, req.URL.Host, conn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := transport.RoundTrip(req.HTTP2Request(context.Background(), nil)); err == nil || !strings.Contains(err.Error(), ":protocol") {
		t.Errorf("Transport.RoundTrip = %v; Go now sends extended CONNECT itself, simplify", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	resp, err := rt.RoundTrip(req.HTTP2Request(ctx, pr))
	if err != nil {
		return nil, nil, err
	}
	if resp.ProtoMajor != 2 {
		t.Fatalf("response over %s", resp.Proto)
	}
	res, err := req.VerifyHTTP2(resp)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantClientResult, res); diff != "" {
		t.Errorf("client result (-want +got):\n%s", diff)
	}
	t.Cleanup(func() {
		pw.Close()
		if err := <-handlerErr; err != nil && err != io.EOF {
			t.Errorf("handler: %v", err)
		}
	})
	return resp.Body, pw, nil
}
