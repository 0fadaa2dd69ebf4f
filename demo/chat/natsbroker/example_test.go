package natsbroker_test

import (
	"fmt"
	"log"

	"github.com/wskit/wskit/demo/chat/natsbroker"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/topics"
)

// A single node: an embedded NATS server with no port, a Broker on it, a
// few messages published, then the room resumed after the first one.
func Example() {
	srv, err := natsbroker.StartServer(natsbroker.ServerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Shutdown()
	b, err := natsbroker.Connect(natsbroker.Config{Server: srv, History: 100})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	var first uint64
	for i, text := range []string{"hello", "again", "bye"} {
		seq, err := b.PublishSeq(topics.Message{Topic: "lobby", Op: frame.OpText, Data: []byte(text)})
		if err != nil {
			log.Fatal(err)
		}
		if i == 0 {
			first = seq
		}
	}
	msgs, err := b.History("lobby", first, 0)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range msgs {
		fmt.Printf("%s %d %s\n", m.Topic, m.Seq, m.Data)
	}
	// Output:
	// lobby 2 again
	// lobby 3 bye
}
