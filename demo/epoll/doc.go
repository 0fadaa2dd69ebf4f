// Command epoll is a WebSocket echo server built on an epoll event loop
// instead of a goroutine per connection, to show that the toolkit's layers
// work without one: the parser's push mode (parser.New(nil, ...) and Feed)
// takes whatever bytes a readable socket gave, and an endpoint.Defragmenter
// reassembles fragmented messages.
//
// A few worker goroutines (GOMAXPROCS by default) each own an epoll
// instance. The listening socket is in every one (EPOLLEXCLUSIVE); the
// worker that accepts a connection serves it from then on. Sockets are
// non-blocking, and an idle connection costs only a small struct: its file
// descriptor, a parser with no read buffer and a defragmenter with no
// message buffer. Reads go into the worker's one buffer; output that the
// socket does not take at once waits in a buffer of the connection's own,
// and the connection is not read until it has drained.
//
// The server answers pings with pongs, echoes a close with the same code,
// echoes text and binary messages (one frame or fragmented) as one frame,
// and fails the connection with the close code a violation calls for
// (1002, 1007, 1009, ...). It runs on Linux only.
//
// Usage:
//
//	go run ./demo/epoll -addr 127.0.0.1:8080
//
// With -stats it also answers each line "stats" on standard input with a
// JSON line of memory statistics, which interop/bench uses to measure the
// memory of idle connections.
package main
