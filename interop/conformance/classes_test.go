package conformance

import (
	"bufio"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/parser"
	"github.com/wskit/wskit/pmce"
)

// classExts installs the agreed codecs, composed by hand as a raw server
// does.
func classExts(agreed []handshake.Negotiated) []endpoint.Option {
	var exts []endpoint.Codec
	for _, n := range agreed {
		if x, ok := n.(endpoint.Codec); ok {
			exts = append(exts, x)
		}
	}
	return []endpoint.Option{endpoint.Extensions(exts...), endpoint.MaxMessage(64 << 20)}
}

// epEcho echoes every message until the connection ends.
func epEcho(ep *endpoint.Endpoint) {
	for {
		m, err := ep.NextMessage()
		if err != nil {
			return
		}
		if ep.WriteMessage(m.Type, m.Data) != nil {
			return
		}
	}
}

// classServer is a wskit echo server on a raw listener whose
// permessage-deflate uses cfg's memory classes.
type classServer struct{ cfg pmce.Config }

func (cs classServer) StartServer(ctx context.Context) (string, func(), error) {
	ext, err := pmce.New(cs.cfg)
	if err != nil {
		return "", nil, err
	}
	cfg := &server.Config{Extensions: []handshake.Extension{ext}}
	return serveTCP(func(conn net.Conn) {
		br := bufio.NewReader(conn)
		req, err := server.ReadRequest(br, handshake.Limits{})
		if err != nil {
			return
		}
		res, err := cfg.Accept(req)
		if err != nil {
			var e *server.Error
			if errors.As(err, &e) {
				e.WriteTo(conn)
			}
			return
		}
		if _, err := res.WriteTo(conn); err != nil {
			return
		}
		left, _ := br.Peek(br.Buffered())
		opts := append(classExts(res.Extensions), endpoint.ParserOptions(parser.Leftover(left)))
		epEcho(endpoint.New(frame.Server, conn, conn, opts...))
	})
}

// classClient is a wskit echo client, made with client.Dial, whose
// permessage-deflate uses cfg's memory classes.
type classClient struct{ cfg pmce.Config }

func (cc classClient) RunClient(ctx context.Context, url string) error {
	ext, err := pmce.New(cc.cfg)
	if err != nil {
		return err
	}
	d, err := client.Dial(ctx, url, &client.Config{Extensions: []handshake.Extension{ext}})
	if err != nil {
		return err
	}
	defer d.Close()
	stop := context.AfterFunc(ctx, func() { d.Close() })
	defer stop()
	epEcho(d.Endpoint(endpoint.MaxMessage(64 << 20)))
	return nil
}

// TestPmceClasses runs categories 12 and 13 (permessage-deflate) in both
// roles against wskit with each memory class of pmce, on both sides of the
// negotiation: 0 FAILED for every one.
func TestPmceClasses(t *testing.T) {
	var cases []*Case
	for _, c := range AllCases() {
		if cat := c.Category(); cat == "12" || cat == "13" {
			cases = append(cases, c)
		}
	}
	for _, cfg := range []pmce.Config{
		{Threshold: -1},
		{Send: pmce.Shared, Threshold: -1},
		{Send: pmce.Dedicated(15), Threshold: -1},
		// A compressor given back after every pause of a millisecond:
		// messages after one refer to nothing before them.
		{Send: pmce.Leased(10), Receive: pmce.Dedicated(12), LeaseIdle: time.Millisecond, Threshold: -1},
		{Send: pmce.SlidingWindow(12), Receive: pmce.Shared, Threshold: -1},
		{Send: pmce.SlidingWindow(15), Receive: pmce.Dedicated(9), Threshold: -1},
	} {
		name := cfg.Send.String() + "/" + cfg.Receive.String()
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			addr, stop, err := classServer{cfg}.StartServer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			n, failed := 0, 0
			for _, r := range RunServerSuite(ctx, addr, cases, 8) {
				n++
				if r.Failed() {
					failed++
					t.Errorf("server %s: FAILED %s", name, Describe(r))
				}
			}
			results, err := RunClientSuite(ctx, classClient{cfg}, cases, 8)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range results {
				n++
				if r.Failed() {
					failed++
					t.Errorf("client %s: FAILED %s", name, Describe(r))
				}
			}
			t.Logf("%s: %d cases, %d FAILED", name, n, failed)
		})
	}
}
