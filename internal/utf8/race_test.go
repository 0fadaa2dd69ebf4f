//go:build race

package utf8

// raceEnabled is set under the race detector, which slows the exhaustive
// tests enough that they check fewer positions.
const raceEnabled = true
