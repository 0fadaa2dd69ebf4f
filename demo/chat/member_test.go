package main

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/frame"
)

func TestMember(t *testing.T) {
	prepared := func(s string) *endpoint.PreparedMessage {
		pm, err := endpoint.NewPreparedMessage(frame.OpText, []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return pm
	}
	type step struct {
		Msg    string
		Result endpoint.SendResult
		Over   bool // the send reports ErrBackpressure
	}
	for _, tt := range []struct {
		name      string
		limit     int
		early     []step // before start
		startOver bool   // start reports ErrBackpressure
		late      []string
		want      []string // what the peer receives
	}{
		{
			name:  "early messages first, in order",
			limit: 1 << 10,
			early: []step{{"one", endpoint.Queued, false}, {"two", endpoint.Queued, false}},
			late:  []string{"three"},
			want:  []string{"one", "two", "three"},
		},
		{
			name:  "nothing early",
			limit: 1 << 10,
			late:  []string{"one"},
			want:  []string{"one"},
		},
		{
			// The first message is taken whatever its size, as the
			// Endpoint's queue takes one into an empty queue.
			name:  "one big message",
			limit: 10,
			early: []step{{strings.Repeat("x", 100), endpoint.Queued, false}},
			want:  []string{strings.Repeat("x", 100)},
		},
		{
			name:  "past the limit",
			limit: 2*frame.MaxHeaderSize + 7,
			early: []step{
				{"1234", endpoint.Queued, false},
				{"5678", endpoint.Dropped, true},
				{"9", endpoint.Dropped, true}, // it would fit, but the connection is lost
			},
			startOver: true,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := &member{limit: tt.limit}
			var got []step
			for _, st := range tt.early {
				res, err := m.SendPrepared(prepared(st.Msg))
				if err != nil && !errors.Is(err, endpoint.ErrBackpressure) {
					t.Fatalf("SendPrepared(%q): %v", st.Msg, err)
				}
				got = append(got, step{st.Msg, res, err != nil})
			}
			if diff := cmp.Diff(tt.early, got); diff != "" {
				t.Errorf("early sends (-want +got):\n%s", diff)
			}
			if m.endpoint() != nil {
				t.Fatal("endpoint() is set before start")
			}
			sc, cc := net.Pipe()
			defer sc.Close()
			defer cc.Close()
			ep := endpoint.New(frame.Server, sc, sc)
			err := m.start(ep)
			if tt.startOver {
				if !errors.Is(err, endpoint.ErrBackpressure) {
					t.Fatalf("start: %v, want ErrBackpressure", err)
				}
				return
			}
			if err != nil || m.endpoint() != ep {
				t.Fatalf("start: %v; endpoint() %p, want %p", err, m.endpoint(), ep)
			}
			for _, s := range tt.late {
				if _, err := m.SendPrepared(prepared(s)); err != nil {
					t.Fatalf("SendPrepared(%q) after start: %v", s, err)
				}
			}
			peer := endpoint.New(frame.Client, cc, cc)
			if diff := cmp.Diff(tt.want, recvN(t, peer, len(tt.want), 5*time.Second)); diff != "" {
				t.Errorf("the peer received (-want +got):\n%s", diff)
			}
		})
	}
}
