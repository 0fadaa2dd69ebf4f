package bench

import (
	"net"
	"sort"
	"testing"
	"time"
)

// TestServers runs the echo workload briefly against every server of
// ServerAPIs that Serve runs in process: each must echo, without errors.
func TestServers(t *testing.T) {
	var libs []string
	for lib := range ServerAPIs {
		if lib != "wskit-epoll" { // a program of its own: cmd/report runs it
			libs = append(libs, lib)
		}
	}
	sort.Strings(libs)
	for _, lib := range libs {
		t.Run(lib, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go Serve(lib, ln)
			res, err := Echo(ln.Addr().String(), 4, 1<<10, 100*time.Millisecond, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.RoundTrips == 0 || res.Errors != 0 {
				t.Fatalf("%d round trips, %d errors", res.RoundTrips, res.Errors)
			}
		})
	}
}
