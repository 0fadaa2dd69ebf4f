package server_test

import (
	"github.com/wskit/wskit/internal/race"

	"bytes"
	"testing"

	"github.com/wskit/wskit/handshake/server"
)

// TestWriteToAllocatesNothing checks that Result.WriteTo writes the
// response text from a pooled buffer: nothing allocated per call once the
// pool holds one. The race detector makes sync.Pool drop buffers at
// random, so under it only the bytes written are checked.
func TestWriteToAllocatesNothing(t *testing.T) {
	res, err := (&server.Config{}).Accept(baseRequest())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	write := func() {
		out.Reset()
		if _, err := res.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
	}
	write() // warm the pool and out
	if got, want := out.String(), string(res.AppendResponse(nil)); got != want {
		t.Fatalf("WriteTo wrote %q, want %q", got, want)
	}
	if race.Enabled {
		t.Log("allocation count not checked under the race detector, which makes sync.Pool drop buffers")
		return
	}
	if n := testing.AllocsPerRun(100, write); n != 0 {
		t.Errorf("Result.WriteTo allocates %v times per call, want 0", n)
	}
}
