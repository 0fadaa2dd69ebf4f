package frame

import (
	"io"

	"github.com/wskit/wskit/internal/pool"
)

// Frame is one WebSocket frame. Each opcode has its own type: *Text, *Binary,
// *Continuation, *Close, *Ping and *Pong; an extension can add types for
// reserved opcodes. A parser returns these types, so a caller switches on them.
type Frame interface {
	// Header returns the header the frame is sent with; Length is the
	// payload's length. A frame decoded from the wire also reports whether
	// and how it was masked there.
	Header() Header
	// AppendPayload appends the unmasked payload to dst. It fails when the
	// frame breaks the protocol's rules, such as a ping longer than 125 bytes.
	AppendPayload(dst []byte) ([]byte, error)
}

// wire remembers how a decoded frame was masked on the wire.
type wire struct {
	masked bool
	key    [4]byte
}

func (w wire) apply(h Header) Header {
	h.Masked, h.Mask = w.masked, w.key
	return h
}

// Append appends f's header and payload to dst, masking the payload when f's
// header says so.
func Append(dst []byte, f Frame) ([]byte, error) { return appendFrame(dst, f, f.Header()) }

// appendFrame appends f with header h. AppendMasked passes its header here
// rather than wrapping f in another Frame, which would escape and allocate.
func appendFrame(dst []byte, f Frame, h Header) ([]byte, error) {
	start := len(dst)
	dst = h.AppendTo(dst)
	p := len(dst)
	dst, err := f.AppendPayload(dst)
	if err != nil {
		return dst[:start], err
	}
	if h.Masked {
		Mask(dst[p:], h.Mask, 0)
	}
	return dst, nil
}

// AppendMasked appends f with its payload masked by key, as a client sends
// every frame.
func AppendMasked(dst []byte, f Frame, key [4]byte) ([]byte, error) {
	h := f.Header()
	h.Masked, h.Mask = true, key
	return appendFrame(dst, f, h)
}

// Write writes f to w with one call to w.Write. It does not allocate in
// steady state: the frame is encoded in a pooled buffer.
func Write(w io.Writer, f Frame) (int64, error) { return writeFrame(w, f, f.Header()) }

func writeFrame(w io.Writer, f Frame, h Header) (int64, error) {
	// The buffer comes from size classes, so a large frame among small ones
	// reuses a buffer too. A Raw frame's Length need not match its payload.
	n := h.Length
	if r, ok := f.(*Raw); ok {
		n = int64(len(r.Payload))
	}
	buf := pool.Get(h.Size() + int(max(n, 0)))
	defer pool.Put(buf)
	b, err := appendFrame((*buf)[:0], f, h)
	if err != nil {
		return 0, err
	}
	*buf = b
	k, err := w.Write(b)
	return int64(k), err
}

// WriteMasked writes f to w with its payload masked by key.
func WriteMasked(w io.Writer, f Frame, key [4]byte) (int64, error) {
	h := f.Header()
	h.Masked, h.Mask = true, key
	return writeFrame(w, f, h)
}

// dataHeader builds the header of a data frame.
func dataHeader(op Opcode, fin bool, rsv byte, n int, w wire) Header {
	return w.apply(Header{Fin: fin, Rsv: rsv, Opcode: op, Length: int64(n)})
}

// Text is a frame that starts a text message (opcode 0x1). When Fin is false
// the message continues in Continuation frames. A text message's payload, once
// reassembled and decoded by any extension, must be valid UTF-8; the endpoint
// checks that across fragments.
type Text struct {
	Fin     bool   // the message ends with this frame
	Rsv     byte   // RSV bits claimed by extensions (Rsv1 for compression)
	Payload []byte // the unmasked payload
	wire
}

// Header implements Frame.
func (f *Text) Header() Header { return dataHeader(OpText, f.Fin, f.Rsv, len(f.Payload), f.wire) }

// AppendPayload implements Frame.
func (f *Text) AppendPayload(dst []byte) ([]byte, error) { return append(dst, f.Payload...), nil }

// AppendBinary implements encoding.BinaryAppender: it appends the frame's
// wire form to b.
func (f *Text) AppendBinary(b []byte) ([]byte, error) { return Append(b, f) }

// WriteTo implements io.WriterTo.
func (f *Text) WriteTo(w io.Writer) (int64, error) { return Write(w, f) }

// Binary is a frame that starts a binary message (opcode 0x2). When Fin is
// false the message continues in Continuation frames.
type Binary struct {
	Fin     bool   // the message ends with this frame
	Rsv     byte   // RSV bits claimed by extensions
	Payload []byte // the unmasked payload
	wire
}

// Header implements Frame.
func (f *Binary) Header() Header {
	return dataHeader(OpBinary, f.Fin, f.Rsv, len(f.Payload), f.wire)
}

// AppendPayload implements Frame.
func (f *Binary) AppendPayload(dst []byte) ([]byte, error) { return append(dst, f.Payload...), nil }

// AppendBinary implements encoding.BinaryAppender.
func (f *Binary) AppendBinary(b []byte) ([]byte, error) { return Append(b, f) }

// WriteTo implements io.WriterTo.
func (f *Binary) WriteTo(w io.Writer) (int64, error) { return Write(w, f) }

// Continuation is a later fragment of a text or binary message (opcode 0x0).
type Continuation struct {
	Fin     bool   // the message ends with this frame
	Rsv     byte   // RSV bits; extensions normally set them on the first frame only
	Payload []byte // the unmasked payload
	wire
}

// Header implements Frame.
func (f *Continuation) Header() Header {
	return dataHeader(OpContinuation, f.Fin, f.Rsv, len(f.Payload), f.wire)
}

// AppendPayload implements Frame.
func (f *Continuation) AppendPayload(dst []byte) ([]byte, error) {
	return append(dst, f.Payload...), nil
}

// AppendBinary implements encoding.BinaryAppender.
func (f *Continuation) AppendBinary(b []byte) ([]byte, error) { return Append(b, f) }

// WriteTo implements io.WriterTo.
func (f *Continuation) WriteTo(w io.Writer) (int64, error) { return Write(w, f) }

// Ping is a ping control frame (opcode 0x9); the peer answers it with a Pong
// carrying the same payload. The payload is at most 125 bytes.
type Ping struct {
	Payload []byte // application data, at most 125 bytes
	wire
}

// Header implements Frame.
func (f *Ping) Header() Header {
	return f.apply(Header{Fin: true, Opcode: OpPing, Length: int64(len(f.Payload))})
}

// AppendPayload implements Frame.
func (f *Ping) AppendPayload(dst []byte) ([]byte, error) { return appendControl(dst, f.Payload) }

// AppendBinary implements encoding.BinaryAppender.
func (f *Ping) AppendBinary(b []byte) ([]byte, error) { return Append(b, f) }

// WriteTo implements io.WriterTo.
func (f *Ping) WriteTo(w io.Writer) (int64, error) { return Write(w, f) }

// Pong is a pong control frame (opcode 0xA): the answer to a Ping, or an
// unsolicited heartbeat. The payload is at most 125 bytes.
type Pong struct {
	Payload []byte // application data, at most 125 bytes
	wire
}

// Header implements Frame.
func (f *Pong) Header() Header {
	return f.apply(Header{Fin: true, Opcode: OpPong, Length: int64(len(f.Payload))})
}

// AppendPayload implements Frame.
func (f *Pong) AppendPayload(dst []byte) ([]byte, error) { return appendControl(dst, f.Payload) }

// AppendBinary implements encoding.BinaryAppender.
func (f *Pong) AppendBinary(b []byte) ([]byte, error) { return Append(b, f) }

// WriteTo implements io.WriterTo.
func (f *Pong) WriteTo(w io.Writer) (int64, error) { return Write(w, f) }

func appendControl(dst, p []byte) ([]byte, error) {
	if len(p) > MaxControlPayload {
		return dst, ErrControlTooLong
	}
	return append(dst, p...), nil
}

// Raw is a frame written exactly as given, for testing other
// implementations: its header is sent unchanged, Length included, and nothing
// is checked. Use it to send a 200-byte ping, a fragmented close, a reserved
// opcode or a length that does not match the payload.
type Raw struct {
	Head    Header // sent as is; if Head.Masked, Payload is masked with Head.Mask
	Payload []byte // sent as is (masked when Head.Masked)
}

// Header implements Frame.
func (f *Raw) Header() Header { return f.Head }

// AppendPayload implements Frame.
func (f *Raw) AppendPayload(dst []byte) ([]byte, error) { return append(dst, f.Payload...), nil }

// AppendBinary implements encoding.BinaryAppender.
func (f *Raw) AppendBinary(b []byte) ([]byte, error) { return Append(b, f) }

// WriteTo implements io.WriterTo.
func (f *Raw) WriteTo(w io.Writer) (int64, error) { return Write(w, f) }
