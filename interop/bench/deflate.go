package bench

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	coder "github.com/coder/websocket"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
)

// DeflateLibs are the servers of the permessage-deflate workloads.
var DeflateLibs = []string{"wskit", "gorilla", "gobwas", "coder", "gws"}

// DeflateAPIs says how each server compresses: each library's documented
// way of turning permessage-deflate on, from its README or package doc.
var DeflateAPIs = map[string]string{
	"wskit":   "net/http + server.Config{Extensions: pmce.New(pmce.Config{...})}.Upgrade, Upgraded.Endpoint, read loop in its own goroutine (README.md)",
	"gorilla": "Upgrader{EnableCompression: true} (no context takeover both ways, compress/flate)",
	"gobwas":  "ws.Upgrader{Negotiate: wsflate.Extension{Parameters: wsflate.DefaultParameters}.Negotiate}, wsflate.DecompressFrame / CompressFrame (its README; compress/flate)",
	"coder":   "AcceptOptions{CompressionMode: CompressionContextTakeover} (compress/flate)",
	"gws":     "ServerOption{PermessageDeflate: {Enabled, ServerContextTakeover, ClientContextTakeover}} (its README; klauspost/compress)",
}

// ServeDeflate runs lib's echo server with permessage-deflate on until ln
// is closed. cfg is wskit's configuration (its zero value: the defaults);
// the other libraries have their own settings.
func ServeDeflate(lib string, ln net.Listener, cfg pmce.Config) error {
	switch lib {
	case "wskit":
		ext, err := pmce.New(cfg)
		if err != nil {
			return err
		}
		return http.Serve(ln, wskitHTTP(&server.Config{Extensions: []handshake.Extension{ext}}))
	case "gorilla":
		return http.Serve(ln, gorillaEcho(&gorilla.Upgrader{EnableCompression: true}))
	case "gobwas":
		return acceptLoop(ln, serveGobwasDeflate)
	case "coder":
		return http.Serve(ln, coderEcho(&coder.AcceptOptions{CompressionMode: coder.CompressionContextTakeover}))
	case "gws":
		return gws.NewServer(gwsEcho{}, &gws.ServerOption{CheckUtf8Enabled: true,
			PermessageDeflate: gws.PermessageDeflate{Enabled: true, ServerContextTakeover: true, ClientContextTakeover: true},
		}).RunListener(ln)
	}
	return fmt.Errorf("no such server %q", lib)
}

// ParseClass reads a pmce.Class as its String method writes it: "default"
// (or ""), "shared", "dedicated(8)" to "dedicated(15)", "window(8)" to
// "window(15)", "leased(8)" to "leased(15)".
func ParseClass(s string) (pmce.Class, error) {
	switch s {
	case "", "default":
		return 0, nil
	case "shared":
		return pmce.Shared, nil
	}
	for prefix, class := range map[string]func(int) pmce.Class{"dedicated(": pmce.Dedicated, "window(": pmce.SlidingWindow, "leased(": pmce.Leased} {
		if v, ok := strings.CutPrefix(s, prefix); ok {
			if b, err := strconv.Atoi(strings.TrimSuffix(v, ")")); err == nil && b >= pmce.MinWindowBits && b <= pmce.MaxWindowBits {
				return class(b), nil
			}
		}
	}
	return 0, fmt.Errorf("memory class %q: want default, shared, dedicated(8) to dedicated(15), window(8) to window(15) or leased(8) to leased(15)", s)
}

func serveGobwasDeflate(conn net.Conn) {
	defer conn.Close()
	e := wsflate.Extension{Parameters: wsflate.DefaultParameters}
	u := ws.Upgrader{Negotiate: e.Negotiate}
	if _, err := u.Upgrade(conn); err != nil {
		return
	}
	br := bufio.NewReaderSize(conn, 4096)
	for {
		h, err := ws.ReadHeader(br)
		if err != nil || h.Length > 64<<20 {
			return
		}
		f := ws.Frame{Header: h, Payload: make([]byte, h.Length)}
		if _, err := io.ReadFull(br, f.Payload); err != nil {
			return
		}
		ws.Cipher(f.Payload, h.Mask, 0)
		f.Header.Masked = false
		if h.OpCode.IsControl() {
			if h.OpCode == ws.OpClose {
				return
			}
			continue
		}
		if ok, _ := wsflate.IsCompressed(f.Header); ok {
			if f, err = wsflate.DecompressFrame(f); err != nil {
				return
			}
		}
		if h.OpCode == ws.OpText && !utf8.Valid(f.Payload) {
			return
		}
		out, err := wsflate.CompressFrame(ws.NewFrame(h.OpCode, true, f.Payload))
		if err != nil || ws.WriteFrame(conn, out) != nil {
			return
		}
	}
}

// DeflateOffer is the hand-rolled client's offer in the idle workload:
// Chromium's, which lets the server bound the client's window and keeps
// context takeover both ways unless the server says otherwise.
const DeflateOffer = "permessage-deflate; client_max_window_bits"

// EchoOffer is the client's offer in the echo workload: it compresses each
// message on its own, so that it can send messages compressed in advance
// and spend its CPU time on nothing but the socket (the servers' own
// compression, with whatever context takeover they choose, is what the
// workload measures). It also allows client_max_window_bits, as gws
// answers that parameter whether or not it was offered.
const EchoOffer = "permessage-deflate; client_no_context_takeover; client_max_window_bits"

// clientExtension is the client's side of an offer.
func clientExtension(offer string) (*pmce.Negotiator, error) {
	// Level 1 whatever pmce's default: the client's messages are the
	// workload, the same for every server and every run.
	cfg := pmce.Config{Send: pmce.Dedicated(15), ClientMaxWindowBits: 15, Threshold: -1, Level: 1}
	if offer == EchoOffer {
		cfg = pmce.Config{Send: pmce.Shared, ClientMaxWindowBits: 15, Threshold: -1, Level: 1}
	}
	ext, err := pmce.New(cfg)
	if err != nil {
		return nil, err
	}
	if got := handshake.FormatExtensions(handshake.OfferExtensions([]handshake.Extension{ext})); got != offer {
		return nil, fmt.Errorf("offer %q, want %q", got, offer)
	}
	return ext, nil
}

// DialDeflate opens a connection to addr whose request offers
// permessage-deflate with offer (DeflateOffer or EchoOffer), and returns
// it with the client's codec, which is nil if the server declined.
func DialDeflate(addr, offer string) (*net.TCPConn, *pmce.Codec, error) {
	ext, err := clientExtension(offer)
	if err != nil {
		return nil, nil, err
	}
	conn, resp, err := dialWith(addr, requestOffering(offer))
	if err != nil {
		return nil, nil, err
	}
	var values []string
	for _, line := range strings.Split(string(resp), "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "Sec-WebSocket-Extensions") {
			values = append(values, strings.TrimSpace(v))
		}
	}
	if len(values) == 0 {
		return conn, nil, nil
	}
	list, err := handshake.ParseExtensions(values)
	if err == nil {
		var agreed []handshake.Negotiated
		if agreed, err = handshake.AcceptExtensions([]handshake.Extension{ext}, list); err == nil && len(agreed) == 1 {
			return conn, agreed[0].(*pmce.Codec), nil
		}
	}
	conn.Close()
	return nil, nil, fmt.Errorf("response %q: %v", values, err)
}

// requestOffering is RequestText with a Sec-WebSocket-Extensions header
// carrying offer.
func requestOffering(offer string) string {
	return strings.TrimSuffix(RequestText, "\r\n") + "Sec-WebSocket-Extensions: " + offer + "\r\n\r\n"
}

// JSON returns a JSON document of about size bytes, different for each
// seed: a page of chat messages, as an API would send.
func JSON(seed, size int) []byte {
	words := strings.Fields("the a to and of in is it you that he was for on are with as I his they be at one have this from " +
		"or had by hot word but what some we can out other were all there when up use your how said an each she " +
		"deploy build review merge ticket release server client latency request response cache queue")
	x := uint32(seed*2654435761 + 12345)
	next := func(n int) int { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return int(x % uint32(n)) }
	b := []byte(`{"page":` + strconv.Itoa(seed) + `,"messages":[`)
	for i := 0; len(b) < size-200; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, int64(seed*1000+i), 10)
		b = append(b, `,"room":"room-`...)
		b = strconv.AppendInt(b, int64(next(20)), 10)
		b = append(b, `","user":{"id":`...)
		b = strconv.AppendInt(b, int64(100000+next(5000)), 10)
		b = append(b, `,"name":"user`...)
		b = strconv.AppendInt(b, int64(next(5000)), 10)
		b = append(b, `"},"ts":`...)
		b = strconv.AppendInt(b, int64(1733500000000+next(1<<30)), 10)
		b = append(b, `,"text":"`...)
		for w := 8 + next(20); w > 0; w-- {
			b = append(b, words[next(len(words))]...)
			if w > 1 {
				b = append(b, ' ')
			}
		}
		b = append(b, `","read":`...)
		b = strconv.AppendBool(b, next(2) == 0)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// compressedFrame returns msg as one masked text frame, compressed by c
// (with RSV1) when c is not nil.
func compressedFrame(c *pmce.Codec, msg []byte) ([]byte, error) {
	payload, rsv := msg, byte(0)
	if c != nil {
		var err error
		if payload, err = c.Compress(nil, msg); err != nil {
			return nil, err
		}
		rsv = frame.Rsv1
	}
	return frame.AppendMasked(nil, &frame.Text{Fin: true, Rsv: rsv, Payload: payload}, Key)
}

// readMessage reads one data message from a server (unmasked frames, no
// control frames expected) and returns its payload, joined, and whether it
// was compressed. buf is reused.
func readMessage(r *bufio.Reader, buf []byte) ([]byte, bool, error) {
	buf = buf[:0]
	compressed := false
	for first := true; ; first = false {
		var h [10]byte
		if _, err := io.ReadFull(r, h[:2]); err != nil {
			return nil, false, err
		}
		if first {
			compressed = h[0]&0x40 != 0
		}
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			if _, err := io.ReadFull(r, h[2:4]); err != nil {
				return nil, false, err
			}
			n = uint64(binary.BigEndian.Uint16(h[2:4]))
		case 127:
			if _, err := io.ReadFull(r, h[2:10]); err != nil {
				return nil, false, err
			}
			n = binary.BigEndian.Uint64(h[2:10])
		}
		if n > 64<<20 {
			return nil, false, errors.New("frame too large")
		}
		start := len(buf)
		buf = append(buf, make([]byte, n)...)
		if _, err := io.ReadFull(r, buf[start:]); err != nil {
			return nil, false, err
		}
		if h[0]&0x80 != 0 && h[0]&0x0f < 8 {
			return buf, compressed, nil
		}
	}
}

// DeflateConn is a client connection of the permessage-deflate workloads.
type DeflateConn struct {
	*net.TCPConn
	Codec *pmce.Codec // the client's side of the agreement, nil if declined
	r     *bufio.Reader
}

// DialManyDeflate opens n connections to addr offering offer.
func DialManyDeflate(addr string, n int, offer string) ([]*DeflateConn, error) {
	out := make([]*DeflateConn, n)
	err := dialMany(n, func(i int) error {
		c, codec, err := DialDeflate(addr, offer)
		if err != nil {
			return err
		}
		if codec == nil {
			c.Close()
			return errors.New("permessage-deflate declined")
		}
		out[i] = &DeflateConn{TCPConn: c, Codec: codec, r: bufio.NewReaderSize(c, 32<<10)}
		return nil
	})
	if err != nil {
		CloseAllDeflate(out)
		return nil, err
	}
	return out, nil
}

// CloseAllDeflate closes connections as CloseAll does.
func CloseAllDeflate(cs []*DeflateConn) {
	for _, c := range cs {
		if c != nil {
			c.SetLinger(0)
			c.Close()
		}
	}
}

// RoundTrip sends msg compressed and checks the echo: it returns the
// bytes written and read.
func (c *DeflateConn) RoundTrip(msg []byte) (sent, recv int, err error) {
	f, err := compressedFrame(c.Codec, msg)
	if err != nil {
		return 0, 0, err
	}
	if _, err := c.Write(f); err != nil {
		return 0, 0, err
	}
	payload, compressed, err := readMessage(c.r, nil)
	if err != nil {
		return 0, 0, err
	}
	got := payload
	if compressed {
		if got, err = c.Codec.Decompress(nil, payload, 64<<20); err != nil {
			return 0, 0, err
		}
	}
	if !bytes.Equal(got, msg) {
		return 0, 0, errors.New("echo differs")
	}
	return len(f), frameLen(len(payload)), nil
}

// frameLen is the length of an unmasked one-frame message of n bytes.
func frameLen(n int) int {
	switch {
	case n < 126:
		return n + 2
	case n < 1<<16:
		return n + 4
	}
	return n + 10
}

// DeflateResult is what a permessage-deflate echo run measured.
type DeflateResult struct {
	Conns      int
	RoundTrips int64
	Elapsed    time.Duration
	Sent, Recv int64 // bytes on the wire, client to server and back
	Errors     int64
	MsgBytes   int // the uncompressed size of a message
}

// PerSecond returns the round trips per second.
func (r DeflateResult) PerSecond() float64 { return float64(r.RoundTrips) / r.Elapsed.Seconds() }

// WirePerTrip returns the bytes on the wire per round trip, both ways.
func (r DeflateResult) WirePerTrip() float64 {
	return float64(r.Sent+r.Recv) / float64(max(r.RoundTrips, 1))
}

// DeflateEcho opens conns connections to addr offering EchoOffer and, on
// each, sends a JSON text message of about size bytes compressed, one of
// 64 different ones in turn, and reads the echo, again and again for d.
// The first echo of each message on each connection is decompressed and
// compared; after that the client only reads (a server's context takeover
// makes each echo depend on the ones before, which the client does not
// need to inflate to count). during, if not nil, runs before the
// connections close.
func DeflateEcho(addr string, conns, size int, d time.Duration, during func()) (DeflateResult, error) {
	cs, err := DialManyDeflate(addr, conns, EchoOffer)
	if err != nil {
		return DeflateResult{}, err
	}
	defer CloseAllDeflate(cs)
	msgs := make([][]byte, 64)
	frames := make([][]byte, len(msgs))
	for i := range msgs {
		msgs[i] = JSON(i, size)
		// Without context takeover on the client's side, a message
		// compresses alike on every connection and at every turn.
		if frames[i], err = compressedFrame(cs[0].Codec, msgs[i]); err != nil {
			return DeflateResult{}, err
		}
	}
	var (
		trips, sent, recv, errs atomic.Int64
		stop                    atomic.Bool
		wg                      sync.WaitGroup
		start                   = make(chan struct{})
	)
	for _, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			var n, s, r int64
			<-start
			for i := 0; !stop.Load(); i++ {
				k := i % len(msgs)
				if i < len(msgs) {
					// Check the echo while the client can follow the
					// server's window (the first turn).
					ss, rr, err := c.RoundTrip(msgs[k])
					if err != nil {
						errs.Add(1)
						break
					}
					s, r = s+int64(ss), r+int64(rr)
					n++
					continue
				}
				if _, err := c.Write(frames[k]); err != nil {
					errs.Add(1)
					break
				}
				p, _, err := readMessage(c.r, buf)
				if err != nil {
					errs.Add(1)
					break
				}
				buf = p
				s, r = s+int64(len(frames[k])), r+int64(frameLen(len(p)))
				n++
			}
			trips.Add(n)
			sent.Add(s)
			recv.Add(r)
		}()
	}
	t0 := time.Now()
	close(start)
	time.Sleep(d)
	if during != nil {
		during()
	}
	stop.Store(true)
	wg.Wait()
	return DeflateResult{Conns: conns, RoundTrips: trips.Load(), Elapsed: time.Since(t0),
		Sent: sent.Load(), Recv: recv.Load(), Errors: errs.Load(), MsgBytes: len(msgs[0])}, nil
}

// DeflateIdle opens n connections to addr offering DeflateOffer, sends
// one compressed message of 1 KiB of JSON on each (so that a server keeps
// whatever it keeps once compression has been used) and checks its echo.
// The caller samples the server's memory, then closes the connections.
func DeflateIdle(addr string, n int) ([]*DeflateConn, error) {
	cs, err := DialManyDeflate(addr, n, DeflateOffer)
	if err != nil {
		return nil, err
	}
	msg := JSON(1, 1<<10)
	err = dialMany(n, func(i int) error {
		_, _, err := cs[i].RoundTrip(msg)
		// The client sends nothing more: it lets its compressor and
		// window go, so that 10,000 of them fit beside the server.
		cs[i].Codec.Release()
		return err
	})
	if err != nil {
		CloseAllDeflate(cs)
		return nil, err
	}
	return cs, nil
}
