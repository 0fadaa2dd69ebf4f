package handshake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wskit/wskit/handshake"
)

func TestErrorsIsAs(t *testing.T) {
	for _, tt := range []struct {
		err  error
		is   error
		text string
	}{
		{&handshake.StatusError{Code: 400, Status: "400 Bad Request"}, handshake.ErrBadStatus, "400 Bad Request"},
		{&handshake.StatusError{Code: 302}, handshake.ErrBadStatus, "302"},
		{&handshake.AcceptError{Got: "a", Want: "b"}, handshake.ErrBadAccept, `"a"`},
		{&handshake.DuplicateHeaderError{Name: "Sec-WebSocket-Accept"}, handshake.ErrDuplicateHeader, "duplicate Sec-WebSocket-Accept"},
		{&handshake.MissingHeaderError{Name: "Upgrade"}, handshake.ErrMissingHeader, "missing Upgrade"},
		{&handshake.HeaderError{Name: "Upgrade", Value: "h2c", Reason: "does not contain websocket"}, handshake.ErrBadHeader, `Upgrade "h2c"`},
		{&handshake.SubprotocolError{Protocol: "x"}, handshake.ErrUnknownSubprotocol, `"x"`},
		{&handshake.ExtensionError{Name: "x", Err: handshake.ErrUnknownExtension}, handshake.ErrUnknownExtension, `extension "x"`},
		{&handshake.VersionError{Version: "8"}, handshake.ErrUnsupportedVersion, `"8"`},
		{&handshake.MethodError{Method: "POST", Allow: "GET"}, handshake.ErrBadMethod, `"POST"`},
		{&handshake.ProtoError{Proto: "HTTP/1.0"}, handshake.ErrBadProto, "HTTP/1.0"},
		{&handshake.OriginError{Origin: "http://evil", Host: "good"}, handshake.ErrOrigin, "http://evil"},
		{&handshake.LimitError{Limit: "header count", Max: 100}, handshake.ErrHeaderLimit, "header count exceeds limit of 100"},
	} {
		if !errors.Is(tt.err, tt.is) {
			t.Errorf("%T is not %v", tt.err, tt.is)
		}
		if errors.Is(tt.err, handshake.ErrOrigin) != (tt.is == handshake.ErrOrigin) {
			t.Errorf("%T matches ErrOrigin", tt.err)
		}
		if !strings.Contains(tt.err.Error(), tt.text) {
			t.Errorf("%T.Error() = %q, want it to contain %q", tt.err, tt.err.Error(), tt.text)
		}
	}
	long := (&handshake.HeaderError{Name: "X", Value: strings.Repeat("a", 1<<20)}).Error()
	if len(long) > 200 {
		t.Errorf("error message repeats %d bytes of the value", len(long))
	}
}
