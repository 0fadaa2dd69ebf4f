package utf8

import (
	"github.com/wskit/wskit/internal/race"

	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	stdutf8 "unicode/utf8"
)

// The tests below compare the vector path (when the build and the CPU have
// it) and the pure-Go path with unicode/utf8 on inputs long enough for the
// vector path, with the bytes of interest at every position of its blocks.

// paths lists the paths to test: pure Go, and the vector path if available.
func paths() []bool {
	if useAsm {
		return []bool{false, true}
	}
	return []bool{false}
}

func pathName(asm bool) string {
	if asm {
		return "asm"
	}
	return "go"
}

func validWith(p []byte, asm bool) bool {
	var v Validator
	return v.write(p, asm) && v.Complete()
}

// checkWith is check on the given path.
func checkWith(t *testing.T, p []byte, cuts []int, asm bool) {
	t.Helper()
	var v Validator
	prev := 0
	for _, c := range append(cuts, len(p)) {
		got := v.write(p[prev:c], asm)
		if want := validSoFar(p[:c]); got != want {
			t.Fatalf("%s: %x cut at %v: Write up to %d = %v, want %v", pathName(asm), p, cuts, c, got, want)
		}
		if v.Failed() != !got {
			t.Fatalf("%s: %x cut at %v: Failed = %v after Write = %v", pathName(asm), p, cuts, v.Failed(), got)
		}
		prev = c
	}
	if got, want := v.Complete(), stdutf8.Valid(p); got != want {
		t.Fatalf("%s: %x cut at %v: Complete = %v, want %v", pathName(asm), p, cuts, got, want)
	}
}

func TestAsmAvailable(t *testing.T) {
	t.Logf("vector path: %v", useAsm)
}

// TestBlockPositions places every sequence of 1 to 4 bytes from a set that
// covers every entry of the vector path's tables at every offset of the
// first two 32-byte blocks (so across the block boundaries) of a 128-byte
// input, on an ASCII background (where the other blocks take the ASCII
// shortcut) and on one with a 2-byte character in every block, whole and cut
// right after the sequence (the sequence at the very end).
func TestBlockPositions(t *testing.T) {
	set := []byte{0x41, 0x80, 0x8F, 0x90, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
		0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF}
	offsets := make([]int, 0, 64)
	for off := range 64 {
		if race.Enabled || testing.Short() {
			if d := off % 32; d > 3 && d < 28 {
				continue
			}
		}
		offsets = append(offsets, off)
	}
	plain := bytes.Repeat([]byte{'a'}, 128)
	accented := bytes.Repeat([]byte{'a'}, 128)
	for b := 0; b < 128; b += 32 {
		copy(accented[b+14:], "é")
	}
	for _, bg := range []struct {
		name string
		p    []byte
	}{{"ascii", plain}, {"accented", accented}} {
		for _, a := range set {
			t.Run(fmt.Sprintf("%s/%02X", bg.name, a), func(t *testing.T) {
				t.Parallel()
				buf := make([]byte, 128)
				seq := []byte{a, 0, 0, 0}
				try := func(seq []byte) {
					for _, off := range offsets {
						copy(buf, bg.p)
						copy(buf[off:], seq)
						whole := stdutf8.Valid(buf)
						end := buf[:off+len(seq)]
						soFar := validSoFar(end)
						endValid := stdutf8.Valid(end)
						for _, asm := range paths() {
							if got := validWith(buf, asm); got != whole {
								t.Fatalf("%s: %x at %d: Valid = %v, want %v", pathName(asm), seq, off, got, whole)
							}
							var v Validator
							if got := v.write(end, asm); got != soFar {
								t.Fatalf("%s: %x at %d, at the end: Write = %v, want %v", pathName(asm), seq, off, got, soFar)
							}
							if got := v.Complete(); got != endValid {
								t.Fatalf("%s: %x at %d, at the end: Complete = %v, want %v", pathName(asm), seq, off, got, endValid)
							}
						}
					}
				}
				try(seq[:1])
				for _, b := range set {
					seq[1] = b
					try(seq[:2])
					for _, c := range set {
						seq[2] = c
						try(seq[:3])
						for _, d := range set {
							seq[3] = d
							try(seq[:4])
						}
					}
				}
			})
		}
	}
}

// appendValidChar appends a random valid character of 1 to 4 bytes, with
// the bytes at the edges of the valid ranges often.
func appendValidChar(rng *rand.Rand, p []byte) []byte {
	edges := []rune{0x7F, 0x80, 0x7FF, 0x800, 0xFFF, 0x1000, 0xD7FF, 0xE000,
		0xFFFF, 0x10000, 0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF}
	var r rune
	switch rng.IntN(8) {
	case 0, 1, 2:
		r = rune(0x20 + rng.IntN(0x5F))
	case 3:
		r = rune(0x80 + rng.IntN(0x800-0x80))
	case 4:
		r = rune(0x800 + rng.IntN(0x10000-0x800))
		if r >= 0xD800 && r <= 0xDFFF {
			r -= 0x800
		}
	case 5:
		r = rune(0x10000 + rng.IntN(0x110000-0x10000))
	default:
		r = edges[rng.IntN(len(edges))]
	}
	return stdutf8.AppendRune(p, r)
}

// appendInvalid appends one kind of invalid sequence.
func appendInvalid(rng *rand.Rand, p []byte) []byte {
	cont := func() byte { return byte(0x80 + rng.IntN(0x40)) }
	switch rng.IntN(11) {
	case 0: // stray continuation byte
		return append(p, cont())
	case 1: // overlong 2-byte form
		return append(p, byte(0xC0+rng.IntN(2)), cont())
	case 2: // overlong 3-byte form
		return append(p, 0xE0, byte(0x80+rng.IntN(0x20)), cont())
	case 3: // overlong 4-byte form
		return append(p, 0xF0, byte(0x80+rng.IntN(0x10)), cont(), cont())
	case 4: // surrogate
		return append(p, 0xED, byte(0xA0+rng.IntN(0x20)), cont())
	case 5: // above U+10FFFF
		return append(p, 0xF4, byte(0x90+rng.IntN(0x30)), cont(), cont())
	case 6: // lead byte that never is one
		return append(p, byte(0xF5+rng.IntN(11)), cont(), cont(), cont())
	case 7, 8: // truncated sequence followed by something else
		var b [4]byte
		n := stdutf8.EncodeRune(b[:], rune(0x80+rng.IntN(0x10FFFF-0x80)))
		if n < 2 {
			n = 2
		}
		p = append(p, b[:1+rng.IntN(n-1)]...)
		if rng.IntN(2) == 0 {
			return append(p, 'x')
		}
		return appendValidChar(rng, p)
	case 9: // too many continuation bytes
		p = appendValidChar(rng, p)
		return append(p, cont())
	default: // a random byte
		return append(p, byte(rng.IntN(256)))
	}
}

// randomMix returns mostly valid text of about n bytes with, in half of the
// cases, invalid sequences in it, and in a quarter an unfinished character
// at the end, often at a block boundary.
func randomMix(rng *rand.Rand, n int) []byte {
	p := make([]byte, 0, n+8)
	bad := rng.IntN(2) == 0
	for len(p) < n {
		switch {
		case bad && rng.IntN(60) == 0:
			p = appendInvalid(rng, p)
		case rng.IntN(4) == 0:
			for range rng.IntN(40) {
				p = append(p, byte(rng.IntN(128)))
			}
		default:
			p = appendValidChar(rng, p)
		}
	}
	if rng.IntN(4) == 0 {
		// End inside a character, at or near a block boundary.
		var b [4]byte
		k := stdutf8.EncodeRune(b[:], rune(0x80+rng.IntN(0x10FFFF-0x80)))
		if k < 2 {
			k = 2
		}
		m := len(p) &^ 31
		if m > 4 && rng.IntN(2) == 0 {
			p = p[:m-rng.IntN(4)]
			for len(p) > 0 && !stdutf8.RuneStart(p[len(p)-1]) {
				p = p[:len(p)-1]
			}
		}
		p = append(p, b[:1+rng.IntN(k-1)]...)
	}
	return p
}

func randomCuts(rng *rand.Rand, n int) []int {
	var cuts []int
	switch rng.IntN(4) {
	case 0: // whole
	case 1: // a few large pieces
		for range rng.IntN(4) {
			cuts = append(cuts, 1+rng.IntN(max(n-1, 1)))
		}
	case 2: // pieces around the vector path's minimum
		for i := rng.IntN(100); i < n; i += 1 + rng.IntN(130) {
			cuts = append(cuts, i)
		}
	default: // small pieces
		for i := 1 + rng.IntN(8); i < n; i += 1 + rng.IntN(8) {
			cuts = append(cuts, i)
		}
	}
	// Sorted, within (0, n), no duplicates.
	out := cuts[:0]
	for _, c := range sortInts(cuts) {
		if c > 0 && c < n && (len(out) == 0 || c > out[len(out)-1]) {
			out = append(out, c)
		}
	}
	return out
}

func sortInts(a []int) []int {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
	return a
}

func TestRandomMixChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	iters := 20000
	if race.Enabled || testing.Short() {
		iters = 2000
	}
	for range iters {
		p := randomMix(rng, rng.IntN(1001))
		cuts := randomCuts(rng, len(p))
		for _, asm := range paths() {
			checkWith(t, p, cuts, asm)
			if got, want := validWith(p, asm), stdutf8.Valid(p); got != want {
				t.Fatalf("%s: %x: Valid = %v, want %v", pathName(asm), p, got, want)
			}
		}
	}
}

// TestLongValid checks long valid texts, where an error found by the vector
// path in a later block could only be a false one.
func TestLongValid(t *testing.T) {
	for _, unit := range []string{
		"héllo wörld, plain ASCII text — and “quotes” 0123456789 ",
		"今日は良い天気ですね", "🌍\U0010FFFF\U00010000\uFFFF\u0800\u07FF\u0080\x7F\x00",
		"\uD7FF\uE000ab", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	} {
		p := []byte(repeatTo(unit, 4096))
		for start := range 4 {
			for _, asm := range paths() {
				q := p[start:]
				for !stdutf8.RuneStart(q[0]) {
					q = q[1:]
				}
				if !validWith(q, asm) {
					t.Fatalf("%s: %q: not valid", pathName(asm), unit)
				}
				// One byte more to the end of every block: an error.
				for i := 31; i < len(q); i += 32 * 7 {
					r := bytes.Clone(q)
					r[i] = 0xFF
					if validWith(r, asm) {
						t.Fatalf("%s: %q: 0xFF at %d accepted", pathName(asm), unit, i)
					}
				}
			}
		}
	}
}

func repeatTo(unit string, n int) string {
	s := ""
	for len(s) < n {
		s += unit
	}
	return s
}

func TestStaysFailedAsm(t *testing.T) {
	for _, asm := range paths() {
		var v Validator
		p := bytes.Repeat([]byte("é"), 100)
		p[70] = 0xC0
		if v.write(p, asm) {
			t.Fatalf("%s: 0xC0 accepted", pathName(asm))
		}
		if v.write([]byte("ok"), asm) || v.write(bytes.Repeat([]byte("a"), 200), asm) || v.Complete() || !v.Failed() {
			t.Fatalf("%s: validator recovered after a failure", pathName(asm))
		}
	}
}
