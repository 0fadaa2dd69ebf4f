package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/wskit/wskit/interop/bench"
)

var (
	fanoutConns     = flag.String("fanout-conns", "1000,10000", "connection counts of the fan-out workload, comma-separated")
	fanoutRuns      = flag.Int("fanout-runs", 3, "runs of the fan-out workload; each cell is their median")
	fanoutBenchtime = flag.String("fanout-benchtime", "2s", "go test -benchtime of each fan-out row")
	fanoutBurst     = flag.Int("fanout-burst", 1, "messages per publication burst in the fan-out workload (above 1: the wskit-cork row runs too)")
	fanoutWindow    = flag.Int("fanout-window", 4, "publications the fan-out workload lets be on their way at once")
)

// fanoutStat is one fan-out row's medians over its runs.
type fanoutStat struct {
	rate, allocs float64 // deliveries/s, allocs/recipient
	cpu, client  float64 // the server's and the clients' CPU ns per delivery
	lo, hi       float64 // deliveries/s extremes
	runs         int
}

// fanout runs BenchmarkFanout fanoutRuns times over and parses it.
func fanout(testBin string) map[string]fanoutStat {
	var raw strings.Builder
	for i := range *fanoutRuns {
		log.Printf("fan-out: run %d of %d, %s connections", i+1, *fanoutRuns, *fanoutConns)
		raw.WriteString(run(testBin, "-test.run", "^$", "-test.bench", "^BenchmarkFanout$",
			"-test.benchtime", *fanoutBenchtime, "-test.timeout", "60m", "-fanout.conns", *fanoutConns,
			"-fanout.burst", strconv.Itoa(*fanoutBurst), "-fanout.window", strconv.Itoa(*fanoutWindow)))
	}
	must(os.WriteFile(filepath.Join(*results, fanoutRawName()), []byte(raw.String()), 0o644))
	m := map[string]fanoutStat{}
	for name, u := range values(raw.String(), "BenchmarkFanout/") {
		r := u["deliveries/s"]
		if len(r) == 0 {
			continue
		}
		m[name] = fanoutStat{rate: median(r), allocs: median(u["allocs/recipient"]), cpu: median(u["cpu-ns/delivery"]),
			client: median(u["client-cpu-ns/delivery"]),
			lo:     slices.Min(r), hi: slices.Max(r), runs: len(r)}
	}
	return m
}

// fanoutCounts returns the connection counts of the fan-out workload.
func fanoutCounts() []string { return strings.Split(*fanoutConns, ",") }

// fanoutName is the name parse gives a fan-out row's results.
func fanoutName(conns string, deflate bool, lib string) string {
	burst := ""
	if *fanoutBurst > 1 {
		burst = "/burst=" + strconv.Itoa(*fanoutBurst)
	}
	return "Fanout/conns=" + conns + burst + "/" + bench.FanoutRowName(lib, deflate)
}

// fanoutRatio returns wskit's delivery rate over the best peer's on a row,
// and the best peer.
func (r *report) fanoutRatio(conns string, deflate bool) (float64, string) {
	libs := bench.FanoutLibs
	if deflate {
		libs = bench.FanoutDeflateLibs
	}
	w := r.fanout[fanoutName(conns, deflate, "wskit")]
	best, who := 0.0, ""
	for _, l := range libs[1:] {
		if s, ok := r.fanout[fanoutName(conns, deflate, l)]; ok && s.rate > best {
			best, who = s.rate, l
		}
	}
	if best == 0 {
		return 0, ""
	}
	return w.rate / best, who
}

// fanoutTargets adds the fan-out workload's targets.
func (r *report) fanoutTargets() {
	for _, deflate := range []bool{false, true} {
		for _, n := range fanoutCounts() {
			w, ok := r.fanout[fanoutName(n, deflate, "wskit")]
			if !ok {
				continue
			}
			x, who := r.fanoutRatio(n, deflate)
			what := "fan-out"
			if deflate {
				what = "fan-out with permessage-deflate"
			}
			r.targets = append(r.targets, target{
				fmt.Sprintf("%s to %s connections: ≥ 1.5× best peer's deliveries/s, 0 allocs per recipient", what, n),
				fmt.Sprintf("%.2f× (best peer %s); %.4f allocs/recipient", x, who, w.allocs),
				x >= 1.5 && w.allocs < 0.01, ""})
		}
	}
}

// fanoutSection writes the fan-out workload's tables.
func (r *report) fanoutSection(p func(string, ...any)) {
	p("\n## 7. Fan-out over loopback TCP\n\n")
	p("One 1 KiB JSON text message published to every one of n connections (a `go test` op is one publication to all n), %d runs of `go test -bench ^BenchmarkFanout$ -benchtime %s`, each cell their median. The server runs in the benchmark's process; the clients, in a process of their own, are the same for every server: raw sockets read by one epoll loop that counts whole messages. At most %d publications are on their way at once (the publisher waits for the clients to have received the one %d before). deliveries/s: messages received per second in all, from the first publication until every connection has the last. allocs/recipient: the server process's allocations (`runtime.MemStats.Mallocs`) over the messages delivered. CPU/delivery: the server process's CPU time, user and system (getrusage), over the messages delivered, and the clients' process's likewise; on loopback a write also runs the receiving side's TCP processing, which is charged to the writer. The rate is the workload's figure; CPU/delivery is what load from elsewhere on the shared machine sways least. permessage-deflate: the clients offer `%s`; only the libraries that compress a broadcast once are run. Raw output: `interop/bench/results/%s`.\n\n",
		*fanoutRuns, *fanoutBenchtime, *fanoutWindow, *fanoutWindow, bench.FanoutOffer, fanoutRawName())
	p("| library | how it sends one message to all |\n|---|---|\n")
	plain := fanoutExtra(append(slices.Clip(bench.FanoutLibs), bench.FanoutFloor))
	for _, l := range plain {
		p("| %s | %s |\n", l, bench.FanoutAPIs[l])
	}
	if *fanoutBurst > 1 {
		p("\nEach op is a burst of %d publications, one after another.\n", *fanoutBurst)
	}
	for _, deflate := range []bool{false, true} {
		libs, title := plain, "Without compression (write-floor: the reference row, not a peer)"
		if deflate {
			libs, title = fanoutExtra(bench.FanoutDeflateLibs), "With permessage-deflate (no context takeover)"
		}
		p("\n%s: deliveries/s (allocs/recipient; CPU/delivery of the server / of the clients).\n\n| connections | %s | wskit ÷ best peer |\n|%s---|\n", title, strings.Join(libs, " | "), strings.Repeat("---|", len(libs)+1))
		for _, n := range fanoutCounts() {
			cells := []string{n}
			for _, l := range libs {
				s, ok := r.fanout[fanoutName(n, deflate, l)]
				if !ok {
					cells = append(cells, "–")
					continue
				}
				cells = append(cells, fmt.Sprintf("%.0f (%.3f; %.2f / %.2f µs)", s.rate, s.allocs, s.cpu/1000, s.client/1000))
			}
			x, who := r.fanoutRatio(n, deflate)
			cells = append(cells, fmt.Sprintf("**%.2f×** (%s)", x, who))
			p("| %s |\n", strings.Join(cells, " | "))
		}
	}
}

// fanoutExtra returns libs with the rows only a burst runs.
func fanoutExtra(libs []string) []string {
	if *fanoutBurst > 1 {
		return append(libs[:len(libs):len(libs)], bench.FanoutCork)
	}
	return libs
}

// fanoutRawName names the file of the fan-out workload's raw output.
func fanoutRawName() string {
	if *fanoutBurst > 1 || *fanoutWindow != 4 {
		return fmt.Sprintf("fanout-burst%d-window%d-raw.txt", max(*fanoutBurst, 1), *fanoutWindow)
	}
	return "fanout-raw.txt"
}
