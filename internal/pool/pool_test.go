package pool

import "testing"

func TestGetPut(t *testing.T) {
	for _, n := range []int{0, 1, 512, 513, 4096, 70000, 1 << 26, 1<<26 + 1} {
		b := Get(n)
		if len(*b) != n {
			t.Fatalf("Get(%d): len %d", n, len(*b))
		}
		if n > 0 && n <= 1<<maxShift && cap(*b)&(cap(*b)-1) != 0 {
			t.Fatalf("Get(%d): cap %d is not a power of two", n, cap(*b))
		}
		Put(b)
	}
}

func TestGrowKeepsContents(t *testing.T) {
	b := Get(3)
	copy(*b, "abc")
	b = Grow(b, 5000)
	if len(*b) != 5000 || string((*b)[:3]) != "abc" {
		t.Fatalf("Grow lost contents: len %d, %q", len(*b), (*b)[:3])
	}
	Put(b)
}
