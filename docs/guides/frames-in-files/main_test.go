package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestRecordAndReadBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frames.bin")
	if err := record(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	frames, err := pull(f)
	if err != nil {
		t.Fatal(err)
	}
	// text, ping, 4 fragments of 31 bytes, close
	if len(frames) != 7 {
		t.Errorf("pull: %d frames, want 7:\n%q", len(frames), frames)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`text "hello"`, `binary "a message longer than one frame"`, `close 1000 "done"`}
	for _, size := range []int{1, 7, len(data)} {
		got, err := push(data, size)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("push in chunks of %d: %q %v, want %q", size, got, err, want)
		}
	}
	// A file cut in the middle of a frame is an error, not a short read.
	if _, err := pull(bytes.NewReader(data[:len(data)-3])); err == nil {
		t.Error("truncated file: no error")
	}
}
