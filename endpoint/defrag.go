package endpoint

import (
	"math"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/pool"
	"github.com/wskit/wskit/internal/utf8"
)

// Message is one whole text or binary message.
type Message struct {
	Type frame.Opcode // frame.OpText or frame.OpBinary
	Data []byte       // the payload, decoded by any extension; see the buffer lifetime rules
}

// keepBuffer is the largest message buffer kept between messages; a larger
// one goes back to the pool when the next message starts, so an idle
// connection does not hold the memory of its largest message.
const keepBuffer = 64 << 10

// Defragmenter reassembles messages from data frames, on its own or inside
// an Endpoint. It enforces the rules of RFC 6455 §5.4 on fragment sequence
// (frame.ErrUnexpectedContinue, frame.ErrExpectedContinue), the limits on
// size (frame.ErrMessageTooBig) and fragment count
// (frame.ErrTooManyFragments), RSV bits (frame.ErrReservedBits: only on a
// first frame, only those the extensions claim), and UTF-8 in text messages
// (frame.ErrInvalidUTF8), failing at the first invalid byte even in the
// middle of a fragment, while a code point split across fragments is valid.
//
// Violations are final: Add returns the same error from then on, until
// Reset. The zero Defragmenter uses the default limits and no extensions; set
// the fields before the first Add.
type Defragmenter struct {
	// MaxMessage is the largest message, after decoding by extensions;
	// 0 means DefaultMaxMessage, a negative value no limit.
	MaxMessage int64
	// MaxFragments is the most frames a message may arrive in; 0 means
	// DefaultMaxFragments, a negative value no limit.
	MaxFragments int
	// Extensions decode messages whose first frame carries their RSV bits.
	Extensions []Codec

	open  bool // a message is in progress
	op    frame.Opcode
	rsv   byte
	frags int
	size  int64
	v     utf8.Validator

	buf *[]byte // the assembled payload, (*buf)[:n]
	n   int
	out [2][]byte // extension output
	err error
}

// Add takes the next data frame (*frame.Text, *frame.Binary or
// *frame.Continuation) and returns the message it completes, with ok true.
// A message that arrived in one frame without extension is returned without
// copying: its Data aliases the frame's payload. Otherwise Data is in the
// Defragmenter's buffer. Either way it is valid until the next call to Add
// or Reset, and until the frame's own lifetime ends (the next call on the
// parser that produced it).
//
// Control frames are not the Defragmenter's business: they give ErrNotData,
// which is not final.
func (d *Defragmenter) Add(f frame.Frame) (m Message, ok bool, err error) {
	var (
		op  frame.Opcode
		fin bool
		rsv byte
		p   []byte
	)
	switch f := f.(type) {
	case *frame.Text:
		op, fin, rsv, p = frame.OpText, f.Fin, f.Rsv, f.Payload
	case *frame.Binary:
		op, fin, rsv, p = frame.OpBinary, f.Fin, f.Rsv, f.Payload
	case *frame.Continuation:
		op, fin, rsv, p = frame.OpContinuation, f.Fin, f.Rsv, f.Payload
	default:
		if d.err != nil {
			return Message{}, false, d.err
		}
		return Message{}, false, ErrNotData
	}
	if err := d.header(op, rsv, int64(len(p))); err != nil {
		return Message{}, false, err
	}
	if err := d.check(p); err != nil {
		return Message{}, false, err
	}
	if fin && d.frags == 1 && !d.buffered() {
		return d.finish(p)
	}
	copy(d.room(len(p)), p)
	d.n += len(p)
	if !fin {
		return Message{}, false, nil
	}
	return d.finish(d.assembled())
}

// assembled returns the payload held so far.
func (d *Defragmenter) assembled() []byte {
	if d.buf == nil {
		return nil
	}
	return (*d.buf)[:d.n]
}

// Reset abandons any message in progress and clears a violation, keeping the
// configuration. The last message's Data becomes invalid.
func (d *Defragmenter) Reset() {
	d.release(0)
	d.open, d.err, d.n = false, nil, 0
	d.v.Reset()
}

// InMessage reports whether a fragmented message is in progress.
func (d *Defragmenter) InMessage() bool { return d.open }

func (d *Defragmenter) maxMessage() int64 {
	switch {
	case d.MaxMessage == 0:
		return DefaultMaxMessage
	case d.MaxMessage < 0:
		return math.MaxInt64
	}
	return d.MaxMessage
}

func (d *Defragmenter) maxFragments() int {
	switch {
	case d.MaxFragments == 0:
		return DefaultMaxFragments
	case d.MaxFragments < 0:
		return math.MaxInt
	}
	return d.MaxFragments
}

func (d *Defragmenter) fail(err error) error {
	d.err, d.open = err, false
	return err
}

// admit checks a data frame's header against the message in progress and
// the limits, changing nothing.
func (d *Defragmenter) admit(op frame.Opcode, rsv byte, n int64) error {
	if d.err != nil {
		return d.err
	}
	frags, size, buffered := d.frags, d.size, d.buffered()
	if op == frame.OpContinuation {
		switch {
		case !d.open:
			return frame.ErrUnexpectedContinue
		case rsv != 0:
			return frame.ErrReservedBits
		}
	} else {
		switch {
		case d.open:
			return frame.ErrExpectedContinue
		case rsv&^extRsv(d.Extensions) != 0:
			return frame.ErrReservedBits
		}
		frags, size, buffered = 0, 0, rsv != 0
	}
	if frags+1 > d.maxFragments() {
		return frame.ErrTooManyFragments
	}
	if n > rawLimit(d.maxMessage(), buffered)-size {
		return frame.ErrMessageTooBig
	}
	return nil
}

// header checks a data frame's header as admit does, and takes the frame
// into the message, starting one on a first frame.
func (d *Defragmenter) header(op frame.Opcode, rsv byte, n int64) error {
	if d.err == nil && rsv == 0 {
		// The common cases, a plain frame within the limits, without
		// admit's general checks.
		if op != frame.OpContinuation {
			if !d.open && n <= d.maxMessage() {
				d.start(op, 0, n)
				return nil
			}
		} else if d.open && d.frags < d.maxFragments() && n <= rawLimit(d.maxMessage(), d.buffered())-d.size {
			d.frags++
			d.size += n
			return nil
		}
	}
	if err := d.admit(op, rsv, n); err != nil {
		return d.fail(err)
	}
	if op != frame.OpContinuation {
		d.start(op, rsv, n)
		return nil
	}
	d.frags++
	d.size += n
	return nil
}

// start begins a message with its first frame, of n payload bytes.
func (d *Defragmenter) start(op frame.Opcode, rsv byte, n int64) {
	d.release(keepBuffer)
	d.open, d.op, d.rsv, d.frags, d.size, d.n = true, op, rsv, 1, n, 0
	d.v.Reset()
}

// buffered reports whether the message in progress must be held whole
// before it is delivered: an extension decodes it.
func (d *Defragmenter) buffered() bool { return d.rsv != 0 }

// check validates a piece of payload of the message in progress.
func (d *Defragmenter) check(p []byte) error {
	if d.op == frame.OpText && !d.buffered() && !d.v.Write(p) {
		return d.fail(frame.ErrInvalidUTF8)
	}
	return nil
}

// end checks the end of the message in progress when it was not held.
func (d *Defragmenter) end() error {
	d.open = false
	if d.op == frame.OpText && !d.v.Complete() {
		return d.fail(frame.ErrInvalidUTF8)
	}
	return nil
}

// finish ends the message in progress, whose payload is data.
func (d *Defragmenter) finish(data []byte) (Message, bool, error) {
	if d.buffered() {
		d.open = false
		var err error
		if data, err = d.decode(data); err != nil {
			return Message{}, false, d.fail(err)
		}
		if d.op == frame.OpText && !utf8.Valid(data) {
			return Message{}, false, d.fail(frame.ErrInvalidUTF8)
		}
	} else if err := d.end(); err != nil {
		return Message{}, false, err
	}
	return Message{Type: d.op, Data: data}, true, nil
}

// decode runs the extensions that claim the message's RSV bits, last first.
func (d *Defragmenter) decode(data []byte) ([]byte, error) {
	limit := int(min(d.maxMessage(), math.MaxInt))
	k := 0
	for i := len(d.Extensions) - 1; i >= 0; i-- {
		x := d.Extensions[i]
		if x.RSV()&d.rsv == 0 {
			continue
		}
		out, err := x.DecodeMessage(d.out[k][:0], data, d.rsv, limit)
		if err != nil {
			return nil, err
		}
		if len(out) > limit {
			return nil, frame.ErrMessageTooBig
		}
		d.out[k], data, k = out, out, 1-k
	}
	return data, nil
}

// room returns space for n more payload bytes after the first d.n.
func (d *Defragmenter) room(n int) []byte {
	need := d.n + n
	if d.buf == nil || cap(*d.buf) < need {
		nb := pool.Get(max(need, 2*d.n))
		if d.buf != nil {
			copy(*nb, (*d.buf)[:d.n])
			pool.Put(d.buf)
		}
		d.buf = nb
	}
	*d.buf = (*d.buf)[:cap(*d.buf)]
	return (*d.buf)[d.n:need]
}

// idle gives back the buffers of an Endpoint between messages that holds no
// memory while idle: the message buffer to the pool, and the extensions'
// output when it is large.
func (d *Defragmenter) idle() {
	if d.buf != nil {
		pool.Put(d.buf)
		d.buf = nil
	}
	for i := range d.out {
		if cap(d.out[i]) > idleBuffer {
			d.out[i] = nil
		}
	}
}

// idleBuffer is the largest extension output buffer an idle push Endpoint keeps.
const idleBuffer = 4 << 10

// release gives back buffers larger than keep.
func (d *Defragmenter) release(keep int) {
	if d.buf != nil && cap(*d.buf) > keep {
		pool.Put(d.buf)
		d.buf = nil
	}
	for i := range d.out {
		if cap(d.out[i]) > keep {
			d.out[i] = nil
		}
	}
}
