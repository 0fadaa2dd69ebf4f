package frame

import "errors"

// Error is a protocol violation. It carries the close code that the endpoint
// that detected it should send before failing the connection (RFC 6455 §7.1.7).
// The package's Err values are the table of every violation; compare with
// errors.Is, or use errors.As to reach the code.
type Error struct {
	Code CloseCode // the close code to send
	Msg  string    // what was wrong
}

// Error implements error.
func (e *Error) Error() string { return "websocket: " + e.Msg }

// Every protocol violation the toolkit detects, with the close code it calls for.
var (
	// Framing (1002 protocol error).
	ErrLengthOverflow       = &Error{CloseProtocolError, "payload length has the most significant bit set"}
	ErrNonMinimalLength     = &Error{CloseProtocolError, "payload length not in its shortest form"}
	ErrReservedOpcode       = &Error{CloseProtocolError, "reserved opcode"}
	ErrReservedBits         = &Error{CloseProtocolError, "RSV bit set without an extension that defines it"}
	ErrControlTooLong       = &Error{CloseProtocolError, "control frame payload longer than 125 bytes"}
	ErrFragmentedControl    = &Error{CloseProtocolError, "fragmented control frame"}
	ErrUnmasked             = &Error{CloseProtocolError, "client frame is not masked"}
	ErrMasked               = &Error{CloseProtocolError, "server frame is masked"}
	ErrUnexpectedContinue   = &Error{CloseProtocolError, "continuation frame with no message in progress"}
	ErrExpectedContinue     = &Error{CloseProtocolError, "new data frame while a fragmented message is in progress"}
	ErrCloseLength          = &Error{CloseProtocolError, "close frame payload of 1 byte"}
	ErrCloseCode            = &Error{CloseProtocolError, "close code that may not be sent or received"}
	ErrUnexpectedAfterClose = &Error{CloseProtocolError, "frame after close"}

	// Content (1007 invalid frame payload data).
	ErrInvalidUTF8     = &Error{CloseInvalidPayload, "invalid UTF-8 in text message"}
	ErrCloseReasonUTF8 = &Error{CloseInvalidPayload, "close reason is not valid UTF-8"}

	// Limits (1009 message too big, 1008 policy violation).
	ErrFrameTooBig      = &Error{CloseMessageTooBig, "frame payload over the limit"}
	ErrMessageTooBig    = &Error{CloseMessageTooBig, "message over the limit"}
	ErrTooManyFragments = &Error{ClosePolicyViolation, "message in too many fragments"}
)

// Errors a sender gets for frames it may not send; they are not violations
// by a peer and carry no close code.
var (
	ErrCloseReasonTooLong   = errors.New("websocket: close reason longer than 123 bytes")
	ErrCloseCodeNotSendable = errors.New("websocket: close code may not be sent")
	ErrReasonWithoutCode    = errors.New("websocket: close reason without a close code")
)

// CloseCodeOf returns the close code of any error the toolkit returns: for
// a violation (an *Error in err's chain), the code to close with; for an
// error that reports the end of a connection (any error in the chain with a
// CloseCode method, such as *endpoint.CloseError), the code it ended with.
// It returns CloseInternalError for any other non-nil error, and
// CloseNormal for nil.
func CloseCodeOf(err error) CloseCode {
	if err == nil {
		return CloseNormal
	}
	var c interface{ CloseCode() CloseCode }
	if errors.As(err, &c) {
		return c.CloseCode()
	}
	return CloseInternalError
}

// CloseCode returns the close code the violation calls for.
func (e *Error) CloseCode() CloseCode { return e.Code }
