// Command chat-app is the new-user trial's application: a broadcast chat
// server that allows one origin, accepts permessage-deflate and drops
// clients after 30 seconds without a pong, and a Go client that sends 10
// messages. See docs/guides/chat-app.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
)

// hub broadcasts every message to every connection.
type hub struct {
	cfg   server.Config
	beat  time.Duration // a ping this often; three unanswered drop the client
	mu    sync.Mutex
	conns map[*endpoint.Endpoint]*server.Upgraded
}

func newHub(origin string, beat time.Duration) (*hub, error) {
	deflate, _ := pmce.New(pmce.Config{})
	allow, err := server.AllowOrigins(origin)
	h := &hub{beat: beat, conns: map[*endpoint.Endpoint]*server.Upgraded{}}
	h.cfg = server.Config{CheckOrigin: allow, Extensions: []handshake.Extension{deflate}}
	go h.heartbeats()
	return h, err
}

// heartbeats pings; three unanswered pings: Heartbeat sends 1008, drop it.
func (h *hub) heartbeats() {
	for range time.Tick(h.beat) {
		h.mu.Lock()
		for ep, up := range h.conns {
			if ep.Heartbeat() != nil {
				up.Close()
			}
		}
		h.mu.Unlock()
	}
}

func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	up, err := h.cfg.Upgrade(w, r) // 403 for any other origin
	if err != nil {
		return
	}
	ep, err := up.Endpoint(endpoint.MaxMessage(64<<10), endpoint.WriteTimeout(5*time.Second))
	if err != nil {
		up.Close()
		return
	}
	go h.serve(ep, up)
}

func (h *hub) serve(ep *endpoint.Endpoint, up *server.Upgraded) {
	defer up.Close()
	func() { h.mu.Lock(); defer h.mu.Unlock(); h.conns[ep] = up }()
	defer func() { h.mu.Lock(); delete(h.conns, ep); h.mu.Unlock() }()
	for m, err := ep.NextMessage(); err == nil; m, err = ep.NextMessage() {
		h.mu.Lock()
		for c := range h.conns {
			c.WriteMessage(m.Type, m.Data)
		}
		h.mu.Unlock()
	}
}

// send is the client: it sends n messages and reads each broadcast back.
func send(url string, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	deflate, _ := pmce.New(pmce.Config{})
	d, err := client.Dial(ctx, url, &client.Config{Origin: "http://chat.example", Extensions: []handshake.Extension{deflate}})
	if err != nil {
		return err
	}
	defer d.Close()
	ep := d.Endpoint()
	for i := range n {
		if err := ep.WriteMessageContext(ctx, frame.OpText, fmt.Appendf(nil, "message %d", i+1)); err != nil {
			return err
		}
		m, err := ep.NextMessageContext(ctx)
		if err != nil {
			return err
		}
		fmt.Println(string(m.Data))
	}
	return ep.Close(frame.CloseNormal, "")
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	url := flag.String("client", "", "run the client against this ws:// URL instead")
	flag.Parse()
	if *url != "" {
		if err := send(*url, 10); err != nil {
			log.Fatal(err)
		}
		return
	}
	h, err := newHub("http://chat.example", 10*time.Second)
	if err == nil {
		err = http.ListenAndServe(*addr, h)
	}
	log.Fatal(err)
}
