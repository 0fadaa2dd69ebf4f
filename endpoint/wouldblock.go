package endpoint

import (
	"errors"
	"syscall"
)

// wouldBlock reports whether a push Endpoint's writer said that the socket
// would block.
func wouldBlock(err error) bool {
	return errors.Is(err, ErrWouldBlock) || errors.Is(err, syscall.EAGAIN)
}
