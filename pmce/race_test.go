//go:build race

package pmce

// raceEnabled is set under the race detector, which slows compression
// down tenfold and makes sync.Pool drop values at random, so the tests
// use fewer messages and skip exact allocation counts.
const raceEnabled = true
