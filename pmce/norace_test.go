//go:build !race

package pmce

const raceEnabled = false
