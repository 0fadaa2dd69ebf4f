package pmce

import "sync"

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

// SharedEncoding reports whether the codec compresses each message on its
// own, keeping nothing between messages (no context takeover on its
// sending side), and then returns a key that every codec compressing a
// message into the same bytes shares: a message encoded once by any codec
// of a key can be sent by all of them, as endpoint.PreparedMessage does. It
// implements endpoint.SharedEncoder.
func (c *Codec) SharedEncoding() (key any, ok bool) {
	if c.shared == nil {
		return nil, false
	}
	return c.shared, true
}
