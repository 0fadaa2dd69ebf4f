//go:build !unix

package parser

import "io"

// idleReader is ReleaseIdle's reader, which this system does not have.
type idleReader struct{}

func newIdleReader(*Parser, io.Reader) *idleReader { return nil }

func (*idleReader) read() (int, error) { return 0, nil }
