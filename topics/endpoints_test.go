package topics

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/race"
	"github.com/wskit/wskit/parser"
)

// taker is a socket that takes everything at once.
type taker struct{ n int64 }

func (w *taker) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// stuck is the socket of a peer that stopped reading.
type stuck struct{}

func (stuck) Write([]byte) (int, error) { return 0, endpoint.ErrWouldBlock }

// TestEndpointSubscribers: with Endpoints as subscribers, a reader gets
// every message, one that stopped reading drops past its limit (the
// default policy) or, with CloseOnBackpressureLimit, fails and is
// unsubscribed; the reader never notices either.
func TestEndpointSubscribers(t *testing.T) {
	h := New()
	var w taker
	reader := endpoint.NewPush(frame.Server, &w)
	dropping := endpoint.NewPush(frame.Server, stuck{}, endpoint.MaxBackpressure(100))
	closing := endpoint.NewPush(frame.Server, stuck{}, endpoint.MaxBackpressure(100), endpoint.CloseOnBackpressureLimit())
	for _, e := range []*endpoint.Endpoint{reader, dropping, closing} {
		must(t, h.Subscribe(e, "room.>"))
	}
	msg := make([]byte, 40) // a 42-byte frame: two fit in 100 bytes
	for range 5 {
		must(t, h.Publish("room.a", frame.OpBinary, msg))
		h.Flush()
	}
	if w.n != 5*42 {
		t.Errorf("the reader was written %d bytes, want %d", w.n, 5*42)
	}
	if got := dropping.Buffered(); got != 84 {
		t.Errorf("the dropping Endpoint holds %d bytes, want 84", got)
	}
	// Queued: the second message to each stuck Endpoint, which found the
	// first still in its queue after the writer's Flush.
	want := Stats{Published: 5, Fanouts: 5, Delivered: 5 + 2 + 2, Queued: 2, Dropped: 3, Failed: 1, Subscribers: 2, Patterns: 1}
	if diff := cmp.Diff(want, h.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if err := h.Unsubscribe(closing, "room.>"); !errors.Is(err, ErrNotSubscribed) {
		t.Errorf("the failed Endpoint is still subscribed: %v", err)
	}
}

// TestEndpointPublishAllocs: with Endpoints as subscribers too, a
// publication allocates the same whatever the number of recipients.
func TestEndpointPublishAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	data := make([]byte, 1<<10)
	per := map[int]float64{}
	for _, n := range []int{1, 1000} {
		h := New()
		for range n {
			must(t, h.Subscribe(endpoint.NewPush(frame.Server, &taker{}), "room"))
		}
		per[n] = publishAllocs(t, h, "room", data, 20)
	}
	if per[1000] != per[1] {
		t.Errorf("allocations per publication: %v to 1 Endpoint, %v to 1,000; want as many", per[1], per[1000])
	}
}

// BenchmarkPublishEndpoints is BenchmarkPublish with push Endpoints whose
// sockets take everything: what a recipient costs with a real
// SendPrepared, short of the system call.
func BenchmarkPublishEndpoints(b *testing.B) {
	data := make([]byte, 1<<10)
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			h := New()
			for range n {
				if err := h.Subscribe(endpoint.NewPush(frame.Server, &taker{}), "room"); err != nil {
					b.Fatal(err)
				}
			}
			// Each Endpoint makes its send queue on first use.
			if err := h.Publish("room", frame.OpText, data); err != nil {
				b.Fatal(err)
			}
			benchPublish(b, h, "room", data, n)
		})
	}
}

// wireLog is a socket that keeps what it is written, safely for the
// Hub's writer goroutine and the test.
type wireLog struct {
	mu sync.Mutex
	b  []byte
}

func (r *wireLog) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.b = append(r.b, p...)
	return len(p), nil
}

// TestEndpointWriterOrder: with the Hub's writer flushing Endpoints while
// several goroutines publish, every subscriber gets every message once,
// each publisher's in order, and all subscribers in the same order.
func TestEndpointWriterOrder(t *testing.T) {
	h := New()
	const subs, pubs, each = 20, 4, 200
	recs := make([]*wireLog, subs)
	for i := range recs {
		recs[i] = &wireLog{}
		must(t, h.Subscribe(endpoint.NewPush(frame.Server, recs[i]), "room"))
	}
	var wg sync.WaitGroup
	for p := range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				must(t, h.Publish("room", frame.OpText, []byte(fmt.Sprintf("%d-%04d", p, i))))
			}
		}()
	}
	wg.Wait()
	h.Flush()
	var first []string
	for i, r := range recs {
		var got []string
		p := parser.New(bytes.NewReader(r.b), parser.Role(frame.Client))
		for f, err := p.Next(); err == nil; f, err = p.Next() {
			got = append(got, string(f.(*frame.Text).Payload))
		}
		if len(got) != pubs*each {
			t.Fatalf("subscriber %d got %d messages, want %d", i, len(got), pubs*each)
		}
		last := map[byte]string{}
		for _, m := range got {
			if m <= last[m[0]] {
				t.Fatalf("subscriber %d: %q after %q", i, m, last[m[0]])
			}
			last[m[0]] = m
		}
		if i == 0 {
			first = got
		} else if diff := cmp.Diff(first, got); diff != "" {
			t.Fatalf("subscriber %d's order differs from subscriber 0's:\n%s", i, diff)
		}
	}
}
