package conformance

import (
	"bufio"
	"net"
)

// RunUpgradedAsClient plays Autobahn's fuzzing client for case c on conn, a
// WebSocket to the server under test whose opening handshake the caller
// has already done by other means: an HTTP/2 or HTTP/3 stream (RFC 8441,
// RFC 9220) presented as a net.Conn. The result's role is "server", as in
// [RunClientCase].
//
// conn stands for the TCP connection of RFC 6455: its Close is how the
// fuzzer drops the connection, and its Read returning an error is how it
// sees the peer drop it. For a stream, Close should end the send direction
// (FIN) and stop reading, and a read should return io.EOF at the peer's
// FIN. Cases that negotiate an extension are not supported on this path.
func RunUpgradedAsClient(conn net.Conn, c *Case) *Result {
	return runUpgraded(false, conn, c, "server")
}

// RunUpgradedAsServer plays Autobahn's fuzzing server for case c on conn,
// a WebSocket from the client under test whose opening handshake the
// caller has already answered (see [RunUpgradedAsClient] for what conn
// must do). The result's role is "client", as the [FuzzingServer]'s.
func RunUpgradedAsServer(conn net.Conn, c *Case) *Result {
	return runUpgraded(true, conn, c, "client")
}

func runUpgraded(isServer bool, conn net.Conn, c *Case, role string) *Result {
	run := &Run{c: c}
	s := newSession(isServer, conn, bufio.NewReaderSize(conn, 64<<10))
	s.run = run
	run.p = s
	s.serve(c.Limit)
	return run.result(role)
}
