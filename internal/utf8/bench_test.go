package utf8

import (
	"bytes"
	"fmt"
	"testing"
	stdutf8 "unicode/utf8"
)

// benchTexts are the inputs of the Valid and Write benchmarks; mixed is the
// text the interop/bench server read path sends.
var benchTexts = []struct{ name, unit string }{
	{"ascii", "the quick brown fox jumps over the lazy dog 0123456789 "},
	{"mixed", "héllo wörld, plain ASCII text — and “quotes” 0123456789 "},
	{"cjk", "今日は良い天気ですね世界中の人々に平和を願っています"},
}

func benchInputs(f func(name string, p []byte)) {
	for _, t := range benchTexts {
		for _, size := range []int{1 << 10, 64 << 10} {
			p := bytes.Repeat([]byte(t.unit), size/len(t.unit)+1)
			// Cut at a code point boundary at or below size.
			n := size
			for !stdutf8.RuneStart(p[n]) {
				n--
			}
			f(fmt.Sprintf("%s/%dKiB", t.name, size>>10), p[:n])
		}
	}
}

func BenchmarkValid(b *testing.B) {
	benchInputs(func(name string, p []byte) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(p)))
			for b.Loop() {
				if !Valid(p) {
					b.Fatal("invalid")
				}
			}
		})
	})
}

func BenchmarkWrite(b *testing.B) {
	benchInputs(func(name string, p []byte) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(p)))
			var v Validator
			for b.Loop() {
				v.Reset()
				if !v.Write(p) || !v.Complete() {
					b.Fatal("invalid")
				}
			}
		})
	})
}

func BenchmarkStdlibValid(b *testing.B) {
	benchInputs(func(name string, p []byte) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(p)))
			for b.Loop() {
				if !stdutf8.Valid(p) {
					b.Fatal("invalid")
				}
			}
		})
	})
}
