package frame

import "strconv"

// CloseCode is the status code of a close frame (RFC 6455 §7.4).
type CloseCode uint16

// The close codes RFC 6455 §7.4.1 defines, plus those IANA registered later.
const (
	CloseNormal          CloseCode = 1000
	CloseGoingAway       CloseCode = 1001
	CloseProtocolError   CloseCode = 1002
	CloseUnsupportedData CloseCode = 1003
	CloseNoStatus        CloseCode = 1005 // never on the wire: the close frame had no code
	CloseAbnormal        CloseCode = 1006 // never on the wire: the connection ended without a close frame
	CloseInvalidPayload  CloseCode = 1007
	ClosePolicyViolation CloseCode = 1008
	CloseMessageTooBig   CloseCode = 1009
	CloseMandatoryExt    CloseCode = 1010
	CloseInternalError   CloseCode = 1011
	CloseServiceRestart  CloseCode = 1012
	CloseTryAgainLater   CloseCode = 1013
	CloseBadGateway      CloseCode = 1014
	CloseTLSHandshake    CloseCode = 1015 // never on the wire: the TLS handshake failed
)

var closeNames = map[CloseCode]string{
	CloseNormal:          "normal closure",
	CloseGoingAway:       "going away",
	CloseProtocolError:   "protocol error",
	CloseUnsupportedData: "unsupported data",
	CloseNoStatus:        "no status received",
	CloseAbnormal:        "abnormal closure",
	CloseInvalidPayload:  "invalid payload data",
	ClosePolicyViolation: "policy violation",
	CloseMessageTooBig:   "message too big",
	CloseMandatoryExt:    "mandatory extension",
	CloseInternalError:   "internal error",
	CloseServiceRestart:  "service restart",
	CloseTryAgainLater:   "try again later",
	CloseBadGateway:      "bad gateway",
	CloseTLSHandshake:    "TLS handshake failure",
}

// String returns the code's number and, for a registered code, its name.
func (c CloseCode) String() string {
	s := strconv.Itoa(int(c))
	if n, ok := closeNames[c]; ok {
		return s + " (" + n + ")"
	}
	return s
}

// Valid reports whether c may appear in a close frame on the wire, in either
// direction: the codes RFC 6455 §7.4.1 and the IANA registry define for the
// wire (1000–1003, 1007–1014) and the ranges for libraries and applications
// (3000–4999). 1004 is reserved; 1005, 1006 and 1015 are for reporting only;
// codes below 1000, unassigned codes below 3000, and 5000 and up are invalid.
func (c CloseCode) Valid() bool {
	switch {
	case c >= 3000 && c <= 4999:
		return true
	case c >= 1000 && c <= 1003, c >= 1007 && c <= 1014:
		return true
	}
	return false
}
