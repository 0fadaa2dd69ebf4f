package topics

import (
	"sync/atomic"

	"github.com/wskit/wskit/endpoint"
)

// deliver is e's broker callback: it fans msg out to the local subscribers
// of every pattern that matches msg.Topic, each once, if e is the oldest of
// those patterns; the broker hands msg to the others too, and they let it
// pass (doc.go says why this is exactly once).
func (e *entry) deliver(msg Message) {
	h := e.h
	h.mu.RLock()
	if e.dropped {
		h.mu.RUnlock()
		return
	}
	e.matched = h.trie.match(msg.Topic, e.matched[:0])
	mine := false
	for _, o := range e.matched {
		if o.id < e.id {
			mine = false
			break
		}
		mine = mine || o == e
	}
	if !mine {
		h.mu.RUnlock()
		clear(e.matched)
		return
	}
	// Oldest pattern first (e is first), so that recipients come in an
	// order that does not depend on the trie's. A member of several
	// matching patterns is taken from the first of them only; most topics
	// match one pattern and skip the check.
	for i := 1; i < len(e.matched); i++ {
		for j := i; j > 0 && e.matched[j].id < e.matched[j-1].id; j-- {
			e.matched[j], e.matched[j-1] = e.matched[j-1], e.matched[j]
		}
	}
	rcpt := e.rcpt[:0]
	for i, o := range e.matched {
		for _, m := range o.members {
			if i == 0 || !holdsAny(m, e.matched[:i]) {
				rcpt = append(rcpt, m)
			}
		}
	}
	h.mu.RUnlock()
	clear(e.matched)
	e.rcpt = rcpt
	if len(rcpt) == 0 {
		return
	}
	h.counters.fanouts.Add(1)
	// One encoding per publication, whatever the number of recipients.
	pm, err := endpoint.NewPreparedMessage(msg.Op, msg.Data)
	if err != nil {
		h.counters.invalid.Add(1)
		clear(rcpt)
		return
	}
	var delivered, queued, dropped, failed uint64
	dirty := e.dirty[:0]
	for i, m := range rcpt {
		if m.gone.Load() {
			continue
		}
		var res endpoint.SendResult
		var err error
		if m.q != nil {
			// Queued now, written by the Hub's writer: a subscriber that
			// several publications reach before the writer comes gets
			// them in one write. It is behind (Queued) if its queue held
			// what the writer flushed but its transport did not take.
			behind := !m.dirty.Load() && m.q.Buffered() > 0
			if res, err = m.q.QueuePrepared(pm); res == endpoint.Queued {
				if !behind {
					res = endpoint.Sent
				}
				if !m.dirty.Swap(true) {
					dirty = append(dirty, m)
				}
			}
		} else {
			res, err = m.s.SendPrepared(pm)
		}
		switch {
		case err != nil:
			failed++
			rcpt[failed-1] = rcpt[i] // the failed ones gather at the front
		case res == endpoint.Dropped:
			dropped++
		case res == endpoint.Queued:
			queued++
			delivered++
		default:
			delivered++
		}
	}
	h.w.add(h, dirty)
	clear(dirty)
	e.dirty = dirty
	if failed > 0 {
		h.remove(rcpt[:failed])
	}
	clear(rcpt)
	c := &h.counters
	c.delivered.Add(delivered)
	c.queued.Add(queued)
	c.dropped.Add(dropped)
	c.failed.Add(failed)
}

// remove unsubscribes the subscribers whose sends failed.
func (h *Hub) remove(ms []*member) {
	h.mu.Lock()
	for _, m := range ms {
		h.removeLocked(m)
	}
	h.mu.Unlock()
	// Ending broker subscriptions waits for ops, which a Subscribe may
	// hold across a network call: left to the next change then.
	if h.ops.TryLock() {
		h.prune()
		h.ops.Unlock()
	}
}

// holdsAny reports whether m subscribed to one of es.
func holdsAny(m *member, es []*entry) bool {
	for _, x := range m.entries {
		for _, y := range es {
			if x == y {
				return true
			}
		}
	}
	return false
}

type counters struct {
	published, fanouts, delivered, queued, dropped, failed, invalid atomic.Uint64
}

// Stats are a Hub's counters since New, and its size now.
type Stats struct {
	Published uint64 // Publish calls the broker accepted
	Fanouts   uint64 // messages from the broker handed to local subscribers (each once per Hub)
	Delivered uint64 // messages handed to a subscriber: SendPrepared or QueuePrepared took them
	Queued    uint64 // of Delivered, those that found the subscriber behind: SendPrepared's Queued, or a Queuer's queue holding what its last Flush could not write
	Dropped   uint64 // messages a subscriber dropped: its queue was full
	Failed    uint64 // sends and Flushes that failed; each unsubscribed its subscriber from everything
	Invalid   uint64 // messages from the broker that were neither text nor binary, delivered to no one

	Subscribers int // subscribers now
	Patterns    int // broker subscriptions now: the distinct patterns, with those kept for the dedup
}

// Stats returns the Hub's counters.
func (h *Hub) Stats() Stats {
	c := &h.counters
	h.mu.RLock()
	subs, pats := len(h.members), len(h.entries)
	h.mu.RUnlock()
	return Stats{
		Published: c.published.Load(),
		Fanouts:   c.fanouts.Load(),
		Delivered: c.delivered.Load(),
		Queued:    c.queued.Load(),
		Dropped:   c.dropped.Load(),
		Failed:    c.failed.Load(),
		Invalid:   c.invalid.Load(),

		Subscribers: subs,
		Patterns:    pats,
	}
}
