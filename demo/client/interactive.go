package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/wskit/wskit/frame"
)

// interactive sends standard input's lines and prints what arrives, until
// the input ends, an interrupt arrives or the connection ends.
func (c *wsConn) interactive(stdin io.Reader, stdout, stderr io.Writer, interrupt <-chan os.Signal) int {
	if c.proto != "" {
		fmt.Fprintf(stderr, "connected (subprotocol %s)\n", c.proto)
	} else {
		fmt.Fprintln(stderr, "connected")
	}
	out := bufio.NewWriter(stdout)
	readDone := make(chan int, 1)
	go func() {
		for {
			m, err := c.ep.NextMessage()
			if err != nil {
				out.Flush()
				readDone <- c.ended(err, stderr)
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
				return <-readDone
			}
		case err := <-inputDone:
			if err != nil {
				fmt.Fprintln(stderr, "client: reading input:", err)
			}
			return c.closeAndWait(readDone, stderr)
		case <-interrupt:
			return c.closeAndWait(readDone, stderr)
		case code := <-readDone:
			return code
		}
	}
}

// closeAndWait runs the closing handshake with 1000 while the reader
// goroutine sees the server's answer.
func (c *wsConn) closeAndWait(readDone <-chan int, stderr io.Writer) int {
	err := c.ep.Close(frame.CloseNormal, "")
	code := <-readDone
	if err != nil {
		fmt.Fprintln(stderr, "client: close:", err)
		return 1
	}
	return code
}
