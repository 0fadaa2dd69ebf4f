//go:build !amd64 || purego

package frame

const asmMin = 0

// useAsm is false: this build has only the pure-Go path.
var useAsm = false

func maskAsm(p *byte, n int, key uint64) { panic("unreachable") }

func maskCopyAsm(dst, src *byte, n int, key uint64) { panic("unreachable") }
