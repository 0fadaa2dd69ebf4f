package topics

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
)

// NewLocal returns the in-process Broker, a Hub's default. Its Publish
// delivers synchronously: it returns after every matching subscription's
// deliver returned. It numbers nothing (Message.Seq is 0).
//
// Every subscription sees the messages of a topic in the same order: a
// Publish takes the matching subscriptions in the order they were made,
// locking the next before it lets go of the last, so one publication cannot
// overtake another at any of them. Publishes whose subscriptions differ run
// in parallel. A deliver function must therefore not publish, through the
// same Local broker, to a topic its own subscription matches.
func NewLocal() Broker {
	l := &local{}
	l.scratch.New = func() any { return new(localScratch) }
	return l
}

type local struct {
	mu     sync.RWMutex
	trie   trie[localPattern]
	byText map[string]*localPattern
	nextID uint64

	scratch sync.Pool // *localScratch
}

// localPattern is the subscriptions of one pattern.
type localPattern struct {
	text string
	subs []*localSub
}

type localSub struct {
	l       *local
	p       *localPattern
	id      uint64 // order of creation: the order a Publish locks them in
	deliver func(Message)
	mu      sync.Mutex // held while deliver runs: one call at a time
	gone    atomic.Bool
}

type localScratch struct {
	pats []*localPattern
	subs []*localSub
}

func (l *local) Publish(m Message) error {
	if err := ValidTopic(m.Topic); err != nil {
		return err
	}
	sc := l.scratch.Get().(*localScratch)
	l.mu.RLock()
	sc.pats = l.trie.match(m.Topic, sc.pats[:0])
	for _, p := range sc.pats {
		sc.subs = append(sc.subs, p.subs...)
	}
	l.mu.RUnlock()
	slices.SortFunc(sc.subs, func(a, b *localSub) int { return cmp.Compare(a.id, b.id) })
	var prev *localSub
	for _, s := range sc.subs {
		s.mu.Lock()
		if prev != nil {
			prev.mu.Unlock()
		}
		if !s.gone.Load() {
			s.deliver(m)
		}
		prev = s
	}
	if prev != nil {
		prev.mu.Unlock()
	}
	clear(sc.pats)
	clear(sc.subs)
	sc.pats, sc.subs = sc.pats[:0], sc.subs[:0]
	l.scratch.Put(sc)
	return nil
}

func (l *local) Subscribe(pattern string, deliver func(Message)) (Subscription, error) {
	if err := ValidPattern(pattern); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.byText[pattern]
	if p == nil {
		p = &localPattern{text: pattern}
		if l.byText == nil {
			l.byText = make(map[string]*localPattern)
		}
		l.byText[pattern] = p
		l.trie.put(pattern, p)
	}
	l.nextID++
	s := &localSub{l: l, p: p, id: l.nextID, deliver: deliver}
	p.subs = append(p.subs, s)
	return s, nil
}

// Unsubscribe does not wait for a delivery under way, so that a deliver
// function may end its own subscription.
func (s *localSub) Unsubscribe() error {
	l := s.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.gone.Swap(true) {
		return nil
	}
	p := s.p
	i := slices.Index(p.subs, s)
	p.subs = slices.Delete(p.subs, i, i+1)
	if len(p.subs) == 0 {
		delete(l.byText, p.text)
		l.trie.remove(p.text)
	}
	return nil
}
