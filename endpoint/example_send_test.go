package endpoint_test

import (
	"fmt"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

// socket stands for an event loop's non-blocking socket: it takes room
// bytes, then reports that it would block.
type socket struct{ room, took int }

func (s *socket) Write(b []byte) (int, error) {
	n := min(len(b), s.room)
	s.room -= n
	s.took += n
	if n < len(b) {
		return n, endpoint.ErrWouldBlock
	}
	return n, nil
}

// Send never waits for the network: what the socket does not take waits in
// the send queue, up to MaxBackpressure; past it a message is dropped (or,
// with CloseOnBackpressureLimit, the connection fails). The event loop
// calls Flush when the socket is writable, and OnDrain says when the queue
// emptied.
func ExampleEndpoint_Send() {
	sock := &socket{room: 1500}
	ep := endpoint.NewPush(frame.Server, sock,
		endpoint.MaxBackpressure(2000),
		endpoint.OnDrain(func() { fmt.Println("drained") }))

	msg := make([]byte, 1000)
	for range 4 {
		res, err := ep.Send(frame.OpBinary, msg)
		fmt.Println(res, err, ep.Buffered())
	}
	sock.room = 1 << 20 // the socket became writable
	if err := ep.Flush(); err != nil {
		fmt.Println(err)
	}
	fmt.Println(sock.took, ep.Buffered())
	// Output:
	// sent <nil> 0
	// queued <nil> 508
	// queued <nil> 1512
	// dropped <nil> 1512
	// drained
	// 3012 0
}

// Cork gathers several sends into one write: one system call on a TCP
// connection, instead of one per message.
func ExampleEndpoint_Cork() {
	sock := &socket{room: 1 << 20}
	writes := 0
	ep := endpoint.NewPush(frame.Server, writeCounter{sock, &writes})
	ep.Cork(func() {
		for _, s := range []string{"a", "b", "c"} {
			ep.Send(frame.OpText, []byte(s))
		}
	})
	fmt.Println(writes, "write,", sock.took, "bytes")
	// Output: 1 write, 9 bytes
}

type writeCounter struct {
	w interface{ Write([]byte) (int, error) }
	n *int
}

func (c writeCounter) Write(b []byte) (int, error) { *c.n++; return c.w.Write(b) }
