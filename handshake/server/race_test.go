//go:build race

package server_test

// raceEnabled is set under the race detector, which makes sync.Pool drop
// values at random, so allocation counts that rest on a pool do not hold.
const raceEnabled = true
