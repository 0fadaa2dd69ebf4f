package inflate

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/flate"
)

// echoJSON returns a JSON document of about size bytes, different for
// each seed: a page of chat messages, like the echo benchmark's
// (interop/bench's JSON).
func echoJSON(seed, size int) []byte {
	words := strings.Fields("the a to and of in is it you that he was for on are with as I his they be at one have this from " +
		"or had by hot word but what some we can out other were all there when up use your how said an each she " +
		"deploy build review merge ticket release server client latency request response cache queue")
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	b := []byte(`{"page":` + strconv.Itoa(seed) + `,"messages":[`)
	for i := 0; len(b) < size-200; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, int64(seed*1000+i), 10)
		b = append(b, `,"room":"room-`...)
		b = strconv.AppendInt(b, int64(r.IntN(20)), 10)
		b = append(b, `","user":{"id":`...)
		b = strconv.AppendInt(b, int64(100000+r.IntN(5000)), 10)
		b = append(b, `,"name":"user`...)
		b = strconv.AppendInt(b, int64(r.IntN(5000)), 10)
		b = append(b, `"},"ts":`...)
		b = strconv.AppendInt(b, int64(1733500000000+r.IntN(1<<30)), 10)
		b = append(b, `,"text":"`...)
		for w := 8 + r.IntN(20); w > 0; w-- {
			b = append(b, words[r.IntN(len(words))]...)
			if w > 1 {
				b = append(b, ' ')
			}
		}
		b = append(b, `","read":`...)
		b = strconv.AppendBool(b, r.IntN(2) == 0)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

var proseWords = strings.Fields(`It was the best of times, it was the worst of times, it was the age
of wisdom, it was the age of foolishness, it was the epoch of belief, it was the epoch of
incredulity, it was the season of Light, it was the season of Darkness, it was the spring of
hope, it was the winter of despair, we had everything before us, we had nothing before us.
Messages travel between a browser and a server; each one carries a name, a time, a place and
some text that people wrote to each other about the weather, the news, their plans and work.`)

// prose returns size bytes of English-like text, different for each seed.
func prose(seed, size int) []byte {
	r := rand.New(rand.NewPCG(uint64(seed), 3))
	var b []byte
	for len(b) < size {
		b = append(b, proseWords[r.IntN(len(proseWords))]...)
		b = append(b, ' ')
	}
	return b[:size]
}

// benchStream is one message as pmce receives it: its payload (sync
// marker removed) and the window before it under context takeover.
type benchStream struct {
	payload, dict []byte
	size          int
}

// benchStreams compresses 64 messages made by gen at level, each alone
// (takeover false: a writer reset per message, as without context
// takeover) or with one writer kept and the previous 32 KiB as each
// message's dict.
func benchStreams(gen func(seed int) []byte, level int, takeover bool) []benchStream {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, level)
	var hist []byte
	streams := make([]benchStream, 64)
	for i := range streams {
		msg := gen(i)
		if !takeover {
			w.Reset(&out)
		}
		out.Reset()
		w.Write(msg)
		w.Flush()
		s := benchStream{payload: bytes.Clone(bytes.TrimSuffix(out.Bytes(), []byte(tail[:4]))), size: len(msg)}
		if takeover {
			s.dict = bytes.Clone(hist[max(0, len(hist)-32<<10):])
			hist = append(hist, msg...)
		}
		streams[i] = s
	}
	return streams
}

// klauspostWhole inflates a whole message as pmce's Decompress does with
// klauspost: payload and tail copied into flat, read through a
// bytes.Reader by a reset decompressor into dst.
type klauspostWhole struct {
	fr   io.ReadCloser
	br   bytes.Reader
	flat []byte
}

func (k *klauspostWhole) decode(dst, payload, dict []byte, limit int) ([]byte, error) {
	if k.fr == nil {
		k.fr = flate.NewReader(nil)
	}
	k.flat = append(append(k.flat[:0], payload...), tail...)
	k.br.Reset(k.flat)
	k.fr.(flate.Resetter).Reset(&k.br, dict)
	start := len(dst)
	for {
		if len(dst) == cap(dst) {
			nb := make([]byte, len(dst), 2*cap(dst)+512)
			copy(nb, dst)
			dst = nb
		}
		room := dst[len(dst):cap(dst)]
		room = room[:min(len(room), limit+1-(len(dst)-start))]
		m, err := k.fr.Read(room)
		dst = dst[:len(dst)+m]
		if len(dst)-start > limit {
			return dst, ErrLimit
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// inflateWhole is the same with a Decoder.
type inflateWhole struct {
	d    Decoder
	flat []byte
}

func (w *inflateWhole) decode(dst, payload, dict []byte, limit int) ([]byte, error) {
	w.flat = append(append(w.flat[:0], payload...), tail...)
	return w.d.Decode(dst, w.flat, dict, limit)
}

// BenchmarkDecode compares Decode with klauspost's decompressor, both
// called as pmce's codec calls them, on 64 messages per workload: the
// echo's 16 KiB JSON at levels 1 and 4, 1 KiB JSON, 16 KiB prose, and 16
// KiB JSON under context takeover (a 32 KiB dict).
//
//	go test ./pmce/internal/inflate -run X -bench Decode -count 6 | benchstat -col /impl -
func BenchmarkDecode(b *testing.B) {
	json := func(size int) func(int) []byte { return func(i int) []byte { return echoJSON(i, size) } }
	workloads := []struct {
		name    string
		streams []benchStream
	}{
		{"json16k-l1", benchStreams(json(16<<10), 1, false)},
		{"json16k-l4", benchStreams(json(16<<10), 4, false)},
		{"json1k-l1", benchStreams(json(1<<10), 1, false)},
		{"prose16k-l1", benchStreams(func(i int) []byte { return prose(i, 16<<10) }, 1, false)},
		{"json16k-l1-dict", benchStreams(json(16<<10), 1, true)},
	}
	impls := []struct {
		name   string
		decode func() func(dst, payload, dict []byte, limit int) ([]byte, error)
	}{
		{"inflate", func() func(dst, payload, dict []byte, limit int) ([]byte, error) { return new(inflateWhole).decode }},
		{"klauspost", func() func(dst, payload, dict []byte, limit int) ([]byte, error) { return new(klauspostWhole).decode }},
	}
	for _, w := range workloads {
		total := 0
		for _, s := range w.streams {
			total += s.size
		}
		for _, impl := range impls {
			b.Run(w.name+"/impl="+impl.name, func(b *testing.B) {
				decode := impl.decode()
				dst := make([]byte, 0, 64<<10)
				b.SetBytes(int64(total / len(w.streams)))
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					s := &w.streams[i%len(w.streams)]
					out, err := decode(dst[:0], s.payload, s.dict, 1<<20)
					if err != nil || len(out) != s.size {
						b.Fatalf("message %d: %d bytes, %v", i, len(out), err)
					}
					i++
				}
			})
		}
	}
}
