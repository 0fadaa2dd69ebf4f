package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/quic-go/quic-go/http3"
	"github.com/wskit/wskit/demo/h3/h3ws"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
)

// newConfig is what the echo endpoint accepts, in every HTTP version:
// the subprotocols echo and chat, and permessage-deflate (RFC 7692) if
// deflate.
func newConfig(deflate bool) (*server.Config, error) {
	cfg := &server.Config{Protocols: []string{"echo", "chat"}}
	if deflate {
		ext, err := pmce.New(pmce.Config{})
		if err != nil {
			return nil, err
		}
		cfg.Extensions = []handshake.Extension{ext}
	}
	return cfg, nil
}

// servers is the HTTP/3 server and the HTTP/1.1 + HTTP/2 server on one
// port.
type servers struct {
	hs  *server.Config
	h3  *http3.Server
	tcp *http.Server
	pc  net.PacketConn
	ln  net.Listener
	log *log.Logger
}

// loadCert reads the certificate files, or makes a self-signed one.
func loadCert(certFile, keyFile string) (tls.Certificate, error) {
	if certFile == "" {
		cert, _, err := h3ws.SelfSigned()
		return cert, err
	}
	return tls.LoadX509KeyPair(certFile, keyFile)
}

// listen opens TCP at addr and UDP on the same port (a free port when
// addr's port is 0).
func listen(addr string, cert tls.Certificate, hs *server.Config, logger *log.Logger) (*servers, error) {
	var ln net.Listener
	var pc net.PacketConn
	var err error
	for try := 0; try < 10; try++ {
		if ln, err = net.Listen("tcp", addr); err != nil {
			return nil, err
		}
		if pc, err = net.ListenPacket("udp", ln.Addr().String()); err == nil {
			break
		}
		ln.Close()
		if _, port, _ := net.SplitHostPort(addr); port != "0" {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	s := &servers{hs: hs, pc: pc, log: logger}
	s.h3 = &http3.Server{
		Handler:   http.HandlerFunc(s.handle),
		TLSConfig: http3.ConfigureTLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}}),
	}
	s.tcp = &http.Server{
		Handler:           http.HandlerFunc(s.handle),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          logger,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}},
	}
	s.tcp.Protocols = new(http.Protocols)
	s.tcp.Protocols.SetHTTP1(true)
	s.tcp.Protocols.SetHTTP2(true)
	s.ln = tls.NewListener(ln, s.tcp.TLSConfig)
	return s, nil
}

// Addr returns the address both servers listen on.
func (s *servers) Addr() string { return s.ln.Addr().String() }

// serve runs both servers until close; it returns the first failure.
func (s *servers) serve() error {
	errc := make(chan error, 2)
	go func() { errc <- s.h3.Serve(s.pc) }()
	go func() { errc <- s.tcp.Serve(s.ln) }()
	err := <-errc
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// close stops both servers and the WebSockets they serve.
func (s *servers) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.tcp.Shutdown(ctx)
	s.h3.Close()
	s.pc.Close()
	s.ln.Close()
}

// handle answers every request: a WebSocket opening of any version gets
// the echo endpoint, anything else a short text.
func (s *servers) handle(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor < 3 {
		s.h3.SetQUICHeaders(w.Header()) // Alt-Svc: h3 on this port
	}
	wantsWS := r.Method == http.MethodConnect || r.Header.Get("Upgrade") != ""
	if !wantsWS {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, page, r.Proto, r.Host)
		return
	}
	start := time.Now()
	var err error
	var proto string
	if r.ProtoMajor == 3 {
		err, proto = s.echoH3(w, r), "h3"
	} else {
		err, proto = s.echoTCP(w, r), "h"+strconv.Itoa(r.ProtoMajor)
	}
	code := frame.CloseCodeOf(err)
	var ce *endpoint.CloseError
	if errors.As(err, &ce) {
		code = ce.Code
	}
	s.log.Printf("conn %s %s %s close=%d time=%s", proto, r.RemoteAddr, r.URL.Path, code, time.Since(start).Round(time.Millisecond))
}

// echoH3 serves an RFC 9220 WebSocket on the request stream.
func (s *servers) echoH3(w http.ResponseWriter, r *http.Request) error {
	c, err := h3ws.Accept(s.hs, w, r)
	if err != nil {
		return err
	}
	for {
		m, err := c.NextMessage()
		if err != nil {
			return err
		}
		if err := c.WriteMessage(m.Type, m.Data); err != nil {
			c.Abort()
			return err
		}
	}
}

// echoTCP serves an RFC 6455 (HTTP/1.1) or RFC 8441 (HTTP/2) WebSocket.
func (s *servers) echoTCP(w http.ResponseWriter, r *http.Request) error {
	up, err := s.hs.Upgrade(w, r)
	if err != nil {
		return err
	}
	defer up.Close()
	var opts []endpoint.Option
	for _, n := range up.Result.Extensions {
		if x, ok := n.(endpoint.Codec); ok {
			opts = append(opts, endpoint.Extensions(x))
		}
	}
	ep := endpoint.New(frame.Server, up.Reader, up.Writer, opts...)
	for {
		m, err := ep.NextMessage()
		if err != nil {
			return err
		}
		if err := ep.WriteMessage(m.Type, m.Data); err != nil {
			return err
		}
	}
}

// page is the demo's page: it opens a WebSocket to its own host, sends a
// message and shows the echo. Formatted with the page's protocol and host.
const page = `<!doctype html>
<title>wskit h3 echo</title>
<p>This page came over %s. A WebSocket to <code id=url></code> (HTTP/3, HTTP/2 or HTTP/1.1):</p>
<pre id=log></pre>
<script>
const url = "wss://%s/echo";
document.getElementById("url").textContent = url;
const log = (s) => { document.getElementById("log").textContent += s + "\n"; };
const ws = new WebSocket(url);
ws.onopen = () => { log("open"); ws.send("hello"); };
ws.onmessage = (e) => { log("echo: " + e.data); ws.close(1000); };
ws.onerror = () => log("error");
ws.onclose = (e) => { log("close " + e.code); document.title = "done"; };
</script>
`
