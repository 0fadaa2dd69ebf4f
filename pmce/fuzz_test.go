package pmce

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzInflate decompresses arbitrary payloads, with and without context
// takeover, whole and streamed: it must never panic, never return more
// than the limit, fail only with ErrCorrupt or ErrTooBig, and agree between
// the whole and the streamed forms.
func FuzzInflate(f *testing.F) {
	for _, s := range []string{
		"f248cdc9c90700", "f20011 0000", "000500faff48656c6c6f00", "f348cdc9c9070000",
		"f2480500000 0ffffcac9c90700", "00", "", "ff", "04c02100 00",
	} {
		f.Add(unhexLoose(s), uint16(100))
	}
	f.Add(bomb(f, 2), uint16(5000))
	f.Fuzz(func(t *testing.T, payload []byte, limit16 uint16) {
		limit := int(limit16) + 1
		for _, p := range []Params{fullWindow, {ServerNoContextTakeover: true, ServerMaxWindowBits: 9, ClientMaxWindowBits: 15}} {
			whole := newCodec(false, p, 1, 0)
			streamed := newCodec(false, p, 1, 0)
			for range 2 { // twice, so the second sees the first's window
				out, err := whole.Decompress(nil, payload, limit)
				if len(out) > limit {
					t.Fatalf("%d bytes over the limit %d", len(out), limit)
				}
				if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooBig) {
					t.Fatalf("unexpected error %v", err)
				}
				r := streamed.NewReader(bytes.NewReader(payload), int64(limit))
				var buf bytes.Buffer
				_, serr := buf.ReadFrom(r)
				r.Close()
				if buf.Len() > limit {
					t.Fatalf("streamed %d bytes over the limit %d", buf.Len(), limit)
				}
				if (err == nil) != (serr == nil) || err == nil && !bytes.Equal(out, buf.Bytes()) {
					t.Fatalf("whole %v, streamed %v", err, serr)
				}
				if err != nil {
					break
				}
			}
		}
	})
}

func unhexLoose(s string) []byte {
	var b []byte
	var hi int = -1
	for _, c := range s {
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'a' && c <= 'f':
			v = int(c-'a') + 10
		default:
			continue
		}
		if hi < 0 {
			hi = v
		} else {
			b = append(b, byte(hi<<4|v))
			hi = -1
		}
	}
	return b
}
