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

// slidingBase is added to the bits of a SlidingWindow class.
const slidingBase = 16

// SlidingWindow returns the class with context takeover that keeps, per
// connection, only the last 2^bits bytes sent (bits from MinWindowBits to
// MaxWindowBits): each message is compressed by a compressor from the
// pool, primed with them, so an idle connection holds 2^bits bytes instead
// of a compressor, and each message costs the time of priming the
// compressor as well as of compressing it (docs/pmce.md has both,
// measured). It asks the peer for no smaller window: the message itself
// may refer up to 32 KiB back, which keeps the fast compressor (a peer
// that asks for a window below 15 bits gets the windowed one). It is a Send
// class only: a kept window is all that Receive Dedicated keeps anyway.
func SlidingWindow(bits int) Class { return Class(bits + slidingBase) }

// leasedBase is added to the bits of a Leased class.
const leasedBase = 32

// Leased returns the class with context takeover and a window of 2^bits
// bytes (bits from MinWindowBits to MaxWindowBits) whose compressor the
// connection holds only while it sends: taken from a pool for its first
// message, kept for the messages that follow, and given back once the
// connection has sent nothing for Config.LeaseIdle. A message after that
// is compressed by a compressor from the pool without referring to the
// messages before it, which RFC 7692 allows under context takeover (the
// sender chooses what to refer to). So a connection sending a stream of
// messages gets Dedicated's ratio and speed, and an idle one holds no
// compressor. It negotiates as Dedicated(bits) does, and is a Send class
// only.
func Leased(bits int) Class { return Class(bits + leasedBase) }

// The defaults: a compressor with context takeover while the connection
// sends and none once it is idle (Leased), which gives a stream of
// messages the ratio of a kept compressor and holds nothing for an idle
// connection; and a peer allowed the full window of RFC 7692, which costs
// 32 KiB per connection that received a compressed message from a peer
// that uses context takeover (browsers do).
const (
	DefaultSend    = Class(MaxWindowBits + leasedBase) // Leased(15)
	DefaultReceive = Class(MaxWindowBits)
)

// Bits returns the window of a Dedicated, SlidingWindow or Leased class in bits,
// or 0 for Shared.
func (c Class) Bits() int {
	switch {
	case c >= MinWindowBits && c <= MaxWindowBits:
		return int(c)
	case c.sliding():
		return int(c) - slidingBase
	case c.leased():
		return int(c) - leasedBase
	}
	return 0
}

// windowBits is the window a Dedicated or Leased class asks for, 0 for the
// others.
func (c Class) windowBits() int {
	if c.sliding() {
		return 0
	}
	return c.Bits()
}

func (c Class) sliding() bool {
	return c >= MinWindowBits+slidingBase && c <= MaxWindowBits+slidingBase
}

func (c Class) leased() bool {
	return c >= MinWindowBits+leasedBase && c <= MaxWindowBits+leasedBase
}

// String returns "shared", "dedicated(15)" and so on.
func (c Class) String() string {
	switch {
	case c == 0:
		return "default"
	case c == Shared:
		return "shared"
	case c.sliding():
		return "window(" + strconv.Itoa(c.Bits()) + ")"
	case c.leased():
		return "leased(" + strconv.Itoa(c.Bits()) + ")"
	case c.Bits() != 0:
		return "dedicated(" + strconv.Itoa(int(c)) + ")"
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

func (c Class) check(field string) error {
	switch {
	case (c.sliding() || c.leased()) && field == "Receive":
		return fmt.Errorf("permessage-deflate: Receive: %v is a Send class (use Dedicated)", c)
	case c == 0 || c == Shared || c.Bits() != 0:
		return nil
	}
	return fmt.Errorf("permessage-deflate: %s: %v is neither Shared, Dedicated(8..15), SlidingWindow(8..15) nor Leased(8..15)", field, c)
}

// or returns c, or def for the zero Class.
func (c Class) or(def Class) Class {
	if c == 0 {
		return def
	}
	return c
}
