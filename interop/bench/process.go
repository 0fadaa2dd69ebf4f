//go:build unix

package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// RaiseNoFile raises the soft limit on open files to the hard limit:
// 10,000 connections need 10,000 descriptors on each side.
func RaiseNoFile() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// ProcessCPU returns the CPU time (user and system) the calling process
// has used, 0 if unknown.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ServerProcess is a server in a process of its own (cmd/server, or
// demo/epoll with -stats): it prints "listening on ADDR" first, answers
// each "stats" line on its standard input as AnswerStats does, and exits
// when its standard input ends.
type ServerProcess struct {
	Addr string // where it listens

	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// StartServerProcess starts cmd, its standard error going to this
// process's, and reads the address it listens on.
func StartServerProcess(cmd *exec.Cmd) (*ServerProcess, error) {
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
	p := &ServerProcess{cmd: cmd, in: in, out: bufio.NewReader(outp)}
	line, err := p.out.ReadString('\n')
	if err != nil {
		return nil, err
	}
	p.Addr = strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	return p, nil
}

// Sample asks the server for its memory statistics.
func (p *ServerProcess) Sample() (Stats, error) {
	var s Stats
	fmt.Fprintln(p.in, "stats")
	line, err := p.out.ReadString('\n')
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal([]byte(line), &s)
}

// Stop ends the server by closing its standard input, killing it if it
// has not exited 5 s later, and returns the CPU time (user and system) it
// used.
func (p *ServerProcess) Stop() time.Duration {
	p.in.Close()
	return endProcess(p.cmd, 5*time.Second)
}

// endProcess waits for cmd, which was told to exit, for at most d before
// killing it, and returns the CPU time (user and system) it used.
func endProcess(cmd *exec.Cmd, d time.Duration) time.Duration {
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
	}
	if st := cmd.ProcessState; st != nil {
		return st.UserTime() + st.SystemTime()
	}
	return 0
}
