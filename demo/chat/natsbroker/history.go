package natsbroker

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wskit/wskit/topics"
)

// LastSeq returns the stream sequence of topic's newest retained message, or
// 0 if it has none.
func (b *Broker) LastSeq(topic string) (uint64, error) {
	if err := checkTopic(topic, false); err != nil {
		return 0, err
	}
	var last uint64
	err := b.retry(func(ctx context.Context) error {
		raw, err := b.stream.GetLastMsgForSubject(ctx, b.subject(topic))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil
		}
		if err == nil {
			last = raw.Sequence
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("natsbroker: last of %s: %w", topic, err)
	}
	return last, nil
}

// History returns topic's retained messages whose sequence is above after
// and at most upTo (0: up to its newest now), oldest first; their Data are
// the caller's. It holds at most Config.History messages.
//
// A joiner that already receives a topic's live messages from some sequence
// L on (a Subscription it shares with others, say) gets the messages between
// its own position S and L with History(topic, S, L), then the live ones
// above L: no gap, no duplicate.
func (b *Broker) History(topic string, after, upTo uint64) ([]topics.Message, error) {
	if err := checkTopic(topic, false); err != nil {
		return nil, err
	}
	if upTo == 0 {
		var err error
		if upTo, err = b.LastSeq(topic); err != nil {
			return nil, err
		}
	}
	if upTo <= after {
		return nil, nil
	}
	// Room for the consumer to be rebuilt once or twice (a server lost).
	ctx, cancel := context.WithTimeout(context.Background(), 2*b.cfg.PublishTimeout)
	defer cancel()
	cons, err := b.orderedConsumer(topic, after)
	if err != nil {
		return nil, fmt.Errorf("natsbroker: history of %s: %w", topic, err)
	}
	defer b.dropConsumer(cons)
	var out []topics.Message
	if cons.CachedInfo().NumPending == 0 {
		return out, nil // the messages up to upTo were all replaced by newer ones
	}
	// A missed heartbeat rebuilds the consumer after what was read.
	it, err := cons.Messages(jetstream.PullExpiry(5*b.cfg.Heartbeat), jetstream.PullHeartbeat(b.cfg.Heartbeat))
	if err != nil {
		return nil, fmt.Errorf("natsbroker: history of %s: %w", topic, err)
	}
	defer it.Stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("natsbroker: history of %s after %d message(s): %w", topic, len(out), err)
		}
		meta, err := msg.Metadata()
		if err != nil {
			return nil, fmt.Errorf("natsbroker: history of %s: %w", topic, err)
		}
		seq := meta.Sequence.Stream
		if seq > upTo {
			return out, nil
		}
		m := b.message(msg, seq)
		m.Data = append([]byte(nil), m.Data...)
		out = append(out, m)
		if seq == upTo || meta.NumPending == 0 {
			return out, nil
		}
	}
}
