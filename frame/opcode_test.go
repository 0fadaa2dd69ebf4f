package frame_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
)

func TestOpcode(t *testing.T) {
	type props struct {
		Name     string
		Control  bool
		Data     bool
		Reserved bool
	}
	tests := []struct {
		op   frame.Opcode
		want props
	}{
		{frame.OpContinuation, props{"continuation", false, true, false}},
		{frame.OpText, props{"text", false, true, false}},
		{frame.OpBinary, props{"binary", false, true, false}},
		{0x3, props{"reserved(0x3)", false, true, true}},
		{0x4, props{"reserved(0x4)", false, true, true}},
		{0x5, props{"reserved(0x5)", false, true, true}},
		{0x6, props{"reserved(0x6)", false, true, true}},
		{0x7, props{"reserved(0x7)", false, true, true}},
		{frame.OpClose, props{"close", true, false, false}},
		{frame.OpPing, props{"ping", true, false, false}},
		{frame.OpPong, props{"pong", true, false, false}},
		{0xB, props{"reserved(0xb)", true, false, true}},
		{0xC, props{"reserved(0xc)", true, false, true}},
		{0xD, props{"reserved(0xd)", true, false, true}},
		{0xE, props{"reserved(0xe)", true, false, true}},
		{0xF, props{"reserved(0xf)", true, false, true}},
	}
	for _, tt := range tests {
		got := props{tt.op.String(), tt.op.IsControl(), tt.op.IsData(), tt.op.IsReserved()}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Opcode(%#x) mismatch (-want +got):\n%s", byte(tt.op), diff)
		}
	}
}

func TestRoleString(t *testing.T) {
	tests := []struct {
		r    frame.Role
		want string
	}{
		{0, "none"},
		{frame.Server, "server"},
		{frame.Client, "client"},
		{7, "none"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("Role(%d).String() = %q, want %q", tt.r, got, tt.want)
		}
	}
}
