package endpoint

import (
	"fmt"
	"math"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/streamer"
)

// Defaults of the options.
const (
	// DefaultMaxMessage is the largest message, after any extension has
	// decoded it, an Endpoint accepts: 32 MiB.
	DefaultMaxMessage = 32 << 20
	// DefaultMaxFragments is the largest number of frames one message may
	// arrive in: 1<<17 (131,072), enough for a 4 MiB message in 32-byte
	// fragments or a message of DefaultMaxMessage in 256-byte ones.
	// MaxMessage bounds the memory a message takes; this limit guards
	// against floods of tiny or empty fragments, whose cost is per frame
	// (a header to parse, a check, a call) and which MaxMessage does not
	// see.
	DefaultMaxFragments = 1 << 17
	// DefaultPingBurst is how many pings of a run read back to back are
	// each answered with a pong; see PingBurst.
	DefaultPingBurst = 64
	// DefaultMaxPings is how many of Heartbeat's pings may go unanswered
	// before Heartbeat gives up on the peer.
	DefaultMaxPings = 3
	// DefaultCloseTimeout bounds how long Close waits for the peer's close.
	DefaultCloseTimeout = 5 * time.Second
	// DefaultMaxBackpressure is the most bytes the send queue holds; see
	// MaxBackpressure.
	DefaultMaxBackpressure = 1 << 20
	// DefaultFrameSize is the largest frame payload NextWriter sends.
	DefaultFrameSize = streamer.DefaultFrameSize
)

// Option configures an Endpoint.
type Option func(*builder)

// config is what an Endpoint keeps of its options.
type config struct {
	pingBurst    int
	maxPings     int
	closeTimeout time.Duration
	clock        Clock
	keys         func() [4]byte
	frameSize    int
	writeTimeout time.Duration // 0: none
	idleTimeout  time.Duration // 0: none
	// The send queue's limit, and what a send past it does.
	maxBackpressure int
	closeOnLimit    bool
	hooks           *hooks // nil without hooks, so an Endpoint stays small
}

// builder is the options as given; the limits and extensions go to the
// Defragmenter and the parser, the parser options are spent by New.
type builder struct {
	config
	maxMessage   int64
	maxFragments int
	exts         []Codec
	popts        []parser.Option
	err          error // the first impossible option
}

// fail keeps the first configuration error.
func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func build(opts []Option) builder {
	b := builder{
		config: config{
			pingBurst:    DefaultPingBurst,
			maxPings:     DefaultMaxPings,
			closeTimeout: DefaultCloseTimeout,
			clock:        realClock{},
			frameSize:    DefaultFrameSize,

			maxBackpressure: DefaultMaxBackpressure,
		},
		maxMessage:   DefaultMaxMessage,
		maxFragments: DefaultMaxFragments,
	}
	for _, o := range opts {
		o(&b)
	}
	return b
}

// parserOptions returns the options of the parser of an Endpoint of role:
// the role's masking rule, the payload limit, the RSV bits the extensions
// claim, then ParserOptions.
func (b *builder) parserOptions(role frame.Role) []parser.Option {
	popts := []parser.Option{parser.Role(role), parser.MaxPayload(rawLimit(b.maxMessage, len(b.exts) > 0))}
	if rsv := extRsv(b.exts); rsv != 0 {
		popts = append(popts, parser.AllowRsv(rsv))
	}
	return append(popts, b.popts...)
}

// MaxMessage sets the largest message the Endpoint accepts, counted after any
// extension has decoded it; a larger one fails the connection with
// frame.ErrMessageTooBig (close code 1009). It also bounds each frame, so the
// parser refuses an oversized frame from its header alone. n == 0 means
// DefaultMaxMessage, n < 0 no limit (the parser's own bound of 2^47 bytes
// remains). The limit also applies to NextReader and FeedStream, which hold
// no message in memory: raise it to stream larger messages.
func MaxMessage(n int64) Option {
	return func(c *builder) {
		switch {
		case n == 0:
			n = DefaultMaxMessage
		case n < 0:
			n = math.MaxInt64
		}
		c.maxMessage = n
	}
}

// MaxFragments sets the largest number of frames one message may arrive in;
// more fail the connection with frame.ErrTooManyFragments (close code 1008).
// n == 0 means DefaultMaxFragments, n < 0 no limit.
func MaxFragments(n int) Option {
	return func(c *builder) {
		if n == 0 {
			n = DefaultMaxFragments
		}
		c.maxFragments = n
	}
}

// PingBurst sets how many pings of a run are each answered with a pong. Pings
// read back to back — no other frame between them, and more bytes buffered
// after each — form a run; the run ends at the first other frame, or when
// the Endpoint has read everything buffered and would wait for more. The
// first n pings of a run are answered at once, in order; past n, only the
// latest ping of the run is answered, when the run ends (RFC 6455 §5.5.3
// allows it). A flood of pings thus costs at most n+1 pongs per run and no
// memory, while pings that arrive one at a time are all answered. n == 0
// means DefaultPingBurst, n < 0 no limit: every ping is answered.
func PingBurst(n int) Option {
	return func(c *builder) {
		switch {
		case n == 0:
			n = DefaultPingBurst
		case n < 0:
			n = math.MaxInt
		}
		c.pingBurst = n
	}
}

// MaxPings sets how many pings sent by Heartbeat may be unanswered when
// Heartbeat is called; reaching it closes the connection (see Heartbeat).
// n == 0 means DefaultMaxPings, n < 0 no limit: Heartbeat only pings.
func MaxPings(n int) Option {
	return func(c *builder) {
		switch {
		case n == 0:
			n = DefaultMaxPings
		case n < 0:
			n = math.MaxInt
		}
		c.maxPings = n
	}
}

// CloseTimeout bounds how long Close waits for the peer's close frame.
// d == 0 means DefaultCloseTimeout, d < 0 no limit: Close waits as long as
// the peer takes (and the transport's own deadlines allow).
func CloseTimeout(d time.Duration) Option {
	return func(c *builder) {
		switch {
		case d == 0:
			d = DefaultCloseTimeout
		case d < 0:
			d = math.MaxInt64
		}
		c.closeTimeout = d
	}
}

// WriteTimeout bounds every write of a frame: each sets the transport's
// write deadline d from now (if the transport has SetWriteDeadline), so a
// peer that stops reading makes a send fail with the transport's timeout
// error within d, rather than block it for good. The failed write is final
// for sending, as every failed write is. d == 0 means no timeout, the
// default; d < 0 too.
func WriteTimeout(d time.Duration) Option {
	return func(c *builder) { c.writeTimeout = max(d, 0) }
}

// MaxBackpressure sets the most bytes the send queue may hold: the frames
// Send and SendPrepared queue because the transport did not take them at
// once. A send that would take the queue past n is not queued: it reports
// Dropped, or, with CloseOnBackpressureLimit, fails the connection. A
// message that finds the queue empty is queued whatever its size, so that
// any message can be sent. The blocking sends (WriteMessage, NextWriter,
// WritePrepared) wait instead, and are not limited. n == 0 means
// DefaultMaxBackpressure (1 MiB); n < 0 is a configuration error (see
// ErrConfig): an unbounded queue is what this limit exists to prevent.
func MaxBackpressure(n int) Option {
	return func(c *builder) {
		switch {
		case n == 0:
			n = DefaultMaxBackpressure
		case n < 0:
			c.fail(fmt.Errorf("%w: MaxBackpressure(%d)", ErrConfig, n))
			return
		}
		c.maxBackpressure = n
	}
}

// CloseOnBackpressureLimit makes a send that would take the send queue
// past MaxBackpressure fail the connection instead of dropping the
// message: the Endpoint discards the queued data frames, sends a close
// with code 1008 (policy violation: the peer broke the server's rule that
// it reads what it is sent; RFC 6455 §7.4.1), ends its read side with a
// *CloseError wrapping ErrBackpressure — a blocked NextMessage returns it
// at once, Done is closed — and the send returns ErrBackpressure. The
// caller then closes the transport. Chat rooms and feeds use it: a
// receiver that misses messages is worse off than one that reconnects.
func CloseOnBackpressureLimit() Option {
	return func(c *builder) { c.closeOnLimit = true }
}

// IdleTimeout makes the Endpoint watch the peer: when d passes without a
// byte from it, the Endpoint pings it (a Heartbeat ping), and when another
// d passes still without one, it fails the connection with close code
// 1008 and ends its read side with a *CloseError wrapping ErrNoPong, as
// Heartbeat does (uWebSockets' idleTimeout). A blocked NextMessage
// returns; the caller closes the transport. d == 0 means no idle timeout,
// the default; d < 0 too.
func IdleTimeout(d time.Duration) Option {
	return func(c *builder) { c.idleTimeout = max(d, 0) }
}

// WithClock makes the Endpoint time its close timeout with c, so tests can
// run it without sleeping.
func WithClock(c Clock) Option {
	return func(cf *builder) {
		if c != nil {
			cf.clock = c
		}
	}
}

// MaskKeys makes a client Endpoint mask its frames with keys from keys instead
// of frame.NewMaskKey, for deterministic output in tests. keys may be called
// from several goroutines at once. Never use predictable keys on a real
// connection (RFC 6455 §10.3).
func MaskKeys(keys func() [4]byte) Option { return func(c *builder) { c.keys = keys } }

// Extensions installs per-message extensions negotiated in the opening
// handshake, in the order they were negotiated. Their RSV bits are allowed on
// the first frame of a message; see Codec.
func Extensions(exts ...Codec) Option {
	return func(c *builder) { c.exts = append(c.exts[:len(c.exts):len(c.exts)], exts...) }
}

// FrameSize sets the largest frame payload a NextWriter sends; n == 0 means
// DefaultFrameSize. WriteMessage always sends one frame. A frame is held
// until it is full, so its size cannot be unlimited: n < 0 is a
// configuration error (see ErrConfig).
func FrameSize(n int) Option {
	return func(c *builder) {
		switch {
		case n == 0:
			n = DefaultFrameSize
		case n < 0:
			c.fail(fmt.Errorf("%w: FrameSize(%d)", ErrConfig, n))
			return
		}
		c.frameSize = n
	}
}

// ParserOptions passes options to the parser New builds, such as
// parser.BufferSize or parser.Leftover. The Endpoint sets the role, the
// payload limit (MaxMessage) and the RSV bits its extensions claim itself.
func ParserOptions(opts ...parser.Option) Option {
	return func(c *builder) { c.popts = append(c.popts[:len(c.popts):len(c.popts)], opts...) }
}

// Clock schedules the close timeout. The default uses time.AfterFunc.
type Clock interface {
	// AfterFunc calls f in its own goroutine once d has passed, unless stop
	// is called first; stop reports whether it prevented the call.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}
