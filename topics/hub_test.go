package topics

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

// publishAll publishes each "topic payload" pair as text.
func publishAll(t *testing.T, h *Hub, msgs ...string) {
	t.Helper()
	for _, m := range msgs {
		topic, payload, _ := strings.Cut(m, " ")
		if err := h.Publish(topic, frame.OpText, []byte(payload)); err != nil {
			t.Fatalf("Publish(%q): %v", topic, err)
		}
	}
}

// TestDeliveredOnce: a message reaches a subscriber once however many of
// its patterns match, with the Local broker and with one whose
// subscriptions deliver apart and in any order (a remote broker).
func TestDeliveredOnce(t *testing.T) {
	msgs := []string{"a.b 1", "a.c 2", "a.b.c 3", "x.b 4", "a 5", "a.b 6"}
	for _, tc := range []struct {
		name     string
		patterns map[string][]string // subscriber: patterns
		want     map[string][]string // subscriber: payloads
	}{
		{
			name: "overlapping patterns",
			patterns: map[string][]string{
				"all":     {">", "a.>", "a.*", "a.b", "*.b", "*", "a"},
				"a-star":  {"a.*", "a.b"},
				"b-ends":  {"*.b", "a.b", "x.>"},
				"a-deep":  {"a.>", "a.b.c", "a.*.c", "*.b.*"},
				"nothing": {"z.>"},
			},
			want: map[string][]string{
				"all":     {"1", "2", "3", "4", "5", "6"},
				"a-star":  {"1", "2", "6"},
				"b-ends":  {"1", "4", "6"},
				"a-deep":  {"1", "2", "3", "6"},
				"nothing": nil,
			},
		},
		{
			name:     "one pattern each",
			patterns: map[string][]string{"p": {"a.b"}, "q": {"a.b"}, "r": {"a.*"}},
			want:     map[string][]string{"p": {"1", "6"}, "q": {"1", "6"}, "r": {"1", "2", "6"}},
		},
	} {
		for _, remote := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/remote=%v", tc.name, remote), func(t *testing.T) {
				var opts []Option
				d := &deferred{}
				if remote {
					opts = append(opts, WithBroker(d))
				}
				h := New(opts...)
				subs := map[string]*fake{}
				for name, ps := range tc.patterns {
					subs[name] = &fake{}
					for _, p := range ps {
						if err := h.Subscribe(subs[name], p); err != nil {
							t.Fatal(err)
						}
					}
				}
				publishAll(t, h, msgs...)
				if remote {
					// The youngest subscriptions first: the oldest, which
					// delivers, comes last.
					ps := d.live()
					for i := len(ps) - 1; i >= 0; i-- {
						d.run(ps[i], 1<<20)
					}
				}
				got := map[string][]string{}
				for name, f := range subs {
					got[name] = f.received()
					if remote {
						// Order holds per topic, not across topics
						// delivered by different broker subscriptions.
						slices.Sort(got[name])
					}
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("received (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestRemoteUnsubscribeInFlight: with a broker whose deliveries lag, the
// subscriber of an overlapping pattern still gets each message once when
// the oldest pattern's last subscriber leaves with messages in flight,
// and the broker subscriptions end once no subscriber needs them.
func TestRemoteUnsubscribeInFlight(t *testing.T) {
	d := &deferred{}
	h := New(WithBroker(d))
	old, young := &fake{}, &fake{}
	must(t, h.Subscribe(old, "a.>"))
	must(t, h.Subscribe(young, "a.b"))
	publishAll(t, h, "a.b 1", "a.b 2", "a.c 3")
	d.run("a.b", 1)                    // 1 via a.b: not its to deliver (a.> is older)
	d.run("a.>", 1)                    // 1 via a.>: delivered to both
	must(t, h.Unsubscribe(old, "a.>")) // a.> is kept: a.b overlaps it
	if diff := cmp.Diff([]string{"a.>", "a.b"}, d.live()); diff != "" {
		t.Errorf("broker subscriptions (-want +got):\n%s", diff)
	}
	publishAll(t, h, "a.b 4")
	d.runAll()
	if diff := cmp.Diff([]string{"1", "2", "4"}, young.received()); diff != "" {
		t.Errorf("young (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1"}, old.received()); diff != "" {
		t.Errorf("old (-want +got):\n%s", diff)
	}
	must(t, h.Unsubscribe(young, "a.b"))
	if got := d.live(); len(got) != 0 {
		t.Errorf("broker subscriptions left: %q", got)
	}
	if s := h.Stats(); s.Patterns != 0 || s.Subscribers != 0 {
		t.Errorf("stats %+v, want no pattern and no subscriber left", s)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestPrune: a broker subscription ends when no local subscriber can need
// what it delivers, and not before.
func TestPrune(t *testing.T) {
	type step struct {
		sub    string // subscriber
		op     string // "+" subscribe, "-" unsubscribe, "all"
		pat    string
		broker []string // the broker subscriptions after it
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"exact topics end at once", []step{
			{"s", "+", "a.b", []string{"a.b"}},
			{"s", "+", "a.c", []string{"a.b", "a.c"}},
			{"s", "-", "a.b", []string{"a.c"}},
			{"s", "-", "a.c", nil},
		}},
		{"an older overlapping pattern stays while a younger is held", []step{
			{"s", "+", "a.>", []string{"a.>"}},
			{"t", "+", "a.*.c", []string{"a.>", "a.*.c"}},
			{"u", "+", "b", []string{"a.>", "a.*.c", "b"}},
			{"s", "-", "a.>", []string{"a.>", "a.*.c", "b"}},
			{"u", "-", "b", []string{"a.>", "a.*.c"}},
			{"s", "+", "a.>", []string{"a.>", "a.*.c"}},
			{"s", "-", "a.>", []string{"a.>", "a.*.c"}},
			{"t", "-", "a.*.c", nil},
		}},
		{"a chain of retired patterns ends with the last holder", []step{
			{"s", "+", "a.*.c", []string{"a.*.c"}},
			{"t", "+", "a.b.*", []string{"a.*.c", "a.b.*"}},
			{"u", "+", "*.b.d", []string{"a.*.c", "a.b.*", "*.b.d"}},
			{"s", "-", "a.*.c", []string{"a.*.c", "a.b.*", "*.b.d"}},
			{"t", "-", "a.b.*", []string{"a.*.c", "a.b.*", "*.b.d"}},
			{"u", "all", "", nil},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &deferred{}
			h := New(WithBroker(d))
			subs := map[string]*fake{}
			for i, st := range tc.steps {
				if subs[st.sub] == nil {
					subs[st.sub] = &fake{}
				}
				switch st.op {
				case "+":
					must(t, h.Subscribe(subs[st.sub], st.pat))
				case "-":
					must(t, h.Unsubscribe(subs[st.sub], st.pat))
				case "all":
					h.UnsubscribeAll(subs[st.sub])
				}
				if diff := cmp.Diff(st.broker, d.live()); diff != "" {
					t.Errorf("step %d: broker subscriptions (-want +got):\n%s", i, diff)
				}
				if got := h.Stats().Patterns; got != len(st.broker) {
					t.Errorf("step %d: Stats().Patterns %d, want %d", i, got, len(st.broker))
				}
			}
		})
	}
}

// TestOrderConcurrentPublishers: publishers race on overlapping topics;
// every subscriber of a topic sees its messages in one order, and each
// publisher's in the order it published them.
func TestOrderConcurrentPublishers(t *testing.T) {
	const publishers, each = 4, 300
	topics := []string{"room.1", "room.2"}
	h := New()
	patterns := [][]string{{"room.1"}, {"room.*"}, {"room.>", "room.1"}, {">"}, {"room.2", "*.1"}, {"room.1"}}
	subs := make([]*fake, len(patterns))
	for i, ps := range patterns {
		subs[i] = &fake{slow: i%2 == 0}
		for _, p := range ps {
			must(t, h.Subscribe(subs[i], p))
		}
	}
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for n := range each {
				topic := topics[(p+n)%2]
				if err := h.Publish(topic, frame.OpText, []byte(fmt.Sprintf("%s %d %d", topic, p, n))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	byTopic := func(got []string, topic string) []string {
		var out []string
		for _, m := range got {
			if strings.HasPrefix(m, topic+" ") {
				out = append(out, m)
			}
		}
		return out
	}
	for _, topic := range topics {
		var first []string
		for i, f := range subs {
			if !matchesAny(patterns[i], topic) {
				continue
			}
			got := byTopic(f.received(), topic)
			if len(got) != publishers*each/2 {
				t.Errorf("subscriber %d got %d messages on %s, want %d", i, len(got), topic, publishers*each/2)
			}
			if first == nil {
				first = got
				checkPerPublisher(t, got)
			} else if diff := cmp.Diff(first, got); diff != "" {
				t.Errorf("subscriber %d sees %s in another order (-first +got):\n%s", i, topic, diff)
			}
		}
	}
}

func matchesAny(patterns []string, topic string) bool {
	for _, p := range patterns {
		if Match(p, topic) {
			return true
		}
	}
	return false
}

// checkPerPublisher checks that "topic publisher n" messages come in
// increasing n per publisher.
func checkPerPublisher(t *testing.T, got []string) {
	t.Helper()
	last := map[string]int{}
	for _, m := range got {
		f := strings.Fields(m)
		n, _ := strconv.Atoi(f[2])
		if prev, ok := last[f[1]]; ok && n <= prev {
			t.Errorf("publisher %s: %d after %d", f[1], n, prev)
		}
		last[f[1]] = n
	}
}

// TestSlowSubscriber: a subscriber whose queue fills (Queued, then
// Dropped) loses what does not fit, and nobody else notices.
func TestSlowSubscriber(t *testing.T) {
	h := New()
	slow := &fake{hold: 2, slow: true}
	fast := []*fake{{}, {}, {}}
	must(t, h.Subscribe(slow, "t"))
	for _, f := range fast {
		must(t, h.Subscribe(f, "t"))
	}
	publishAll(t, h, "t 1", "t 2", "t 3", "t 4")
	if diff := cmp.Diff([]string{"1", "2"}, slow.received()); diff != "" {
		t.Errorf("slow subscriber (-want +got):\n%s", diff)
	}
	for i, f := range fast {
		if diff := cmp.Diff([]string{"1", "2", "3", "4"}, f.received()); diff != "" {
			t.Errorf("fast subscriber %d (-want +got):\n%s", i, diff)
		}
	}
	want := Stats{Published: 4, Fanouts: 4, Delivered: 14, Queued: 2, Dropped: 2, Subscribers: 4, Patterns: 1}
	if diff := cmp.Diff(want, h.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

// TestFailingSubscriberRemoved: a subscriber whose SendPrepared fails is
// unsubscribed from every pattern and never called again.
func TestFailingSubscriberRemoved(t *testing.T) {
	h := New()
	bad, good := &fake{fail: errGone}, &fake{}
	for _, p := range []string{"a.b", "a.*", "x"} {
		must(t, h.Subscribe(bad, p))
	}
	must(t, h.Subscribe(good, "a.>"))
	publishAll(t, h, "a.b 1", "a.b 2", "x 3")
	if bad.calls != 1 {
		t.Errorf("failing subscriber called %d times, want 1", bad.calls)
	}
	if diff := cmp.Diff([]string{"1", "2"}, good.received()); diff != "" {
		t.Errorf("good subscriber (-want +got):\n%s", diff)
	}
	// a.b and a.* stay with the broker while a.>, younger, is held: they
	// deliver the topics they share with it (doc.go).
	want := Stats{Published: 3, Fanouts: 2, Delivered: 2, Failed: 1, Subscribers: 1, Patterns: 3}
	if diff := cmp.Diff(want, h.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if err := h.Unsubscribe(bad, "x"); !errors.Is(err, ErrNotSubscribed) {
		t.Errorf("Unsubscribe of the removed subscriber: %v, want ErrNotSubscribed", err)
	}
}

// TestUnsubscribeDuringPublish: subscribers come and go while others
// publish; a subscriber that stays gets everything once, in order.
func TestUnsubscribeDuringPublish(t *testing.T) {
	h := New()
	steady := &fake{}
	must(t, h.Subscribe(steady, "t.>"))
	must(t, h.Subscribe(steady, "t.x"))
	const n = 2000
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			if err := h.Publish("t.x", frame.OpText, []byte(fmt.Sprintf("t.x 0 %d", i))); err != nil {
				t.Error(err)
			}
		}
	})
	for range 2 {
		wg.Go(func() {
			for range n / 4 {
				f := &fake{}
				for _, p := range []string{"t.x", "t.*", ">"} {
					if err := h.Subscribe(f, p); err != nil {
						t.Error(err)
					}
				}
				if err := h.Unsubscribe(f, "t.*"); err != nil {
					t.Error(err)
				}
				h.UnsubscribeAll(f)
				checkOnce(t, f.received())
			}
		})
	}
	wg.Wait()
	got := steady.received()
	if len(got) != n {
		t.Errorf("steady subscriber got %d messages, want %d", len(got), n)
	}
	checkPerPublisher(t, got)
	h.UnsubscribeAll(steady)
	if s := h.Stats(); s.Patterns != 0 || s.Subscribers != 0 {
		t.Errorf("stats %+v, want nothing held", s)
	}
}

func checkOnce(t *testing.T, got []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m] {
			t.Errorf("%q delivered twice", m)
		}
		seen[m] = true
	}
}

// recorder is a Broker that logs the calls a Hub makes, over a Local one.
type recorder struct {
	Broker
	log  []string
	fail error
}

func (r *recorder) Subscribe(p string, deliver func(Message)) (Subscription, error) {
	r.log = append(r.log, "sub "+p)
	if r.fail != nil {
		return nil, r.fail
	}
	s, err := r.Broker.Subscribe(p, deliver)
	return recSub{s, r, p}, err
}

type recSub struct {
	Subscription
	r *recorder
	p string
}

func (s recSub) Unsubscribe() error {
	s.r.log = append(s.r.log, "unsub "+s.p)
	return s.Subscription.Unsubscribe()
}

func (r *recorder) Publish(m Message) error {
	r.log = append(r.log, "pub "+m.Topic)
	return r.Broker.Publish(m)
}

// TestBrokerCalls: a Hub subscribes to its broker once per distinct
// pattern, routes Publish through it, and ends its subscriptions at Close.
func TestBrokerCalls(t *testing.T) {
	r := &recorder{Broker: NewLocal()}
	h := New(WithBroker(r))
	s1, s2 := &fake{}, &fake{}
	must(t, h.Subscribe(s1, "a.*"))
	must(t, h.Subscribe(s2, "a.*"))
	must(t, h.Subscribe(s2, "b"))
	must(t, h.Subscribe(s2, "b"))
	publishAll(t, h, "a.x 1")
	must(t, h.Close())
	must(t, h.Close())
	want := []string{"sub a.*", "sub b", "pub a.x", "unsub a.*", "unsub b"}
	if diff := cmp.Diff(want, sortTail(r.log, 3)); diff != "" {
		t.Errorf("broker calls (-want +got):\n%s", diff)
	}
	if err := h.Publish("a.x", frame.OpText, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Publish after Close: %v, want ErrClosed", err)
	}
	if err := h.Subscribe(s1, "a"); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe after Close: %v, want ErrClosed", err)
	}
	r.fail = errGone
	h = New(WithBroker(r))
	if err := h.Subscribe(s1, "c"); !errors.Is(err, errGone) {
		t.Errorf("Subscribe with a failing broker: %v, want its error", err)
	}
	if s := h.Stats(); s.Subscribers != 0 || s.Patterns != 0 {
		t.Errorf("a failed Subscribe left %+v", s)
	}
}

// sortTail sorts log[from:] (the Close's unsubscriptions, in map order).
func sortTail(log []string, from int) []string {
	out := append([]string(nil), log...)
	tail := out[from:]
	for i := range tail {
		for j := i + 1; j < len(tail); j++ {
			if tail[j] < tail[i] {
				tail[i], tail[j] = tail[j], tail[i]
			}
		}
	}
	return out
}

// uncomparable is a Subscriber a Hub cannot tell apart from another.
type uncomparable struct{ b []byte }

func (uncomparable) SendPrepared(*endpoint.PreparedMessage) (endpoint.SendResult, error) {
	return endpoint.Sent, nil
}

func TestErrors(t *testing.T) {
	h := New()
	f := &fake{}
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"nil subscriber", h.Subscribe(nil, "a"), ErrSubscriber},
		{"uncomparable subscriber", h.Subscribe(uncomparable{}, "a"), ErrSubscriber},
		{"bad pattern", h.Subscribe(f, "a.>.b"), ErrFullWildcardNotLast},
		{"bad pattern is a topic error", h.Subscribe(f, "a b"), ErrTopic},
		{"unsubscribe unknown", h.Unsubscribe(f, "a"), ErrNotSubscribed},
		{"unsubscribe nil", h.Unsubscribe(nil, "a"), ErrNotSubscribed},
		{"unsubscribe uncomparable", h.Unsubscribe(uncomparable{}, "a"), ErrNotSubscribed},
		{"unsubscribe bad pattern", h.Unsubscribe(f, ""), ErrEmptyToken},
		{"publish wildcard", h.Publish("a.*", frame.OpText, nil), ErrWildcardInTopic},
		{"publish ping", h.Publish("a", frame.OpPing, nil), endpoint.ErrOpcode},
		{"local publish bad topic", NewLocal().Publish(Message{Topic: "a..b"}), ErrEmptyToken},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	h.UnsubscribeAll(uncomparable{}) // neither panics nor does anything
	h.UnsubscribeAll(nil)
	_, err := NewLocal().Subscribe(">.a", func(Message) {})
	if !errors.Is(err, ErrFullWildcardNotLast) {
		t.Errorf("Local.Subscribe(\">.a\"): %v", err)
	}
	must(t, h.Subscribe(f, "a"))
	if err := h.Unsubscribe(f, "b"); !errors.Is(err, ErrNotSubscribed) {
		t.Errorf("Unsubscribe of a pattern not held: %v", err)
	}
}

// TestRemoteRejoin: a subscriber that leaves and rejoins a topic while a
// message of it is still on its way through another subscription does not
// get it twice.
func TestRemoteRejoin(t *testing.T) {
	d := &deferred{}
	h := New(WithBroker(d))
	s, other := &fake{}, &fake{}
	must(t, h.Subscribe(s, "a"))
	must(t, h.Subscribe(s, ">"))
	publishAll(t, h, "a 1")
	must(t, h.Subscribe(other, "a.b"))
	d.run("a", 1) // "a", the oldest, delivers; ">" still carries a copy
	h.UnsubscribeAll(s)
	must(t, h.Subscribe(s, "a"))
	publishAll(t, h, "a 2")
	d.runAll()
	if diff := cmp.Diff([]string{"1", "2"}, s.received()); diff != "" {
		t.Errorf("rejoined subscriber (-want +got):\n%s", diff)
	}
}

// TestRetiredBounded: patterns that come and go after a long-held
// overlapping one do not pile up with the broker.
func TestRetiredBounded(t *testing.T) {
	d := &deferred{}
	h := New(WithBroker(d))
	all := &fake{}
	must(t, h.Subscribe(all, "room.>"))
	for i := range 100 {
		f := &fake{}
		room := "room." + strconv.Itoa(i)
		must(t, h.Subscribe(f, room))
		publishAll(t, h, room+" hi")
		d.runAll()
		must(t, h.Unsubscribe(f, room))
		if diff := cmp.Diff([]string{"hi"}, f.received()); diff != "" {
			t.Fatalf("%s (-want +got):\n%s", room, diff)
		}
	}
	if diff := cmp.Diff([]string{"room.>"}, d.live()); diff != "" {
		t.Errorf("broker subscriptions (-want +got):\n%s", diff)
	}
	if got := len(all.received()); got != 100 {
		t.Errorf("room.> subscriber got %d messages, want 100", got)
	}
}

// TestRace runs every method at once (go test -race): subscribers join,
// leave and fail while others publish, then the Hub closes under them.
// Each subscriber still gets each message at most once.
func TestRace(t *testing.T) {
	h := New()
	patterns := []string{"r.1", "r.*", "r.>", ">", "*.1", "r.2"}
	var wg sync.WaitGroup
	for p := range 3 {
		wg.Go(func() {
			for n := range 500 {
				err := h.Publish(fmt.Sprintf("r.%d", n%3), frame.OpText, fmt.Appendf(nil, "%d %d", p, n))
				if err != nil && !errors.Is(err, ErrClosed) {
					t.Error(err)
				}
			}
		})
	}
	var mu sync.Mutex
	var all []*fake
	for w := range 3 {
		wg.Go(func() {
			for i := range 200 {
				f := &fake{slow: i%2 == 0, hold: 50}
				if i%7 == 0 {
					f.fail = errGone
				}
				mu.Lock()
				all = append(all, f)
				mu.Unlock()
				for j := range 3 {
					if err := h.Subscribe(f, patterns[(w+i+j)%len(patterns)]); err != nil && !errors.Is(err, ErrClosed) {
						t.Error(err)
					}
				}
				_ = h.Unsubscribe(f, patterns[(w+i)%len(patterns)])
				h.Stats()
				if i%2 == 0 {
					h.UnsubscribeAll(f)
				}
			}
		})
	}
	wg.Go(func() {
		for range 100 {
			h.Stats()
		}
	})
	wg.Wait()
	must(t, h.Close())
	if s := h.Stats(); s.Subscribers != 0 || s.Patterns != 0 {
		t.Errorf("after Close: %+v", s)
	}
	var calls uint64
	for _, f := range all {
		checkOnce(t, f.received())
		calls += uint64(f.calls)
	}
	s := h.Stats()
	if got := s.Delivered + s.Dropped + s.Failed; got != calls {
		t.Errorf("stats count %d sends (%+v), the subscribers %d", got, s, calls)
	}
}

// gated is a Broker whose Subscribe to "slow" waits for the test, as a
// remote broker's may wait for its network.
type gated struct {
	Broker
	entered, gate chan struct{}
}

func (g *gated) Subscribe(p string, deliver func(Message)) (Subscription, error) {
	if p == "slow" {
		close(g.entered)
		<-g.gate
	}
	return g.Broker.Subscribe(p, deliver)
}

// TestSlowBrokerSubscribe: while the broker takes its time over a
// subscription, the Hub's fan-outs go on.
func TestSlowBrokerSubscribe(t *testing.T) {
	g := &gated{Broker: NewLocal(), entered: make(chan struct{}), gate: make(chan struct{})}
	h := New(WithBroker(g))
	a, b := &fake{}, &fake{}
	must(t, h.Subscribe(a, "x"))
	subscribed := make(chan error)
	go func() { subscribed <- h.Subscribe(b, "slow") }()
	<-g.entered
	published := make(chan error)
	go func() { published <- h.Publish("x", frame.OpText, []byte("1")) }()
	select {
	case err := <-published:
		must(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Publish waited for the broker's Subscribe") // a watchdog, not a timing claim
	}
	close(g.gate)
	must(t, <-subscribed)
	publishAll(t, h, "slow 2")
	if diff := cmp.Diff([][]string{{"1"}, {"2"}}, [][]string{a.received(), b.received()}); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
}
