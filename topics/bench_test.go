package topics

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/race"
)

// fanoutHub returns a Hub with n sinks subscribed to "room.main", and as
// many again spread over 1,000 other rooms, which a publication to
// room.main must not cost anything.
func fanoutHub(tb testing.TB, n int) (*Hub, []*sink) {
	h := New()
	sinks := make([]*sink, n)
	for i := range sinks {
		sinks[i] = &sink{}
		if err := h.Subscribe(sinks[i], "room.main"); err != nil {
			tb.Fatal(err)
		}
		if err := h.Subscribe(&sink{}, "room."+strconv.Itoa(i%1000)); err != nil {
			tb.Fatal(err)
		}
	}
	return h, sinks
}

// TestPublishAllocs: a publication allocates the same, whatever the
// number of its recipients: nothing per recipient.
func TestPublishAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	data := make([]byte, 1<<10)
	per := map[int]float64{}
	for _, n := range []int{1, 1000} {
		h, sinks := fanoutHub(t, n)
		per[n] = publishAllocs(t, h, "room.main", data, 50)
		if sinks[n-1].n != 52 {
			t.Fatalf("the last of %d recipients got %d messages, want 52", n, sinks[n-1].n)
		}
	}
	// The PreparedMessage and its copy of the payload.
	if per[1] > 2 || per[1000] != per[1] {
		t.Errorf("allocations per publication: %v to 1 recipient, %v to 1,000; want at most 2, and as many", per[1], per[1000])
	}
}

// publishAllocs publishes data to topic once, for the scratch and the
// subscribers' queues to be made, then returns the allocations of a
// Publish and the Flush after it, averaged over runs.
func publishAllocs(t *testing.T, h *Hub, topic string, data []byte, runs int) float64 {
	t.Helper()
	must(t, h.Publish(topic, frame.OpText, data))
	h.Flush()
	return testing.AllocsPerRun(runs, func() {
		if err := h.Publish(topic, frame.OpText, data); err != nil {
			t.Fatal(err)
		}
		h.Flush()
	})
}

// benchPublish publishes data to topic b.N times; with n recipients it
// also reports the cost per recipient.
func benchPublish(b *testing.B, h *Hub, topic string, data []byte, n int) {
	b.ReportAllocs()
	for b.Loop() {
		if err := h.Publish(topic, frame.OpText, data); err != nil {
			b.Fatal(err)
		}
	}
	if n > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/recipient")
	}
}

// BenchmarkPublish publishes a 1 KiB text message to 1,000 and to 10,000
// subscribers (sinks, which take it at once) of one topic, with as many
// subscribers of 1,000 other topics beside them. An op is one
// publication; ns/recipient is the fan-out's cost per subscriber.
func BenchmarkPublish(b *testing.B) {
	data := make([]byte, 1<<10)
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			h, _ := fanoutHub(b, n)
			benchPublish(b, h, "room.main", data, n)
		})
	}
}

// BenchmarkPublishOverlapping is BenchmarkPublish's 1,000 subscribers
// each with three patterns that match the topic: the dedup's cost.
func BenchmarkPublishOverlapping(b *testing.B) {
	data := make([]byte, 1<<10)
	const n = 1000
	h := New()
	for range n {
		s := &sink{}
		for _, p := range []string{"room.main", "room.*", "room.>"} {
			if err := h.Subscribe(s, p); err != nil {
				b.Fatal(err)
			}
		}
	}
	benchPublish(b, h, "room.main", data, n)
}

// BenchmarkPublishSparse publishes to one of 10 and of 10,000 rooms, each
// with one subscriber, beside "room.*.mod" and "other.>" patterns that
// match nothing published here: a publication costs the same however many
// unrelated topics there are.
func BenchmarkPublishSparse(b *testing.B) {
	data := make([]byte, 1<<10)
	for _, rooms := range []int{10, 10000} {
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) {
			h := New()
			for i := range rooms {
				if err := h.Subscribe(&sink{}, "room."+strconv.Itoa(i)); err != nil {
					b.Fatal(err)
				}
			}
			if err := h.Subscribe(&sink{}, "room.*.mod"); err != nil {
				b.Fatal(err)
			}
			if err := h.Subscribe(&sink{}, "other.>"); err != nil {
				b.Fatal(err)
			}
			benchPublish(b, h, "room.7", data, 0)
		})
	}
}
