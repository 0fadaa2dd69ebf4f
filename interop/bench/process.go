//go:build unix

package bench

import (
	"syscall"
	"time"
)

// RaiseNoFile raises the soft limit on open files to the hard limit:
// 10,000 connections need 10,000 descriptors on each side.
func RaiseNoFile() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// ProcessCPU returns the CPU time (user and system) the calling process
// has used, 0 if unknown.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
