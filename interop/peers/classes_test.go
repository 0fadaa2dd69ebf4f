package peers

import (
	"testing"
	"time"

	"github.com/wskit/wskit/pmce"
)

// TestPeersClasses runs every check against Node's ws and Python's
// websockets once more for each memory class of wskit's permessage-deflate
// (the defaults are TestPeers'), in both directions.
func TestPeersClasses(t *testing.T) {
	results.Lock()
	results.off = true
	results.Unlock()
	defer func() {
		results.Lock()
		results.off = false
		results.Unlock()
		wskitDeflate = pmce.Config{}
	}()
	for _, cfg := range []pmce.Config{
		{Send: pmce.Shared},
		{Send: pmce.Dedicated(15), Receive: pmce.Dedicated(15)},
		{Send: pmce.SlidingWindow(12), Receive: pmce.Shared},
		{Send: pmce.Dedicated(10), Receive: pmce.Dedicated(12)},
		{Send: pmce.Leased(10), Receive: pmce.Dedicated(12), LeaseIdle: time.Millisecond},
	} {
		t.Run(cfg.Send.String()+"/"+cfg.Receive.String(), func(t *testing.T) {
			wskitDeflate = cfg
			srv := startWskitServer(t)
			for _, p := range []peer{nodePeer(), pythonPeer()} {
				t.Run(p.name(), func(t *testing.T) {
					if _, err := p.setup(t); err != nil {
						if inCI() {
							t.Fatalf("%s cannot run: %v (run interop/peers/setup.sh)", p.name(), err)
						}
						t.Skipf("%s cannot run: %v (run interop/peers/setup.sh)", p.name(), err)
					}
					for _, dir := range directions {
						t.Run(shortDir(dir), func(t *testing.T) { runDirection(t, p, dir, srv) })
					}
				})
			}
		})
	}
}
