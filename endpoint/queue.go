package endpoint

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/hdr"
	"github.com/wskit/wskit/internal/pool"
)

// sendQueue holds the frames the transport has not taken yet, in order:
// what Send could not write at once, what was sent while another goroutine
// held the transport, what Cork batches. It is made on first use, so an
// Endpoint that never queues pays nothing for it.
//
// Its fields are guarded by mu, which is only ever held for bookkeeping,
// never across a write. The bytes are written by the holder of frameMu (the
// frame lock is the right to write to the transport): a sender that finds
// the queue empty, or the flusher goroutine a blocking Endpoint starts while
// its queue is not, or, in push mode, the caller of Flush.
type sendQueue struct {
	mu      sync.Mutex
	segs    []segment // whole frames, oldest first, from head
	head    int
	off     int          // bytes of segs[head] written
	flying  int          // segments from head in the batch being written
	begun   int          // bytes from the front that finish a frame already begun
	n       int          // bytes queued, lane included
	lane    []byte       // control frames waiting for the next frame boundary
	corked  atomic.Int32 // Cork calls in progress; changed with mu held
	running bool         // a flusher goroutine holds or waits for frameMu
	drained bool         // the queue held bytes since the last OnDrain
	err     error        // the write that failed, final

	pending atomic.Int64 // n, for reading without mu

	// Owned by the holder of frameMu.
	ctl    [maxLane]byte
	ctlR   int // ctl[ctlR:ctlW] is the lane's frames being written,
	ctlW   int // ahead of segs[head]
	batch  [][]byte
	vec    net.Buffers
	stats  counters
	rawErr error // the non-blocking writer's last error
}

// counters are the Endpoint's send results; any goroutine reads them.
type counters struct {
	sent, queued, dropped atomic.Uint64
}

// segment is a run of whole frames: bytes copied into a pooled chunk it
// owns, or a PreparedMessage's frame, shared and never modified.
type segment struct {
	b      []byte
	own    *[]byte // the pooled chunk b lies in; nil for a shared frame
	sealed bool    // the rest of a frame begun: nothing is added to it
}

const (
	// chunkSize is the smallest chunk copied frames are gathered in.
	chunkSize = 16 << 10
	// shareFrom is the frame size from which a PreparedMessage's frame is
	// queued by reference rather than copied: a reference costs a segment
	// (40 bytes), so below it a copy is smaller, and with it the queue's
	// memory stays within twice its byte count.
	shareFrom = 64
	// firstRun is the size of the chunk a queue that was empty copies
	// into: most queues hold a frame or two, then empty.
	firstRun = 1 << 10
	// batchSize bounds the bytes one write of the queue carries (unless a
	// single frame is larger), so that a pong waits for no more than that
	// before it goes out.
	batchSize = 64 << 10
	// maxIovec is the most buffers one write of the queue gathers.
	maxIovec = 16
	// maxLane bounds the lane: 8 control frames.
	maxLane = 8 * (frame.MaxHeaderSize + frame.MaxControlPayload)
)

// queue returns the Endpoint's send queue, made on first use; frameMu or
// msgMu need not be held.
func (e *Endpoint) queue() *sendQueue {
	if q := e.sendq.Load(); q != nil {
		return q
	}
	q := new(sendQueue)
	if e.sendq.CompareAndSwap(nil, q) {
		return q
	}
	return e.sendq.Load()
}

// busy reports whether a frame written now would jump the queue.
func (q *sendQueue) busy() bool {
	if q == nil {
		return false
	}
	return q.pending.Load() != 0 || q.corked.Load() > 0
}

// appendFrame queues a frame made of h then p; mu is held. shared means p
// is a PreparedMessage's frame, which is queued without a copy when large.
// A frame never spans two segments: segment ends are frame boundaries
// (apart from the rest of a frame begun, which begun counts).
func (q *sendQueue) appendFrame(h, p []byte, shared bool) {
	size := len(h) + len(p)
	switch {
	case shared && len(h) == 0 && len(p) >= shareFrom:
		q.segs = append(q.segs, segment{b: p})
	case size > 0:
		s := q.run(size)
		s.b = append(append(s.b, h...), p...)
	}
	q.n += size
	q.pending.Store(int64(q.n))
	q.drained = true
}

// appendRest queues the rest of a frame the transport took in part, in a
// segment of its own, so that the frame's end is a segment's; mu is held.
func (q *sendQueue) appendRest(b []byte, shared bool) {
	if shared && len(b) >= shareFrom {
		q.segs = append(q.segs, segment{b: b, sealed: true})
	} else {
		own := pool.Get(len(b))
		q.segs = append(q.segs, segment{b: append((*own)[:0], b...), own: own, sealed: true})
	}
	q.begun += len(b)
	q.n += len(b)
	q.pending.Store(int64(q.n))
	q.drained = true
}

// run returns the newest copied run if it has room for n more bytes, or
// starts one; mu is held. A run being written may still grow: the writer
// holds a prefix of it, and new bytes go past that prefix.
func (q *sendQueue) run(n int) *segment {
	if k := len(q.segs) - 1; k >= q.head {
		if s := &q.segs[k]; s.own != nil && !s.sealed && cap(s.b)-len(s.b) >= n {
			return s
		}
	}
	size := chunkSize
	if q.n == 0 {
		size = firstRun
	}
	own := pool.Get(max(n, size))
	q.segs = append(q.segs, segment{b: (*own)[:0], own: own})
	return &q.segs[len(q.segs)-1]
}

// addLane queues a control frame at the next frame boundary and reports
// whether it could: a pong replaces an older pong (the newest answers every
// ping before it, as RFC 6455 §5.5.3 allows); other frames wait their turn
// in the lane, which holds at most maxLane bytes.
func (q *sendQueue) addLane(f []byte) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	op := f[0] & 0x0F
	if op == byte(frame.OpPong) {
		for i := 0; i < len(q.lane); {
			n := frameSize(q.lane[i:])
			if q.lane[i]&0x0F == op {
				q.n -= n
				q.lane = append(q.lane[:i], q.lane[i+n:]...)
				continue
			}
			i += n
		}
	}
	if len(q.lane)+len(f) > maxLane {
		q.pending.Store(int64(q.n))
		return false
	}
	if q.lane == nil {
		q.lane = make([]byte, 0, maxLane)
	}
	q.lane = append(q.lane, f...)
	q.n += len(f)
	q.pending.Store(int64(q.n))
	q.drained = true
	return true
}

// frameEnd returns the end of the frame that holds byte off of a run of
// whole frames (a segment not sealed).
func frameEnd(run []byte, off int) int {
	i := 0
	for i <= off && i < len(run) {
		i += frameSize(run[i:])
	}
	return i
}

// frameSize returns the size of the frame at the start of b, whose header
// is whole.
func frameSize(b []byte) int {
	n, h, _ := hdr.Length(b)
	return h + int(n)
}

// next gathers what to write next into q.batch: the lane's frames when the
// queue is at a frame boundary, then queued frames up to batchSize; mu is
// held. It returns the number of bytes gathered.
func (q *sendQueue) next() int {
	if q.ctlR == q.ctlW && q.off == 0 && q.begun == 0 && len(q.lane) > 0 {
		q.ctlR, q.ctlW = 0, copy(q.ctl[:], q.lane)
		q.lane = q.lane[:0]
	}
	q.batch = q.batch[:0]
	q.flying = 0
	n := 0
	if q.ctlR < q.ctlW {
		q.batch = append(q.batch, q.ctl[q.ctlR:q.ctlW])
		n += q.ctlW - q.ctlR
	}
	limit := batchSize
	if len(q.lane) > 0 && len(q.segs) > q.head {
		// Not at a frame boundary: go to the next one, where the lane's
		// frames can go.
		limit = q.begun
		if limit == 0 {
			limit = frameEnd(q.segs[q.head].b, q.off) - q.off
		}
	}
	for i := q.head; i < len(q.segs) && n < limit; i++ {
		b := q.segs[i].b
		if i == q.head {
			b = b[q.off:]
		}
		if n > 0 && n+len(b) > batchSize {
			break
		}
		if len(b) > limit-n {
			b = b[:limit-n]
		}
		q.batch = append(q.batch, b)
		q.flying++
		n += len(b)
		if len(q.batch) >= maxIovec {
			break
		}
	}
	return n
}

// advance records that n bytes of the batch were written; mu is held.
func (q *sendQueue) advance(n int) {
	q.flying = 0
	q.n -= n
	q.pending.Store(int64(q.n))
	if k := min(n, q.ctlW-q.ctlR); k > 0 {
		q.ctlR += k
		n -= k
	}
	q.begun -= min(n, q.begun)
	for n > 0 {
		s := &q.segs[q.head]
		left := len(s.b) - q.off
		if n < left {
			q.off += n
			return
		}
		n -= left
		pool.Put(s.own)
		*s = segment{}
		q.head++
		q.off = 0
	}
	if q.head == len(q.segs) {
		q.segs, q.head = q.segs[:0], 0
	} else if q.head > 32 && q.head > len(q.segs)/2 {
		k := copy(q.segs, q.segs[q.head:])
		clear(q.segs[k:])
		q.segs, q.head = q.segs[:k], 0
	}
}

// dropData discards the queued data frames that have not started to go
// out, for a connection being failed; mu is held. A frame partly written,
// or being written, stays, so that the close frame after it is still a
// frame.
func (q *sendQueue) dropData() {
	keep, begun := q.head, q.begun
	if q.off > 0 {
		begun = max(begun, 1)
	}
	for keep < len(q.segs) && (begun > 0 || keep < q.head+q.flying) {
		n := len(q.segs[keep].b)
		if keep == q.head {
			n -= q.off
		}
		begun -= min(n, begun)
		keep++
	}
	for i := keep; i < len(q.segs); i++ {
		q.n -= len(q.segs[i].b)
		pool.Put(q.segs[i].own)
		q.segs[i] = segment{}
	}
	q.segs = q.segs[:keep]
	q.pending.Store(int64(q.n))
}

// reset gives back every buffer after a failed write; mu is held.
func (q *sendQueue) reset() {
	for i := q.head; i < len(q.segs); i++ {
		pool.Put(q.segs[i].own)
	}
	clear(q.segs)
	q.segs, q.head, q.off = q.segs[:0], 0, 0
	q.lane = q.lane[:0]
	q.ctlR, q.ctlW = 0, 0
	q.n, q.begun = 0, 0
	q.pending.Store(0)
}

// flushLocked writes the queue to the transport; frameMu is held. With
// block it waits for the transport to take everything (a blocking
// Endpoint's flusher, or a blocking send that found frames queued ahead of
// its own); otherwise it stops when the transport would block, and reports
// that with stalled. A failed write is final and empties the queue.
func (e *Endpoint) flushLocked(q *sendQueue, block bool) (stalled bool, err error) {
	for {
		if e.out.err != nil {
			q.mu.Lock()
			q.err = e.out.err
			q.reset()
			q.mu.Unlock()
			return false, e.out.err
		}
		q.mu.Lock()
		total := q.next()
		q.mu.Unlock()
		if total == 0 {
			return false, nil
		}
		n, err := e.writeBatch(q, block)
		q.mu.Lock()
		q.advance(n)
		q.mu.Unlock()
		if err == errStalled {
			return true, nil
		}
		if err != nil {
			e.out.err = err
			continue
		}
	}
}

// errStalled reports that a non-blocking write took less than it was given.
var errStalled = errors.New("endpoint: the transport would block")

// writeBatch writes q.batch and returns the bytes written; frameMu is held.
func (e *Endpoint) writeBatch(q *sendQueue, block bool) (int, error) {
	if !block {
		n, err, ok := e.tryWrite(q.batch)
		if !ok {
			return 0, errStalled // only the flusher may wait for this transport
		}
		return n, err
	}
	e.armWrite()
	if e.tr.writev {
		q.vec = append(q.vec[:0], q.batch...)
		n, err := q.vec.WriteTo(e.tr.w)
		clear(q.vec[:cap(q.vec)])
		return int(n), err
	}
	total := 0
	for _, b := range q.batch {
		n, err := e.tr.w.Write(b)
		total += n
		if err == nil && n < len(b) {
			err = io.ErrShortWrite
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// tryWrite writes bufs without blocking, in one system call where the
// transport allows; ok is false when it cannot write without blocking.
func (e *Endpoint) tryWrite(bufs [][]byte) (n int, err error, ok bool) {
	if e.push != nil {
		// A push Endpoint's writer belongs to an event loop: it takes
		// what the socket takes and says when it would block.
		total := 0
		for _, b := range bufs {
			n, err := e.tr.w.Write(b)
			total += n
			if err == nil && n < len(b) || err != nil && wouldBlock(err) {
				return total, errStalled, true
			}
			if err != nil {
				return total, err, true
			}
		}
		return total, nil, true
	}
	if e.tr.raw == nil {
		if !e.tr.writev {
			return 0, nil, false
		}
		if e.tr.raw = newRawWriter(e.tr.w); e.tr.raw == nil {
			return 0, nil, false
		}
	}
	n, err = e.tr.raw.writev(bufs)
	if err == nil && n < lenAll(bufs) {
		err = errStalled
	}
	return n, err, true
}

func lenAll(bufs [][]byte) int {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	return n
}

// lockFrameNow takes the frame lock, the right to write to the transport,
// unless another goroutine holds it and may be waiting for the network: a
// push Endpoint's writer never blocks, so there it waits its turn; in
// blocking mode it reports false instead of waiting.
func (e *Endpoint) lockFrameNow() bool {
	if e.push != nil {
		e.frameMu.Lock()
		return true
	}
	return e.frameMu.TryLock()
}

// kick makes sure the queue goes out: a push Endpoint, or a sender holding
// the frame lock, tries at once without blocking; a blocking Endpoint
// hands what is left to its flusher goroutine. frameMu is held when locked.
func (e *Endpoint) kick(q *sendQueue, locked bool) error {
	if locked {
		if q.corked.Load() > 0 {
			return nil
		}
		stalled, err := e.flushLocked(q, false)
		if err != nil || !stalled {
			return err
		}
	}
	if e.push != nil {
		return nil // the event loop calls Flush when the socket is writable
	}
	q.mu.Lock()
	start := !q.running && q.n > 0 && q.corked.Load() == 0
	if start {
		q.running = true
	}
	q.mu.Unlock()
	if start {
		go e.flusher(q)
	}
	return nil
}

// flusher writes a blocking Endpoint's queue until it is empty, waiting
// for the transport as long as WriteTimeout allows.
func (e *Endpoint) flusher(q *sendQueue) {
	e.frameMu.Lock()
	for {
		_, err := e.flushLocked(q, true)
		q.mu.Lock()
		if err != nil || q.n == 0 || q.corked.Load() > 0 {
			q.running = false
			q.mu.Unlock()
			break
		}
		q.mu.Unlock()
	}
	e.frameMu.Unlock()
	e.notifyDrain(q)
}

// notifyDrain calls OnDrain's function if the queue held bytes and is
// empty now; no lock is held.
func (e *Endpoint) notifyDrain(q *sendQueue) {
	q.mu.Lock()
	fire := q.drained && q.n == 0 && e.cfg.hooks != nil && e.cfg.hooks.drain != nil
	if fire {
		q.drained = false
	}
	q.mu.Unlock()
	if fire {
		e.cfg.hooks.drain()
	}
}

// Buffered returns the number of bytes waiting in the send queue: frames
// Send or SendPrepared queued because the transport did not take them at
// once, frames held by Cork, control frames waiting for a frame boundary.
func (e *Endpoint) Buffered() int {
	q := e.sendq.Load()
	if q == nil {
		return 0
	}
	return int(q.pending.Load())
}

// Flush writes what the send queue holds, as far as the transport takes it
// without blocking, and returns the transport's error if it failed. An
// event loop calls it when the socket of a push Endpoint whose queue is
// not empty (Buffered) becomes writable; its writer reports a socket that
// would block with ErrWouldBlock (or EAGAIN), or by writing less than it
// was given. A blocking Endpoint flushes its queue by itself, from a
// goroutine it starts while the queue holds bytes; Flush there never
// waits: if another goroutine is writing, that goroutine, or the flusher,
// writes the queue. Flush after QueuePrepared sends what it queued.
func (e *Endpoint) Flush() error {
	q := e.sendq.Load()
	if q == nil {
		return e.flushErr()
	}
	if !e.lockFrameNow() {
		return e.kick(q, false)
	}
	_, err := e.flushLocked(q, false)
	e.frameMu.Unlock()
	if err == nil {
		e.notifyDrain(q)
	}
	if err == nil && e.push == nil {
		err = e.kick(q, false)
	}
	return err
}

// flushErr returns the write side's error.
func (e *Endpoint) flushErr() error {
	e.frameMu.Lock()
	defer e.frameMu.Unlock()
	return e.out.err
}

// Cork calls fn and sends every frame sent meanwhile — by fn or by other
// goroutines — together when it returns: one write, one system call on a
// TCP connection (uWebSockets' cork). Inside fn, Send and SendPrepared
// report Queued and WriteMessage returns before its message is written.
// Cork returns the error of that write, if it failed at once. Cork calls may
// nest; the outermost sends.
func (e *Endpoint) Cork(fn func()) error {
	q := e.queue()
	q.mu.Lock()
	q.corked.Add(1)
	q.mu.Unlock()
	uncorked := false
	defer func() {
		if !uncorked { // fn panicked
			q.mu.Lock()
			q.corked.Add(-1)
			q.mu.Unlock()
		}
	}()
	fn()
	q.mu.Lock()
	last := q.corked.Add(-1) == 0
	q.mu.Unlock()
	uncorked = true
	if !last {
		return nil
	}
	if !e.lockFrameNow() {
		return e.kick(q, false) // the holder of the transport is busy: the flusher sends
	}
	err := e.kick(q, true)
	e.frameMu.Unlock()
	if err == nil {
		e.notifyDrain(q)
	}
	return err
}
