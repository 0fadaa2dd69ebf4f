package main

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wskit/wskit/frame"
)

func TestFlags(t *testing.T) {
	type flags struct {
		Addr string
		Cfg  Config
		CC   ClusterConfig
	}
	for _, tt := range []struct {
		args    []string
		want    flags
		wantErr string
	}{
		{args: nil, want: flags{"127.0.0.1:8080", Config{MaxBackpressure: 1 << 20, MaxMessage: 64 << 10}, ClusterConfig{History: 1000}}},
		{args: []string{"-addr", ":9000", "-max-backpressure", "4096", "-max-message", "100", "-write-buffer", "8192"},
			want: flags{":9000", Config{MaxBackpressure: 4096, MaxMessage: 100, WriteBuffer: 8192}, ClusterConfig{History: 1000}}},
		{args: []string{"-nats", "nats://127.0.0.1:4222", "-history", "20"},
			want: flags{"127.0.0.1:8080", Config{MaxBackpressure: 1 << 20, MaxMessage: 64 << 10}, ClusterConfig{NATS: "nats://127.0.0.1:4222", History: 20}}},
		{args: []string{"-nats", "nats://nats-a:4222,nats://nats-b:4222", "-history", "50"},
			want: flags{"127.0.0.1:8080", Config{MaxBackpressure: 1 << 20, MaxMessage: 64 << 10}, ClusterConfig{NATS: "nats://nats-a:4222,nats://nats-b:4222", History: 50}}},
		{args: []string{"-nats-listen", "127.0.0.1:4222", "-cluster-listen", "127.0.0.1:6222", "-routes", "127.0.0.1:6223, nats://127.0.0.1:6224", "-data", "/tmp/x"},
			want: flags{"127.0.0.1:8080", Config{MaxBackpressure: 1 << 20, MaxMessage: 64 << 10}, ClusterConfig{NATSListen: "127.0.0.1:4222", ClusterListen: "127.0.0.1:6222", Routes: []string{"127.0.0.1:6223", "nats://127.0.0.1:6224"}, Data: "/tmp/x", History: 1000}}},
		{args: []string{"-routes", "127.0.0.1:6222"}, wantErr: "-routes needs -cluster-listen"},
		{args: []string{"-nats", "nats://x:1", "-data", "d"}, wantErr: "for the embedded one"},
		{args: []string{"-max-backpressure", "0"}, wantErr: "must be positive"},
		{args: []string{"-max-backpressure", "1MiB"}, wantErr: "invalid value"},
		{args: []string{"-max-message", "-1"}, wantErr: "must be positive"},
		{args: []string{"-write-buffer", "-1"}, wantErr: "not negative"},
		{args: []string{"extra"}, wantErr: "unexpected arguments"},
		{args: []string{"-nope"}, wantErr: "flag provided but not defined"},
		{args: []string{"-history", "0"}, wantErr: "-history must be positive"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			addr, cfg, cc, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, flags{addr, cfg, cc}, cmpopts.IgnoreUnexported(Config{}), cmpopts.IgnoreFields(Config{}, "Broker", "Log")); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestRunNATSUnreachable: with -nats naming no server the command stops at
// once with an error that says where it looked.
func TestRunNATSUnreachable(t *testing.T) {
	err := run([]string{"-addr", "127.0.0.1:0", "-nats", "nats://127.0.0.1:1"}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), "nats://127.0.0.1:1") {
		t.Errorf("run: %v, want an error naming the unreachable URL", err)
	}
}

// TestRun starts the command as main does, chats once, and stops it: the
// connection is closed with 1001.
func TestRun(t *testing.T) {
	logs := &syncLog{}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- run([]string{"-addr", "127.0.0.1:0", "-max-backpressure", "65536"}, logs, stop) }()
	re := regexp.MustCompile(`listening on http://(\S+)`)
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == ""; {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			close(stop)
			t.Fatalf("the server did not start:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	ep, _ := dial(t, addr, "lobby", dialOptions{})
	if err := ep.WriteMessage(frame.OpText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"hi"}, recvN(t, ep, 1, 5*time.Second)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	ended := make(chan error, 1)
	go func() { _, err := recvTimeout(ep, 10*time.Second); ended <- err }()
	close(stop)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after stop")
	}
	if err := <-ended; frame.CloseCodeOf(err) != frame.CloseGoingAway {
		t.Errorf("after stop: %v, want the server's close 1001", err)
	}
	if !strings.Contains(logs.String(), "room=lobby msgs=1 close=1001") {
		t.Errorf("log lacks the connection's line:\n%s", logs)
	}
}
