//go:build amd64 && !purego

#include "textflag.h"

// The lookup algorithm of Keiser and Lemire, "Validating UTF-8 In Less Than
// One Instruction Per Byte" (2021). Every byte is checked together with the
// one before it: three table lookups, indexed by the high and the low nibble
// of the previous byte and the high nibble of the current one, are ANDed, and
// a bit that survives names an error of the pair:
//
//	0x01 too short   lead byte followed by ASCII or another lead byte
//	0x02 too long    ASCII followed by a continuation byte
//	0x04 overlong 3  E0 followed by 80..9F
//	0x08 too large   F4 followed by 90..BF, F5..FF followed by 90..BF
//	0x10 surrogate   ED followed by A0..BF
//	0x20 overlong 2  C0, C1 followed by a continuation byte
//	0x40 too large   F5..FF followed by 80..8F, or overlong 4: F0 then 80..8F
//	0x80 two continuation bytes in a row
//
// Bit 0x80 is an error only where the byte is not the third or the fourth of
// a sequence: the byte two back is E0..FF or the byte three back F0..FF.
// That requirement is computed apart and XORed in, so a third or fourth byte
// that is not a continuation byte is caught as well.

// High nibble of the previous byte.
DATA prevHigh<>+0(SB)/8, $0x0202020202020202
DATA prevHigh<>+8(SB)/8, $0x4915012180808080
DATA prevHigh<>+16(SB)/8, $0x0202020202020202
DATA prevHigh<>+24(SB)/8, $0x4915012180808080
GLOBL prevHigh<>(SB), RODATA|NOPTR, $32

// Low nibble of the previous byte.
DATA prevLow<>+0(SB)/8, $0xCBCBCB8B8383A3E7
DATA prevLow<>+8(SB)/8, $0xCBCBDBCBCBCBCBCB
DATA prevLow<>+16(SB)/8, $0xCBCBCB8B8383A3E7
DATA prevLow<>+24(SB)/8, $0xCBCBDBCBCBCBCBCB
GLOBL prevLow<>(SB), RODATA|NOPTR, $32

// High nibble of the current byte.
DATA curHigh<>+0(SB)/8, $0x0101010101010101
DATA curHigh<>+8(SB)/8, $0x01010101BABAAEE6
DATA curHigh<>+16(SB)/8, $0x0101010101010101
DATA curHigh<>+24(SB)/8, $0x01010101BABAAEE6
GLOBL curHigh<>(SB), RODATA|NOPTR, $32

// A block whose last three bytes exceed these ends inside a code point: the
// last byte is a lead byte, or the one before starts a 3- or 4-byte
// sequence, or the one before that a 4-byte sequence.
DATA incompleteMax<>+0(SB)/8, $0xFFFFFFFFFFFFFFFF
DATA incompleteMax<>+8(SB)/8, $0xFFFFFFFFFFFFFFFF
DATA incompleteMax<>+16(SB)/8, $0xFFFFFFFFFFFFFFFF
DATA incompleteMax<>+24(SB)/8, $0xBFDFEFFFFFFFFFFF
GLOBL incompleteMax<>(SB), RODATA|NOPTR, $32

DATA nibble<>+0(SB)/8, $0x0F0F0F0F0F0F0F0F
DATA nibble<>+8(SB)/8, $0x0F0F0F0F0F0F0F0F
DATA nibble<>+16(SB)/8, $0x0F0F0F0F0F0F0F0F
DATA nibble<>+24(SB)/8, $0x0F0F0F0F0F0F0F0F
GLOBL nibble<>(SB), RODATA|NOPTR, $32

// Subtracted with saturation, these leave 0x80 set only in E0..FF (third
// byte) and in F0..FF (fourth byte).
DATA third<>+0(SB)/8, $0x6060606060606060
DATA third<>+8(SB)/8, $0x6060606060606060
DATA third<>+16(SB)/8, $0x6060606060606060
DATA third<>+24(SB)/8, $0x6060606060606060
GLOBL third<>(SB), RODATA|NOPTR, $32

DATA fourth<>+0(SB)/8, $0x7070707070707070
DATA fourth<>+8(SB)/8, $0x7070707070707070
DATA fourth<>+16(SB)/8, $0x7070707070707070
DATA fourth<>+24(SB)/8, $0x7070707070707070
GLOBL fourth<>(SB), RODATA|NOPTR, $32

DATA high<>+0(SB)/8, $0x8080808080808080
DATA high<>+8(SB)/8, $0x8080808080808080
DATA high<>+16(SB)/8, $0x8080808080808080
DATA high<>+24(SB)/8, $0x8080808080808080
GLOBL high<>(SB), RODATA|NOPTR, $32

// func validAsm(p *byte, n int) bool
//
// Y0 previous block, Y1 its incomplete end, Y2 errors so far,
// Y3 current block, Y4-Y7 scratch, Y8-Y14 constants.
TEXT ·validAsm(SB), NOSPLIT, $0-17
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	VPXOR   Y0, Y0, Y0
	VPXOR   Y1, Y1, Y1
	VPXOR   Y2, Y2, Y2
	VMOVDQU prevHigh<>(SB), Y8
	VMOVDQU prevLow<>(SB), Y9
	VMOVDQU curHigh<>(SB), Y10
	VMOVDQU incompleteMax<>(SB), Y11
	VMOVDQU nibble<>(SB), Y12
	VMOVDQU third<>(SB), Y13
	VMOVDQU fourth<>(SB), Y14

loop:
	VMOVDQU   (SI), Y3
	VPMOVMSKB Y3, AX
	TESTL     AX, AX
	JNZ       multibyte

	// ASCII only: fine unless the previous block ended inside a code point
	// (then Y2 is no longer zero and the loop ends, so Y1 need not be
	// cleared).
	VPOR    Y1, Y2, Y2
	VMOVDQU Y3, Y0
	JMP     next

multibyte:
	// Y4 = previous block's high lane, current block's low lane; the
	// previous one, two and three bytes of every position are then
	// alignments of the current block after Y4.
	VPERM2I128 $0x21, Y3, Y0, Y4
	VPALIGNR   $15, Y4, Y3, Y5 // prev1
	VPALIGNR   $14, Y4, Y3, Y6 // prev2
	VPALIGNR   $13, Y4, Y3, Y7 // prev3

	VPSRLW  $4, Y5, Y0
	VPAND   Y12, Y0, Y0
	VPSHUFB Y0, Y8, Y0
	VPAND   Y12, Y5, Y5
	VPSHUFB Y5, Y9, Y5
	VPAND   Y5, Y0, Y0
	VPSRLW  $4, Y3, Y5
	VPAND   Y12, Y5, Y5
	VPSHUFB Y5, Y10, Y5
	VPAND   Y5, Y0, Y0 // errors of each pair, 0x80 for two continuations

	VPSUBUSB Y13, Y6, Y6
	VPSUBUSB Y14, Y7, Y7
	VPOR     Y6, Y7, Y7
	VPAND    high<>(SB), Y7, Y7 // 0x80 where a continuation byte must be
	VPXOR    Y7, Y0, Y0
	VPOR     Y0, Y2, Y2

	VPSUBUSB Y11, Y3, Y1
	VMOVDQU  Y3, Y0

next:
	// Fail fast.
	VPTEST Y2, Y2
	JNZ    fail
	ADDQ   $32, SI
	SUBQ   $32, CX
	JNZ    loop
	VZEROUPPER
	MOVB   $1, ret+16(FP)
	RET

fail:
	VZEROUPPER
	MOVB $0, ret+16(FP)
	RET

