package natsbroker

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats-server/v2/server"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/topics"
)

func TestSubscribePatterns(t *testing.T) {
	_, b := startOne(t, Config{})
	tests := []struct {
		pattern string
		want    []string
	}{
		{"lobby", []string{"lobby:1", "lobby:2"}},
		{"*", []string{"lobby:1", "games:1", "lobby:2"}},
		{"games.>", []string{"games.chess:1", "games.go.9x9:1"}},
		{"games.*", []string{"games.chess:1"}},
		{">", []string{"lobby:1", "games:1", "games.chess:1", "games.go.9x9:1", "lobby:2"}},
		{"nobody", nil},
	}
	cols := make([]*collector, len(tests))
	for i, tt := range tests {
		cols[i] = newCollector()
		sub, err := b.Subscribe(tt.pattern, cols[i].deliver)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Unsubscribe()
	}
	for _, text := range []string{"lobby:1", "games:1", "games.chess:1", "games.go.9x9:1", "lobby:2"} {
		topic, _, _ := strings.Cut(text, ":")
		if err := b.Publish(topics.Message{Topic: topic, Op: frame.OpText, Data: []byte(text)}); err != nil {
			t.Fatal(err)
		}
	}
	for i, tt := range tests {
		got := cols[i].wait(len(tt.want), 5*time.Second)
		if len(tt.want) == 0 {
			time.Sleep(100 * time.Millisecond)
			got = cols[i].snapshot()
		}
		var gotTexts []string
		for _, m := range got {
			gotTexts = append(gotTexts, string(m.Data))
		}
		if diff := cmp.Diff(tt.want, gotTexts); diff != "" {
			t.Errorf("pattern %q (-want +got):\n%s", tt.pattern, diff)
		}
		increasing(t, tt.pattern, got)
	}
}

func TestMessageFields(t *testing.T) {
	_, b := startOne(t, Config{})
	col, _ := subscribe(t, b, "room")
	sent := []topics.Message{
		{Topic: "room", Op: frame.OpText, Data: []byte("hello")},
		{Topic: "room", Op: frame.OpBinary, Data: []byte{0, 1, 2, 0xff}},
		{Topic: "room", Op: frame.OpText, Data: []byte{}},
	}
	var want []topics.Message
	for _, m := range sent {
		seq, err := b.PublishSeq(m)
		if err != nil {
			t.Fatal(err)
		}
		m.Seq = seq
		want = append(want, m)
	}
	got := col.wait(len(want), 5*time.Second)
	for i := range got {
		if len(got[i].Data) == 0 {
			got[i].Data = []byte{} // NATS gives nil for an empty payload
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}

func TestBadInput(t *testing.T) {
	_, b := startOne(t, Config{})
	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"empty topic", func() error { return b.Publish(topics.Message{Op: frame.OpText}) }, ErrBadTopic},
		{"empty token", func() error { return b.Publish(topics.Message{Topic: "a..b", Op: frame.OpText}) }, ErrBadTopic},
		{"wildcard published", func() error { return b.Publish(topics.Message{Topic: "a.*", Op: frame.OpText}) }, ErrBadTopic},
		{"space", func() error { return b.Publish(topics.Message{Topic: "a b", Op: frame.OpText}) }, ErrBadTopic},
		{"close opcode", func() error { return b.Publish(topics.Message{Topic: "a", Op: frame.OpClose}) }, ErrBadOpcode},
		{"zero opcode", func() error { return b.Publish(topics.Message{Topic: "a", Op: 0}) }, ErrBadOpcode},
		{"'>' not last", func() error { _, err := b.Subscribe(">.a", func(topics.Message) {}); return err }, ErrBadTopic},
		{"partial wildcard", func() error { _, err := b.Subscribe("a*", func(topics.Message) {}); return err }, ErrBadTopic},
		{"history of a pattern", func() error { _, err := b.History("a.*", 0, 0); return err }, ErrBadTopic},
		{"prefix with wildcard", func() error { _, err := Connect(Config{URL: "nats://127.0.0.1:1", Prefix: "a.*"}); return err }, ErrBadTopic},
	}
	for _, tt := range tests {
		if err := tt.run(); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	big := make([]byte, 2<<20) // over NATS's default 1 MiB payload
	start := time.Now()
	err := b.Publish(topics.Message{Topic: "a", Op: frame.OpBinary, Data: big})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("2 MiB message: err %v after %v, want an error at once", err, time.Since(start))
	}
}

func TestHistory(t *testing.T) {
	_, b := startOne(t, Config{History: 4})
	seq := map[string]uint64{}
	for i := 1; i <= 6; i++ {
		for _, room := range []string{"a", "b"} {
			s, err := b.PublishSeq(topics.Message{Topic: room, Op: frame.OpText, Data: []byte(fmt.Sprintf("%s%d", room, i))})
			if err != nil {
				t.Fatal(err)
			}
			seq[fmt.Sprintf("%s%d", room, i)] = s
		}
	}
	tests := []struct {
		topic     string
		after, to uint64
		want      []string
	}{
		{"a", 0, 0, []string{"a3", "a4", "a5", "a6"}}, // History 4: a1, a2 are gone
		{"b", 0, 0, []string{"b3", "b4", "b5", "b6"}},
		{"a", seq["a4"], 0, []string{"a5", "a6"}},
		{"a", seq["b4"], 0, []string{"a5", "a6"}}, // any sequence is a position
		{"a", seq["a3"], seq["a5"], []string{"a4", "a5"}},
		{"a", seq["a3"], seq["b5"], []string{"a4", "a5"}},
		{"a", seq["a6"], 0, nil},
		{"a", 0, seq["a2"], nil}, // all of it replaced
		{"c", 0, 0, nil},
	}
	for _, tt := range tests {
		got, err := b.History(tt.topic, tt.after, tt.to)
		if err != nil {
			t.Fatalf("History(%s, %d, %d): %v", tt.topic, tt.after, tt.to, err)
		}
		if diff := cmp.Diff(tt.want, texts(got), cmpEmpty); diff != "" {
			t.Errorf("History(%s, %d, %d) (-want +got):\n%s", tt.topic, tt.after, tt.to, diff)
		}
		for _, m := range got {
			if m.Seq != seq[string(m.Data)] || m.Topic != tt.topic {
				t.Errorf("History(%s): %s has seq %d topic %s, published as %d", tt.topic, m.Data, m.Seq, m.Topic, seq[string(m.Data)])
			}
		}
	}
	last, err := b.LastSeq("a")
	if err != nil || last != seq["a6"] {
		t.Errorf("LastSeq(a) = %d, %v; want %d", last, err, seq["a6"])
	}
	if last, err := b.LastSeq("c"); err != nil || last != 0 {
		t.Errorf("LastSeq(c) = %d, %v; want 0", last, err)
	}
}

// cmpEmpty equates a nil and an empty slice.
var cmpEmpty = cmp.Transformer("nonil", func(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
})

// TestSubscribeAfter: the retained messages, then the live ones published
// while the subscription starts and after, each once and in order.
func TestSubscribeAfter(t *testing.T) {
	_, b := startOne(t, Config{})
	var want []string
	var from uint64
	publish := func(i int) {
		text := fmt.Sprintf("m%d", i)
		s, err := b.PublishSeq(topics.Message{Topic: "room", Op: frame.OpText, Data: []byte(text)})
		if err != nil {
			t.Error(err)
			return
		}
		if i == 3 {
			from = s
		}
		if i > 3 {
			want = append(want, text)
		}
	}
	for i := 1; i <= 20; i++ {
		publish(i)
	}
	done := make(chan struct{})
	go func() { // live ones race the subscription's start
		defer close(done)
		for i := 21; i <= 200; i++ {
			publish(i)
		}
	}()
	time.Sleep(time.Millisecond)
	col := newCollector()
	sub, err := b.SubscribeAfter("room", from, col.deliver)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	<-done
	got := col.wait(len(want), 10*time.Second)
	if diff := cmp.Diff(want, texts(got)); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}

func TestUnsubscribe(t *testing.T) {
	_, b := startOne(t, Config{})
	col, sub := subscribe(t, b, "room")
	if err := b.Publish(topics.Message{Topic: "room", Op: frame.OpText, Data: []byte("one")}); err != nil {
		t.Fatal(err)
	}
	col.wait(1, 5*time.Second)
	if err := sub.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(topics.Message{Topic: "room", Op: frame.OpText, Data: []byte("two")}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if diff := cmp.Diff([]string{"one"}, texts(col.snapshot())); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	if err := sub.Unsubscribe(); err != nil {
		t.Errorf("second Unsubscribe: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "nats://" + l.Addr().String()
	l.Close() // nobody listens there now
	start := time.Now()
	_, err = Connect(Config{URL: url})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), url) {
		t.Errorf("Connect(%s) = %v, want ErrUnreachable naming the URL", url, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Connect took %v to fail", d)
	}
}

func TestNoJetStream(t *testing.T) {
	ns, err := server.NewServer(&server.Options{DontListen: true, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(5 * time.Second) {
		t.Fatal("server not ready")
	}
	_, err = Connect(Config{Server: &Server{ns: ns}, StartTimeout: 5 * time.Second})
	if !errors.Is(err, ErrNoJetStream) {
		t.Errorf("Connect = %v, want ErrNoJetStream", err)
	}
}

// TestLostAndRestored: a server that goes away is reported, Publish fails
// meanwhile, and a server back at the same address is reported too.
func TestLostAndRestored(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePorts(t, 1)[0])
	s, err := StartServer(ServerConfig{Listen: addr})
	if err != nil {
		t.Fatal(err)
	}
	lost, restored := make(chan error, 4), make(chan struct{}, 4)
	b, err := Connect(Config{URL: s.ClientURL(), PublishTimeout: time.Second,
		OnLost: func(err error) { lost <- err }, OnRestored: func() { restored <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if s.ClientURL() != "nats://"+addr {
		t.Errorf("ClientURL = %s, want nats://%s", s.ClientURL(), addr)
	}
	s.Shutdown()
	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Fatal("OnLost not called within 5s of the server's shutdown")
	}
	if b.Connected() {
		t.Error("Connected() after the loss")
	}
	if err := b.Publish(topics.Message{Topic: "room", Op: frame.OpText, Data: []byte("x")}); err == nil {
		t.Error("Publish succeeded with no server")
	}
	s2, err := StartServer(ServerConfig{Listen: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Shutdown()
	select {
	case <-restored:
	case <-time.After(10 * time.Second):
		t.Fatal("OnRestored not called within 10s of the server's return")
	}
	if !b.Connected() {
		t.Error("not Connected() after the return")
	}
	b.Close()
	select {
	case err := <-lost:
		t.Errorf("OnLost(%v) called for Close", err)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestStreamConflict: a node whose stream settings contradict the existing
// stream's (file storage against memory) fails at once, saying why.
func TestStreamConflict(t *testing.T) {
	s, err := StartServer(ServerConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	b, err := Connect(Config{URL: s.ClientURL(), FileStorage: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	start := time.Now()
	_, err = Connect(Config{URL: s.ClientURL()})
	if err == nil || !strings.Contains(err.Error(), "storage") {
		t.Errorf("Connect with memory storage over a file stream: %v, want an error about the storage", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to fail", d)
	}
}

func TestStartServerRefused(t *testing.T) {
	for _, tt := range []struct {
		cfg  ServerConfig
		want string
	}{
		{ServerConfig{Listen: "nonsense"}, `listen address "nonsense"`},
		{ServerConfig{Listen: "127.0.0.1:99999"}, "bad port"},
		{ServerConfig{ClusterListen: "127.0.0.1:x"}, "cluster listen address"},
		{ServerConfig{Routes: []string{"127.0.0.1:6222"}}, "routes need a cluster listen address"},
		{ServerConfig{ClusterListen: "127.0.0.1:0", Routes: []string{"nats://:6222"}}, "want host:port"},
		{ServerConfig{ClusterListen: "127.0.0.1:0", Routes: []string{"127.0.0.1"}}, "want host:port"},
	} {
		s, err := StartServer(tt.cfg)
		if err == nil {
			s.Shutdown()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("StartServer(%+v): %v, want an error saying %q", tt.cfg, err, tt.want)
		}
	}
}

// TestDataDir: with a data directory the history outlives the server.
func TestDataDir(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for run := range 2 {
		s, err := StartServer(ServerConfig{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Connect(Config{Server: s})
		if err != nil {
			t.Fatal(err)
		}
		text := fmt.Sprintf("run %d", run)
		if err := b.Publish(topics.Message{Topic: "room", Op: frame.OpText, Data: []byte(text)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, text)
		got, err := b.History("room", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, texts(got)); diff != "" {
			t.Errorf("run %d: history (-want +got):\n%s", run, diff)
		}
		b.Close()
		s.Shutdown()
	}
}
