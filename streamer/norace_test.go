//go:build !race

package streamer_test

const raceEnabled = false
