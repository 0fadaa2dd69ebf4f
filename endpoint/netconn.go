package endpoint

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/wskit/wskit/frame"
)

// NetConn returns a net.Conn that carries a byte stream over the Endpoint's
// messages, for protocols that run over a stream (TLS, HTTP/2, SSH, a
// database protocol). Write sends each call's bytes as one message of type
// op (frame.OpText or frame.OpBinary; text is not checked for UTF-8). Read
// returns the payload of the messages received, one after the other, as one
// stream; a message of the other type fails the connection with close code
// 1003 (unsupported data). Read returns io.EOF once the peer closed with
// code 1000, 1001 or no code.
//
// The deadline methods delegate to the transport's when it has them (the
// reader or writer given to New has SetReadDeadline, SetWriteDeadline) and
// return ErrDeadline otherwise. A read deadline that passes between frames
// or inside a data frame's payload can be extended and the read retried.
//
// Close runs the closing handshake (code 1000) and then closes the
// transport: the reader and the writer, whichever implement io.Closer.
// LocalAddr and RemoteAddr are the transport's, or a placeholder of network
// "websocket".
func (e *Endpoint) NetConn(op frame.Opcode) net.Conn {
	return &netConn{e: e, op: op}
}

type netConn struct {
	e  *Endpoint
	op frame.Opcode

	r       io.Reader // the current message
	closing sync.Once
	cerr    error
}

// errUnsupported is the violation a message of the wrong type is.
var errUnsupported = &frame.Error{Code: frame.CloseUnsupportedData, Msg: "message of the wrong type for the stream"}

func (c *netConn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		if c.r == nil {
			op, r, err := c.e.NextReader()
			if err != nil {
				return 0, c.mapErr(err)
			}
			if op != c.op {
				c.e.lockRead()
				err := c.e.fail(errUnsupported)
				c.e.unlockRead()
				return 0, err
			}
			c.r = r
		}
		n, err := c.r.Read(b)
		if err == io.EOF {
			c.r = nil
			if n == 0 {
				continue
			}
			return n, nil
		}
		if err != nil {
			return n, c.mapErr(err)
		}
		return n, nil
	}
}

// mapErr turns the peer's normal close into io.EOF.
func (c *netConn) mapErr(err error) error {
	var ce *CloseError
	if errors.As(err, &ce) && ce.Remote {
		switch ce.Code {
		case frame.CloseNormal, frame.CloseGoingAway, frame.CloseNoStatus:
			return io.EOF
		}
	}
	return err
}

func (c *netConn) Write(b []byte) (int, error) {
	if err := c.e.WriteMessage(c.op, b); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (c *netConn) Close() error {
	c.closing.Do(func() {
		err := c.e.Close(frame.CloseNormal, "")
		if err == ErrClosed {
			err = nil
		}
		var cerr error
		if cl, ok := c.e.tr.w.(io.Closer); ok {
			cerr = cl.Close()
		}
		if cl, ok := c.e.tr.r.(io.Closer); ok && c.e.tr.r != any(c.e.tr.w) {
			if err2 := cl.Close(); cerr == nil {
				cerr = err2
			}
		}
		if err == nil {
			err = cerr
		}
		c.cerr = err
	})
	return c.cerr
}

// noAddr is the address the net.Conn adapter reports for a transport that has
// none.
type noAddr struct{}

func (noAddr) Network() string { return "websocket" }
func (noAddr) String() string  { return "websocket" }

func (c *netConn) addr(local bool) net.Addr {
	for _, x := range []any{c.e.tr.r, c.e.tr.w} {
		if local {
			if a, ok := x.(interface{ LocalAddr() net.Addr }); ok {
				return a.LocalAddr()
			}
		} else if a, ok := x.(interface{ RemoteAddr() net.Addr }); ok {
			return a.RemoteAddr()
		}
	}
	return noAddr{}
}

func (c *netConn) LocalAddr() net.Addr  { return c.addr(true) }
func (c *netConn) RemoteAddr() net.Addr { return c.addr(false) }

func (c *netConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

func (c *netConn) SetReadDeadline(t time.Time) error {
	rd := c.e.tr.readDeadline()
	if rd == nil {
		return ErrDeadline
	}
	return rd.SetReadDeadline(t)
}

func (c *netConn) SetWriteDeadline(t time.Time) error {
	wd := c.e.tr.writeDeadline()
	if wd == nil {
		return ErrDeadline
	}
	return wd.SetWriteDeadline(t)
}
