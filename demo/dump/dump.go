package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

type dumper struct {
	p       *parser.Parser
	cr      *countingReader
	out     io.Writer
	preview int
	start   int64 // offset of the frame being read
	head    bytes.Buffer
}

// next reads the next frame's header and the first bytes of its payload; the
// rest of the payload is counted and skipped, so any size streams through.
func (d *dumper) next() (frame.Header, []byte, error) {
	d.start = d.cr.n - int64(d.p.Buffered())
	h, err := d.p.NextHeader()
	if err != nil {
		return h, nil, err
	}
	d.head.Reset()
	if _, err := io.CopyN(&d.head, d.p, min(h.Length, int64(max(d.preview, 125)))); err != nil {
		return h, nil, err
	}
	if _, err := io.Copy(io.Discard, d.p); err != nil {
		return h, nil, err
	}
	return h, d.head.Bytes(), nil
}

// frames prints one line per frame until the input ends.
func (d *dumper) frames() error {
	for {
		h, payload, err := d.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(d.out, "%8d %-12s fin=%d rsv=%s %-8s len=%-8d %s\n",
			d.start, h.Opcode, b2i(h.Fin), rsv(h.Rsv), masking(h), h.Length, d.show(h, payload))
	}
}

// messages prints one line per message and per control frame.
func (d *dumper) messages() error {
	var (
		open  bool
		op    frame.Opcode
		size  int64
		parts int
		first []byte
		start int64
	)
	for {
		h, payload, err := d.next()
		if errors.Is(err, io.EOF) {
			if open {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if err != nil {
			return err
		}
		if h.Opcode.IsControl() {
			fmt.Fprintf(d.out, "%8d %-12s %s\n", d.start, h.Opcode, d.show(h, payload))
			continue
		}
		switch {
		case h.Opcode == frame.OpContinuation && !open:
			return frame.ErrUnexpectedContinue
		case h.Opcode != frame.OpContinuation && open:
			return frame.ErrExpectedContinue
		case !open:
			open, op, size, parts, start = true, h.Opcode, 0, 0, d.start
			first = first[:0]
		}
		if room := d.preview - len(first); room > 0 {
			first = append(first, payload[:min(room, len(payload))]...)
		}
		size += h.Length
		parts++
		if h.Fin {
			open = false
			fmt.Fprintf(d.out, "%8d %-12s frames=%-4d len=%-8d %s\n",
				start, op, parts, size, d.show(frame.Header{Opcode: op, Length: size}, first))
		}
	}
}

// show renders a payload preview: text as a quoted string, close frames as
// code and reason, anything else in hex.
func (d *dumper) show(h frame.Header, p []byte) string {
	if h.Opcode == frame.OpClose {
		var c frame.Close
		err := frame.ParseClose(p, &c)
		s := c.Code.String()
		if c.Reason != "" {
			s += " " + strconv.Quote(c.Reason)
		}
		if err != nil {
			s += " (" + err.Error() + ")"
		}
		return s
	}
	cut := p[:min(len(p), d.preview)]
	more := ""
	if int64(len(cut)) < h.Length {
		more = "…"
	}
	if h.Opcode == frame.OpText || (h.Opcode == frame.OpContinuation && utf8.Valid(cut)) || h.Opcode.IsControl() && utf8.Valid(cut) {
		return strconv.Quote(string(cut)) + more
	}
	return fmt.Sprintf("% x", cut) + more
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func rsv(r byte) string {
	s := []byte("000")
	for i, bit := range []byte{frame.Rsv1, frame.Rsv2, frame.Rsv3} {
		if r&bit != 0 {
			s[i] = '1'
		}
	}
	return string(s)
}

func masking(h frame.Header) string {
	if h.Masked {
		return "masked"
	}
	return "unmasked"
}
