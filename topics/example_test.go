package topics_test

import (
	"bytes"
	"fmt"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/topics"
)

// stalled is the socket of a peer that stopped reading: it takes nothing.
type stalled struct{}

func (stalled) Write([]byte) (int, error) { return 0, endpoint.ErrWouldBlock }

// The subscribers are push Endpoints. The reader holds two patterns that
// match the topic and gets each message once. The other has stopped
// reading: its send queue keeps what fits in its MaxBackpressure, the
// rest is dropped, and the reader does not notice. A published topic
// with a wildcard is refused.
func Example() {
	hub := topics.New() // a Local broker of its own
	defer hub.Close()

	var wire bytes.Buffer
	reader := endpoint.NewPush(frame.Server, &wire)
	hub.Subscribe(reader, "chat.*")
	hub.Subscribe(reader, "chat.>")
	stuck := endpoint.NewPush(frame.Server, stalled{}, endpoint.MaxBackpressure(16))
	hub.Subscribe(stuck, "chat.lobby")

	for _, msg := range []string{"hello", "how are you?", "still there?"} {
		hub.Publish("chat.lobby", frame.OpText, []byte(msg))
	}
	err := hub.Publish("chat.*", frame.OpText, []byte("to every room?"))
	fmt.Println(err)
	hub.Flush() // the Hub's writer sends; wait for it

	frames := parser.New(&wire, parser.Role(frame.Client))
	for f, err := frames.Next(); err == nil; f, err = frames.Next() {
		fmt.Printf("reader got %q\n", f.(*frame.Text).Payload)
	}
	s := hub.Stats()
	fmt.Printf("delivered %d (queued %d), dropped %d\n", s.Delivered, s.Queued, s.Dropped)
	fmt.Printf("the stalled one holds %d bytes: \"hello\" in a frame\n", stuck.Buffered())
	// Output:
	// topics: invalid topic "chat.*" at byte 5: wildcard in a published topic
	// reader got "hello"
	// reader got "how are you?"
	// reader got "still there?"
	// delivered 4 (queued 0), dropped 2
	// the stalled one holds 7 bytes: "hello" in a frame
}
