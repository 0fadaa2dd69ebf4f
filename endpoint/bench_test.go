package endpoint

import (
	"bytes"
	"testing"

	"github.com/wskit/wskit/frame"
)

// BenchmarkEcho sends a 1 KiB text message from a client Endpoint to a
// server Endpoint and back, over an in-memory duplex that does not
// allocate.
func BenchmarkEcho(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10} {
		b.Run(byteSize(size), func(b *testing.B) {
			ca, sa := duplex(1 << 20)
			client := New(frame.Client, ca, ca)
			server := New(frame.Server, sa, sa)
			msg := bytes.Repeat([]byte("héllo wörld "), size/14+1)[:size]
			for msg[len(msg)-1] >= 0x80 {
				msg = msg[:len(msg)-1]
			}
			b.SetBytes(int64(2 * len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if err := client.WriteMessage(frame.OpText, msg); err != nil {
					b.Fatal(err)
				}
				m, err := server.NextMessage()
				if err != nil {
					b.Fatal(err)
				}
				if err := server.WriteMessage(m.Type, m.Data); err != nil {
					b.Fatal(err)
				}
				if m, err = client.NextMessage(); err != nil || len(m.Data) != len(msg) {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEchoStream does the same with NextWriter and NextReader.
func BenchmarkEchoStream(b *testing.B) {
	ca, sa := duplex(1 << 20)
	client := New(frame.Client, ca, ca)
	server := New(frame.Server, sa, sa)
	msg := bytes.Repeat([]byte("x"), 1<<10)
	buf := make([]byte, 4096)
	b.SetBytes(int64(2 * len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		w, err := client.NextWriter(frame.OpBinary)
		if err != nil {
			b.Fatal(err)
		}
		w.Write(msg)
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		_, r, err := server.NextReader()
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			k, err := r.Read(buf[n:])
			n += k
			if err != nil {
				break
			}
		}
		if err := server.WriteMessage(frame.OpBinary, buf[:n]); err != nil {
			b.Fatal(err)
		}
		if _, err := client.NextMessage(); err != nil {
			b.Fatal(err)
		}
	}
}

func byteSize(n int) string {
	if n >= 1<<10 {
		return string(rune('0'+n>>10/10%10)) + string(rune('0'+n>>10%10)) + "KiB"
	}
	return "small"
}

// BenchmarkPushEcho feeds a server Endpoint made by NewPush one masked
// client message per Feed, as an event loop does after a read, and echoes
// it from the callback.
func BenchmarkPushEcho(b *testing.B) {
	for _, size := range []int{16, 1 << 10, 16 << 10} {
		b.Run(byteSize(size), func(b *testing.B) {
			msg := bytes.Repeat([]byte("x"), size)
			var in bytes.Buffer
			if _, err := frame.WriteMasked(&in, &frame.Text{Fin: true, Payload: msg}, frame.NewMaskKey()); err != nil {
				b.Fatal(err)
			}
			var out countWriter
			e := NewPush(frame.Server, &out)
			echo := func(m Message) error { return e.WriteMessage(m.Type, m.Data) }
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := e.Feed(in.Bytes(), echo); err != nil {
					b.Fatal(err)
				}
			}
			if out.n < int64(size)*int64(b.N) {
				b.Fatalf("wrote %d bytes for %d echoes", out.n, b.N)
			}
		})
	}
}

// countWriter counts what it is given, like a socket that takes it all.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkWritePrepared sends one 1 KiB PreparedMessage to 1,000 server
// Endpoints; an op is one recipient.
func BenchmarkWritePrepared(b *testing.B) {
	pm, _ := NewPreparedMessage(frame.OpText, bytes.Repeat([]byte("x"), 1<<10))
	eps := make([]*Endpoint, 1000)
	for i := range eps {
		eps[i] = New(frame.Server, bytes.NewReader(nil), &countWriter{})
	}
	b.SetBytes(1 << 10)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := eps[i%len(eps)].WritePrepared(pm); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
