package bench

import (
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/topics"
)

// fanoutWskitAPI says how wskit's fan-out server sends.
const fanoutWskitAPI = "net/http + Config.Upgrade + Upgraded.Endpoint, read loop in its own goroutine (README.md); topics.Hub: each Endpoint subscribed to the topic, Hub.Publish (one PreparedMessage per publication, queued to each subscriber with QueuePrepared and written by the Hub's writer goroutine with Flush: the publications that reach a connection before its turn go out in one write)"

// fanoutTopic is the topic every connection subscribes to.
const fanoutTopic = "bench.fanout"

// fanoutWskitHub delivers a publication to wskit's connections.
type fanoutWskitHub struct{ hub *topics.Hub }

func (h *fanoutWskitHub) init() { h.hub = topics.New() }

func (h *fanoutWskitHub) subscribe(ep *endpoint.Endpoint) error {
	return h.hub.Subscribe(ep, fanoutTopic)
}

func (h *fanoutWskitHub) unsubscribe(ep *endpoint.Endpoint) { h.hub.UnsubscribeAll(ep) }

func (h *fanoutWskitHub) publish(msg []byte) error {
	return h.hub.Publish(fanoutTopic, frame.OpText, msg)
}
