package hdr

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAppendLength encodes every length form at its edges, masked and not,
// checks the bytes, and decodes them back with Length, whole and cut short.
func TestAppendLength(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for _, tt := range []struct {
		length uint64
		masked bool
		want   []byte
	}{
		{0, false, []byte{0x82, 0}},
		{125, false, []byte{0x82, 125}},
		{126, false, []byte{0x82, 126, 0, 126}},
		{0xFFFF, true, []byte{0x82, 0xfe, 0xff, 0xff, 1, 2, 3, 4}},
		{0x10000, false, []byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
		{1<<63 - 1, true, []byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}},
	} {
		got := Append(nil, 0x82, tt.length, tt.masked, key)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Append(%d, masked %v) (-want +got):\n%s", tt.length, tt.masked, diff)
		}
		n, size, ok := Length(append(got, 'x'))
		if !ok || n != tt.length || size != len(got) {
			t.Errorf("Length of %d: %d, %d, %v; want %d, %d, true", tt.length, n, size, ok, tt.length, len(got))
		}
		for cut := range got {
			if _, _, ok := Length(got[:cut]); ok {
				t.Errorf("Length of %d cut to %d bytes: ok", tt.length, cut)
			}
		}
	}
}
