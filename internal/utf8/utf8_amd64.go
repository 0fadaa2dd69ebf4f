//go:build amd64 && !purego

package utf8

// asmMin is the shortest input worth the vector path's call.
const asmMin = 64

// useAsm is true when the CPU and the OS support AVX2. Tests turn it off to
// check the pure-Go path.
var useAsm = hasAVX2()

// validAsm reports whether the n bytes at p, n a positive multiple of 32,
// hold no invalid UTF-8, with the start of p taken as a code point boundary.
// A code point left unfinished at the end of the n bytes is not reported:
// the caller checks the last code point again (see Validator.write).
//
//go:noescape
func validAsm(p *byte, n int) bool

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// hasAVX2 is frame's CPU check (internal/utf8 cannot import frame).
func hasAVX2() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx, _ := cpuid(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if ecx&osxsave == 0 || ecx&avx == 0 {
		return false
	}
	// The OS must save the YMM registers (XCR0 bits 1 and 2).
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, ebx, _, _ := cpuid(7, 0)
	return ebx&(1<<5) != 0
}
