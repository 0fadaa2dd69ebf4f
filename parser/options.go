package parser

import (
	"fmt"

	"github.com/wskit/wskit/frame"
)

// DefaultMaxPayload is the largest frame payload a Parser accepts unless
// MaxPayload says otherwise: 16 MiB, enough for any message a browser
// normally sends in one frame, small enough that a hostile peer cannot make a
// server hold much memory per connection.
const DefaultMaxPayload = 16 << 20

// DefaultBufferSize is the size of a Parser's read-ahead buffer. Frames that
// fit in it are decoded in place; larger ones borrow a pooled buffer.
const DefaultBufferSize = 4096

// Option configures a Parser.
type Option func(*config)

type config struct {
	role        frame.Role
	maxPayload  int64
	bufSize     int
	rsv         byte
	illegal     bool
	leftover    []byte
	ext         *[16]frame.ParseFunc // nil unless Register was given: a Parser stays small
	err         error                // an impossible option, returned by every call
	releaseIdle bool
}

// Role makes the parser enforce a role's masking rule: a Server parser
// refuses unmasked frames (frame.ErrUnmasked), a Client parser refuses masked
// ones (frame.ErrMasked).
func Role(r frame.Role) Option { return func(c *config) { c.role = r } }

// MaxPayload sets the largest payload a frame may declare. n == 0 means
// DefaultMaxPayload; n < 0 sets no limit of the parser's own, which leaves
// the bound every parser keeps: 1<<47 bytes, more than a machine holds.
func MaxPayload(n int64) Option {
	return func(c *config) {
		switch {
		case n == 0:
			n = DefaultMaxPayload
		case n < 0:
			n = maxPayloadCap
		}
		c.maxPayload = min(n, maxPayloadCap)
	}
}

// maxPayloadCap bounds every frame a Parser accepts.
const maxPayloadCap = 1 << 47

// BufferSize sets the size of the read-ahead buffer: n == 0 means
// DefaultBufferSize, and a smaller size than 64 bytes means 64. A buffer
// cannot be unlimited: n < 0 is a configuration error, which the parser
// returns (wrapping ErrConfig) from its first call on.
func BufferSize(n int) Option {
	return func(c *config) {
		switch {
		case n == 0:
			n = DefaultBufferSize
		case n < 0:
			c.fail(fmt.Errorf("%w: BufferSize(%d)", ErrConfig, n))
			return
		}
		c.bufSize = max(n, 64)
	}
}

// AllowRsv permits the given RSV bits (frame.Rsv1, Rsv2, Rsv3), as an
// extension negotiated in the handshake claims them, on data frames. Other RSV
// bits, and any RSV bit on a control frame, fail with frame.ErrReservedBits.
func AllowRsv(bits byte) Option { return func(c *config) { c.rsv |= bits } }

// Leftover gives the parser bytes that were read from the stream before it
// (past the end of the opening handshake, say). They are parsed first. The
// parser copies them.
func Leftover(b []byte) Option { return func(c *config) { c.leftover = b } }

// Register gives a reserved opcode a meaning, as an extension may: frames
// with opcode op are decoded by fn. An opcode RFC 6455 defines cannot be
// registered: the parser then returns a configuration error (wrapping
// ErrConfig and frame.ErrNotReserved) from its first call on.
func Register(op frame.Opcode, fn frame.ParseFunc) Option {
	return func(c *config) {
		if op > 0xF || !op.IsReserved() {
			c.fail(fmt.Errorf("%w: Register(%v): %w", ErrConfig, op, frame.ErrNotReserved))
			return
		}
		if c.ext == nil {
			c.ext = new([16]frame.ParseFunc)
		}
		c.ext[op] = fn
	}
}

// fail keeps the first configuration error.
func (c *config) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// ReleaseIdle makes a Parser that reads a socket wait for the stream's next
// bytes without holding its read-ahead buffer: whenever the buffer is empty,
// it goes back to a pool, and the bytes that arrive are read into one taken
// from the pool then. A connection waiting for its next frame, as most
// connections of a busy server are, then holds no read buffer. It applies
// to readers with a SyscallConn method (*net.TCPConn, *net.UnixConn) on
// Unix systems, whose readiness the runtime's poller reports, and makes no
// difference to others. A frame returned earlier becomes invalid at the
// next call, as always. endpoint.New sets it.
func ReleaseIdle() Option { return func(c *config) { c.releaseIdle = true } }

// AllowIllegal makes the parser return frames that break the rules — any
// RSV bits, reserved opcodes (as *frame.Raw), long or fragmented control
// frames, the wrong masking, invalid close codes — instead of failing, for
// tools that test other implementations. Lengths that cannot be decoded and
// the MaxPayload limit still apply.
func AllowIllegal() Option { return func(c *config) { c.illegal = true } }
