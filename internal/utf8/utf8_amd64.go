//go:build amd64 && !purego

package utf8

import "github.com/wskit/wskit/internal/cpu"

// asmMin is the shortest input worth the vector path's call.
const asmMin = 64

// useAsm is true when the CPU and the OS support AVX2. Tests turn it off to
// check the pure-Go path.
var useAsm = cpu.AVX2

// validAsm reports whether the n bytes at p, n a positive multiple of 32,
// hold no invalid UTF-8, with the start of p taken as a code point boundary.
// A code point left unfinished at the end of the n bytes is not reported:
// the caller checks the last code point again (see Validator.write).
//
//go:noescape
func validAsm(p *byte, n int) bool
