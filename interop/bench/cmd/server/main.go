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

	"github.com/wskit/wskit/interop/bench"
	"github.com/wskit/wskit/pmce"
)

func main() {
	lib := flag.String("lib", "wskit", "library: wskit, gorilla, gobwas, coder or gws")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	deflate := flag.Bool("deflate", false, "accept permessage-deflate (each library's documented way)")
	send := flag.String("send", "default", "wskit with -deflate: the compressor's memory class (default, shared, dedicated(8) to dedicated(15))")
	receive := flag.String("receive", "default", "wskit with -deflate: the memory class of the window kept for the client's data")
	level := flag.Int("level", 0, "wskit with -deflate: the compression level (0: pmce.DefaultLevel)")
	flag.Parse()
	bench.RaiseNoFile()
	sendClass, err := bench.ParseClass(*send)
	if err != nil {
		log.Fatal(err)
	}
	receiveClass, err := bench.ParseClass(*receive)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *deflate {
		cfg := pmce.Config{Send: sendClass, Receive: receiveClass, Level: *level}
		go func() { log.Fatal(bench.ServeDeflate(*lib, ln, cfg)) }()
	} else {
		go func() { log.Fatal(bench.Serve(*lib, ln)) }()
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	bench.AnswerStats(os.Stdin, os.Stdout)
}
