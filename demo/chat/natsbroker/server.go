package natsbroker

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerConfig describes an embedded NATS server. The zero ServerConfig is
// the single-node default: no port opened, JetStream in memory.
type ServerConfig struct {
	// Name names the server; the servers of a cluster need distinct names.
	// Empty: one is made from the process id and a counter.
	Name string
	// Listen is the host:port on which the server also accepts NATS clients
	// (nats-server's -addr/-port). Empty: it accepts none, only the
	// in-process connection; but a clustered server then listens on a free
	// loopback port, as nats-server starts no routes without a client
	// listener.
	Listen string
	// ClusterListen is the host:port on which it accepts routes from the
	// other servers of its cluster. Empty: it is not clustered.
	ClusterListen string
	// Routes are the other servers' route addresses ("host:port" or
	// "nats://host:port"); a server's own address among them is ignored.
	Routes []string
	// ClusterName names the cluster; all its servers use the same one.
	// Empty: "wskit".
	ClusterName string
	// DataDir keeps JetStream's files (streams and the cluster's Raft logs)
	// in this directory. Empty: streams are in memory and the Raft logs a
	// clustered server needs go to a temporary directory removed by Shutdown.
	DataDir string
	// ReadyTimeout bounds how long StartServer waits for the server to
	// accept connections. Zero: 10 seconds.
	ReadyTimeout time.Duration
}

// Server is an embedded NATS server with JetStream enabled.
type Server struct {
	ns     *server.Server
	tmpDir string // removed by Shutdown; "" when DataDir was given
	file   bool   // JetStream storage is on disk (DataDir given)
}

var serverCount atomic.Int64

// StartServer starts an embedded NATS server with JetStream and waits until
// it accepts connections. The server installs no signal handlers and logs
// nothing.
func StartServer(cfg ServerConfig) (*Server, error) {
	opts := &server.Options{
		ServerName: cfg.Name,
		NoLog:      true,
		NoSigs:     true,
		JetStream:  true,
		StoreDir:   cfg.DataDir,
	}
	if opts.ServerName == "" {
		opts.ServerName = "wskit-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(serverCount.Add(1), 10)
	}
	switch {
	case cfg.Listen == "" && cfg.ClusterListen == "":
		opts.DontListen = true
	case cfg.Listen == "":
		opts.Host, opts.Port = "127.0.0.1", server.RANDOM_PORT
	default:
		host, port, err := splitHostPort("listen", cfg.Listen)
		if err != nil {
			return nil, err
		}
		opts.Host, opts.Port = host, port
	}
	if cfg.ClusterListen != "" {
		host, port, err := splitHostPort("cluster listen", cfg.ClusterListen)
		if err != nil {
			return nil, err
		}
		opts.Cluster = server.ClusterOpts{Name: cfg.ClusterName, Host: host, Port: port}
		if opts.Cluster.Name == "" {
			opts.Cluster.Name = "wskit"
		}
		for _, r := range cfg.Routes {
			u, err := routeURL(r)
			if err != nil {
				return nil, err
			}
			opts.Routes = append(opts.Routes, u)
		}
	} else if len(cfg.Routes) > 0 {
		return nil, errors.New("natsbroker: routes need a cluster listen address")
	}
	s := &Server{file: cfg.DataDir != ""}
	if cfg.DataDir == "" {
		// JetStream's default store directory is shared by every server of
		// the machine; several embedded servers must not share it.
		dir, err := os.MkdirTemp("", "wskit-nats-")
		if err != nil {
			return nil, fmt.Errorf("natsbroker: JetStream directory: %w", err)
		}
		s.tmpDir, opts.StoreDir = dir, dir
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		s.removeTmp()
		return nil, fmt.Errorf("natsbroker: embedded NATS server: %w", err)
	}
	s.ns = ns
	ns.Start()
	timeout := cfg.ReadyTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if !ns.ReadyForConnections(timeout) {
		s.Shutdown()
		return nil, fmt.Errorf("natsbroker: embedded NATS server not ready after %v (listen %q, cluster listen %q)", timeout, cfg.Listen, cfg.ClusterListen)
	}
	return s, nil
}

// InProcessConn opens a client connection that does not leave the process;
// it makes a *Server a nats.InProcessConnProvider.
func (s *Server) InProcessConn() (net.Conn, error) { return s.ns.InProcessConn() }

// ClientURL returns the URL NATS clients connect to, or "" if the server
// accepts only the in-process connection.
func (s *Server) ClientURL() string {
	if s.ns.Addr() == nil {
		return ""
	}
	return "nats://" + s.ns.Addr().String()
}

// ClusterAddr returns the address on which the server accepts routes, or ""
// if it is not clustered.
func (s *Server) ClusterAddr() string {
	if a := s.ns.ClusterAddr(); a != nil {
		return a.String()
	}
	return ""
}

// FileStorage reports whether JetStream keeps streams on disk (DataDir was
// given); Connect then makes its stream a file stream.
func (s *Server) FileStorage() bool { return s.file }

// NATS returns the underlying nats-server, for what this type does not
// wrap (monitoring, JetStream's cluster state).
func (s *Server) NATS() *server.Server { return s.ns }

// Shutdown stops the server, closing its clients and routes, and removes its
// temporary directory.
func (s *Server) Shutdown() {
	if s.ns != nil {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
	}
	s.removeTmp()
}

func (s *Server) removeTmp() {
	if s.tmpDir != "" {
		os.RemoveAll(s.tmpDir)
	}
}

// splitHostPort parses a listen address; port 0 picks a free one.
func splitHostPort(what, addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("natsbroker: %s address %q: %w", what, addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("natsbroker: %s address %q: bad port", what, addr)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}

// routeURL accepts "host:port" or a URL with a host and port.
func routeURL(r string) (*url.URL, error) {
	r = strings.TrimSpace(r)
	if !strings.Contains(r, "://") {
		r = "nats-route://" + r
	}
	u, err := url.Parse(r)
	if err != nil || u.Hostname() == "" || u.Port() == "" {
		return nil, fmt.Errorf("natsbroker: route %q: want host:port or nats://host:port", r)
	}
	return u, nil
}
