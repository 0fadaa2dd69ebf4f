package parser

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
)

// TestQuickAgreesWithCheck compares the quick header path with
// frame.ParseHeader and check for every pair of first bytes, under every
// configuration that changes what check accepts: quick may decline a
// header, but a header it accepts must be one the general path accepts, and
// decoded the same.
func TestQuickAgreesWithCheck(t *testing.T) {
	ext := func(h frame.Header, payload []byte) (frame.Frame, error) { return nil, nil }
	configs := map[string][]Option{
		"none":             nil,
		"server":           {Role(frame.Server)},
		"client":           {Role(frame.Client)},
		"server rsv1":      {Role(frame.Server), AllowRsv(frame.Rsv1)},
		"client rsv all":   {Role(frame.Client), AllowRsv(frame.Rsv1 | frame.Rsv2 | frame.Rsv3)},
		"server opcode 3":  {Role(frame.Server), Register(3, ext)},
		"server opcode 11": {Role(frame.Server), Register(11, ext)},
		"max payload 10":   {Role(frame.Server), MaxPayload(10)},
		"illegal":          {Role(frame.Server), AllowIllegal()},
		"illegal max 1":    {AllowIllegal(), MaxPayload(1)},
	}
	for name, opts := range configs {
		p := New(nil, opts...)
		accepted := 0
		for b0 := range 256 {
			for b1 := range 256 {
				data := []byte{byte(b0), byte(b1), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
				h, hl, ok := p.quick(data)
				if !ok {
					continue
				}
				accepted++
				want, wantLen, err := frame.ParseHeader(data)
				if err == nil {
					err = p.check(want)
				}
				if err != nil {
					t.Fatalf("%s: % x: quick accepts, check says %v", name, data[:2], err)
				}
				if diff := cmp.Diff(want, h); diff != "" || hl != wantLen {
					t.Fatalf("%s: % x: quick header (-want +got):\n%s\nlength %d, want %d", name, data[:2], diff, hl, wantLen)
				}
			}
		}
		// The quick path must serve the common frames, or it is dead code.
		if accepted == 0 {
			t.Errorf("%s: quick accepts no header", name)
		}
		if _, _, ok := p.quick([]byte{0x81, 0x80}); ok {
			t.Errorf("%s: quick accepts a header cut short", name)
		}
	}
}
