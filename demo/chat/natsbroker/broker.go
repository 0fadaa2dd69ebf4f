package natsbroker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/topics"
)

// Errors a Broker returns for bad input or use; its other errors wrap NATS's.
var (
	// ErrUnreachable: Connect found no NATS server at the URL it was given.
	ErrUnreachable = errors.New("natsbroker: NATS server unreachable")
	// ErrNoJetStream: the NATS server has JetStream disabled, and the
	// broker needs it for history.
	ErrNoJetStream = errors.New("natsbroker: JetStream is not enabled on the NATS server")
	// ErrBadTopic: a topic is empty, has an empty token or a wildcard, or a
	// pattern has a '>' before its last token.
	ErrBadTopic = errors.New("natsbroker: bad topic")
	// ErrBadOpcode: a Message's Op is neither frame.OpText nor frame.OpBinary.
	ErrBadOpcode = errors.New("natsbroker: opcode is not text or binary")
	// ErrClosed: the Broker was closed.
	ErrClosed = errors.New("natsbroker: broker closed")
)

// Config configures a Broker. Only Server or URL is required.
type Config struct {
	// Server is an embedded server to reach over an in-process connection.
	// When it is set URL is ignored, and storage follows Server.FileStorage.
	Server *Server
	// URL lists the NATS servers to reach, comma-separated
	// ("nats://127.0.0.1:4222,nats://127.0.0.1:4223").
	URL string
	// Name is the client connection's name, shown by NATS's monitoring.
	Name string
	// Stream names the JetStream stream that holds the history. Empty: "WSKIT".
	Stream string
	// Prefix is the subject prefix: topic T is the NATS subject Prefix+"."+T,
	// and the stream holds Prefix+".>". Empty: "chat".
	Prefix string
	// History is how many messages the stream keeps per topic (JetStream's
	// MaxMsgsPerSubject); the oldest go first. Zero: 1000.
	History int
	// Replicas is how many servers hold each message: 3 in a cluster of
	// three or more, so that losing one loses nothing acknowledged. Zero:
	// 3 if the server Connect reaches belongs to a cluster, else 1.
	Replicas int
	// FileStorage keeps the stream on disk rather than in memory (with URL;
	// with Server it follows Server.FileStorage).
	FileStorage bool
	// StartTimeout bounds how long Connect waits for JetStream to create or
	// find the stream, which in a forming cluster waits for its meta
	// leader. Zero: 30 seconds.
	StartTimeout time.Duration
	// PublishTimeout bounds how long Publish keeps trying to have a message
	// acknowledged (through a stream leader's election, say). Zero: 10 s.
	PublishTimeout time.Duration
	// Heartbeat is how often the server reassures a subscription that it is
	// alive; a subscription missing two rebuilds itself where it left off.
	// Zero: 1 second.
	Heartbeat time.Duration
	// OnLost is called when the connection to NATS is lost while running
	// (err may be nil); the client keeps reconnecting meanwhile. Publish
	// fails until OnRestored.
	OnLost func(err error)
	// OnRestored is called when a lost connection is back; subscriptions
	// resume where they left off.
	OnRestored func()
}

// streamInvalidConfig is JetStream's error code for a stream configuration
// it refuses (JSStreamInvalidConfigF), which nats.go does not name.
const streamInvalidConfig jetstream.ErrorCode = 10052

// opHeader marks a binary message; a message without it is text.
const opHeader = "Wskit-Op"

// Broker is a topics.Broker over NATS JetStream; see the package comment.
type Broker struct {
	cfg     Config
	nc      *nats.Conn
	js      jetstream.JetStream
	stream  jetstream.Stream
	closing atomic.Bool
	up      atomic.Bool
}

var _ topics.Broker = (*Broker)(nil)

// Connect connects to NATS, creates the stream (or updates an existing one
// to cfg) and returns a Broker. A NATS server that cannot be reached fails
// at once with an error wrapping ErrUnreachable.
func Connect(cfg Config) (*Broker, error) {
	if cfg.Stream == "" {
		cfg.Stream = "WSKIT"
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "chat"
	}
	if cfg.History <= 0 {
		cfg.History = 1000
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 30 * time.Second
	}
	if cfg.PublishTimeout <= 0 {
		cfg.PublishTimeout = 10 * time.Second
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = time.Second
	}
	if err := checkTopic(cfg.Prefix, true); err != nil || strings.ContainsAny(cfg.Prefix, "*>") {
		return nil, fmt.Errorf("%w: prefix %q", ErrBadTopic, cfg.Prefix)
	}
	if cfg.Server != nil {
		cfg.FileStorage = cfg.Server.FileStorage()
	}
	b := &Broker{cfg: cfg}
	opts := []nats.Option{
		nats.Name(cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { b.lost(err) }),
		nats.ReconnectHandler(func(*nats.Conn) { b.restored() }),
		nats.ClosedHandler(func(*nats.Conn) { b.lost(nats.ErrConnectionClosed) }),
	}
	url := cfg.URL
	where := url
	if cfg.Server != nil {
		opts = append(opts, nats.InProcessServer(cfg.Server))
		url, where = nats.DefaultURL, "the embedded server" // the URL is not dialled
	} else if url == "" {
		return nil, errors.New("natsbroker: Config needs a Server or a URL")
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, where, err)
	}
	b.nc = nc
	b.up.Store(true)
	if b.cfg.Replicas <= 0 {
		b.cfg.Replicas = 1
		if nc.ConnectedClusterName() != "" {
			b.cfg.Replicas = 3
		}
	}
	if b.js, err = jetstream.New(nc); err != nil {
		b.Close()
		return nil, fmt.Errorf("natsbroker: %w", err)
	}
	if err := b.createStream(); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *Broker) createStream() error {
	storage := jetstream.MemoryStorage
	if b.cfg.FileStorage {
		storage = jetstream.FileStorage
	}
	sc := jetstream.StreamConfig{
		Name:              b.cfg.Stream,
		Subjects:          []string{b.cfg.Prefix + ".>"},
		Storage:           storage,
		Replicas:          b.cfg.Replicas,
		MaxMsgsPerSubject: int64(b.cfg.History),
		Discard:           jetstream.DiscardOld,
		Duplicates:        2 * time.Minute, // covers Publish's retries
	}
	deadline := time.Now().Add(b.cfg.StartTimeout)
	for try := 1; ; try++ {
		// A request made before the meta leader is elected goes unanswered:
		// short waits first, longer ones for a slow machine.
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(min(try, 5))*time.Second)
		st, err := b.js.CreateOrUpdateStream(ctx, sc)
		cancel()
		if err == nil {
			b.stream = st
			return nil
		}
		// Nobody answering JetStream's API, a few times over, is a server
		// without JetStream (one with it answers even while electing).
		if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) ||
			errors.Is(err, nats.ErrNoResponders) && try >= 3 {
			return fmt.Errorf("%w: %w", ErrNoJetStream, err)
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode == streamInvalidConfig {
			// The stream exists with a setting this Config may not change
			// (its storage, say): waiting mends nothing.
			return fmt.Errorf("natsbroker: stream %s: %w", sc.Name, err)
		}
		// A forming cluster answers "insufficient resources" or nothing
		// until its meta leader is elected and enough peers joined.
		if time.Now().After(deadline) {
			return fmt.Errorf("natsbroker: stream %s (%d replicas) not ready after %v: %w", sc.Name, sc.Replicas, b.cfg.StartTimeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (b *Broker) lost(err error) {
	if b.closing.Load() || !b.up.Swap(false) {
		return
	}
	if b.cfg.OnLost != nil {
		b.cfg.OnLost(err)
	}
}

func (b *Broker) restored() {
	if b.closing.Load() || b.up.Swap(true) {
		return
	}
	if b.cfg.OnRestored != nil {
		b.cfg.OnRestored()
	}
}

// Connected reports whether the connection to NATS is up.
func (b *Broker) Connected() bool { return b.up.Load() && !b.closing.Load() }

// Close closes the connection to NATS, ending every subscription. OnLost is
// not called for it.
func (b *Broker) Close() error {
	if b.closing.Swap(true) {
		return nil
	}
	b.nc.Close()
	return nil
}

// Publish stores m in the stream and returns once JetStream acknowledged
// it, that is once a majority of the stream's replicas hold it; subscribers
// get it from there. See PublishSeq.
func (b *Broker) Publish(m topics.Message) error {
	_, err := b.PublishSeq(m)
	return err
}

// PublishSeq is Publish that also returns the stream sequence m was given.
// A publication that is not acknowledged in time (a stream leader being
// elected, a reconnection) is sent again with the same message id until
// Config.PublishTimeout, and JetStream stores it once whatever the number
// of tries. m.Seq is ignored; m.Data may be reused once PublishSeq returns.
func (b *Broker) PublishSeq(m topics.Message) (uint64, error) {
	if err := checkTopic(m.Topic, false); err != nil {
		return 0, err
	}
	if m.Op != frame.OpText && m.Op != frame.OpBinary {
		return 0, fmt.Errorf("%w: %v", ErrBadOpcode, m.Op)
	}
	msg := &nats.Msg{Subject: b.subject(m.Topic), Data: m.Data, Header: nats.Header{}}
	if m.Op == frame.OpBinary {
		msg.Header.Set(opHeader, "binary")
	}
	id := nuid.Next()
	var seq uint64
	err := b.retry(func(ctx context.Context) error {
		ack, err := b.js.PublishMsg(ctx, msg, jetstream.WithMsgID(id), jetstream.WithExpectStream(b.cfg.Stream))
		if err == nil {
			seq = ack.Sequence
		}
		return err
	})
	switch {
	case err == ErrClosed:
		return 0, err
	case err != nil:
		return 0, fmt.Errorf("natsbroker: publish to %s: %w", m.Topic, err)
	}
	return seq, nil
}

// retry runs a JetStream API request (a publication too) until it
// succeeds, fails for good, or Config.PublishTimeout passes: a request that
// reached a stream leader just lost goes unanswered until a new one is
// elected. It returns ErrClosed, unwrapped, once the Broker is closing.
func (b *Broker) retry(req func(ctx context.Context) error) error {
	deadline := time.Now().Add(b.cfg.PublishTimeout)
	for {
		if b.closing.Load() {
			return ErrClosed
		}
		ctx, cancel := context.WithDeadline(context.Background(), earlier(deadline, time.Now().Add(2*time.Second)))
		err := req(ctx)
		cancel()
		if err == nil || permanent(err) || !time.Now().Before(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// permanent tells the errors that another try cannot mend.
func permanent(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.Code >= 400 && apiErr.Code < 500 {
		return true // the stream refused the message itself (too big, wrong stream)
	}
	return errors.Is(err, nats.ErrMaxPayload) || errors.Is(err, nats.ErrBadSubject) ||
		errors.Is(err, nats.ErrConnectionClosed)
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Subscribe calls deliver for every message stored from now on whose topic
// matches pattern (NATS syntax: '*' one token, a final '>' the rest), one
// call at a time, in stream order, each message once, with m.Seq its stream
// sequence. A subscription outlives reconnections and the loss of a server:
// it resumes after the last message it delivered.
func (b *Broker) Subscribe(pattern string, deliver func(topics.Message)) (topics.Subscription, error) {
	if err := checkTopic(pattern, true); err != nil {
		return nil, err
	}
	var last uint64
	err := b.retry(func(ctx context.Context) error {
		info, err := b.stream.Info(ctx)
		if err == nil {
			last = info.State.LastSeq
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("natsbroker: subscribe %s: %w", pattern, err)
	}
	return b.SubscribeAfter(pattern, last, deliver)
}

// Subscription is a Broker's subscription.
type Subscription struct {
	b        *Broker
	cons     jetstream.Consumer
	cc       jetstream.ConsumeContext
	deliver  func(topics.Message)
	mu       sync.Mutex // held by a delivery: one call at a time
	last     uint64     // the last sequence delivered, under mu
	stopped  atomic.Bool
	unsubbed sync.Once
}

// SubscribeAfter is Subscribe starting after sequence after: first every
// retained message with a sequence above after, in order, then new ones,
// with no gap and no duplicate between the two (it is one JetStream ordered
// consumer). after 0 starts with the oldest retained message.
func (b *Broker) SubscribeAfter(pattern string, after uint64, deliver func(topics.Message)) (*Subscription, error) {
	if err := checkTopic(pattern, true); err != nil {
		return nil, err
	}
	if b.closing.Load() {
		return nil, ErrClosed
	}
	cons, err := b.orderedConsumer(pattern, after)
	if err != nil {
		return nil, fmt.Errorf("natsbroker: subscribe %s: %w", pattern, err)
	}
	s := &Subscription{b: b, cons: cons, deliver: deliver, last: after}
	s.cc, err = cons.Consume(s.handle,
		jetstream.PullExpiry(5*b.cfg.Heartbeat), jetstream.PullHeartbeat(b.cfg.Heartbeat),
		jetstream.ConsumeErrHandler(func(jetstream.ConsumeContext, error) {})) // the ordered consumer mends what it can
	if err != nil {
		return nil, fmt.Errorf("natsbroker: subscribe %s: %w", pattern, err)
	}
	return s, nil
}

// orderedConsumer creates, retrying as every request does, an ordered
// consumer of pattern's messages after sequence after.
func (b *Broker) orderedConsumer(pattern string, after uint64) (jetstream.Consumer, error) {
	var cons jetstream.Consumer
	err := b.retry(func(ctx context.Context) (err error) {
		cons, err = b.js.OrderedConsumer(ctx, b.cfg.Stream, orderedFrom(b.subject(pattern), after))
		return err
	})
	return cons, err
}

// orderedFrom configures an ordered consumer that starts after sequence
// after. Its start is always explicit: one left to DeliverNew would, when
// the consumer is rebuilt before its first message, start at the new end
// again and skip what was stored in between.
func orderedFrom(subject string, after uint64) jetstream.OrderedConsumerConfig {
	return jetstream.OrderedConsumerConfig{
		FilterSubjects:    []string{subject},
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       after + 1,
		InactiveThreshold: time.Minute, // one an Unsubscribe could not delete goes soon
	}
}

func (s *Subscription) handle(msg jetstream.Msg) {
	meta, err := msg.Metadata()
	if err != nil {
		return // not a stream message (cannot happen on an ordered consumer)
	}
	seq := meta.Sequence.Stream
	s.mu.Lock()
	defer s.mu.Unlock()
	// The ordered consumer already delivers in order; this also holds
	// across its rebuilds, when a delivery of the old consumer may race
	// the first of the new.
	if seq <= s.last || s.stopped.Load() {
		return
	}
	s.last = seq
	s.deliver(s.b.message(msg, seq))
}

func (b *Broker) message(msg jetstream.Msg, seq uint64) topics.Message {
	op := frame.OpText
	if msg.Headers().Get(opHeader) == "binary" {
		op = frame.OpBinary
	}
	topic := msg.Subject()[len(b.cfg.Prefix)+1:] // the subject less Prefix+"."
	return topics.Message{Topic: topic, Op: op, Data: msg.Data(), Seq: seq}
}

// Unsubscribe stops the deliveries (one under way may finish) and deletes
// the consumer on the server.
func (s *Subscription) Unsubscribe() error {
	s.unsubbed.Do(func() {
		s.stopped.Store(true)
		s.cc.Stop()
		// Not waited for: the caller may hold a lock a delivery needs.
		go s.b.dropConsumer(s.cons)
	})
	return nil
}

// dropConsumer deletes an ordered consumer's current server-side consumer
// (best effort: else its InactiveThreshold removes it).
func (b *Broker) dropConsumer(cons jetstream.Consumer) {
	if b.closing.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = b.js.DeleteConsumer(ctx, b.cfg.Stream, cons.CachedInfo().Name)
}

func (b *Broker) subject(topic string) string { return b.cfg.Prefix + "." + topic }

// checkTopic accepts a topic of non-empty '.'-separated tokens without
// wildcards, or with pattern true also '*' tokens and a final '>'.
func checkTopic(t string, pattern bool) error {
	if t == "" {
		return fmt.Errorf("%w: empty", ErrBadTopic)
	}
	toks := strings.Split(t, ".")
	for i, tok := range toks {
		switch {
		case tok == "":
			return fmt.Errorf("%w: %q has an empty token", ErrBadTopic, t)
		case strings.ContainsAny(tok, " \t\r\n"):
			return fmt.Errorf("%w: %q has white space", ErrBadTopic, t)
		case pattern && (tok == "*" || tok == ">" && i == len(toks)-1):
		case strings.ContainsAny(tok, "*>"):
			if pattern {
				return fmt.Errorf("%w: %q: a wildcard is a whole token, and '>' comes last", ErrBadTopic, t)
			}
			return fmt.Errorf("%w: %q: a published topic has no wildcard", ErrBadTopic, t)
		}
	}
	return nil
}
