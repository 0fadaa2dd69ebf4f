package streamer

import (
	"errors"
	"fmt"
	"io"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/pool"
)

// DefaultFrameSize is the largest payload of one frame unless FrameSize says
// otherwise.
const DefaultFrameSize = 16 << 10

// Errors returned by a Streamer.
var (
	ErrClosed = errors.New("streamer: write after Close")
	ErrOpcode = errors.New("streamer: a message starts with a data opcode other than continuation")
	// ErrConfig is wrapped by the error of an impossible option, such as
	// a negative FrameSize.
	ErrConfig = errors.New("streamer: impossible configuration")
)

// Option configures a Streamer.
type Option func(*Streamer)

// FrameSize sets the largest payload of one frame. n == 0 means
// DefaultFrameSize. A frame is held in a buffer until it is full, so its
// size cannot be unlimited: n < 0 is a configuration error, which Write,
// ReadFrom and Close return (wrapping ErrConfig).
func FrameSize(n int) Option {
	return func(s *Streamer) {
		switch {
		case n == 0:
			n = DefaultFrameSize
		case n < 0:
			s.err = fmt.Errorf("%w: FrameSize(%d)", ErrConfig, n)
			return
		}
		s.frameSize = n
	}
}

// Masked masks every frame with a fresh key from frame.NewMaskKey, as a
// client must.
func Masked() Option { return func(s *Streamer) { s.keys = frame.NewMaskKey } }

// MaskKeys masks every frame with a key from keys; tests use it to make the
// output deterministic.
func MaskKeys(keys func() [4]byte) Option { return func(s *Streamer) { s.keys = keys } }

// Rsv sets RSV bits on the message's first frame, for an extension that
// claims them (frame.Rsv1 for permessage-deflate).
func Rsv(bits byte) Option { return func(s *Streamer) { s.rsv = bits } }

// Streamer sends one message as fragments. It is not safe for concurrent use.
type Streamer struct {
	w         io.Writer
	op        frame.Opcode // the opcode of the next frame: the message's, then continuation
	rsv       byte         // RSV bits of the next frame
	keys      func() [4]byte
	frameSize int

	buf   *[]byte // header room, then the pending payload
	n     int     // pending payload bytes
	key   [4]byte // the pending frame's masking key, when keyed
	keyed bool
	done  bool
	err   error
}

// New returns a Streamer that writes one message of type op (frame.OpText or
// frame.OpBinary, or a data opcode an extension defines) to w.
func New(w io.Writer, op frame.Opcode, opts ...Option) *Streamer {
	s := &Streamer{}
	s.reset(w, op, opts)
	return s
}

// Reset makes s send a new message of type op to w, with the given options;
// it reuses s's buffer. A message s had not closed is abandoned.
func (s *Streamer) Reset(w io.Writer, op frame.Opcode, opts ...Option) { s.reset(w, op, opts) }

func (s *Streamer) reset(w io.Writer, op frame.Opcode, opts []Option) {
	buf := s.buf
	*s = Streamer{w: w, op: op, frameSize: DefaultFrameSize, buf: buf}
	for _, o := range opts {
		o(s)
	}
	if (op.IsControl() || op == frame.OpContinuation) && s.err == nil {
		s.err = ErrOpcode
	}
}

// payload returns the pending payload's room: FrameSize bytes after room for
// the longest header.
func (s *Streamer) payload() []byte {
	need := frame.MaxHeaderSize + s.frameSize
	if s.buf == nil || len(*s.buf) < need {
		pool.Put(s.buf)
		s.buf = pool.Get(need)
	}
	return (*s.buf)[frame.MaxHeaderSize:need]
}

// Write adds p to the message. Full frames are sent as p fills them; the
// last, possibly partial, frame waits for more data, Flush or Close.
func (s *Streamer) Write(p []byte) (int, error) {
	if err := s.usable(); err != nil {
		return 0, err
	}
	written := 0
	for len(p) > 0 {
		room := s.payload()
		if s.n == len(room) {
			// A full frame is pending and more data follows: it is not the last.
			if err := s.emit(false); err != nil {
				return written, err
			}
		}
		var k int
		if s.keys != nil {
			// Mask while copying: one pass over the data.
			k = min(len(room)-s.n, len(p))
			frame.MaskCopy(room[s.n:s.n+k], p[:k], s.frameKey(), s.n)
		} else {
			k = copy(room[s.n:], p)
		}
		s.n += k
		written += k
		p = p[k:]
	}
	return written, nil
}

// ReadFrom adds everything r yields to the message, reading straight into
// the frame buffer. It implements io.ReaderFrom; it does not end the message.
func (s *Streamer) ReadFrom(r io.Reader) (int64, error) {
	if err := s.usable(); err != nil {
		return 0, err
	}
	var total int64
	for {
		room := s.payload()
		if s.n == len(room) {
			// Learn whether more data follows before sending the full frame.
			// Read the byte into the header room, which is free until emit:
			// a local array would escape to r.Read and allocate.
			k, err := r.Read((*s.buf)[:1])
			if k > 0 {
				c := (*s.buf)[0]
				if err := s.emit(false); err != nil {
					return total, err
				}
				room[0] = c
				if s.keys != nil {
					room[0] ^= s.frameKey()[0]
				}
				s.n = 1
				total++
			}
			if err == io.EOF {
				return total, nil
			}
			if err != nil {
				return total, err
			}
			continue
		}
		k, err := r.Read(room[s.n:])
		if s.keys != nil && k > 0 {
			frame.Mask(room[s.n:s.n+k], s.frameKey(), s.n)
		}
		s.n += k
		total += int64(k)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// Flush sends the pending data now, as a frame that does not end the message.
// It sends nothing when no data is pending.
func (s *Streamer) Flush() error {
	if err := s.usable(); err != nil {
		return err
	}
	if s.n == 0 {
		return nil
	}
	return s.emit(false)
}

// Close sends the pending data as the message's final frame, with FIN set
// (an empty final frame when nothing is pending). Later writes fail with
// ErrClosed; the buffer goes back to the pool.
func (s *Streamer) Close() error {
	if err := s.usable(); err != nil {
		return err
	}
	s.payload()
	err := s.emit(true)
	s.done = true
	pool.Put(s.buf)
	s.buf = nil
	return err
}

func (s *Streamer) usable() error {
	if s.done {
		return ErrClosed
	}
	return s.err
}

// emit sends the pending payload as one frame.
func (s *Streamer) emit(fin bool) error {
	h := frame.Header{Fin: fin, Rsv: s.rsv, Opcode: s.op, Length: int64(s.n)}
	if s.keys != nil {
		// The payload was masked as it came in.
		h.Masked, h.Mask = true, s.frameKey()
	}
	start := frame.MaxHeaderSize - h.Size()
	h.AppendTo((*s.buf)[start:start])
	end := frame.MaxHeaderSize + s.n
	_, err := s.w.Write((*s.buf)[start:end])
	s.op, s.rsv, s.n, s.keyed = frame.OpContinuation, 0, 0, false
	if err != nil {
		s.err = err
	}
	return err
}

// frameKey returns the pending frame's masking key, drawing a fresh one when
// the frame starts.
func (s *Streamer) frameKey() [4]byte {
	if !s.keyed {
		s.key, s.keyed = s.keys(), true
	}
	return s.key
}
