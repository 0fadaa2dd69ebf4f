//go:build amd64 && !purego

package frame

import "github.com/wskit/wskit/internal/cpu"

// asmMin is the shortest payload worth the vector path's call.
const asmMin = 256

// useAsm is true when the CPU and the OS support AVX2. Tests turn it off to
// check the pure-Go path.
var useAsm = cpu.AVX2

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
