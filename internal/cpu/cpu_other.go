//go:build !amd64 || purego

package cpu

// AVX2 reports whether the CPU has AVX2 and the OS saves the YMM registers:
// never, on this platform or build.
var AVX2 = false
