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
