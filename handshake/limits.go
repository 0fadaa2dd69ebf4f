package handshake

import (
	"bufio"
	"net/http"
)

// Default limits. A browser's handshake has some 15 header fields and stays
// under 2 KiB unless it carries large cookies; these bounds leave room for
// those while refusing the header floods behind CVE-2023-43669
// (tungstenite) and CVE-2024-37890 (ws).
const (
	// DefaultMaxHeaders is the default bound on the number of header
	// field lines.
	DefaultMaxHeaders = 100
	// DefaultMaxLineBytes is the default bound on one line, the request
	// or status line included, without its line ending.
	DefaultMaxLineBytes = 8 << 10
	// DefaultMaxHeaderBytes is the default bound on the whole header
	// block, from the first byte of the request or status line to the
	// end of the empty line that closes it.
	DefaultMaxHeaderBytes = 32 << 10
)

// Limits bounds the size of a handshake. A zero field means its default;
// a negative field means no bound.
type Limits struct {
	MaxHeaders     int // header field lines; default DefaultMaxHeaders
	MaxLineBytes   int // bytes in one line; default DefaultMaxLineBytes
	MaxHeaderBytes int // bytes in the header block; default DefaultMaxHeaderBytes
}

func orDefault(v, d int) int {
	switch {
	case v == 0:
		return d
	case v < 0:
		return int(^uint(0) >> 1)
	}
	return v
}

// resolved returns l with defaults filled in and negative fields replaced
// by the largest int.
func (l Limits) resolved() Limits {
	return Limits{
		MaxHeaders:     orDefault(l.MaxHeaders, DefaultMaxHeaders),
		MaxLineBytes:   orDefault(l.MaxLineBytes, DefaultMaxLineBytes),
		MaxHeaderBytes: orDefault(l.MaxHeaderBytes, DefaultMaxHeaderBytes),
	}
}

// CheckHeader returns a [*LimitError] if h exceeds l: more than MaxHeaders
// values, a "Name: value" line longer than MaxLineBytes, or more than
// MaxHeaderBytes in all counting each line as "Name: value\r\n".
//
// CheckHeader runs after the header has been parsed, so it cannot bound
// the memory that parsing took: a net/http server should also set
// [net/http.Server.MaxHeaderBytes], and a caller reading a raw connection
// should read through a [HeaderReader].
func (l Limits) CheckHeader(h http.Header) error {
	l = l.resolved()
	count, total := 0, 0
	for k, vv := range h {
		for _, v := range vv {
			count++
			if count > l.MaxHeaders {
				return &LimitError{Limit: "header count", Max: l.MaxHeaders}
			}
			n := len(k) + 2 + len(v)
			if n > l.MaxLineBytes {
				return &LimitError{Limit: "line length", Max: l.MaxLineBytes}
			}
			total += n + 2
			if total > l.MaxHeaderBytes {
				return &LimitError{Limit: "header bytes", Max: l.MaxHeaderBytes}
			}
		}
	}
	return nil
}

// HeaderReader reads an HTTP header block from a [bufio.Reader] and
// refuses it, with a [*LimitError], as soon as it exceeds its [Limits]. It
// never returns a byte past the empty line that ends the header block
// until that line has been returned, so a bufio.Reader wrapped around it
// for [net/http.ReadRequest] or [net/http.ReadResponse] holds nothing that
// follows the header; after the header block it passes reads through to
// the source, so a body can be read if the message has one.
//
// A HeaderReader counts the first line (request or status line) against
// MaxLineBytes and MaxHeaderBytes but not against MaxHeaders.
type HeaderReader struct {
	src     *bufio.Reader
	limits  Limits
	err     error
	done    bool
	lines   int // complete lines seen
	lineLen int // bytes in the current line so far, line ending included
	total   int
	last    byte // last byte seen
}

// NewHeaderReader returns a HeaderReader that reads from src within l.
func NewHeaderReader(src *bufio.Reader, l Limits) *HeaderReader {
	return &HeaderReader{src: src, limits: l.resolved()}
}

// Err returns the [*LimitError] the reader stopped with, or nil.
func (r *HeaderReader) Err() error { return r.err }

// Done reports whether the whole header block has been read.
func (r *HeaderReader) Done() bool { return r.done }

// Read reads up to len(p) bytes of the header block, stopping at its end.
func (r *HeaderReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.done {
		return r.src.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.src.Buffered() == 0 {
		if _, err := r.src.Peek(1); err != nil {
			return 0, err
		}
	}
	buf, _ := r.src.Peek(min(len(p), r.src.Buffered()))
	n := 0
	for n < len(buf) {
		c := buf[n]
		n++
		r.total++
		if c != '\n' {
			r.lineLen++
			if r.lineLen > r.limits.MaxLineBytes && !(c == '\r' && r.lineLen == r.limits.MaxLineBytes+1) {
				r.err = &LimitError{Limit: "line length", Max: r.limits.MaxLineBytes}
			}
		} else {
			if r.lines > 0 && (r.lineLen == 0 || r.lineLen == 1 && r.last == '\r') {
				// An empty line ends the block.
				r.done = true
			} else {
				r.lines++
				if r.lines-1 > r.limits.MaxHeaders {
					r.err = &LimitError{Limit: "header count", Max: r.limits.MaxHeaders}
				}
			}
			r.lineLen = 0
		}
		r.last = c
		if r.err == nil && r.total > r.limits.MaxHeaderBytes {
			r.err = &LimitError{Limit: "header bytes", Max: r.limits.MaxHeaderBytes}
		}
		if r.err != nil || r.done {
			break
		}
	}
	copy(p, buf[:n])
	r.src.Discard(n)
	if r.err != nil {
		return 0, r.err
	}
	return n, nil
}
