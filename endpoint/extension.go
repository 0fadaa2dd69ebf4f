package endpoint

import "github.com/wskit/wskit/frame"

// Codec is what a per-message extension agreed in the opening handshake
// does to messages, such as permessage-deflate's *pmce.Codec (RFC 7692):
// the handshake's handshake.Extension negotiates, and the
// handshake.Negotiated value it agrees implements Codec. The Endpoint
// applies it to whole messages: it decodes a received message whose first frame carries one of
// the extension's RSV bits, and encodes each message it sends.
//
// The rules the Endpoint enforces for extensions: RSV bits that no extension
// claims fail the connection with frame.ErrReservedBits (1002); RSV bits are
// meaningful on the first frame of a message only, so a continuation or a
// control frame carrying any fails the same way. Extensions that need other
// rules check them in DecodeMessage.
//
// Several extensions apply in the order they were given to Extensions when
// encoding, and in the reverse order when decoding. A text message is
// checked for UTF-8 after decoding.
type Codec interface {
	// RSV returns the RSV bits the extension claims (frame.Rsv1 for
	// permessage-deflate).
	RSV() byte
	// DecodeMessage appends to dst the decoded payload of a whole message
	// whose first frame had the RSV bits rsv (which include the
	// extension's). It must not append more than limit bytes: a longer
	// result fails with frame.ErrMessageTooBig, so a small compressed
	// message cannot expand without bound. src is valid only during the
	// call. Return a *frame.Error to choose the close code (1007 for data
	// that does not decode, say); any other error fails the connection
	// with 1011.
	DecodeMessage(dst, src []byte, rsv byte, limit int) ([]byte, error)
	// EncodeMessage appends to dst the payload to send for a message of
	// type op and returns the RSV bits to set on its first frame: the
	// extension's bits when it transformed src, 0 when it sent src as is.
	EncodeMessage(dst, src []byte, op frame.Opcode) ([]byte, byte, error)
}

// extRsv returns the RSV bits exts claim together.
func extRsv(exts []Codec) byte {
	var b byte
	for _, x := range exts {
		b |= x.RSV()
	}
	return b & (frame.Rsv1 | frame.Rsv2 | frame.Rsv3)
}
