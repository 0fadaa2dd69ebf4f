package topics

import "github.com/wskit/wskit/frame"

// Message is one publication.
type Message struct {
	Topic string       // where it was published: a topic, never a pattern
	Op    frame.Opcode // frame.OpText or frame.OpBinary
	Data  []byte       // the payload
	Seq   uint64       // the broker's number for it within its topic, increasing; 0 if the broker numbers nothing
}

// Broker carries publications between the processes that share topics.
type Broker interface {
	// Publish hands m to every subscription whose pattern matches m.Topic, in this process
	// and in others; it returns once the broker accepted m (a durable broker: stored it).
	Publish(m Message) error
	// Subscribe calls deliver for every message published from now on whose topic matches
	// pattern: one call at a time per subscription, in the broker's order (at least per publisher).
	// deliver must not keep m.Data after it returns.
	Subscribe(pattern string, deliver func(Message)) (Subscription, error)
}

// Subscription is one Broker.Subscribe; Unsubscribe ends it (a delivery
// already under way may still complete).
type Subscription interface{ Unsubscribe() error }
