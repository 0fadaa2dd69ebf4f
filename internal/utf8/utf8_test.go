package utf8

import (
	"bytes"
	"hash/fnv"
	"math/rand/v2"
	"testing"
	stdutf8 "unicode/utf8"
)

// prefixes holds every proper prefix (1 to 3 bytes) of a valid encoding: the
// tails a valid-so-far stream may end with.
var prefixes = func() map[string]bool {
	m := map[string]bool{}
	var b [4]byte
	for r := rune(0x80); r <= stdutf8.MaxRune; r++ {
		if !stdutf8.ValidRune(r) {
			continue
		}
		n := stdutf8.EncodeRune(b[:], r)
		for k := 1; k < n; k++ {
			m[string(b[:k])] = true
		}
	}
	return m
}()

// validSoFar reports whether p can still be completed to valid UTF-8.
func validSoFar(p []byte) bool {
	if stdutf8.Valid(p) {
		return true
	}
	for k := 1; k <= 3 && k <= len(p); k++ {
		if prefixes[string(p[len(p)-k:])] && stdutf8.Valid(p[:len(p)-k]) {
			return true
		}
	}
	return false
}

// check feeds p cut at the given points and compares every step with the
// reference.
func check(t *testing.T, p []byte, cuts []int) {
	t.Helper()
	var v Validator
	prev := 0
	for _, c := range append(cuts, len(p)) {
		got := v.Write(p[prev:c])
		if want := validSoFar(p[:c]); got != want {
			t.Fatalf("%x cut at %v: Write up to %d = %v, want %v", p, cuts, c, got, want)
		}
		prev = c
	}
	if got, want := v.Complete(), stdutf8.Valid(p); got != want {
		t.Fatalf("%x cut at %v: Complete = %v, want %v", p, cuts, got, want)
	}
}

func TestExhaustiveShort(t *testing.T) {
	// Every 1- and 2-byte input, whole and cut in the middle.
	for a := range 256 {
		check(t, []byte{byte(a)}, nil)
		for b := range 256 {
			p := []byte{byte(a), byte(b)}
			check(t, p, nil)
			check(t, p, []int{1})
		}
	}
}

func TestExhaustiveInteresting(t *testing.T) {
	// Bytes at every class boundary, in every 3- and 4-byte combination,
	// cut at every position.
	set := []byte{0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
		0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1,
		0xF3, 0xF4, 0xF5, 0xFF}
	allCuts := func(n int) [][]int {
		var out [][]int
		for mask := range 1 << (n - 1) {
			var c []int
			for i := 1; i < n; i++ {
				if mask&(1<<(i-1)) != 0 {
					c = append(c, i)
				}
			}
			out = append(out, c)
		}
		return out
	}
	cuts3, cuts4 := allCuts(3), allCuts(4)
	for _, a := range set {
		for _, b := range set {
			for _, c := range set {
				p := []byte{a, b, c}
				for _, cut := range cuts3 {
					check(t, p, cut)
				}
				for _, d := range set {
					p := []byte{a, b, c, d}
					for _, cut := range cuts4 {
						check(t, p, cut)
					}
				}
			}
		}
	}
}

func TestEveryRune(t *testing.T) {
	var b [4]byte
	for r := rune(0); r <= stdutf8.MaxRune+1; r++ {
		n := stdutf8.EncodeRune(b[:], r)
		if got, want := Valid(b[:n]), stdutf8.Valid(b[:n]); got != want {
			t.Fatalf("U+%04X: Valid = %v, want %v", r, got, want)
		}
	}
	// Surrogates encoded the forbidden way.
	if Valid([]byte{0xED, 0xA0, 0x80}) {
		t.Fatal("surrogate accepted")
	}
}

func randomText(rng *rand.Rand, n int) []byte {
	p := make([]byte, 0, n+4)
	for len(p) < n {
		switch rng.IntN(10) {
		case 0: // a random byte
			p = append(p, byte(rng.IntN(256)))
		case 1, 2, 3: // a random rune
			p = stdutf8.AppendRune(p, rune(rng.IntN(stdutf8.MaxRune+1)))
		case 4: // a run of ASCII for the fast path
			for range rng.IntN(20) {
				p = append(p, byte(rng.IntN(128)))
			}
		default:
			p = append(p, byte('a'+rng.IntN(26)))
		}
	}
	return p
}

func TestRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	iters := 200000
	if testing.Short() {
		iters = 20000
	}
	for range iters {
		p := randomText(rng, rng.IntN(64))
		var cuts []int
		for i := 1; i < len(p); i++ {
			if rng.IntN(6) == 0 {
				cuts = append(cuts, i)
			}
		}
		check(t, p, cuts)
	}
}

func TestStaysFailed(t *testing.T) {
	var v Validator
	if v.Write([]byte{0xFF}) {
		t.Fatal("0xFF accepted")
	}
	if v.Write([]byte("ok")) || v.Complete() || !v.Failed() {
		t.Fatal("validator recovered after a failure")
	}
	v.Reset()
	if !v.Write([]byte("ok")) || !v.Complete() {
		t.Fatal("Reset did not clear the failure")
	}
}

// FuzzValidator compares the vector path, the pure-Go path and
// unicode/utf8, whole and in pieces derived from the input.
func FuzzValidator(f *testing.F) {
	f.Add([]byte("héllo, 世界 🌍"), uint8(3))
	f.Add([]byte{0xF0, 0x9F, 0x98, 0x80}, uint8(2))
	mixed := bytes.Repeat([]byte("héllo wörld, plain ASCII text — and “quotes” 0123456789 "), 3)
	f.Add(mixed, uint8(0))
	f.Add(mixed[:64], uint8(1))
	for _, bad := range []string{"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF0\x9F\x98", "\x80", "\xFF"} {
		for _, at := range []int{29, 31, 32, 62, 63} {
			p := bytes.Clone(mixed[:100])
			copy(p[at:], bad)
			f.Add(p, uint8(at))
		}
	}
	f.Fuzz(func(t *testing.T, p []byte, seed uint8) {
		h := fnv.New64a()
		h.Write(p)
		cuts := randomCuts(rand.New(rand.NewPCG(uint64(seed), h.Sum64())), len(p))
		want := stdutf8.Valid(p)
		for _, asm := range paths() {
			if got := validWith(p, asm); got != want {
				t.Fatalf("%s: %x: Valid = %v, want %v", pathName(asm), p, got, want)
			}
			checkWith(t, p, cuts, asm)
		}
		if got := Valid(p); got != want {
			t.Fatalf("%x: Valid = %v, want %v", p, got, want)
		}
	})
}

func BenchmarkASCII(b *testing.B) {
	p := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog "), 1000)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		var v Validator
		v.Write(p)
	}
}

func BenchmarkMixed(b *testing.B) {
	p := bytes.Repeat([]byte("héllo, 世界 🌍 plain text "), 1000)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		var v Validator
		v.Write(p)
	}
}

func BenchmarkStdlibMixed(b *testing.B) {
	p := bytes.Repeat([]byte("héllo, 世界 🌍 plain text "), 1000)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		stdutf8.Valid(p)
	}
}
