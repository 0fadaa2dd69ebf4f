package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/wskit/wskit/demo/chat/natsbroker"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/topics"
)

// A client that opens /chat/{room}?since=S receives the room's messages as
// JSON text messages {"seq":N,"text":"..."}: first every retained one with
// N > S, then the live ones, with no gap and no duplicate. Each node keeps
// one broker subscription per room for its resuming clients; a joiner is
// added to it at once, buffering, and its position L there (the last
// sequence the subscription delivered) splits the room in two: History
// gives (S, L], the subscription everything above L.

// resumer serves a node's resuming clients.
type resumer struct {
	s      *Server
	broker *natsbroker.Broker

	mu    sync.Mutex
	rooms map[string]*seqRoom // by topic
}

// seqRoom is one room's subscription and its resuming clients.
type seqRoom struct {
	topic string
	sub   *natsbroker.Subscription
	refs  int // members and joiners; under resumer.mu

	mu      sync.Mutex
	last    uint64 // the last sequence delivered
	members map[*seqMember]struct{}
	limit   int // bytes a joiner may buffer: Config.MaxBackpressure
}

// seqMember is one resuming client in a room.
type seqMember struct {
	ep      *endpoint.Endpoint
	after   uint64                      // it has (or gets from History) everything up to here
	pending []*endpoint.PreparedMessage // while its history is being sent; nil after
	joining bool
	size    int  // bytes pending
	behind  bool // pending passed the limit
}

// errBehind ends a joiner whose live messages outgrew the send queue's
// limit while its history was being sent (1008, as any connection past it).
var errBehind = &endpoint.CloseError{Code: frame.ClosePolicyViolation, Reason: "too far behind"}

func newResumer(s *Server, b *natsbroker.Broker) *resumer {
	return &resumer{s: s, broker: b, rooms: map[string]*seqRoom{}}
}

// seqJSON is the wire form of a resuming client's message.
type seqJSON struct {
	Seq  uint64 `json:"seq"`
	Text string `json:"text"`
}

func encodeSeq(m topics.Message) []byte {
	b, _ := json.Marshal(seqJSON{Seq: m.Seq, Text: string(m.Data)}) // cannot fail
	return b
}

// join validates the room and since (400 before the upgrade for either),
// upgrades and serves the connection as Server.join does.
func (res *resumer) join(w http.ResponseWriter, r *http.Request) {
	s := res.s
	var since uint64
	room, ok := s.admit(w, r, func() (string, bool) {
		var err error
		since, err = strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
		return "since is the seq of the last message received, a decimal number (0: all the history)", err == nil
	})
	if !ok {
		return
	}
	c := &conn{room: room, remote: r.RemoteAddr, start: time.Now()}
	up, err := s.open(w, r, c)
	if err != nil {
		s.wg.Done()
		return
	}
	go func() {
		defer s.wg.Done()
		res.serve(c, up, since)
	}()
}

// serve sends c the room's history after since, then its live messages,
// and publishes what c sends, until the connection ends.
func (res *resumer) serve(c *conn, up *server.Upgraded, since uint64) {
	s := res.s
	s.track(c, true)
	defer s.track(c, false)
	topic := topicOf(c.room)
	leave, err := res.enter(c.ep, topic, since)
	if err != nil {
		c.err = err
		code := frame.CloseTryAgainLater // the history could not be read: another try may do
		if errors.Is(err, errBehind) {
			code = errBehind.Code
		}
		c.ep.Close(code, "cannot resume")
	} else {
		c.err = s.read(c, topic)
		leave()
	}
	s.finish(c, up, "since="+strconv.FormatUint(since, 10)+" ")
}

// enter adds ep to topic's room, sends it the history above since and what
// arrived meanwhile, and returns how to leave.
func (res *resumer) enter(ep *endpoint.Endpoint, topic string, since uint64) (leave func(), err error) {
	if since > 0 {
		// A since above the room's newest stored message was read from an
		// earlier stream (a cluster restarted with its history in memory
		// numbers from 1 again): the client gets the whole history.
		last, err := res.broker.LastSeq(topic)
		if err != nil {
			return nil, err
		}
		if since > last {
			since = 0
		}
	}
	r, err := res.acquire(topic)
	if err != nil {
		return nil, err
	}
	m := &seqMember{ep: ep, joining: true}
	r.mu.Lock()
	upTo := r.last
	m.after = max(since, upTo)
	r.members[m] = struct{}{}
	r.mu.Unlock()
	leave = func() {
		r.mu.Lock()
		delete(r.members, m)
		r.mu.Unlock()
		res.release(r)
	}
	if since < upTo {
		hist, err := res.broker.History(topic, since, upTo)
		if err == nil {
			// Blocking writes, bounded in time: nothing else is sent to ep
			// yet, and the history may be larger than the send queue.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			for _, h := range hist {
				if err = ep.WriteMessageContext(ctx, frame.OpText, encodeSeq(h)); err != nil {
					break
				}
			}
			cancel()
		}
		if err != nil {
			leave()
			return nil, err
		}
	}
	r.mu.Lock()
	behind := m.behind
	for _, pm := range m.pending {
		ep.SendPrepared(pm) // a failure ends the read loop, which reports it
	}
	m.pending, m.joining = nil, false
	r.mu.Unlock()
	if behind {
		leave()
		return nil, errBehind
	}
	return leave, nil
}

// deliver is the room subscription's: one message to every member, encoded
// once; a joiner keeps it for after its history.
func (r *seqRoom) deliver(msg topics.Message) {
	pm, err := endpoint.NewPreparedMessage(frame.OpText, encodeSeq(msg))
	if err != nil {
		return // cannot happen: OpText
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = msg.Seq
	for m := range r.members {
		switch {
		case msg.Seq <= m.after:
		case m.joining:
			if m.size += len(pm.Data()); m.size > r.limit {
				m.behind, m.pending = true, nil
			} else if !m.behind {
				m.pending = append(m.pending, pm)
			}
		default:
			m.ep.SendPrepared(pm) // never blocks; past the limit the connection fails
		}
	}
}

// acquire returns topic's room, subscribing to it if it is new: after its
// newest message, which is where its history ends for the first joiner.
func (res *resumer) acquire(topic string) (*seqRoom, error) {
	res.mu.Lock()
	defer res.mu.Unlock()
	if r := res.rooms[topic]; r != nil {
		r.refs++
		return r, nil
	}
	last, err := res.broker.LastSeq(topic)
	if err != nil {
		return nil, err
	}
	r := &seqRoom{topic: topic, last: last, members: map[*seqMember]struct{}{}, limit: res.s.cfg.MaxBackpressure, refs: 1}
	if r.sub, err = res.broker.SubscribeAfter(topic, last, r.deliver); err != nil {
		return nil, err
	}
	res.rooms[topic] = r
	return r, nil
}

func (res *resumer) release(r *seqRoom) {
	res.mu.Lock()
	defer res.mu.Unlock()
	if r.refs--; r.refs == 0 {
		delete(res.rooms, r.topic)
		r.sub.Unsubscribe()
	}
}

// close ends the rooms' subscriptions.
func (res *resumer) close() {
	res.mu.Lock()
	defer res.mu.Unlock()
	for t, r := range res.rooms {
		r.sub.Unsubscribe()
		delete(res.rooms, t)
	}
}
