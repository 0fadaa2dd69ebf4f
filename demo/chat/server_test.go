package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/pmce"
)

// rawRequest sends a GET for target (written as it is: escapes and all)
// with or without the upgrade fields, and returns the response's status
// and body.
func rawRequest(t *testing.T, addr, target string, upgrade bool) (int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET " + target + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if upgrade {
		req += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return resp.StatusCode, ""
	}
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestRoomNames(t *testing.T) {
	onEachServer(t, Config{}, testRoomNames)
}

func testRoomNames(t *testing.T, addr string) {
	for _, tt := range []struct {
		target  string
		upgrade bool
		want    int
	}{
		{"/chat/lobby", true, http.StatusSwitchingProtocols},
		{"/chat/Room-1_b", true, http.StatusSwitchingProtocols},
		{"/chat/" + strings.Repeat("x", 200), true, http.StatusSwitchingProtocols},
		{"/chat/lobby?since=0", true, http.StatusSwitchingProtocols}, // the query is not the room's
		{"/chat/", true, http.StatusBadRequest},
		{"/chat/a.b", true, http.StatusBadRequest},
		{"/chat/a*", true, http.StatusBadRequest},
		{"/chat/a>", true, http.StatusBadRequest},
		{"/chat/a/b", true, http.StatusBadRequest},
		{"/chat/a%2Fb", true, http.StatusBadRequest},
		{"/chat/a%20b", true, http.StatusBadRequest},
		{"/chat/a+b", true, http.StatusBadRequest},
		{"/chat/caf%C3%A9", true, http.StatusBadRequest},
		{"/chat/a%00", true, http.StatusBadRequest},
		{"/chat/..", true, http.StatusBadRequest},
		{"/chat/lobby", false, http.StatusBadRequest}, // a room is a WebSocket: the handshake's 400
		{"/chat/a.b", false, http.StatusBadRequest},   // the name is checked first
		{"/", false, http.StatusOK},
		{"/?room=lobby", false, http.StatusOK},
		{"/other", false, http.StatusNotFound},
		{"/chatroom", true, http.StatusNotFound},
	} {
		t.Run(fmt.Sprintf("%s upgrade=%v", tt.target, tt.upgrade), func(t *testing.T) {
			got, body := rawRequest(t, addr, tt.target, tt.upgrade)
			if got != tt.want {
				t.Errorf("status %d, want %d; body %q", got, tt.want, body)
			}
			if got == http.StatusBadRequest && tt.target != "/chat/lobby" && !strings.Contains(body, "room name") {
				t.Errorf("400 body %q does not say what a room name is", body)
			}
		})
	}
}

func TestPage(t *testing.T) {
	s := startServer(t, Config{}, nil)
	resp, err := http.Get("http://" + s.addr + "/?room=lobby")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	got := []string{resp.Status, resp.Header.Get("Content-Type")}
	want := []string{"200 OK", "text/html; charset=utf-8"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET /: (-want +got)\n%s", diff)
	}
	if !strings.Contains(string(body), "<title>wskit chat</title>") || !strings.Contains(string(body), `"/chat/"`) {
		t.Errorf("GET / is not the chat page:\n%.300s", body)
	}
	resp, err = http.Post("http://"+s.addr+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %s, want 405", resp.Status)
	}
}

// TestEchoToSender: a connection alone in its room gets its own messages
// back, with and without permessage-deflate.
func TestEchoToSender(t *testing.T) {
	onEachServer(t, Config{}, testEchoToSender)
}

func testEchoToSender(t *testing.T, addr string) {
	for _, tt := range []struct {
		name    string
		deflate bool
		wantExt string
	}{
		{"plain", false, ""},
		{"permessage-deflate", true, pmce.Name},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ep, d := dial(t, addr, "echo-"+strings.ReplaceAll(tt.name, "-", ""), dialOptions{deflate: tt.deflate})
			var ext string
			if len(d.Result.Extensions) > 0 {
				ext = pmce.Name
			}
			if ext != tt.wantExt {
				t.Fatalf("agreed extensions %v, want %q", d.Result.Extensions, tt.wantExt)
			}
			sent := []string{"hello", "", "héllo wörld ✓", strings.Repeat("compressible ", 2000)}
			for _, m := range sent {
				if err := ep.WriteMessage(frame.OpText, []byte(m)); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(sent, recvN(t, ep, len(sent), 5*time.Second)); diff != "" {
				t.Errorf("echo (-sent +got):\n%s", diff)
			}
			if err := ep.Close(frame.CloseNormal, ""); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

// TestRooms: a message reaches every connection of its room and no other.
func TestRooms(t *testing.T) {
	onEachServer(t, Config{}, testRooms)
}

func testRooms(t *testing.T, addr string) {
	a, _ := dial(t, addr, "x", dialOptions{})
	b, _ := dial(t, addr, "x", dialOptions{deflate: true})
	c, _ := dial(t, addr, "y", dialOptions{})
	d, _ := dial(t, addr, "x-y", dialOptions{})
	send := func(ep *endpoint.Endpoint, m string) {
		t.Helper()
		if err := ep.WriteMessage(frame.OpText, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	send(a, "from a")
	for _, ep := range []*endpoint.Endpoint{a, b} {
		recvN(t, ep, 1, 5*time.Second)
	}
	send(b, "from b")
	send(c, "from c")
	send(d, "from d")
	eps := map[string]*endpoint.Endpoint{"a": a, "b": b, "c": c, "d": d}
	got := map[string][]string{
		"a": append([]string{"from a"}, recvN(t, a, 1, 5*time.Second)...),
		"b": append([]string{"from a"}, recvN(t, b, 1, 5*time.Second)...),
		"c": recvN(t, c, 1, 5*time.Second),
		"d": recvN(t, d, 1, 5*time.Second),
	}
	// Nothing else comes: a message of another room would be there by now.
	for k, ep := range eps {
		if m, err := recvTimeout(ep, 200*time.Millisecond); err == nil {
			got[k] = append(got[k], string(m.Data))
		}
	}
	want := map[string][]string{
		"a": {"from a", "from b"},
		"b": {"from a", "from b"},
		"c": {"from c"},
		"d": {"from d"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
}

// TestOrder: with several senders at once, every connection of the room
// receives every message, all in the same order, each sender's in the
// order it sent them.
func TestOrder(t *testing.T) {
	onEachServer(t, Config{}, testOrder)
}

func testOrder(t *testing.T, addr string) {
	const senders, each, listeners = 4, 200, 2
	var eps []*endpoint.Endpoint
	for i := range senders + listeners {
		ep, _ := dial(t, addr, "order", dialOptions{deflate: i%2 == 1})
		eps = append(eps, ep)
	}
	got := make([][]string, len(eps))
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(eps))
	for i, ep := range eps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range senders * each {
				m, err := recvTimeout(ep, 10*time.Second)
				if err != nil {
					errs <- fmt.Errorf("conn %d after %d messages: %w", i, len(got[i]), err)
					return
				}
				got[i] = append(got[i], string(m.Data))
			}
		}()
		if i < senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range each {
					if err := ep.WriteMessage(frame.OpText, fmt.Appendf(nil, "s%d-%03d", i, j)); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := 1; i < len(got); i++ {
		if diff := cmp.Diff(got[0], got[i]); diff != "" {
			t.Errorf("conn %d's order differs from conn 0's (-0 +%d):\n%s", i, i, diff)
		}
	}
	next := make([]int, senders)
	for k, m := range got[0] {
		var i, j int
		if _, err := fmt.Sscanf(m, "s%d-%d", &i, &j); err != nil || i >= senders || j != next[i] {
			t.Fatalf("message %d is %q, want s%d's next (%d)", k, m, i, next[i])
		}
		next[i]++
	}
}

// TestEndings: what ends a connection and with which close code; the
// others in the room notice nothing.
func TestEndings(t *testing.T) {
	onEachServer(t, Config{MaxMessage: 1024}, testEndings)
}

func testEndings(t *testing.T, addr string) {
	for _, tt := range []struct {
		name string
		op   frame.Opcode
		data []byte
		want frame.CloseCode
	}{
		{"binary", frame.OpBinary, []byte{1, 2, 3}, frame.CloseUnsupportedData},
		{"too big", frame.OpText, make([]byte, 1025), frame.CloseMessageTooBig},
		{"bad UTF-8", frame.OpText, []byte{0xff, 'a'}, frame.CloseInvalidPayload},
	} {
		t.Run(tt.name, func(t *testing.T) {
			room := strings.ReplaceAll(tt.name, " ", "_")
			bystander, _ := dial(t, addr, room, dialOptions{})
			ep, _ := dial(t, addr, room, dialOptions{})
			if err := ep.WriteMessage(tt.op, tt.data); err != nil {
				t.Fatal(err)
			}
			_, err := recvTimeout(ep, 5*time.Second)
			var ce *endpoint.CloseError
			if !errors.As(err, &ce) || ce.Code != tt.want {
				t.Fatalf("after sending %s: %v, want the server's close %d", tt.name, err, tt.want)
			}
			if err := bystander.WriteMessage(frame.OpText, []byte("still here")); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"still here"}, recvN(t, bystander, 1, 5*time.Second)); diff != "" {
				t.Errorf("bystander (-want +got):\n%s", diff)
			}
		})
	}
}

// TestShutdown: Close ends every connection with 1001 and refuses new
// ones with 503.
func TestShutdown(t *testing.T) {
	s := startServer(t, Config{}, nil)
	ep, _ := dial(t, s.addr, "lobby", dialOptions{})
	closed := make(chan error, 1)
	go func() { closed <- s.Close(5 * time.Second) }()
	_, err := recvTimeout(ep, 5*time.Second)
	var ce *endpoint.CloseError
	if !errors.As(err, &ce) || ce.Code != frame.CloseGoingAway {
		t.Errorf("at shutdown: %v, want the server's close 1001", err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if got, _ := rawRequest(t, s.addr, "/chat/lobby", true); got != http.StatusServiceUnavailable {
		t.Errorf("after Close, a new connection gets %d, want 503", got)
	}
}

// TestJoinedAtHandshake: a client that has its 101 is in the room, even if
// the server has yet to set its connection up: a message published then
// reaches it, first.
func TestJoinedAtHandshake(t *testing.T) {
	release := make(chan struct{})
	var held atomic.Bool
	s := startServer(t, Config{}, func(s *Server) {
		s.upgraded = func(c *conn) {
			if held.CompareAndSwap(false, true) {
				<-release // the first connection waits between its 101 and its Endpoint
			}
		}
	})
	late, _ := dial(t, s.addr, "lobby", dialOptions{})
	sender, _ := dial(t, s.addr, "lobby", dialOptions{})
	if err := sender.WriteMessage(frame.OpText, []byte("while you were joining")); err != nil {
		t.Fatal(err)
	}
	recvN(t, sender, 1, 5*time.Second) // published
	close(release)
	if err := sender.WriteMessage(frame.OpText, []byte("and after")); err != nil {
		t.Fatal(err)
	}
	want := []string{"while you were joining", "and after"}
	if diff := cmp.Diff(want, recvN(t, late, 2, 5*time.Second)); diff != "" {
		t.Errorf("the late joiner got (-want +got):\n%s", diff)
	}
}
