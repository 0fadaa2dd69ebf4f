// Package conformance is a Go re-creation of the Autobahn|Testsuite
// fuzzing client and fuzzing server for categories 1 (framing), 2
// (ping/pong), 3 (reserved bits), 4 (opcodes), 5 (fragmentation), 6 (UTF-8),
// 7 (close handling), 9 (limits and performance), 10 (auto-fragmentation),
// and 12 and 13 (permessage-deflate, RFC 7692, with different payloads and
// with different parameters).
//
// The suite plays the fuzzer itself: it performs the opening handshake in raw
// bytes, writes every frame byte by byte (broken ones included), reads the
// peer's frames with its own tolerant reader, and grades each case the way
// Autobahn does. A case's outcome has two parts, as in Autobahn's reports:
//
//   - Behavior: OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED or FAILED, from
//     comparing the events observed (messages, pongs, timeouts) with each of
//     the case's expected event lists.
//   - BehaviorClose: OK, FAILED, UNCLEAN, WRONG CODE, FAILED BY CLIENT or
//     INFORMATIONAL, from the closing handshake: who closed first
//     (closedByMe), whether it was clean (requireClean) and the peer's close
//     code (one of the allowed codes, or none at all: a dropped TCP
//     connection is accepted wherever Autobahn accepts it).
//
// The protocol engine follows Autobahn's WebSocketProtocol with the option
// failByDrop=false that Autobahn's sample configurations use: a violation by
// the peer is answered with a close frame, killAfter starts a closing
// handshake with 1001, a closing handshake we start times out after one
// second, and as a client we give the server one second to drop the TCP
// connection after the closing handshake.
//
// # Compression
//
// For categories 12 and 13 the fuzzer has its own permessage-deflate,
// independent of wskit's handshake and pmce packages: it writes its
// offers into the raw request and checks the response against them
// (pmdnegotiate.go), or, as a server, parses the client's offers and
// answers them with the case's acceptances; it compresses with
// compress/flate, sets RSV1 on a compressed message's first frame, removes
// and appends the 0x00 0x00 0xff 0xff tail, keeps or drops the context as
// agreed and keeps to the window the peer allows (pmdcodec.go); and it
// walks the peer's DEFLATE streams to check that no distance exceeds the
// window the peer agreed to (deflatescan.go). The cases are Autobahn's,
// with three departures the report states: generated payloads of the same
// kinds and sizes as Autobahn's files, at most about 1 MiB of messages a
// case instead of 1,000 messages of every size, and offers without
// Autobahn's client_no_context_takeover hint (see PMDOffer). A target that
// does not agree to the extension gets UNIMPLEMENTED, as in Autobahn.
//
// Targets are pluggable (ServerTarget, ClientTarget): the demo binaries
// demo/echo -deflate and demo/client -deflate (the tests keep a list of
// server targets, to which another demo server adds one entry), or
// anything else that echoes.
//
// Running it, from the interop directory:
//
//	go test ./conformance/...                       # both roles, every case; fails on any failing case
//	go test ./conformance -v -args -cases '^6\.4\.' # some cases, with their outcomes
//	go test ./conformance -args -target ref          # force the in-process reference targets
//	go run ./conformance/cmd/report                  # writes ../docs/conformance.md
//
// The tests build demo/echo and demo/client from the main module when both
// exist in the checkout, and use the in-process reference targets of
// reftarget_test.go otherwise (-target demo or ref forces a choice).
package conformance
