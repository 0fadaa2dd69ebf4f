package pmce

import (
	"fmt"
	"strconv"
)

// Class is the memory one direction of a connection keeps between
// messages: what Config.Send asks of this side's compressor and
// Config.Receive of the window kept for the peer's messages. The zero
// Class is the default of its field: [DefaultSend] or [DefaultReceive].
//
// docs/pmce.md has the memory each class costs per connection, measured.
type Class int

// Shared keeps nothing between messages: no context takeover in that
// direction. Sending, the compressor comes from a pool shared by every
// connection for the length of one message; receiving, the peer is asked
// not to use context takeover (client_no_context_takeover from a server,
// server_no_context_takeover from a client), so no window of its data is
// kept.
const Shared Class = 1

// Dedicated returns the class with context takeover and a window of
// 2^bits bytes (bits from MinWindowBits to MaxWindowBits). Sending, the
// connection keeps a compressor of its own, whose back-references reach at
// most 2^bits bytes back; receiving, it keeps the last 2^bits bytes of the
// peer's messages (the peer is asked to keep to that window, and to no
// context takeover where it cannot be asked for a window).
func Dedicated(bits int) Class { return Class(bits) }

// The defaults: a compressor shared through a pool (no memory held by an
// idle connection, and no context takeover, which small messages do not
// miss once Threshold leaves them uncompressed), and a peer allowed the
// full window of RFC 7692, which costs 32 KiB per connection that received
// a compressed message from a peer that uses context takeover (browsers
// do).
const (
	DefaultSend    = Shared
	DefaultReceive = Class(MaxWindowBits)
)

// Bits returns the window of a Dedicated class in bits, or 0 for Shared.
func (c Class) Bits() int {
	if c >= MinWindowBits && c <= MaxWindowBits {
		return int(c)
	}
	return 0
}

// String returns "shared", "dedicated(15)" and so on.
func (c Class) String() string {
	switch {
	case c == 0:
		return "default"
	case c == Shared:
		return "shared"
	case c.Bits() != 0:
		return "dedicated(" + strconv.Itoa(int(c)) + ")"
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

func (c Class) check(field string) error {
	if c == 0 || c == Shared || c.Bits() != 0 {
		return nil
	}
	return fmt.Errorf("permessage-deflate: %s: %v is neither Shared nor Dedicated(8..15)", field, c)
}

// or returns c, or def for the zero Class.
func (c Class) or(def Class) Class {
	if c == 0 {
		return def
	}
	return c
}
