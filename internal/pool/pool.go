// Package pool keeps byte buffers in power-of-two size classes, so that a
// buffer for a large frame or message is borrowed for as long as it is needed
// and not held by an idle connection.
package pool

import (
	"math/bits"
	"sync"
)

const (
	minShift = 9  // 512 B
	maxShift = 26 // 64 MiB; larger buffers are not pooled
)

var classes [maxShift + 1]sync.Pool

// class returns the size class that holds n bytes.
func class(n int) int {
	if n <= 1<<minShift {
		return minShift
	}
	return bits.Len(uint(n - 1))
}

// Get returns a buffer of length n. Its contents are undefined.
func Get(n int) *[]byte {
	c := class(n)
	if c > maxShift {
		b := make([]byte, n)
		return &b
	}
	if v := classes[c].Get(); v != nil {
		b := v.(*[]byte)
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, 1<<c)
	return &b
}

// Put returns a buffer from Get for reuse. b must not be used afterwards.
func Put(b *[]byte) {
	if b == nil {
		return
	}
	c := cap(*b)
	if c < 1<<minShift || c > 1<<maxShift || c&(c-1) != 0 {
		return
	}
	classes[bits.Len(uint(c))-1].Put(b)
}

// Grow returns a buffer of length n holding b's contents, reusing b when its
// capacity suffices; a replaced b goes back to the pool.
func Grow(b *[]byte, n int) *[]byte {
	if b != nil && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	nb := Get(n)
	if b != nil {
		copy(*nb, *b)
		Put(b)
	}
	return nb
}
