package handshake

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors, one per kind of handshake failure. Each typed error of
// this package matches exactly one of them with [errors.Is].
var (
	// ErrBadStatus: the server answered with a status other than
	// 101 Switching Protocols (or 2xx for HTTP/2).
	ErrBadStatus = errors.New("handshake: unexpected HTTP status")
	// ErrBadAccept: Sec-WebSocket-Accept does not answer the key.
	ErrBadAccept = errors.New("handshake: wrong Sec-WebSocket-Accept")
	// ErrDuplicateHeader: a header field that must appear once appears
	// more than once.
	ErrDuplicateHeader = errors.New("handshake: duplicate header field")
	// ErrMissingHeader: a required header field is absent.
	ErrMissingHeader = errors.New("handshake: missing header field")
	// ErrBadHeader: a header field has a malformed or wrong value.
	ErrBadHeader = errors.New("handshake: bad header field")
	// ErrUnknownSubprotocol: the server chose a subprotocol the client did
	// not offer.
	ErrUnknownSubprotocol = errors.New("handshake: unknown subprotocol")
	// ErrUnknownExtension: an extension was not offered, is not
	// supported, or appears twice.
	ErrUnknownExtension = errors.New("handshake: unknown extension")
	// ErrExtensionConflict: two negotiated extensions claim the same
	// RSV bit, or an extension claims a bit that is not an RSV bit.
	ErrExtensionConflict = errors.New("handshake: extensions claim the same RSV bit")
	// ErrUnsupportedVersion: Sec-WebSocket-Version is not 13.
	ErrUnsupportedVersion = errors.New("handshake: unsupported WebSocket version")
	// ErrBadMethod: the request method is not GET (or CONNECT on HTTP/2).
	ErrBadMethod = errors.New("handshake: bad HTTP method")
	// ErrBadProto: the request is not HTTP/1.1 or later.
	ErrBadProto = errors.New("handshake: bad HTTP version")
	// ErrOrigin: the Origin header field names an origin that is not
	// allowed.
	ErrOrigin = errors.New("handshake: origin not allowed")
	// ErrHeaderLimit: the handshake exceeds a [Limits] bound.
	ErrHeaderLimit = errors.New("handshake: header fields too large")
	// ErrExtensionUnusable is returned by the one-step paths (the server's
	// Upgrade, the client's Dial and Request.Endpoint) when an agreed
	// extension cannot code messages, so that no Endpoint could apply it:
	// a configuration error, refused before the connection is used.
	ErrExtensionUnusable = errors.New("handshake: agreed extension cannot code messages")
)

// maxQuoted bounds how much of a peer's value an error message repeats.
const maxQuoted = 64

// quote returns s quoted for an error message, cut to maxQuoted bytes.
func quote(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(s[:maxQuoted]) + "..."
	}
	return strconv.Quote(s)
}

// StatusError reports a response whose status is not the one the handshake
// needs.
type StatusError struct {
	Code   int    // the status code received
	Status string // the status line's text, such as "400 Bad Request"
}

// Error returns a one-line description of the failure.
func (e *StatusError) Error() string {
	if e.Status != "" {
		return "handshake: unexpected HTTP status " + quote(e.Status)
	}
	return "handshake: unexpected HTTP status " + strconv.Itoa(e.Code)
}

// Is reports whether target is [ErrBadStatus].
func (e *StatusError) Is(target error) bool { return target == ErrBadStatus }

// AcceptError reports a Sec-WebSocket-Accept value that does not answer the
// client's key.
type AcceptError struct {
	Got  string // the value received
	Want string // the value expected
}

// Error returns a one-line description of the failure.
func (e *AcceptError) Error() string {
	return "handshake: Sec-WebSocket-Accept is " + quote(e.Got) + ", want " + quote(e.Want)
}

// Is reports whether target is [ErrBadAccept].
func (e *AcceptError) Is(target error) bool { return target == ErrBadAccept }

// DuplicateHeaderError reports a header field that appears more than once
// where only one is allowed.
type DuplicateHeaderError struct {
	Name string // canonical name of the field, such as "Sec-WebSocket-Key"
}

// Error returns a one-line description of the failure.
func (e *DuplicateHeaderError) Error() string {
	return "handshake: duplicate " + e.Name + " header field"
}

// Is reports whether target is [ErrDuplicateHeader].
func (e *DuplicateHeaderError) Is(target error) bool { return target == ErrDuplicateHeader }

// MissingHeaderError reports an absent header field that the handshake
// requires.
type MissingHeaderError struct {
	Name string // name of the absent field
}

// Error returns a one-line description of the failure.
func (e *MissingHeaderError) Error() string {
	return "handshake: missing " + e.Name + " header field"
}

// Is reports whether target is [ErrMissingHeader].
func (e *MissingHeaderError) Is(target error) bool { return target == ErrMissingHeader }

// HeaderError reports a header field whose value is malformed or not the
// one the handshake needs.
type HeaderError struct {
	Name   string // the field's name
	Value  string // the offending value
	Reason string // what is wrong, such as "does not contain websocket"
}

// Error returns a one-line description of the failure.
func (e *HeaderError) Error() string {
	return "handshake: " + e.Name + " " + quote(e.Value) + ": " + e.Reason
}

// Is reports whether target is [ErrBadHeader].
func (e *HeaderError) Is(target error) bool { return target == ErrBadHeader }

// SubprotocolError reports a subprotocol chosen by the server that the
// client did not offer.
type SubprotocolError struct {
	Protocol string // the subprotocol the server chose
}

// Error returns a one-line description of the failure.
func (e *SubprotocolError) Error() string {
	return "handshake: server chose subprotocol " + quote(e.Protocol) + ", which was not offered"
}

// Is reports whether target is [ErrUnknownSubprotocol].
func (e *SubprotocolError) Is(target error) bool { return target == ErrUnknownSubprotocol }

// ExtensionError reports an extension that failed the negotiation.
//
// Err says why: [ErrUnknownExtension] if the extension was not offered or
// appears twice, [ErrExtensionConflict] if its RSV bits clash with another
// extension's, or the error the [Extension] itself returned when it refused
// the parameters. When the client offered the extension several times and
// every offer refused the response, Err wraps each offer's refusal, in the
// client's order, for [errors.Is] and [errors.As].
type ExtensionError struct {
	Name string // the extension's name, as the peer sent it
	Err  error  // why it failed
}

// Error returns a one-line description of the failure.
func (e *ExtensionError) Error() string {
	return "handshake: extension " + quote(e.Name) + ": " + fmt.Sprint(e.Err)
}

// Unwrap returns e.Err.
func (e *ExtensionError) Unwrap() error { return e.Err }

// VersionError reports a Sec-WebSocket-Version other than [Version].
type VersionError struct {
	Version string // the version the client asked for
}

// Error returns a one-line description of the failure.
func (e *VersionError) Error() string {
	return "handshake: unsupported WebSocket version " + quote(e.Version)
}

// Is reports whether target is [ErrUnsupportedVersion].
func (e *VersionError) Is(target error) bool { return target == ErrUnsupportedVersion }

// MethodError reports a request whose method cannot open a WebSocket.
type MethodError struct {
	Method string // the method received
	Allow  string // the method that would be accepted: GET or CONNECT
}

// Error returns a one-line description of the failure.
func (e *MethodError) Error() string {
	return "handshake: method " + quote(e.Method) + " is not allowed, want " + e.Allow
}

// Is reports whether target is [ErrBadMethod].
func (e *MethodError) Is(target error) bool { return target == ErrBadMethod }

// ProtoError reports a request made with an HTTP version older than 1.1.
type ProtoError struct {
	Proto string // such as "HTTP/1.0"
}

// Error returns a one-line description of the failure.
func (e *ProtoError) Error() string {
	return "handshake: protocol " + quote(e.Proto) + " cannot open a WebSocket, need HTTP/1.1 or later"
}

// Is reports whether target is [ErrBadProto].
func (e *ProtoError) Is(target error) bool { return target == ErrBadProto }

// OriginError reports an Origin that the server does not allow.
type OriginError struct {
	Origin string // the Origin header field, "" if absent
	Host   string // the request's Host
	Err    error  // why, if the server's own origin policy said; nil otherwise
}

// Error returns a one-line description of the failure.
func (e *OriginError) Error() string {
	s := "handshake: origin " + quote(e.Origin)
	if e.Origin == "" {
		s = "handshake: a request without Origin"
	}
	s += " is not allowed for host " + quote(e.Host)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is [ErrOrigin].
func (e *OriginError) Is(target error) bool { return target == ErrOrigin }

// Unwrap returns e.Err.
func (e *OriginError) Unwrap() error { return e.Err }

// LimitError reports a handshake that exceeds one of the [Limits].
type LimitError struct {
	Limit string // "header count", "line length" or "header bytes"
	Max   int    // the bound that was exceeded
}

// Error returns a one-line description of the failure.
func (e *LimitError) Error() string {
	return "handshake: " + e.Limit + " exceeds limit of " + strconv.Itoa(e.Max)
}

// Is reports whether target is [ErrHeaderLimit].
func (e *LimitError) Is(target error) bool { return target == ErrHeaderLimit }
