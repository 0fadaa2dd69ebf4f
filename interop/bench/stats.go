package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Stats is a server process's memory, after a collection.
type Stats struct {
	HeapAlloc  uint64 `json:"heap_alloc"`  // live heap objects
	HeapInuse  uint64 `json:"heap_inuse"`  // heap spans in use
	StackInuse uint64 `json:"stack_inuse"` // goroutine stacks
	Sys        uint64 `json:"sys"`         // all memory from the OS
	RSS        uint64 `json:"rss"`         // resident set size (/proc/self/status VmRSS)
	Goroutines int    `json:"goroutines"`
}

// ReadStats collects garbage, returns freed memory to the OS and reports.
func ReadStats() Stats {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return Stats{HeapAlloc: m.HeapAlloc, HeapInuse: m.HeapInuse, StackInuse: m.StackInuse,
		Sys: m.Sys, RSS: RSS(os.Getpid()), Goroutines: runtime.NumGoroutine()}
}

// RSS returns a process's resident set size in bytes, 0 if unknown.
func RSS(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// AnswerStats answers each line "stats" read from r with a JSON line of
// Stats on w, until r ends.
func AnswerStats(r io.Reader, w io.Writer) {
	sc := bufio.NewScanner(r)
	enc := json.NewEncoder(w)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "stats" {
			enc.Encode(ReadStats())
		}
	}
}
