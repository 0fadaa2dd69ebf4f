package h3ws_test

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/interop/conformance"
	"github.com/wskit/wskit/pmce"
)

var (
	flagCases    = flag.String("cases", "", "conformance over HTTP/3: run only the cases whose ID matches this regexp")
	flagParallel = flag.Int("parallel", 4, "conformance over HTTP/3: cases run at once")
)

// conformanceCategories are the suite's categories run over HTTP/3: all of
// them, 12 and 13 (permessage-deflate) included.
var conformanceCategories = map[string]bool{"1": true, "2": true, "3": true, "4": true, "5": true, "6": true, "7": true, "9": true, "10": true, "12": true, "13": true}

// deflate returns permessage-deflate with its defaults, as the targets of
// the suite over TCP (demo/echo, demo/client -deflate) offer and accept it.
func deflate(t *testing.T) []handshake.Extension {
	ext, err := pmce.New(pmce.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return []handshake.Extension{ext}
}

func conformanceCases(t *testing.T) []*conformance.Case {
	var re *regexp.Regexp
	if *flagCases != "" {
		re = regexp.MustCompile(*flagCases)
	}
	var out []*conformance.Case
	for _, c := range conformance.AllCases() {
		if conformanceCategories[c.Category()] && (re == nil || re.MatchString(c.ID)) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatal("no conformance case selected")
	}
	return out
}

// streamConn presents an HTTP/3 request stream as the net.Conn the suite
// plays on. Close is the fuzzer dropping "TCP": FIN on the send direction
// and no more reading, as RFC 9220 maps it.
type streamConn struct {
	str           h3ws.Stream
	local, remote net.Addr
	once          sync.Once
}

func (c *streamConn) Read(p []byte) (int, error)  { return c.str.Read(p) }
func (c *streamConn) Write(p []byte) (int, error) { return c.str.Write(p) }
func (c *streamConn) Close() error {
	c.once.Do(func() {
		c.str.Close()
		c.str.CancelRead(quic.StreamErrorCode(http3.ErrCodeNoError))
	})
	return nil
}
func (c *streamConn) LocalAddr() net.Addr                { return c.local }
func (c *streamConn) RemoteAddr() net.Addr               { return c.remote }
func (c *streamConn) SetReadDeadline(t time.Time) error  { return c.str.SetReadDeadline(t) }
func (c *streamConn) SetWriteDeadline(t time.Time) error { return c.str.SetWriteDeadline(t) }
func (c *streamConn) SetDeadline(t time.Time) error {
	c.str.SetReadDeadline(t)
	return c.str.SetWriteDeadline(t)
}

// runParallel runs one case at a time per slot, category 9 at most two at
// once (it holds up to 3×16 MiB per case).
func runParallel(cases []*conformance.Case, one func(*conformance.Case) *conformance.Result) []*conformance.Result {
	results := make([]*conformance.Result, len(cases))
	sem := make(chan struct{}, max(*flagParallel, 1))
	heavy := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, c := range cases {
		sem <- struct{}{}
		isHeavy := c.Category() == "9"
		if isHeavy {
			heavy <- struct{}{}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if isHeavy {
				defer func() { <-heavy }()
			}
			results[i] = one(c)
		}()
	}
	wg.Wait()
	return results
}

// checkConformance fails the test for every FAILED case.
func checkConformance(t *testing.T, role string, results []*conformance.Result) {
	t.Helper()
	for _, line := range conformance.Summary(role, results) {
		t.Log(line)
	}
	failed := 0
	for _, r := range results {
		if r.Failed() {
			failed++
			t.Errorf("FAILED %s", conformance.Describe(r))
		}
	}
	t.Logf("%s role over HTTP/3: %d cases, %d FAILED", role, len(results), failed)
}

// TestConformanceServerRole plays the suite's fuzzing client against the
// wskit server over HTTP/3: each case on a new request stream of one QUIC
// connection, opened by an Extended CONNECT from quic-go's client.
func TestConformanceServerRole(t *testing.T) {
	if testing.Short() {
		t.Skip("the conformance suite over HTTP/3 takes a minute; -short skips it")
	}
	srv := startServer(t, echoHandler(&server.Config{Extensions: deflate(t)}, nil))
	qc, cc := srv.dial(t)
	cases := conformanceCases(t)
	results := runParallel(cases, func(c *conformance.Case) *conformance.Result {
		h := http.Header{}
		if offer := conformance.UpgradedOffer(c); offer != "" {
			h.Set("Sec-WebSocket-Extensions", offer)
		}
		str, err := cc.OpenRequestStream(context.Background())
		if err == nil {
			err = str.SendRequestHeader(rawConnect(srv.addr, "/", h))
		}
		var resp *http.Response
		if err == nil {
			resp, err = str.ReadResponse()
		}
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %s", resp.Status)
		}
		if err != nil {
			return &conformance.Result{ID: c.ID, Role: "server", Behavior: conformance.Failed, BehaviorClose: conformance.Failed,
				Reason: "opening handshake over HTTP/3: " + err.Error(), RemoteCloseCode: -1, LocalCloseCode: -1}
		}
		return conformance.RunUpgradedAsClient(&streamConn{str: str, local: qc.LocalAddr(), remote: qc.RemoteAddr()}, c,
			resp.Header.Values("Sec-Websocket-Extensions"))
	})
	checkConformance(t, "server", results)
}

// TestConformanceClientRole plays the suite's fuzzing server, on quic-go's
// HTTP/3 server, against the wskit client (DialConn and an echo loop),
// each case on a new request stream of one QUIC connection.
func TestConformanceClientRole(t *testing.T) {
	if testing.Short() {
		t.Skip("the conformance suite over HTTP/3 takes a minute; -short skips it")
	}
	cases := conformanceCases(t)
	var mu sync.Mutex
	delivered := map[int]chan *conformance.Result{}
	resultOf := func(i int) chan *conformance.Result {
		mu.Lock()
		defer mu.Unlock()
		if delivered[i] == nil {
			delivered[i] = make(chan *conformance.Result, 1)
		}
		return delivered[i]
	}
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(r.URL.Query().Get("case"))
		if err != nil || i < 0 || i >= len(cases) {
			http.NotFound(w, r)
			return
		}
		c := cases[i]
		offers := r.Header.Values("Sec-Websocket-Extensions")
		answer, err := conformance.UpgradedAnswer(c, offers)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			resultOf(i) <- &conformance.Result{ID: c.ID, Role: "client", Behavior: conformance.Failed, BehaviorClose: conformance.Failed,
				Reason: "opening handshake refused: " + err.Error(), RemoteCloseCode: -1, LocalCloseCode: -1}
			return
		}
		// The fuzzer answers the offers itself; Accept, given no
		// extension, declines them all.
		res, err := (&server.Config{}).Accept(r)
		if err != nil {
			err.(*server.Error).ServeHTTP(w, r)
			resultOf(i) <- &conformance.Result{ID: c.ID, Role: "client", Behavior: conformance.Failed, BehaviorClose: conformance.Failed,
				Reason: "opening handshake refused: " + err.Error(), RemoteCloseCode: -1, LocalCloseCode: -1}
			return
		}
		for k, vv := range res.Header() {
			w.Header()[k] = vv
		}
		if answer != "" {
			w.Header().Set("Sec-WebSocket-Extensions", answer)
		}
		w.WriteHeader(res.StatusCode())
		str, err := w.(http3.HTTPStreamer).HTTPStream()
		if err != nil {
			t.Error(err)
			return
		}
		local, _ := net.ResolveUDPAddr("udp", srv0addr(r))
		resultOf(i) <- conformance.RunUpgradedAsServer(&streamConn{str: str, local: local, remote: local}, c, offers)
	}))
	_, cc := srv.dial(t)
	index := map[*conformance.Case]int{}
	for i, c := range cases {
		index[c] = i
	}
	results := runParallel(cases, func(c *conformance.Case) *conformance.Result {
		i := index[c]
		ctx, cancel := context.WithTimeout(context.Background(), c.Limit+10*time.Second)
		defer cancel()
		go echoClient(ctx, cc, "wss://"+srv.addr+"/runCase?"+url.Values{"case": {strconv.Itoa(i)}}.Encode(), deflate(t))
		select {
		case r := <-resultOf(i):
			return r
		case <-ctx.Done():
			return &conformance.Result{ID: c.ID, Role: "client", Behavior: conformance.Failed, BehaviorClose: conformance.Failed,
				Reason: "the client never completed the case", RemoteCloseCode: -1, LocalCloseCode: -1}
		}
	})
	checkConformance(t, "client", results)
}

// srv0addr is the address the request came to, for the net.Conn's
// LocalAddr; the suite only prints it.
func srv0addr(r *http.Request) string { return r.Host }

// echoClient is the client under test: wskit's RFC 9220 client echoing
// every message until the connection ends, as demo/client -echo does.
func echoClient(ctx context.Context, cc *http3.ClientConn, url string, exts []handshake.Extension) {
	c, err := h3ws.DialConn(ctx, cc, url, &client.Config{Extensions: exts}, endpoint.MaxMessage(64<<20))
	if err != nil {
		return
	}
	stop := context.AfterFunc(ctx, c.Abort)
	defer stop()
	for {
		m, err := c.NextMessage()
		if err != nil {
			return
		}
		if err := c.WriteMessage(m.Type, m.Data); err != nil {
			c.Abort()
			return
		}
	}
}
