package topics

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

// Subscriber is what a Hub delivers to; *endpoint.Endpoint is one.
type Subscriber interface {
	SendPrepared(pm *endpoint.PreparedMessage) (endpoint.SendResult, error)
}

// Option configures a Hub.
type Option func(*Hub)

// WithBroker makes the Hub publish and subscribe through b instead of a
// Local broker of its own.
func WithBroker(b Broker) Option { return func(h *Hub) { h.broker = b } }

// Hub delivers what is published to a topic to the local subscribers whose
// patterns match it, each once. Its methods are safe for concurrent use.
type Hub struct {
	broker Broker
	closed atomic.Bool

	// ops serializes the changes (Subscribe, Unsubscribe, UnsubscribeAll,
	// Close) and their calls to the broker, which may wait for a network.
	// mu guards the state a fan-out reads, and is held for bookkeeping
	// only: a fan-out never waits for the broker, nor for sends.
	ops sync.Mutex

	mu             sync.RWMutex
	members        map[Subscriber]*member
	entries        map[string]*entry // by pattern: every pattern the Hub holds a broker subscription for
	trie           trie[entry]
	retired        map[*entry]struct{} // entries without local subscribers, kept for the dedup (doc.go)
	nextID         uint64
	scratch        []*entry // prune's, under mu
	retiredScratch []*entry
	counters       counters

	w writer
}

// member is one Subscriber and its patterns.
type member struct {
	s       Subscriber
	q       Queuer   // s, if it queues without writing; nil otherwise
	entries []*entry // few: linear search
	gone    atomic.Bool
	dirty   atomic.Bool // on the writer's list: it queued since its last Flush
}

// find returns the index in m.entries of pattern's entry, or -1; m may
// be nil (not a member).
func (m *member) find(pattern string) int {
	if m == nil {
		return -1
	}
	return slices.IndexFunc(m.entries, func(e *entry) bool { return e.pattern == pattern })
}

// entry is one pattern: its broker subscription and its local subscribers.
type entry struct {
	h       *Hub
	pattern string
	id      uint64 // order of the broker subscriptions; the oldest matching entry delivers a topic
	members []*member
	index   map[*member]int // position in members
	sub     Subscription
	dropped bool // its broker subscription ended; guarded by h.mu

	// The broker calls deliver one at a time per subscription, so a
	// fan-out's scratch belongs to its entry (no pool, no allocation).
	matched []*entry
	rcpt    []*member
	dirty   []*member
}

// New returns a Hub; without WithBroker it has a Local broker of its own.
func New(opts ...Option) *Hub {
	h := &Hub{
		members: make(map[Subscriber]*member),
		entries: make(map[string]*entry),
		retired: make(map[*entry]struct{}),
	}
	for _, o := range opts {
		o(h)
	}
	if h.broker == nil {
		h.broker = NewLocal()
	}
	return h
}

// Subscribe makes s receive the messages published from now on to topics
// that pattern matches. Subscribing twice to one pattern is the same as
// once, and a message that several of s's patterns match reaches s once.
func (h *Hub) Subscribe(s Subscriber, pattern string) error {
	if !keyable(s) {
		return ErrSubscriber
	}
	if err := ValidPattern(pattern); err != nil {
		return err
	}
	h.ops.Lock()
	defer h.ops.Unlock()
	if h.closed.Load() {
		return ErrClosed
	}
	h.mu.RLock()
	held := h.members[s].find(pattern) >= 0
	e := h.entries[pattern] // only ops holders add or drop entries
	h.mu.RUnlock()
	if held {
		return nil
	}
	if e == nil {
		// The broker is called under ops alone, one call at a time, so
		// the entries' ids follow the order their subscriptions began
		// in. Until e is in the trie, its deliveries are let pass: no
		// subscriber of it is there to miss them.
		e = &entry{h: h, pattern: pattern, index: make(map[*member]int)}
		sub, err := h.broker.Subscribe(pattern, e.deliver)
		if err != nil {
			return fmt.Errorf("topics: broker subscribe %q: %w", pattern, err)
		}
		h.mu.Lock()
		h.nextID++
		e.id, e.sub = h.nextID, sub
		h.entries[pattern] = e
		h.trie.put(pattern, e)
	} else {
		h.mu.Lock()
	}
	defer h.mu.Unlock()
	m := h.members[s] // again: a failed send may have removed it meanwhile
	if m == nil {
		m = &member{s: s}
		m.q, _ = s.(Queuer)
		h.members[s] = m
	}
	delete(h.retired, e)
	e.index[m] = len(e.members)
	e.members = append(e.members, m)
	m.entries = append(m.entries, e)
	return nil
}

// keyable reports whether s can be a subscriber: a value that can key the
// Hub's map of members (a nil or uncomparable one would panic there).
func keyable(s Subscriber) bool {
	return s != nil && reflect.TypeOf(s).Comparable()
}

// Unsubscribe ends s's subscription to pattern (as given to Subscribe); it
// returns ErrNotSubscribed if s holds no such pattern. A fan-out already
// under way may still reach s once. An error from the broker ending a
// subscription is returned, s being unsubscribed all the same.
func (h *Hub) Unsubscribe(s Subscriber, pattern string) error {
	if err := ValidPattern(pattern); err != nil {
		return err
	}
	if !keyable(s) {
		return ErrNotSubscribed // never subscribed: Subscribe refuses it
	}
	h.ops.Lock()
	defer h.ops.Unlock()
	h.mu.Lock()
	m := h.members[s]
	i := m.find(pattern)
	if i < 0 {
		h.mu.Unlock()
		return ErrNotSubscribed
	}
	e := m.entries[i]
	m.entries[i] = m.entries[len(m.entries)-1]
	m.entries[len(m.entries)-1] = nil
	m.entries = m.entries[:len(m.entries)-1]
	if len(m.entries) == 0 {
		m.gone.Store(true)
		delete(h.members, s)
	}
	h.leave(e, m)
	h.mu.Unlock()
	return h.prune()
}

// UnsubscribeAll ends every subscription of s. Errors of the broker ending
// subscriptions are left to Close; s is unsubscribed all the same.
func (h *Hub) UnsubscribeAll(s Subscriber) {
	if !keyable(s) {
		return // never subscribed: Subscribe refuses it
	}
	h.ops.Lock()
	defer h.ops.Unlock()
	h.mu.Lock()
	m := h.members[s]
	if m != nil {
		h.removeLocked(m)
	}
	h.mu.Unlock()
	if m != nil {
		h.prune()
	}
}

// removeLocked unsubscribes m from everything; mu is held.
func (h *Hub) removeLocked(m *member) {
	if h.members[m.s] != m {
		return // already removed, and maybe subscribed anew since
	}
	m.gone.Store(true)
	delete(h.members, m.s)
	for _, e := range m.entries {
		h.leave(e, m)
	}
	clear(m.entries)
	m.entries = m.entries[:0]
}

// leave takes m out of e, and retires e if m was its last member; mu is
// held.
func (h *Hub) leave(e *entry, m *member) {
	i := e.index[m]
	last := len(e.members) - 1
	e.members[i] = e.members[last]
	e.index[e.members[i]] = i
	e.members[last] = nil
	e.members = e.members[:last]
	delete(e.index, m)
	if len(e.members) == 0 {
		h.retired[e] = struct{}{}
	}
}

// prune ends the broker subscriptions of the retired entries that no
// younger entry overlaps: only then can no copy of a message still on its
// way through a younger subscription be fanned out by it after the older
// one was (doc.go). ops is held.
func (h *Hub) prune() error {
	h.mu.Lock()
	if len(h.retired) == 0 {
		h.mu.Unlock()
		return nil
	}
	// Youngest first: an entry may have been kept only by a younger one
	// that goes before it.
	rs := h.retiredScratch[:0]
	for r := range h.retired {
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b *entry) int { return cmp.Compare(b.id, a.id) })
	n := 0
	for _, r := range rs {
		if h.overlapsYounger(r) {
			continue
		}
		delete(h.retired, r)
		delete(h.entries, r.pattern)
		h.trie.remove(r.pattern)
		r.dropped = true
		rs[n] = r
		n++
	}
	h.mu.Unlock()
	err := unsubscribe(rs[:n])
	clear(rs)
	h.retiredScratch = rs[:0]
	return err
}

// unsubscribe ends the broker subscriptions of es, which left the Hub's
// state, and joins the broker's errors.
func unsubscribe(es []*entry) error {
	var errs []error
	for _, e := range es {
		if err := e.sub.Unsubscribe(); err != nil {
			errs = append(errs, fmt.Errorf("topics: broker unsubscribe %q: %w", e.pattern, err))
		}
	}
	return errors.Join(errs...)
}

// overlapsYounger reports whether an entry younger than r overlaps it; mu
// is held.
func (h *Hub) overlapsYounger(r *entry) bool {
	if !hasWildcard(r.pattern) {
		h.scratch = h.trie.match(r.pattern, h.scratch[:0])
		defer clear(h.scratch)
		for _, e := range h.scratch {
			if e.id > r.id {
				return true
			}
		}
		return false
	}
	for _, e := range h.entries {
		if e.id > r.id && overlap(e.pattern, r.pattern) {
			return true
		}
	}
	return false
}

// Publish sends data, as one message of type op (frame.OpText or
// frame.OpBinary), to every subscriber of a pattern that topic matches,
// through the Hub's broker. With the Local broker it returns when every
// local subscriber was handed the message (SendPrepared, which does not
// block on the network).
func (h *Hub) Publish(topic string, op frame.Opcode, data []byte) error {
	if h.closed.Load() {
		return ErrClosed
	}
	if err := ValidTopic(topic); err != nil {
		return err
	}
	if op != frame.OpText && op != frame.OpBinary {
		return endpoint.ErrOpcode
	}
	if err := h.broker.Publish(Message{Topic: topic, Op: op, Data: data}); err != nil {
		return fmt.Errorf("topics: broker publish: %w", err)
	}
	h.counters.published.Add(1)
	return nil
}

// Close ends the Hub's broker subscriptions and forgets its subscribers;
// Subscribe and Publish fail with ErrClosed after it. It returns the
// broker's errors ending subscriptions.
func (h *Hub) Close() error {
	h.ops.Lock()
	defer h.ops.Unlock()
	if h.closed.Swap(true) {
		return nil
	}
	h.mu.Lock()
	subs := make([]*entry, 0, len(h.entries))
	for _, e := range h.entries {
		e.dropped = true
		subs = append(subs, e)
	}
	for _, m := range h.members {
		m.gone.Store(true)
	}
	clear(h.members)
	clear(h.entries)
	clear(h.retired)
	h.trie = trie[entry]{}
	h.mu.Unlock()
	return unsubscribe(subs)
}
