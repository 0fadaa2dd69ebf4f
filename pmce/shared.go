package pmce

import (
	"sync"

	"github.com/wskit/wskit/frame"
)

// sharedKey is what a message compressed without context takeover depends
// on: the compressor (level and window) and the threshold below which a
// message goes out as it is. Codecs with the same key turn a message into
// the same bytes.
type sharedKey struct {
	kind      writerKind
	threshold int
}

var sharedKeys sync.Map // sharedKey -> *sharedKey

// internKey returns the one *sharedKey equal to k, so that a key is a
// pointer that converts to an interface without allocating.
func internKey(k sharedKey) *sharedKey {
	if v, ok := sharedKeys.Load(k); ok {
		return v.(*sharedKey)
	}
	v, _ := sharedKeys.LoadOrStore(k, &k)
	return v.(*sharedKey)
}

// SharedEncoding returns the key that every codec encoding a message into
// the same bytes without context shares, and ok true: a message encoded
// once by EncodeShared of any codec of a key can be sent by all of them,
// as endpoint.PreparedMessage does. It implements endpoint.SharedEncoder.
//
// Without context takeover on the sending side, that is how the codec
// encodes every message. With it, EncodeShared leaves out the context,
// which RFC 7692 allows (a sender chooses what its messages refer to), and
// SentShared tells the codec to keep its context in step with the peer's.
func (c *Codec) SharedEncoding() (key any, ok bool) {
	return c.shared, true
}

// EncodeShared is EncodeMessage for a message sent to many connections:
// it encodes src as every codec of the same SharedEncoding key does,
// compressed by a compressor from the pool that refers to nothing sent
// before, whatever the codec's class, and touches none of the codec's
// state. It implements endpoint.ContextEncoder.
func (c *Codec) EncodeShared(dst, src []byte, op frame.Opcode) ([]byte, byte, error) {
	if len(src) < c.threshold {
		return append(dst, src...), 0, nil
	}
	w := getWriter(c.enc.kind)
	out, err := compressWith(w, dst, src)
	putWriter(w)
	if err != nil {
		return dst, 0, err
	}
	if len(out)-len(dst) >= len(src) {
		// Uncompressed, it is in no window: nothing depends on it.
		return append(dst, src...), 0, nil
	}
	return out, frame.Rsv1, nil
}

// SentShared tells the codec that a message encoded by EncodeShared, data
// sent with the RSV bits rsv, went out on its connection, in its place in
// the order of the codec's messages. A compressed one is now in the peer's
// window but not in this side's compressor: under context takeover, a
// SlidingWindow class adds data to its window, and a kept compressor
// forgets its history (a Leased one goes back to the pool), so that no
// later message refers to the wrong bytes. Call it between messages; one
// that is being compressed keeps its context until it ends. It implements
// endpoint.ContextEncoder.
func (c *Codec) SentShared(data []byte, rsv byte) {
	if rsv&frame.Rsv1 != 0 && c.enc.takeover {
		c.enc.dropContext(data)
	}
}
