// Package h3ws runs wskit's WebSocket over HTTP/3 (RFC 9220) with
// quic-go: [Accept] takes an Extended CONNECT in a quic-go http3 handler,
// [Dial] and [DialConn] send one, and both give a [Conn], an
// [endpoint.Endpoint] on the request stream.
//
// The handshake is wskit's (handshake/server.Config.Accept,
// handshake/client.Request.HTTP3Request and VerifyHTTP3); quic-go does
// QUIC, HTTP/3 framing, QPACK and SETTINGS. Its server always announces
// SETTINGS_ENABLE_CONNECT_PROTOCOL; Dial waits for the server's SETTINGS
// and refuses a server that did not announce it.
//
// # Closing on a stream
//
// RFC 9220 section 3 maps the TCP connection of RFC 6455 onto the request
// stream: the stream's FIN stands for TCP's FIN, and a stream reset with
// H3_REQUEST_CANCELLED for TCP's RST. A Conn follows that in both roles:
//
//   - A clean close: once the closing handshake is complete (this side's
//     close frame sent and the peer's received, in either order), the
//     Conn ends its send direction with FIN after the close frames, then
//     reads the peer's direction to its FIN for at most DrainTimeout, and
//     stops reading it (STOP_SENDING with H3_NO_ERROR) if the FIN is late.
//     Unlike TCP, each direction closes on its own, so both roles FIN; the
//     server need not go first.
//   - A failure (a protocol violation by the peer): the Conn has sent its
//     close frame with the code RFC 6455 names, then FINs as above.
//   - An abort ([Conn.Abort], or a closing handshake that timed out): both
//     directions are reset with H3_REQUEST_CANCELLED.
//   - The peer's reset, or the QUIC connection's end, before a close
//     frame: the read methods return an *[endpoint.CloseError] with code
//     1006 (abnormal closure) whose Err is a *[ResetError] carrying
//     quic-go's error, and the Conn resets its own send direction with
//     H3_REQUEST_CANCELLED.
//
// A stream whose two directions are both ended is released by quic-go, so
// a Conn that was closed, aborted or reset holds nothing.
package h3ws
