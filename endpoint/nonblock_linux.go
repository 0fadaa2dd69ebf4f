package endpoint

import (
	"syscall"
	"unsafe"
)

// rawWriter writes to a TCP or UNIX socket without blocking: one writev
// attempt through syscall.RawConn, whatever the socket takes. Its callback
// is bound once, so a write allocates nothing.
type rawWriter struct {
	rc   syscall.RawConn
	fn   func(fd uintptr) bool
	iov  [maxIovec]syscall.Iovec
	niov int
	n    int
	err  error
}

// newRawWriter returns a rawWriter for c, or nil if c has no file
// descriptor to write to.
func newRawWriter(c any) *rawWriter {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w := &rawWriter{rc: rc}
	w.fn = w.attempt
	return w
}

// writev writes bufs (at most maxIovec of them count) in one system call and
// returns how much the socket took; a socket that takes nothing returns
// 0 and no error.
func (w *rawWriter) writev(bufs [][]byte) (int, error) {
	w.niov = 0
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		if w.niov == len(w.iov) {
			break
		}
		w.iov[w.niov].Base = &b[0]
		w.iov[w.niov].SetLen(len(b))
		w.niov++
	}
	if w.niov == 0 {
		return 0, nil
	}
	w.n, w.err = 0, nil
	if err := w.rc.Write(w.fn); err != nil {
		w.err = err
	}
	clear(w.iov[:w.niov]) // keep no caller's buffer
	return w.n, w.err
}

// attempt is the RawConn callback: one writev, never a wait.
func (w *rawWriter) attempt(fd uintptr) bool {
	for {
		n, _, errno := syscall.Syscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&w.iov[0])), uintptr(w.niov))
		switch errno {
		case 0:
			w.n = int(n)
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
		default:
			w.err = errno
		}
		return true
	}
}
