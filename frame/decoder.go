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
	ext    [16]ParseFunc
}

// ErrNotReserved is returned by Register for an opcode RFC 6455 defines.
var ErrNotReserved = errors.New("websocket: only reserved opcodes can be registered")

// Register makes op, a reserved opcode, decode with fn.
func (d *Decoder) Register(op Opcode, fn ParseFunc) error {
	if op > 0xF || !op.IsReserved() {
		return ErrNotReserved
	}
	d.ext[op] = fn
	return nil
}

// Registered reports whether op has a meaning: it is defined by RFC 6455 or
// was registered by an extension.
func (d *Decoder) Registered(op Opcode) bool {
	return op <= 0xF && (!op.IsReserved() || d.ext[op] != nil)
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
	switch h.Opcode {
	case OpText:
		d.text = Text{Fin: h.Fin, Rsv: h.Rsv, Payload: payload, wire: w}
		return &d.text, nil
	case OpBinary:
		d.binary = Binary{Fin: h.Fin, Rsv: h.Rsv, Payload: payload, wire: w}
		return &d.binary, nil
	case OpContinuation:
		d.cont = Continuation{Fin: h.Fin, Rsv: h.Rsv, Payload: payload, wire: w}
		return &d.cont, nil
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
	if fn := d.ext[h.Opcode&0xF]; fn != nil {
		return fn(h, payload)
	}
	d.raw = Raw{Head: h, Payload: payload}
	if d.Lenient {
		return &d.raw, nil
	}
	return &d.raw, ErrReservedOpcode
}
