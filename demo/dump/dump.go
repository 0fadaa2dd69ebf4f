package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

type dumper struct {
	p       *parser.Parser
	cr      *countingReader // below br: counts what br has read
	br      *bufio.Reader   // below p
	out     io.Writer
	preview int
	inflate bool
	start   int64 // offset of the frame being read
	head    bytes.Buffer

	// The decompressors of each direction, made at the first compressed
	// message: [0] for unmasked frames (a server's), [1] for masked ones.
	codecs [2]*pmce.Codec
}

// offset is the position in the input of the next byte the parser returns.
func (d *dumper) offset() int64 {
	return d.cr.n - int64(d.br.Buffered()) - int64(d.p.Buffered())
}

// header reads the next frame's header.
func (d *dumper) header() (frame.Header, error) {
	d.start = d.offset()
	return d.p.NextHeader()
}

// payload reads the first bytes of the current frame's payload; the rest is
// counted and skipped, so any size streams through.
func (d *dumper) payload(h frame.Header) ([]byte, error) {
	d.head.Reset()
	if _, err := io.CopyN(&d.head, d.p, min(h.Length, int64(max(d.preview, 125)))); err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, d.p); err != nil {
		return nil, err
	}
	return d.head.Bytes(), nil
}

// frames prints one line per frame until the input ends.
func (d *dumper) frames() error {
	for {
		h, err := d.header()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		payload, err := d.payload(h)
		if err != nil {
			return err
		}
		fmt.Fprintf(d.out, "%8d %-12s fin=%d rsv=%s %-8s len=%-8d %s\n",
			d.start, h.Opcode, b2i(h.Fin), rsv(h.Rsv), masking(h), h.Length, d.show(h, payload))
	}
}

// dataHeader reads headers up to the next data frame's, printing the control
// frames on the way.
func (d *dumper) dataHeader() (frame.Header, error) {
	for {
		h, err := d.header()
		if err != nil || !h.Opcode.IsControl() {
			return h, err
		}
		payload, err := d.payload(h)
		if err != nil {
			return h, err
		}
		fmt.Fprintf(d.out, "%8d %-12s %s\n", d.start, h.Opcode, d.show(h, payload))
	}
}

// messages prints one line per message and per control frame. A message is
// read as a stream across its frames, inflated on the way when it is
// compressed and d.inflate is set, so its size does not matter.
func (d *dumper) messages() error {
	for {
		h, err := d.dataHeader()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Opcode == frame.OpContinuation {
			return frame.ErrUnexpectedContinue
		}
		start := d.start
		m := &message{d: d, fin: h.Fin, frames: 1, wire: h.Length}
		var src io.Reader = m
		var zr *pmce.Reader
		if d.inflate && h.Rsv&frame.Rsv1 != 0 {
			codec, err := d.codec(h.Masked)
			if err != nil {
				return err
			}
			// No limit: the message streams through a preview and a count.
			zr = codec.NewReader(m, math.MaxInt64)
			src = zr
		}
		d.head.Reset()
		_, err = io.CopyN(&d.head, src, int64(d.preview))
		size := int64(d.head.Len())
		if err == nil {
			var n int64
			n, err = io.Copy(io.Discard, src)
			size += n
		}
		if errors.Is(err, io.EOF) {
			err = nil
		}
		if zr != nil {
			if cerr := zr.Close(); err == nil {
				err = cerr
			}
		}
		if err == nil {
			// Deflate data may end before the payload does (a final
			// block); the frames behind it still belong to the message.
			_, err = io.Copy(io.Discard, m)
		}
		if err != nil {
			return err
		}
		sh := frame.Header{Opcode: h.Opcode, Length: size}
		if zr == nil {
			sh.Rsv = h.Rsv // compressed data stays compressed: hex
		}
		shown := d.show(sh, d.head.Bytes())
		if zr != nil {
			fmt.Fprintf(d.out, "%8d %-12s frames=%-4d len=%-8d deflated=%-8d %s\n", start, h.Opcode, m.frames, size, m.wire, shown)
		} else {
			fmt.Fprintf(d.out, "%8d %-12s frames=%-4d len=%-8d %s\n", start, h.Opcode, m.frames, size, shown)
		}
	}
}

// codec returns the decompressor of the direction of masked or unmasked
// frames. Its parameters need not match the recorded connection's: it keeps
// a full 32 KiB window of each direction's data, which inflates what a
// sender wrote with any window, with or without context takeover.
func (d *dumper) codec(masked bool) (*pmce.Codec, error) {
	i := b2i(masked)
	if d.codecs[i] != nil {
		return d.codecs[i], nil
	}
	ext, err := pmce.New(pmce.Config{})
	if err != nil {
		return nil, err
	}
	var agreed handshake.Negotiated
	if masked {
		// A client's messages: a server's codec decodes them.
		_, agreed, _, err = ext.Negotiate([][]handshake.Param{nil})
	} else {
		agreed, err = ext.Accept(nil)
	}
	if err != nil {
		return nil, err
	}
	codec, ok := agreed.(*pmce.Codec)
	if !ok {
		return nil, fmt.Errorf("permessage-deflate agreed as %T", agreed)
	}
	if _, receiving := codec.ContextTakeover(); !receiving {
		return nil, errors.New("permessage-deflate: the codec keeps no window")
	}
	d.codecs[i] = codec
	return codec, nil
}

// message reads the payload of one data message across its frames,
// printing the control frames between them.
type message struct {
	d      *dumper
	fin    bool  // the current frame is the message's last
	frames int   // frames read so far
	wire   int64 // payload bytes of those frames
}

func (m *message) Read(b []byte) (int, error) {
	for {
		n, err := m.d.p.Read(b)
		if n > 0 || !errors.Is(err, io.EOF) {
			return n, err
		}
		if m.fin {
			return 0, io.EOF
		}
		h, err := m.d.dataHeader()
		switch {
		case errors.Is(err, io.EOF):
			return 0, io.ErrUnexpectedEOF
		case err != nil:
			return 0, err
		case h.Opcode != frame.OpContinuation:
			return 0, frame.ErrExpectedContinue
		}
		m.fin = h.Fin
		m.frames++
		m.wire += h.Length
	}
}

// show renders a payload preview: text as a quoted string, close frames as
// code and reason, anything else, compressed text included, in hex.
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
	if h.Rsv&frame.Rsv1 == 0 && (h.Opcode == frame.OpText || (h.Opcode == frame.OpContinuation && utf8.Valid(cut)) || h.Opcode.IsControl() && utf8.Valid(cut)) {
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
