package client

import (
	"bufio"
	"io"
)

// Handshake performs the opening handshake over rw, a connection the caller
// dialed: it writes the request, reads the response (bounded by the
// Config's Limits) and verifies it. It returns the agreed Result and the
// bytes the server sent behind its response, which are the first bytes of
// the WebSocket stream and must go to the parser (parser.Leftover) before
// anything read from rw later.
//
// Handshake reads no further than it must, but it reads through a
// bufio.Reader, so the leftover may hold frames; it holds nothing else.
func (r *Request) Handshake(rw io.ReadWriter) (*Result, []byte, error) {
	if _, err := r.WriteTo(rw); err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(rw)
	resp, err := ReadResponse(br, nil, r.limits)
	if err != nil {
		return nil, nil, err
	}
	resp.Body.Close()
	res, err := r.Verify(resp)
	if err != nil {
		return nil, nil, err
	}
	var leftover []byte
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		leftover = append([]byte(nil), b...)
	}
	return res, leftover, nil
}
