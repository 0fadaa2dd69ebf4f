package bench

import (
	"sync"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

// fanoutWskitAPI says how wskit's fan-out server sends.
const fanoutWskitAPI = "raw net.Listener + server.Config.Accept; endpoint.NewPreparedMessage once, Endpoint.WritePrepared to each connection in a loop (until topics lands)"

// fanoutWskitHub delivers a publication to wskit's connections.
type fanoutWskitHub struct {
	mu  sync.Mutex
	eps map[*endpoint.Endpoint]struct{}
	all []*endpoint.Endpoint
}

func (h *fanoutWskitHub) init() { h.eps = map[*endpoint.Endpoint]struct{}{} }

func (h *fanoutWskitHub) subscribe(ep *endpoint.Endpoint) error {
	h.mu.Lock()
	h.eps[ep] = struct{}{}
	h.all = nil
	h.mu.Unlock()
	return nil
}

func (h *fanoutWskitHub) unsubscribe(ep *endpoint.Endpoint) {
	h.mu.Lock()
	delete(h.eps, ep)
	h.all = nil
	h.mu.Unlock()
}

func (h *fanoutWskitHub) publish(msg []byte) error {
	h.mu.Lock()
	if h.all == nil {
		for ep := range h.eps {
			h.all = append(h.all, ep)
		}
	}
	all := h.all
	h.mu.Unlock()
	pm, err := endpoint.NewPreparedMessage(frame.OpText, msg)
	if err != nil {
		return err
	}
	for _, ep := range all {
		if err := ep.WritePrepared(pm); err != nil {
			return err
		}
	}
	return nil
}
