package bench

import (
	"bufio"
	"net"
	"net/http"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/lxzan/gws"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
)

// The net/http paths, each written as its library's README shows a server
// on net/http. wskit's is README.md's "A server on net/http" to the line:
// Upgrade, Upgraded.Endpoint, and the handler returns while the connection
// goes on in its own goroutine.
func init() {
	ServerAPIs["wskit-http"] = "net/http + Config.Upgrade + Upgraded.Endpoint, read loop in its own goroutine (README.md)"
	ServerAPIs["gobwas-http"] = "net/http + ws.UpgradeHTTP, wsutil.Reader{CheckUTF8} over bufio (4 KiB), ws.WriteFrame, in its own goroutine"
	ServerAPIs["gws-http"] = "net/http + gws.NewUpgrader(...).Upgrade, go socket.ReadLoop() (gws README)"
}

// serveHTTP serves lib's net/http path, or reports that lib has none here.
func serveHTTP(lib string, ln net.Listener) (served bool, err error) {
	switch lib {
	case "wskit-http":
		deflate, _ := pmce.New(pmce.Config{})
		return true, http.Serve(ln, wskitHTTP(&server.Config{Extensions: []handshake.Extension{deflate}}))
	case "gobwas-http":
		return true, http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, _, _, err := ws.UpgradeHTTP(r, w)
			if err != nil {
				return
			}
			go gobwasLoop(conn)
		}))
	case "gws-http":
		up := gws.NewUpgrader(gwsEcho{}, &gws.ServerOption{CheckUtf8Enabled: true})
		return true, http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			socket, err := up.Upgrade(w, r)
			if err != nil {
				return
			}
			go socket.ReadLoop()
		}))
	}
	return false, nil
}

// wskitHTTP is README.md's echo server on net/http, with cfg: Upgrade,
// Upgraded.Endpoint, and a read loop in its own goroutine.
func wskitHTTP(cfg *server.Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up, err := cfg.Upgrade(w, r)
		if err != nil {
			return
		}
		ep, err := up.Endpoint(endpoint.MaxMessage(1 << 20))
		if err != nil {
			up.Close()
			return
		}
		go func() {
			defer up.Close()
			for {
				m, err := ep.NextMessage()
				if err != nil {
					return
				}
				ep.WriteMessage(m.Type, m.Data)
			}
		}()
	})
}

// gobwasLoop is serveGobwas after the handshake.
func gobwasLoop(conn net.Conn) {
	defer conn.Close()
	rd := &wsutil.Reader{
		Source:         bufio.NewReaderSize(conn, 4096),
		State:          ws.StateServerSide,
		CheckUTF8:      true,
		OnIntermediate: wsutil.ControlFrameHandler(conn, ws.StateServerSide),
	}
	var buf []byte
	for {
		h, err := rd.NextFrame()
		if err != nil {
			return
		}
		if h.OpCode.IsControl() {
			if err := rd.OnIntermediate(h, rd); err != nil {
				return
			}
			continue
		}
		m, err := readAll(rd, &buf)
		if err != nil {
			return
		}
		if ws.WriteFrame(conn, ws.NewFrame(h.OpCode, true, m)) != nil {
			return
		}
	}
}
