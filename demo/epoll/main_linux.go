//go:build linux

package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	workers := flag.Int("workers", runtime.GOMAXPROCS(0), "event-loop goroutines")
	maxMessage := flag.Int64("max-message", 16<<20, "largest message in bytes")
	deflate := flag.Bool("deflate", true, "accept permessage-deflate (RFC 7692), without context takeover")
	heartbeat := flag.Duration("heartbeat", 30*time.Second, "ping every connection this often; close those that leave 3 pings unanswered")
	stats := flag.Bool("stats", false, `answer each "stats" line on standard input with a JSON line of memory statistics`)
	flag.Parse()

	raiseNoFile()
	s := &Server{Workers: *workers, MaxMessage: *maxMessage, Deflate: *deflate, Heartbeat: *heartbeat}
	if err := s.Listen(*addr); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", s.Addr())
	go func() {
		if err := s.Serve(); err != nil {
			log.Fatal(err)
		}
	}()
	if *stats {
		answerStats(s)
		s.Close()
		return
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	s.Close()
}

// raiseNoFile lifts the soft limit on open files to the hard one.
func raiseNoFile() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// answerStats answers "stats" lines on standard input until it ends.
func answerStats(s *Server) {
	sc := bufio.NewScanner(os.Stdin)
	enc := json.NewEncoder(os.Stdout)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "stats" {
			continue
		}
		runtime.GC()
		debug.FreeOSMemory()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		enc.Encode(map[string]any{
			"heap_alloc": m.HeapAlloc, "heap_inuse": m.HeapInuse, "stack_inuse": m.StackInuse,
			"sys": m.Sys, "rss": rss(), "goroutines": runtime.NumGoroutine(), "conns": s.Conns(),
		})
	}
}

// rss returns the resident set size in bytes.
func rss() uint64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
