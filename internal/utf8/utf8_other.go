//go:build !amd64 || purego

package utf8

const asmMin = 64

// useAsm is false: this build has only the pure-Go path.
var useAsm = false

func validAsm(p *byte, n int) bool { panic("unreachable") }
