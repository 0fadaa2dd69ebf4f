// Command deflate runs the permessage-deflate workloads of interop/bench,
// each server in a process of its own (cmd/server -deflate), and prints
// Markdown tables for docs/pmce.md:
//
//   - echo: 16 KiB JSON messages over 8 loopback connections, compressed
//     both ways; round trips per second and bytes on the wire per round
//     trip, best of a few rounds, and the CPU time per round trip of the
//     server and of the client, least of the rounds (on a shared machine
//     the round trips follow the other processes' load, CPU time much
//     less);
//
//   - idle: connections that agreed permessage-deflate (Chromium's offer)
//     and exchanged one compressed message, then wait (2.5 s, past twice
//     pmce.DefaultLeaseIdle); the server's heap and stacks per connection.
//     Beside it, active: 1,000 such connections sampled as soon as each
//     has exchanged its message, while they hold what sending takes.
//
//     cd interop/bench && go run ./cmd/deflate               # about 4 minutes
//     cd interop/bench && go run ./cmd/deflate -short        # smoke run
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wskit/wskit/interop/bench"
	"github.com/wskit/wskit/pmce"
)

var (
	short     = flag.Bool("short", false, "smoke mode: one short round, 200 idle connections")
	echoDur   = flag.Duration("echo", 3*time.Second, "duration of each echo run")
	rounds    = flag.Int("rounds", 3, "rounds of the echo workload; each row keeps its best")
	conns     = flag.Int("conns", 8, "connections of the echo workload")
	size      = flag.Int("size", 16<<10, "message size of the echo workload")
	idleConns = flag.Int("idle", 10000, "connections of the idle workload")
	dedicated = flag.Int("idle-dedicated", 1000, "connections of the idle workload for the rows that keep a compressor per connection, and of its active sample")
	which     = flag.String("run", "echo,idle", "workloads to run")
	rows      = flag.String("rows", "", "the echo workload's rows instead of the usual ones, comma-separated: a peer's name, or wskit:send:receive:level (wskit:window(11):default:5)")
)

// parseRows reads -rows.
func parseRows(s string) ([]server, error) {
	var out []server
	for _, r := range strings.Split(s, ",") {
		f := strings.Split(r, ":")
		switch {
		case len(f) == 1 && f[0] != "wskit":
			out = append(out, server{lib: f[0]})
		case len(f) == 4 && f[0] == "wskit":
			var level int
			if _, err := fmt.Sscan(f[3], &level); err != nil {
				return nil, fmt.Errorf("row %q: level: %v", r, err)
			}
			out = append(out, server{lib: "wskit", send: f[1], receive: f[2], level: level})
		default:
			return nil, fmt.Errorf("row %q: want a peer's name or wskit:send:receive:level", r)
		}
	}
	return out, nil
}

// server is one row: a library and, for wskit, its memory classes.
type server struct {
	lib, send, receive string
	level              int  // 0: the default
	keeps              bool // keeps a compressor per connection
}

func (s server) name() string {
	if s.lib != "wskit" {
		return s.lib
	}
	if s.level != 0 {
		return fmt.Sprintf("wskit send=%s receive=%s level=%d", s.send, s.receive, s.level)
	}
	return fmt.Sprintf("wskit send=%s receive=%s", s.send, s.receive)
}

var echoServers = []server{
	{lib: "wskit", send: "default", receive: "default"},
	{lib: "wskit", send: "shared", receive: "default", level: 1},
	{lib: "wskit", send: "dedicated(15)", receive: "default", keeps: true},
	{lib: "wskit", send: "window(10)", receive: "default", level: 5},
	{lib: "gorilla"}, {lib: "gobwas"}, {lib: "coder", keeps: true}, {lib: "gws", keeps: true},
}

var idleServers = []server{
	{lib: "wskit", send: "default", receive: "default"},
	{lib: "wskit", send: "shared", receive: "shared"},
	{lib: "wskit", send: "shared", receive: "default"},
	{lib: "wskit", send: "shared", receive: "dedicated(12)"},
	{lib: "wskit", send: "dedicated(15)", receive: "dedicated(15)", keeps: true},
	{lib: "wskit", send: "dedicated(10)", receive: "dedicated(15)", keeps: true},
	{lib: "wskit", send: "window(15)", receive: "dedicated(15)"},
	{lib: "wskit", send: "window(12)", receive: "dedicated(12)"},
	{lib: "gorilla"}, {lib: "gws"},
}

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	if *short {
		*echoDur, *rounds, *idleConns, *dedicated = 500*time.Millisecond, 1, 200, 100
	}
	if _, err := os.Stat("cmd/deflate"); err != nil {
		log.Fatal("run from interop/bench: cd interop/bench && go run ./cmd/deflate")
	}
	if *rows != "" {
		r, err := parseRows(*rows)
		must(err)
		echoServers = r
	}
	bench.RaiseNoFile()
	bin, err := os.MkdirTemp("", "wskit-deflate")
	must(err)
	defer os.RemoveAll(bin)
	out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "server"), "./cmd/server").CombinedOutput()
	if err != nil {
		log.Fatalf("build: %v\n%s", err, out)
	}
	srv := filepath.Join(bin, "server")
	if strings.Contains(*which, "echo") {
		echo(srv)
	}
	if strings.Contains(*which, "idle") {
		idle(srv)
	}
}

func echo(srv string) {
	best := map[string]bench.DeflateResult{}
	// The least CPU time per round trip over the rounds, of the server
	// process and of this one (the client).
	cpu, clientCPU := map[string]time.Duration{}, map[string]time.Duration{}
	for round := range *rounds {
		for _, s := range echoServers {
			log.Printf("echo: round %d, %s", round+1, s.name())
			p := start(srv, s)
			c0 := bench.ProcessCPU() // the client
			res, err := bench.DeflateEcho(p.Addr, *conns, *size, *echoDur, nil)
			c1 := bench.ProcessCPU()
			used := p.Stop()
			if err != nil || res.Errors > 0 {
				log.Printf("echo %s: %v, %d errors", s.name(), err, res.Errors)
			}
			if b, ok := best[s.name()]; !ok || res.PerSecond() > b.PerSecond() {
				best[s.name()] = res
			}
			if n := time.Duration(res.RoundTrips); n > 0 {
				keepLeast(cpu, s.name(), used/n)
				keepLeast(clientCPU, s.name(), (c1-c0)/n)
			}
		}
	}
	peer := 0.0
	for _, s := range echoServers {
		if s.lib != "wskit" {
			peer = max(peer, best[s.name()].PerSecond())
		}
	}
	fmt.Printf("\n| server | round trips/s | × best peer | CPU µs per round trip, server + client | server → client bytes per message (of %d) | client → server |\n|---|---|---|---|---|---|\n",
		best[echoServers[0].name()].MsgBytes)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	for _, s := range echoServers {
		r := best[s.name()]
		n := float64(max(r.RoundTrips, 1))
		fmt.Printf("| %s | %.0f | %.2f | %.0f + %.0f | %.0f | %.0f |\n", s.name(), r.PerSecond(), r.PerSecond()/peer,
			us(cpu[s.name()]), us(clientCPU[s.name()]), float64(r.Recv)/n, float64(r.Sent)/n)
	}
}

func idle(srv string) {
	fmt.Printf("\n| server | active: heap+stacks per connection (%d connections) | idle: connections | idle: heap+stacks per connection | idle: RSS per connection |\n|---|---|---|---|---|\n", *dedicated)
	for _, s := range idleServers {
		n := *idleConns
		if s.keeps {
			n = *dedicated
		}
		// Active: sampled as soon as every connection has exchanged its
		// message, well within pmce.DefaultLeaseIdle, so that what a
		// connection holds while it sends is counted. Idle: past twice
		// pmce.DefaultLeaseIdle since the last connection's message,
		// when the default Send class has given its compressors back.
		log.Printf("active: %s, %d connections", s.name(), *dedicated)
		active, _, err := memory(srv, s, *dedicated, 0)
		if err != nil {
			log.Printf("active %s: %v", s.name(), err)
			continue
		}
		log.Printf("idle: %s, %d connections", s.name(), n)
		hs, rss, err := memory(srv, s, n, 2*pmce.DefaultLeaseIdle+500*time.Millisecond)
		if err != nil {
			log.Printf("idle %s: %v", s.name(), err)
			continue
		}
		fmt.Printf("| %s | %.1f KiB | %d | %.1f KiB | %.1f KiB |\n", s.name(), active/1024, n, hs/1024, rss/1024)
	}
}

// memory starts server s, opens n connections that each exchange one
// compressed message, waits for wait, and returns the growth of the
// server's heap and stacks, and of its RSS, per connection.
func memory(srv string, s server, n int, wait time.Duration) (heapStacks, rss float64, err error) {
	p := start(srv, s)
	defer p.Stop()
	base := sample(p)
	cs, err := bench.DeflateIdle(p.Addr, n)
	if err != nil {
		return 0, 0, err
	}
	defer bench.CloseAllDeflate(cs)
	time.Sleep(wait)
	after := sample(p)
	heapStacks = float64(int64(after.HeapAlloc+after.StackInuse)-int64(base.HeapAlloc+base.StackInuse)) / float64(n)
	rss = float64(int64(after.RSS)-int64(base.RSS)) / float64(n)
	return heapStacks, rss, nil
}

func start(srv string, s server) *bench.ServerProcess {
	args := []string{"-lib", s.lib, "-addr", "127.0.0.1:0", "-deflate"}
	if s.lib == "wskit" {
		args = append(args, "-send", s.send, "-receive", s.receive, "-level", fmt.Sprint(s.level))
	}
	p, err := bench.StartServerProcess(exec.Command(srv, args...))
	if err != nil {
		log.Fatalf("%s: %v", s.name(), err)
	}
	return p
}

// sample is p.Sample, fatal on failure.
func sample(p *bench.ServerProcess) bench.Stats {
	st, err := p.Sample()
	must(err)
	return st
}

// keepLeast sets m[k] to d if m has no k or a larger value.
func keepLeast(m map[string]time.Duration, k string, d time.Duration) {
	if c, ok := m[k]; !ok || d < c {
		m[k] = d
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
