// Package peers is the interoperability matrix of wskit: it runs wskit
// against other WebSocket implementations, each as a client of a wskit
// server and as a server for a wskit client, and checks that messages,
// fragments, pings, closes, subprotocols and permessage-deflate work across
// them. Its tests are the whole package.
//
// The peers are the Go modules github.com/gorilla/websocket,
// github.com/gobwas/ws (with wsutil and wsflate), github.com/coder/websocket
// and github.com/lxzan/gws (modules of interop/go.mod, never of the main
// module), Node's ws package (node/, installed by setup.sh with npm ci) and
// Python's websockets as Debian packages it (python/, installed by setup.sh
// with apt-get, run with /usr/bin/python3).
//
// The wskit side is built from the toolkit's public packages as demo/echo
// and demo/client build theirs: handshake/server's Config.Upgrade and an
// endpoint.Endpoint on the hijacked connection; handshake/client's
// NewRequest, ReadResponse and Verify, then an Endpoint given the bytes read
// past the response with parser.Leftover.
//
// # The agent protocol
//
// Every peer runs the same small agent, in Go (in-process) or as a script
// (a subprocess on 127.0.0.1): it echoes every text and binary message with
// the same type, and obeys text messages that begin with "CMD ":
//
//	CMD info                    answers "INFO <subprotocol|-> <1|0|?>" (permessage-deflate agreed)
//	CMD ping <hex|->            sends a ping with that payload, answers "PONG <hex|->" with the pong's
//	CMD close <code> <hex|->    starts the closing handshake with that code and reason
//	CMD frag <n>                echoes the next message with its streaming writer, n bytes at a time
//
// A connection is named by its request path; the agent reports events
// about it as lines "EV <name> OPEN <subprotocol> <extensions>",
// "EV <name> CLOSED <code> <hex reason>" (what the other side's close frame
// said) and "EV <name> ERROR <text>", on its standard output for the
// scripts. The scripts also print "VERSION ..." and, as servers,
// "LISTEN <port>".
//
// # Running
//
// From the interop directory, after peers/setup.sh:
//
//	go test ./peers                                  # every peer, both directions
//	go test ./peers -v -args -peers 'gorilla|node'   # some peers
//	go test ./peers -args -matrix ../docs/interop.md # and write the matrix
//
// With CI=true a peer that cannot run (Node or websockets not installed)
// fails the test; otherwise it is skipped with the reason.
package peers
