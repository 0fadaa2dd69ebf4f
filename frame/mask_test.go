package frame

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// maskBytewise is the definition of masking in RFC 6455 §5.3, the reference
// the fast paths are checked against.
func maskBytewise(b []byte, key [4]byte, pos int) {
	for i := range b {
		b[i] ^= key[(pos+i)&3]
	}
}

func TestMaskMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		for pos := 0; pos < 4; pos++ {
			for _, off := range []int{0, 1, 3} { // unaligned starts
				buf := make([]byte, n+off)
				for i := range buf {
					buf[i] = byte(rng.Uint32())
				}
				key := NewMaskKey()
				got := append([]byte(nil), buf[off:]...)
				want := append([]byte(nil), buf[off:]...)
				next := Mask(got, key, pos)
				maskBytewise(want, key, pos)
				if string(got) != string(want) {
					t.Fatalf("Mask(len %d, pos %d, off %d) differs from the bytewise definition", n, pos, off)
				}
				if next != (pos+n)&3 {
					t.Fatalf("Mask(len %d, pos %d) returned offset %d, want %d", n, pos, next, (pos+n)&3)
				}
			}
		}
	}
}

func TestMaskInPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		n := rng.IntN(5000)
		payload := make([]byte, n)
		for i := range payload {
			payload[i] = byte(rng.Uint32())
		}
		key := NewMaskKey()
		whole := append([]byte(nil), payload...)
		Mask(whole, key, 0)
		pieces := append([]byte(nil), payload...)
		pos := 0
		for rest := pieces; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(300))
			pos = Mask(rest[:k], key, pos)
			rest = rest[k:]
		}
		if string(whole) != string(pieces) {
			t.Fatalf("masking %d bytes in pieces differs from masking them whole", n)
		}
	}
}

func TestMaskIsInvolution(t *testing.T) {
	b := []byte("The quick brown fox jumps over the lazy dog, twice over and then some more.")
	orig := string(b)
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	Mask(b, key, 0)
	if string(b) == orig {
		t.Fatal("Mask left the payload unchanged")
	}
	Mask(b, key, 0)
	if string(b) != orig {
		t.Fatal("masking twice did not restore the payload")
	}
}

func TestNewMaskKeyVaries(t *testing.T) {
	seen := map[[4]byte]bool{}
	for range 1000 {
		seen[NewMaskKey()] = true
	}
	if len(seen) < 990 {
		t.Fatalf("1000 keys held only %d distinct values", len(seen))
	}
}

var maskSizes = []int{64, 1 << 10, 64 << 10, 1 << 20}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// BenchmarkMask runs Mask beside copy() of a buffer of the same size, the
// memory-bandwidth bound, in one run.
func BenchmarkMask(b *testing.B) {
	key := [4]byte{1, 2, 3, 4}
	for _, n := range maskSizes {
		buf := make([]byte, n)
		b.Run("mask/"+sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				Mask(buf, key, 0)
			}
		})
		src := make([]byte, n)
		b.Run("copy/"+sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				copy(buf, src)
			}
		})
	}
}

// maskBoth masks a copy of b with the vector path (where the build has one)
// and another with the pure-Go path.
func maskBoth(b []byte, key [4]byte, pos int) (fast, generic []byte) {
	fast = append([]byte(nil), b...)
	Mask(fast, key, pos)
	saved := useAsm
	useAsm = false
	defer func() { useAsm = saved }()
	generic = append([]byte(nil), b...)
	Mask(generic, key, pos)
	return fast, generic
}

func TestMaskPathsAgree(t *testing.T) {
	if !useAsm {
		t.Log("no vector path on this CPU or build: comparing the pure-Go path with itself")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 255, 256, 257, 287, 288, 1000, 4096, 65535, 65536, 65537, 1<<20 + 13} {
		b := make([]byte, n+1)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		for pos := range 4 {
			fast, generic := maskBoth(b[1:], [4]byte{0x37, 0xfa, 0x21, 0x3d}, pos)
			want := append([]byte(nil), b[1:]...)
			maskBytewise(want, [4]byte{0x37, 0xfa, 0x21, 0x3d}, pos)
			if string(fast) != string(want) || string(generic) != string(want) {
				t.Fatalf("len %d pos %d: vector and pure-Go masking disagree with the definition", n, pos)
			}
		}
	}
}

func FuzzMask(f *testing.F) {
	f.Add([]byte("hello"), uint32(0x3d21fa37), 0)
	f.Add(make([]byte, 300), uint32(0xdeadbeef), 3)
	f.Fuzz(func(t *testing.T, b []byte, key uint32, pos int) {
		k := [4]byte{byte(key), byte(key >> 8), byte(key >> 16), byte(key >> 24)}
		pos &= 0xFFFF
		fast, generic := maskBoth(b, k, pos)
		want := append([]byte(nil), b...)
		maskBytewise(want, k, pos)
		if string(fast) != string(want) || string(generic) != string(want) {
			t.Fatalf("masking %d bytes at offset %d disagrees with the definition", len(b), pos)
		}
		copied := make([]byte, len(b))
		MaskCopy(copied, b, k, pos)
		if string(copied) != string(want) {
			t.Fatalf("MaskCopy of %d bytes at offset %d disagrees with the definition", len(b), pos)
		}
	})
}

func TestMaskCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 7, 8, 31, 32, 255, 256, 257, 1000, 4096, 65537} {
		src := make([]byte, n+1)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		for pos := range 4 {
			key := NewMaskKey()
			for _, asm := range []bool{true, false} {
				saved := useAsm
				useAsm = useAsm && asm
				dst := make([]byte, n)
				next := MaskCopy(dst, src[1:], key, pos)
				useAsm = saved
				want := append([]byte(nil), src[1:]...)
				maskBytewise(want, key, pos)
				if string(dst) != string(want) || next != (pos+n)&3 {
					t.Fatalf("MaskCopy(len %d, pos %d, asm %v) differs from the definition", n, pos, asm)
				}
			}
		}
	}
}

func BenchmarkMaskCopy(b *testing.B) {
	key := [4]byte{1, 2, 3, 4}
	for _, n := range maskSizes {
		src, dst := make([]byte, n), make([]byte, n)
		b.Run("maskcopy/"+sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				MaskCopy(dst, src, key, 0)
			}
		})
		b.Run("copy+mask/"+sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				copy(dst, src)
				Mask(dst, key, 0)
			}
		})
	}
}
