package pmce

import (
	"strconv"
	"strings"

	"github.com/wskit/wskit/handshake"
)

// The extension token and the names of its parameters (RFC 7692 §7.1), as
// they appear in Sec-WebSocket-Extensions.
const (
	Name                         = "permessage-deflate"
	ParamServerNoContextTakeover = "server_no_context_takeover"
	ParamClientNoContextTakeover = "client_no_context_takeover"
	ParamServerMaxWindowBits     = "server_max_window_bits"
	ParamClientMaxWindowBits     = "client_max_window_bits"
)

// Window sizes, as the base-2 logarithm of the LZ77 sliding window.
const (
	MinWindowBits = 8  // the smallest window RFC 7692 allows: 256 bytes
	MaxWindowBits = 15 // the largest, and the default: 32 KiB
)

// Params are the parameters of an agreed permessage-deflate, as both
// endpoints apply them. The window sizes are always between MinWindowBits
// and MaxWindowBits; a parameter absent from the handshake counts as
// MaxWindowBits.
type Params struct {
	// ServerNoContextTakeover: the server compresses every message on
	// its own, so the client keeps no window between messages.
	ServerNoContextTakeover bool
	// ClientNoContextTakeover: the client compresses every message on
	// its own, so the server keeps no window between messages.
	ClientNoContextTakeover bool
	// ServerMaxWindowBits bounds the distances in the server's
	// compressed data.
	ServerMaxWindowBits int
	// ClientMaxWindowBits bounds the distances in the client's
	// compressed data.
	ClientMaxWindowBits int
}

// ParamError reports a permessage-deflate parameter that is unknown,
// repeated, or has a bad value, or a server's response that the client's
// offer did not allow. A server declines an offer with such a parameter; a
// client fails the handshake on such a response.
type ParamError struct {
	Param  string // the parameter's name
	Value  string // its value, "" if it had none
	Reason string // what is wrong
}

// Error implements error.
func (e *ParamError) Error() string {
	s := "permessage-deflate: parameter " + e.Param
	if e.Value != "" {
		s += "=" + strconv.Quote(e.Value)
	}
	return s + ": " + e.Reason
}

// offer is one parsed list of parameters, an offer or a response.
type offer struct {
	serverNCT  bool
	clientNCT  bool
	serverBits int  // 0: absent
	clientBits int  // 0: absent or without a value
	clientHas  bool // client_max_window_bits present, with or without a value
}

// parseParams parses and validates the parameters of an offer (response
// false) or of a response (response true) by the rules of RFC 7692 §7.1:
// every parameter known and at most once, the two no_context_takeover
// parameters without a value, server_max_window_bits with a value,
// client_max_window_bits with a value in a response and optionally in an
// offer; window values are decimal integers without leading zeros from 8
// to 15. Names compare case-insensitively.
func parseParams(params []handshake.Param, response bool) (offer, error) {
	var o offer
	var seen [4]bool
	for _, p := range params {
		idx := -1
		for i, n := range [...]string{ParamServerNoContextTakeover, ParamClientNoContextTakeover, ParamServerMaxWindowBits, ParamClientMaxWindowBits} {
			if strings.EqualFold(p.Name, n) {
				idx = i
				break
			}
		}
		bad := func(reason string) (offer, error) {
			return offer{}, &ParamError{Param: p.Name, Value: p.Value, Reason: reason}
		}
		if idx < 0 {
			return bad("unknown parameter")
		}
		if seen[idx] {
			return bad("repeated parameter")
		}
		seen[idx] = true
		switch idx {
		case 0, 1:
			if p.Value != "" {
				return bad("takes no value")
			}
			if idx == 0 {
				o.serverNCT = true
			} else {
				o.clientNCT = true
			}
		case 2:
			b, ok := parseBits(p.Value)
			if !ok {
				return bad("needs a window size from 8 to 15")
			}
			o.serverBits = b
		case 3:
			o.clientHas = true
			if p.Value == "" && !response {
				break
			}
			b, ok := parseBits(p.Value)
			if !ok {
				return bad("needs a window size from 8 to 15")
			}
			o.clientBits = b
		}
	}
	return o, nil
}

// parseBits parses a window size: "8" to "15", without sign or leading zero.
func parseBits(s string) (int, bool) {
	switch len(s) {
	case 1:
		if s[0] == '8' || s[0] == '9' {
			return int(s[0] - '0'), true
		}
	case 2:
		if s[0] == '1' && s[1] >= '0' && s[1] <= '5' {
			return 10 + int(s[1]-'0'), true
		}
	}
	return 0, false
}

func bitsParam(name string, bits int) handshake.Param {
	return handshake.Param{Name: name, Value: strconv.Itoa(bits)}
}
