package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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

// TestBrowser opens the page three times in headless Chromium, twice in
// one room and once in another: the two in the room see each other's
// messages, their own included, in the same order, over
// permessage-deflate; the third sees only its room's.
func TestBrowser(t *testing.T) {
	interop := requireBrowser(t)
	s := startServer(t, Config{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const room = "browser-test_1"
	cmd := exec.CommandContext(ctx, "node", "browser.mjs", "http://"+s.addr, room)
	cmd.Env = append(os.Environ(), "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1", "WSKIT_INTEROP="+interop,
		fmt.Sprintf("WSKIT_BROWSER_DEADLINE_MS=%d", 50000))
	// Its own process group, so that no Chromium outlives the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	var out struct {
		Error  string `json:"error"`
		Result *struct {
			Version  string   `json:"version"`
			LaunchMS int      `json:"launchMs"`
			Problems []string `json:"problems"`
			A, B, C  pageView
		} `json:"result"`
	}
	if jerr := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); jerr != nil || out.Error != "" || out.Result == nil {
		t.Fatalf("browser.mjs: %v; %v; %s\nstdout:\n%s\nstderr:\n%s", err, jerr, out.Error, &stdout, &stderr)
	}
	r := out.Result
	t.Logf("Chromium %s: three pages open in %d ms", r.Version, r.LaunchMS)
	for _, p := range r.Problems {
		t.Errorf("page reported: %s", p)
	}
	shared := []string{"alice: hello from alice ✓", "bob: hi alice"}
	want := map[string]pageView{
		"a": {Title: "wskit chat: " + room, Room: room, Status: "open", Messages: shared},
		"b": {Title: "wskit chat: " + room, Room: room, Status: "open", Messages: shared},
		"c": {Title: "wskit chat: " + room + "-other", Room: room + "-other", Status: "open", Messages: []string{"carol: only here"}},
	}
	got := map[string]pageView{"a": r.A, "b": r.B, "c": r.C}
	for k, v := range got {
		// Each page notes that it joined, with the extension agreed.
		if len(v.Notes) != 1 || v.Notes[0] != "joined "+want[k].Room+" (permessage-deflate)" {
			t.Errorf("page %s notes %q, want one: joined %s (permessage-deflate)", k, v.Notes, want[k].Room)
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
}
