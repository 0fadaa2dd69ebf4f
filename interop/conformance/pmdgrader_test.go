package conformance

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
)

// rawDeflateEcho is a broken server for the grader tests: it answers every
// offer with the same Sec-WebSocket-Extensions value (none if empty),
// whatever was offered, and sends every frame back as it came, RSV bits
// and compressed payload included. Echoing the fuzzer's compressed
// bytes is sound only if the server's agreement matches the fuzzer's.
type rawDeflateEcho struct {
	response string
	rsvOnAll bool // also set RSV1 on continuation frames
}

func (e rawDeflateEcho) start(t *testing.T) string {
	addr, stop, err := serveTCP(e.serve)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return addr
}

func (e rawDeflateEcho) serve(conn net.Conn) {
	br := bufio.NewReader(conn)
	req, err := server.ReadRequest(br, handshake.Limits{})
	if err != nil {
		return
	}
	res, err := (&server.Config{}).Accept(req)
	if err != nil {
		return
	}
	text := res.AppendResponse(nil)
	if e.response != "" {
		text = insertHeader(text, "Sec-WebSocket-Extensions", e.response)
	}
	conn.Write(text)
	var hdr [14]byte
	for {
		if _, err := io.ReadFull(br, hdr[:2]); err != nil {
			return
		}
		b0, n := hdr[0], uint64(hdr[1]&0x7f)
		switch n {
		case 126:
			io.ReadFull(br, hdr[2:4])
			n = uint64(binary.BigEndian.Uint16(hdr[2:4]))
		case 127:
			io.ReadFull(br, hdr[2:10])
			n = binary.BigEndian.Uint64(hdr[2:10])
		}
		var key [4]byte
		io.ReadFull(br, key[:])
		p := make([]byte, n)
		if _, err := io.ReadFull(br, p); err != nil {
			return
		}
		for i := range p {
			p[i] ^= key[i%4]
		}
		op := b0 & 0x0f
		if op == 0 && e.rsvOnAll {
			b0 |= 0x40
		}
		if op == 9 {
			b0 = b0&0xf0 | 10
		}
		out := []byte{b0}
		switch {
		case n < 126:
			out = append(out, byte(n))
		case n < 1<<16:
			out = binary.BigEndian.AppendUint16(append(out, 126), uint16(n))
		default:
			out = binary.BigEndian.AppendUint64(append(out, 127), n)
		}
		conn.Write(append(out, p...))
		if op == 8 {
			return
		}
	}
}

// TestGraderCatchesBrokenDeflateServer runs compression cases against
// servers that break RFC 7692 in one way each: the grading must fail them,
// and pass the one that keeps its agreement.
func TestGraderCatchesBrokenDeflateServer(t *testing.T) {
	byID := map[string]*Case{}
	for _, c := range AllCases() {
		byID[c.ID] = c
	}
	tests := []struct {
		name   string
		server rawDeflateEcho
		id     string
		fail   bool
		reason string // in the account of the result
	}{
		{"echo under the same agreement", rawDeflateEcho{response: "permessage-deflate"}, "12.1.5", false, ""},
		{"echo fragmented under the same agreement", rawDeflateEcho{response: "permessage-deflate"}, "12.1.11", false, ""},
		{"declines", rawDeflateEcho{}, "12.1.1", false, ""},
		{"says no context takeover, takes it over", rawDeflateEcho{response: "permessage-deflate; server_no_context_takeover"}, "13.2.5", true, "not a valid DEFLATE stream"},
		{"says window 8, uses 15", rawDeflateEcho{response: "permessage-deflate; server_max_window_bits=8"}, "13.3.7", true, "beyond the agreed window"},
		{"ignores server_no_context_takeover offered", rawDeflateEcho{response: "permessage-deflate"}, "13.2.1", true, "matches none of the offers"},
		{"client_max_window_bits without value", rawDeflateEcho{response: "permessage-deflate; client_max_window_bits"}, "12.1.1", true, "without a value"},
		{"unknown parameter", rawDeflateEcho{response: "permessage-deflate; foo=1"}, "12.1.1", true, "unknown parameter"},
		{"RSV1 on continuation frames", rawDeflateEcho{response: "permessage-deflate", rsvOnAll: true}, "12.1.11", true, "RSV1 set on a continuation frame"},
	}
	for _, tc := range tests {
		c := byID[tc.id]
		r := RunServerSuite(context.Background(), tc.server.start(t), []*Case{c}, 1)[0]
		if r.Failed() != tc.fail || !strings.Contains(Describe(r), tc.reason) {
			t.Errorf("%s (%s): failed=%v, want %v, reason containing %q: %s", tc.name, tc.id, r.Failed(), tc.fail, tc.reason, Describe(r))
		} else {
			t.Logf("%s: %s", tc.name, Describe(r))
		}
	}
}
