package handshake

import "strings"

// Param is one extension parameter. A parameter without a value, such as
// "server_no_context_takeover", has Value "".
type Param struct {
	Name  string // the parameter's token
	Value string // its value, unquoted; "" for none
}

// ExtensionOffer is one element of a Sec-WebSocket-Extensions list: an
// extension name and its parameters, in order. The client's header holds
// its offers; the server's header holds its responses, which have the same
// shape.
type ExtensionOffer struct {
	Name   string  // the extension token, such as "permessage-deflate"
	Params []Param // its parameters, in order
}

// Extension is an extension that can take part in the opening handshake,
// such as permessage-deflate. The same value serves both sides: a client
// calls Offer and Accept, a server calls Negotiate. Implementations must be
// safe for concurrent use if one value serves concurrent handshakes.
type Extension interface {
	// Name returns the extension token, such as "permessage-deflate".
	Name() string

	// Offer returns the parameters the client offers.
	Offer() []Param

	// Accept validates the parameters of the server's response against
	// this value's own offer. It returns the agreed extension, or an
	// error if the response is unacceptable. A client that offers the
	// extension several times holds one value per offer; the handshake
	// fails only if every one of them refuses (see [AcceptExtensions]).
	Accept(params []Param) (Negotiated, error)

	// Negotiate chooses among the client's offers of this extension, in
	// the client's order of preference. It returns the parameters of the
	// response and the agreed extension with ok true, or ok false to
	// decline the extension. A non-nil error fails the handshake with
	// 400 Bad Request; a server should rather decline offers it does not
	// like.
	Negotiate(offers [][]Param) (resp []Param, n Negotiated, ok bool, err error)
}

// Negotiated is an extension agreed in the handshake, the instance that
// the endpoint will later apply to frames.
type Negotiated interface {
	// RSV returns the RSV bits of the frame header that the extension
	// claims, as they appear in the first byte of a frame: 0x40 for
	// RSV1, 0x20 for RSV2, 0x10 for RSV3, or 0.
	RSV() byte
}

const extensionsHeader = "Sec-WebSocket-Extensions"

// ParseExtensions parses the values of Sec-WebSocket-Extensions header
// fields, as many lines as there are, into their elements, following the
// grammar of RFC 6455 section 9.1:
//
//	extension-list  = 1#extension
//	extension       = extension-token *( ";" extension-param )
//	extension-param = token [ "=" (token | quoted-string) ]
//
// Quoted values are unquoted and must then be tokens. Empty list elements
// are skipped. A malformed value returns a [*HeaderError].
func ParseExtensions(values []string) ([]ExtensionOffer, error) {
	var list []ExtensionOffer
	for _, v := range values {
		p := extParser{s: v}
		for {
			p.skipOWS()
			if p.eof() {
				break
			}
			if p.peek() == ',' {
				p.i++
				continue
			}
			e, err := p.extension()
			if err != nil {
				return nil, &HeaderError{Name: extensionsHeader, Value: v, Reason: err.Error()}
			}
			list = append(list, e)
			p.skipOWS()
			if p.eof() {
				break
			}
			if p.peek() != ',' {
				return nil, &HeaderError{Name: extensionsHeader, Value: v, Reason: "expected ',' after extension " + e.Name}
			}
			p.i++
		}
	}
	return list, nil
}

type extParser struct {
	s string
	i int
}

type syntaxError string

func (e syntaxError) Error() string { return string(e) }

func (p *extParser) eof() bool  { return p.i >= len(p.s) }
func (p *extParser) peek() byte { return p.s[p.i] }

func (p *extParser) skipOWS() {
	for !p.eof() && isOWS(p.peek()) {
		p.i++
	}
}

func (p *extParser) token() string {
	start := p.i
	for !p.eof() && isTokenChar(p.peek()) {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *extParser) extension() (ExtensionOffer, error) {
	var e ExtensionOffer
	e.Name = p.token()
	if e.Name == "" {
		return e, syntaxError("expected an extension token")
	}
	for {
		p.skipOWS()
		if p.eof() || p.peek() != ';' {
			return e, nil
		}
		p.i++
		p.skipOWS()
		var prm Param
		prm.Name = p.token()
		if prm.Name == "" {
			return e, syntaxError("expected a parameter name in extension " + e.Name)
		}
		p.skipOWS()
		if !p.eof() && p.peek() == '=' {
			p.i++
			p.skipOWS()
			if !p.eof() && p.peek() == '"' {
				v, err := p.quoted()
				if err != nil {
					return e, err
				}
				if !IsToken(v) {
					return e, syntaxError("quoted value of parameter " + prm.Name + " is not a token")
				}
				prm.Value = v
			} else {
				prm.Value = p.token()
				if prm.Value == "" {
					return e, syntaxError("expected a value for parameter " + prm.Name)
				}
			}
		}
		e.Params = append(e.Params, prm)
	}
}

// quoted reads a quoted-string and returns it unescaped.
func (p *extParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for !p.eof() {
		c := p.peek()
		p.i++
		switch {
		case c == '"':
			return b.String(), nil
		case c == '\\':
			if p.eof() {
				return "", syntaxError("unterminated quoted-string")
			}
			c = p.peek()
			p.i++
			if c < ' ' && c != '\t' || c == 0x7f {
				return "", syntaxError("control character in quoted-string")
			}
			b.WriteByte(c)
		case c < ' ' && c != '\t' || c == 0x7f:
			return "", syntaxError("control character in quoted-string")
		default:
			b.WriteByte(c)
		}
	}
	return "", syntaxError("unterminated quoted-string")
}

// AppendExtensions appends list to dst in the syntax of a
// Sec-WebSocket-Extensions value, such as
// "permessage-deflate; client_max_window_bits, x-foo; a=1", and returns the
// extended slice. A value that is not a token is written as a
// quoted-string. Names that are not tokens and values with control
// characters cannot be written; [ValidExtensions] finds them.
func AppendExtensions(dst []byte, list []ExtensionOffer) []byte {
	for i, e := range list {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, e.Name...)
		for _, p := range e.Params {
			dst = append(dst, "; "...)
			dst = append(dst, p.Name...)
			if p.Value == "" {
				continue
			}
			dst = append(dst, '=')
			if IsToken(p.Value) {
				dst = append(dst, p.Value...)
				continue
			}
			dst = append(dst, '"')
			for j := 0; j < len(p.Value); j++ {
				if c := p.Value[j]; c == '"' || c == '\\' {
					dst = append(dst, '\\')
				}
				dst = append(dst, p.Value[j])
			}
			dst = append(dst, '"')
		}
	}
	return dst
}

// FormatExtensions returns list as a Sec-WebSocket-Extensions value; see
// [AppendExtensions].
func FormatExtensions(list []ExtensionOffer) string {
	return string(AppendExtensions(nil, list))
}

// ValidExtensions reports whether list can be written as a
// Sec-WebSocket-Extensions value that [ParseExtensions] reads back
// unchanged: every name is a token and every value is a token (RFC 6455
// section 9.1 requires values to be tokens even when quoted).
func ValidExtensions(list []ExtensionOffer) bool {
	for _, e := range list {
		if !IsToken(e.Name) {
			return false
		}
		for _, p := range e.Params {
			if !IsToken(p.Name) || p.Value != "" && !IsToken(p.Value) {
				return false
			}
		}
	}
	return true
}
