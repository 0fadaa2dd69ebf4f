package conformance

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
)

const agent = "wskit"

// RunClientCase plays Autobahn's fuzzing client for one case against the
// WebSocket server at addr (host:port), over a fresh TCP connection.
func RunClientCase(addr string, c *Case) *Result {
	run := &Run{c: c}
	fail := func(format string, args ...any) *Result {
		return &Result{
			ID: c.ID, Role: "server", Description: c.Desc, Expectation: c.Expect,
			Behavior: Failed, BehaviorClose: Failed,
			Reason:          "The WebSocket opening handshake was never completed: " + fmt.Sprintf(format, args...),
			ReasonClose:     "The WebSocket opening handshake was never completed!",
			RemoteCloseCode: -1, LocalCloseCode: -1,
		}
	}
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return fail("%v", err)
	}
	req, err := client.NewRequest("ws://"+addr+"/", nil)
	if err != nil {
		conn.Close()
		return fail("%v", err)
	}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	text := req.AppendText(nil)
	if c.Deflate != nil {
		// The offer goes in the raw request: the fuzzer negotiates
		// permessage-deflate itself, not through wskit's handshake.
		text = insertHeader(text, "Sec-WebSocket-Extensions", c.Deflate.offerHeader())
	}
	if _, err := conn.Write(text); err != nil {
		conn.Close()
		return fail("%v", err)
	}
	br := bufio.NewReaderSize(conn, 64<<10)
	resp, err := client.ReadResponse(br, nil, handshake.Limits{})
	if err != nil {
		conn.Close()
		return fail("reading the response: %v", err)
	}
	var agreed *pmdAgreement
	if c.Deflate != nil {
		exts := handshake.HeaderValues(resp.Header, "Sec-WebSocket-Extensions")
		if agreed, err = c.Deflate.clientAgree(exts); err != nil {
			conn.Close()
			return fail("%v", err)
		}
		// wskit's check of the rest of the response knows of no offer.
		resp.Header = resp.Header.Clone()
		resp.Header.Del("Sec-WebSocket-Extensions")
	}
	if _, err := req.Verify(resp); err != nil {
		conn.Close()
		return fail("%v", err)
	}
	conn.SetDeadline(time.Time{})
	s := newSession(false, conn, br)
	s.useDeflate(agreed)
	s.run = run
	run.p = s
	s.serve(c.Limit)
	return run.result("server")
}

// FuzzingServer plays Autobahn's fuzzing server: a client connects to
// /runCase?case=N&agent=NAME and gets case N (1-based) of Cases.
type FuzzingServer struct {
	Cases []*Case

	ln      net.Listener
	mu      sync.Mutex
	results map[int]*Result
	waiters map[int]chan *Result
	wg      sync.WaitGroup
}

// Listen starts the server on 127.0.0.1 and returns its address.
func (fs *FuzzingServer) Listen() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	fs.ln = ln
	fs.results = map[int]*Result{}
	fs.waiters = map[int]chan *Result{}
	go fs.accept()
	return ln.Addr().String(), nil
}

// Close stops the server and waits for its connections.
func (fs *FuzzingServer) Close() {
	fs.ln.Close()
	fs.wg.Wait()
}

// URL is the address a client target opens for case index i (0-based).
func (fs *FuzzingServer) URL(i int) string {
	return fmt.Sprintf("ws://%s/runCase?case=%d&agent=%s", fs.ln.Addr(), i+1, agent)
}

// Expect registers interest in case index i; the channel receives the result.
func (fs *FuzzingServer) Expect(i int) <-chan *Result {
	ch := make(chan *Result, 1)
	fs.mu.Lock()
	fs.waiters[i+1] = ch
	fs.mu.Unlock()
	return ch
}

func (fs *FuzzingServer) accept() {
	for {
		conn, err := fs.ln.Accept()
		if err != nil {
			return
		}
		fs.wg.Add(1)
		go func() {
			defer fs.wg.Done()
			fs.handle(conn)
		}()
	}
}

func (fs *FuzzingServer) handle(conn net.Conn) {
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReaderSize(conn, 64<<10)
	req, err := server.ReadRequest(br, handshake.Limits{})
	if err != nil {
		writeRefusal(conn, err)
		conn.Close()
		return
	}
	var idx int
	if req.URL.Path == "/runCase" {
		q, _ := url.ParseQuery(req.URL.RawQuery)
		idx, _ = strconv.Atoi(q.Get("case"))
	}
	if idx < 1 || idx > len(fs.Cases) {
		conn.Write([]byte("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
		conn.Close()
		return
	}
	c := fs.Cases[idx-1]
	refuse := func(err error) {
		writeRefusal(conn, err)
		conn.Close()
		fs.deliver(idx, &Result{ID: c.ID, Role: "client", Description: c.Desc, Expectation: c.Expect,
			Behavior: Failed, BehaviorClose: Failed,
			Reason: "opening handshake refused: " + err.Error(), RemoteCloseCode: -1, LocalCloseCode: -1})
	}
	res, err := (&server.Config{}).Accept(req)
	if err != nil {
		refuse(err)
		return
	}
	text := res.AppendResponse(nil)
	var agreed *pmdAgreement
	if c.Deflate != nil {
		// The fuzzer answers the offers itself; wskit's Accept above
		// was given no extension and declined them all.
		agreed, err = c.Deflate.serverAgree(handshake.HeaderValues(req.Header, "Sec-WebSocket-Extensions"))
		if err != nil {
			refuse(fmt.Errorf("Sec-WebSocket-Extensions: %v", err))
			return
		}
		if agreed != nil {
			text = insertHeader(text, "Sec-WebSocket-Extensions", agreed.header)
		}
	}
	if _, err := conn.Write(text); err != nil {
		conn.Close()
		return
	}
	conn.SetDeadline(time.Time{})
	run := &Run{c: c}
	s := newSession(true, conn, br)
	s.useDeflate(agreed)
	s.run = run
	run.p = s
	s.serve(c.Limit)
	fs.deliver(idx, run.result("client"))
}

// insertHeader adds a header field to the text of a request or response,
// before the empty line that ends it.
func insertHeader(text []byte, name, value string) []byte {
	end := len(text) - 2 // the final CRLF
	field := name + ": " + value + "\r\n"
	out := make([]byte, 0, len(text)+len(field))
	return append(append(append(out, text[:end]...), field...), text[end:]...)
}

func writeRefusal(conn net.Conn, err error) {
	if e, ok := err.(*server.Error); ok {
		e.WriteTo(conn)
		return
	}
	conn.Write([]byte("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
}

func (fs *FuzzingServer) deliver(idx int, r *Result) {
	fs.mu.Lock()
	ch := fs.waiters[idx]
	delete(fs.waiters, idx)
	fs.results[idx] = r
	fs.mu.Unlock()
	if ch != nil {
		ch <- r
	}
}

// ---- targets ----

// ServerTarget is a WebSocket echo server under test.
type ServerTarget interface {
	// StartServer starts the server and returns its host:port and a
	// function that stops it.
	StartServer(ctx context.Context) (addr string, stop func(), err error)
}

// ClientTarget is a WebSocket echo client under test.
type ClientTarget interface {
	// RunClient connects to url, echoes every message, and returns when
	// the connection is over (or ctx is done).
	RunClient(ctx context.Context, url string) error
}

// RunServerSuite runs cases against a server target, parallel at a time
// (category 9 at most two at a time, for memory), and returns the results
// in case order.
func RunServerSuite(ctx context.Context, addr string, cases []*Case, parallel int) []*Result {
	return runAll(cases, parallel, func(c *Case) *Result { return RunClientCase(addr, c) })
}

// RunClientSuite runs cases against a client target through a fuzzing
// server.
func RunClientSuite(ctx context.Context, target ClientTarget, cases []*Case, parallel int) ([]*Result, error) {
	fs := &FuzzingServer{Cases: cases}
	if _, err := fs.Listen(); err != nil {
		return nil, err
	}
	defer fs.Close()
	index := map[*Case]int{}
	for i, c := range cases {
		index[c] = i
	}
	results := runAll(cases, parallel, func(c *Case) *Result {
		i := index[c]
		ch := fs.Expect(i)
		cctx, cancel := context.WithTimeout(ctx, c.Limit+10*time.Second)
		defer cancel()
		errc := make(chan error, 1)
		go func() { errc <- target.RunClient(cctx, fs.URL(i)) }()
		select {
		case r := <-ch:
			<-errc
			return r
		case <-cctx.Done():
			return &Result{ID: c.ID, Role: "client", Description: c.Desc, Expectation: c.Expect,
				Behavior: Failed, BehaviorClose: Failed, Reason: "the client never completed the case",
				RemoteCloseCode: -1, LocalCloseCode: -1}
		case err := <-errc:
			// The client ended; the case may still be grading.
			select {
			case r := <-ch:
				return r
			case <-time.After(c.Limit + 5*time.Second):
				return &Result{ID: c.ID, Role: "client", Description: c.Desc, Expectation: c.Expect,
					Behavior: Failed, BehaviorClose: Failed,
					Reason:          fmt.Sprintf("the client exited (%v) without running the case", err),
					RemoteCloseCode: -1, LocalCloseCode: -1}
			}
		}
	})
	return results, nil
}

func runAll(cases []*Case, parallel int, one func(*Case) *Result) []*Result {
	if parallel < 1 {
		parallel = 1
	}
	results := make([]*Result, len(cases))
	sem := make(chan struct{}, parallel)
	heavy := make(chan struct{}, 2) // category 9 holds up to 3×16 MiB each
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
