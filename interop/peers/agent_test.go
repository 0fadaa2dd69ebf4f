package peers

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// agentConn is what the Go agent needs of a library's connection.
type agentConn interface {
	// next returns the next text or binary message; the peer's close
	// ends it with a *closedError.
	next() (text bool, data []byte, err error)
	send(text bool, data []byte) error
	// sendStream sends data as one message with the library's streaming
	// writer, n bytes per write.
	sendStream(text bool, data []byte, n int) error
	// ping sends a ping; the pong's payload arrives on pongs.
	ping(payload []byte) error
	pongs() <-chan []byte
	// close starts the closing handshake.
	close(code int, reason string) error
	protocol() string
	deflate() string // "1", "0", or "?" when the library does not say
	// abort closes the transport.
	abort()
}

// closedError is the other side's close frame as a library reported it.
type closedError struct {
	code   int
	reason string
}

func (e *closedError) Error() string { return fmt.Sprintf("closed %d %q", e.code, e.reason) }

// runAgent runs the agent protocol (doc.go) on c until it ends.
func runAgent(c agentConn, name string, ev *events) {
	defer c.abort()
	var mu sync.Mutex // one sender at a time
	send := func(text bool, b []byte) error {
		mu.Lock()
		defer mu.Unlock()
		return c.send(text, b)
	}
	ev.emit(name, "OPEN "+orDash(c.protocol())+" "+c.deflate())
	frag := 0
	for {
		text, data, err := c.next()
		if err != nil {
			var ce *closedError
			if errors.As(err, &ce) {
				ev.emit(name, fmt.Sprintf("CLOSED %d %s", ce.code, hexOf([]byte(ce.reason))))
			} else {
				ev.emit(name, "ERROR "+strings.Join(strings.Fields(err.Error()), "_"))
			}
			return
		}
		if text && bytes.HasPrefix(data, []byte("CMD ")) {
			args := strings.Fields(string(data[4:]))
			if len(args) == 0 {
				continue
			}
			switch args[0] {
			case "info":
				err = send(true, []byte("INFO "+orDash(c.protocol())+" "+c.deflate()))
			case "ping":
				p, _ := unhex(args[1])
				mu.Lock()
				err = c.ping(p)
				mu.Unlock()
				go func() {
					select {
					case got := <-c.pongs():
						send(true, []byte("PONG "+hexOf(got)))
					case <-time.After(10 * time.Second):
						ev.emit(name, "ERROR no_pong")
					}
				}()
			case "close":
				code, _ := strconv.Atoi(args[1])
				reason, _ := unhex(args[2])
				mu.Lock()
				err = c.close(code, string(reason))
				mu.Unlock()
			case "frag":
				frag, _ = strconv.Atoi(args[1])
			default:
				err = send(true, []byte("ERR unknown command "+args[0]))
			}
		} else if frag > 0 {
			n := frag
			frag = 0
			mu.Lock()
			err = c.sendStream(text, data, n)
			mu.Unlock()
		} else {
			err = send(text, data)
		}
		if err != nil {
			ev.emit(name, "ERROR "+strings.Join(strings.Fields(err.Error()), "_"))
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// chunks calls fn with data n bytes at a time (once, empty, for no data).
func chunks(data []byte, n int, fn func([]byte) error) error {
	if len(data) == 0 {
		return fn(data)
	}
	for off := 0; off < len(data); off += n {
		if err := fn(data[off:min(off+n, len(data))]); err != nil {
			return err
		}
	}
	return nil
}
