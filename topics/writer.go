package topics

import (
	"sync"

	"github.com/wskit/wskit/endpoint"
)

// Queuer is a Subscriber that can queue a message without writing it, and
// write all it queued at once: *endpoint.Endpoint is one (QueuePrepared,
// Flush). A Hub queues each publication to such subscribers and has a
// goroutine of its own flush them, so that a subscriber several
// publications reach before its turn gets them in one write — one system
// call instead of one per message, which is most of what a delivery costs
// — while the publisher goes on. Under a light load each message is
// written as soon as it is published; under a heavy one the writes grow
// fewer and fuller, as with uWebSockets' corking.
type Queuer interface {
	Subscriber
	// QueuePrepared queues pm, or reports Dropped, as SendPrepared would
	// behind a busy transport; it never writes.
	QueuePrepared(pm *endpoint.PreparedMessage) (endpoint.SendResult, error)
	// Flush writes what is queued, without waiting for the network.
	Flush() error
	// Buffered returns the bytes queued: after a Flush, what the
	// transport did not take, so the subscriber is behind.
	Buffered() int
}

// writer flushes the subscribers that queued, from a goroutine started
// when there are some and gone when there are none.
type writer struct {
	pass    sync.Mutex // held while a batch is flushed
	mu      sync.Mutex
	dirty   []*member
	spare   []*member
	failed  []*member // pass's
	running bool
}

// add hands the subscribers that queued to the writer.
func (w *writer) add(h *Hub, ms []*member) {
	if len(ms) == 0 {
		return
	}
	w.mu.Lock()
	w.dirty = append(w.dirty, ms...)
	start := !w.running
	w.running = true
	w.mu.Unlock()
	if start {
		go w.run(h)
	}
}

// run flushes subscribers until none is left to flush.
func (w *writer) run(h *Hub) {
	for w.flushBatch(h, true) {
	}
}

// flushBatch flushes the subscribers listed now, and reports whether
// there were any; when last, a writer finding none stops running.
func (w *writer) flushBatch(h *Hub, last bool) bool {
	w.pass.Lock()
	defer w.pass.Unlock()
	w.mu.Lock()
	batch := w.dirty
	if len(batch) == 0 {
		if last {
			w.running = false
		}
		w.mu.Unlock()
		return false
	}
	w.dirty = w.spare[:0]
	w.mu.Unlock()
	for _, m := range batch {
		// Cleared first: what is queued after it is this Flush's or puts
		// m on the list again.
		m.dirty.Store(false)
		if m.gone.Load() {
			continue
		}
		if err := m.q.Flush(); err != nil {
			w.failed = append(w.failed, m)
		}
	}
	if len(w.failed) > 0 {
		h.counters.failed.Add(uint64(len(w.failed)))
		h.remove(w.failed)
		clear(w.failed)
		w.failed = w.failed[:0]
	}
	clear(batch)
	w.mu.Lock()
	w.spare = batch[:0]
	w.mu.Unlock()
	return true
}

// Flush writes what the Hub queued to its subscribers (Queuer) and not
// yet flushed, and returns once that is done, as far as each transport
// takes it without blocking. Publish leaves the writing to the Hub's
// writer goroutine; a test, or a server shutting down, calls Flush to know
// that everything published went out.
func (h *Hub) Flush() {
	for h.w.flushBatch(h, false) {
	}
	h.w.pass.Lock() // a batch the writer took is flushed too
	h.w.pass.Unlock()
}
