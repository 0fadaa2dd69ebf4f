package frame

import (
	"encoding/binary"
	"io"
	"unicode/utf8"
)

// Close is a close control frame (opcode 0x8). It starts or answers the
// closing handshake. A Code of 0 (or CloseNoStatus) sends an empty payload;
// otherwise the payload is the two-byte code followed by a UTF-8 reason of at
// most 123 bytes.
type Close struct {
	Code   CloseCode // the status code; CloseNoStatus when a received frame had none
	Reason string    // UTF-8, at most 123 bytes; empty without a Code
	wire
}

func (f *Close) hasCode() bool { return f.Code != 0 && f.Code != CloseNoStatus }

// Header implements Frame.
func (f *Close) Header() Header {
	n := 0
	if f.hasCode() || f.Reason != "" {
		n = 2 + len(f.Reason)
	}
	return f.apply(Header{Fin: true, Opcode: OpClose, Length: int64(n)})
}

// AppendPayload implements Frame. It refuses a code that may not be sent
// (1004–1006, 1015, unassigned codes), a reason over 123 bytes or not UTF-8,
// and a reason without a code.
func (f *Close) AppendPayload(dst []byte) ([]byte, error) {
	if !f.hasCode() {
		if f.Reason != "" {
			return dst, ErrReasonWithoutCode
		}
		return dst, nil
	}
	switch {
	case !f.Code.Valid():
		return dst, ErrCloseCodeNotSendable
	case len(f.Reason) > MaxControlPayload-2:
		return dst, ErrCloseReasonTooLong
	case !utf8.ValidString(f.Reason):
		return dst, ErrCloseReasonUTF8
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(f.Code))
	return append(dst, f.Reason...), nil
}

// AppendBinary implements encoding.BinaryAppender.
func (f *Close) AppendBinary(b []byte) ([]byte, error) { return Append(b, f) }

// WriteTo implements io.WriterTo.
func (f *Close) WriteTo(w io.Writer) (int64, error) { return Write(w, f) }

// ParseClose decodes a close frame's unmasked payload into f. An empty payload
// gives CloseNoStatus. A 1-byte payload fails with ErrCloseLength, a code
// that may not be received with ErrCloseCode, and a reason that is not UTF-8
// with ErrCloseReasonUTF8; f holds what was decoded even then.
func ParseClose(payload []byte, f *Close) error {
	f.Code, f.Reason = CloseNoStatus, ""
	switch len(payload) {
	case 0:
		return nil
	case 1:
		return ErrCloseLength
	}
	f.Code = CloseCode(binary.BigEndian.Uint16(payload))
	f.Reason = string(payload[2:])
	if !f.Code.Valid() {
		return ErrCloseCode
	}
	if !utf8.Valid(payload[2:]) {
		return ErrCloseReasonUTF8
	}
	return nil
}
