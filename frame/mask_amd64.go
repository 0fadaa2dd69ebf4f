//go:build amd64 && !purego

package frame

// asmMin is the shortest payload worth the vector path's call.
const asmMin = 256

// useAsm is true when the CPU and the OS support AVX2. Tests turn it off to
// check the pure-Go path.
var useAsm = hasAVX2()

// maskAsm XORs the n bytes at p with the key repeated in key; n is a
// multiple of 32.
//
//go:noescape
func maskAsm(p *byte, n int, key uint64)

// maskCopyAsm writes the n bytes at src, XORed with the key repeated in
// key, to dst; n is a multiple of 32. dst and src do not overlap.
//
//go:noescape
func maskCopyAsm(dst, src *byte, n int, key uint64)

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

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
