package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wskit/wskit/frame"
)

// Dial opens a WebSocket connection to a server at addr with a hand-rolled
// client: the same bytes for every server, so that only the server differs.
func Dial(addr string) (*net.TCPConn, error) {
	c, _, err := dialWith(addr, RequestText)
	return c, err
}

// dialWith sends the opening handshake req and returns the connection and
// the server's 101 response.
func dialWith(addr, req string) (*net.TCPConn, []byte, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, nil, err
	}
	conn := c.(*net.TCPConn)
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		conn.Close()
		return nil, nil, err
	}
	// Read the response byte by byte up to its end, so that nothing after
	// it is consumed (the servers send nothing after it anyway).
	var resp []byte
	var b [1]byte
	for !bytes.HasSuffix(resp, []byte("\r\n\r\n")) {
		if _, err := conn.Read(b[:]); err != nil {
			conn.Close()
			return nil, nil, err
		}
		resp = append(resp, b[0])
		if len(resp) > 4096 {
			conn.Close()
			return nil, nil, errors.New("response too long")
		}
	}
	if !bytes.HasPrefix(resp, []byte("HTTP/1.1 101 ")) {
		conn.Close()
		return nil, nil, fmt.Errorf("no upgrade: %q", resp)
	}
	conn.SetDeadline(time.Time{})
	return conn, resp, nil
}

// EchoResult is what an echo run measured.
type EchoResult struct {
	Conns      int
	RoundTrips int64
	Elapsed    time.Duration
	Errors     int64
}

// PerSecond returns the round trips per second.
func (r EchoResult) PerSecond() float64 { return float64(r.RoundTrips) / r.Elapsed.Seconds() }

// Echo opens conns connections to addr and, on each, sends a masked text
// message of size bytes and reads the echo, again and again for d. It calls
// during, if not nil, before closing the connections (to sample the
// server's memory while they are busy).
func Echo(addr string, conns, size int, d time.Duration, during func()) (EchoResult, error) {
	msg := Frames(Text(size), frame.OpText, 1, true)
	want := Frames(Text(size), frame.OpText, 1, false)
	cs, err := DialMany(addr, conns)
	if err != nil {
		return EchoResult{}, err
	}
	var (
		total, errs atomic.Int64
		stop        atomic.Bool
		wg          sync.WaitGroup
		start       = make(chan struct{})
	)
	for _, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, len(want))
			<-start
			n := int64(0)
			for !stop.Load() {
				if _, err := c.Write(msg); err != nil {
					errs.Add(1)
					break
				}
				if _, err := io.ReadFull(c, buf); err != nil || !bytes.Equal(buf[:4], want[:4]) {
					errs.Add(1)
					break
				}
				n++
			}
			total.Add(n)
		}()
	}
	t0 := time.Now()
	close(start)
	time.Sleep(d)
	if during != nil {
		during()
	}
	stop.Store(true)
	wg.Wait()
	elapsed := time.Since(t0)
	CloseAll(cs)
	return EchoResult{Conns: conns, RoundTrips: total.Load(), Elapsed: elapsed, Errors: errs.Load()}, nil
}

// DialMany opens n connections to addr, a few at a time.
func DialMany(addr string, n int) ([]*net.TCPConn, error) {
	cs := make([]*net.TCPConn, n)
	err := dialMany(n, func(i int) error {
		c, err := Dial(addr)
		cs[i] = c
		return err
	})
	if err != nil {
		CloseAll(cs)
		return nil, err
	}
	return cs, nil
}

// dialMany calls dial for 0 to n-1, 16 at a time, and returns the first
// error.
func dialMany(n int, dial func(i int) error) error {
	var (
		wg   sync.WaitGroup
		next atomic.Int64
		mu   sync.Mutex
		ferr error
	)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := dial(i); err != nil {
					mu.Lock()
					if ferr == nil {
						ferr = fmt.Errorf("connection %d: %w", i, err)
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return ferr
}

// CloseAll closes connections with a reset (SO_LINGER 0), so that no port
// is left in TIME_WAIT.
func CloseAll(cs []*net.TCPConn) {
	for _, c := range cs {
		if c != nil {
			c.SetLinger(0)
			c.Close()
		}
	}
}
