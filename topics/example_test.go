package topics_test

import (
	"fmt"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/topics"
)

// printer is a Subscriber that prints what it is sent.
type printer struct{ name string }

func (p *printer) SendPrepared(pm *endpoint.PreparedMessage) (endpoint.SendResult, error) {
	fmt.Printf("%s <- %s\n", p.name, pm.Data())
	return endpoint.Sent, nil
}

// A subscriber of two patterns that both match a topic gets its messages
// once; a published topic with a wildcard is refused.
func Example() {
	hub := topics.New() // a Local broker of its own
	defer hub.Close()

	alice, bob := &printer{"alice"}, &printer{"bob"}
	hub.Subscribe(alice, "chat.lobby")
	hub.Subscribe(bob, "chat.*")
	hub.Subscribe(bob, "chat.>")

	hub.Publish("chat.lobby", frame.OpText, []byte("hello"))
	hub.Publish("chat.dev.ops", frame.OpText, []byte("deploying"))

	err := hub.Publish("chat.*", frame.OpText, []byte("to all rooms?"))
	fmt.Println(err)
	// Output:
	// alice <- hello
	// bob <- hello
	// bob <- deploying
	// topics: invalid topic "chat.*" at byte 5: wildcard in a published topic
}
