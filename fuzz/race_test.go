//go:build race

package fuzz

// raceEnabled is set under the race detector, which makes sync.Pool drop
// buffers at random, so exact allocation counts do not hold.
const raceEnabled = true
