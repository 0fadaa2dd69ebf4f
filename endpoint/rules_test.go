package endpoint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/wskit/wskit/frame"
)

type ruleCase struct {
	name   string
	in     []frame.Frame // what the peer sends (masked for a server endpoint)
	raw    []byte        // appended after in, as is
	opts   []Option
	want   []string // messages: "t:payload" or "b:payload"
	err    error    // errors.Is target for the final error
	code   int      // close code the endpoint must send; 0 for an empty close; -1 none
	pongs  []string // payloads of the pongs the endpoint must send, in order
	remote *CloseError
	// runs: the case tests how a run of pings is answered, which depends
	// on how the bytes arrive; fed one byte at a time, every ping is
	// answered.
	runs bool
}

func ruleCases() []ruleCase {
	long := strings.Repeat("x", 126)
	return []ruleCase{
		{name: "text", in: []frame.Frame{text(true, "hello"), closeFrame(1000, "")},
			want: []string{"t:hello"}, code: 1000, remote: &CloseError{Code: 1000, Remote: true}},
		{name: "binary", in: []frame.Frame{bin(true, "\x00\xff"), closeFrame(1000, "bye")},
			want: []string{"b:\x00\xff"}, code: 1000, remote: &CloseError{Code: 1000, Reason: "bye", Remote: true}},
		{name: "empty messages", in: []frame.Frame{text(true, ""), bin(true, ""), closeFrame(1000, "")},
			want: []string{"t:", "b:"}, code: 1000},
		{name: "fragmented", in: []frame.Frame{text(false, "he"), cont(false, "l"), cont(true, "lo"), closeFrame(1001, "")},
			want: []string{"t:hello"}, code: 1001, remote: &CloseError{Code: 1001, Remote: true}},
		{name: "fragmented with empty fragments", in: []frame.Frame{bin(false, ""), cont(false, ""), cont(true, "x"), closeFrame(1000, "")},
			want: []string{"b:x"}, code: 1000},
		{name: "ping between fragments", in: []frame.Frame{text(false, "a"), ping("p1"), cont(true, "b"), closeFrame(1000, "")},
			want: []string{"t:ab"}, code: 1000, pongs: []string{"p1"}},
		{name: "ping answered", in: []frame.Frame{ping("hi"), closeFrame(1000, "")},
			code: 1000, pongs: []string{"hi"}},
		{name: "empty ping", in: []frame.Frame{ping(""), closeFrame(1000, "")},
			code: 1000, pongs: []string{""}},
		{name: "125-byte ping", in: []frame.Frame{ping(long[:125]), closeFrame(1000, "")},
			code: 1000, pongs: []string{long[:125]}},
		{name: "burst of pings each answered", in: []frame.Frame{ping("1"), ping("2"), ping("3"), text(true, "m"), closeFrame(1000, "")},
			want: []string{"t:m"}, code: 1000, pongs: []string{"1", "2", "3"}},
		{name: "burst past PingBurst answered at its latest", runs: true, opts: []Option{PingBurst(2)},
			in:   []frame.Frame{ping("1"), ping("2"), ping("3"), ping("4"), ping("5"), text(true, "m"), closeFrame(1000, "")},
			want: []string{"t:m"}, code: 1000, pongs: []string{"1", "2", "5"}},
		{name: "burst past PingBurst between fragments", runs: true, opts: []Option{PingBurst(1)},
			in:   []frame.Frame{text(false, "a"), ping("1"), ping("2"), ping("3"), cont(true, "b"), closeFrame(1000, "")},
			want: []string{"t:ab"}, code: 1000, pongs: []string{"1", "3"}},
		{name: "a pong ends a run of pings", runs: true, opts: []Option{PingBurst(1)},
			in:   []frame.Frame{ping("1"), ping("2"), ping("3"), pong("x"), ping("4"), ping("5"), text(true, "m"), closeFrame(1000, "")},
			want: []string{"t:m"}, code: 1000, pongs: []string{"1", "3", "4", "5"}},
		{name: "PingBurst(-1) answers every ping", opts: []Option{PingBurst(-1)},
			in:   []frame.Frame{ping("1"), ping("2"), ping("3"), ping("4"), text(true, "m"), closeFrame(1000, "")},
			want: []string{"t:m"}, code: 1000, pongs: []string{"1", "2", "3", "4"}},
		{name: "run of pings ends at the close", runs: true, opts: []Option{PingBurst(1)},
			in:   []frame.Frame{ping("1"), ping("2"), ping("3"), closeFrame(1000, "")},
			code: 1000, pongs: []string{"1", "3"}},
		{name: "unsolicited pong", in: []frame.Frame{pong("x"), pong("x"), text(true, "m"), closeFrame(1000, "")},
			want: []string{"t:m"}, code: 1000},
		{name: "empty close", in: []frame.Frame{closeFrame(0, "")},
			code: 0, remote: &CloseError{Code: frame.CloseNoStatus, Remote: true}},
		{name: "close 4000 echoed", in: []frame.Frame{closeFrame(4000, "app")},
			code: 4000, remote: &CloseError{Code: 4000, Reason: "app", Remote: true}},
		{name: "close mid-message", in: []frame.Frame{text(false, "a"), closeFrame(1000, "")},
			code: 1000, remote: &CloseError{Code: 1000, Remote: true}},
		{name: "frames after close ignored", in: []frame.Frame{closeFrame(1000, ""), text(true, "late"), ping("late")},
			code: 1000},
		{name: "utf8 split across fragments", in: []frame.Frame{text(false, "a\xf0\x9f"), cont(false, "\x98"), cont(true, "\x80b"), closeFrame(1000, "")},
			want: []string{"t:a😀b"}, code: 1000},
		{name: "continuation without message", in: []frame.Frame{cont(true, "x")},
			err: frame.ErrUnexpectedContinue, code: 1002},
		{name: "new message while fragmented", in: []frame.Frame{text(false, "x"), text(true, "y")},
			err: frame.ErrExpectedContinue, code: 1002},
		{name: "binary while fragmented", in: []frame.Frame{bin(false, "x"), bin(true, "y")},
			err: frame.ErrExpectedContinue, code: 1002},
		{name: "invalid utf8", in: []frame.Frame{text(true, "a\xffb")},
			err: frame.ErrInvalidUTF8, code: 1007},
		{name: "invalid utf8 in first fragment", in: []frame.Frame{text(false, "\xc0\xaf"), cont(true, "ok")},
			err: frame.ErrInvalidUTF8, code: 1007},
		{name: "surrogate across fragments", in: []frame.Frame{text(false, "\xed"), cont(true, "\xa0\x80")},
			err: frame.ErrInvalidUTF8, code: 1007},
		{name: "code point cut at end", in: []frame.Frame{text(false, "a"), cont(true, "\xe2\x82")},
			err: frame.ErrInvalidUTF8, code: 1007},
		{name: "binary not checked", in: []frame.Frame{bin(true, "\xff"), closeFrame(1000, "")},
			want: []string{"b:\xff"}, code: 1000},
		{name: "frame over limit", in: []frame.Frame{text(true, "0123456789x")}, opts: []Option{MaxMessage(10)},
			err: frame.ErrFrameTooBig, code: 1009},
		{name: "message over limit", in: []frame.Frame{text(false, "012345"), cont(true, "6789x")}, opts: []Option{MaxMessage(10)},
			err: frame.ErrMessageTooBig, code: 1009},
		{name: "message at limit", in: []frame.Frame{text(false, "01234"), cont(true, "56789"), closeFrame(1000, "")}, opts: []Option{MaxMessage(10)},
			want: []string{"t:0123456789"}, code: 1000},
		{name: "too many fragments", in: []frame.Frame{bin(false, "a"), cont(false, "b"), cont(false, "c"), cont(true, "d")}, opts: []Option{MaxFragments(3)},
			err: frame.ErrTooManyFragments, code: 1008},
		{name: "fragments at limit", in: []frame.Frame{bin(false, "a"), cont(false, "b"), cont(true, "c"), closeFrame(1000, "")}, opts: []Option{MaxFragments(3)},
			want: []string{"b:abc"}, code: 1000},
		{name: "reserved bits", in: []frame.Frame{&frame.Text{Fin: true, Rsv: frame.Rsv1, Payload: []byte("x")}},
			err: frame.ErrReservedBits, code: 1002},
		{name: "reserved opcode", in: []frame.Frame{raw(frame.Header{Fin: true, Opcode: 3, Length: 1}, []byte("x"))},
			err: frame.ErrReservedOpcode, code: 1002},
		{name: "reserved control opcode", in: []frame.Frame{raw(frame.Header{Fin: true, Opcode: 0xB}, nil)},
			err: frame.ErrReservedOpcode, code: 1002},
		{name: "long ping", in: []frame.Frame{raw(frame.Header{Fin: true, Opcode: frame.OpPing, Length: 126}, []byte(long))},
			err: frame.ErrControlTooLong, code: 1002},
		{name: "fragmented ping", in: []frame.Frame{raw(frame.Header{Opcode: frame.OpPing, Length: 1}, []byte("x"))},
			err: frame.ErrFragmentedControl, code: 1002},
		{name: "close of 1 byte", in: []frame.Frame{raw(frame.Header{Fin: true, Opcode: frame.OpClose, Length: 1}, []byte{3})},
			err: frame.ErrCloseLength, code: 1002},
		{name: "close code 1005", in: []frame.Frame{raw(frame.Header{Fin: true, Opcode: frame.OpClose, Length: 2}, []byte{0x03, 0xed})},
			err: frame.ErrCloseCode, code: 1002},
		{name: "close code 999", in: []frame.Frame{raw(frame.Header{Fin: true, Opcode: frame.OpClose, Length: 2}, []byte{0x03, 0xe7})},
			err: frame.ErrCloseCode, code: 1002},
		{name: "close reason not utf8", in: []frame.Frame{raw(frame.Header{Fin: true, Opcode: frame.OpClose, Length: 3}, []byte{0x03, 0xe8, 0xff})},
			err: frame.ErrCloseReasonUTF8, code: 1007},
		{name: "non-minimal length", raw: []byte{0x82, 126, 0, 5, 'a', 'b', 'c', 'd', 'e'},
			err: frame.ErrNonMinimalLength, code: 1002},
		{name: "eof mid-message", in: []frame.Frame{text(false, "a")},
			err: io.EOF, code: -1, remote: &CloseError{Code: frame.CloseAbnormal, Remote: true}},
		{name: "eof mid-frame", raw: []byte{0x81, 0x05, 'a'},
			err: io.ErrUnexpectedEOF, code: -1},
		{name: "eof", err: io.EOF, code: -1},
	}
}

// runRule feeds c's input to an endpoint of role and checks what it
// delivered, returned and sent. transport is "buffer" or "pipe".
func runRule(t *testing.T, c ruleCase, role frame.Role, stream bool, transport string) {
	peer := peerOf(role)
	in := enc(t, peer, c.in...)
	// Peers that send raw bytes send them unmasked; a server must refuse
	// those for a reason other than the one tested, so mask by hand there.
	if len(c.raw) > 0 {
		rb := append([]byte(nil), c.raw...)
		if peer == frame.Client {
			rb = maskRaw(rb)
		}
		in = append(in, rb...)
	}
	opts := append([]Option{MaskKeys(fixedKeys)}, c.opts...)
	var (
		msgs []Message
		err  error
		out  []byte
	)
	switch transport {
	case "buffer":
		var w bytes.Buffer
		e := New(role, bytes.NewReader(in), &w, opts...)
		msgs, err = readAllMessages(e, stream)
		out = w.Bytes()
	case "pipe":
		// One net.Pipe per direction, so the peer can end its stream
		// and still read.
		inR, inW := net.Pipe()
		outR, outW := net.Pipe()
		var wg sync.WaitGroup
		var got bytes.Buffer
		wg.Add(2)
		go func() { defer wg.Done(); inW.Write(in); inW.Close() }()
		go func() { defer wg.Done(); io.Copy(&got, outR) }()
		e := New(role, inR, outW, opts...)
		msgs, err = readAllMessages(e, stream)
		inR.Close()
		outW.Close()
		wg.Wait()
		out = got.Bytes()
	case "push", "push-bytes":
		// Push mode: all the bytes in one Feed, or one byte per Feed.
		var w bytes.Buffer
		e := NewPush(role, &w, opts...)
		chunk := len(in)
		if transport == "push-bytes" {
			chunk = 1
		}
		keep := func(m Message) error {
			msgs = append(msgs, Message{m.Type, append([]byte{}, m.Data...)})
			return nil
		}
		for len(in) > 0 && err == nil {
			k := min(chunk, len(in))
			err = e.Feed(in[:k], keep)
			in = in[k:]
		}
		if err == nil {
			err = e.FeedEOF()
		}
		out = w.Bytes()
	}
	if c.runs && transport == "push-bytes" {
		// Every ping is a run of its own.
		c.pongs = nil
		for _, f := range c.in {
			if p, ok := f.(*frame.Ping); ok {
				c.pongs = append(c.pongs, string(p.Payload))
			}
		}
	}
	var gotMsgs []string
	for _, m := range msgs {
		kind := "t:"
		if m.Type == frame.OpBinary {
			kind = "b:"
		}
		gotMsgs = append(gotMsgs, kind+string(m.Data))
	}
	if fmt.Sprint(gotMsgs) != fmt.Sprint(c.want) {
		t.Errorf("messages %q, want %q", gotMsgs, c.want)
	}
	if !isTyped(err) {
		t.Errorf("error %v (%T) is not typed", err, err)
	}
	if c.err != nil && !errors.Is(err, c.err) {
		t.Errorf("error %v, want %v", err, c.err)
	}
	if c.remote != nil {
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != c.remote.Code || ce.Reason != c.remote.Reason || ce.Remote != c.remote.Remote {
			t.Errorf("error %v, want %v", err, c.remote)
		}
	}
	var fe *frame.Error
	if errors.As(err, &fe) && int(frame.CloseCodeOf(err)) != c.code {
		t.Errorf("error's close code %d, want %d", frame.CloseCodeOf(err), c.code)
	}
	frames := decodeAll(t, role, out)
	if got := closeCode(frames); got != c.code {
		t.Errorf("sent close code %d, want %d (frames %+v)", got, c.code, frames)
	}
	var pongs []string
	for i, f := range frames {
		if f.h.Opcode == frame.OpPong {
			pongs = append(pongs, string(f.payload))
		}
		if f.h.Opcode == frame.OpClose && i != len(frames)-1 {
			t.Errorf("frames after the close: %+v", frames[i+1:])
		}
	}
	if fmt.Sprint(pongs) != fmt.Sprint(c.pongs) {
		t.Errorf("pongs %q, want %q", pongs, c.pongs)
	}
}

// maskRaw masks the frames in b, which are unmasked and well formed enough
// to find their lengths, with testKey.
func maskRaw(b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		h, n, err := frame.ParseHeader(b)
		if err != nil && n == 0 {
			return append(out, b...)
		}
		end := min(n+int(h.Length), len(b))
		payload := append([]byte(nil), b[n:end]...)
		frame.Mask(payload, testKey, 0)
		// Rebuild the header bytes as sent, with the mask bit and key.
		hb := append([]byte(nil), b[:n]...)
		hb[1] |= 0x80
		hb = append(hb, testKey[:]...)
		out = append(append(out, hb...), payload...)
		b = b[end:]
	}
	return out
}

func TestRules(t *testing.T) {
	for _, c := range ruleCases() {
		for _, role := range []frame.Role{frame.Server, frame.Client} {
			for _, stream := range []bool{false, true} {
				for _, transport := range []string{"buffer", "pipe", "push", "push-bytes"} {
					if stream && strings.HasPrefix(transport, "push") {
						continue // push mode delivers whole messages
					}
					name := fmt.Sprintf("%s/%s/stream=%v/%s", c.name, role, stream, transport)
					t.Run(name, func(t *testing.T) {
						noLeak(t)
						runRule(t, c, role, stream, transport)
					})
				}
			}
		}
	}
}

func TestFinalErrorRepeats(t *testing.T) {
	var w bytes.Buffer
	e := New(frame.Server, bytes.NewReader(enc(t, frame.Client, text(true, "\xff"), text(true, "ok"))), &w)
	_, err := e.NextMessage()
	if !errors.Is(err, frame.ErrInvalidUTF8) {
		t.Fatal(err)
	}
	for range 3 {
		if _, err2 := e.NextMessage(); err2 != err {
			t.Fatalf("second call: %v, want %v", err2, err)
		}
		if _, _, err2 := e.NextReader(); err2 != err {
			t.Fatalf("NextReader: %v, want %v", err2, err)
		}
	}
	if err := e.WriteMessage(frame.OpText, []byte("x")); err != ErrClosed {
		t.Fatalf("send after failure: %v, want ErrClosed", err)
	}
}
