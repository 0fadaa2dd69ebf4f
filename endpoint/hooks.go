package endpoint

import (
	"time"

	"github.com/wskit/wskit/frame"
)

// hooks are the application's observers of control frames, called on the
// goroutine that reads (the caller of NextMessage, NextReader or Feed).
type hooks struct {
	ping        func(payload []byte)
	pong        func(payload []byte, rtt time.Duration)
	close       func(code frame.CloseCode, reason string)
	drain       func()
	manualClose bool
}

func (b *builder) hooks() *hooks {
	if b.config.hooks == nil {
		b.config.hooks = new(hooks)
	}
	return b.config.hooks
}

// OnPing calls fn with the payload of each ping received, before the
// Endpoint answers it as usual (WebSocket::Connection's on_ping). The
// payload is valid only during the call.
func OnPing(fn func(payload []byte)) Option {
	return func(b *builder) { b.hooks().ping = fn }
}

// OnPong calls fn with the payload of each pong received
// (WebSocket::Connection's on_pong). When the pong answers one of
// Heartbeat's pings, rtt is the time since that ping was sent; otherwise
// it is 0. The payload is valid only during the call.
func OnPong(fn func(payload []byte, rtt time.Duration)) Option {
	return func(b *builder) { b.hooks().pong = fn }
}

// OnClose calls fn with the code and reason of the peer's close frame when
// it arrives, before the Endpoint answers it (Sloop::WebSocket's onClose).
// A close frame without a code gives frame.CloseNoStatus.
func OnClose(fn func(code frame.CloseCode, reason string)) Option {
	return func(b *builder) { b.hooks().close = fn }
}

// ReplyCloseManually leaves the answer to the peer's close frame to the
// application, which sends it with SendClose (from the OnClose hook or
// later) with the code and reason of its choice. If it has not within
// CloseTimeout of the peer's close, the Endpoint echoes the peer's code
// itself, so that a forgetful application cannot leave the peer waiting.
func ReplyCloseManually() Option {
	return func(b *builder) { b.hooks().manualClose = true }
}

// OnDrain calls fn when the send queue (see Send) becomes empty again after
// holding bytes: the moment to resume sending to a slow peer (uWebSockets'
// drain event). It is called on the goroutine that wrote the last bytes —
// the Endpoint's flusher, a sender, or the caller of Flush — with no lock
// held, so fn may send.
func OnDrain(fn func()) Option {
	return func(b *builder) { b.hooks().drain = fn }
}
