package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"io"
	"log"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wskit/wskit/demo/h3/h3ws"
)

// chromium returns Debian's Chromium, which interop/browser/setup.sh
// installs. Without it the test is skipped, except under CI=true, where a
// missing browser fails it.
func chromium(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed (interop/browser/setup.sh installs it)")
	}
	t.Skip("Chromium is not installed")
	return ""
}

// TestChromium loads the demo's page in headless Chromium over HTTP/3
// (QUIC forced for the origin) and lets the page open its WebSocket.
// With the feature EnableWebsocketsOverHttp3 Chromium opens it with an
// RFC 9220 Extended CONNECT on the page's QUIC connection; without it, it
// falls back to HTTP/1.1 on the same URL. Chromium only takes the HTTP/3
// path on a QUIC session whose SETTINGS already enabled Extended CONNECT,
// which is why the page itself comes over HTTP/3 first.
func TestChromium(t *testing.T) {
	bin := chromium(t)
	cert, _, err := h3ws.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	spki := sha256.Sum256(cert.Leaf.RawSubjectPublicKeyInfo)
	for _, tt := range []struct {
		name     string
		features []string
		want     string // the server's log line for the WebSocket
	}{
		{name: "EnableWebsocketsOverHttp3", features: []string{"--enable-features=EnableWebsocketsOverHttp3"}, want: "conn h3 "},
		{name: "default", want: "conn h1 "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			lw := &syncWriter{w: &logs}
			addr := startServersWithCert(t, cert, lw)
			args := []string{
				"--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--user-data-dir=" + profileDir(t),
				"--enable-quic", "--origin-to-force-quic-on=" + addr,
				"--ignore-certificate-errors-spki-list=" + base64.StdEncoding.EncodeToString(spki[:]),
			}
			args = append(append(args, tt.features...), "https://"+addr+"/")
			// The page closes its WebSocket with 1000 once the echo is
			// back; the server logs it then, and the browser is stopped.
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			// SIGTERM lets Chromium end its helper processes itself.
			cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
			cmd.WaitDelay = 10 * time.Second
			if err := cmd.Start(); err != nil {
				t.Fatalf("chromium: %v", err)
			}
			defer cmd.Wait()
			defer cancel()
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(lw.String(), "close=") && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			got := lw.String()
			if !strings.Contains(got, tt.want) || !strings.Contains(got, "close=1000") {
				t.Errorf("server log lacks %q with close=1000 (the page closes so after its echo):\n%s", tt.want, got)
			}
		})
	}
}

// startServersWithCert serves the demo with cert on a free loopback port
// until the test ends, logging to logw.
func startServersWithCert(t *testing.T, cert tls.Certificate, logw io.Writer) string {
	t.Helper()
	s, err := listen("127.0.0.1:0", cert, mustConfig(t), log.New(logw, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.serve() }()
	t.Cleanup(func() {
		s.close()
		<-done
	})
	return s.Addr()
}

// profileDir is a fresh Chromium profile directory, removed when the test
// ends (retried: helper processes may still be writing to it for a moment
// after the browser exits).
func profileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "wskit-h3-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 50 && os.RemoveAll(dir) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
}
