package frame_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
)

func TestCloseCodeValid(t *testing.T) {
	// RFC 6455 §7.4 and the IANA registry: which codes may be on the wire.
	tests := []struct {
		lo, hi frame.CloseCode
		want   bool
	}{
		{0, 999, false},
		{1000, 1003, true},
		{1004, 1006, false},
		{1007, 1014, true},
		{1015, 1015, false},
		{1016, 2999, false},
		{3000, 4999, true},
		{5000, 65535, false},
	}
	for _, tt := range tests {
		for c := int(tt.lo); c <= int(tt.hi); c++ {
			if got := frame.CloseCode(c).Valid(); got != tt.want {
				t.Errorf("CloseCode(%d).Valid() = %v, want %v", c, got, tt.want)
			}
		}
	}
}

func TestCloseCodeString(t *testing.T) {
	tests := []struct {
		c    frame.CloseCode
		want string
	}{
		{frame.CloseNormal, "1000 (normal closure)"},
		{frame.CloseNoStatus, "1005 (no status received)"},
		{frame.CloseMessageTooBig, "1009 (message too big)"},
		{frame.CloseTLSHandshake, "1015 (TLS handshake failure)"},
		{1004, "1004"},
		{4000, "4000"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("CloseCode(%d).String() = %q, want %q", uint16(tt.c), got, tt.want)
		}
	}
}

func TestCloseEncode(t *testing.T) {
	long := strings.Repeat("x", 123)
	tests := []struct {
		name    string
		f       frame.Close
		want    []byte
		wantErr error
	}{
		{"no code", frame.Close{}, []byte{0x88, 0x00}, nil},
		{"no status", frame.Close{Code: frame.CloseNoStatus}, []byte{0x88, 0x00}, nil},
		{"normal", frame.Close{Code: frame.CloseNormal}, []byte{0x88, 0x02, 0x03, 0xe8}, nil},
		{"reason", frame.Close{Code: frame.CloseGoingAway, Reason: "bye"}, []byte{0x88, 0x05, 0x03, 0xe9, 'b', 'y', 'e'}, nil},
		{"private code", frame.Close{Code: 4999}, []byte{0x88, 0x02, 0x13, 0x87}, nil},
		{"123-byte reason", frame.Close{Code: frame.CloseNormal, Reason: long}, append([]byte{0x88, 0x7d, 0x03, 0xe8}, long...), nil},
		{"124-byte reason", frame.Close{Code: frame.CloseNormal, Reason: long + "x"}, nil, frame.ErrCloseReasonTooLong},
		{"invalid UTF-8 reason", frame.Close{Code: frame.CloseNormal, Reason: "\xff"}, nil, frame.ErrCloseReasonUTF8},
		{"reason without code", frame.Close{Reason: "why"}, nil, frame.ErrReasonWithoutCode},
		{"reason with no status", frame.Close{Code: frame.CloseNoStatus, Reason: "why"}, nil, frame.ErrReasonWithoutCode},
		{"1004", frame.Close{Code: 1004}, nil, frame.ErrCloseCodeNotSendable},
		{"1006", frame.Close{Code: frame.CloseAbnormal}, nil, frame.ErrCloseCodeNotSendable},
		{"1015", frame.Close{Code: frame.CloseTLSHandshake}, nil, frame.ErrCloseCodeNotSendable},
		{"999", frame.Close{Code: 999}, nil, frame.ErrCloseCodeNotSendable},
		{"5000", frame.Close{Code: 5000}, nil, frame.ErrCloseCodeNotSendable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := frame.Append([]byte{}, &tt.f)
			if err != tt.wantErr {
				t.Fatalf("Append error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if len(got) != 0 {
					t.Errorf("Append left %d bytes after an error", len(got))
				}
				if _, err := tt.f.WriteTo(&strings.Builder{}); err != tt.wantErr {
					t.Errorf("WriteTo error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Append mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseClose(t *testing.T) {
	tests := []struct {
		name     string
		payload  []byte
		want     frame.Close
		wantErr  error
		wantCode frame.CloseCode // the close code the error calls for
	}{
		{"empty", nil, frame.Close{Code: frame.CloseNoStatus}, nil, 0},
		{"one byte", []byte{0x03}, frame.Close{Code: frame.CloseNoStatus}, frame.ErrCloseLength, frame.CloseProtocolError},
		{"normal", []byte{0x03, 0xe8}, frame.Close{Code: frame.CloseNormal}, nil, 0},
		{"reason", []byte{0x0f, 0xa0, 'o', 'k', ' ', 0xc3, 0xa9}, frame.Close{Code: 4000, Reason: "ok é"}, nil, 0},
		{"1005 on the wire", []byte{0x03, 0xed}, frame.Close{Code: frame.CloseNoStatus}, frame.ErrCloseCode, frame.CloseProtocolError},
		{"1004", []byte{0x03, 0xec}, frame.Close{Code: 1004}, frame.ErrCloseCode, frame.CloseProtocolError},
		{"0", []byte{0x00, 0x00}, frame.Close{Code: 0}, frame.ErrCloseCode, frame.CloseProtocolError},
		{"65535", []byte{0xff, 0xff, 'x'}, frame.Close{Code: 65535, Reason: "x"}, frame.ErrCloseCode, frame.CloseProtocolError},
		{"invalid UTF-8", []byte{0x03, 0xe8, 'a', 0xff}, frame.Close{Code: frame.CloseNormal, Reason: "a\xff"}, frame.ErrCloseReasonUTF8, frame.CloseInvalidPayload},
		{"truncated UTF-8", []byte{0x03, 0xe8, 0xc3}, frame.Close{Code: frame.CloseNormal, Reason: "\xc3"}, frame.ErrCloseReasonUTF8, frame.CloseInvalidPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := frame.Close{Code: 1234, Reason: "stale"}
			err := frame.ParseClose(tt.payload, &got)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseClose error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(closeRec(tt.want), closeRec(got)); diff != "" {
				t.Errorf("ParseClose mismatch (-want +got):\n%s", diff)
			}
			if err != nil {
				var fe *frame.Error
				if !errors.As(err, &fe) {
					t.Fatalf("ParseClose error %v is not a *frame.Error", err)
				}
				if fe.Code != tt.wantCode {
					t.Errorf("error code = %v, want %v", fe.Code, tt.wantCode)
				}
				return
			}
			// A valid close frame encodes back to its payload.
			b, err := got.AppendPayload(nil)
			if err != nil {
				t.Fatalf("AppendPayload: %v", err)
			}
			if diff := cmp.Diff(tt.payload, b, cmpEmpty); diff != "" {
				t.Errorf("AppendPayload mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// closeRec makes a Close comparable.
func closeRec(f frame.Close) [2]any { return [2]any{f.Code, f.Reason} }

func TestCloseCodeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want frame.CloseCode
	}{
		{"nil", nil, frame.CloseNormal},
		{"other", errors.New("disk full"), frame.CloseInternalError},
		{"protocol", frame.ErrReservedBits, frame.CloseProtocolError},
		{"utf8", frame.ErrInvalidUTF8, frame.CloseInvalidPayload},
		{"too big wrapped", errors.Join(errors.New("reading"), frame.ErrFrameTooBig), frame.CloseMessageTooBig},
		{"fragments", frame.ErrTooManyFragments, frame.ClosePolicyViolation},
		{"custom", &frame.Error{Code: 4001, Msg: "app"}, 4001},
		{"send error", frame.ErrCloseReasonTooLong, frame.CloseInternalError},
	}
	for _, tt := range tests {
		if got := frame.CloseCodeOf(tt.err); got != tt.want {
			t.Errorf("%s: CloseCodeOf(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestErrorTable(t *testing.T) {
	// Every violation carries the close code RFC 6455 calls for.
	tests := []struct {
		err  *frame.Error
		code frame.CloseCode
	}{
		{frame.ErrLengthOverflow, 1002},
		{frame.ErrNonMinimalLength, 1002},
		{frame.ErrReservedOpcode, 1002},
		{frame.ErrReservedBits, 1002},
		{frame.ErrControlTooLong, 1002},
		{frame.ErrFragmentedControl, 1002},
		{frame.ErrUnmasked, 1002},
		{frame.ErrMasked, 1002},
		{frame.ErrUnexpectedContinue, 1002},
		{frame.ErrExpectedContinue, 1002},
		{frame.ErrCloseLength, 1002},
		{frame.ErrCloseCode, 1002},
		{frame.ErrUnexpectedAfterClose, 1002},
		{frame.ErrInvalidUTF8, 1007},
		{frame.ErrCloseReasonUTF8, 1007},
		{frame.ErrFrameTooBig, 1009},
		{frame.ErrMessageTooBig, 1009},
		{frame.ErrTooManyFragments, 1008},
	}
	for _, tt := range tests {
		if tt.err.Code != tt.code {
			t.Errorf("%v: code %v, want %v", tt.err, tt.err.Code, tt.code)
		}
		if !strings.HasPrefix(tt.err.Error(), "websocket: ") {
			t.Errorf("%q: want the prefix %q", tt.err.Error(), "websocket: ")
		}
	}
}
