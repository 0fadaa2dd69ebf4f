package conformance

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// DemoDir returns the main module's demo directory, relative to the
// interop module's package directories, if both demo/echo and demo/client
// exist there.
func DemoDir(moduleRoot string) (string, bool) {
	d := filepath.Join(moduleRoot, "demo")
	for _, name := range []string{"echo", "client"} {
		if _, err := os.Stat(filepath.Join(d, name, "main.go")); err != nil {
			return d, false
		}
	}
	return d, true
}

// BuildDemo builds the demo program in dir/name into outDir and returns the
// binary's path. mainModule is the directory of the main module.
func BuildDemo(mainModule, name, outDir string) (string, error) {
	bin := filepath.Join(outDir, name)
	cmd := exec.Command("go", "build", "-o", bin, "./demo/"+name)
	cmd.Dir = mainModule
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./demo/%s: %v\n%s", name, err, out)
	}
	return bin, nil
}

// BinaryServer runs an echo server binary that prints "listening on
// http://HOST:PORT" (or HOST:PORT) on stdout or stderr, such as demo/echo
// and demo/epoll.
type BinaryServer struct {
	Path string
	Args []string // e.g. -addr 127.0.0.1:0 -max-message 67108864
}

var listenRE = regexp.MustCompile(`listening on (?:https?://)?([0-9.]+:[0-9]+)`)

// StartServer implements ServerTarget.
func (b *BinaryServer) StartServer(ctx context.Context) (string, func(), error) {
	cmd := exec.CommandContext(ctx, b.Path, b.Args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	found := make(chan string, 2)
	var tail tailBuffer
	scan := func(r io.Reader) {
		sc := bufio.NewScanner(r)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			tail.add(line)
			if m := listenRE.FindStringSubmatch(line); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
	}
	go scan(stdout)
	go scan(stderr)
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	select {
	case addr := <-found:
		return addr, stop, nil
	case <-time.After(10 * time.Second):
		stop()
		return "", nil, fmt.Errorf("%s did not print its address; output: %s", b.Path, tail.String())
	}
}

// BinaryClient runs an echo client binary once per case with the case's URL
// as its last argument, such as demo/client -echo URL.
type BinaryClient struct {
	Path string
	Args []string // before the URL, e.g. -echo
}

// RunClient implements ClientTarget.
func (b *BinaryClient) RunClient(ctx context.Context, url string) error {
	args := append(append([]string{}, b.Args...), url)
	cmd := exec.CommandContext(ctx, b.Path, args...)
	var out tailBuffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v: %s", err, out.String())
	}
	return nil
}

// tailBuffer keeps the last lines written to it.
type tailBuffer struct {
	mu    sync.Mutex
	lines []string
	part  string
}

func (t *tailBuffer) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > 20 {
		t.lines = t.lines[len(t.lines)-20:]
	}
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	s := t.part + string(p)
	parts := strings.Split(s, "\n")
	t.part = parts[len(parts)-1]
	if len(t.part) > 4096 {
		t.part = t.part[len(t.part)-4096:]
	}
	t.mu.Unlock()
	for _, l := range parts[:len(parts)-1] {
		t.add(l)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(append(t.lines, t.part), " / ")
}
