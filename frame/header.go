package frame

import (
	"io"
	"math"
	"sync"

	"github.com/wskit/wskit/internal/hdr"
)

// The RSV bits as they sit in a header's first byte. Header.Rsv holds them in
// place, so a value is tested with h.Rsv&Rsv1 != 0.
const (
	Rsv1 byte = 0x40
	Rsv2 byte = 0x20
	Rsv3 byte = 0x10
)

// MaxHeaderSize is the longest encoded header: 2 bytes, a 64-bit length and a
// masking key.
const MaxHeaderSize = 14

// MaxControlPayload is the largest payload a control frame may carry.
const MaxControlPayload = 125

// Header is a decoded frame header (RFC 6455 §5.2).
type Header struct {
	Fin    bool    // this frame ends its message
	Rsv    byte    // the RSV1–RSV3 bits, in place (see Rsv1, Rsv2, Rsv3)
	Opcode Opcode  // the frame type
	Masked bool    // the payload is masked with Mask
	Mask   [4]byte // the masking key; meaningful only when Masked
	Length int64   // the payload length, 0 to 2^63-1
}

// Size returns the number of bytes h occupies on the wire.
func (h Header) Size() int {
	n := 2
	switch l := uint64(h.Length); { // as AppendTo encodes it, even when negative
	case l > math.MaxUint16:
		n += 8
	case l > 125:
		n += 2
	}
	if h.Masked {
		n += 4
	}
	return n
}

// AppendTo appends the wire form of h to dst and returns the extended slice.
// The length uses the shortest form, as RFC 6455 §5.2 requires. AppendTo
// encodes any header, including ones that break the protocol's rules (a
// 200-byte ping, a reserved opcode); the frame types check those rules.
func (h Header) AppendTo(dst []byte) []byte {
	b0 := byte(h.Opcode&0x0F) | h.Rsv&(Rsv1|Rsv2|Rsv3)
	if h.Fin {
		b0 |= 0x80
	}
	return hdr.Append(dst, b0, uint64(h.Length), h.Masked, h.Mask)
}

// headerLen returns the size of a header whose second byte is b1: the
// length form and the mask bit decide it.
func headerLen(b1 byte) int {
	n := 2
	switch b1 & 0x7F {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4
	}
	return n
}

// HeaderLen returns the size of the header whose first two bytes are in b, or
// 0 when b holds fewer than two bytes.
func HeaderLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	return headerLen(b[1])
}

// ParseHeader decodes the header at the start of b and returns it with its
// size. When b holds only part of a header it returns io.ErrUnexpectedEOF and
// a size of 0. A length with the most significant bit set fails with
// ErrLengthOverflow and a length not in its shortest form with
// ErrNonMinimalLength; ParseHeader checks nothing else (see Header.Validate).
func ParseHeader(b []byte) (Header, int, error) {
	u, n, ok := hdr.Length(b)
	if !ok {
		return Header{}, 0, io.ErrUnexpectedEOF
	}
	h := Header{
		Fin:    b[0]&0x80 != 0,
		Rsv:    b[0] & (Rsv1 | Rsv2 | Rsv3),
		Opcode: Opcode(b[0] & 0x0F),
		Masked: b[1]&0x80 != 0,
	}
	switch b[1] & 0x7F {
	case 126:
		h.Length = int64(u)
		if u <= 125 {
			return h, n, ErrNonMinimalLength
		}
	case 127:
		if u>>63 != 0 {
			return h, n, ErrLengthOverflow
		}
		h.Length = int64(u)
		if u <= math.MaxUint16 {
			return h, n, ErrNonMinimalLength
		}
	default:
		h.Length = int64(u)
	}
	if h.Masked {
		copy(h.Mask[:], b[n-4:n])
	}
	return h, n, nil
}

var headerBufs = sync.Pool{New: func() any { return new([MaxHeaderSize]byte) }}

// ReadHeader reads one header from r. It reads exactly the header's bytes and
// no more, so the payload can be read from r next. It does not allocate in
// steady state. A header cut short by the end of r yields io.ErrUnexpectedEOF
// (io.EOF when r ends before the first byte).
func ReadHeader(r io.Reader) (Header, error) {
	buf := headerBufs.Get().(*[MaxHeaderSize]byte)
	defer headerBufs.Put(buf)
	if _, err := io.ReadFull(r, buf[:2]); err != nil {
		return Header{}, err
	}
	n := headerLen(buf[1])
	if _, err := io.ReadFull(r, buf[2:n]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Header{}, err
	}
	h, _, err := ParseHeader(buf[:n])
	return h, err
}

// Validate checks the rules of RFC 6455 §5.5 that a header alone can break: a
// control frame must not be fragmented and must carry at most 125 bytes.
// Opcodes, RSV bits and masking depend on the role and on the extensions in
// use, so the parser checks those.
func (h Header) Validate() error {
	if h.Opcode.IsControl() {
		if !h.Fin {
			return ErrFragmentedControl
		}
		if h.Length > MaxControlPayload {
			return ErrControlTooLong
		}
	}
	return nil
}
