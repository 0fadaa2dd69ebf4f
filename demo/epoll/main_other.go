//go:build !linux

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "demo/epoll: unsupported on this system (it needs Linux's epoll)")
	os.Exit(1)
}
