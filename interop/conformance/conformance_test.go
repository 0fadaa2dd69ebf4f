package conformance

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	flagReport   = flag.String("report", "", "write the markdown report of both roles to this file (e.g. ../../docs/conformance.md)")
	flagCases    = flag.String("cases", "", "run only the cases whose ID matches this regexp (e.g. '^6\\.4\\.')")
	flagParallel = flag.Int("parallel-cases", 8, "cases run at a time")
	flagTarget   = flag.String("target", "auto", "auto (demo binaries if they exist, else the in-process reference), demo, or ref")
	flagVerbose  = flag.Bool("cases-v", false, "log every case's outcome")
)

// mainModule is the wskit module's root, two levels above this package.
var mainModule = func() string {
	d, _ := filepath.Abs(filepath.Join("..", ".."))
	return d
}()

// serverTarget is one server under test; TestServerRole runs the suite
// against each, as a subtest of its name.
type serverTarget struct {
	name   string // e.g. demo/echo
	target ServerTarget
	desc   string // for the report
}

type targets struct {
	servers    []serverTarget
	client     ClientTarget
	clientDesc string
	reference  bool
	buildOnce  sync.Once
	buildErr   error
	binDir     string
}

var tgt targets

// pickTargets chooses the demo binaries when demo/echo and demo/client exist
// in the checkout (or -target=demo), the in-process reference otherwise.
func pickTargets(t *testing.T) *targets {
	tgt.buildOnce.Do(func() {
		_, haveDemos := DemoDir(mainModule)
		useDemo := *flagTarget == "demo" || (*flagTarget == "auto" && haveDemos)
		if !useDemo {
			tgt.reference = true
			tgt.servers = []serverTarget{{"ref", refServer{}, "the TEMPORARY in-process reference echo server (reftarget_test.go: parser + frame + handshake/server)"}}
			tgt.client, tgt.clientDesc = refClient{}, "the TEMPORARY in-process reference echo client (reftarget_test.go: parser + frame + handshake/client)"
			return
		}
		dir, err := os.MkdirTemp("", "wskit-conformance-")
		if err != nil {
			tgt.buildErr = err
			return
		}
		tgt.binDir = dir
		// The server targets: another demo server joins the list with
		// its name and flags.
		for _, s := range []struct {
			name string
			args []string
		}{
			{"echo", []string{"-addr", "127.0.0.1:0", "-max-message", "67108864", "-deflate"}},
			{"epoll", []string{"-addr", "127.0.0.1:0", "-max-message", "67108864", "-deflate"}},
		} {
			bin, err := BuildDemo(mainModule, s.name, dir)
			if err != nil {
				tgt.buildErr = err
				return
			}
			tgt.servers = append(tgt.servers, serverTarget{"demo/" + s.name, &BinaryServer{Path: bin, Args: s.args},
				"`demo/" + s.name + " " + strings.Join(s.args, " ") + "`"})
		}
		clientBin, err := BuildDemo(mainModule, "client", dir)
		if err != nil {
			tgt.buildErr = err
			return
		}
		tgt.client = &BinaryClient{Path: clientBin, Args: []string{"-echo", "-deflate"}}
		tgt.clientDesc = "`demo/client -echo -deflate ws://127.0.0.1:PORT/runCase?case=N&agent=wskit`"
	})
	if tgt.buildErr != nil {
		t.Fatalf("building the demo targets: %v", tgt.buildErr)
	}
	return &tgt
}

func selectedCases(t *testing.T) []*Case {
	cs := AllCases()
	if *flagCases == "" {
		return cs
	}
	re, err := regexp.Compile(*flagCases)
	if err != nil {
		t.Fatalf("-cases: %v", err)
	}
	var out []*Case
	for _, c := range cs {
		if re.MatchString(c.ID) {
			out = append(out, c)
		}
	}
	return out
}

var (
	reportMu       sync.Mutex
	reportSections []Section
)

func check(t *testing.T, role string, sec Section) {
	results := sec.Results
	for _, line := range Summary(role, results) {
		t.Log(line)
	}
	for _, r := range results {
		switch {
		case r.Failed():
			t.Errorf("FAILED %s", Describe(r))
		case *flagVerbose || r.Behavior != OK:
			t.Logf("%s", Describe(r))
		}
	}
	reportMu.Lock()
	reportSections = append(reportSections, sec)
	reportMu.Unlock()
}

// TestServerRole plays the fuzzing client against each server target.
func TestServerRole(t *testing.T) {
	tg := pickTargets(t)
	for _, st := range tg.servers {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			addr, stop, err := st.target.StartServer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			t.Logf("target: %s at %s", st.desc, addr)
			start := time.Now()
			results := RunServerSuite(ctx, addr, selectedCases(t), *flagParallel)
			t.Logf("server role against %s: %d cases in %v", st.name, len(results), time.Since(start).Round(time.Millisecond))
			check(t, "server", Section{Role: "server", Name: st.name, Target: st.desc, Results: results})
		})
	}
}

// TestClientRole plays the fuzzing server against the client target.
func TestClientRole(t *testing.T) {
	tg := pickTargets(t)
	t.Logf("target: %s", tg.clientDesc)
	start := time.Now()
	results, err := RunClientSuite(context.Background(), tg.client, selectedCases(t), *flagParallel)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("client role: %d cases in %v", len(results), time.Since(start).Round(time.Millisecond))
	check(t, "client", Section{Role: "client", Target: tg.clientDesc, Results: results})
}

// fakeDemoEnv makes the test binary act as a demo program, to test the
// subprocess plumbing of BinaryServer and BinaryClient.
const fakeDemoEnv = "WSKIT_CONFORMANCE_FAKE_DEMO"

func fakeDemo(kind string) {
	switch kind {
	case "echo":
		addr, _, err := refServer{}.StartServer(context.Background())
		if err != nil {
			os.Exit(1)
		}
		os.Stderr.WriteString("demo: listening on http://" + addr + "\n")
		select {}
	case "client":
		if err := (refClient{}).RunClient(context.Background(), os.Args[len(os.Args)-1]); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// TestBinaryTargets runs a few cases through BinaryServer and BinaryClient,
// with this test binary standing in for demo/echo and demo/client.
func TestBinaryTargets(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	t.Setenv(fakeDemoEnv, "echo")
	srv := &BinaryServer{Path: self, Args: []string{"-addr", "127.0.0.1:0"}}
	addr, stop, err := srv.StartServer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var cases []*Case
	for _, c := range AllCases() {
		switch c.ID {
		case "1.1.1", "2.5", "5.19", "6.3.1", "7.3.2", "7.7.1", "9.1.1":
			cases = append(cases, c)
		}
	}
	for _, r := range RunServerSuite(context.Background(), addr, cases, 4) {
		if r.Failed() {
			t.Errorf("binary server: %s", Describe(r))
		}
	}
	t.Setenv(fakeDemoEnv, "client")
	results, err := RunClientSuite(context.Background(), &BinaryClient{Path: self, Args: []string{"-echo"}}, cases, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Failed() {
			t.Errorf("binary client: %s", Describe(r))
		}
	}
}

func TestMain(m *testing.M) {
	if kind := os.Getenv(fakeDemoEnv); kind != "" {
		fakeDemo(kind)
	}
	flag.Parse()
	code := m.Run()
	if tgt.binDir != "" {
		os.RemoveAll(tgt.binDir)
	}
	if *flagReport != "" && len(reportSections) > 0 {
		var buf bytes.Buffer
		title := "WebSocket conformance (Autobahn|Testsuite categories 1–7, 9, 10, 12, 13)"
		WriteMarkdown(&buf, title, reportSections, time.Now())
		if tgt.reference {
			s := buf.String()
			s = strings.Replace(s, "\n\nGrades:", "\n\n**Note:** these results are for the TEMPORARY in-process reference targets; demo/echo and demo/client did not exist when they were produced.\n\nGrades:", 1)
			buf.Reset()
			buf.WriteString(s)
		}
		if err := os.WriteFile(*flagReport, buf.Bytes(), 0o644); err != nil {
			os.Stderr.WriteString("writing the report: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}
