package handshake_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wskit/wskit/handshake"
	"github.com/wskit/wskit/handshake/internal/exttest"
)

func TestOfferExtensions(t *testing.T) {
	exts := []handshake.Extension{
		&exttest.Ext{ExtName: "a", Params: []P{{"x", "1"}}},
		&exttest.Ext{ExtName: "b"},
	}
	want := []O{{Name: "a", Params: []P{{"x", "1"}}}, {Name: "b"}}
	if diff := cmp.Diff(want, handshake.OfferExtensions(exts)); diff != "" {
		t.Errorf("OfferExtensions (-want +got):\n%s", diff)
	}
}

func TestAcceptExtensions(t *testing.T) {
	offered := []handshake.Extension{
		&exttest.Ext{ExtName: "a", Bits: 0x40},
		&exttest.Ext{ExtName: "b", Bits: 0x20},
		&exttest.Ext{ExtName: "c", Bits: 0x40},
		&exttest.Ext{ExtName: "d", Bits: 0x80},
	}
	for _, tt := range []struct {
		name    string
		resp    []O
		want    []handshake.Negotiated
		wantErr error
	}{
		{"none", nil, nil, nil},
		{"in response order", []O{{Name: "b"}, {Name: "A", Params: []P{{"p", ""}}}},
			[]handshake.Negotiated{&exttest.Agreed{Name: "b", Bits: 0x20}, &exttest.Agreed{Name: "a", Params: []P{{"p", ""}}, Bits: 0x40}}, nil},
		{"unknown", []O{{Name: "z"}}, nil, handshake.ErrUnknownExtension},
		{"twice", []O{{Name: "a"}, {Name: "a"}}, nil, handshake.ErrUnknownExtension},
		{"refused", []O{{Name: "a", Params: []P{{"bad", ""}}}}, nil, exttest.ErrRefused},
		{"rsv conflict", []O{{Name: "a"}, {Name: "c"}}, nil, handshake.ErrExtensionConflict},
		{"not an rsv bit", []O{{Name: "d"}}, nil, handshake.ErrExtensionConflict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := handshake.AcceptExtensions(offered, tt.resp)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				var ee *handshake.ExtensionError
				if !errors.As(err, &ee) {
					t.Errorf("error %T is not *ExtensionError", err)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestAcceptExtensionsSeveralOffers checks a response against a client
// that offered one extension three times: the response may accept any of
// the offers, and the agreed instance must be the one of the offer it
// matches, the first in the client's order when it matches several.
func TestAcceptExtensionsSeveralOffers(t *testing.T) {
	offer := func(tag string, params ...P) handshake.Extension {
		return &exttest.Ext{ExtName: "m", Params: params, Bits: 0x40, Strict: true, Tag: tag}
	}
	first := []P{{"s", ""}, {"w", "8"}}
	second := []P{{"s", ""}}
	offered := []handshake.Extension{
		offer("first", first...),
		&exttest.Ext{ExtName: "other", Bits: 0x20},
		offer("second", second...),
		offer("third"),
	}
	agreed := func(tag string, params []P) []handshake.Negotiated {
		return []handshake.Negotiated{&exttest.Agreed{Name: "m", Params: params, Bits: 0x40, Tag: tag}}
	}
	for _, tt := range []struct {
		name    string
		offered []handshake.Extension
		resp    []O
		want    []handshake.Negotiated
		wantErr []error // each must match, with errors.Is
	}{
		{name: "first offer", offered: offered, resp: []O{{Name: "m", Params: first}}, want: agreed("first", first)},
		{name: "second offer", offered: offered, resp: []O{{Name: "m", Params: second}}, want: agreed("second", second)},
		{name: "third offer", offered: offered, resp: []O{{Name: "M"}}, want: agreed("third", nil)},
		{name: "name case", offered: offered, resp: []O{{Name: "M", Params: second}}, want: agreed("second", second)},
		{name: "several match: the first in the client's order",
			offered: []handshake.Extension{offer("a"), &exttest.Ext{ExtName: "m", Bits: 0x40, Tag: "b"}},
			resp:    []O{{Name: "m"}}, want: agreed("a", nil)},
		{name: "with another extension", offered: offered, resp: []O{{Name: "other"}, {Name: "m", Params: second}},
			want: append([]handshake.Negotiated{&exttest.Agreed{Name: "other", Bits: 0x20}}, agreed("second", second)...)},
		{name: "matches none", offered: offered, resp: []O{{Name: "m", Params: []P{{"w", "8"}}}},
			wantErr: []error{exttest.ErrMismatch}},
		{name: "refused by every offer, each refusal kept",
			offered: []handshake.Extension{offer("a"), &exttest.Ext{ExtName: "m", Bits: 0x40}},
			resp:    []O{{Name: "m", Params: []P{{"bad", ""}}}},
			wantErr: []error{exttest.ErrMismatch, exttest.ErrRefused}},
		{name: "accepted twice", offered: offered, resp: []O{{Name: "m", Params: second}, {Name: "m"}},
			wantErr: []error{handshake.ErrUnknownExtension}},
		{name: "accepted twice, names in other case", offered: offered, resp: []O{{Name: "m"}, {Name: "M", Params: first}},
			wantErr: []error{handshake.ErrUnknownExtension}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := handshake.AcceptExtensions(tt.offered, tt.resp)
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("error = %v, want one matching %v", err, want)
				}
			}
			if err != nil {
				if len(tt.wantErr) == 0 {
					t.Fatalf("error = %v, want none", err)
				}
				var ee *handshake.ExtensionError
				if !errors.As(err, &ee) || ee.Name != tt.resp[len(tt.resp)-1].Name {
					t.Errorf("error %#v is not an *ExtensionError naming %q", err, tt.resp[len(tt.resp)-1].Name)
				}
				return
			}
			if len(tt.wantErr) > 0 {
				t.Fatalf("no error, want %v", tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAcceptExtensionsErrorText(t *testing.T) {
	offered := []handshake.Extension{
		&exttest.Ext{ExtName: "m", Strict: true, Params: []P{{"s", ""}}},
		&exttest.Ext{ExtName: "m", Strict: true},
	}
	_, err := handshake.AcceptExtensions(offered, []O{{Name: "m", Params: []P{{"x", ""}}}})
	want := `handshake: extension "m": accepted by none of the 2 offers; ` +
		"offer 1: exttest: response does not match the offer; offer 2: exttest: response does not match the offer"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestNegotiateExtensions(t *testing.T) {
	supported := []handshake.Extension{
		&exttest.Ext{ExtName: "a", Bits: 0x40},
		&exttest.Ext{ExtName: "b", Bits: 0x20},
		&exttest.Ext{ExtName: "c", Bits: 0x40},
	}
	for _, tt := range []struct {
		name       string
		offers     []O
		wantResp   []O
		wantAgreed []handshake.Negotiated
		wantErr    error
	}{
		{"none", nil, nil, nil, nil},
		{"unsupported skipped", []O{{Name: "z"}}, nil, nil, nil},
		{"client order", []O{{Name: "b"}, {Name: "z"}, {Name: "a"}},
			[]O{{Name: "b"}, {Name: "a"}},
			[]handshake.Negotiated{&exttest.Agreed{Name: "b", Bits: 0x20}, &exttest.Agreed{Name: "a", Bits: 0x40}}, nil},
		{"second offer of same name", []O{{Name: "a", Params: []P{{"reject", ""}}}, {Name: "b"}, {Name: "a", Params: []P{{"x", "1"}}}},
			[]O{{Name: "a", Params: []P{{"x", "1"}}}, {Name: "b"}},
			[]handshake.Negotiated{&exttest.Agreed{Name: "a", Params: []P{{"x", "1"}}, Bits: 0x40}, &exttest.Agreed{Name: "b", Bits: 0x20}}, nil},
		{"declined", []O{{Name: "a", Params: []P{{"reject", ""}}}}, nil, nil, nil},
		{"rsv conflict drops later", []O{{Name: "c"}, {Name: "a"}},
			[]O{{Name: "c"}}, []handshake.Negotiated{&exttest.Agreed{Name: "c", Bits: 0x40}}, nil},
		{"error", []O{{Name: "a", Params: []P{{"fail", ""}}}}, nil, nil, exttest.ErrRefused},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, agreed, err := handshake.NegotiateExtensions(supported, tt.offers)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantResp, resp); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAgreed, agreed); diff != "" {
				t.Errorf("agreed (-want +got):\n%s", diff)
			}
		})
	}
}
