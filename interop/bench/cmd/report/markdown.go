package main

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wskit/wskit/interop/bench"
)

type target struct {
	name, measured string
	met            bool
	profile        string // a benchmark to profile when not met
}

type report struct {
	date, machine, goVersion string
	micro                    map[string]stat
	echo                     []echoResult
	idle                     []idleResult
	fanout                   map[string]fanoutStat
	targets                  []target
	profs                    []prof
	elapsed                  time.Duration
}

type prof struct{ bench, top string }

var (
	sizes     = []string{"16B", "128B", "1KiB", "16KiB", "1MiB"}
	maskSizes = []string{"64B", "1KiB", "64KiB", "1MiB"}
	peers     = bench.Libs[1:]
)

func mark(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// ratio returns wskit's speed over the best peer's on a row (best peer's
// ns/op over wskit's), and the best peer.
func (r *report) ratio(row string, libs []string) (float64, string) {
	w, ok := r.micro[row+"/lib=wskit"]
	if !ok || w.ns == 0 {
		return 0, ""
	}
	best, who := 0.0, ""
	for _, l := range libs {
		if s, ok := r.micro[row+"/lib="+l]; ok && (best == 0 || s.ns < best) {
			best, who = s.ns, l
		}
	}
	return best / w.ns, who
}

func (r *report) evaluate() {
	if r.micro != nil {
		r.evaluateMicro()
	}
	r.evaluateLoopback()
	r.fanoutTargets()
}

func (r *report) evaluateMicro() {
	// Server read path.
	min1, minRow := 0.0, ""
	allocs := 0.0
	for _, size := range sizes {
		for _, frags := range []string{"1", "4"} {
			row := "ServerRead/size=" + size + "/frags=" + frags
			x, _ := r.ratio(row, peers)
			if minRow == "" || x < min1 {
				min1, minRow = x, row
			}
			if size != "1MiB" {
				allocs = max(allocs, r.micro[row+"/lib=wskit"].allocs)
			}
		}
	}
	x, who := r.ratio("ServerRead/size=1KiB/frags=1", peers)
	r.targets = append(r.targets,
		target{"server read, 1 KiB text ≥ 1.3× best peer", fmt.Sprintf("%.2f× (best peer %s)", x, who), x >= 1.3, "ServerRead/size=1KiB/frags=1"},
		target{"server read, every size and fragmentation ≥ 1.0×", fmt.Sprintf("lowest %.2f× at %s", min1, minRow), min1 >= 1.0, minRow},
		target{"server read, 0 allocs/op up to 64 KiB", fmt.Sprintf("at most %.0f allocs/op", allocs), allocs == 0, ""})
	// Write paths.
	for _, w := range []string{"ServerWrite", "ClientWrite"} {
		x, who := r.ratio(w+"/size=1KiB", peers)
		lo, loRow, allocs := 0.0, "", 0.0
		for _, size := range sizes {
			row := w + "/size=" + size
			y, _ := r.ratio(row, peers)
			if loRow == "" || y < lo {
				lo, loRow = y, row
			}
			allocs = max(allocs, r.micro[row+"/lib=wskit"].allocs)
		}
		r.targets = append(r.targets,
			target{w + ", 1 KiB ≥ 1.2× best peer", fmt.Sprintf("%.2f× (best peer %s)", x, who), x >= 1.2, w + "/size=1KiB"},
			target{w + ", every size ≥ 1.0×", fmt.Sprintf("lowest %.2f× at %s", lo, loRow), lo >= 1.0, loRow},
			target{w + ", 0 allocs/op", fmt.Sprintf("at most %.0f allocs/op", allocs), allocs == 0, ""})
	}
	// Masking.
	for _, size := range maskSizes {
		row := "Mask/size=" + size
		x, _ := r.ratio(row, []string{"gobwas"})
		want := 1.0
		if size == "64KiB" || size == "1MiB" {
			want = 1.5
		}
		r.targets = append(r.targets, target{fmt.Sprintf("masking %s ≥ %.1f× gobwas", size, want), fmt.Sprintf("%.2f×", x), x >= want, row})
	}
}

func (r *report) evaluateLoopback() {
	// Echo, 1,000 connections.
	var wk, ep *echoResult
	var bestPeer *echoResult
	minPeerRSS := uint64(0)
	for i := range r.echo {
		e := &r.echo[i]
		if e.conns != 1000 {
			continue
		}
		switch e.server {
		case "wskit":
			wk = e
		case "wskit-epoll":
			ep = e
		default:
			if bestPeer == nil || e.rtps > bestPeer.rtps {
				bestPeer = e
			}
			if minPeerRSS == 0 || e.under.RSS < minPeerRSS {
				minPeerRSS = e.under.RSS
			}
		}
	}
	if wk != nil && bestPeer != nil && bestPeer.rtps > 0 {
		for _, w := range []*echoResult{wk, ep} {
			if w == nil {
				continue
			}
			x := w.rtps / bestPeer.rtps
			r.targets = append(r.targets, target{
				fmt.Sprintf("echo, 1,000 connections (%s): ≥ 1.0× best peer's round trips/s, less server RSS than every peer", w.server),
				fmt.Sprintf("%.2f× (best peer %s); RSS %s vs lowest peer %s", x, bestPeer.server, mib(w.under.RSS), mib(minPeerRSS)),
				x >= 1.0 && w.under.RSS < minPeerRSS, ""})
		}
	}
	for _, i := range r.idle {
		if i.server == "wskit-epoll" && i.err == nil {
			hs, rss := i.perConn()
			r.targets = append(r.targets, target{
				fmt.Sprintf("idle: event-loop demo holds %d connections at ≤ 4 KiB each", i.conns),
				fmt.Sprintf("heap+stacks %.0f B, RSS %.0f B per connection", hs, rss),
				hs <= 4096 && rss <= 4096, ""})
		}
	}
}

// profiles CPU-profiles wskit's benchmark on each row whose target is not
// met.
func (r *report) profiles() {
	seen := map[string]bool{}
	for _, t := range r.targets {
		if t.met || t.profile == "" || seen[t.profile] {
			continue
		}
		seen[t.profile] = true
		parts := strings.Split("Benchmark"+t.profile+"/lib=wskit", "/")
		for i := range parts {
			parts[i] = "^" + parts[i] + "$"
		}
		dir := filepath.Join(*results, "profiles")
		must(os.MkdirAll(dir, 0o755))
		name := strings.NewReplacer("/", "_", "=", "-").Replace(t.profile)
		pf := filepath.Join(dir, name+".pprof")
		tb := filepath.Join(dir, "bench.test")
		log.Printf("profiling %s", t.profile)
		run("go", "test", "-run", "^$", "-bench", strings.Join(parts, "/"), "-benchtime", "1s",
			"-cpuprofile", pf, "-o", tb, ".")
		cmd := exec.Command("go", "tool", "pprof", "-top", "-nodecount=12", tb, pf)
		b, _ := cmd.Output()
		os.Remove(tb)
		lines := strings.Split(string(b), "\n")
		var keep []string
		for _, l := range lines {
			if strings.HasPrefix(l, "File:") || strings.HasPrefix(l, "Build ID:") || strings.HasPrefix(l, "Type:") || strings.HasPrefix(l, "Time:") {
				continue
			}
			keep = append(keep, l)
		}
		r.profs = append(r.profs, prof{t.profile, strings.TrimSpace(strings.Join(keep, "\n"))})
	}
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func (r *report) cell(name string, throughput bool) string {
	s, ok := r.micro[name]
	if !ok {
		return "–"
	}
	v := fmt.Sprintf("%.0f MB/s", s.mbs)
	if !throughput || s.mbs == 0 {
		v = fmt.Sprintf("%.1f ns", s.ns)
	}
	return fmt.Sprintf("%s, %.0f B, %.0f allocs", v, s.bytes, s.allocs)
}

func (r *report) microTable(b *strings.Builder, rows []string, labels []string, libs []string, peerLibs []string) {
	b.WriteString("| " + strings.Join(labels, " | ") + " | " + strings.Join(libs, " | ") + " | wskit ÷ best peer |\n")
	b.WriteString(strings.Repeat("|---", len(labels)+len(libs)+1) + "|\n")
	for _, row := range rows {
		var cells []string
		for _, kv := range strings.Split(row, "/")[1:] {
			_, v, _ := strings.Cut(kv, "=")
			cells = append(cells, v)
		}
		for _, l := range libs {
			cells = append(cells, r.cell(row+"/lib="+l, true))
		}
		x, who := r.ratio(row, peerLibs)
		cells = append(cells, fmt.Sprintf("**%.2f×** (%s)", x, who))
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# Benchmarks: wskit beside the other Go WebSocket libraries\n\n")
	p("Generated by `cd interop/bench && go run ./cmd/report` (%s) on %s. Every number below comes from that run; nothing is typed in.\n\n", r.elapsed.Round(time.Second), r.date)
	p("- Machine: %s\n- %s\n", r.machine, r.goVersion)
	if r.micro != nil {
		p("- Micro-benchmarks (sections 1 to 4): `go test -bench . -benchmem -benchtime %s` in interop/bench; the whole suite runs %d times over (not each benchmark %d times in a row), and each cell is the fastest of the runs (the machine is shared, and load from elsewhere only adds time), as MB/s of payload, with the median B/op and allocs/op. Raw output: `interop/bench/results/raw.txt`; benchstat's summary (medians, confidence intervals): `interop/bench/results/benchstat.txt`.\n", *benchtime, *count, *count)
	}
	p("- Ratios are wskit's throughput over the best peer's on the same row, measured in the same run (> 1 means wskit is faster); the best peer is named in brackets.\n")
	p("- The machine has 2 cores and is shared: expect a few percent of noise between runs, more on the loopback workloads, where client and server share the cores.\n\n")

	p("## Targets\n\n| target | measured | |\n|---|---|---|\n")
	for _, t := range r.targets {
		p("| %s | %s | %s |\n", t.name, t.measured, mark(t.met))
	}
	p("\n")

	if r.micro != nil || len(r.echo) > 0 {
		p("## Contestants\n\n| library | API used in the micro-benchmarks | echo server | validates UTF-8 itself |\n|---|---|---|---|\n")
		for _, l := range bench.Libs {
			v := "yes"
			if !bench.Validates[l] {
				v = "no: the read rows add `utf8.Valid`"
			}
			p("| %s | %s | %s | %s |\n", l, bench.APIs[l], bench.ServerAPIs[l], v)
		}
		p("| wskit-epoll | – | %s | yes |\n\n", bench.ServerAPIs["wskit-epoll"])
	}

	if r.micro != nil {

		p("## 1. Server read path\n\nMasked text messages read from an in-memory connection that loops over a pre-built stream and allocates nothing: unmask, validate UTF-8, deliver each whole message. frags=4: every message in 4 frames.\n\n")
		var rows []string
		for _, s := range sizes {
			for _, f := range []string{"1", "4"} {
				rows = append(rows, "ServerRead/size="+s+"/frags="+f)
			}
		}
		r.microTable(&b, rows, []string{"size", "frags"}, bench.Libs, peers)

		p("\n## 2. Server write path\n\nUnmasked text messages into a discarding connection. gobwas's `ws.WriteFrame` writes the header and the payload with two Write calls (two syscalls on a socket); the others build the frame and write it once, which costs a copy of the payload that a discarding writer does not otherwise charge for. gorilla sends messages larger than its write buffer (4 KiB) in several frames.\n\n")
		rows = nil
		for _, s := range sizes {
			rows = append(rows, "ServerWrite/size="+s)
		}
		r.microTable(&b, rows, []string{"size"}, bench.Libs, peers)

		p("\n## 3. Client write path\n\nMasked binary messages (a fresh key each, masking included) into a discarding connection.\n\n")
		rows = nil
		for _, s := range sizes {
			rows = append(rows, "ClientWrite/size="+s)
		}
		r.microTable(&b, rows, []string{"size"}, bench.Libs, peers)

		p("\n## 4. Masking\n\nIn-place masking of a buffer, beside `copy()` of the same buffer into another. Of the peers only gobwas/ws exports its masking function (`ws.Cipher`, AVX2 on amd64); gorilla (`maskBytes`), coder (`mask`) and gws (`internal.MaskXOR`) keep theirs unexported, so they cannot be measured on their own.\n\n")
		rows = nil
		for _, s := range maskSizes {
			rows = append(rows, "Mask/size="+s)
		}
		r.microTable(&b, rows, []string{"size"}, []string{"wskit", "gobwas", "copy"}, []string{"gobwas"})
	}

	if len(r.echo) > 0 {
		p("\n## 5. Echo over loopback TCP\n\n1 KiB text messages, request/response, for %s per run, the best of %d rounds over all servers; each server runs in a process of its own, and the same hand-rolled client (`bench.Echo`: one pre-masked frame written, the echo read with `io.ReadFull`) drives them all. Server memory is sampled during the 1,000-connection run of the best round, after a collection: heap in use + goroutine stacks, and RSS.\n\n", *echoDur, max(*echoRuns, 1))
		p("| server | 1 conn (round trips/s) | 64 conns | 1,000 conns | ÷ best peer at 1,000 | server heap+stacks at 1,000 | server RSS at 1,000 |\n|---|---|---|---|---|---|---|\n")
		best := 0.0
		for _, e := range r.echo {
			if e.conns == 1000 && !strings.HasPrefix(e.server, "wskit") {
				best = max(best, e.rtps)
			}
		}
		var names []string
		for _, e := range r.echo {
			if !slices.Contains(names, e.server) {
				names = append(names, e.server)
			}
		}
		for _, s := range names {
			cells := []string{s}
			var at1000 *echoResult
			for i, e := range r.echo {
				if e.server != s {
					continue
				}
				c := fmt.Sprintf("%.0f", e.rtps)
				if e.errors > 0 {
					c += fmt.Sprintf(" (%d errors)", e.errors)
				}
				cells = append(cells, c)
				if e.conns == 1000 {
					at1000 = &r.echo[i]
				}
			}
			if at1000 != nil && best > 0 {
				cells = append(cells, fmt.Sprintf("%.2f×", at1000.rtps/best), mib(at1000.under.HeapInuse+at1000.under.StackInuse), mib(at1000.under.RSS))
			}
			p("| %s |\n", strings.Join(cells, " | "))
		}

	}

	if len(r.idle) > 0 {
		p("\n## 6. Idle connections\n\n%d connections opened to each server (in its own process) and left idle. Per connection: the growth of live heap + goroutine stacks (runtime.MemStats after a collection) and of RSS, divided by the number of connections.\n\n", *idleConns)
		p("| server | heap+stacks per conn | RSS per conn | goroutines |\n|---|---|---|---|\n")
		for _, i := range r.idle {
			if i.err != nil {
				p("| %s | failed: %v | | |\n", i.server, i.err)
				continue
			}
			hs, rss := i.perConn()
			p("| %s | %.0f B | %.0f B | %d |\n", i.server, hs, rss, i.after.Goroutines)
		}

	}
	if r.fanout != nil {
		r.fanoutSection(p)
	}

	if len(r.profs) > 0 {
		p("\n## Profiles of the rows whose targets are not met\n\n`go test -bench <row>/lib=wskit -benchtime 1s -cpuprofile`, then `go tool pprof -top`; the profiles are in `interop/bench/results/profiles/`.\n")
		for _, pr := range r.profs {
			p("\n### %s\n\n```\n%s\n```\n", pr.bench, pr.top)
		}
	}
	if analysis, err := os.ReadFile("analysis.md"); err == nil {
		p("\n%s", analysis)
	}
	return b.String()
}
