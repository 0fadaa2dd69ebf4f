// Package race tells tests whether the race detector is on: under it,
// sync.Pool drops items at random and code runs many times slower, so
// allocation counts and timings are not checked then.
package race
