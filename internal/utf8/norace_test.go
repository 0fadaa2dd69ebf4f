//go:build !race

package utf8

const raceEnabled = false
