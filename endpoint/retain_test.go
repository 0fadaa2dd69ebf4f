package endpoint

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

// TestLeftoverNotRetained checks that an Endpoint does not keep the bytes
// given with parser.Leftover once its parser has copied them: they are
// usually a view into the handshake's bufio.Reader, whose whole buffer
// would otherwise stay alive as long as the connection.
func TestLeftoverNotRetained(t *testing.T) {
	buf := new([4096]byte)
	n := copy(buf[:], []byte{0x81, 0x82, 1, 2, 3, 4, 'o' ^ 1, 'k' ^ 2}) // masked "ok"
	freed := make(chan struct{})
	runtime.SetFinalizer(buf, func(*[4096]byte) { close(freed) })
	e := New(frame.Server, bytes.NewReader(nil), &bytes.Buffer{}, ParserOptions(parser.Leftover(buf[:n])))
	buf = nil

	deadline := time.Now().Add(5 * time.Second)
	for done := false; !done; {
		runtime.GC()
		select {
		case <-freed:
			done = true
		case <-time.After(10 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("the leftover's buffer is still reachable from the Endpoint")
			}
		}
	}
	// The Endpoint still works: the leftover was copied, not lost.
	m, err := e.NextMessage()
	if err != nil || string(m.Data) != "ok" {
		t.Fatalf("NextMessage = %q, %v; want \"ok\"", m.Data, err)
	}
}
