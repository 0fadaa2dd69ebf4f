package frame

import "strconv"

// Opcode is the 4-bit frame type of RFC 6455 §5.2.
type Opcode byte

// The opcodes defined by RFC 6455. Opcodes 0x3–0x7 and 0xB–0xF are reserved.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

// IsControl reports whether o is a control opcode (0x8–0xF).
func (o Opcode) IsControl() bool { return o&0x8 != 0 }

// IsData reports whether o starts or continues a data message (0x0–0x7).
func (o Opcode) IsData() bool { return o&0x8 == 0 }

// IsReserved reports whether RFC 6455 leaves o undefined (0x3–0x7, 0xB–0xF).
func (o Opcode) IsReserved() bool {
	switch o {
	case OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong:
		return false
	}
	return true
}

var opNames = [16]string{
	OpContinuation: "continuation",
	OpText:         "text",
	OpBinary:       "binary",
	OpClose:        "close",
	OpPing:         "ping",
	OpPong:         "pong",
}

// String returns the opcode's name, or "reserved(0xN)" for a reserved one.
func (o Opcode) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "reserved(0x" + strconv.FormatUint(uint64(o), 16) + ")"
}
