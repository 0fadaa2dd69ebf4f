//go:build linux

package bench

import (
	"bufio"
	"bytes"
	"compress/flate"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	fanoutConnsFlag = flag.String("fanout.conns", "1000,10000",
		"connection counts of BenchmarkFanout, comma-separated (empty: skip it)")
	fanoutBurstFlag = flag.Int("fanout.burst", 1,
		"messages per BenchmarkFanout op: above 1, each op publishes a burst of that many, and the wskit-cork row runs")
	fanoutWindowFlag = flag.Int("fanout.window", 4,
		"publications BenchmarkFanout lets be on their way at once (1: each is delivered to all before the next)")
)

// TestMain turns the test binary into the fan-out clients when
// BenchmarkFanout starts it as such.
func TestMain(m *testing.M) {
	if spec := os.Getenv(FanoutClientEnv); spec != "" {
		if err := FanoutClientMain(spec); err != nil {
			fmt.Fprintln(os.Stderr, "fan-out clients:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type fanoutRow struct {
	lib     string
	deflate bool
}

func (r fanoutRow) String() string { return FanoutRowName(r.lib, r.deflate) }

// fanoutRows returns the rows of the fan-out workload, with the
// FanoutCork rows if cork.
func fanoutRows(cork bool) []fanoutRow {
	var rows []fanoutRow
	for _, l := range FanoutLibs {
		rows = append(rows, fanoutRow{l, false})
	}
	if cork {
		rows = append(rows, fanoutRow{FanoutCork, false})
	}
	rows = append(rows, fanoutRow{FanoutFloor, false})
	for _, l := range FanoutDeflateLibs {
		rows = append(rows, fanoutRow{l, true})
	}
	if cork {
		rows = append(rows, fanoutRow{FanoutCork, true})
	}
	return rows
}

// startFanout starts row's server, closed when the test ends.
func startFanout(t *testing.T, row fanoutRow) *FanoutServer {
	t.Helper()
	s, err := StartFanout(row.lib, row.deflate)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// inflate decompresses a permessage-deflate payload.
func inflate(p []byte) ([]byte, error) {
	return io.ReadAll(flate.NewReader(io.MultiReader(bytes.NewReader(p), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff}))))
}

// TestFanout checks that every fan-out server delivers each published
// message whole to every connection, compressed where the row says so.
func TestFanout(t *testing.T) {
	msg := FanoutMessage()
	if len(msg) != 1<<10 {
		t.Fatalf("message of %d bytes", len(msg))
	}
	for _, row := range fanoutRows(true) {
		t.Run(row.String(), func(t *testing.T) {
			s := startFanout(t, row)
			req := fanoutRequest(row.deflate)
			var rs []*bufio.Reader
			for range 3 {
				c, resp, err := dialWith(s.Addr(), req)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				if got := bytes.Contains(bytes.ToLower(resp), []byte("permessage-deflate")); got != row.deflate {
					t.Fatalf("permessage-deflate agreed: %v, want %v: %q", got, row.deflate, resp)
				}
				rs = append(rs, bufio.NewReader(c))
			}
			if err := s.WaitConns(3, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				if err := s.Publish(msg); err != nil {
					t.Fatal(err)
				}
				for j, r := range rs {
					got, compressed, err := readMessage(r, nil)
					if err != nil {
						t.Fatalf("message %d, connection %d: %v", i, j, err)
					}
					if compressed != row.deflate {
						t.Fatalf("message %d, connection %d: compressed %v", i, j, compressed)
					}
					if compressed {
						if got, err = inflate(got); err != nil {
							t.Fatal(err)
						}
					}
					if diff := cmp.Diff(msg, got); diff != "" {
						t.Fatalf("message %d, connection %d (-want +got):\n%s", i, j, diff)
					}
				}
			}
		})
	}
}

// TestFanoutClients runs the fan-out workload as the benchmark does, with
// the clients in a process of their own, and checks what they counted; the
// messages go out as one burst (PublishBurst).
func TestFanoutClients(t *testing.T) {
	const n, m = 20, 3
	msg := FanoutMessage()
	for _, row := range fanoutRows(true) {
		t.Run(row.String(), func(t *testing.T) {
			s := startFanout(t, row)
			c, err := StartFanoutClients(os.Args[0], s.Addr(), n, row.deflate)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := s.WaitConns(n, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			if err := s.PublishBurst(msg, m); err != nil {
				t.Fatal(err)
			}
			if err := c.Wait(m); err != nil {
				t.Fatal(err)
			}
			got, err := c.Counts()
			if err != nil {
				t.Fatal(err)
			}
			want := FanoutCounts{Messages: n * m}
			if row.deflate {
				want.Compressed = n * m
				want.Bytes = got.Bytes // compressed: its size is the library's
				if got.Bytes >= n*m*int64(len(msg)) {
					t.Errorf("%d payload bytes for %d messages of %d bytes: not compressed", got.Bytes, n*m, len(msg))
				}
			} else {
				want.Bytes = n * m * int64(len(msg))
			}
			want.CPU = got.CPU
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
		})
	}
}

// -fanout.window is how many publications may be on their way at once:
// the publisher waits for the clients to have received the one this many
// before, so that queues and socket buffers stay small whatever the
// library. A burst counts as its number of publications (at least one
// burst is on its way).

// BenchmarkFanout sends 1 KiB text messages to n loopback connections:
// one op is one message published to all n (with -fanout.burst k, k
// messages, one after another, and the wskit-cork row). The clients (one epoll loop
// over raw sockets, the same for every server) run in a process of their
// own; the time runs from the first publication until every connection
// has received the last. Metrics: deliveries/s (messages received per
// second, in all); allocs/recipient (the server's process's allocations,
// runtime.MemStats.Mallocs, over the messages delivered); and
// cpu-ns/delivery, the server process's CPU time (user and system, from
// getrusage) per message delivered, which load from elsewhere on a shared
// machine sways less than the rate; client-cpu-ns/delivery, the same for
// the clients' process.
func BenchmarkFanout(b *testing.B) {
	if *fanoutConnsFlag == "" {
		b.Skip("-fanout.conns is empty")
	}
	var counts []int
	for _, f := range strings.Split(*fanoutConnsFlag, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			b.Fatal(err)
		}
		counts = append(counts, n)
	}
	k := max(*fanoutBurstFlag, 1)
	RaiseNoFile()
	msg := FanoutMessage()
	for _, n := range counts {
		name := "conns=" + strconv.Itoa(n)
		if k > 1 {
			name += "/burst=" + strconv.Itoa(k)
		}
		b.Run(name, func(b *testing.B) {
			for _, row := range fanoutRows(k > 1) {
				var s *FanoutServer
				var c *FanoutClients
				b.Run(row.String(), func(b *testing.B) {
					if s == nil {
						var err error
						if s, err = StartFanout(row.lib, row.deflate); err != nil {
							b.Fatal(err)
						}
						if c, err = StartFanoutClients(os.Args[0], s.Addr(), n, row.deflate); err != nil {
							b.Fatal(err)
						}
						if err := s.WaitConns(n, time.Minute); err != nil {
							b.Fatal(err)
						}
					}
					benchFanout(b, s, c, n, k, msg)
				})
				if c != nil {
					c.Close()
				}
				if s != nil {
					s.Close()
				}
			}
		})
	}
}

// benchFanout runs b.N ops of k messages to each of n connections.
func benchFanout(b *testing.B, s *FanoutServer, c *FanoutClients, n, k int, msg []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(n * k * len(msg)))
	window := max(*fanoutWindowFlag/k, 1) // in ops
	c0, err := c.Counts()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := ProcessCPU()
	b.ResetTimer()
	for i := range b.N {
		if i >= window {
			if err := c.Wait(k); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.PublishBurst(msg, k); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Wait(k * min(b.N, window)); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cpu := ProcessCPU() - cpu0
	runtime.ReadMemStats(&m1)
	c1, err := c.Counts()
	if err != nil {
		b.Fatal(err)
	}
	d := float64(n) * float64(k) * float64(b.N)
	b.ReportMetric(d/b.Elapsed().Seconds(), "deliveries/s")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/d, "allocs/recipient")
	b.ReportMetric(float64(cpu)/d, "cpu-ns/delivery")
	b.ReportMetric(float64(c1.CPU-c0.CPU)/d, "client-cpu-ns/delivery")
}
