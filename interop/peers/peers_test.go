package peers

import (
	"bytes"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wskit/wskit/frame"
)

var (
	flagMatrix = flag.String("matrix", "", "write the interop matrix (markdown) to this file; a relative path is taken from the interop directory, e.g. ../docs/interop.md")
	flagPeers  = flag.String("peers", "", "run only the peers whose name matches this regexp")
)

// peerOpts configure a peer for one role.
type peerOpts struct {
	protocols []string
	deflate   bool
}

// peer is one implementation under test.
type peer interface {
	name() string
	// setup checks that the peer can run and returns its version.
	setup(t *testing.T) (version string, err error)
	// deflate reports whether the peer speaks permessage-deflate; if not,
	// why (for the matrix).
	deflate() (bool, string)
	// fixedPing reports that the peer chooses its pings' payloads itself.
	fixedPing() bool
	// serve starts the peer as a server on 127.0.0.1 until the test ends
	// and returns its base URL, ws://127.0.0.1:PORT.
	serve(t *testing.T, o peerOpts, ev *events) (string, error)
	// dial makes the peer connect to url as a client; it runs until the
	// connection ends or the test does.
	dial(t *testing.T, url string, o peerOpts, ev *events) error
}

var allPeers = []peer{
	gorillaPeer{},
	gobwasPeer{},
	coderPeer{},
	gwsPeer{},
	nodePeer(),
	pythonPeer(),
}

// The two directions.
const (
	peerClient = "peer client → wskit server"
	peerServer = "wskit client → peer server"
)

var directions = []string{peerClient, peerServer}

var messageSizes = []struct {
	name string
	n    int
}{{"0 B", 0}, {"125 B", 125}, {"126 B", 126}, {"64 KiB", 64 << 10}, {"16 MiB", 16 << 20}}

// The fragmented messages: fragSize bytes at a time by wskit (its
// NextWriter with FrameSize fragFrame), peerFrag at a time by the peer.
const (
	fragSize  = 300 << 10
	fragFrame = 1000
	peerFrag  = 4096
)

var closeReason = "interop: bye ✓"

// checks are the rows of the matrix, in order.
var checks = func() []string {
	c := []string{"subprotocol"}
	for _, op := range []string{"text", "binary"} {
		for _, s := range messageSizes {
			c = append(c, op+" "+s.name)
		}
	}
	return append(c,
		"fragmented by wskit", "fragmented by peer",
		"ping from wskit", "ping from peer",
		"close 1000 by wskit", "close 4000+reason by wskit",
		"close 1000 by peer", "close 4000+reason by peer",
		"deflate: negotiated", "deflate: messages", "deflate: fragmented by peer", "deflate: close")
}()

// results holds the matrix: results[peer][direction][check].
var results = struct {
	sync.Mutex
	cell     map[string]string // peer|direction|check
	versions map[string]string // peer -> version
	notes    map[string]string // peer -> note
	ran      map[string]bool
	off      bool // TestPeersClasses runs: the matrix is the default class's
}{cell: map[string]string{}, versions: map[string]string{}, notes: map[string]string{}, ran: map[string]bool{}}

func record(p, dir, check, v string) {
	results.Lock()
	if !results.off {
		results.cell[p+"|"+dir+"|"+check] = v
	}
	results.Unlock()
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if *flagMatrix != "" {
		path := *flagMatrix
		if !filepath.IsAbs(path) {
			path = filepath.Join("..", path) // the test runs in interop/peers
		}
		if err := writeMatrix(path, code == 0); err != nil {
			fmt.Fprintln(os.Stderr, "writing the matrix:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// inCI reports whether a peer that cannot run must fail the test.
func inCI() bool { return os.Getenv("CI") == "true" }

func TestPeers(t *testing.T) {
	var filter *regexp.Regexp
	if *flagPeers != "" {
		filter = regexp.MustCompile(*flagPeers)
	}
	srv := startWskitServer(t)
	for _, p := range allPeers {
		if filter != nil && !filter.MatchString(p.name()) {
			continue
		}
		t.Run(p.name(), func(t *testing.T) {
			version, err := p.setup(t)
			if err != nil {
				if inCI() {
					t.Fatalf("%s cannot run: %v (run interop/peers/setup.sh)", p.name(), err)
				}
				t.Skipf("%s cannot run: %v (run interop/peers/setup.sh)", p.name(), err)
			}
			results.Lock()
			results.versions[p.name()] = version
			results.ran[p.name()] = true
			results.Unlock()
			for _, dir := range directions {
				t.Run(shortDir(dir), func(t *testing.T) {
					runDirection(t, p, dir, srv)
				})
			}
		})
	}
}

func shortDir(dir string) string {
	if dir == peerClient {
		return "peer-client"
	}
	return "peer-server"
}

// conns makes the connections of one peer and direction.
type conns struct {
	t      *testing.T
	p      peer
	dir    string
	srv    *wskitServer
	ev     *events
	bases  map[bool]string // the peer server's URL, by deflate
	serial int
}

func (cs *conns) connect(what string, deflate bool) (*wsConn, string, error) {
	cs.serial++
	name := fmt.Sprintf("%s-%s-%d-%s", slug(cs.p.name()), shortDir(cs.dir), cs.serial, what)
	if deflate {
		name = "d-" + name
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if cs.dir == peerClient {
		o := peerOpts{protocols: clientProtocols, deflate: deflate}
		if err := cs.p.dial(cs.t, cs.srv.url(name), o, cs.ev); err != nil {
			return nil, name, fmt.Errorf("starting the %s client: %w", cs.p.name(), err)
		}
		c, err := cs.srv.accept(ctx, name)
		return c, name, err
	}
	base, ok := cs.bases[deflate]
	if !ok {
		var err error
		base, err = cs.p.serve(cs.t, peerOpts{protocols: serverProtocols, deflate: deflate}, cs.ev)
		if err != nil {
			return nil, name, fmt.Errorf("starting the %s server: %w", cs.p.name(), err)
		}
		cs.bases[deflate] = base
	}
	c, err := dialWskit(ctx, base+"/"+name, deflate)
	return c, name, err
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
}

func runDirection(t *testing.T, p peer, dir string, srv *wskitServer) {
	cs := &conns{t: t, p: p, dir: dir, srv: srv, ev: newEvents(), bases: map[bool]string{}}
	row := func(check string, fn func(t *testing.T)) {
		ok := t.Run(check, fn)
		v := "pass"
		if !ok {
			v = "FAIL"
		}
		record(p.name(), dir, check, v)
	}

	// One connection for messages, fragments, pings and the subprotocol.
	c, _, err := cs.connect("main", false)
	if err != nil {
		t.Errorf("connecting: %v", err)
	}
	need := func(t *testing.T) *wsConn {
		if c == nil {
			t.Fatal("no connection")
		}
		return c
	}
	row("subprotocol", func(t *testing.T) { checkProtocol(t, need(t)) })
	for _, op := range []frame.Opcode{frame.OpText, frame.OpBinary} {
		for _, s := range messageSizes {
			row(opName(op)+" "+s.name, func(t *testing.T) {
				echo(t, need(t), op, payload(op, s.n, s.n))
			})
		}
	}
	row("fragmented by wskit", func(t *testing.T) {
		c := need(t)
		for _, op := range []frame.Opcode{frame.OpText, frame.OpBinary} {
			echoFragmented(t, c, op, payload(op, fragSize, 7))
		}
	})
	row("fragmented by peer", func(t *testing.T) {
		c := need(t)
		for _, op := range []frame.Opcode{frame.OpText, frame.OpBinary} {
			echoByPeerFragments(t, c, op, payload(op, fragSize, 11), true)
		}
	})
	row("ping from wskit", func(t *testing.T) { pingFromWskit(t, need(t)) })
	row("ping from peer", func(t *testing.T) { pingFromPeer(t, need(t), p.fixedPing()) })
	if c != nil {
		c.ep.Close(frame.CloseNormal, "")
		c.shutdown()
	}

	// The closing handshake, one connection each.
	for _, tc := range []struct {
		check  string
		code   frame.CloseCode
		reason string
		byPeer bool
	}{
		{"close 1000 by wskit", frame.CloseNormal, "", false},
		{"close 4000+reason by wskit", 4000, closeReason, false},
		{"close 1000 by peer", frame.CloseNormal, "", true},
		{"close 4000+reason by peer", 4000, closeReason, true},
	} {
		row(tc.check, func(t *testing.T) {
			c, name, err := cs.connect("close", false)
			if err != nil {
				t.Fatalf("connecting: %v", err)
			}
			defer c.shutdown()
			if tc.byPeer {
				closeByPeer(t, c, tc.code, tc.reason)
			} else {
				closeByWskit(t, c, cs.ev, name, tc.code, tc.reason)
			}
		})
	}

	// permessage-deflate.
	ok, why := p.deflate()
	deflateChecks := []string{"deflate: negotiated", "deflate: messages", "deflate: fragmented by peer", "deflate: close"}
	if !ok {
		for _, check := range deflateChecks {
			record(p.name(), dir, check, "n/a")
		}
		results.Lock()
		results.notes[p.name()+"|deflate"] = why
		results.Unlock()
		return
	}
	dc, dname, err := cs.connect("deflate", true)
	if err != nil {
		t.Errorf("connecting with permessage-deflate: %v", err)
		dc = nil
	}
	needD := func(t *testing.T) *wsConn {
		if dc == nil {
			t.Fatal("no connection")
		}
		return dc
	}
	row("deflate: negotiated", func(t *testing.T) {
		c := needD(t)
		if !c.deflate {
			t.Fatal("wskit did not agree to permessage-deflate")
		}
		if err := c.command("info"); err != nil {
			t.Fatal(err)
		}
		info, err := c.reply("INFO", 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if f := strings.Fields(info); len(f) != 2 || f[1] == "0" {
			t.Fatalf("the peer says %q: permessage-deflate not agreed on its side", info)
		}
	})
	row("deflate: messages", func(t *testing.T) {
		c := needD(t)
		compressed := 0
		for _, op := range []frame.Opcode{frame.OpText, frame.OpBinary} {
			for _, s := range messageSizes {
				if m, ok := echo(t, c, op, payload(op, s.n, s.n+3)); ok && m.rsv1 {
					compressed++
				}
			}
		}
		if compressed == 0 {
			t.Error("the peer compressed none of its echoes (no RSV1 seen)")
		}
		t.Logf("%d of %d echoes arrived compressed", compressed, 2*len(messageSizes))
	})
	row("deflate: fragmented by peer", func(t *testing.T) {
		c := needD(t)
		for _, op := range []frame.Opcode{frame.OpText, frame.OpBinary} {
			echoByPeerFragments(t, c, op, payload(op, fragSize, 13), false)
		}
	})
	row("deflate: close", func(t *testing.T) {
		closeByWskit(t, needD(t), cs.ev, dname, 4000, closeReason)
	})
	if dc != nil {
		dc.shutdown()
	}
}

func opName(op frame.Opcode) string {
	if op == frame.OpText {
		return "text"
	}
	return "binary"
}

// payload makes n bytes: UTF-8 text with multi-byte characters for text,
// pseudo-random bytes for binary.
func payload(op frame.Opcode, n, seed int) []byte {
	b := make([]byte, 0, n)
	if op == frame.OpText {
		const pattern = "wskit interop ✓ héllo wörld € 𝄞 日本語 "
		for len(b) < n {
			for _, r := range pattern {
				if len(b)+utf8.RuneLen(r) > n {
					break
				}
				b = utf8.AppendRune(b, r)
			}
			if len(b)+4 > n { // pad the end with ASCII
				for len(b) < n {
					b = append(b, 'x')
				}
			}
		}
		return b
	}
	x := uint32(seed)*2654435761 + 1
	for len(b) < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b = append(b, byte(x))
	}
	return b
}

func sameBytes(t *testing.T, what string, got, want []byte) bool {
	t.Helper()
	if bytes.Equal(got, want) {
		return true
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("%s: got %d bytes, want %d; first difference at offset %d", what, len(got), len(want), i)
	return false
}

const msgTimeout = 60 * time.Second

// echo sends one message and checks the peer's echo.
func echo(t *testing.T, c *wsConn, op frame.Opcode, data []byte) (received, bool) {
	t.Helper()
	if err := c.ep.WriteMessage(op, data); err != nil {
		t.Fatalf("sending %s of %d bytes: %v", opName(op), len(data), err)
	}
	m, err := c.recv(msgTimeout)
	if err != nil {
		t.Fatalf("echo of %s of %d bytes: %v", opName(op), len(data), err)
	}
	if m.op != op {
		t.Errorf("echo of %s of %d bytes came back as %s", opName(op), len(data), m.op)
		return m, false
	}
	return m, sameBytes(t, fmt.Sprintf("echo of %s of %d bytes", opName(op), len(data)), m.data, data)
}

// echoFragmented sends data with NextWriter in frames of fragFrame bytes,
// written in pieces that cut UTF-8 sequences, and checks the echo.
func echoFragmented(t *testing.T, c *wsConn, op frame.Opcode, data []byte) {
	t.Helper()
	w, err := c.ep.NextWriter(op)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(data); off += 2999 {
		end := min(off+2999, len(data))
		if _, err := w.Write(data[off:end]); err != nil {
			w.Close()
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := c.recv(msgTimeout)
	if err != nil {
		t.Fatalf("echo of the fragmented %s message: %v", opName(op), err)
	}
	if m.op != op {
		t.Fatalf("echo of the fragmented %s message came back as %s", opName(op), m.op)
	}
	sameBytes(t, "echo of the fragmented "+opName(op)+" message", m.data, data)
}

// echoByPeerFragments has the peer echo data with its streaming writer and
// checks that it arrived whole and, when wantFrames, in several frames.
func echoByPeerFragments(t *testing.T, c *wsConn, op frame.Opcode, data []byte, wantFrames bool) {
	t.Helper()
	if err := c.command("frag " + strconv.Itoa(peerFrag)); err != nil {
		t.Fatal(err)
	}
	m, ok := echo(t, c, op, data)
	if ok {
		t.Logf("%s: the peer's echo arrived in %d frames (compressed: %v)", opName(op), m.frames, m.rsv1)
		if wantFrames && m.frames < 2 {
			t.Errorf("%s: the peer's streamed echo arrived in %d frame(s); want a fragmented message", opName(op), m.frames)
		}
	}
}

func checkProtocol(t *testing.T, c *wsConn) {
	if c.protocol != wantProtocol {
		t.Errorf("wskit agreed on subprotocol %q, want %q", c.protocol, wantProtocol)
	}
	if err := c.command("info"); err != nil {
		t.Fatal(err)
	}
	info, err := c.reply("INFO", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(info); len(f) == 0 || f[0] != wantProtocol {
		t.Errorf("the peer agreed on subprotocol %q, want %q", info, wantProtocol)
	}
}

var pingPayloads = [][]byte{{}, []byte("ping ✓"), payload(frame.OpBinary, 125, 5)}

func hexOf(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

func unhex(s string) ([]byte, error) {
	if s == "-" {
		return nil, nil
	}
	return hex.DecodeString(s)
}

func pingFromWskit(t *testing.T, c *wsConn) {
	for _, p := range pingPayloads {
		if err := c.ep.Ping(p); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-c.tap.pongs:
			if !bytes.Equal(got, p) {
				t.Errorf("ping with %d bytes %q: the pong carried %d bytes %q", len(p), p, len(got), got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("ping with %d bytes: no pong within 10s", len(p))
		}
	}
}

func pingFromPeer(t *testing.T, c *wsConn, fixed bool) {
	for _, p := range pingPayloads {
		if err := c.command("ping " + hexOf(p)); err != nil {
			t.Fatal(err)
		}
		got, err := c.reply("PONG", 10*time.Second)
		if err != nil {
			t.Fatalf("ping with %d bytes: %v", len(p), err)
		}
		if fixed {
			t.Logf("the peer pinged with its own payload; its pong carried %s", got)
			if got == "-" {
				t.Error("the peer's pong came back empty")
			}
			return
		}
		if got != hexOf(p) {
			t.Errorf("ping with %s: the peer saw a pong with %s", hexOf(p), got)
		}
	}
}

func closeByWskit(t *testing.T, c *wsConn, ev *events, name string, code frame.CloseCode, reason string) {
	if err := c.ep.Close(code, reason); err != nil {
		t.Errorf("wskit's Close(%d, %q): %v (the closing handshake did not complete)", code, reason, err)
	}
	// As RFC 6455 §7.1.1 has it, the TCP connection ends after the closing
	// handshake; some peers report the close only then.
	c.shutdown()
	line, err := ev.wait(name, "CLOSED", 10*time.Second)
	if err != nil {
		t.Fatalf("the peer: %v", err)
	}
	f := strings.Fields(line)
	if len(f) != 2 {
		t.Fatalf("the peer reported %q", line)
	}
	gotReason, _ := unhex(f[1])
	if f[0] != strconv.Itoa(int(code)) || string(gotReason) != reason {
		t.Errorf("the peer saw close %s %q, want %d %q", f[0], gotReason, code, reason)
	}
}

func closeByPeer(t *testing.T, c *wsConn, code frame.CloseCode, reason string) {
	if err := c.command(fmt.Sprintf("close %d %s", code, hexOf([]byte(reason)))); err != nil {
		t.Fatal(err)
	}
	err := c.end(10 * time.Second)
	gotCode, gotReason, ok := closeErr(err)
	if !ok {
		t.Fatalf("wskit's connection ended with %v, want the peer's close", err)
	}
	if gotCode != code || gotReason != reason {
		t.Errorf("wskit saw close %d %q, want %d %q", gotCode, gotReason, code, reason)
	}
}

// events collects the agents' event lines by connection name.
type events struct {
	mu sync.Mutex
	ch map[string]chan string
}

func newEvents() *events { return &events{ch: map[string]chan string{}} }

func (e *events) get(name string) chan string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ch, ok := e.ch[name]
	if !ok {
		ch = make(chan string, 64)
		e.ch[name] = ch
	}
	return ch
}

// emit records "KIND args" for the connection name.
func (e *events) emit(name, line string) {
	select {
	case e.get(name) <- line:
	default:
	}
}

// line takes a line "EV name KIND args" from a script.
func (e *events) line(s string) {
	f := strings.SplitN(s, " ", 3)
	if len(f) == 3 && f[0] == "EV" {
		e.emit(f[1], f[2])
	}
}

// wait returns the arguments of the next event of kind for name.
func (e *events) wait(name, kind string, d time.Duration) (string, error) {
	ch := e.get(name)
	deadline := time.After(d)
	var seen []string
	for {
		select {
		case l := <-ch:
			if k, rest, _ := strings.Cut(l, " "); k == kind {
				return rest, nil
			}
			seen = append(seen, l)
		case <-deadline:
			return "", fmt.Errorf("no %s event within %v (saw %q)", kind, d, seen)
		}
	}
}

// goModuleVersion is the version of a module the test binary was built
// with: from the build information, or else from interop/go.mod.
func goModuleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				if d.Replace != nil {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join("..", "go.mod")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
			if len(f) >= 2 && f[0] == path {
				return f[1]
			}
		}
	}
	return "unknown"
}

// writeMatrix writes the markdown matrix of this run.
func writeMatrix(path string, passed bool) error {
	results.Lock()
	defer results.Unlock()
	var names []string
	for _, p := range allPeers {
		if results.ran[p.name()] {
			names = append(names, p.name())
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("no peer ran")
	}
	var b strings.Builder
	b.WriteString("# Interoperability matrix\n\n")
	b.WriteString("<!-- Generated by `go test ./peers -args -matrix ../docs/interop.md` in interop/; do not edit. -->\n\n")
	fmt.Fprintf(&b, "wskit against other WebSocket implementations, each as a client of a wskit server and as a server for a wskit client, on 127.0.0.1. Written by a run of the interop/peers tests (%s, %s/%s)", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if !passed {
		b.WriteString(" **that failed**")
	}
	b.WriteString("; see interop/peers/doc.go for how the checks work.\n\n")
	b.WriteString("## Peers\n\n| peer | version |\n| --- | --- |\n")
	for _, n := range names {
		fmt.Fprintf(&b, "| %s | %s |\n", n, results.versions[n])
	}
	for _, dir := range directions {
		fmt.Fprintf(&b, "\n## %s\n\n| check |", dir)
		for _, n := range names {
			fmt.Fprintf(&b, " %s |", n)
		}
		b.WriteString("\n| --- |")
		for range names {
			b.WriteString(" --- |")
		}
		b.WriteString("\n")
		for _, check := range checks {
			fmt.Fprintf(&b, "| %s |", check)
			for _, n := range names {
				v := results.cell[n+"|"+dir+"|"+check]
				if v == "" {
					v = "not run"
				}
				fmt.Fprintf(&b, " %s |", v)
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\n## What the checks do\n\n")
	b.WriteString(checkDescriptions)
	var notes []string
	for k, v := range results.notes {
		notes = append(notes, fmt.Sprintf("- %s: %s", strings.TrimSuffix(k, "|deflate"), v))
	}
	sort.Strings(notes)
	for _, p := range allPeers {
		if n := peerNote(p); n != "" && results.ran[p.name()] {
			notes = append(notes, fmt.Sprintf("- %s: %s", p.name(), n))
		}
	}
	notes = append([]string{wskitNote}, notes...)
	if len(notes) > 0 {
		b.WriteString("\n## Notes\n\n" + strings.Join(notes, "\n") + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// peerNote is what the matrix says about a peer beyond its cells.
func peerNote(p peer) string {
	if n, ok := p.(interface{ note() string }); ok {
		return n.note()
	}
	return ""
}

const wskitNote = "- wskit: the server is handshake/server's Config.Upgrade with an endpoint.Endpoint on the hijacked connection, the client handshake/client's NewRequest, ReadResponse and Verify with an Endpoint given the bytes read past the response (parser.Leftover), as in demo/echo and demo/client; both offer or accept pmce.New(pmce.Config{}) in the deflate checks. The Endpoints run with MaxMessage 64 MiB, FrameSize 1000 (for NextWriter) and the default MaxFragments (131,072; gorilla/websocket sends a compressed 16 MiB message in about 4,100 frames of 4 KiB). A tap parses a copy of what each Endpoint reads, to see pong payloads, fragment counts and RSV1."

const checkDescriptions = `Every peer runs an agent that echoes each message and obeys commands sent as text messages (interop/peers/doc.go). "pass" means every assertion of the check held in this run; "n/a" that the peer does not implement the feature.

- **subprotocol**: the client offers v1.interop and v2.interop, the server speaks v2.interop and v3.interop; both sides report v2.interop.
- **text/binary N**: wskit sends one message of N bytes (text: UTF-8 with 2-, 3- and 4-byte characters; binary: pseudo-random bytes), the peer echoes it, wskit compares every byte.
- **fragmented by wskit**: a 300 KiB text and a 300 KiB binary message sent with wskit's NextWriter in 1000-byte frames (cutting UTF-8 characters), echoed intact.
- **fragmented by peer**: the peer echoes a 300 KiB text and binary message with its streaming writer, 4096 bytes (Python: characters) at a time; wskit checks the bytes and that the message arrived in more than one frame.
- **ping from wskit**: wskit pings with 0, 8 and 125 bytes of payload; the peer's pong, as read off the wire, carries the same bytes.
- **ping from peer**: the peer pings with the same payloads; the pong wskit sends back carries them.
- **close … by wskit**: wskit's Close(code, reason) completes the closing handshake (the peer answers), and the peer reports the code and reason wskit sent.
- **close … by peer**: the peer closes; wskit's NextMessage returns a *CloseError with the peer's code and reason.
- **deflate: negotiated**: both sides offer or accept permessage-deflate (wskit's pmce with its defaults) and both report it agreed.
- **deflate: messages**: the text and binary messages of 0 B to 16 MiB, echoed intact, with at least one echo compressed by the peer (RSV1 seen on the wire).
- **deflate: fragmented by peer**: the peer's streamed echo of 300 KiB text and binary, under permessage-deflate.
- **deflate: close**: wskit closes the compressed connection with 4000 and a reason, as above.
`
