package main

import (
	"fmt"
	"strings"

	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
)

// handshake shows and skips the server's handshake response that a
// recording may start with (demo/client -record writes one). No frame
// starts with "HTTP/": its 'H' would be a close frame without FIN.
func (d *dumper) handshake() error {
	if b, _ := d.br.Peek(5); string(b) != "HTTP/" {
		return nil
	}
	d.start = d.offset()
	resp, err := client.ReadResponse(d.br, nil, handshake.Limits{})
	if err != nil {
		return fmt.Errorf("handshake response: %w", err)
	}
	resp.Body.Close()
	fmt.Fprintf(d.out, "%8d %-12s %s protocol=%s extensions=%s\n", d.start, "handshake", resp.Status,
		orDash(resp.Header.Get("Sec-WebSocket-Protocol")),
		orDash(strings.Join(resp.Header.Values("Sec-WebSocket-Extensions"), ", ")))
	if resp.StatusCode != 101 {
		return fmt.Errorf("the handshake was refused (%s): no frames follow", resp.Status)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
