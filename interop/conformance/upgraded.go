package conformance

import (
	"bufio"
	"fmt"
	"net"
)

// The functions below play a case on a WebSocket whose opening handshake
// the caller has done by other means: an HTTP/2 or HTTP/3 stream (RFC 8441,
// RFC 9220) presented as a net.Conn.
//
// conn stands for the TCP connection of RFC 6455: its Close is how the
// fuzzer drops the connection, and its Read returning an error is how it
// sees the peer drop it. For a stream, Close should end the send direction
// (FIN) and stop reading, and a read should return io.EOF at the peer's
// FIN.
//
// The cases of categories 12 and 13 negotiate permessage-deflate with the
// fuzzer's own offers and answers, which the caller carries in its
// handshake: [UpgradedOffer] as a client, [UpgradedAnswer] as a server.

// UpgradedOffer returns the Sec-WebSocket-Extensions value the fuzzing
// client sends for c, "" if c negotiates no extension.
func UpgradedOffer(c *Case) string {
	if c.Deflate == nil {
		return ""
	}
	return c.Deflate.offerHeader()
}

// UpgradedAnswer returns the Sec-WebSocket-Extensions value the fuzzing
// server answers to the client's offers for c ("" for none), or an error
// if it must refuse the handshake.
func UpgradedAnswer(c *Case, offers []string) (string, error) {
	if c.Deflate == nil {
		return "", nil
	}
	a, err := c.Deflate.serverAgree(offers)
	if err != nil || a == nil {
		return "", err
	}
	return a.header, nil
}

// RunUpgradedAsClient plays Autobahn's fuzzing client for case c on conn, a
// WebSocket to the server under test. answer is the response's
// Sec-WebSocket-Extensions values, checked against [UpgradedOffer]. The
// result's role is "server", as in [RunClientCase].
func RunUpgradedAsClient(conn net.Conn, c *Case, answer []string) *Result {
	var agreed *pmdAgreement
	if c.Deflate != nil {
		var err error
		if agreed, err = c.Deflate.clientAgree(answer); err != nil {
			conn.Close()
			return handshakeFailed(c, "server", err)
		}
	}
	return runUpgraded(false, conn, c, agreed, "server")
}

// RunUpgradedAsServer plays Autobahn's fuzzing server for case c on conn,
// a WebSocket from the client under test. offers is the request's
// Sec-WebSocket-Extensions values, which the caller answered with
// [UpgradedAnswer]. The result's role is "client", as the
// [FuzzingServer]'s.
func RunUpgradedAsServer(conn net.Conn, c *Case, offers []string) *Result {
	var agreed *pmdAgreement
	if c.Deflate != nil {
		var err error
		if agreed, err = c.Deflate.serverAgree(offers); err != nil {
			conn.Close()
			return handshakeFailed(c, "client", err)
		}
	}
	return runUpgraded(true, conn, c, agreed, "client")
}

func runUpgraded(isServer bool, conn net.Conn, c *Case, agreed *pmdAgreement, role string) *Result {
	run := &Run{c: c}
	s := newSession(isServer, conn, bufio.NewReaderSize(conn, 64<<10))
	s.useDeflate(agreed)
	s.run = run
	run.p = s
	s.serve(c.Limit)
	return run.result(role)
}

func handshakeFailed(c *Case, role string, err error) *Result {
	return &Result{
		ID: c.ID, Role: role, Description: c.Desc, Expectation: c.Expect,
		Behavior: Failed, BehaviorClose: Failed,
		Reason:          fmt.Sprintf("The WebSocket opening handshake was never completed: %v", err),
		ReasonClose:     "The WebSocket opening handshake was never completed!",
		RemoteCloseCode: -1, LocalCloseCode: -1,
	}
}
