package natsbroker

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/topics"
)

// BenchmarkPublish: one publisher, one subscriber, on one server or on two
// servers of a cluster of three (stream replicated on three); b.N messages
// published one after the other, each waiting for its acknowledgement. It
// reports the time from Publish's call to the delivery, p50 and p99.
//
//	go test -run '^$' -bench Publish -benchtime 2000x -count 3
func BenchmarkPublish(b *testing.B) {
	b.Run("servers=1", func(b *testing.B) {
		_, br := startOne(b, Config{})
		benchPublish(b, br, br)
	})
	b.Run("servers=3", func(b *testing.B) {
		brokers := connectAll(b, startCluster(b, 3), nil)
		benchPublish(b, brokers[0], brokers[1])
	})
}

func benchPublish(b *testing.B, pub, sub *Broker) {
	lat := make([]time.Duration, 0, b.N)
	done := make(chan struct{})
	s, err := sub.Subscribe("bench", func(m topics.Message) {
		sent, _ := strconv.ParseInt(string(m.Data), 10, 64)
		lat = append(lat, time.Since(time.Unix(0, sent)))
		if len(lat) == b.N {
			close(done)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Unsubscribe()
	b.ResetTimer()
	for range b.N {
		data := []byte(strconv.FormatInt(time.Now().UnixNano(), 10))
		if err := pub.Publish(topics.Message{Topic: "bench", Op: frame.OpText, Data: data}); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		b.Fatalf("%d of %d delivered after 30s", len(lat), b.N)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
