package client_test

import (
	"github.com/wskit/wskit/internal/race"

	"bytes"
	"testing"
)

// TestWriteToAllocatesNothing checks that Request.WriteTo writes the
// request text from a pooled buffer: nothing allocated per call once the
// pool holds one. The race detector makes sync.Pool drop buffers at
// random, so under it only the bytes written are checked.
func TestWriteToAllocatesNothing(t *testing.T) {
	req := newTestRequest(t)
	var out bytes.Buffer
	write := func() {
		out.Reset()
		if _, err := req.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
	}
	write() // warm the pool and out
	if got, want := out.String(), req.String(); got != want {
		t.Fatalf("WriteTo wrote %q, want %q", got, want)
	}
	if race.Enabled {
		t.Log("allocation count not checked under the race detector, which makes sync.Pool drop buffers")
		return
	}
	if n := testing.AllocsPerRun(100, write); n != 0 {
		t.Errorf("Request.WriteTo allocates %v times per call, want 0", n)
	}
}
