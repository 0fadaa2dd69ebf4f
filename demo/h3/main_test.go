package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
)

// TestOneURLEveryVersion: one address serves WebSocket over HTTP/1.1,
// HTTP/2 and HTTP/3.
func TestOneURLEveryVersion(t *testing.T) {
	addr, pool := startServers(t)
	for _, name := range []string{"h1", "h2", "h3"} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := dialers[name](ctx, addr, pool)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			msgs := []string{"one", strings.Repeat("big ", 20000), ""}
			for _, m := range msgs {
				if err := c.send(frame.OpText, []byte(m)); err != nil {
					t.Fatal(err)
				}
				r, err := c.recv()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, string(r.Data))
			}
			if diff := cmp.Diff(msgs, got); diff != "" {
				t.Errorf("echoes (-want +got):\n%s", diff)
			}
			if err := c.close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
}

// TestAltSvc: a TCP response announces HTTP/3 on the same port, and the
// page answers over HTTP/3 too.
func TestAltSvc(t *testing.T) {
	addr, pool := startServers(t)
	_, port, _ := strings.Cut(addr, ":")
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	resp, err := c.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Alt-Svc"); !strings.Contains(got, `h3=":`+port+`"`) {
		t.Errorf("Alt-Svc %q, want h3 on port %s", got, port)
	}
	h3 := &http.Client{Transport: &http3.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	resp, err = h3.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 3 || !strings.Contains(string(body), "wss://"+addr+"/echo") || !strings.Contains(string(body), "came over HTTP/3.0") {
		t.Errorf("over HTTP/3: %s %q", resp.Proto, body)
	}
}

// TestFlags: -cert and -key load the files; a lone -cert is refused.
func TestFlags(t *testing.T) {
	if err := run([]string{"-cert", "x.pem"}, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("lone -cert: %v", err)
	}
	if err := run([]string{"-cert", "missing.pem", "-key", "missing.key"}, io.Discard, nil); err == nil {
		t.Error("missing files: no error")
	}
	dir := t.TempDir()
	certPEM, keyPEM := writePEM(t, dir)
	stop := make(chan struct{})
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-addr", "127.0.0.1:0", "-cert", certPEM, "-key", keyPEM}, &syncWriter{w: &logs}, stop)
	}()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "wss://127.0.0.1:") {
		t.Errorf("log: %q", logs.String())
	}
}

// writePEM writes a self-signed certificate and its key as PEM files.
func writePEM(t *testing.T, dir string) (string, string) {
	t.Helper()
	cert, _, err := h3ws.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600)
	return certPath, keyPath
}

// syncWriter serializes writes from the server's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.(fmt.Stringer).String()
}

// mustConfig is the demo's handshake configuration, permessage-deflate on.
func mustConfig(t testing.TB) *server.Config {
	hs, err := newConfig(true)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

// TestDeflateOverHTTP3: permessage-deflate is negotiated over HTTP/3 as
// over TCP, and compressed messages echo intact.
func TestDeflateOverHTTP3(t *testing.T) {
	addr, pool := startServers(t)
	ext, err := pmce.New(pmce.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, qc, err := (&h3ws.Dialer{TLS: &tls.Config{RootCAs: pool}}).Dial(ctx, "wss://"+addr+"/echo",
		&client.Config{Extensions: []handshake.Extension{ext}})
	if err != nil {
		t.Fatal(err)
	}
	defer qc.CloseWithError(0, "")
	if len(c.Extensions) != 1 {
		t.Fatalf("agreed extensions %v, want permessage-deflate", c.Extensions)
	}
	var got []string
	msgs := []string{strings.Repeat("compressible ", 10000), "short"}
	for _, m := range msgs {
		if err := c.WriteMessage(frame.OpText, []byte(m)); err != nil {
			t.Fatal(err)
		}
		r, err := c.NextMessage()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(r.Data))
	}
	if diff := cmp.Diff(msgs, got); diff != "" {
		t.Errorf("echoes (-want +got):\n%s", diff)
	}
	if err := c.Close(frame.CloseNormal, ""); err != nil {
		t.Errorf("Close: %v", err)
	}
}
