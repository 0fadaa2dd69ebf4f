package handshake

import (
	"net/http"
	"net/textproto"
	"strings"
)

// isTokenChar reports whether c may appear in an HTTP token (RFC 9110
// section 5.6.2).
func isTokenChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// IsToken reports whether s is a non-empty HTTP token (RFC 9110 section
// 5.6.2), the syntax of subprotocol names, extension names and extension
// parameters.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// isOWS reports whether c is optional whitespace.
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// trimOWS trims optional whitespace from both ends of s.
func trimOWS(s string) string {
	for s != "" && isOWS(s[0]) {
		s = s[1:]
	}
	for s != "" && isOWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// HasToken reports whether the comma-separated lists in values contain
// token, compared case-insensitively. It is how the Connection and Upgrade
// header fields are checked: "keep-alive, Upgrade" contains "upgrade".
func HasToken(values []string, token string) bool {
	for _, v := range values {
		for v != "" {
			var elem string
			elem, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(trimOWS(elem), token) {
				return true
			}
		}
	}
	return false
}

// HeaderValues returns the values of the header field name in h. It looks
// up the canonical key first, as net/http stores it, and then any key that
// differs only in case, so that an [net/http.Header] built by hand with
// keys such as "sec-websocket-key" is read the same.
func HeaderValues(h http.Header, name string) []string {
	key := textproto.CanonicalMIMEHeaderKey(name)
	vv := h[key]
	for k, more := range h {
		if k != key && strings.EqualFold(k, key) {
			vv = append(vv[:len(vv):len(vv)], more...)
		}
	}
	return vv
}

// validFieldName reports whether name may be used as a header field name.
func validFieldName(name string) bool { return IsToken(name) }

// validFieldValue reports whether v may be used as a header field value:
// no control characters other than horizontal tab, so that nothing can be
// injected into the header text.
func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// ValidHeaderField reports whether name and value can be written as a
// header field line without changing the meaning of the surrounding text:
// name is a token and value has no CR, LF or other control characters.
func ValidHeaderField(name, value string) bool {
	return validFieldName(name) && validFieldValue(value)
}
