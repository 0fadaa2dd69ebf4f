package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/pmce"
)

// sender returns the codec one side compresses with: a server's (its
// frames unmasked) or a client's (masked), with or without context
// takeover.
func sender(t *testing.T, client, takeover bool) *pmce.Codec {
	t.Helper()
	send := pmce.Shared
	if takeover {
		send = pmce.Dedicated(15)
	}
	ext, err := pmce.New(pmce.Config{Send: send, Threshold: -1})
	if err != nil {
		t.Fatal(err)
	}
	var agreed handshake.Negotiated
	if client {
		agreed, err = ext.Accept(nil)
	} else {
		_, agreed, _, err = ext.Negotiate([][]handshake.Param{nil})
	}
	if err != nil {
		t.Fatal(err)
	}
	codec := agreed.(*pmce.Codec)
	if sending, _ := codec.ContextTakeover(); sending != takeover {
		t.Fatalf("the sender's context takeover is %v, want %v", sending, takeover)
	}
	return codec
}

// wire is a recording being built, with the lines dump prints for it.
type wire struct {
	buf  bytes.Buffer
	want []string
}

// frame appends a frame; a masked one with the key 1 2 3 4.
func (w *wire) frame(h frame.Header, payload []byte) {
	h.Length = int64(len(payload))
	if h.Masked {
		h.Mask = [4]byte{1, 2, 3, 4}
		payload = bytes.Clone(payload)
		frame.Mask(payload, h.Mask, 0)
	}
	w.buf.Write(h.AppendTo(nil))
	w.buf.Write(payload)
}

// message appends data as one text message in frames of at most size
// bytes, compressed by codec unless it is nil, with a ping after the first
// frame when there are several. shown is the message's line after its
// lengths, as dump -inflate prints it.
func (w *wire) message(t *testing.T, codec *pmce.Codec, masked bool, data []byte, size int, shown string) {
	t.Helper()
	start := w.buf.Len()
	payload, rsv := data, byte(0)
	if codec != nil {
		var err error
		if payload, err = codec.Compress(nil, data); err != nil {
			t.Fatal(err)
		}
		rsv = frame.Rsv1
	}
	var lines []string
	frames := 0
	for i := 0; i == 0 || i < len(payload); i += size {
		h := frame.Header{Fin: i+size >= len(payload), Opcode: frame.OpContinuation, Masked: masked}
		if i == 0 {
			h.Opcode, h.Rsv = frame.OpText, rsv
		}
		w.frame(h, payload[i:min(i+size, len(payload))])
		frames++
		if i == 0 && !h.Fin {
			lines = append(lines, fmt.Sprintf(`%8d ping         "between"`, w.buf.Len()))
			w.frame(frame.Header{Fin: true, Opcode: frame.OpPing, Masked: masked}, []byte("between"))
		}
	}
	line := fmt.Sprintf("%8d text         frames=%-4d len=%-8d ", start, frames, len(data))
	if codec != nil {
		line += fmt.Sprintf("deflated=%-8d ", len(payload))
	}
	w.want = append(w.want, append(lines, line+shown)...)
}

// close appends a close frame with 1000.
func (w *wire) close(masked bool) {
	w.want = append(w.want, fmt.Sprintf("%8d close        1000 (normal closure)", w.buf.Len()))
	w.frame(frame.Header{Fin: true, Opcode: frame.OpClose, Masked: masked}, []byte{0x03, 0xe8})
}

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "rec.bin")
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func lines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }

// TestInflate dumps recordings of compressed messages from either side,
// with and without context takeover. Under takeover the repeated messages
// are little more than references to the earlier ones, so they inflate only
// if the dump keeps each direction's window from message to message.
func TestInflate(t *testing.T) {
	greeting := []byte("Hello, wskit frames! Hello, wskit frames!")
	long := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB: past the 32 KiB window
	for _, tt := range []struct {
		name             string
		client, takeover bool
	}{
		{"server with context takeover", false, true},
		{"server without context takeover", false, false},
		{"client with context takeover", true, true},
		{"client without context takeover", true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			codec := sender(t, tt.client, tt.takeover)
			var w wire
			w.message(t, codec, tt.client, greeting, 1<<20, `"Hello, wskit frames! Hello, wskit frames"…`)
			w.message(t, codec, tt.client, greeting, 1<<20, `"Hello, wskit frames! Hello, wskit frames"…`)
			w.message(t, nil, tt.client, []byte("plain"), 1<<20, `"plain"`)
			w.message(t, codec, tt.client, long, 7, `"0123456789abcdef0123456789abcdef01234567"…`)
			w.message(t, codec, tt.client, long, 1000, `"0123456789abcdef0123456789abcdef01234567"…`)
			w.message(t, codec, tt.client, greeting[:5], 2, `"Hello"`)
			w.close(tt.client)

			var stdout, stderr bytes.Buffer
			if code := run([]string{"-inflate", writeFile(t, w.buf.Bytes())}, nil, &stdout, &stderr); code != 0 {
				t.Fatalf("exit code %d: %s", code, stderr.String())
			}
			if diff := cmp.Diff(w.want, lines(stdout.String())); diff != "" {
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestInflateRecordedHandshake dumps what demo/client -record writes: the
// server's response, then its frames.
func TestInflateRecordedHandshake(t *testing.T) {
	const response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n"
	codec := sender(t, false, false)
	var w wire
	w.buf.WriteString(response)
	w.message(t, codec, false, []byte("compressed ✓"), 1<<20, `"compressed ✓"`)
	w.close(false)
	handshakeLine := "       0 handshake    101 Switching Protocols protocol=chat extensions=permessage-deflate; server_no_context_takeover"
	// Not inflated, compressed data is shown in hex.
	deflated := w.buf.Bytes()[len(response)+2 : w.buf.Len()-4]
	hex := fmt.Sprintf("% x", deflated)
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"inflate", []string{"-inflate"}, append([]string{handshakeLine}, w.want...)},
		{"frames", nil, []string{
			handshakeLine,
			fmt.Sprintf("%8d text         fin=1 rsv=100 unmasked len=%-8d %s", len(response), len(deflated), hex),
			fmt.Sprintf("%8d close        fin=1 rsv=000 unmasked len=2        1000 (normal closure)", w.buf.Len()-4),
		}},
		{"messages", []string{"-messages"}, []string{
			handshakeLine,
			fmt.Sprintf("%8d text         frames=1    len=%-8d %s", len(response), len(deflated), hex),
			fmt.Sprintf("%8d close        1000 (normal closure)", w.buf.Len()-4),
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(append(tt.args, writeFile(t, w.buf.Bytes())), nil, &stdout, &stderr); code != 0 {
				t.Fatalf("exit code %d: %s", code, stderr.String())
			}
			if diff := cmp.Diff(tt.want, lines(stdout.String())); diff != "" {
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInflateErrors(t *testing.T) {
	codec := sender(t, false, true)
	var takeover wire
	takeover.message(t, codec, false, []byte("Hello, wskit frames!"), 1<<20, "")
	first := takeover.buf.Len()
	takeover.message(t, codec, false, []byte("Hello, wskit frames!"), 1<<20, "")
	second := takeover.buf.Bytes()[first:] // the second message alone

	var corrupt wire
	corrupt.frame(frame.Header{Fin: true, Opcode: frame.OpText, Rsv: frame.Rsv1}, []byte{0xff, 0xff, 0xff})

	var unfinished wire
	unfinished.frame(frame.Header{Opcode: frame.OpText, Rsv: frame.Rsv1}, []byte{0xf2, 0x48})

	for _, tt := range []struct {
		name    string
		input   []byte
		wantOut string
		wantErr string
	}{
		{
			name:    "corrupt deflate data",
			input:   corrupt.buf.Bytes(),
			wantErr: "dump: at offset 0: websocket: permessage-deflate: corrupt data",
		},
		{
			name:    "a recording that starts after the window it needs",
			input:   second,
			wantErr: "dump: at offset 0: websocket: permessage-deflate: corrupt data",
		},
		{
			name:    "message cut short",
			input:   unfinished.buf.Bytes(),
			wantErr: "dump: at offset 4: unexpected EOF",
		},
		{
			name:    "refused handshake",
			input:   []byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno"),
			wantOut: "       0 handshake    403 Forbidden protocol=- extensions=-\n",
			wantErr: "dump: at offset 0: the handshake was refused (403 Forbidden): no frames follow",
		},
		{
			name:    "handshake cut short",
			input:   []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: webso"),
			wantErr: "dump: at offset 0: handshake response: unexpected EOF",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run([]string{"-inflate", writeFile(t, tt.input)}, nil, &stdout, &stderr); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if got := stdout.String(); got != tt.wantOut {
				t.Errorf("stdout %q, want %q", got, tt.wantOut)
			}
			if got := strings.TrimSpace(stderr.String()); !strings.HasPrefix(got, tt.wantErr) {
				t.Errorf("stderr %q, want it to start with %q", got, tt.wantErr)
			}
		})
	}
}
