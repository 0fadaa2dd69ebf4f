package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wskit/wskit/demo/chat/natsbroker"
	"github.com/wskit/wskit/frame"
)

// DefaultHistory is how many messages a room keeps for resuming clients.
const DefaultHistory = 1000

// ClusterConfig says where a node's NATS is: embedded (the default, alone
// or clustered with other nodes' embedded servers) or outside (-nats).
type ClusterConfig struct {
	NATS          string   // -nats: URL(s) of an outside NATS server or cluster; "" embeds one
	NATSListen    string   // -nats-listen: the embedded server also accepts NATS clients here
	ClusterListen string   // -cluster-listen: the embedded server takes routes here
	Routes        []string // -routes: the other embedded servers' route addresses
	Data          string   // -data: JetStream's directory; "" keeps the history in memory
	History       int      // -history: messages kept per room
}

// register adds the cluster flags to fs.
func (cc *ClusterConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&cc.NATS, "nats", "", "use the NATS server or cluster at this URL (comma-separated URLs) instead of embedding one")
	fs.StringVar(&cc.NATSListen, "nats-listen", "", "the embedded NATS server also accepts NATS clients on this host:port")
	fs.StringVar(&cc.ClusterListen, "cluster-listen", "", "the embedded NATS server accepts cluster routes on this host:port")
	fs.Func("routes", "comma-separated route addresses (host:port or nats://host:port) of the other nodes' embedded NATS servers", func(v string) error {
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				cc.Routes = append(cc.Routes, r)
			}
		}
		return nil
	})
	fs.StringVar(&cc.Data, "data", "", "keep JetStream's storage (the rooms' history) in this directory; default: memory")
	fs.IntVar(&cc.History, "history", DefaultHistory, "messages kept per room for clients that resume with ?since=")
}

// check reports flags that contradict each other.
func (cc ClusterConfig) check() error {
	switch {
	case cc.History <= 0:
		return errors.New("-history must be positive")
	case cc.NATS != "" && (cc.NATSListen != "" || cc.ClusterListen != "" || len(cc.Routes) > 0 || cc.Data != ""):
		return errors.New("-nats uses an outside NATS server: -nats-listen, -cluster-listen, -routes and -data are for the embedded one")
	case len(cc.Routes) > 0 && cc.ClusterListen == "":
		return errors.New("-routes needs -cluster-listen")
	}
	return nil
}

// node is a chat Server whose rooms go through NATS: the http.Handler a
// node serves. It adds to the Server the rooms' history (/chat/{room}?since=S)
// and what happens when NATS is lost.
type node struct {
	srv    *Server
	nats   *natsbroker.Server // nil with -nats
	broker *natsbroker.Broker
	res    *resumer
	ready  atomic.Bool // srv is set: OnLost may come before
	lost   atomic.Bool // NATS is unreachable: new joins get 503
}

// newNode starts the embedded NATS server (unless cc.NATS names one),
// connects to NATS and returns the node. A NATS server that cannot be
// reached fails here, with an error that says where.
func newNode(cfg Config, cc ClusterConfig) (*node, error) {
	if err := cc.check(); err != nil {
		return nil, err
	}
	n := &node{}
	bc := natsbroker.Config{
		URL:        cc.NATS,
		Name:       "wskit-chat",
		Prefix:     "wskit", // a room's subject: wskit.chat.<room>
		History:    cc.History,
		OnLost:     n.brokerLost,
		OnRestored: n.brokerRestored,
	}
	if cc.NATS == "" {
		s, err := natsbroker.StartServer(natsbroker.ServerConfig{
			Listen:        cc.NATSListen,
			ClusterListen: cc.ClusterListen,
			Routes:        cc.Routes,
			DataDir:       cc.Data,
		})
		if err != nil {
			return nil, err
		}
		n.nats, bc.Server = s, s
		if cc.ClusterListen != "" {
			// Nodes started by hand, one after the other: the stream waits
			// for three of them.
			bc.StartTimeout = 2 * time.Minute
			if cfg.Log != nil {
				cfg.Log.Printf("wskit chat: waiting for the NATS cluster (routes %s)", strings.Join(cc.Routes, ","))
			}
		}
	}
	b, err := natsbroker.Connect(bc)
	if err != nil {
		if n.nats != nil {
			n.nats.Shutdown()
		}
		return nil, err
	}
	n.broker = b
	cfg.Broker = b
	n.srv = newServer(cfg)
	n.res = newResumer(n.srv, b)
	n.ready.Store(true)
	return n, nil
}

// ServeHTTP serves the Server's routes, and /chat/{room}?since=S itself.
func (n *node) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, roomPrefix) {
		if n.lost.Load() {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "503 Service Unavailable: this node lost its message broker; try another node", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Query().Has("since") {
			n.res.join(w, r)
			return
		}
	}
	n.srv.ServeHTTP(w, r)
}

// brokerLost closes every WebSocket with 1012 (Service Restart): this node
// can carry no message until NATS is back, other nodes may, and 1012 asks a
// client to reconnect now, which through a load balancer reaches another
// node, where it resumes with ?since= and loses nothing. 1013 (Try Again
// Later) would ask it to back off, the answer to overload rather than to a
// node cut off. New joins get 503 until NATS is back.
func (n *node) brokerLost(err error) {
	n.lost.Store(true)
	if !n.ready.Load() {
		return
	}
	n.srv.log.Printf("NATS connection lost (%v): closing every connection with 1012", err)
	n.srv.closeAll(frame.CloseServiceRestart, "node lost its message broker; reconnect")
}

func (n *node) brokerRestored() {
	n.lost.Store(false)
	if n.ready.Load() {
		n.srv.log.Printf("NATS connection restored")
	}
}

// closeAll closes every connection with code.
func (s *Server) closeAll(code frame.CloseCode, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		go c.ep.Close(code, reason)
	}
}

// Close closes the Server's connections (1001) and waits up to wait for
// them, then the rooms' subscriptions, the NATS connection and the
// embedded server.
func (n *node) Close(wait time.Duration) error {
	err := n.srv.Close(wait)
	n.res.close()
	n.broker.Close()
	if n.nats != nil {
		n.nats.Shutdown()
	}
	return err
}

// describe says, for the start-up log line, where the node's NATS is.
func (cc ClusterConfig) describe() string {
	storage := "memory"
	if cc.Data != "" {
		storage = "files in " + cc.Data
	}
	switch {
	case cc.NATS != "":
		return fmt.Sprintf("NATS at %s, %d messages per room", cc.NATS, cc.History)
	case cc.ClusterListen != "":
		return fmt.Sprintf("embedded NATS clustered on %s (routes %s), JetStream in %s, %d messages per room", cc.ClusterListen, strings.Join(cc.Routes, ","), storage, cc.History)
	}
	return fmt.Sprintf("embedded NATS, JetStream in %s, %d messages per room", storage, cc.History)
}
