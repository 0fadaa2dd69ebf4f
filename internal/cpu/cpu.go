// Package cpu tells which vector instructions the CPU and the OS support,
// for the packages that have assembly paths (frame's masking,
// internal/utf8's validation): one check, made once.
package cpu
