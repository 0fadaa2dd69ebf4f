package peers

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// scriptPeer is a peer that runs as a subprocess: agent.js under Node,
// agent.py under /usr/bin/python3.
type scriptPeer struct {
	peerName string
	prog     string   // the interpreter
	args     []string // before the agent's own arguments
	probe    []string // prints the version line
	missing  string   // what to install when the probe fails
	noteText string
}

func (s scriptPeer) name() string            { return s.peerName }
func (s scriptPeer) deflate() (bool, string) { return true, "" }
func (s scriptPeer) fixedPing() bool         { return false }
func (s scriptPeer) note() string            { return s.noteText }

func (s scriptPeer) setup(t *testing.T) (string, error) {
	if _, err := exec.LookPath(s.prog); err != nil {
		return "", fmt.Errorf("%s not found: %v", s.prog, err)
	}
	out, err := exec.Command(s.prog, s.probe...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s (%v: %s)", s.missing, err, bytes.TrimSpace(out))
	}
	return strings.TrimSpace(string(out)), nil
}

// start runs the agent with args; every "EV" line goes to ev, and the
// first line starting with want (if any) is returned.
func (s scriptPeer) start(t *testing.T, args []string, ev *events, want string) (string, error) {
	cmd := exec.Command(s.prog, append(append([]string{}, s.args...), args...)...)
	cmd.Dir, _ = filepath.Abs(".")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("%s %s stderr:\n%s", s.peerName, args[0], stderr.String())
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if want != "" && strings.HasPrefix(line, want+" ") {
				select {
				case found <- strings.TrimPrefix(line, want+" "):
				default:
				}
				continue
			}
			ev.line(line)
		}
	}()
	if want == "" {
		return "", nil
	}
	select {
	case v := <-found:
		return v, nil
	case <-done:
		return "", fmt.Errorf("%s exited: %s", s.peerName, strings.TrimSpace(stderr.String()))
	case <-time.After(15 * time.Second):
		return "", fmt.Errorf("%s printed no %s line within 15s", s.peerName, want)
	}
}

func agentArgs(mode string, url string, o peerOpts) []string {
	a := []string{mode}
	if url != "" {
		a = append(a, url)
	}
	a = append(a, "--protocols", strings.Join(o.protocols, ","))
	if o.deflate {
		a = append(a, "--deflate")
	}
	return a
}

func (s scriptPeer) serve(t *testing.T, o peerOpts, ev *events) (string, error) {
	port, err := s.start(t, agentArgs("server", "", o), ev, "LISTEN")
	if err != nil {
		return "", err
	}
	return "ws://127.0.0.1:" + port, nil
}

func (s scriptPeer) dial(t *testing.T, url string, o peerOpts, ev *events) error {
	_, err := s.start(t, agentArgs("client", url, o), ev, "")
	return err
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.b.Len() > 64<<10 {
		return len(p), nil
	}
	return b.b.Write(p)
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Len()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var nodePeer = func() scriptPeer {
	return scriptPeer{
		peerName: "node ws",
		prog:     "node",
		args:     []string{"node/agent.js"},
		probe:    []string{"-e", `const p=require("./node/node_modules/ws/package.json");console.log("ws "+p.version+" (Node.js "+process.versions.node+")")`},
		missing:  "Node's ws package is not installed in peers/node",
		noteText: "Node's ws streams a message with send(chunk, {fin: false}); its fragments are sent uncompressed (compress: false) under permessage-deflate.",
	}
}

var pythonPeer = func() scriptPeer {
	return scriptPeer{
		peerName: "python websockets",
		prog:     "/usr/bin/python3",
		args:     []string{"python/agent.py"},
		probe:    []string{"-c", `import sys, websockets; print("websockets %s (Python %s, Debian's python3-websockets)" % (websockets.__version__, sys.version.split()[0]))`},
		missing:  "Python's websockets is not installed for /usr/bin/python3 (apt-get install python3-websockets)",
		noteText: "websockets' ping returns a waiter that resolves when the pong with the ping's payload arrives; the agent reports that payload. Its streamed echo is an iterable of str fragments for text (4096 characters each).",
	}
}
