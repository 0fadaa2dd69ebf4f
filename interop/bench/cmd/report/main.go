// Command report runs every workload of interop/bench and writes
// docs/benchmarks.md: the micro-benchmarks (go test -bench, -count runs,
// summarized by median, with benchstat's output kept beside), the echo over
// loopback TCP and the idle connections, each server in a process of its
// own, driven by the same hand-rolled client, and the fan-out of one message
// to many connections (BenchmarkFanout, its clients in a process of their
// own).
//
//	cd interop/bench && go run ./cmd/report          # about 10 minutes
//	cd interop/bench && go run ./cmd/report -short   # smoke run, under 2 minutes
//
// -short runs each benchmark once briefly, the echo once for half a second and
// 1,000 idle connections, the fan-out to 200 connections briefly, and writes
// results/short/ (benchmarks-short.md, raw outputs) instead of the docs.
// -workloads picks the workloads; the report has the sections of those run.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wskit/wskit/interop/bench"
)

var (
	short      = flag.Bool("short", false, "smoke mode: one short run of everything; writes results/short/benchmarks-short.md")
	count      = flag.Int("count", 5, "runs of each micro-benchmark")
	benchtime  = flag.String("benchtime", "150ms", "go test -benchtime of each run")
	out        = flag.String("out", "../../docs/benchmarks.md", "the report to write")
	results    = flag.String("results", "results", "directory for raw outputs (go test, benchstat, profiles)")
	echoDur    = flag.Duration("echo", 3*time.Second, "duration of each echo run")
	echoRuns   = flag.Int("echo-rounds", 3, "rounds of the echo workload; each cell keeps its best round")
	idleConns  = flag.Int("idle", 10000, "idle connections per server")
	profile    = flag.Bool("profile", true, "CPU-profile wskit's side of every micro-benchmark row whose target is not met")
	only       = flag.String("bench", ".", "go test -bench pattern of the micro-benchmarks")
	workloads  = flag.String("workloads", "micro,echo,idle,fanout", "the workloads to run, comma-separated: micro, echo, idle, fanout")
	serverList = flag.String("servers", "wskit,wskit-http,wskit-epoll,gorilla,gobwas,gobwas-http,coder,gws,gws-http", "the servers of the echo and idle workloads, comma-separated")
)

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	if *short {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		def := func(name string, apply func()) {
			if !set[name] {
				apply()
			}
		}
		def("results", func() { *results = filepath.Join(*results, "short") })
		def("count", func() { *count = 1 })
		def("benchtime", func() { *benchtime = "20ms" })
		def("out", func() { *out = filepath.Join(*results, "benchmarks-short.md") })
		def("echo", func() { *echoDur = 500 * time.Millisecond })
		def("echo-rounds", func() { *echoRuns = 1 })
		def("idle", func() { *idleConns = 1000 })
		def("profile", func() { *profile = false })
		def("fanout-conns", func() { *fanoutConns = "200" })
		def("fanout-runs", func() { *fanoutRuns = 1 })
		def("fanout-benchtime", func() { *fanoutBenchtime = "20x" })
	}
	if _, err := os.Stat("cmd/report"); err != nil {
		log.Fatal("run from interop/bench: cd interop/bench && go run ./cmd/report")
	}
	bench.RaiseNoFile()
	must(os.MkdirAll(*results, 0o755))
	bin, err := os.MkdirTemp("", "wskit-bench")
	must(err)
	defer os.RemoveAll(bin)

	start := time.Now()
	r := &report{date: start.UTC().Format("2006-01-02 15:04 UTC")}
	r.machine = machine()
	r.goVersion = strings.TrimSpace(run("go", "version"))

	log.Print("building servers")
	run("go", "build", "-o", filepath.Join(bin, "server"), "./cmd/server")
	run("go", "build", "-o", filepath.Join(bin, "epoll"), "github.com/wskit/wskit/demo/epoll")

	runs := func(w string) bool { return slices.Contains(strings.Split(*workloads, ","), w) }
	testBin := filepath.Join(bin, "bench.test")
	if runs("micro") || runs("fanout") {
		run("go", "test", "-c", "-o", testBin, ".")
	}
	if runs("micro") {
		r.micro = micro(testBin)
	}
	// The servers each workload runs: the raw-listener and event-loop
	// servers, and every library on its normal net/http path.
	servers := strings.Split(*serverList, ",")
	if runs("echo") {
		echoRounds(bin, servers, r)
	}
	if runs("idle") {
		for _, s := range servers {
			log.Printf("idle: %s, %d connections", s, *idleConns)
			r.idle = append(r.idle, idleRun(bin, s, *idleConns))
		}
	}
	if runs("fanout") {
		r.fanout = fanout(testBin)
	}

	r.evaluate()
	if *profile && runs("micro") {
		r.profiles()
	}
	r.elapsed = time.Since(start)
	must(os.WriteFile(*out, []byte(r.markdown()), 0o644))
	log.Printf("wrote %s in %s", *out, r.elapsed.Round(time.Second))
}

// micro runs the micro-benchmarks count times over and parses them.
func micro(testBin string) map[string]stat {
	log.Printf("micro-benchmarks: -count %d -benchtime %s", *count, *benchtime)
	// The suite runs count times over rather than each benchmark count
	// times in a row, so that a burst of load from elsewhere on the machine
	// falls on every contestant alike rather than on one.
	var rawb strings.Builder
	for i := range *count {
		log.Printf("micro-benchmarks: pass %d of %d", i+1, *count)
		rawb.WriteString(run(testBin, "-test.run", "^$", "-test.bench", *only, "-test.benchmem",
			"-test.benchtime", *benchtime, "-test.timeout", "30m",
			"-fanout.conns", "")) // the fan-out workload runs on its own
	}
	raw := rawb.String()
	rawPath := filepath.Join(*results, "raw.txt")
	must(os.WriteFile(rawPath, []byte(raw), 0o644))
	bs := run("go", "tool", "benchstat", "-col", "/lib", rawPath)
	must(os.WriteFile(filepath.Join(*results, "benchstat.txt"), []byte(bs), 0o644))
	return parse(raw)
}

// echoRounds runs the echo workload in rounds over every server.
func echoRounds(bin string, servers []string, r *report) {
	// Client and server share the two cores, so one run of a few seconds
	// swings with whatever else the machine does. The workload runs in
	// rounds over every server, like the micro-benchmarks, and each cell
	// keeps its fastest round, with the memory sampled in that round.
	best := map[string]int{}
	for round := range max(*echoRuns, 1) {
		for _, s := range servers {
			for _, n := range []int{1, 64, 1000} {
				log.Printf("echo: round %d, %s, %d connections", round+1, s, n)
				e := echoRun(bin, s, n)
				key := s + "/" + strconv.Itoa(n)
				if i, ok := best[key]; !ok {
					best[key] = len(r.echo)
					r.echo = append(r.echo, e)
				} else if e.rtps > r.echo[i].rtps {
					r.echo[i] = e
				}
			}
		}
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// run runs a command in the current directory and returns its output;
// stderr passes through.
func run(name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	var b bytes.Buffer
	cmd.Stdout = &b
	if err := cmd.Run(); err != nil {
		os.Stdout.Write(b.Bytes())
		log.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return b.String()
}

func machine() string {
	cpu := runtime.GOARCH
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(string(b))
		if len(f) > 1 {
			kb, _ := strconv.ParseFloat(f[1], 64)
			mem = fmt.Sprintf(", %.0f GiB", kb/(1<<20))
		}
	}
	return fmt.Sprintf("%s/%s, %s, %d cores%s", runtime.GOOS, runtime.GOARCH, cpu, runtime.NumCPU(), mem)
}

// ---- micro-benchmarks ----

// stat is one benchmark's medians over its runs.
type stat struct {
	ns, mbs, bytes, allocs float64
	lo, hi                 float64 // ns/op extremes
	runs                   int
}

var suffix = regexp.MustCompile(`-\d+$`)

// values reads the lines of go test -bench output whose benchmark name
// starts with prefix: every run's value of each unit, by benchmark name
// (without the Benchmark prefix and the -GOMAXPROCS suffix).
func values(raw, prefix string) map[string]map[string][]float64 {
	vals := map[string]map[string][]float64{}
	for _, line := range strings.Split(raw, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], prefix) {
			continue
		}
		name := suffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		if vals[name] == nil {
			vals[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				vals[name][f[i+1]] = append(vals[name][f[i+1]], v)
			}
		}
	}
	return vals
}

// parse reads go test -bench output into medians by benchmark name (as
// values names them).
func parse(raw string) map[string]stat {
	m := map[string]stat{}
	for name, units := range values(raw, "Benchmark") {
		ns := units["ns/op"]
		// The fastest run: on a shared machine, load from elsewhere only
		// ever adds time. benchstat.txt has the medians and their spread.
		m[name] = stat{ns: slices.Min(ns), mbs: slices.Max(units["MB/s"]), bytes: median(units["B/op"]),
			allocs: median(units["allocs/op"]), lo: slices.Min(ns), hi: slices.Max(ns), runs: len(ns)}
	}
	return m
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ---- servers in processes of their own ----

func startServer(bin, name string) *bench.ServerProcess {
	var cmd *exec.Cmd
	if name == "wskit-epoll" {
		cmd = exec.Command(filepath.Join(bin, "epoll"), "-addr", "127.0.0.1:0", "-stats")
	} else {
		cmd = exec.Command(filepath.Join(bin, "server"), "-lib", name, "-addr", "127.0.0.1:0")
	}
	p, err := bench.StartServerProcess(cmd)
	if err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	return p
}

// sample is p.Sample, fatal on failure.
func sample(p *bench.ServerProcess) bench.Stats {
	s, err := p.Sample()
	must(err)
	return s
}

type echoResult struct {
	server      string
	conns       int
	rtps        float64
	errors      int64
	base, under bench.Stats // server memory before and during the run
}

func echoRun(bin, server string, conns int) echoResult {
	p := startServer(bin, server)
	defer p.Stop()
	base := sample(p)
	var under bench.Stats
	res, err := bench.Echo(p.Addr, conns, 1<<10, *echoDur, func() { under = sample(p) })
	if err != nil {
		log.Printf("echo %s: %v", server, err)
	}
	return echoResult{server: server, conns: conns, rtps: res.PerSecond(), errors: res.Errors, base: base, under: under}
}

type idleResult struct {
	server      string
	conns       int
	base, after bench.Stats
	err         error
}

// perConn returns heap+stack and RSS bytes per connection.
func (r idleResult) perConn() (heapStack, rss float64) {
	n := float64(r.conns)
	hs := float64(int64(r.after.HeapAlloc+r.after.StackInuse) - int64(r.base.HeapAlloc+r.base.StackInuse))
	return hs / n, float64(int64(r.after.RSS)-int64(r.base.RSS)) / n
}

func idleRun(bin, server string, n int) idleResult {
	p := startServer(bin, server)
	defer p.Stop()
	base := sample(p)
	cs, err := bench.DialMany(p.Addr, n)
	if err != nil {
		return idleResult{server: server, conns: n, err: err}
	}
	time.Sleep(time.Second) // let every server goroutine reach its read
	after := sample(p)
	bench.CloseAll(cs)
	return idleResult{server: server, conns: n, base: base, after: after}
}
