package client_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/client"
	"github.com/wskit/wskit/handshake/server"
	"github.com/wskit/wskit/pmce"
)

// offerRequest returns a request that offers permessage-deflate once per
// Config, in order.
func offerRequest(t *testing.T, offers ...pmce.Config) *client.Request {
	t.Helper()
	var exts []handshake.Extension
	for _, c := range offers {
		e, err := pmce.New(c)
		if err != nil {
			t.Fatal(err)
		}
		exts = append(exts, e)
	}
	req, err := client.NewRequest("ws://example.com/", &client.Config{Extensions: exts, Rand: zeroRand()})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// agreedParams returns the parameters of the one agreed permessage-deflate
// of res, or nil if none was agreed.
func agreedParams(t *testing.T, res *client.Result) *pmce.Params {
	t.Helper()
	switch len(res.Extensions) {
	case 0:
		return nil
	case 1:
		p := res.Extensions[0].(*pmce.Codec).Params()
		return &p
	}
	t.Fatalf("%d extensions agreed, want at most 1", len(res.Extensions))
	return nil
}

// autobahn137 are the three offers of Autobahn's case 13.7 (its
// (server_no_context_takeover, server_max_window_bits) pairs (true, 8),
// (true, none), (false, none)), each also saying that the client
// compresses every message on its own and accepts client_max_window_bits.
var autobahn137 = []pmce.Config{
	{ServerNoContextTakeover: true, ServerMaxWindowBits: 8, ClientNoContextTakeover: true, ClientMaxWindowBits: 15},
	{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ClientMaxWindowBits: 15},
	{ClientNoContextTakeover: true, ClientMaxWindowBits: 15},
}

// TestVerifyAutobahnOffers checks responses to Autobahn 13.7's three
// offers: a valid response to any one of them completes the handshake,
// with the parameters of the offer it answers.
func TestVerifyAutobahnOffers(t *testing.T) {
	req := offerRequest(t, autobahn137...)
	if got, want := req.Header.Get("Sec-WebSocket-Extensions"),
		"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits, "+
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits, "+
			"permessage-deflate; client_no_context_takeover; client_max_window_bits"; got != want {
		t.Fatalf("offers:\n%s\nwant\n%s", got, want)
	}
	for _, tt := range []struct {
		name    string
		resp    string
		want    *pmce.Params
		wantErr bool
	}{
		{name: "first offer", resp: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8",
			want: &pmce.Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 8, ClientMaxWindowBits: 15}},
		{name: "second offer", resp: "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			want: &pmce.Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{name: "third offer", resp: "permessage-deflate",
			want: &pmce.Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{name: "third offer, client window bounded", resp: "permessage-deflate; client_max_window_bits=10",
			want: &pmce.Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 10}},
		// A window larger than the first offer allows is still a valid
		// answer to the second, which asked for no bound (RFC 7692
		// §7.1.2.1 lets a server name one anyway).
		{name: "too large for the first, valid for the second", resp: "permessage-deflate; server_no_context_takeover; server_max_window_bits=9",
			want: &pmce.Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 9, ClientMaxWindowBits: 15}},
		{name: "declined", resp: "", want: nil},
		{name: "valid for none", resp: "permessage-deflate; server_max_window_bits=16", wantErr: true},
		{name: "unknown parameter", resp: "permessage-deflate; x=1", wantErr: true},
		{name: "accepted twice", resp: "permessage-deflate; server_no_context_takeover, permessage-deflate", wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Accept": {zeroAccept}}
			if tt.resp != "" {
				h.Set("Sec-WebSocket-Extensions", tt.resp)
			}
			res, err := req.VerifyHeader(101, h)
			if tt.wantErr {
				var ee *handshake.ExtensionError
				if !errors.As(err, &ee) {
					t.Fatalf("error = %v, want an *ExtensionError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, agreedParams(t, res)); diff != "" {
				t.Errorf("agreed (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVerifyValidForNoOffer checks the error of a response that every
// offer refuses: it wraps each offer's *pmce.ParamError.
func TestVerifyValidForNoOffer(t *testing.T) {
	req := offerRequest(t, autobahn137...)
	h := http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Accept": {zeroAccept}}
	h.Set("Sec-WebSocket-Extensions", "permessage-deflate; server_max_window_bits=16")
	_, err := req.VerifyHeader(101, h)
	var pe *pmce.ParamError
	if !errors.As(err, &pe) || pe.Param != pmce.ParamServerMaxWindowBits {
		t.Fatalf("error = %v, want a *pmce.ParamError for %s", err, pmce.ParamServerMaxWindowBits)
	}
	if n := strings.Count(err.Error(), "offer "); n != 3 {
		t.Errorf("error %q names %d offers, want 3", err, n)
	}
}

// declining is a permessage-deflate server that declines every offer
// naming one of params, as a server that does not implement those
// optional parameters must (RFC 7692 §7.1.2.1, §7.1.1.1).
type declining struct {
	*pmce.Negotiator
	params []string
}

func (d declining) Negotiate(offers [][]handshake.Param) ([]handshake.Param, handshake.Negotiated, bool, error) {
	var kept [][]handshake.Param
next:
	for _, o := range offers {
		for _, p := range o {
			for _, name := range d.params {
				if strings.EqualFold(p.Name, name) {
					continue next
				}
			}
		}
		kept = append(kept, o)
	}
	return d.Negotiator.Negotiate(kept)
}

// TestHandshakeWithDecliningServers runs the handshake of a client making
// three offers against servers that support fewer and fewer of the
// optional parameters, so that each accepts a later offer, and against
// servers that change their answers, valid for some offer or for none.
func TestHandshakeWithDecliningServers(t *testing.T) {
	// Dedicated compressors on both sides, so that no class adds a
	// no-context-takeover parameter of its own to the offers or answers.
	dedicated := pmce.Dedicated(15)
	offers := []pmce.Config{
		{Send: dedicated, ServerMaxWindowBits: 10, ClientNoContextTakeover: true, ClientMaxWindowBits: 12},
		{Send: dedicated, ServerNoContextTakeover: true, ClientMaxWindowBits: 15},
		{Send: dedicated},
	}
	full, err := pmce.New(pmce.Config{Send: dedicated, Receive: dedicated})
	if err != nil {
		t.Fatal(err)
	}
	// A server that keeps no compressor: it answers server_no_context_takeover.
	shared, err := pmce.New(pmce.Config{Send: pmce.Shared, Receive: dedicated})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		server   handshake.Extension
		wantResp string
		want     *pmce.Params
		wantErr  bool
	}{
		{name: "supports every parameter: first offer", server: full,
			wantResp: "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12",
			want:     &pmce.Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 10, ClientMaxWindowBits: 12}},
		{name: "declines server_max_window_bits: second offer",
			server:   declining{full, []string{pmce.ParamServerMaxWindowBits}},
			wantResp: "permessage-deflate; server_no_context_takeover",
			want:     &pmce.Params{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{name: "declines both server parameters: third offer",
			server:   declining{full, []string{pmce.ParamServerMaxWindowBits, pmce.ParamServerNoContextTakeover}},
			wantResp: "permessage-deflate",
			want:     &pmce.Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{name: "declines client_max_window_bits: third offer",
			server:   declining{full, []string{pmce.ParamClientMaxWindowBits}},
			wantResp: "permessage-deflate",
			want:     &pmce.Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{name: "does not support permessage-deflate", server: nil, wantResp: "", want: nil},
		// Not what RFC 7692 asks of a server that does not implement
		// server_max_window_bits, but a valid answer to the second offer.
		{name: "leaves server_max_window_bits out of its answer: second offer",
			server:   rewriting{shared, without(pmce.ParamServerMaxWindowBits)},
			wantResp: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=12",
			want:     &pmce.Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 12}},
		{name: "a window larger than offered, no server_no_context_takeover: valid for none",
			server: rewriting{full, func([]handshake.Param) []handshake.Param {
				return []handshake.Param{{Name: pmce.ParamServerMaxWindowBits, Value: "11"}, {Name: pmce.ParamClientMaxWindowBits, Value: "12"}}
			}},
			wantResp: "permessage-deflate; server_max_window_bits=11; client_max_window_bits=12", wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := offerRequest(t, offers...)
			hreq := &http.Request{Method: "GET", ProtoMajor: 1, ProtoMinor: 1, Host: req.Host, Header: req.Header}
			cfg := &server.Config{}
			if tt.server != nil {
				cfg.Extensions = []handshake.Extension{tt.server}
			}
			sres, err := cfg.Accept(hreq)
			if err != nil {
				t.Fatal(err)
			}
			h := sres.Header()
			if got := h.Get("Sec-WebSocket-Extensions"); got != tt.wantResp {
				t.Fatalf("server answered %q, want %q", got, tt.wantResp)
			}
			res, err := req.VerifyHeader(sres.StatusCode(), h)
			if tt.wantErr {
				var pe *pmce.ParamError
				if !errors.As(err, &pe) {
					t.Errorf("error = %v, want a *pmce.ParamError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, agreedParams(t, res)); diff != "" {
				t.Errorf("agreed (-want +got):\n%s", diff)
			}
		})
	}
}

// rewriting is a server that accepts an offer as pmce does, then changes
// its response with edit before sending it.
type rewriting struct {
	*pmce.Negotiator
	edit func([]handshake.Param) []handshake.Param
}

func (r rewriting) Negotiate(offers [][]handshake.Param) ([]handshake.Param, handshake.Negotiated, bool, error) {
	resp, n, ok, err := r.Negotiator.Negotiate(offers)
	return r.edit(resp), n, ok, err
}

// without returns a response edit that leaves the parameter name out.
func without(name string) func([]handshake.Param) []handshake.Param {
	return func(resp []handshake.Param) []handshake.Param {
		var kept []handshake.Param
		for _, p := range resp {
			if !strings.EqualFold(p.Name, name) {
				kept = append(kept, p)
			}
		}
		return kept
	}
}
