package main

import (
	"sync"
	"sync/atomic"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

// member is a connection's subscription to its room. It subscribes before
// the 101 goes out, so that a client holding its 101 misses no message
// published after it; an Endpoint exists only once the 101 is written.
// Until then the messages wait in early, bounded as the Endpoint's send
// queue is; start hands them to the Endpoint, and from then on every
// message goes straight to it (one atomic load more than subscribing the
// Endpoint itself).
type member struct {
	ep atomic.Pointer[endpoint.Endpoint]

	mu    sync.Mutex // guards what follows, until ep is set
	early []*endpoint.PreparedMessage
	size  int  // bytes in early, counting a frame header for each
	limit int  // MaxBackpressure
	over  bool // early passed limit: the connection is to be dropped
}

// SendPrepared implements topics.Subscriber.
func (m *member) SendPrepared(pm *endpoint.PreparedMessage) (endpoint.SendResult, error) {
	return m.deliver(pm, (*endpoint.Endpoint).SendPrepared)
}

// QueuePrepared, Flush and Buffered make a member a topics.Queuer, so
// that the Hub's writer gathers the messages a burst brings each
// connection into one write, as it does for a bare Endpoint.
func (m *member) QueuePrepared(pm *endpoint.PreparedMessage) (endpoint.SendResult, error) {
	return m.deliver(pm, (*endpoint.Endpoint).QueuePrepared)
}

// Flush writes what the Endpoint queued; before start there is nothing to
// write yet.
func (m *member) Flush() error {
	if ep := m.ep.Load(); ep != nil {
		return ep.Flush()
	}
	return nil
}

// Buffered returns the bytes the Endpoint's queue holds, or those waiting
// for it before start.
func (m *member) Buffered() int {
	if ep := m.ep.Load(); ep != nil {
		return ep.Buffered()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.size
}

// deliver hands pm to the Endpoint with send once it exists, and keeps it
// in early before.
func (m *member) deliver(pm *endpoint.PreparedMessage, send func(*endpoint.Endpoint, *endpoint.PreparedMessage) (endpoint.SendResult, error)) (endpoint.SendResult, error) {
	if ep := m.ep.Load(); ep != nil {
		return send(ep, pm)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if ep := m.ep.Load(); ep != nil { // start ran meanwhile
		return send(ep, pm)
	}
	if m.over {
		return endpoint.Dropped, endpoint.ErrBackpressure
	}
	n := frame.MaxHeaderSize + len(pm.Data())
	if len(m.early) > 0 && m.size+n > m.limit {
		// As CloseOnBackpressureLimit: fail rather than lose a message.
		m.over, m.early = true, nil
		return endpoint.Dropped, endpoint.ErrBackpressure
	}
	m.early = append(m.early, pm)
	m.size += n
	return endpoint.Queued, nil
}

// start sends the messages that came before ep existed, then lets the
// rest go to ep directly. It returns endpoint.ErrBackpressure if they had
// passed the limit.
func (m *member) start(ep *endpoint.Endpoint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.over {
		return endpoint.ErrBackpressure
	}
	for _, pm := range m.early {
		// Past the limit the Endpoint fails the connection itself, and the
		// read loop sees it.
		ep.SendPrepared(pm)
	}
	m.early, m.size = nil, 0
	m.ep.Store(ep)
	return nil
}

// endpoint returns the Endpoint once start has run, nil before.
func (m *member) endpoint() *endpoint.Endpoint { return m.ep.Load() }
