package frame

// Role is the side of a connection. It decides masking: a client masks every
// frame it sends, a server masks none (RFC 6455 §5.1).
type Role uint8

// The two roles. The zero Role is neither and enforces no masking rule.
const (
	Server Role = iota + 1 // receives masked frames, sends unmasked ones
	Client                 // sends masked frames, receives unmasked ones
)

// String returns "server", "client" or "none".
func (r Role) String() string {
	switch r {
	case Server:
		return "server"
	case Client:
		return "client"
	}
	return "none"
}
