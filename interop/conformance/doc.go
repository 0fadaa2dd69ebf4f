// Package conformance is a Go re-creation of the Autobahn|Testsuite
// fuzzing client and fuzzing server for categories 1 (framing), 2
// (ping/pong), 3 (reserved bits), 4 (opcodes), 5 (fragmentation), 6 (UTF-8),
// 7 (close handling), 9 (limits and performance) and 10 (auto-fragmentation).
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
// Targets are pluggable (ServerTarget, ClientTarget): the demo binaries
// demo/echo and demo/client, or anything else that echoes.
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
