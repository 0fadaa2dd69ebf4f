// Command chat is wskit's chat demo: a WebSocket chat server with rooms and
// a browser page, built as README.md builds a server on net/http
// (handshake/server's Upgrade, one goroutine reading each connection with
// NextMessage), with the rooms as topics of a topics.Hub.
//
// It is a module of its own (github.com/wskit/wskit/demo/chat), so that
// NATS, which carries its rooms across machines, stays out of wskit's
// go.mod. It runs as a node: alone by default, with an embedded NATS
// server (in the process, no port opened) and JetStream keeping each room's
// history in memory; or one of several nodes (see docs/cluster.md):
//
//	cd demo/chat && go run .                            # http://127.0.0.1:8080/?room=lobby
//	go -C demo/chat run . -addr 127.0.0.1:9000 -max-backpressure 262144
//
// # The page
//
// / serves the page. It joins the room named by ?room= (lobby without
// one): /?room=lobby, /?room=team-2, at /chat/{room}?since=S, S the seq of
// the last message it showed (0 at first: the room's history). It shows
// the room, its messages and whether it is connected, and sends what is
// typed as "NAME: TEXT". After a drop (1012 when a node loses NATS) it
// reconnects at once with since, so that it shows every message once;
// then, while that fails, waiting longer each time up to 10 seconds.
//
// # The wire
//
// A WebSocket opened at /chat/{room} joins that room. A room name is one or
// more ASCII letters, digits, '-' and '_'; any other name is refused with
// 400 Bad Request before the handshake. Every text message a connection
// sends is delivered, as a text message with the same payload, to every
// connection in the room, the sender's included, in the order the server
// received them: every connection of a room sees the room's messages in
// the same order. permessage-deflate (RFC 7692) is accepted with pmce's
// defaults; a message is compressed once for all the connections that
// agreed the same parameters.
//
// /chat/{room}?since=S gets the same messages as JSON text messages
// {"seq":N,"text":"..."}: first the room's retained ones with N > S, then
// the live ones, with no gap and no duplicate (resume.go); a since that is
// not a decimal number gets 400.
//
// A connection ends with 1003 for a binary message, 1009 for a message
// over -max-message, 1007 for text that is not UTF-8, 1012 when the node
// loses NATS (joins then get 503 until it is back), and 1001 when the
// server shuts down (SIGINT or SIGTERM). With -nats naming a server that
// cannot be reached, the command stops at once with an error naming it.
//
// # A connection that stops reading
//
// Each connection's messages wait in its own bounded send queue
// (endpoint.MaxBackpressure); publishing never waits for a connection. A
// connection whose queue would pass -max-backpressure bytes is dropped
// (endpoint.CloseOnBackpressureLimit: close 1008 if it can still be
// written, then the TCP connection is reset, since its peer reads nothing)
// and the others in its room notice nothing. The kernel's socket buffers
// come before the queue: -write-buffer fixes each connection's SO_SNDBUF,
// which Linux otherwise grows up to 4 MiB.
//
// # Flags
//
//	-addr ADDR              TCP address to listen on (default 127.0.0.1:8080)
//	-max-backpressure N     bytes a connection's send queue may hold (default 1048576, 1 MiB)
//	-max-message N          largest message a client may send, in bytes (default 65536)
//	-write-buffer N         each connection's SO_SNDBUF in bytes (default 0: the OS's autotuning)
//	-nats URL[,URL]         use an outside NATS server or cluster instead of embedding one
//	-nats-listen ADDR       the embedded NATS server also accepts NATS clients on ADDR
//	-cluster-listen ADDR    the embedded NATS server accepts cluster routes on ADDR
//	-routes URL[,URL...]    the other nodes' route addresses (with -cluster-listen)
//	-data DIR               keep JetStream's storage in DIR (default: memory)
//	-history N              messages kept per room (default 1000)
//
// # Inside
//
// main serves a node (cluster.go): newNode(Config, ClusterConfig) starts
// or reaches NATS and wraps a Server whose Config.Broker is the NATS
// broker (natsbroker), adding /chat/{room}?since=S (resume.go).
// Server (server.go) is the http.Handler of the rooms; newServer(Config)
// makes one.
// A connection subscribes to its room before its 101 goes out (member.go),
// so that a client that has its 101 misses nothing published after it.
// Config.Broker is the topics.Broker that carries the rooms' messages,
// topics.NewLocal() (this process) by default: another broker spreads the
// rooms over several processes without changing the rest. Room "NAME" is
// topic "chat.NAME".
package main
