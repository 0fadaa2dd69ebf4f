package server_test

import (
	"encoding/binary"
	"errors"
	"io"
)

// The frame packages of wskit are written in parallel with this one; these
// helpers write and read the few frames the tests exchange, by hand.

// writeFrame writes one final frame with opcode op; a client masks it.
func writeFrame(w io.Writer, op byte, payload []byte, mask bool) error {
	b := []byte{0x80 | op}
	m := byte(0)
	if mask {
		m = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b = append(b, m|byte(n))
	case n <= 0xffff:
		b = append(b, m|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, m|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	p := append([]byte(nil), payload...)
	if mask {
		key := [4]byte{0x12, 0x34, 0x56, 0x78}
		b = append(b, key[:]...)
		for i := range p {
			p[i] ^= key[i%4]
		}
	}
	_, err := w.Write(append(b, p...))
	return err
}

// readFrame reads one final frame and returns its opcode, its unmasked
// payload and whether it was masked.
func readFrame(r io.Reader) (op byte, payload []byte, masked bool, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return 0, nil, false, err
	}
	if h[0]&0x80 == 0 {
		return 0, nil, false, errors.New("fragmented frame")
	}
	op, masked = h[0]&0x0f, h[1]&0x80 != 0
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 1<<20 {
		return 0, nil, false, errors.New("frame too large for a test")
	}
	var key [4]byte
	if masked {
		if _, err = io.ReadFull(r, key[:]); err != nil {
			return
		}
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	if masked {
		for i := range payload {
			payload[i] ^= key[i%4]
		}
	}
	return op, payload, masked, nil
}

const (
	opText  = 1
	opClose = 8
)

// echo reads masked frames from r and writes them back unmasked to w
// until a close frame, which it answers, or an error.
func echo(r io.Reader, w io.Writer) error {
	for {
		op, p, masked, err := readFrame(r)
		if err != nil {
			return err
		}
		if !masked {
			return errors.New("client frame not masked")
		}
		if err := writeFrame(w, op, p, false); err != nil {
			return err
		}
		if op == opClose {
			return nil
		}
	}
}
