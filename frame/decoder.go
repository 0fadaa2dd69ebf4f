package frame

import "errors"

// ParseFunc decodes a frame of an opcode that an extension defines. It gets
// the header and the unmasked payload, which stays valid only until the
// decoder's next call; a ParseFunc that keeps it must copy it.
type ParseFunc func(h Header, payload []byte) (Frame, error)

// Decoder turns a header and its unmasked payload into the Frame of the
// header's opcode. It keeps one value of each frame type and reuses it, so
// decoding does not allocate (a close reason excepted): a returned frame is
// valid until the next call to Decode.
//
// An extension gives a reserved opcode a meaning with Register; reserved
// opcodes nobody registered fail with ErrReservedOpcode. The zero Decoder is
// ready to use.
type Decoder struct {
	// Lenient decodes frames that break the rules instead of failing, for
	// tools that test other implementations: a close frame with an invalid
	// code or reason as a *Close, and an unregistered opcode or a control
	// frame that is fragmented, carries RSV bits or is longer than 125
	// bytes as a *Raw, which keeps every bit of its header.
	Lenient bool

	text   Text
	binary Binary
	cont   Continuation
	close  Close
	ping   Ping
	pong   Pong
	raw    Raw
	ext    *[16]ParseFunc // nil until Register: a Decoder stays small
}

// ErrNotReserved is returned by Register for an opcode RFC 6455 defines.
var ErrNotReserved = errors.New("websocket: only reserved opcodes can be registered")

// Register makes op, a reserved opcode, decode with fn.
func (d *Decoder) Register(op Opcode, fn ParseFunc) error {
	if op > 0xF || !op.IsReserved() {
		return ErrNotReserved
	}
	if d.ext == nil {
		d.ext = new([16]ParseFunc)
	}
	d.ext[op] = fn
	return nil
}

// Registered reports whether op has a meaning: it is defined by RFC 6455 or
// was registered by an extension.
func (d *Decoder) Registered(op Opcode) bool {
	return op <= 0xF && (!op.IsReserved() || d.ext != nil && d.ext[op] != nil)
}

// Decode returns the frame that h and payload make. payload must already be
// unmasked and hold exactly h.Length bytes.
func (d *Decoder) Decode(h Header, payload []byte) (Frame, error) {
	w := wire{h.Masked, h.Mask}
	if d.Lenient && h.Opcode.IsControl() && (!h.Fin || h.Rsv != 0 || h.Length > MaxControlPayload) {
		// The control types cannot hold FIN, RSV bits or a long payload:
		// a Raw keeps everything the wire said.
		d.raw = Raw{Head: h, Payload: payload}
		return &d.raw, nil
	}
	// Data frames, the hot path, are filled field by field: assigning a
	// whole struct value made the compiler build it on the stack and copy
	// it with wide loads of bytes just stored one at a time (a
	// store-forwarding stall), about a tenth of reading a 16-byte message.
	switch h.Opcode {
	case OpText:
		f := &d.text
		f.Fin, f.Rsv, f.Payload, f.masked, f.key = h.Fin, h.Rsv, payload, h.Masked, h.Mask
		return f, nil
	case OpBinary:
		f := &d.binary
		f.Fin, f.Rsv, f.Payload, f.masked, f.key = h.Fin, h.Rsv, payload, h.Masked, h.Mask
		return f, nil
	case OpContinuation:
		f := &d.cont
		f.Fin, f.Rsv, f.Payload, f.masked, f.key = h.Fin, h.Rsv, payload, h.Masked, h.Mask
		return f, nil
	case OpPing:
		d.ping = Ping{Payload: payload, wire: w}
		return &d.ping, nil
	case OpPong:
		d.pong = Pong{Payload: payload, wire: w}
		return &d.pong, nil
	case OpClose:
		d.close.wire = w
		err := ParseClose(payload, &d.close)
		if d.Lenient {
			err = nil
		}
		return &d.close, err
	}
	if d.ext != nil {
		if fn := d.ext[h.Opcode&0xF]; fn != nil {
			return fn(h, payload)
		}
	}
	d.raw = Raw{Head: h, Payload: payload}
	if d.Lenient {
		return &d.raw, nil
	}
	return &d.raw, ErrReservedOpcode
}
