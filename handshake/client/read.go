package client

import (
	"bufio"
	"net/http"

	"github.com/wskit/wskit/handshake"
)

// ReadResponse reads the server's response from br with
// [net/http.ReadResponse], through a [handshake.HeaderReader] that refuses
// a header exceeding l with a [*handshake.LimitError] before more than the
// limit has been read. req, which may be nil, is the request the response
// answers.
//
// Nothing that follows the response's header is consumed from br: after a
// 101 response the first WebSocket frames, if they have arrived already,
// are still buffered in br.
func ReadResponse(br *bufio.Reader, req *http.Request, l handshake.Limits) (*http.Response, error) {
	hr := handshake.NewHeaderReader(br, l)
	resp, err := http.ReadResponse(bufio.NewReaderSize(hr, 1024), req)
	if lerr := hr.Err(); lerr != nil {
		return nil, lerr
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}
