// Package browser tests wskit's demo/echo server from headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core from interop's
// node_modules; setup.sh installs both). Each test builds demo/echo, starts
// it on 127.0.0.1 with a free port, and runs browser.mjs, which reports what
// the browser saw as JSON lines on stdout.
//
// Without Chromium or node_modules the tests fail when CI=true and are
// skipped otherwise.
package browser

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const chromiumPath = "/usr/bin/chromium"

// testTimeout bounds each test: building the server, Chromium's start and
// every check.
const testTimeout = 60 * time.Second

// dirs returns this package's directory (go test runs in it), interop/ and
// the repository root.
func dirs(t *testing.T) (pkg, interop, root string) {
	t.Helper()
	pkg, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	interop = filepath.Dir(pkg)
	return pkg, interop, filepath.Dir(interop)
}

// requireTools fails (in CI) or skips (elsewhere) when the browser or the
// Node packages are missing.
func requireTools(t *testing.T) {
	t.Helper()
	_, interop, _ := dirs(t)
	var missing []string
	if _, err := os.Stat(chromiumPath); err != nil {
		missing = append(missing, chromiumPath+" (apt-get install chromium)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join(interop, "node_modules", "playwright-core", "package.json")); err != nil {
		missing = append(missing, "interop/node_modules/playwright-core (npm ci in interop/)")
	}
	if len(missing) == 0 {
		return
	}
	msg := "browser tests need " + strings.Join(missing, ", ") + ": run interop/browser/setup.sh"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// echoBinary builds demo/echo once per test run, with go build in the
// repository root (the main module).
func echoBinary(t *testing.T, ctx context.Context) string {
	t.Helper()
	buildOnce.Do(func() {
		_, _, root := dirs(t)
		buildDir, buildErr = os.MkdirTemp("", "wskit-browser-")
		if buildErr != nil {
			return
		}
		bin := filepath.Join(buildDir, "echo")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./demo/echo")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./demo/echo: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "echo")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// server is a running demo/echo process.
type server struct {
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:PORT
	logs *logBuffer
	done chan error
}

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

var listeningRE = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// startEcho runs demo/echo on 127.0.0.1 with a free port; it is killed at
// the end of the test if it is still running.
func startEcho(t *testing.T, ctx context.Context, args ...string) *server {
	t.Helper()
	bin := echoBinary(t, ctx)
	s := &server{logs: &logBuffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	pr, pw := io.Pipe()
	s.cmd.Stderr = io.MultiWriter(s.logs, pw)
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-s.done
		s.done <- nil // for a later s.wait
		if t.Failed() {
			t.Logf("demo/echo log:\n%s", s.logs)
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case s.url = <-found:
	case <-time.After(10 * time.Second):
		t.Fatalf("demo/echo did not start:\n%s", s.logs)
	case <-ctx.Done():
		t.Fatalf("demo/echo did not start: %v\n%s", ctx.Err(), s.logs)
	}
	return s
}

// wait waits for the server to exit and returns its error.
func (s *server) wait(d time.Duration) error {
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(d):
		return errors.New("demo/echo did not exit")
	}
}

// browserRun is a running browser.mjs.
type browserRun struct {
	lines  chan map[string]json.RawMessage
	stderr *logBuffer
	wait   func() error
}

// runBrowser starts node browser.mjs MODE URL [ARGS...] in its own process
// group, so that Chromium dies with it when the context ends.
func runBrowser(t *testing.T, ctx context.Context, mode, url string, args ...string) *browserRun {
	t.Helper()
	pkg, _, _ := dirs(t)
	cmd := exec.CommandContext(ctx, "node", append([]string{"browser.mjs", mode, url}, args...)...)
	cmd.Dir = pkg
	cmd.Env = append(os.Environ(), "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1")
	if dl, ok := ctx.Deadline(); ok {
		ms := time.Until(dl).Milliseconds() - 5000
		cmd.Env = append(cmd.Env, fmt.Sprintf("WSKIT_BROWSER_DEADLINE_MS=%d", max(ms, 1000)))
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	r := &browserRun{lines: make(chan map[string]json.RawMessage, 16), stderr: &logBuffer{}}
	cmd.Stderr = r.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(r.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m = map[string]json.RawMessage{"junk": json.RawMessage(fmt.Sprintf("%q", sc.Text()))}
			}
			r.lines <- m
		}
	}()
	var once sync.Once
	var waitErr error
	r.wait = func() error {
		once.Do(func() { waitErr = cmd.Wait() })
		return waitErr
	}
	t.Cleanup(func() {
		// Whatever happened, no Chromium outlives the test.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		r.wait()
	})
	return r
}

// next returns the next JSON line with key, failing on an error line, the
// end of the output or the context's end.
func (r *browserRun) next(t *testing.T, ctx context.Context, key string, v any) {
	t.Helper()
	for {
		select {
		case m, ok := <-r.lines:
			if !ok {
				err := r.wait()
				t.Fatalf("browser.mjs ended (%v) before a %q line; stderr:\n%s", err, key, r.stderr)
			}
			if e, ok := m["error"]; ok {
				var s string
				json.Unmarshal(e, &s)
				t.Fatalf("browser.mjs: %s\nstderr:\n%s", s, r.stderr)
			}
			if j, ok := m["junk"]; ok {
				t.Logf("browser.mjs printed: %s", j)
				continue
			}
			raw, ok := m[key]
			if !ok {
				continue
			}
			if err := json.Unmarshal(raw, v); err != nil {
				t.Fatalf("browser.mjs %s: %v: %s", key, err, raw)
			}
			return
		case <-ctx.Done():
			t.Fatalf("browser.mjs: no %q line: %v; stderr:\n%s", key, ctx.Err(), r.stderr)
		}
	}
}

// browserInfo is common to every result.
type browserInfo struct {
	Version  string   `json:"version"`
	UA       string   `json:"ua"`
	LaunchMS int      `json:"launchMs"`
	Problems []string `json:"problems"`
}

func (b browserInfo) check(t *testing.T) {
	t.Helper()
	t.Logf("Chromium %s (%s), started and loaded the page in %d ms", b.Version, b.UA, b.LaunchMS)
	for _, p := range b.Problems {
		t.Errorf("page reported: %s", p)
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func artifactDir(t *testing.T) string {
	dir := os.Getenv("WSKIT_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestPage clicks through the demo page as a person would: connect, send
// text and binary, send text with Enter, ping, close with 4000 and a
// reason; then, at 420 px wide, nothing may stick out sideways.
func TestPage(t *testing.T) {
	requireTools(t)
	ctx := testContext(t)
	srv := startEcho(t, ctx)
	artifacts := artifactDir(t)
	run := runBrowser(t, ctx, "page", srv.url, artifacts)
	var res struct {
		browserInfo
		Title             string   `json:"title"`
		URL               string   `json:"url"`
		Status            string   `json:"status"`
		NegProtocol       string   `json:"negProtocol"`
		NegExtensions     string   `json:"negExtensions"`
		ConnectLabel      string   `json:"connectLabel"`
		CloseInfo         string   `json:"closeInfo"`
		StatusAfter       string   `json:"statusAfter"`
		ConnectLabelAfter string   `json:"connectLabelAfter"`
		SendDisabledAfter bool     `json:"sendDisabledAfter"`
		Log               []string `json:"log"`
		Msg               string   `json:"msg"`
		MsgBytes          int      `json:"msgBytes"`
		EnterMsg          string   `json:"enterMsg"`
		Screenshot        string   `json:"screenshot"`
		NarrowScreenshot  string   `json:"narrowScreenshot"`
		Narrow            struct {
			ScrollWidth int      `json:"scrollWidth"`
			ClientWidth int      `json:"clientWidth"`
			Wide        []string `json:"wide"`
		} `json:"narrow"`
	}
	run.next(t, ctx, "result", &res)
	res.check(t)
	t.Logf("screenshot: %s", res.Screenshot)
	if fi, err := os.Stat(res.Screenshot); err != nil || fi.Size() == 0 {
		t.Errorf("no screenshot at %s: %v", res.Screenshot, err)
	}

	wsURL := "ws" + strings.TrimPrefix(srv.url, "http") + "/echo"
	if res.Title != "wskit echo" || res.URL != wsURL {
		t.Errorf("page title %q, URL field %q; want %q, %q", res.Title, res.URL, "wskit echo", wsURL)
	}
	// The server's parameters may follow the name, as pmce's defaults say.
	if res.Status != "open" || res.NegProtocol != "-" || !strings.HasPrefix(res.NegExtensions, "permessage-deflate") || res.ConnectLabel != "Disconnect" {
		t.Errorf("after Connect: status %q, subprotocol %q, extensions %q, button %q; want open, -, permessage-deflate, Disconnect",
			res.Status, res.NegProtocol, res.NegExtensions, res.ConnectLabel)
	}
	// The log, oldest first, without the times.
	var log []string
	for _, l := range res.Log {
		if _, rest, ok := strings.Cut(l, "  "); ok {
			l = rest
		}
		log = append(log, l)
	}
	hexMsg := fmt.Sprintf("% x", res.Msg)
	want := []string{
		"open: subprotocol none, extensions " + res.NegExtensions,
		fmt.Sprintf("→ text %d B: %s", res.MsgBytes, res.Msg),
		fmt.Sprintf("← text %d B: %s", res.MsgBytes, res.Msg),
		fmt.Sprintf("→ binary %d B: %s", res.MsgBytes, hexMsg),
		fmt.Sprintf("← binary %d B: %s", res.MsgBytes, hexMsg),
		fmt.Sprintf("→ text %d B: %s", len(res.EnterMsg), res.EnterMsg),
		fmt.Sprintf("← text %d B: %s", len(res.EnterMsg), res.EnterMsg),
		"ping answered by the browser's pong in # ms",
		`→ close 4000 "tests done"`,
		"closed: 4000 (clean)",
	}
	rtt := regexp.MustCompile(`in [0-9]+\.[0-9]{2} ms$`)
	for i := range log {
		log[i] = rtt.ReplaceAllString(log[i], "in # ms")
	}
	if strings.Join(log, "\n") != strings.Join(want, "\n") {
		t.Errorf("page log:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(res.CloseInfo, "4000") || !strings.Contains(res.CloseInfo, `"tests done"`) || !strings.Contains(res.CloseInfo, "(clean)") {
		t.Errorf("#closeInfo %q: want the code 4000, the reason \"tests done\" and (clean)", res.CloseInfo)
	}
	if res.StatusAfter != "closed" || res.ConnectLabelAfter != "Connect" || !res.SendDisabledAfter {
		t.Errorf("after Close: status %q, button %q, send disabled %v", res.StatusAfter, res.ConnectLabelAfter, res.SendDisabledAfter)
	}
	t.Logf("at 420 px: scrollWidth %d, clientWidth %d; screenshot: %s", res.Narrow.ScrollWidth, res.Narrow.ClientWidth, res.NarrowScreenshot)
	if res.Narrow.ClientWidth == 0 || res.Narrow.ScrollWidth > res.Narrow.ClientWidth || len(res.Narrow.Wide) > 0 {
		t.Errorf("at 420 px the page overflows sideways: scrollWidth %d > clientWidth %d; past the right edge: %v",
			res.Narrow.ScrollWidth, res.Narrow.ClientWidth, res.Narrow.Wide)
	}
	if err := run.wait(); err != nil {
		t.Errorf("browser.mjs: %v\n%s", err, run.stderr)
	}
}

// check is one interop check's outcome, as browser.mjs reports it.
type check struct {
	Name       string `json:"name"`
	OK         bool   `json:"ok"`
	Error      string `json:"error"`
	MS         int    `json:"ms"`
	Type       string `json:"type"`
	Bytes      int    `json:"bytes"`
	Got        string `json:"got"`
	Protocol   string `json:"protocol"`
	Extensions string `json:"extensions"`
	Echoed     string `json:"echoed"`
	Code       int    `json:"code"`
	Reason     string `json:"reason"`
	WasClean   bool   `json:"wasClean"`
	Close      *struct {
		Code     int  `json:"code"`
		WasClean bool `json:"wasClean"`
	} `json:"close"`
}

func (c check) summary() string {
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	if !c.OK {
		add("FAILED: %s", c.Error)
	}
	if c.Type != "" {
		add("echoed %s of %d bytes", c.Type, c.Bytes)
	}
	if c.Name == "open" || c.Protocol != "" || strings.HasPrefix(c.Name, "subprotocol") {
		add("protocol %q extensions %q", c.Protocol, c.Extensions)
	}
	if c.Echoed != "" {
		add("echoed %q", c.Echoed)
	}
	if c.Code != 0 {
		add("close event %d %q clean=%v", c.Code, c.Reason, c.WasClean)
	}
	if c.Close != nil {
		add("close event %d clean=%v", c.Close.Code, c.Close.WasClean)
	}
	return strings.Join(parts, ", ")
}

// TestInterop runs the WebSocket checks in page JS, against the default
// server (the browser's permessage-deflate offer accepted) and against one
// run with -deflate=false.
func TestInterop(t *testing.T) {
	requireTools(t)
	for _, tc := range []struct {
		name    string
		args    []string
		wantExt string
	}{
		{"deflate", nil, "permessage-deflate"},
		{"nodeflate", []string{"-deflate=false"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			srv := startEcho(t, ctx, tc.args...)
			run := runBrowser(t, ctx, "interop", srv.url)
			var res struct {
				browserInfo
				Checks []check `json:"checks"`
			}
			run.next(t, ctx, "result", &res)
			res.check(t)
			seen := map[string]check{}
			for _, c := range res.Checks {
				seen[c.Name] = c
				if !c.OK {
					t.Errorf("%s: failed: %s", c.Name, c.Error)
				}
				t.Logf("%-24s %5d ms  %s", c.Name, c.MS, c.summary())
			}
			get := func(name string) check {
				t.Helper()
				c, ok := seen[name]
				if !ok {
					t.Fatalf("browser.mjs did not report %q", name)
				}
				return c
			}
			open := get("open")
			if !strings.Contains(open.Extensions, tc.wantExt) || (tc.wantExt == "" && open.Extensions != "") {
				t.Errorf("ws.extensions = %q, want %q", open.Extensions, tc.wantExt)
			}
			if open.Protocol != "" {
				t.Errorf("ws.protocol = %q with no subprotocol offered", open.Protocol)
			}
			for _, w := range []struct {
				name, typ string
				bytes     int
			}{
				{"text", "string", len("Hello, wskit!")},
				{"empty text", "string", 0},
				{"non-ASCII text", "string", len("héllo wörld ✓ 🎉")},
				{"binary", "arraybuffer", 7},
				{"16 MiB binary", "arraybuffer", 16 << 20},
				{"16 MiB text", "string", 16 << 20},
			} {
				if c := get(w.name); c.Type != w.typ || c.Bytes != w.bytes {
					t.Errorf("%s: echoed %s of %d bytes, want %s of %d", w.name, c.Type, c.Bytes, w.typ, w.bytes)
				}
			}
			if c := get("non-ASCII text"); c.Got != "héllo wörld ✓ 🎉" {
				t.Errorf("non-ASCII text came back as %q", c.Got)
			}
			for _, w := range []struct{ name, protocol string }{
				{"subprotocol chat", "chat"},
				{"subprotocol echo", "echo"}, // offered echo, chat: the server's first choice that is offered
				{"subprotocol none", ""},
			} {
				c := get(w.name)
				if c.Protocol != w.protocol || c.Echoed != "over "+cmpOr(w.protocol, "no subprotocol") {
					t.Errorf("%s: ws.protocol %q, echoed %q; want %q", w.name, c.Protocol, c.Echoed, w.protocol)
				}
				if c.Close == nil || c.Close.Code != 1005 || !c.Close.WasClean {
					t.Errorf("%s: close() without a code: close event %+v, want 1005, clean", w.name, c.Close)
				}
			}
			// The server answers a close with its code; RFC 6455 lets it leave
			// out the reason (wskit's endpoint does) or echo it.
			for _, w := range []struct {
				name, sent string
				code       int
			}{
				{"close 1000", "done", 1000},
				{"close 4000 with reason", "tests done ✓", 4000},
				{"close without code", "", 1005},
			} {
				c := get(w.name)
				if c.Code != w.code || !c.WasClean || (c.Reason != "" && c.Reason != w.sent) {
					t.Errorf("%s: close event code %d, reason %q, wasClean %v; want %d, %q or \"\", true",
						w.name, c.Code, c.Reason, c.WasClean, w.code, w.sent)
				}
			}
			if err := run.wait(); err != nil {
				t.Errorf("browser.mjs: %v\n%s", err, run.stderr)
			}
			if tc.wantExt != "" && !strings.Contains(srv.logs.String(), "ext=permessage-deflate close=1000") {
				t.Errorf("server log does not show the deflate connection closed with 1000:\n%s", srv.logs)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestServerGoingAway sends SIGINT to demo/echo while the browser has a
// socket open: the browser sees a clean close with 1001.
func TestServerGoingAway(t *testing.T) {
	requireTools(t)
	ctx := testContext(t)
	srv := startEcho(t, ctx)
	run := runBrowser(t, ctx, "goaway", srv.url)
	var waiting string
	run.next(t, ctx, "waiting", &waiting)
	if err := srv.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var res struct {
		browserInfo
		Close struct {
			Code     int    `json:"code"`
			Reason   string `json:"reason"`
			WasClean bool   `json:"wasClean"`
		} `json:"close"`
	}
	run.next(t, ctx, "result", &res)
	res.check(t)
	t.Logf("close event: %+v", res.Close)
	if res.Close.Code != 1001 || !res.Close.WasClean {
		t.Errorf("close event %+v, want code 1001, wasClean true", res.Close)
	}
	if err := srv.wait(10 * time.Second); err != nil {
		t.Errorf("demo/echo after SIGINT: %v\n%s", err, srv.logs)
	}
	if !strings.Contains(srv.logs.String(), "close=1001") {
		t.Errorf("server log does not record the 1001 close:\n%s", srv.logs)
	}
	if err := run.wait(); err != nil {
		t.Errorf("browser.mjs: %v\n%s", err, run.stderr)
	}
}
