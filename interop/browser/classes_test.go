package browser

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	hsserver "github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

// pmceClasses are the memory classes of interop/conformance's
// TestPmceClasses (TestPeersClasses runs most of them too), each compressing
// every message (Threshold -1) so that every echo is compressed.
var pmceClasses = []struct {
	cfg pmce.Config
	// the server's context takeover with Chromium's offer
	// (permessage-deflate; client_max_window_bits)
	sending, receiving bool
	// parameters the response must carry
	wantParams []string
}{
	{pmce.Config{Threshold: -1}, true, true, nil},
	{pmce.Config{Send: pmce.Shared, Threshold: -1}, false, true, []string{"server_no_context_takeover"}},
	{pmce.Config{Send: pmce.Dedicated(15), Threshold: -1}, true, true, nil},
	{pmce.Config{Send: pmce.Leased(10), Receive: pmce.Dedicated(12), LeaseIdle: time.Millisecond, Threshold: -1}, true, true,
		[]string{"server_max_window_bits=10", "client_max_window_bits=12"}},
	{pmce.Config{Send: pmce.SlidingWindow(12), Receive: pmce.Shared, Threshold: -1}, true, false,
		[]string{"client_no_context_takeover"}},
	{pmce.Config{Send: pmce.SlidingWindow(15), Receive: pmce.Dedicated(9), Threshold: -1}, true, true,
		[]string{"client_max_window_bits=9"}},
}

// counted wraps a connection's agreed *pmce.Codec and counts the messages
// that went through it compressed, each way.
type counted struct {
	*pmce.Codec
	mu                 sync.Mutex
	in, inRsv1         int // messages received, and of those compressed
	out, outRsv1       int // messages sent, and of those compressed
	inBytes, outBytes  int // their uncompressed sizes
	inWire, outWire    int // their payloads as sent
	takeoverS, takeovR bool
}

func (c *counted) DecodeMessage(dst, src []byte, rsv byte, limit int) ([]byte, error) {
	start := len(dst)
	out, err := c.Codec.DecodeMessage(dst, src, rsv, limit)
	c.mu.Lock()
	c.in++
	if rsv&frame.Rsv1 != 0 {
		c.inRsv1++
	}
	c.inBytes += len(out) - start
	c.inWire += len(src)
	c.mu.Unlock()
	return out, err
}

func (c *counted) EncodeMessage(dst, src []byte, op frame.Opcode) ([]byte, byte, error) {
	start := len(dst)
	out, rsv, err := c.Codec.EncodeMessage(dst, src, op)
	c.mu.Lock()
	c.out++
	if rsv&frame.Rsv1 != 0 {
		c.outRsv1++
	}
	c.outBytes += len(src)
	c.outWire += len(out) - start
	c.mu.Unlock()
	return out, rsv, err
}

// classServer serves a blank page at / and, at /ws/N, a wskit echo whose
// permessage-deflate has pmceClasses[N]'s configuration; it keeps each
// connection's counted codec.
type classServer struct {
	url   string
	cfgs  []*hsserver.Config
	mu    sync.Mutex
	codec map[int]*counted
	done  map[int]error // how each connection's echo loop ended
}

func startClassServer(t *testing.T) *classServer {
	t.Helper()
	s := &classServer{codec: map[int]*counted{}, done: map[int]error{}}
	for _, c := range pmceClasses {
		ext, err := pmce.New(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		s.cfgs = append(s.cfgs, &hsserver.Config{Extensions: []handshake.Extension{ext}})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.url = "http://" + ln.Addr().String()
	return s
}

func (s *classServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><link rel="icon" href="data:,"><title>wskit pmce classes</title>`)
		return
	}
	n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/ws/"))
	if err != nil || n < 0 || n >= len(s.cfgs) {
		http.NotFound(w, r)
		return
	}
	up, err := s.cfgs[n].Upgrade(w, r)
	if err != nil {
		return
	}
	defer up.Close()
	var c *counted
	for _, x := range up.Result.Extensions {
		if p, ok := x.(*pmce.Codec); ok {
			c = &counted{Codec: p}
			c.takeoverS, c.takeovR = p.ContextTakeover()
			defer p.Release()
		}
	}
	s.mu.Lock()
	s.codec[n] = c
	s.mu.Unlock()
	if c == nil {
		s.finish(n, fmt.Errorf("permessage-deflate not agreed"))
		return
	}
	ep := endpoint.New(frame.Server, up.Conn, up.Conn, endpoint.Extensions(c), endpoint.ParserOptions(parser.Leftover(up.Buffered)))
	for {
		m, err := ep.NextMessage()
		if err != nil {
			s.finish(n, err)
			return
		}
		if err := ep.WriteMessage(m.Type, m.Data); err != nil {
			s.finish(n, err)
			return
		}
	}
}

func (s *classServer) finish(n int, err error) {
	s.mu.Lock()
	s.done[n] = err
	s.mu.Unlock()
}

// classResult is what browser.mjs reports for one class.
type classResult struct {
	Index      int     `json:"index"`
	Extensions string  `json:"extensions"`
	Checks     []check `json:"checks"`
	Close      *struct {
		Code     int  `json:"code"`
		WasClean bool `json:"wasClean"`
	} `json:"close"`
	Error string `json:"error"`
}

// TestClasses runs Chromium against a wskit server with each memory class
// of permessage-deflate, in one browser: the browser must agree
// permessage-deflate with the parameters the server's codec uses, and
// messages compressed both ways (small, and larger than any window, text
// and binary, one repeating an earlier one) must echo intact.
func TestClasses(t *testing.T) {
	requireTools(t)
	ctx := testContext(t)
	srv := startClassServer(t)
	run := runBrowser(t, ctx, "classes", srv.url, strconv.Itoa(len(pmceClasses)))
	var res struct {
		browserInfo
		Classes []classResult `json:"classes"`
	}
	run.next(t, ctx, "result", &res)
	res.check(t)
	if err := run.wait(); err != nil {
		t.Errorf("browser.mjs: %v\n%s", err, run.stderr)
	}
	if len(res.Classes) != len(pmceClasses) {
		t.Fatalf("browser.mjs reported %d classes, want %d", len(res.Classes), len(pmceClasses))
	}
	// Each echo loop ends once its close handshake is done.
	deadline := time.Now().Add(5 * time.Second)
	for {
		srv.mu.Lock()
		n := len(srv.done)
		srv.mu.Unlock()
		if n == len(pmceClasses) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i, want := range pmceClasses {
		name := want.cfg.Send.String() + "/" + want.cfg.Receive.String()
		t.Run(name, func(t *testing.T) {
			got := res.Classes[i]
			if got.Error != "" {
				t.Fatalf("browser: %s", got.Error)
			}
			t.Logf("Chromium agreed %q", got.Extensions)
			for _, c := range got.Checks {
				t.Logf("%-20s %5d ms  %s", c.Name, c.MS, c.summary())
				if !c.OK {
					t.Errorf("%s: %s", c.Name, cmpOr(c.Error, "echo differs"))
				}
			}
			if len(got.Checks) == 0 {
				t.Errorf("no checks ran")
			}
			if got.Close == nil || got.Close.Code != 1000 || !got.Close.WasClean {
				t.Errorf("close event %+v, want 1000, clean", got.Close)
			}
			srv.mu.Lock()
			c, end := srv.codec[i], srv.done[i]
			srv.mu.Unlock()
			if c == nil {
				t.Fatalf("the server agreed no permessage-deflate (its loop ended with %v)", end)
			}
			if code := frame.CloseCodeOf(end); code != frame.CloseNormal {
				t.Errorf("server's echo loop ended with %v (close code %d), want 1000", end, code)
			}
			// What Chromium saw is what the server's codec uses.
			seen := browserParams(t, got.Extensions)
			if diff := cmp.Diff(c.Params(), seen); diff != "" {
				t.Errorf("the browser's ws.extensions %q against the server codec's parameters (-server +browser):\n%s", got.Extensions, diff)
			}
			for _, p := range want.wantParams {
				if !hasParam(got.Extensions, p) {
					t.Errorf("ws.extensions %q lacks %s", got.Extensions, p)
				}
			}
			if c.takeoverS != want.sending || c.takeovR != want.receiving {
				t.Errorf("server's context takeover: sending %v, receiving %v; want %v, %v", c.takeoverS, c.takeovR, want.sending, want.receiving)
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			t.Logf("server received %d messages (%d compressed, %d B → %d B), sent %d (%d compressed, %d B → %d B)",
				c.in, c.inRsv1, c.inWire, c.inBytes, c.out, c.outRsv1, c.outBytes, c.outWire)
			if c.in != len(got.Checks) || c.inRsv1 != c.in || c.out != c.in || c.outRsv1 != c.out {
				t.Errorf("server received %d messages, %d compressed, and sent %d, %d compressed; want %d each",
					c.in, c.inRsv1, c.out, c.outRsv1, len(got.Checks))
			}
		})
	}
}

// browserParams reads the extension header Chromium reports through a
// client that makes Chromium's offer (permessage-deflate;
// client_max_window_bits, context takeover both ways).
func browserParams(t *testing.T, header string) pmce.Params {
	t.Helper()
	list, err := handshake.ParseExtensions([]string{header})
	if err != nil || len(list) != 1 || list[0].Name != pmce.Name {
		t.Fatalf("ws.extensions %q: want one permessage-deflate (%v)", header, err)
	}
	client, err := pmce.New(pmce.Config{Send: pmce.Dedicated(15), ClientMaxWindowBits: 15})
	if err != nil {
		t.Fatal(err)
	}
	n, err := client.Accept(list[0].Params)
	if err != nil {
		t.Fatalf("ws.extensions %q: %v", header, err)
	}
	return n.(*pmce.Codec).Params()
}

// hasParam reports whether the extension header has the parameter p
// (name or name=value).
func hasParam(header, p string) bool {
	for _, f := range strings.Split(header, ";") {
		if strings.TrimSpace(f) == p {
			return true
		}
	}
	return false
}
