package bench

import (
	"net"
	"testing"
	"time"

	"github.com/wskit/wskit/pmce"
)

// serveDeflate starts lib's permessage-deflate echo server on a loopback
// port for the test.
func serveDeflate(t *testing.T, lib string, cfg pmce.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if lib != "gws" { // gws's RunListener spins on a closed listener
		t.Cleanup(func() { ln.Close() })
	}
	go ServeDeflate(lib, ln, cfg)
	return ln.Addr().String()
}

// TestDeflateServers checks that every server agrees to permessage-deflate
// with both of the client's offers and echoes compressed messages intact,
// message after message (so context takeover, where a server uses it,
// is followed), and that the echo workload runs without errors.
func TestDeflateServers(t *testing.T) {
	type server struct {
		lib string
		cfg pmce.Config
	}
	servers := []server{{"wskit", pmce.Config{}}, {"wskit", pmce.Config{Send: pmce.Dedicated(15), Receive: pmce.Dedicated(15), Level: 4}},
		{"wskit", pmce.Config{Send: pmce.Dedicated(10), Receive: pmce.Shared}}, {"wskit", pmce.Config{Send: pmce.SlidingWindow(12)}}}
	for _, lib := range DeflateLibs[1:] {
		servers = append(servers, server{lib: lib})
	}
	for _, s := range servers {
		t.Run(s.lib+"/"+s.cfg.Send.String()+"/"+s.cfg.Receive.String(), func(t *testing.T) {
			addr := serveDeflate(t, s.lib, s.cfg)
			for _, offer := range []string{DeflateOffer, EchoOffer} {
				cs, err := DialManyDeflate(addr, 2, offer)
				if err != nil {
					t.Fatalf("%s: %v", offer, err)
				}
				for i := range 6 {
					for _, c := range cs {
						if _, _, err := c.RoundTrip(JSON(i, 16<<10)); err != nil {
							t.Fatalf("%s: message %d: %v", offer, i, err)
						}
					}
				}
				CloseAllDeflate(cs)
			}
			res, err := DeflateEcho(addr, 2, 16<<10, 200*time.Millisecond, nil)
			if err != nil || res.Errors != 0 || res.RoundTrips == 0 {
				t.Fatalf("echo: %+v, %v", res, err)
			}
			if per := res.WirePerTrip(); per >= 2*float64(res.MsgBytes) {
				t.Errorf("%.0f bytes on the wire per round trip of %d bytes: not compressed", per, res.MsgBytes)
			}
		})
	}
}

func TestParseClass(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want pmce.Class
		ok   bool
	}{{"", 0, true}, {"default", 0, true}, {"shared", pmce.Shared, true}, {"dedicated(12)", pmce.Dedicated(12), true},
		{"window(12)", pmce.SlidingWindow(12), true}, {"leased(15)", pmce.Leased(15), true}, {"dedicated(16)", 0, false}, {"big", 0, false}} {
		got, err := ParseClass(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseClass(%q) = %v, %v", tt.in, got, err)
		}
	}
}

// TestJSON checks the workload's messages: about the size asked for, and
// different for each seed.
func TestJSON(t *testing.T) {
	a, b := JSON(1, 16<<10), JSON(2, 16<<10)
	if len(a) < 15<<10 || len(a) > 17<<10 || string(a) == string(b) {
		t.Errorf("JSON: %d and %d bytes, equal %v", len(a), len(b), string(a) == string(b))
	}
}
