package pmce

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
)

func mustNew(t testing.TB, cfg Config) *Negotiator {
	t.Helper()
	if cfg.Send == 0 {
		// The parameter tests are about the RFC 7692 fields: a
		// compressor with context takeover asks for nothing of them.
		cfg.Send = Dedicated(15)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// parseHeader parses a Sec-WebSocket-Extensions value.
func parseHeader(t *testing.T, v string) []handshake.ExtensionOffer {
	t.Helper()
	l, err := handshake.ParseExtensions([]string{v})
	if err != nil {
		t.Fatalf("ParseExtensions(%q): %v", v, err)
	}
	return l
}

func TestNewValidates(t *testing.T) {
	for _, cfg := range []Config{
		{ServerMaxWindowBits: 7},
		{ClientMaxWindowBits: 16},
		{Level: 10},
		{Level: -3},
		{Send: 2},
		{Receive: 16},
		{Send: -1},
		{Receive: Leased(15)},
		{Send: Leased(16)},
		{LeaseIdle: -1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) = nil error", cfg)
		}
	}
	e, _ := New(Config{})
	want := Config{Send: DefaultSend, Receive: DefaultReceive, Level: DefaultLevel, Threshold: DefaultThreshold, LeaseIdle: DefaultLeaseIdle}
	if diff := cmp.Diff(want, e.Config()); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if e, _ := New(Config{Threshold: -1}); e.Config().Threshold != 0 {
		t.Errorf("Threshold -1 became %d", e.Config().Threshold)
	}
}

func TestOffer(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{}, "permessage-deflate"},
		{Config{ClientMaxWindowBits: 15}, "permessage-deflate; client_max_window_bits"},
		{Config{ClientMaxWindowBits: 10}, "permessage-deflate; client_max_window_bits=10"},
		{Config{ServerMaxWindowBits: 15}, "permessage-deflate"},
		{
			Config{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 9, ClientMaxWindowBits: 15},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits",
		},
	}
	for _, tt := range tests {
		e := mustNew(t, tt.cfg)
		got := handshake.FormatExtensions(handshake.OfferExtensions([]handshake.Extension{e}))
		if got != tt.want {
			t.Errorf("%+v: offer %q, want %q", tt.cfg, got, tt.want)
		}
	}
}

// TestNegotiate runs the whole negotiation through header values: the
// client's offer, the server's response, the client's check of it, and
// compares the parameters both sides agree on.
func TestNegotiate(t *testing.T) {
	tests := []struct {
		name   string
		client Config
		offer  string // overrides the client's own offer when not empty
		server Config
		resp   string // "" means declined
		want   Params
	}{
		{
			name:  "plain",
			offer: "permessage-deflate",
			resp:  "permessage-deflate",
			want:  Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		},
		{
			name:   "browser offer",
			client: Config{ClientMaxWindowBits: 15},
			resp:   "permessage-deflate",
			want:   Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		},
		{
			name:   "server bounds the client's window",
			client: Config{ClientMaxWindowBits: 15},
			server: Config{ClientMaxWindowBits: 10},
			resp:   "permessage-deflate; client_max_window_bits=10",
			want:   Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 10},
		},
		{
			name:   "client's own bound is echoed",
			client: Config{ClientMaxWindowBits: 12},
			server: Config{ClientMaxWindowBits: 14},
			resp:   "permessage-deflate; client_max_window_bits=12",
			want:   Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 12},
		},
		{
			name:   "server preference without client_max_window_bits in the offer",
			server: Config{ClientMaxWindowBits: 9},
			resp:   "permessage-deflate",
			want:   Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		},
		{
			name:   "client asks for a small server window",
			client: Config{ServerMaxWindowBits: 10},
			resp:   "permessage-deflate; server_max_window_bits=10",
			want:   Params{ServerMaxWindowBits: 10, ClientMaxWindowBits: 15},
		},
		{
			name:   "server narrows further",
			client: Config{ServerMaxWindowBits: 12},
			server: Config{ServerMaxWindowBits: 9},
			resp:   "permessage-deflate; server_max_window_bits=9",
			want:   Params{ServerMaxWindowBits: 9, ClientMaxWindowBits: 15},
		},
		{
			name:   "server's own window unprompted",
			server: Config{ServerMaxWindowBits: 11},
			resp:   "permessage-deflate; server_max_window_bits=11",
			want:   Params{ServerMaxWindowBits: 11, ClientMaxWindowBits: 15},
		},
		{
			name:  "offered 15 is answered",
			offer: "permessage-deflate; server_max_window_bits=15",
			resp:  "permessage-deflate; server_max_window_bits=15",
			want:  Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		},
		{
			name:   "no context takeover both ways",
			client: Config{ServerNoContextTakeover: true, ClientNoContextTakeover: true},
			resp:   "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			want:   Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		},
		{
			name:   "server imposes no context takeover",
			server: Config{ServerNoContextTakeover: true, ClientNoContextTakeover: true},
			resp:   "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			want:   Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		},
		{
			name:  "first valid offer wins",
			offer: "permessage-deflate; server_max_window_bits=7, permessage-deflate; x=1, permessage-deflate; client_max_window_bits=11, permessage-deflate",
			resp:  "permessage-deflate; client_max_window_bits=11",
			want:  Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 11},
		},
		{
			name:  "quoted value",
			offer: `permessage-deflate; server_max_window_bits="10"`,
			resp:  "permessage-deflate; server_max_window_bits=10",
			want:  Params{ServerMaxWindowBits: 10, ClientMaxWindowBits: 15},
		},
		{name: "unknown parameter", offer: "permessage-deflate; foo"},
		{name: "repeated parameter", offer: "permessage-deflate; server_no_context_takeover; server_no_context_takeover"},
		{name: "repeated window", offer: "permessage-deflate; client_max_window_bits; client_max_window_bits=9"},
		{name: "value on a flag", offer: "permessage-deflate; client_no_context_takeover=1"},
		{name: "server window without value", offer: "permessage-deflate; server_max_window_bits"},
		{name: "window too small", offer: "permessage-deflate; server_max_window_bits=7"},
		{name: "window too large", offer: "permessage-deflate; client_max_window_bits=16"},
		{name: "leading zero", offer: "permessage-deflate; server_max_window_bits=09"},
		{name: "sign", offer: "permessage-deflate; server_max_window_bits=+9"},
		{name: "not a number", offer: "permessage-deflate; client_max_window_bits=x"},
		{name: "other extension only", offer: "x-webkit-deflate-frame"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := mustNew(t, tt.client)
			server := mustNew(t, tt.server)
			offer := tt.offer
			if offer == "" {
				offer = handshake.FormatExtensions(handshake.OfferExtensions([]handshake.Extension{client}))
			}
			resp, agreed, err := handshake.NegotiateExtensions([]handshake.Extension{server}, parseHeader(t, offer))
			if err != nil {
				t.Fatal(err)
			}
			if got := handshake.FormatExtensions(resp); got != tt.resp {
				t.Fatalf("response %q, want %q", got, tt.resp)
			}
			if tt.resp == "" {
				return
			}
			sc := agreed[0].(*Codec)
			if !sc.IsServer() {
				t.Error("server codec is not the server's")
			}
			if diff := cmp.Diff(tt.want, sc.Params()); diff != "" {
				t.Errorf("server params (-want +got):\n%s", diff)
			}
			if tt.offer != "" {
				return // the client did not make this offer
			}
			cagreed, err := handshake.AcceptExtensions([]handshake.Extension{client}, parseHeader(t, tt.resp))
			if err != nil {
				t.Fatalf("client refuses %q: %v", tt.resp, err)
			}
			cc := cagreed[0].(*Codec)
			if diff := cmp.Diff(tt.want, cc.Params()); diff != "" {
				t.Errorf("client params (-want +got):\n%s", diff)
			}
			if cc.RSV() != 0x40 || sc.RSV() != 0x40 {
				t.Error("RSV is not RSV1")
			}
		})
	}
}

func TestAcceptStrict(t *testing.T) {
	tests := []struct {
		name   string
		client Config
		resp   string
		param  string // "" if accepted
		want   Params // when accepted
	}{
		{name: "plain", resp: "permessage-deflate", want: Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{name: "unrequested server_no_context_takeover", resp: "permessage-deflate; server_no_context_takeover",
			want: Params{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{name: "imposed client_no_context_takeover", resp: "permessage-deflate; client_no_context_takeover",
			want: Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{name: "unrequested server window", resp: "permessage-deflate; server_max_window_bits=8",
			want: Params{ServerMaxWindowBits: 8, ClientMaxWindowBits: 15}},
		{name: "smaller server window", client: Config{ServerMaxWindowBits: 12}, resp: "permessage-deflate; server_max_window_bits=10",
			want: Params{ServerMaxWindowBits: 10, ClientMaxWindowBits: 15}},
		{name: "client window from bare offer", client: Config{ClientMaxWindowBits: 15}, resp: "permessage-deflate; client_max_window_bits=8",
			want: Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 8}},
		{name: "own client window kept", client: Config{ClientMaxWindowBits: 11}, resp: "permessage-deflate",
			want: Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 11}},

		{name: "client window not offered", resp: "permessage-deflate; client_max_window_bits=10", param: ParamClientMaxWindowBits},
		{name: "client window larger than offered", client: Config{ClientMaxWindowBits: 10}, resp: "permessage-deflate; client_max_window_bits=11", param: ParamClientMaxWindowBits},
		{name: "client window without value", client: Config{ClientMaxWindowBits: 15}, resp: "permessage-deflate; client_max_window_bits", param: ParamClientMaxWindowBits},
		{name: "server window larger than offered", client: Config{ServerMaxWindowBits: 10}, resp: "permessage-deflate; server_no_context_takeover; server_max_window_bits=12", param: ParamServerMaxWindowBits},
		{name: "server window ignored", client: Config{ServerMaxWindowBits: 10}, resp: "permessage-deflate", param: ParamServerMaxWindowBits},
		{name: "server_no_context_takeover ignored", client: Config{ServerNoContextTakeover: true}, resp: "permessage-deflate", param: ParamServerNoContextTakeover},
		{name: "unknown", resp: "permessage-deflate; foo=bar", param: "foo"},
		{name: "repeated", resp: "permessage-deflate; client_no_context_takeover; client_no_context_takeover", param: ParamClientNoContextTakeover},
		{name: "bad value", resp: "permessage-deflate; server_max_window_bits=16", param: ParamServerMaxWindowBits},
		{name: "flag with value", resp: "permessage-deflate; server_no_context_takeover=x", param: ParamServerNoContextTakeover},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := mustNew(t, tt.client)
			agreed, err := handshake.AcceptExtensions([]handshake.Extension{client}, parseHeader(t, tt.resp))
			if tt.param != "" {
				var pe *ParamError
				if !errors.As(err, &pe) || pe.Param != tt.param {
					t.Fatalf("err = %v, want a ParamError for %s", err, tt.param)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, agreed[0].(*Codec).Params()); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCodecSides checks how the agreed parameters set up each side: a
// window below 15 bits keeps context takeover and picks the windowed
// compressor.
func TestCodecSides(t *testing.T) {
	tests := []struct {
		p              Params
		server         bool
		sendTO, recvTO bool
		kind           writerKind
		window         int
	}{
		{Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, true, true, true, writerKindOf(6, 15), 1 << 15},
		{Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 10}, true, true, true, writerKindOf(6, 15), 1 << 10},
		{Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 10}, false, true, true, writerKindOf(6, 10), 1 << 15},
		{Params{ServerMaxWindowBits: 13, ClientMaxWindowBits: 15}, true, true, true, writerKindOf(6, 13), 1 << 15},
		{Params{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, false, true, false, writerKindOf(6, 15), 0},
		{Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, false, false, true, writerKindOf(6, 15), 1 << 15},
		{Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 8}, false, false, true, writerKindOf(6, 8), 1 << 15},
	}
	for i, tt := range tests {
		c := newCodec(tt.server, tt.p, 6, 0)
		s, r := c.ContextTakeover()
		got := []int{b2i(s), b2i(r), int(c.enc.kind), c.dec.window.size}
		want := []int{b2i(tt.sendTO), b2i(tt.recvTO), int(tt.kind), tt.window}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d: (-want +got)\n%s", i, diff)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
