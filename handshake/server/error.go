package server

import (
	"io"
	"net/http"
	"slices"
	"strconv"
)

// Error is a refused handshake: the HTTP status to answer with, the header
// fields that go with it, and the cause, one of the typed errors of package
// github.com/wskit/wskit/handshake, reachable with [errors.As] and
// [errors.Is] through Unwrap.
type Error struct {
	// StatusCode is the status of the answer: 400 Bad Request for a
	// malformed request, 403 Forbidden for a refused Origin, 405 Method
	// Not Allowed, 426 Upgrade Required for an unsupported version, 431
	// Request Header Fields Too Large for a header beyond the limits.
	StatusCode int
	// Header holds the fields the answer must carry, such as
	// "Sec-WebSocket-Version: 13" with 426 and "Allow: GET" with 405.
	Header http.Header
	// Err is the cause.
	Err error
}

// Error returns a one-line description of the failure.
func (e *Error) Error() string {
	msg := "<nil>"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	return strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode) + ": " + msg
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

// body returns the short text/plain body of the answer.
func (e *Error) body() string { return e.Error() + "\n" }

// WriteTo writes e to w as a complete HTTP/1.1 response, with
// "Connection: close" and a short text/plain body, for a caller that
// writes to the connection itself. The caller should then close the
// connection.
func (e *Error) WriteTo(w io.Writer) (int64, error) {
	body := e.body()
	b := make([]byte, 0, 256+len(body))
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(e.StatusCode), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(e.StatusCode)...)
	b = append(b, "\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n"...)
	keys := make([]string, 0, len(e.Header))
	for k := range e.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range e.Header[k] {
			b = append(b, displayName(k)...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	b = append(b, "\r\n"...)
	b = append(b, body...)
	n, err := w.Write(b)
	return int64(n), err
}

// ServeHTTP answers with e through w: its status, header fields and a
// short text/plain body. r is not used.
func (e *Error) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, vv := range e.Header {
		h[k] = append([]string(nil), vv...)
	}
	body := e.body()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.StatusCode)
	io.WriteString(w, body)
}

// displayName returns the conventional spelling of a canonical key.
func displayName(k string) string {
	switch k {
	case hVersion:
		return "Sec-WebSocket-Version"
	case hAccept:
		return "Sec-WebSocket-Accept"
	case hProtocol:
		return "Sec-WebSocket-Protocol"
	case hExtensions:
		return "Sec-WebSocket-Extensions"
	}
	return k
}
