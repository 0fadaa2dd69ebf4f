package endpoint

import (
	"sync"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/hdr"
)

// SharedEncoder is a Codec that can say when its encoding of a message
// depends on nothing but the message. Codecs that return the same key
// encode a message into the same bytes, so a PreparedMessage encodes it
// once for all of them. A codec whose own encoding keeps context between
// messages (permessage-deflate's context takeover) shares one all the same
// if it is a ContextEncoder too, as pmce.Codec is.
type SharedEncoder interface {
	Codec
	// SharedEncoding returns the key, comparable and the same for every
	// codec that encodes alike, and ok true; or ok false when the
	// encoding depends on the connection.
	SharedEncoding() (key any, ok bool)
}

// ContextEncoder is a SharedEncoder whose own encoding of a message may
// depend on the messages before it, but which can encode one without
// that context for all the codecs of its key, and keep its context in step
// with the peer's after such a message was sent in place of its own.
type ContextEncoder interface {
	SharedEncoder
	// EncodeShared encodes src as every codec of the key does; it is
	// EncodeMessage without the connection's context.
	EncodeShared(dst, src []byte, op frame.Opcode) ([]byte, byte, error)
	// SentShared tells the codec that data, encoded by EncodeShared and
	// sent with the RSV bits rsv, goes out on its connection after the
	// messages it encoded before and before those it encodes next.
	SentShared(data []byte, rsv byte)
}

// PreparedMessage is a message encoded once and sent to any number of
// server Endpoints, as a broadcast does: its frame is built on first use
// for each kind of connection — one without extensions, and one per
// shared encoding of the extensions (permessage-deflate without context
// takeover is compressed once for all the connections that agreed the same
// parameters, and so is a message to connections with context takeover,
// compressed without it: see ContextEncoder) — and written as it is after
// that, without allocating. Connections whose encoding is their own and
// clients, which mask each frame with a fresh key, get the message as
// WriteMessage sends it. A PreparedMessage is safe for concurrent use.
type PreparedMessage struct {
	op   frame.Opcode
	data []byte

	mu     sync.RWMutex
	frames []preparedFrame // few: one per kind of connection
}

// preparedFrame is the message's frame for the connections of one key (nil
// for those without extensions).
type preparedFrame struct {
	key any
	b   []byte
}

// NewPreparedMessage prepares data as one message of type op (frame.OpText
// or frame.OpBinary); it keeps a copy of data.
func NewPreparedMessage(op frame.Opcode, data []byte) (*PreparedMessage, error) {
	if op != frame.OpText && op != frame.OpBinary {
		return nil, ErrOpcode
	}
	return &PreparedMessage{op: op, data: append([]byte(nil), data...)}, nil
}

// Type returns the message's type.
func (pm *PreparedMessage) Type() frame.Opcode { return pm.op }

// Data returns the message's payload, which must not be modified.
func (pm *PreparedMessage) Data() []byte { return pm.data }

// frame returns the frame for key, encoding it with c (nil for no
// extension) if no connection of that key has asked before.
func (pm *PreparedMessage) frame(key any, c Codec) ([]byte, error) {
	pm.mu.RLock()
	for _, f := range pm.frames {
		if f.key == key {
			pm.mu.RUnlock()
			return f.b, nil
		}
	}
	pm.mu.RUnlock()
	pm.mu.Lock()
	defer pm.mu.Unlock()
	for _, f := range pm.frames {
		if f.key == key {
			return f.b, nil
		}
	}
	payload, rsv := pm.data, byte(0)
	if c != nil {
		var out []byte
		var bits byte
		var err error
		if ce, ok := c.(ContextEncoder); ok {
			out, bits, err = ce.EncodeShared(nil, pm.data, pm.op)
		} else {
			out, bits, err = c.EncodeMessage(nil, pm.data, pm.op)
		}
		if err != nil {
			return nil, err
		}
		payload, rsv = out, bits
	}
	b0 := 0x80 | rsv&(frame.Rsv1|frame.Rsv2|frame.Rsv3) | byte(pm.op)
	b := hdr.Append(make([]byte, 0, frame.MaxHeaderSize+len(payload)), b0, uint64(len(payload)), false, [4]byte{})
	b = append(b, payload...)
	pm.frames = append(pm.frames, preparedFrame{key: key, b: b})
	return b, nil
}

// WritePrepared sends pm. A server Endpoint without extensions, or whose
// only extension encodes alike for many connections (SharedEncoder), writes
// the frame pm holds for its kind, built by the first such Endpoint, in one
// Write and without allocating; any other Endpoint sends pm as WriteMessage
// does. It waits for a message a NextWriter is sending to end, and after a
// close frame was sent it fails with ErrClosed.
func (e *Endpoint) WritePrepared(pm *PreparedMessage) error {
	if e.cfg.keys == nil && len(e.exts()) == 0 {
		// The common case takes one lock, as WriteMessage's does.
		b, err := pm.frame(nil, nil)
		if err != nil {
			return err
		}
		e.frameMu.Lock()
		if !e.out.streaming {
			err := e.writeFramed(b)
			e.frameMu.Unlock()
			return err
		}
		e.frameMu.Unlock()
	}
	e.msgMu.Lock()
	defer e.msgMu.Unlock()
	b, err := e.preparedFrame(pm)
	if err != nil {
		return err
	}
	if b == nil {
		return e.writeMessage(pm.op, pm.data)
	}
	e.frameMu.Lock()
	defer e.frameMu.Unlock()
	return e.writeFramed(b)
}

// writeFramed writes a whole encoded frame; frameMu is held.
func (e *Endpoint) writeFramed(b []byte) error {
	if err := e.usable(); err != nil {
		return err
	}
	return e.write(b)
}
