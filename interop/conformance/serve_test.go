package conformance

import (
	"net"
	"sync"
)

// serveTCP accepts connections on a loopback listener and runs handle on
// each, in its own goroutine, which closes the connection after. stop
// closes the listener and waits for the handlers.
func serveTCP(handle func(net.Conn)) (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	var wg sync.WaitGroup
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				handle(conn)
			}()
		}
	}()
	return ln.Addr().String(), func() { ln.Close(); wg.Wait() }, nil
}
