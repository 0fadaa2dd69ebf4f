package server

import (
	"bufio"
	"net/http"

	"github.com/wskit/wskit/handshake"
)

// ReadRequest reads a request from br with [net/http.ReadRequest],
// through a [handshake.HeaderReader] that stops as soon as the header
// exceeds l, so that a flood of header fields or an endless line costs no
// more than the limits. A header beyond the limits is refused with an
// [*Error] of status 431 Request Header Fields Too Large wrapping a
// [*handshake.LimitError]; a request net/http cannot parse, with an
// [*Error] of status 400.
//
// Nothing that follows the request's header is consumed from br: frames
// the client sent right behind its request stay buffered in br.
func ReadRequest(br *bufio.Reader, l handshake.Limits) (*http.Request, error) {
	hr := handshake.NewHeaderReader(br, l)
	req, err := http.ReadRequest(bufio.NewReaderSize(hr, 1024))
	if lerr := hr.Err(); lerr != nil {
		return nil, &Error{StatusCode: http.StatusRequestHeaderFieldsTooLarge, Err: lerr}
	}
	if err != nil {
		return nil, badRequest(err)
	}
	return req, nil
}
