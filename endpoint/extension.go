package endpoint

import (
	"io"

	"github.com/wskit/wskit/frame"
)

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

// StreamCodec is a Codec that also codes a message in pieces, so that
// NextWriter compresses a message as it is written and NextReader inflates
// one as it arrives, neither holding it whole (pmce.Codec is one). The
// Endpoint streams through it when it is the only extension agreed.
type StreamCodec interface {
	Codec
	// MessageWriter returns a writer that encodes one message into dst,
	// the payload of the message's frames (the first carrying the
	// codec's RSV bits); Close ends the message. At most one is open at a
	// time, and no EncodeMessage call comes between.
	MessageWriter(dst io.Writer) io.WriteCloser
	// MessageReader returns a reader of one message decoded from src, the
	// payload of its frames, which returns io.EOF at the message's end.
	// It fails, with a *frame.Error choosing the close code, on data that
	// does not decode (1007) or once it has produced limit bytes and
	// there would be more (1009), without producing more than limit.
	// Close releases it.
	MessageReader(src io.Reader, limit int64) io.ReadCloser
}

// FeedCodec is a StreamCodec that also decodes a message whose payload is
// handed to it in pieces as they arrive, without a reader to block on: so
// FeedStream, in push mode, inflates a compressed message as it arrives
// too, holding neither it nor its inflated form whole (pmce.Codec is one).
type FeedCodec interface {
	StreamCodec
	// MessageDecoder returns a decoder of one message that produces at
	// most limit bytes; its errors are as MessageReader's.
	MessageDecoder(limit int64) Decoder
}

// Decoder decodes one message fed in pieces; see FeedCodec.
type Decoder interface {
	// Feed decodes p, the next part of the message's payload (last: its
	// end), calling emit with each piece decoded, valid only during the
	// call; it returns emit's error as it is.
	Feed(p []byte, last bool, emit func([]byte) error) error
	// Close releases the decoder, whether or not the message ended.
	Close() error
}

// streamCodec returns the extension that streams, when it is the only one.
func (e *Endpoint) streamCodec() StreamCodec {
	if exts := e.exts(); len(exts) == 1 {
		sc, _ := exts[0].(StreamCodec)
		return sc
	}
	return nil
}
