// Package topics delivers what is published to a topic to every
// subscriber whose pattern matches it: each message is encoded once (an
// endpoint.PreparedMessage) and handed to each subscriber once, with
// SendPrepared, which never blocks on the network.
//
// # Topics and patterns
//
// Topics are NATS-style: tokens separated by '.', such as "chat.room-1".
// A pattern is a topic whose tokens may also be "*", which matches any
// one token, or, as the last token, ">", which matches one or more:
// "chat.*" matches "chat.room-1" but not "chat" or "chat.a.b"; "chat.>"
// matches both of the last two. A published topic has no wildcard. Tokens
// are not empty and hold no whitespace, control character or invalid
// UTF-8, and a topic is at most MaxTopicLen bytes; anything else is a
// *TopicError (errors.Is ErrTopic, and the rule broken, such as
// ErrEmptyToken or ErrWildcardInTopic).
//
// # Delivery
//
// A message reaches each subscriber once, however many of its patterns
// match. Every subscriber of a topic sees the topic's messages in the
// same order: one publication at a time is fanned out per broker
// subscription (below), so publications to topics that different patterns
// serve go out in parallel, and a fan-out holds the Hub's lock only to
// list its recipients, never while it sends. A Subscriber may be called
// from several fan-outs at once (it is in several topics), so it must be
// safe for concurrent use, as *endpoint.Endpoint is, and must not publish
// from inside SendPrepared.
//
// A subscriber that can queue without writing (a Queuer, such as
// *endpoint.Endpoint) gets each publication queued by reference, and the
// Hub's writer goroutine flushes it: a subscriber that several
// publications reach before its turn gets them in one write, one system
// call, which is most of what a delivery costs. Publish thus returns once
// every recipient has the message queued; Flush waits for the writes.
//
// A slow subscriber costs the others nothing. Its Endpoint queues what
// its connection does not take at once (SendPrepared returns Queued); past
// its MaxBackpressure it drops the message (Dropped: the Hub counts it and
// the subscriber stays) or, with CloseOnBackpressureLimit, fails the
// connection (an error: the Hub unsubscribes it from everything). Stats
// counts all of this. The publisher never waits for a network.
//
// # Brokers
//
// A Hub publishes through a Broker and subscribes to it for the patterns
// its subscribers use, so that Hubs in several processes share topics;
// NewLocal, the in-process broker, is the default. The Hub makes one broker
// subscription per distinct pattern (not per subscriber), and a remote
// broker delivers a message once for every subscription it matches: with
// "chat.>" and "chat.*" subscribed, a message to "chat.a" arrives twice.
// Of the subscriptions a topic matches, the oldest fans the message out
// to every local subscriber whose patterns match it, deduplicated, and the
// others let it pass. Each topic is thus always delivered through the same
// subscription, in that subscription's order, and once. A subscription
// whose last subscriber left is kept while a younger one that overlaps it
// (a topic matches both) is held, with subscribers or kept itself: a
// message to a topic they share, let pass by the younger one, may still be
// on its way through the older, and the younger must not deliver what the
// older already did. Everything the Hub keeps this way existed with the
// youngest pattern that has subscribers, so the broker holds at most the
// patterns the Hub held at once, and usually just the patterns in use.
//
// The alternative, one catch-all subscription (">") per Hub, gives the
// same guarantees more simply, but makes every process receive every
// publication of every other, whether it has subscribers for it or not;
// per-pattern subscriptions let a broker such as NATS send a process only
// what its connections want, which is what spreading rooms over processes
// is for.
//
// A Hub calls its broker's Subscribe and Unsubscribe one at a time and
// holding no lock a fan-out needs: a broker that waits for its network
// there delays the Hub's other subscription changes, never its
// deliveries. Hub.Close ends the Hub's broker subscriptions. A deliver function
// (the Hub's) is called one at a time per subscription, as the Broker
// interface promises; the Local broker calls it from inside Publish.
package topics
