// Package frametest holds what the tests of several packages share to
// compare frames and to size benchmarks.
package frametest

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/wskit/wskit/frame"
)

// BenchSizes are the payload sizes the wire-level benchmarks run at.
var BenchSizes = []int{16, 1 << 10, 64 << 10, 1 << 20}

// Frame is a comparable copy of a frame: its type, header and payload.
type Frame struct {
	Type    string
	Header  frame.Header
	Payload []byte
}

// Record copies f, which may be reused by its decoder afterwards. A close
// frame decoded leniently, which may not encode, is recorded as it came.
func Record(f frame.Frame) Frame {
	r := Frame{Type: fmt.Sprintf("%T", f), Header: f.Header()}
	switch f := f.(type) {
	case *frame.Text:
		r.Payload = bytes.Clone(f.Payload)
	case *frame.Binary:
		r.Payload = bytes.Clone(f.Payload)
	case *frame.Continuation:
		r.Payload = bytes.Clone(f.Payload)
	case *frame.Ping:
		r.Payload = bytes.Clone(f.Payload)
	case *frame.Pong:
		r.Payload = bytes.Clone(f.Payload)
	case *frame.Raw:
		r.Payload = bytes.Clone(f.Payload)
	case *frame.Close:
		if f.Code != 0 && f.Code != frame.CloseNoStatus || f.Reason != "" {
			r.Payload = binary.BigEndian.AppendUint16(nil, uint16(f.Code))
			r.Payload = append(r.Payload, f.Reason...)
		}
	default:
		p, err := f.AppendPayload(nil)
		if err != nil {
			panic(fmt.Sprintf("AppendPayload(%T): %v", f, err))
		}
		r.Payload = p
	}
	return r
}
