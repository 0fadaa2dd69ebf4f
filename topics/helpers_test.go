package topics

import (
	"errors"
	"sync"

	"github.com/wskit/wskit/endpoint"
)

// fake is a Subscriber that keeps what it is sent, as a connection's send
// queue would: past hold messages waiting it answers Dropped, and with
// fail set it answers that error.
type fake struct {
	mu    sync.Mutex
	got   []string // the payloads, in order
	hold  int      // messages it takes before Dropped; 0 takes all
	wait  int      // of them, those that would wait in a send queue
	slow  bool     // every message it takes waits (Queued)
	fail  error
	calls int
}

func (f *fake) SendPrepared(pm *endpoint.PreparedMessage) (endpoint.SendResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail != nil {
		return endpoint.Dropped, f.fail
	}
	if f.hold > 0 && len(f.got) >= f.hold {
		return endpoint.Dropped, nil
	}
	f.got = append(f.got, string(pm.Data()))
	if f.slow {
		f.wait++
		return endpoint.Queued, nil
	}
	return endpoint.Sent, nil
}

func (f *fake) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

// sink is a Subscriber that takes everything without allocating.
type sink struct{ n int }

func (s *sink) SendPrepared(*endpoint.PreparedMessage) (endpoint.SendResult, error) {
	s.n++
	return endpoint.Sent, nil
}

var errGone = errors.New("connection gone")

// deferred is a Broker whose subscriptions each queue what is published
// until the test lets them deliver, in the order it chooses: a remote
// broker, whose subscriptions run apart.
type deferred struct {
	mu   sync.Mutex
	subs []*deferredSub
}

type deferredSub struct {
	d       *deferred
	pattern string
	deliver func(Message)
	queue   []Message
	gone    bool
}

func (d *deferred) Publish(m Message) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	m.Data = append([]byte(nil), m.Data...)
	for _, s := range d.subs {
		if !s.gone && Match(s.pattern, m.Topic) {
			s.queue = append(s.queue, m)
		}
	}
	return nil
}

func (d *deferred) Subscribe(pattern string, deliver func(Message)) (Subscription, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := &deferredSub{d: d, pattern: pattern, deliver: deliver}
	d.subs = append(d.subs, s)
	return s, nil
}

// Unsubscribe stops new messages; those queued still arrive, as they
// would from a network.
func (s *deferredSub) Unsubscribe() error {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	s.gone = true
	return nil
}

// run delivers up to n queued messages of the subscription to pattern
// (the latest made), and reports how many it delivered.
func (d *deferred) run(pattern string, n int) int {
	done := 0
	for done < n && d.deliverOne(func(s *deferredSub) bool { return s.pattern == pattern }, false) {
		done++
	}
	return done
}

// runAll delivers everything queued, subscription after subscription.
func (d *deferred) runAll() {
	for d.deliverOne(func(*deferredSub) bool { return true }, true) {
	}
}

// deliverOne delivers the first message queued for the first (or, unless
// first, the latest made) subscription that pick accepts and that has one,
// and reports whether there was one.
func (d *deferred) deliverOne(pick func(*deferredSub) bool, first bool) bool {
	d.mu.Lock()
	var s *deferredSub
	for _, x := range d.subs {
		if pick(x) && len(x.queue) > 0 {
			s = x
			if first {
				break
			}
		}
	}
	if s == nil {
		d.mu.Unlock()
		return false
	}
	m := s.queue[0]
	s.queue = s.queue[1:]
	d.mu.Unlock()
	s.deliver(m)
	return true
}

// live returns the patterns subscribed and not ended, in order.
func (d *deferred) live() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var ps []string
	for _, s := range d.subs {
		if !s.gone {
			ps = append(ps, s.pattern)
		}
	}
	return ps
}
