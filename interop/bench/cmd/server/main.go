// Command server runs one library's echo server for cmd/report: it prints
// "listening on ADDR", then answers each "stats" line on standard input with
// a JSON line of memory statistics (bench.Stats), and exits when standard
// input ends.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"syscall"

	"github.com/wskit/wskit/interop/bench"
)

func main() {
	lib := flag.String("lib", "wskit", "library: wskit, gorilla, gobwas, coder or gws")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	raiseNoFile()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	go func() { log.Fatal(bench.Serve(*lib, ln)) }()
	fmt.Printf("listening on %s\n", ln.Addr())
	bench.AnswerStats(os.Stdin, os.Stdout)
}

func raiseNoFile() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}
