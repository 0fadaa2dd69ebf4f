//go:build linux

package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FanoutClients are the fan-out workload's clients in a process of their
// own (FanoutClientMain), so that server and clients each have the
// open-file limit to themselves: 10,000 connections take 10,000 sockets
// on each side.
type FanoutClients struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	notes chan byte // '.': n more messages arrived; 'E': failed; 'T': stalled
	stats chan string

	mu       sync.Mutex
	err      error
	progress atomic.Int64 // notes received
	waiting  atomic.Bool
	done     chan struct{}
}

// StartFanoutClients starts exe, a program that calls FanoutClientMain
// when FanoutClientEnv is set, with n connections to addr, and waits until
// they are open.
func StartFanoutClients(exe, addr string, n int, deflate bool) (*FanoutClients, error) {
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d,%t", FanoutClientEnv, addr, n, deflate))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &FanoutClients{cmd: cmd, in: in, notes: make(chan byte, 1024), stats: make(chan string, 1), done: make(chan struct{})}
	out := bufio.NewReader(outp)
	line, err := out.ReadString('\n')
	if err != nil || line != "ready\n" {
		c.Close()
		if err == nil {
			err = errors.New(strings.TrimSpace(strings.TrimPrefix(line, "E")))
		}
		return nil, fmt.Errorf("fan-out clients: %w", err)
	}
	go c.read(out)
	go c.watch()
	return c, nil
}

// read turns the clients' output into notes and stats.
func (c *FanoutClients) read(out *bufio.Reader) {
	for {
		b, err := out.ReadByte()
		if err != nil {
			c.fail(fmt.Errorf("fan-out clients ended: %w", err))
			return
		}
		switch b {
		case '.':
			c.progress.Add(1)
			c.notes <- b
		case 's':
			line, _ := out.ReadString('\n')
			c.stats <- strings.TrimSpace(strings.TrimPrefix(line, "tats "))
		case 'E':
			line, _ := out.ReadString('\n')
			c.fail(fmt.Errorf("fan-out clients: %s", strings.TrimSpace(line)))
			return
		}
	}
}

func (c *FanoutClients) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	select {
	case c.notes <- 'E':
	default:
	}
}

// Wait waits for k notes (k times n messages, in all). It fails if no
// message arrives for FanoutStall while it waits.
func (c *FanoutClients) Wait(k int) error {
	c.waiting.Store(true)
	defer c.waiting.Store(false)
	for range k {
		if <-c.notes != '.' {
			c.mu.Lock()
			defer c.mu.Unlock()
			return c.err
		}
	}
	return nil
}

// FanoutStall is how long FanoutClients.Wait waits for progress.
const FanoutStall = 30 * time.Second

// watch fails a Wait that sees no progress for FanoutStall: a watchdog
// rather than a timer per Wait, so that waiting allocates nothing and the
// allocations measured are the server's.
func (c *FanoutClients) watch() {
	t := time.NewTicker(FanoutStall)
	defer t.Stop()
	last := c.progress.Load()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		p := c.progress.Load()
		if c.waiting.Load() && p == last {
			c.fail(fmt.Errorf("no progress for %s", FanoutStall))
		}
		last = p
	}
}

// Counts asks the clients what they have received.
func (c *FanoutClients) Counts() (FanoutCounts, error) {
	var n FanoutCounts
	if _, err := io.WriteString(c.in, "stats\n"); err != nil {
		return n, err
	}
	select {
	case s := <-c.stats:
		return n, json.Unmarshal([]byte(s), &n)
	case <-time.After(10 * time.Second):
		return n, errors.New("fan-out clients: no answer to stats")
	}
}

// Close ends the clients' process, which resets its connections.
func (c *FanoutClients) Close() {
	close(c.done)
	c.in.Close()
	endProcess(c.cmd, 10*time.Second)
}
