package endpoint

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/wskit/wskit/frame"
)

// xorExt is a toy per-message extension on RSV1: it XORs the payload of
// messages longer than 3 bytes with 0x55, and sends shorter ones as they are.
type xorExt struct{}

func (xorExt) RSV() byte { return frame.Rsv1 }

func (xorExt) DecodeMessage(dst, src []byte, rsv byte, limit int) ([]byte, error) {
	if len(src) > limit {
		return dst, frame.ErrMessageTooBig
	}
	for _, c := range src {
		dst = append(dst, c^0x55)
	}
	return dst, nil
}

func (xorExt) EncodeMessage(dst, src []byte, op frame.Opcode) ([]byte, byte, error) {
	if len(src) <= 3 {
		return append(dst, src...), 0, nil
	}
	for _, c := range src {
		dst = append(dst, c^0x55)
	}
	return dst, frame.Rsv1, nil
}

// bombExt expands each byte tenfold on decoding, honouring the limit.
type bombExt struct{}

func (bombExt) RSV() byte { return frame.Rsv1 }

func (bombExt) DecodeMessage(dst, src []byte, rsv byte, limit int) ([]byte, error) {
	for _, c := range src {
		if len(dst)+10 > limit {
			return dst, frame.ErrMessageTooBig
		}
		dst = append(dst, bytes.Repeat([]byte{c}, 10)...)
	}
	return dst, nil
}

func (bombExt) EncodeMessage(dst, src []byte, op frame.Opcode) ([]byte, byte, error) {
	return append(dst, src...), 0, nil
}

// failExt fails to decode with a plain error.
type failExt struct{ xorExt }

func (failExt) DecodeMessage(dst, src []byte, rsv byte, limit int) ([]byte, error) {
	return dst, errors.New("corrupt")
}

func xored(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] ^= 0x55
	}
	return string(b)
}

func TestExtensionRoundTrip(t *testing.T) {
	noLeak(t)
	for _, stream := range []bool{false, true} {
		client, server, cc, sc := unixPair(t, []Option{Extensions(xorExt{})}, []Option{Extensions(xorExt{})})
		msgs := []Message{
			{frame.OpText, []byte("hi")},                       // sent plain
			{frame.OpText, []byte("hello, wörld")},             // sent with RSV1
			{frame.OpBinary, bytes.Repeat([]byte{1, 2}, 5000)}, // large
		}
		toSend := msgs
		go func() {
			for _, m := range toSend {
				client.WriteMessage(m.Type, m.Data)
			}
			w, _ := client.NextWriter(frame.OpText)
			w.Write([]byte("streamed "))
			w.Write([]byte("text"))
			w.Close()
		}()
		msgs = append(msgs, Message{frame.OpText, []byte("streamed text")})
		got, err := readN(server, stream, len(msgs))
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range msgs {
			if got[i].Type != m.Type || !bytes.Equal(got[i].Data, m.Data) {
				t.Fatalf("stream=%v message %d: %v %.20q", stream, i, got[i].Type, got[i].Data)
			}
		}
		cc.Close()
		sc.Close()
	}
}

func readN(e *Endpoint, stream bool, n int) ([]Message, error) {
	var out []Message
	for range n {
		if stream {
			op, r, err := e.NextReader()
			if err != nil {
				return out, err
			}
			b, err := io.ReadAll(r)
			if err != nil {
				return out, err
			}
			out = append(out, Message{op, b})
			continue
		}
		m, err := e.NextMessage()
		if err != nil {
			return out, err
		}
		out = append(out, Message{m.Type, append([]byte{}, m.Data...)})
	}
	return out, nil
}

func TestExtensionRules(t *testing.T) {
	x := []Option{Extensions(xorExt{})}
	cases := []ruleCase{
		{name: "rsv1 message", opts: x,
			in:   []frame.Frame{&frame.Text{Fin: true, Rsv: frame.Rsv1, Payload: []byte(xored("hello"))}, closeFrame(1000, "")},
			want: []string{"t:hello"}, code: 1000},
		{name: "rsv1 fragmented", opts: x,
			in:   []frame.Frame{&frame.Binary{Rsv: frame.Rsv1, Payload: []byte(xored("ab"))}, ping("p"), cont(true, xored("cd")), closeFrame(1000, "")},
			want: []string{"b:abcd"}, code: 1000, pongs: []string{"p"}},
		{name: "rsv1 on continuation", opts: x,
			in:  []frame.Frame{text(false, "a"), &frame.Continuation{Fin: true, Rsv: frame.Rsv1, Payload: []byte("b")}},
			err: frame.ErrReservedBits, code: 1002},
		{name: "rsv1 on control", opts: x,
			in:  []frame.Frame{raw(frame.Header{Fin: true, Rsv: frame.Rsv1, Opcode: frame.OpPing}, nil)},
			err: frame.ErrReservedBits, code: 1002},
		{name: "rsv2 not negotiated", opts: x,
			in:  []frame.Frame{&frame.Text{Fin: true, Rsv: frame.Rsv2, Payload: []byte("x")}},
			err: frame.ErrReservedBits, code: 1002},
		{name: "decoded text not utf8", opts: x,
			in:  []frame.Frame{&frame.Text{Fin: true, Rsv: frame.Rsv1, Payload: []byte(xored("ab\xffcd"))}},
			err: frame.ErrInvalidUTF8, code: 1007},
		{name: "decoded over limit", opts: []Option{Extensions(bombExt{}), MaxMessage(100)},
			in:  []frame.Frame{&frame.Binary{Fin: true, Rsv: frame.Rsv1, Payload: bytes.Repeat([]byte("x"), 20)}},
			err: frame.ErrMessageTooBig, code: 1009},
		{name: "decode error", opts: []Option{Extensions(failExt{})},
			in:   []frame.Frame{&frame.Binary{Fin: true, Rsv: frame.Rsv1, Payload: []byte("x")}},
			code: 1011},
	}
	for _, c := range cases {
		for _, stream := range []bool{false, true} {
			t.Run(c.name, func(t *testing.T) {
				noLeak(t)
				runRuleLoose(t, c, stream)
			})
		}
	}
}

// runRuleLoose is runRule for errors that are not typed (an extension's
// own).
func runRuleLoose(t *testing.T, c ruleCase, stream bool) {
	if c.err == nil && c.want == nil {
		// Only the close code is checked.
		var w bytes.Buffer
		e := New(frame.Server, bytes.NewReader(enc(t, frame.Client, c.in...)), &w, c.opts...)
		if _, err := readAllMessages(e, stream); err == nil || frame.CloseCodeOf(err) != frame.CloseCode(c.code) {
			t.Fatalf("error %v (code %d), want code %d", err, frame.CloseCodeOf(err), c.code)
		}
		if got := closeCode(decodeAll(t, frame.Server, w.Bytes())); got != c.code {
			t.Fatalf("sent close %d, want %d", got, c.code)
		}
		return
	}
	runRule(t, c, frame.Server, stream, "buffer")
}
