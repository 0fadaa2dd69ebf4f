package pmce

import (
	"fmt"
	"strings"
	"time"

	"github.com/klauspost/compress/flate"

	"github.com/wskit/wskit/handshake"
)

// DefaultLevel is the compression level when Config.Level is 0: level 4
// of klauspost/compress, the lowest whose matches, with context takeover,
// make a stream of JSON messages as small as the best of the other Go
// libraries, at about 1.2 times the CPU time of level 1 without context
// takeover (docs/pmce.md has the measurements of every level).
const DefaultLevel = 4

// DefaultThreshold is the Threshold when Config.Threshold is 0: messages
// shorter than this are sent as they are. Without context takeover a short
// message gains a few bytes at most from compression and often none; with
// it, a short message that resembles the ones before it shrinks well, but
// compressing it costs a few microseconds, about as much again as sending
// it (docs/pmce.md has both, measured). Set Threshold to -1 to compress
// every message.
const DefaultThreshold = 256

// DefaultLeaseIdle is the LeaseIdle when Config.LeaseIdle is 0.
const DefaultLeaseIdle = time.Second

// DefaultMaxMessage bounds a decompressed message when no other limit is
// given: 32 MiB, the endpoint package's default.
const DefaultMaxMessage = 32 << 20

// Config is what one side of a connection asks for and allows.
//
// Send and Receive choose the memory class of each direction (see
// [Class]); the four negotiation fields, named after the RFC 7692
// parameters, add to what the classes ask for. Each side reads them from
// its own point of view:
//
//   - ServerNoContextTakeover: a client asks the server to compress every
//     message on its own; a server always does so.
//   - ClientNoContextTakeover: a client compresses every message on its own
//     and says so; a server requires that of the client.
//   - ServerMaxWindowBits (0, or 8 to 15): a client asks the server to
//     bound its window; a server bounds its window to at most this, and to
//     what the client asks for.
//   - ClientMaxWindowBits (0, or 8 to 15): a client that sets it offers
//     client_max_window_bits — bare for 15, with the value below 15 — so
//     the server may bound the client's window, and never uses a larger
//     window itself; 0 offers nothing, keeping the full window. A server
//     bounds the client's window to this when the client's offer allows.
//
// Send Shared is server_no_context_takeover in a server's response and
// client_no_context_takeover in a client's offer; Send Dedicated(b) and
// Leased(b) bound this side's window to b bits (and a client offers
// client_max_window_bits=b for b below 15). Receive Shared is
// client_no_context_takeover in a server's response and
// server_no_context_takeover in a client's offer; Receive Dedicated(b)
// below 15 asks for server_max_window_bits=b (client) or answers
// client_max_window_bits=b (server; to a client whose offer does not allow
// that parameter, client_no_context_takeover instead), so that the window
// kept for the peer's data is never more than 2^b bytes.
type Config struct {
	// Send is the memory class of this side's compressor (Shared,
	// Dedicated, SlidingWindow or Leased); 0 means DefaultSend.
	Send Class
	// Receive is the memory class of the window kept for the peer's
	// messages; 0 means DefaultReceive (Dedicated(15)).
	Receive Class

	// ServerNoContextTakeover: the server compresses each message on its own.
	ServerNoContextTakeover bool
	// ClientNoContextTakeover: the client compresses each message on its own.
	ClientNoContextTakeover bool
	// ServerMaxWindowBits bounds the server's window; 0 sets no bound.
	ServerMaxWindowBits int
	// ClientMaxWindowBits bounds the client's window; 0 sets no bound,
	// and a client does not offer the parameter.
	ClientMaxWindowBits int

	// Level is the compression level, as github.com/klauspost/compress/flate
	// (and compress/flate) number them: flate.HuffmanOnly (-2), or 1
	// (flate.BestSpeed) to 9 (flate.BestCompression), or
	// flate.DefaultCompression (-1). 0 means DefaultLevel. A window below
	// 15 bits is compressed by klauspost's windowed compressor, whose level
	// is fixed (its level 5).
	Level int

	// Threshold: messages shorter than this many bytes are sent
	// uncompressed, with RSV1 clear. 0 means DefaultThreshold; a negative
	// Threshold compresses every message.
	Threshold int

	// LeaseIdle is how long a connection of the Send class Leased keeps
	// its compressor without sending a message: it gives it back to the
	// pool between LeaseIdle and twice LeaseIdle after its last message.
	// 0 means DefaultLeaseIdle; negative is an error.
	LeaseIdle time.Duration
}

// Negotiator is permessage-deflate as a [handshake.Extension]: a client
// offers it with Offer and checks the server's response with Accept; a
// server answers offers with Negotiate. The agreed value both return is a
// *[Codec], one per connection. A Negotiator is immutable and safe for
// concurrent handshakes.
type Negotiator struct {
	cfg    Config
	client Config // the negotiation fields as a client offers them
}

// clientWants folds the classes into the negotiation fields of a client's
// offer.
func clientWants(c Config) Config {
	if c.Send == Shared {
		c.ClientNoContextTakeover = true
	} else if b := c.Send.windowBits(); b != 0 && b < MaxWindowBits {
		c.ClientMaxWindowBits = minBits(c.ClientMaxWindowBits, b)
	}
	if c.Receive == Shared {
		c.ServerNoContextTakeover = true
	} else if b := c.Receive.Bits(); b < MaxWindowBits {
		c.ServerMaxWindowBits = minBits(c.ServerMaxWindowBits, b)
	}
	return c
}

// minBits is the smaller of two window sizes, where 0 is no bound.
func minBits(a, b int) int {
	if a == 0 {
		return b
	}
	return min(a, b)
}

// New returns the extension configured by cfg, or an error if a window
// size or the level is out of range.
func New(cfg Config) (*Negotiator, error) {
	for _, b := range [...]int{cfg.ServerMaxWindowBits, cfg.ClientMaxWindowBits} {
		if b != 0 && (b < MinWindowBits || b > MaxWindowBits) {
			return nil, fmt.Errorf("permessage-deflate: window size %d not in 8..15", b)
		}
	}
	switch {
	case cfg.Level == 0:
		cfg.Level = DefaultLevel
	case cfg.Level < flate.HuffmanOnly || cfg.Level > flate.BestCompression:
		return nil, fmt.Errorf("permessage-deflate: compression level %d out of range", cfg.Level)
	}
	switch {
	case cfg.Threshold == 0:
		cfg.Threshold = DefaultThreshold
	case cfg.Threshold < 0:
		cfg.Threshold = 0
	}
	switch {
	case cfg.LeaseIdle == 0:
		cfg.LeaseIdle = DefaultLeaseIdle
	case cfg.LeaseIdle < 0:
		return nil, fmt.Errorf("permessage-deflate: negative LeaseIdle %v", cfg.LeaseIdle)
	}
	if err := cfg.Send.check("Send"); err != nil {
		return nil, err
	}
	if err := cfg.Receive.check("Receive"); err != nil {
		return nil, err
	}
	cfg.Send = cfg.Send.or(DefaultSend)
	cfg.Receive = cfg.Receive.or(DefaultReceive)
	return &Negotiator{cfg: cfg, client: clientWants(cfg)}, nil
}

// Config returns the configuration, with the defaults in use filled in:
// Send, Receive, Level, LeaseIdle, and Threshold (0 for "every message").
func (e *Negotiator) Config() Config { return e.cfg }

// Name returns "permessage-deflate".
func (e *Negotiator) Name() string { return Name }

// Offer returns the client's offer: the parameters the Config asks for.
func (e *Negotiator) Offer() []handshake.Param {
	var ps []handshake.Param
	c := e.client
	if c.ServerNoContextTakeover {
		ps = append(ps, handshake.Param{Name: ParamServerNoContextTakeover})
	}
	if c.ClientNoContextTakeover {
		ps = append(ps, handshake.Param{Name: ParamClientNoContextTakeover})
	}
	if c.ServerMaxWindowBits != 0 && c.ServerMaxWindowBits < MaxWindowBits {
		ps = append(ps, bitsParam(ParamServerMaxWindowBits, c.ServerMaxWindowBits))
	}
	switch {
	case c.ClientMaxWindowBits == MaxWindowBits:
		ps = append(ps, handshake.Param{Name: ParamClientMaxWindowBits})
	case c.ClientMaxWindowBits != 0:
		ps = append(ps, bitsParam(ParamClientMaxWindowBits, c.ClientMaxWindowBits))
	}
	return ps
}

// Accept checks the server's response against the offer, strictly: every
// parameter must be valid (see [ParamError]); server_no_context_takeover
// and server_max_window_bits must be present if the offer asked for them,
// the latter with a value no larger than offered; client_max_window_bits
// is allowed only if offered, with a value no larger than the offer's.
// It returns the client's *Codec.
func (e *Negotiator) Accept(params []handshake.Param) (handshake.Negotiated, error) {
	r, err := parseParams(params, true)
	if err != nil {
		return nil, err
	}
	c := e.client
	if c.ServerNoContextTakeover && !r.serverNCT {
		return nil, &ParamError{Param: ParamServerNoContextTakeover, Reason: "offered but missing from the response"}
	}
	offeredSB := c.ServerMaxWindowBits != 0 && c.ServerMaxWindowBits < MaxWindowBits
	switch {
	case offeredSB && r.serverBits == 0:
		return nil, &ParamError{Param: ParamServerMaxWindowBits, Reason: "offered but missing from the response"}
	case offeredSB && r.serverBits > c.ServerMaxWindowBits:
		return nil, &ParamError{Param: ParamServerMaxWindowBits, Value: params2value(params, ParamServerMaxWindowBits),
			Reason: "larger than offered"}
	}
	if r.clientHas {
		switch {
		case c.ClientMaxWindowBits == 0:
			return nil, &ParamError{Param: ParamClientMaxWindowBits, Value: params2value(params, ParamClientMaxWindowBits),
				Reason: "in the response but not offered"}
		case r.clientBits > c.ClientMaxWindowBits:
			return nil, &ParamError{Param: ParamClientMaxWindowBits, Value: params2value(params, ParamClientMaxWindowBits),
				Reason: "larger than offered"}
		}
	}
	p := Params{
		ServerNoContextTakeover: r.serverNCT,
		ClientNoContextTakeover: r.clientNCT || c.ClientNoContextTakeover,
		ServerMaxWindowBits:     orMax(r.serverBits),
		ClientMaxWindowBits:     orMax(r.clientBits),
	}
	if !r.clientHas && c.ClientMaxWindowBits != 0 {
		// Our own offer promised this bound.
		p.ClientMaxWindowBits = c.ClientMaxWindowBits
	}
	codec := newCodec(false, p, c.Level, c.Threshold)
	codec.enc.setClass(c.Send, c.LeaseIdle)
	return codec, nil
}

// Negotiate answers the client's offers: it accepts the first offer whose
// parameters are valid and declines the others (RFC 7692 §7.1). The
// response grants what the offer asks for, narrowed by the Config:
//
//   - server_no_context_takeover if the offer or the Config asks for it
//     (Send Shared does);
//   - client_no_context_takeover if the offer or the Config asks for it
//     (Receive Shared does, and Receive Dedicated(b) below 15 to an offer
//     without client_max_window_bits);
//   - server_max_window_bits with the smallest of the offer's value, the
//     Config's and the Send class's window, when one is below 15 or the
//     offer named it;
//   - client_max_window_bits, only if the offer named it, with the
//     smallest of the offer's value, the Config's and the Receive class's
//     window, when there is one.
//
// It never returns an error: an offer it cannot use is declined.
func (e *Negotiator) Negotiate(offers [][]handshake.Param) ([]handshake.Param, handshake.Negotiated, bool, error) {
	c := e.cfg
	for _, params := range offers {
		o, err := parseParams(params, false)
		if err != nil {
			continue
		}
		p := Params{
			ServerNoContextTakeover: o.serverNCT || c.ServerNoContextTakeover || c.Send == Shared,
			ClientNoContextTakeover: o.clientNCT || c.ClientNoContextTakeover || c.Receive == Shared,
			ServerMaxWindowBits:     min(orMax(o.serverBits), orMax(c.ServerMaxWindowBits), orMax(c.Send.windowBits())),
			ClientMaxWindowBits:     MaxWindowBits,
		}
		recvBits := orMax(c.Receive.Bits())
		if o.clientHas {
			p.ClientMaxWindowBits = min(orMax(o.clientBits), orMax(c.ClientMaxWindowBits), recvBits)
		} else if recvBits < MaxWindowBits {
			// The client cannot be asked for a smaller window: ask it
			// for none between messages, so that no more than the
			// Receive class is kept.
			p.ClientNoContextTakeover = true
		}
		var resp []handshake.Param
		if p.ServerNoContextTakeover {
			resp = append(resp, handshake.Param{Name: ParamServerNoContextTakeover})
		}
		if p.ClientNoContextTakeover {
			resp = append(resp, handshake.Param{Name: ParamClientNoContextTakeover})
		}
		if o.serverBits != 0 || p.ServerMaxWindowBits < MaxWindowBits {
			resp = append(resp, bitsParam(ParamServerMaxWindowBits, p.ServerMaxWindowBits))
		}
		if o.clientHas && (o.clientBits != 0 || p.ClientMaxWindowBits < MaxWindowBits) {
			resp = append(resp, bitsParam(ParamClientMaxWindowBits, p.ClientMaxWindowBits))
		}
		codec := newCodec(true, p, c.Level, c.Threshold)
		codec.enc.setClass(c.Send, c.LeaseIdle)
		return resp, codec, true, nil
	}
	return nil, nil, false, nil
}

// orMax returns bits, or MaxWindowBits for 0.
func orMax(bits int) int {
	if bits == 0 {
		return MaxWindowBits
	}
	return bits
}

// params2value returns the value of the parameter named name.
func params2value(params []handshake.Param, name string) string {
	for _, p := range params {
		if strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return ""
}
