package handshake

import "strings"

const protocolHeader = "Sec-WebSocket-Protocol"

// ParseProtocols parses the values of Sec-WebSocket-Protocol header fields
// into the subprotocol names they list, in order. Each name must be a token
// and appear once (RFC 6455 section 4.1); otherwise ParseProtocols returns a
// [*HeaderError]. Empty list elements are skipped.
func ParseProtocols(values []string) ([]string, error) {
	var list []string
	for _, v := range values {
		for rest := v; rest != ""; {
			var elem string
			elem, rest, _ = strings.Cut(rest, ",")
			elem = trimOWS(elem)
			if elem == "" {
				continue
			}
			if !IsToken(elem) {
				return nil, &HeaderError{Name: protocolHeader, Value: v, Reason: "subprotocol " + quote(elem) + " is not a token"}
			}
			for _, p := range list {
				if p == elem {
					return nil, &HeaderError{Name: protocolHeader, Value: v, Reason: "subprotocol " + quote(elem) + " is listed twice"}
				}
			}
			list = append(list, elem)
		}
	}
	return list, nil
}

// FormatProtocols returns protocols as a Sec-WebSocket-Protocol value, such
// as "chat, superchat".
func FormatProtocols(protocols []string) string {
	return strings.Join(protocols, ", ")
}
