package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/frame"
)

// requireBrowser returns interop/, whose node_modules holds playwright-core,
// once Chromium, node and playwright-core are found. Without them the test
// fails under CI=true (CI installs them with interop/browser/setup.sh) and
// is skipped otherwise.
func requireBrowser(t *testing.T) string {
	t.Helper()
	interop, err := filepath.Abs(filepath.Join("..", "..", "interop"))
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		missing = append(missing, "/usr/bin/chromium")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join(interop, "node_modules", "playwright-core", "package.json")); err != nil {
		missing = append(missing, "interop/node_modules/playwright-core")
	}
	if len(missing) > 0 {
		msg := "the browser test needs " + strings.Join(missing, ", ") + ": run interop/browser/setup.sh"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return interop
}

// pageView is what browser.mjs reports of one page.
type pageView struct {
	Title       string   `json:"title"`
	Room        string   `json:"room"`
	Status      string   `json:"status"`
	Messages    []string `json:"messages"`
	Notes       []string `json:"notes"`
	ScrollWidth int      `json:"scrollWidth"`
	ClientWidth int      `json:"clientWidth"`
}

// dropper is the browser test's server: a node with embedded NATS, and two
// test routes the script calls. /test/drop?room=R does what a node that
// lost NATS does (every WebSocket closed with 1012, joins answered 503),
// waits for the connections to end, and publishes missed messages to R
// meanwhile; /test/restore ends the outage. It records the path and query
// of every join, and each room's last seq at the drop.
type dropper struct {
	n *testNode

	mu      sync.Mutex
	dropped bool
	joins   map[string][]string // by room: the URIs before the drop, then after
	lastSeq map[string]uint64   // by room, at the drop
}

// missed are the messages published while the pages are cut off.
var missed = []string{"dave: while you were away 1", "dave: while you were away 2", "dave: while you were away 3"}

func (d *dropper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/test/drop":
		room := r.URL.Query().Get("room")
		d.mu.Lock()
		d.dropped = true
		for rm := range d.joins {
			d.lastSeq[rm], _ = d.n.broker.LastSeq(topicOf(rm))
		}
		d.mu.Unlock()
		d.n.brokerLost(errors.New("test: NATS cut off"))
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			d.n.srv.mu.Lock()
			left := len(d.n.srv.conns)
			d.n.srv.mu.Unlock()
			if left == 0 {
				break
			}
			if time.Now().After(deadline) {
				http.Error(w, fmt.Sprintf("%d connections still open", left), http.StatusInternalServerError)
				return
			}
		}
		for _, m := range missed {
			if err := d.n.srv.hub.Publish(topicOf(room), frame.OpText, []byte(m)); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
		return
	case "/test/restore":
		d.n.brokerRestored()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if room, ok := roomOf(r.URL.Path); ok {
		d.mu.Lock()
		key := room
		if d.dropped {
			key += " after the drop"
		}
		d.joins[key] = append(d.joins[key], r.URL.RequestURI())
		d.mu.Unlock()
	}
	d.n.ServeHTTP(w, r)
}

// refused is how Chromium's console reports a join refused with 503.
var refused = regexp.MustCompile(`^console: WebSocket connection to 'ws://[^/]+/chat/[A-Za-z0-9_-]+\?since=[1-9][0-9]*' failed: .*: 503$`)

// TestBrowser opens the page three times in headless Chromium, twice in
// one room and once in another, served by a node with embedded NATS (as
// main runs it). The two in the room see each other's messages, their own
// included, in the same order, over permessage-deflate; the third sees
// only its room's. Then the node drops every connection with 1012 and
// refuses joins for a while, during which three messages are published:
// the pages reconnect with since = the last seq they showed, and show
// every message exactly once.
func TestBrowser(t *testing.T) {
	interop := requireBrowser(t)
	n := startNode(t, Config{}, ClusterConfig{History: DefaultHistory})
	const room = "browser-test_1"
	d := &dropper{n: n, joins: map[string][]string{}, lastSeq: map[string]uint64{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: d, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() { hs.Serve(ln); close(served) }()
	defer func() { hs.Close(); <-served }()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "browser.mjs", "http://"+ln.Addr().String(), room)
	cmd.Env = append(os.Environ(), "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1", "WSKIT_INTEROP="+interop,
		fmt.Sprintf("WSKIT_BROWSER_DEADLINE_MS=%d", 50000))
	// Its own process group, so that no Chromium outlives the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	var out struct {
		Error  string `json:"error"`
		Result *struct {
			Version  string   `json:"version"`
			LaunchMS int      `json:"launchMs"`
			ChatMS   int      `json:"chatMs"`
			ResumeMS int      `json:"resumeMs"`
			Problems []string `json:"problems"`
			A, B, C  pageView
		} `json:"result"`
	}
	if jerr := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); jerr != nil || out.Error != "" || out.Result == nil {
		t.Fatalf("browser.mjs: %v; %v; %s\nstdout:\n%s\nstderr:\n%s", err, jerr, out.Error, &stdout, &stderr)
	}
	r := out.Result
	t.Logf("Chromium %s: three pages open in %d ms, chatted in %d ms, resumed in %d ms after the drop",
		r.Version, r.LaunchMS, r.ChatMS, r.ResumeMS)
	for _, p := range r.Problems {
		// Chromium logs each join refused during the outage.
		if !refused.MatchString(p) {
			t.Errorf("page reported: %s", p)
		}
	}
	shared := append(append([]string{"alice: hello from alice ✓", "bob: hi alice"}, missed...), "alice: back again")
	want := map[string]pageView{
		"a": {Title: "wskit chat: " + room, Room: room, Status: "open", Messages: shared},
		"b": {Title: "wskit chat: " + room, Room: room, Status: "open", Messages: shared},
		"c": {Title: "wskit chat: " + room + "-other", Room: room + "-other", Status: "open", Messages: []string{"carol: only here"}},
	}
	got := map[string]pageView{"a": r.A, "b": r.B, "c": r.C}
	for k, v := range got {
		// Each page notes that it joined, with the extension agreed; that
		// it was dropped with 1012 and reconnects at once; failed tries
		// (503: 1006 in the page) and that it joined again.
		joined := "joined " + want[k].Room + " (permessage-deflate)"
		dropped := "disconnected (1012 node lost its message broker; reconnect), reconnecting now"
		if len(v.Notes) < 3 || v.Notes[0] != joined || v.Notes[1] != dropped || v.Notes[len(v.Notes)-1] != joined {
			t.Errorf("page %s notes %q, want: %s; %s; (failed tries); %s", k, v.Notes, joined, dropped, joined)
		}
		if k == "c" && (v.ClientWidth == 0 || v.ScrollWidth > v.ClientWidth) {
			t.Errorf("at 420 px the page overflows sideways: scrollWidth %d > clientWidth %d", v.ScrollWidth, v.ClientWidth)
		}
		v.Notes, v.ScrollWidth, v.ClientWidth = nil, 0, 0
		got[k] = v
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the pages show (-want +got):\n%s", diff)
	}

	// The joins: since=0 at first, then since = the seq of the last
	// message each page showed before the drop (a failed try resends it).
	d.mu.Lock()
	defer d.mu.Unlock()
	wantJoins := map[string][]string{}
	for rm, pages := range map[string]int{room: 2, room + "-other": 1} {
		for range pages {
			wantJoins[rm] = append(wantJoins[rm], "/chat/"+rm+"?since=0")
		}
		after := rm + " after the drop"
		if d.lastSeq[rm] == 0 || len(d.joins[after]) < pages {
			t.Errorf("room %s: last seq %d at the drop, %d joins after, want a seq and %d joins or more", rm, d.lastSeq[rm], len(d.joins[after]), pages)
			continue
		}
		for range d.joins[after] {
			wantJoins[after] = append(wantJoins[after], fmt.Sprintf("/chat/%s?since=%d", rm, d.lastSeq[rm]))
		}
	}
	if diff := cmp.Diff(wantJoins, d.joins); diff != "" {
		t.Errorf("the pages joined at (-want +got):\n%s", diff)
	}
}
