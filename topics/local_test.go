package topics

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/frame"
)

// TestLocalOrder: subscriptions of overlapping patterns see concurrent
// publications in one order.
func TestLocalOrder(t *testing.T) {
	l := NewLocal()
	patterns := []string{"a.b", ">", "a.*", "*.b", "a.>"}
	got := make([][]string, len(patterns))
	for i, p := range patterns {
		if _, err := l.Subscribe(p, func(m Message) { got[i] = append(got[i], string(m.Data)) }); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for n := range 500 {
				if err := l.Publish(Message{Topic: "a.b", Op: frame.OpText, Data: fmt.Appendf(nil, "a.b %d %d", p, n)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if len(got[0]) != 2000 {
		t.Fatalf("%d messages, want 2000", len(got[0]))
	}
	checkPerPublisher(t, got[0])
	for i := range got[1:] {
		if diff := cmp.Diff(got[0], got[i+1]); diff != "" {
			t.Errorf("%s and %s disagree (-a.b +%[2]s):\n%s", patterns[0], patterns[i+1], diff)
		}
	}
}

// TestLocalUnsubscribe: a deliver function may end its own subscription;
// nothing arrives after, and the broker forgets the pattern.
func TestLocalUnsubscribe(t *testing.T) {
	l := NewLocal()
	var got []string
	var sub Subscription
	sub, err := l.Subscribe("a.*", func(m Message) {
		got = append(got, string(m.Data))
		if err := sub.Unsubscribe(); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := l.Subscribe("b", func(Message) {})
	for _, d := range []string{"1", "2"} {
		if err := l.Publish(Message{Topic: "a.x", Op: frame.OpText, Data: []byte(d)}); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"1"}, got); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if err := sub.Unsubscribe(); err != nil {
		t.Errorf("second Unsubscribe: %v", err)
	}
	if err := other.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	ll := l.(*local)
	if len(ll.byText) != 0 || !ll.trie.root.empty() {
		t.Errorf("the broker still holds %v", ll.byText)
	}
}
