package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

// interactive sends standard input's lines and prints what arrives, until
// the input ends, an interrupt arrives or the connection ends.
func (c *wsConn) interactive(stdin io.Reader, stdout, stderr io.Writer, interrupt <-chan os.Signal) int {
	out := bufio.NewWriter(stdout)
	// The reader's end is reported here, once it is known who closed.
	readDone := make(chan error, 1)
	go func() {
		for {
			m, err := c.ep.NextMessage()
			if err != nil {
				out.Flush()
				readDone <- err
				return
			}
			if m.Type == frame.OpText {
				fmt.Fprintf(out, "< %s\n", m.Data)
			} else if utf8.Valid(m.Data) {
				fmt.Fprintf(out, "< [binary %d B] %s\n", len(m.Data), m.Data)
			} else {
				fmt.Fprintf(out, "< [binary %d B] %s\n", len(m.Data), hex.EncodeToString(m.Data))
			}
			out.Flush()
		}
	}()

	lines := make(chan string)
	inputDone := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		inputDone <- sc.Err()
	}()

	op := frame.OpText
	if c.binaryMode {
		op = frame.OpBinary
	}
	for {
		select {
		case line := <-lines:
			if err := c.ep.WriteMessage(op, []byte(line)); err != nil {
				fmt.Fprintln(stderr, "client: send:", err)
				return c.ended(<-readDone, false, stderr)
			}
		case err := <-inputDone:
			if err != nil {
				fmt.Fprintln(stderr, "client: reading input:", err)
			}
			return c.closeAndWait(readDone, stderr)
		case <-interrupt:
			return c.closeAndWait(readDone, stderr)
		case err := <-readDone:
			return c.ended(err, false, stderr)
		}
	}
}

// closeWait bounds how long the client waits for the server's close after
// sending its own.
var closeWait = 5 * time.Second

// closeAndWait half-closes the connection with 1000 and waits, at most
// closeWait, for the reader goroutine to see the server's close. Until then
// the reader still prints the messages the server sent before it saw the
// close (the echoes of the last lines, say). Past the bound it closes the
// transport, which ends the reader.
func (c *wsConn) closeAndWait(readDone <-chan error, stderr io.Writer) int {
	c.nc.SetWriteDeadline(time.Now().Add(closeWait))
	// ErrClosed: the endpoint has already answered the server's close,
	// so the server closed first.
	err := c.ep.SendClose(frame.CloseNormal, "")
	if err != nil && err != endpoint.ErrClosed {
		// The close could not be sent: end the connection.
		fmt.Fprintln(stderr, "client: close:", err)
		c.nc.Close()
		<-readDone
		return 1
	}
	byClient := err == nil
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case err := <-readDone:
		return c.ended(err, byClient, stderr)
	case <-t.C:
		fmt.Fprintf(stderr, "client: close: no close from the server within %v\n", closeWait)
		c.nc.Close()
		<-readDone
		return 1
	}
}
