package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/streamer"
)

// recording builds a file of frames as a client would send them.
func recording(t *testing.T, tail []byte) string {
	t.Helper()
	var buf bytes.Buffer
	keys := func() [4]byte { return [4]byte{1, 2, 3, 4} }
	s := streamer.New(&buf, frame.OpText, streamer.FrameSize(6), streamer.MaskKeys(keys))
	if _, err := s.Write([]byte("Hello, wskit frames")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []frame.Frame{
		&frame.Ping{Payload: []byte("p")},
		&frame.Binary{Fin: true, Payload: []byte{0xde, 0xad, 0xbe, 0xef}},
		&frame.Close{Code: 4000, Reason: "done"},
	} {
		if _, err := frame.Write(&buf, f); err != nil {
			t.Fatal(err)
		}
	}
	buf.Write(tail)
	name := filepath.Join(t.TempDir(), "frames.bin")
	if err := os.WriteFile(name, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestDump(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		tail     []byte
		wantOut  []string
		wantErr  string
		wantCode int
	}{
		{
			name: "frames",
			wantOut: []string{
				`       0 text         fin=0 rsv=000 masked   len=6        "Hello,"`,
				`      12 continuation fin=0 rsv=000 masked   len=6        " wskit"`,
				`      24 continuation fin=0 rsv=000 masked   len=6        " frame"`,
				`      36 continuation fin=1 rsv=000 masked   len=1        "s"`,
				`      43 ping         fin=1 rsv=000 unmasked len=1        "p"`,
				`      46 binary       fin=1 rsv=000 unmasked len=4        de ad be ef`,
				`      52 close        fin=1 rsv=000 unmasked len=6        4000 "done"`,
			},
		},
		{
			name: "messages",
			args: []string{"-messages"},
			wantOut: []string{
				`       0 text         frames=4    len=19       "Hello, wskit frames"`,
				`      43 ping         "p"`,
				`      46 binary       frames=1    len=4        de ad be ef`,
				`      52 close        4000 "done"`,
			},
		},
		{
			name:     "truncated",
			tail:     []byte{0x81, 0x05, 'a'},
			wantErr:  "dump: at offset 60: unexpected EOF",
			wantCode: 1,
		},
		{
			name:     "reserved opcode",
			tail:     []byte{0x83, 0x00},
			wantErr:  "dump: at offset 60: websocket: reserved opcode",
			wantCode: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append(tt.args, recording(t, tt.tail)), nil, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if tt.wantOut != nil {
				if diff := cmp.Diff(tt.wantOut, strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")); diff != "" {
					t.Errorf("output mismatch (-want +got):\n%s", diff)
				}
			}
			if got := strings.TrimSpace(stderr.String()); got != tt.wantErr {
				t.Errorf("stderr %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestDumpReadsStdin(t *testing.T) {
	data, err := os.ReadFile(recording(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-"}, bytes.NewReader(data), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	if n := strings.Count(stdout.String(), "\n"); n != 7 {
		t.Fatalf("printed %d lines from stdin, want 7", n)
	}
}
