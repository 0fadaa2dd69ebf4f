package conformance

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The fuzzer's own permessage-deflate negotiation (RFC 7692 §5, §7.1),
// written from the RFC and independent of wskit's handshake and pmce
// packages, so that the suite tests them rather than itself.

const pmdName = "permessage-deflate"

// extParam is one extension parameter as the header spells it.
type extParam struct {
	name, value string
	hasValue    bool
}

// extElem is one element of a Sec-WebSocket-Extensions list.
type extElem struct {
	name   string
	params []extParam
}

func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// extLexer reads the grammar of RFC 6455 §9.1 over one header value.
type extLexer struct {
	s string
	i int
}

func (l *extLexer) ows() {
	for l.i < len(l.s) && (l.s[l.i] == ' ' || l.s[l.i] == '\t') {
		l.i++
	}
}

func (l *extLexer) token() (string, bool) {
	j := l.i
	for l.i < len(l.s) && isTchar(l.s[l.i]) {
		l.i++
	}
	return l.s[j:l.i], l.i > j
}

// value reads a token or a quoted string whose content is a token (RFC
// 6455 §9.1 requires that of quoted parameter values).
func (l *extLexer) value() (string, bool) {
	if l.i < len(l.s) && l.s[l.i] == '"' {
		l.i++
		var b strings.Builder
		for l.i < len(l.s) && l.s[l.i] != '"' {
			c := l.s[l.i]
			if c == '\\' && l.i+1 < len(l.s) {
				l.i++
				c = l.s[l.i]
			}
			if !isTchar(c) {
				return "", false
			}
			b.WriteByte(c)
			l.i++
		}
		if l.i >= len(l.s) || b.Len() == 0 {
			return "", false
		}
		l.i++
		return b.String(), true
	}
	return l.token()
}

// parseExtensions parses the values of Sec-WebSocket-Extensions fields into
// one list, in order.
func parseExtensions(values []string) ([]extElem, error) {
	var out []extElem
	for _, v := range values {
		l := &extLexer{s: v}
		for {
			l.ows()
			if l.i == len(l.s) {
				break
			}
			if l.s[l.i] == ',' { // empty list elements are allowed
				l.i++
				continue
			}
			name, ok := l.token()
			if !ok {
				return nil, fmt.Errorf("extension name expected at %q", l.s[l.i:])
			}
			e := extElem{name: name}
			for {
				l.ows()
				if l.i == len(l.s) || l.s[l.i] == ',' {
					break
				}
				if l.s[l.i] != ';' {
					return nil, fmt.Errorf("';' or ',' expected at %q", l.s[l.i:])
				}
				l.i++
				l.ows()
				pn, ok := l.token()
				if !ok {
					return nil, fmt.Errorf("parameter name expected at %q", l.s[l.i:])
				}
				p := extParam{name: pn}
				l.ows()
				if l.i < len(l.s) && l.s[l.i] == '=' {
					l.i++
					l.ows()
					if p.value, ok = l.value(); !ok {
						return nil, fmt.Errorf("bad value of parameter %s", pn)
					}
					p.hasValue = true
				}
				e.params = append(e.params, p)
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// pmdParams are the parameters of one permessage-deflate offer or response.
type pmdParams struct {
	serverNCT, clientNCT bool
	serverBits           int  // server_max_window_bits; 0 when absent
	clientBits           int  // client_max_window_bits's value; 0 when absent or bare
	clientBitsNamed      bool // client_max_window_bits is present, with or without a value
}

// windowBits parses a window size: a decimal 8 to 15 without leading zeros.
func windowBits(v string) (int, bool) {
	if len(v) == 0 || len(v) > 2 || v[0] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 8 || n > 15 {
		return 0, false
	}
	return n, true
}

// parsePMD validates the parameters of a permessage-deflate element, of
// an offer or of a response (where client_max_window_bits needs a value).
func parsePMD(e extElem, response bool) (pmdParams, error) {
	var p pmdParams
	seen := map[string]bool{}
	for _, q := range e.params {
		name := strings.ToLower(q.name)
		if seen[name] {
			return p, fmt.Errorf("parameter %s repeated", q.name)
		}
		seen[name] = true
		switch name {
		case "server_no_context_takeover", "client_no_context_takeover":
			if q.hasValue {
				return p, fmt.Errorf("parameter %s takes no value", q.name)
			}
			if name[0] == 's' {
				p.serverNCT = true
			} else {
				p.clientNCT = true
			}
		case "server_max_window_bits":
			n, ok := windowBits(q.value)
			if !q.hasValue || !ok {
				return p, fmt.Errorf("server_max_window_bits=%q is not 8 to 15", q.value)
			}
			p.serverBits = n
		case "client_max_window_bits":
			p.clientBitsNamed = true
			if !q.hasValue {
				if response {
					return p, errors.New("client_max_window_bits without a value in a response")
				}
				continue
			}
			n, ok := windowBits(q.value)
			if !ok {
				return p, fmt.Errorf("client_max_window_bits=%q is not 8 to 15", q.value)
			}
			p.clientBits = n
		default:
			return p, fmt.Errorf("unknown parameter %s", q.name)
		}
	}
	return p, nil
}

// PMDOffer is one offer the fuzzing client makes, in Autobahn's terms:
// requestNoContextTakeover asks for server_no_context_takeover and
// requestMaxWindowBits (when not 0) for server_max_window_bits.
type PMDOffer struct {
	RequestNoContextTakeover bool
	RequestMaxWindowBits     int
}

// String is the offer as sent. Like Autobahn's, every offer includes
// client_max_window_bits (the server may bound the fuzzer's window). It
// leaves out Autobahn's client_no_context_takeover: in an offer that is a
// promise not to use context takeover (RFC 7692 §7.1.1.2), which
// Autobahn's client does not keep, and keeping it would leave the
// server's decompression under context takeover untested.
func (o PMDOffer) String() string {
	s := pmdName + "; client_max_window_bits"
	if o.RequestNoContextTakeover {
		s += "; server_no_context_takeover"
	}
	if o.RequestMaxWindowBits != 0 {
		s += fmt.Sprintf("; server_max_window_bits=%d", o.RequestMaxWindowBits)
	}
	return s
}

// PMDAccept is how the fuzzing server may accept a client's offer, in
// Autobahn's terms: requestNoContextTakeover asks for
// client_no_context_takeover and requestMaxWindowBits (when not 0) for
// client_max_window_bits, which needs an offer naming that parameter.
type PMDAccept struct {
	RequestNoContextTakeover bool
	RequestMaxWindowBits     int
}

// DeflateSpec makes a case negotiate permessage-deflate.
type DeflateSpec struct {
	// Offers are what the fuzzing client offers, in order.
	Offers []PMDOffer
	// Accepts are the acceptances the fuzzing server tries, in order,
	// each against every offer of the client in the client's order;
	// the first that the offer allows wins, as Autobahn's accept
	// functions do. None: the server answers without the extension.
	Accepts []PMDAccept
}

// pmdAgreement is what the two sides agreed, from the fuzzer's side: how
// it compresses (tx) and how the peer compresses (rx).
type pmdAgreement struct {
	txNoTakeover bool
	txBits       int
	rxNoTakeover bool
	rxBits       int
	header       string // the response's extension value
}

func orFull(bits int) int {
	if bits == 0 {
		return 15
	}
	return bits
}

// offerHeader is the Sec-WebSocket-Extensions value of the fuzzing client.
func (d *DeflateSpec) offerHeader() string {
	s := make([]string, len(d.Offers))
	for i, o := range d.Offers {
		s[i] = o.String()
	}
	return strings.Join(s, ", ")
}

// clientAgree checks the server's Sec-WebSocket-Extensions values against
// the fuzzing client's offers. It returns nil and no error when the server
// declined the extension; an error fails the handshake, as RFC 7692 §5
// and §7.1 ask of a client. This is stricter than Autobahn, whose client
// takes any permessage-deflate response: a response must grant what one of
// the offers asked for (server_no_context_takeover, a server window no
// larger than offered), as wskit's own client requires too.
func (d *DeflateSpec) clientAgree(values []string) (*pmdAgreement, error) {
	list, err := parseExtensions(values)
	if err != nil {
		return nil, fmt.Errorf("Sec-WebSocket-Extensions: %v", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	if len(list) > 1 {
		return nil, fmt.Errorf("Sec-WebSocket-Extensions: %d extensions in the response to a single offered one", len(list))
	}
	e := list[0]
	if !strings.EqualFold(e.name, pmdName) {
		return nil, fmt.Errorf("Sec-WebSocket-Extensions: extension %q was not offered", e.name)
	}
	r, err := parsePMD(e, true)
	if err != nil {
		return nil, fmt.Errorf("Sec-WebSocket-Extensions: %v", err)
	}
	var why []string
	for _, o := range d.Offers {
		reason := ""
		switch {
		case o.RequestNoContextTakeover && !r.serverNCT:
			reason = "server_no_context_takeover offered but not in the response"
		case o.RequestMaxWindowBits != 0 && o.RequestMaxWindowBits < 15 && r.serverBits == 0:
			// Without the parameter the server's window is 15 bits,
			// within an offer of 15 but not of less.
			reason = "server_max_window_bits offered but not in the response"
		case o.RequestMaxWindowBits != 0 && r.serverBits > o.RequestMaxWindowBits:
			reason = fmt.Sprintf("server_max_window_bits=%d above the %d offered", r.serverBits, o.RequestMaxWindowBits)
		}
		if reason != "" {
			why = append(why, fmt.Sprintf("offer %q: %s", o, reason))
			continue
		}
		// Every offer names client_max_window_bits without a value, so
		// any client_max_window_bits in the response is allowed.
		return &pmdAgreement{
			txNoTakeover: r.clientNCT,
			txBits:       orFull(r.clientBits),
			rxNoTakeover: r.serverNCT,
			rxBits:       orFull(r.serverBits),
			header:       strings.Join(values, ", "),
		}, nil
	}
	return nil, fmt.Errorf("the response %q matches none of the offers (%s)", strings.Join(values, ", "), strings.Join(why, "; "))
}

// serverAgree answers a client's Sec-WebSocket-Extensions values with the
// case's acceptances. It returns nil when the server declines (no
// acceptable offer, or no permessage-deflate offered); offers with invalid
// parameters are declined (RFC 7692 §7.1), a header that does not parse is
// an error.
func (d *DeflateSpec) serverAgree(values []string) (*pmdAgreement, error) {
	list, err := parseExtensions(values)
	if err != nil {
		return nil, err
	}
	var offers []pmdParams
	for _, e := range list {
		if !strings.EqualFold(e.name, pmdName) {
			continue
		}
		if p, err := parsePMD(e, false); err == nil {
			offers = append(offers, p)
		}
	}
	for _, a := range d.Accepts {
		for _, o := range offers {
			// A server may always ask for client_no_context_takeover
			// (§7.1.1.2), but client_max_window_bits only when offered.
			if a.RequestMaxWindowBits != 0 && !o.clientBitsNamed {
				continue
			}
			ag := &pmdAgreement{
				txNoTakeover: o.serverNCT,
				txBits:       orFull(o.serverBits),
				rxNoTakeover: a.RequestNoContextTakeover,
				rxBits:       orFull(o.clientBits),
			}
			h := pmdName
			if o.serverNCT {
				h += "; server_no_context_takeover"
			}
			if o.serverBits != 0 {
				h += fmt.Sprintf("; server_max_window_bits=%d", o.serverBits)
			}
			if a.RequestNoContextTakeover {
				h += "; client_no_context_takeover"
			}
			if a.RequestMaxWindowBits != 0 {
				ag.rxBits = min(a.RequestMaxWindowBits, orFull(o.clientBits))
				h += fmt.Sprintf("; client_max_window_bits=%d", ag.rxBits)
			}
			ag.header = h
			return ag, nil
		}
	}
	return nil, nil
}
