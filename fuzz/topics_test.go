package fuzz

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/topics"
)

// The patterns and topics a run mostly uses, so that they overlap often;
// the input may also spell its own from topicAlphabet.
var (
	fuzzPatterns  = []string{"a", "a.b", "a.*", "a.>", "*.b", ">", "*", "*.*", "a.b.c", "a.*.c", "b.>", "*.b.>"}
	fuzzTopics    = []string{"a", "b", "a.b", "a.c", "b.b", "a.b.c", "a.x.c", "b.b.c"}
	topicAlphabet = "ab.*> "
)

const (
	fuzzSubscribers = 6
	fuzzPublishers  = 3
	fuzzMaxOps      = 300
)

// FuzzTopics drives a topics.Hub with subscribe, unsubscribe, publish,
// read and fail operations decoded from the input, over six subscribers
// whose send queues hold one to four messages (a slow one queues every
// message, and past its limit gets Dropped; a failing one returns an
// error). With the Local broker (the first byte even) it checks every
// subscriber's messages, and the Hub's counters, against a model with its
// own matcher: each message once, in publication order, only to matching
// patterns, lost only when the subscriber's queue was full. With a broker
// whose subscriptions deliver apart, at times the input chooses (odd), it
// checks that no subscriber gets a message twice, that each publisher's
// messages to a topic come in order, and that two subscribers see a
// topic's messages in the same order. In both, queues stay within their
// bounds, the counters agree with the subscribers, and once everyone
// unsubscribed the Hub holds no pattern.
func FuzzTopics(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6,
		0, 0, 1, 0, 0, 3, 3, 0, 2, 3, 1, 5, 4, 1, 2, 1, 2, 3, 2, 0, 5, 4, 3, 1, 5})
	f.Add([]byte{1, 4, 5, 6, 7, 0, 1,
		0, 0, 3, 0, 1, 1, 3, 0, 2, 6, 0, 3, 2, 1, 6, 1, 0, 3, 0, 5, 1, 3, 2, 2, 6, 2, 9, 0, 1, 3})
	f.Add([]byte{0, 7, 7, 7, 0, 0, 0,
		0, 0, 0xc3, 1, 2, 3, 0, 1, 0xc4, 4, 4, 4, 2, 3, 0, 0xc2, 1, 0, 2, 0, 0xc5, 0, 2, 1, 3, 4})
	f.Add([]byte{2, 1, 2, 3, 4, 5, 6,
		0, 0, 1, 0, 0, 3, 3, 0, 2, 3, 1, 5, 4, 1, 2, 1, 2, 3, 2, 0, 5, 4, 3, 1, 5})
	f.Add([]byte{3, 4, 5, 6, 7, 0, 1,
		0, 0, 3, 0, 1, 1, 3, 0, 2, 6, 0, 3, 2, 1, 6, 1, 0, 3, 0, 5, 1, 3, 2, 2, 6, 2, 9, 0, 1, 3})
	f.Fuzz(func(t *testing.T, in []byte) { runTopics(t, in) })
}

// topicSub is a Subscriber with a bounded send queue.
type topicSub struct {
	hold  int  // messages the queue holds
	slow  bool // every message waits in the queue (nothing is read at once)
	fail  bool // SendPrepared fails
	queue int
	got   []string
	calls int
	fails int // SendPrepared calls that failed
}

var errSubFailed = errors.New("subscriber failed")

func (s *topicSub) SendPrepared(pm *endpoint.PreparedMessage) (endpoint.SendResult, error) {
	s.calls++
	switch {
	case s.fail:
		s.fails++
		return endpoint.Dropped, errSubFailed
	case s.queue >= s.hold:
		return endpoint.Dropped, nil
	}
	s.got = append(s.got, string(pm.Data()))
	if !s.slow {
		return endpoint.Sent, nil
	}
	s.queue++
	return endpoint.Queued, nil
}

// queuerSub is a topicSub as a topics.Queuer: QueuePrepared takes a
// message as SendPrepared does; Flush, called by the Hub's writer
// goroutine, touches nothing the target reads.
type queuerSub struct{ *topicSub }

func (q queuerSub) QueuePrepared(pm *endpoint.PreparedMessage) (endpoint.SendResult, error) {
	res, err := q.SendPrepared(pm)
	if res == endpoint.Sent {
		res = endpoint.Queued // queued for the writer, not written
	}
	return res, err
}

func (q queuerSub) Flush() error  { return nil }
func (q queuerSub) Buffered() int { return q.queue }

// as returns s as the Hub sees it.
func as(s *topicSub, queuer bool) topics.Subscriber {
	if queuer {
		return queuerSub{s}
	}
	return s
}

// opReader hands out the input's bytes, then zeros.
type opReader struct{ b []byte }

func (r *opReader) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// name returns one of the common names, or one spelled by the input.
func (r *opReader) name(common []string) string {
	c := r.next()
	if c < 0xc0 {
		return common[int(c)%len(common)]
	}
	var sb strings.Builder
	for range c & 7 {
		sb.WriteByte(topicAlphabet[int(r.next())%len(topicAlphabet)])
	}
	return sb.String()
}

// validName is the fuzz target's own idea of a valid topic or pattern,
// for the alphabet it uses.
func validName(s string, pattern bool) bool {
	toks := strings.Split(s, ".")
	for i, tok := range toks {
		switch {
		case tok == "" || strings.Contains(tok, " "):
			return false
		case tok == "*" || tok == ">":
			if !pattern || tok == ">" && i != len(toks)-1 {
				return false
			}
		case strings.ContainsAny(tok, "*>"):
			return false
		}
	}
	return true
}

// matches is the fuzz target's own matcher.
func matches(pattern, topic string) bool {
	p, tp := strings.Split(pattern, "."), strings.Split(topic, ".")
	for i, tok := range p {
		if tok == ">" {
			return len(tp) > i
		}
		if i >= len(tp) || tok != "*" && tok != tp[i] {
			return false
		}
	}
	return len(p) == len(tp)
}

func runTopics(t *testing.T, in []byte) {
	r := &opReader{b: in}
	first := r.next()
	remote := first&1 == 1
	// With first&2 the subscribers are Queuers, as Endpoints are: the Hub
	// queues to them and its writer goroutine flushes them; the target
	// waits for the writer (Hub.Flush) after each publication.
	queuers := first&2 != 0
	var d *lagBroker
	var opts []topics.Option
	if remote {
		d = &lagBroker{}
		opts = append(opts, topics.WithBroker(d))
	}
	h := topics.New(opts...)
	subs := make([]*topicSub, fuzzSubscribers)
	for i := range subs {
		c := r.next()
		subs[i] = &topicSub{hold: 1 + int(c&3), slow: c&4 != 0}
	}
	// The model: what each subscriber holds and must receive.
	held := make([]map[string]bool, fuzzSubscribers)
	for i := range held {
		held[i] = map[string]bool{}
	}
	want := make([][]string, fuzzSubscribers)
	var model topics.Stats
	seq := make([]int, fuzzPublishers)
	fails := make([]int, fuzzSubscribers)
	since := make([]int, fuzzSubscribers) // the op that last changed what it holds
	var published []pub

	for op := 0; op < fuzzMaxOps && len(r.b) > 0; op++ {
		c := r.next()
		i := int(r.next()) % fuzzSubscribers
		s := subs[i]
		switch c % 8 {
		case 0, 1: // subscribe
			p := r.name(fuzzPatterns)
			err := h.Subscribe(as(s, queuers), p)
			if valid := validName(p, true); valid != (err == nil) || !valid && !errors.Is(err, topics.ErrTopic) {
				t.Fatalf("Subscribe(%q): %v (valid: %v)", p, err, valid)
			}
			if err == nil {
				held[i][p], since[i] = true, op
			}
		case 2: // unsubscribe
			p := r.name(fuzzPatterns)
			err := h.Unsubscribe(as(s, queuers), p)
			switch {
			case !validName(p, true):
				if !errors.Is(err, topics.ErrTopic) {
					t.Fatalf("Unsubscribe(%q): %v, want ErrTopic", p, err)
				}
			case held[i][p]:
				if err != nil {
					t.Fatalf("Unsubscribe(%q): %v", p, err)
				}
				delete(held[i], p)
				since[i] = op
			case !errors.Is(err, topics.ErrNotSubscribed):
				t.Fatalf("Unsubscribe(%q) not held: %v, want ErrNotSubscribed", p, err)
			}
		case 3:
			h.UnsubscribeAll(as(s, queuers))
			clear(held[i])
			since[i] = op
		case 4, 5: // publish
			p := i % fuzzPublishers
			topic := r.name(fuzzTopics)
			msg := topic + "|" + strconv.Itoa(p) + "|" + strconv.Itoa(seq[p])
			valid := validName(topic, false)
			if valid && !remote {
				// From the subscribers' state before the publication.
				deliverModel(subs, held, want, &model, topic, msg, queuers)
			}
			err := h.Publish(topic, frame.OpText, []byte(msg))
			if queuers {
				h.Flush()
			}
			if valid != (err == nil) || !valid && !errors.Is(err, topics.ErrTopic) {
				t.Fatalf("Publish(%q): %v (valid: %v)", topic, err, valid)
			}
			if err == nil {
				seq[p]++
				published = append(published, pub{op, topic, msg})
				model.Published++
			}
		case 6: // the subscriber reads from its queue
			s.queue -= min(s.queue, int(r.next()&3))
		case 7:
			if remote && r.next()&1 == 0 {
				d.run(int(r.next()), int(r.next()&7))
				if queuers {
					h.Flush()
				}
			} else {
				s.fail = !s.fail
			}
		}
		for i, s := range subs {
			if remote && s.fails > fails[i] {
				// The Hub unsubscribed it when the broker delivered.
				fails[i] = s.fails
				clear(held[i])
				since[i] = op
			}
			if s.queue > s.hold {
				t.Fatalf("a queue holds %d messages, over its %d", s.queue, s.hold)
			}
		}
		if !remote {
			model.Subscribers = 0
			for _, hs := range held {
				if len(hs) > 0 {
					model.Subscribers++
				}
			}
			got := h.Stats()
			model.Patterns = got.Patterns // not modelled: checked at the end
			if got != model {
				t.Fatalf("op %d: stats (-model +hub):\n%s", op, cmp.Diff(model, got))
			}
		}
	}
	if remote {
		d.runAll()
		h.Flush()
		checkLagged(t, subs)
		checkComplete(t, subs, held, since, published)
	} else {
		for i, s := range subs {
			if diff := cmp.Diff(want[i], s.got); diff != "" {
				t.Fatalf("subscriber %d (-model +got):\n%s", i, diff)
			}
		}
	}
	var calls uint64
	for _, s := range subs {
		calls += uint64(s.calls)
		h.UnsubscribeAll(as(s, queuers))
	}
	st := h.Stats()
	if st.Delivered+st.Dropped+st.Failed != calls || st.Queued > st.Delivered {
		t.Fatalf("stats %+v, the subscribers were called %d times", st, calls)
	}
	if st.Patterns != 0 || st.Subscribers != 0 {
		t.Fatalf("everyone left, and the Hub holds %+v", st)
	}
	if remote {
		if live := d.live(); live != 0 {
			t.Fatalf("everyone left, and the broker holds %d subscriptions", live)
		}
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
}

// deliverModel is what a publication must do with the Local broker.
func deliverModel(subs []*topicSub, held []map[string]bool, want [][]string, m *topics.Stats, topic, msg string, queuers bool) {
	fanned := false
	for i, s := range subs {
		match := false
		for p := range held[i] {
			match = match || matches(p, topic)
		}
		if !match {
			continue
		}
		fanned = true
		switch {
		case s.fail:
			m.Failed++
			clear(held[i])
		case s.queue >= s.hold:
			m.Dropped++
		default:
			want[i] = append(want[i], msg)
			m.Delivered++
			// A Queuer is behind when its queue held messages before this
			// one (the writer flushed it since the last publication); a
			// plain Subscriber when its SendPrepared says Queued.
			if queuers && s.queue > 0 || !queuers && s.slow {
				m.Queued++
			}
		}
	}
	if fanned {
		m.Fanouts++
	}
}

// pub is one publication: at which op, to which topic, what.
type pub struct {
	op         int
	topic, msg string
}

// checkComplete checks that, with a lagging broker, a subscriber that
// neither queues nor fails got every message published to its patterns
// after it last changed them.
func checkComplete(t *testing.T, subs []*topicSub, held []map[string]bool, since []int, published []pub) {
	for i, s := range subs {
		if s.slow || s.fails > 0 {
			continue
		}
		got := map[string]bool{}
		for _, m := range s.got {
			got[m] = true
		}
		for _, p := range published {
			if p.op <= since[i] {
				continue
			}
			for pat := range held[i] {
				if matches(pat, p.topic) && !got[p.msg] {
					t.Fatalf("subscriber %d, holding %q since op %d, did not get %q (op %d)", i, pat, since[i], p.msg, p.op)
				}
			}
		}
	}
}

// checkLagged checks what a broker whose subscriptions deliver apart
// guarantees: once per subscriber, each publisher's messages to a topic in
// order, and a topic's messages in one order for all.
func checkLagged(t *testing.T, subs []*topicSub) {
	for i, s := range subs {
		seen := map[string]bool{}
		last := map[string]int{} // topic|publisher: seq
		for _, m := range s.got {
			if seen[m] {
				t.Fatalf("subscriber %d got %q twice", i, m)
			}
			seen[m] = true
			k := m[:strings.LastIndexByte(m, '|')]
			n, _ := strconv.Atoi(m[len(k)+1:])
			if prev, ok := last[k]; ok && n <= prev {
				t.Fatalf("subscriber %d got %q after seq %d", i, m, prev)
			}
			last[k] = n
		}
	}
	for i := range subs {
		for j := i + 1; j < len(subs); j++ {
			a, b := subs[i].got, subs[j].got
			// The topics are interleaved: one order per topic is what
			// must agree, so compare topic by topic.
			ca, cb := byTopic(common(a, b)), byTopic(common(b, a))
			if diff := cmp.Diff(ca, cb); diff != "" {
				t.Fatalf("subscribers %d and %d disagree on a topic's order (-%d +%d):\n%s", i, j, i, j, diff)
			}
		}
	}
}

// common returns the messages of x that y holds too, in x's order.
func common(x, y []string) []string {
	in := make(map[string]bool, len(y))
	for _, m := range y {
		in[m] = true
	}
	var out []string
	for _, m := range x {
		if in[m] {
			out = append(out, m)
		}
	}
	return out
}

func byTopic(msgs []string) map[string][]string {
	out := map[string][]string{}
	for _, m := range msgs {
		topic := m[:strings.IndexByte(m, '|')]
		out[topic] = append(out[topic], m)
	}
	return out
}

// lagBroker is a topics.Broker whose subscriptions each queue what is
// published to them until the fuzzer lets them deliver: a remote broker,
// whose subscriptions run apart.
type lagBroker struct {
	subs []*lagSub
}

type lagSub struct {
	b       *lagBroker
	pattern string
	deliver func(topics.Message)
	queue   []topics.Message
	gone    bool
}

func (b *lagBroker) Publish(m topics.Message) error {
	m.Data = append([]byte(nil), m.Data...)
	for _, s := range b.subs {
		if !s.gone && matches(s.pattern, m.Topic) {
			s.queue = append(s.queue, m)
		}
	}
	return nil
}

func (b *lagBroker) Subscribe(pattern string, deliver func(topics.Message)) (topics.Subscription, error) {
	s := &lagSub{b: b, pattern: pattern, deliver: deliver}
	b.subs = append(b.subs, s)
	return s, nil
}

// Unsubscribe stops new messages; those queued still arrive, as from a
// network.
func (s *lagSub) Unsubscribe() error {
	if s.gone {
		return fmt.Errorf("subscription to %q ended twice", s.pattern)
	}
	s.gone = true
	return nil
}

// run delivers up to n of the messages queued for subscription k.
func (b *lagBroker) run(k, n int) {
	if len(b.subs) == 0 {
		return
	}
	s := b.subs[k%len(b.subs)]
	for ; n > 0 && len(s.queue) > 0; n-- {
		m := s.queue[0]
		s.queue = s.queue[1:]
		s.deliver(m)
	}
}

func (b *lagBroker) runAll() {
	for k := range b.subs {
		b.run(k, len(b.subs[k].queue))
	}
}

func (b *lagBroker) live() int {
	n := 0
	for _, s := range b.subs {
		if !s.gone {
			n++
		}
	}
	return n
}
