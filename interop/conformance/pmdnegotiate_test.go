package conformance

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseExtensions(t *testing.T) {
	tests := []struct {
		in      []string
		want    []extElem
		wantErr bool
	}{
		{in: []string{"permessage-deflate"}, want: []extElem{{name: "permessage-deflate"}}},
		{in: []string{"permessage-deflate; client_max_window_bits, permessage-deflate;server_max_window_bits=10"}, want: []extElem{
			{name: "permessage-deflate", params: []extParam{{name: "client_max_window_bits"}}},
			{name: "permessage-deflate", params: []extParam{{name: "server_max_window_bits", value: "10", hasValue: true}}},
		}},
		{in: []string{"a", " , b ; x = \"12\" "}, want: []extElem{{name: "a"}, {name: "b", params: []extParam{{name: "x", value: "12", hasValue: true}}}}},
		{in: []string{""}, want: nil},
		{in: []string{"a; x=\"1 2\""}, wantErr: true},
		{in: []string{"a; =1"}, wantErr: true},
		{in: []string{"a b"}, wantErr: true},
		{in: []string{"a; x=\"12"}, wantErr: true},
	}
	for _, tc := range tests {
		got, err := parseExtensions(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: error %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(extElem{}, extParam{})); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestOfferHeader(t *testing.T) {
	got := pmdParamSets[6].offerHeader()
	want := "permessage-deflate; client_max_window_bits; server_no_context_takeover; server_max_window_bits=8, " +
		"permessage-deflate; client_max_window_bits; server_no_context_takeover, permessage-deflate; client_max_window_bits"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestClientAgree checks the fuzzing client's check of a server's
// response against its offers (RFC 7692 §7.1).
func TestClientAgree(t *testing.T) {
	opt := cmp.AllowUnexported(pmdAgreement{})
	tests := []struct {
		name    string
		spec    int // index in pmdParamSets
		resp    string
		want    *pmdAgreement
		wantErr bool
	}{
		{name: "declined", spec: 0, resp: "", want: nil},
		{name: "default", spec: 0, resp: "permessage-deflate", want: &pmdAgreement{txBits: 15, rxBits: 15, header: "permessage-deflate"}},
		{name: "server may add its own limits", spec: 0, resp: "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_no_context_takeover; client_max_window_bits=10",
			want: &pmdAgreement{txNoTakeover: true, txBits: 10, rxNoTakeover: true, rxBits: 9,
				header: "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_no_context_takeover; client_max_window_bits=10"}},
		{name: "server_no_context_takeover missing", spec: 1, resp: "permessage-deflate", wantErr: true},
		{name: "server_max_window_bits missing", spec: 2, resp: "permessage-deflate", wantErr: true},
		{name: "server_max_window_bits larger", spec: 2, resp: "permessage-deflate; server_max_window_bits=9", wantErr: true},
		{name: "server_max_window_bits=15 offered, left out", spec: 3, resp: "permessage-deflate",
			want: &pmdAgreement{txBits: 15, rxBits: 15, header: "permessage-deflate"}},
		{name: "server_max_window_bits equal", spec: 2, resp: "permessage-deflate; server_max_window_bits=8",
			want: &pmdAgreement{txBits: 15, rxBits: 8, header: "permessage-deflate; server_max_window_bits=8"}},
		{name: "13.7 first offer", spec: 6, resp: "permessage-deflate; server_no_context_takeover; server_max_window_bits=8",
			want: &pmdAgreement{txBits: 15, rxNoTakeover: true, rxBits: 8, header: "permessage-deflate; server_no_context_takeover; server_max_window_bits=8"}},
		{name: "13.7 last offer", spec: 6, resp: "permessage-deflate",
			want: &pmdAgreement{txBits: 15, rxBits: 15, header: "permessage-deflate"}},
		{name: "client_max_window_bits without value", spec: 0, resp: "permessage-deflate; client_max_window_bits", wantErr: true},
		{name: "window 7", spec: 0, resp: "permessage-deflate; server_max_window_bits=7", wantErr: true},
		{name: "leading zero", spec: 0, resp: "permessage-deflate; server_max_window_bits=09", wantErr: true},
		{name: "unknown parameter", spec: 0, resp: "permessage-deflate; foo", wantErr: true},
		{name: "repeated parameter", spec: 0, resp: "permessage-deflate; server_no_context_takeover; server_no_context_takeover", wantErr: true},
		{name: "value on a flag", spec: 0, resp: "permessage-deflate; client_no_context_takeover=1", wantErr: true},
		{name: "two extensions", spec: 0, resp: "permessage-deflate, permessage-deflate", wantErr: true},
		{name: "not offered", spec: 0, resp: "x-webkit-deflate-frame", wantErr: true},
	}
	for _, tc := range tests {
		var values []string
		if tc.resp != "" {
			values = []string{tc.resp}
		}
		got, err := pmdParamSets[tc.spec].clientAgree(values)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: error %v, want error %v", tc.name, err, tc.wantErr)
			continue
		}
		if diff := cmp.Diff(tc.want, got, opt); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestServerAgree checks the fuzzing server's acceptances, Autobahn's
// accept1 to accept7, against what clients offer.
func TestServerAgree(t *testing.T) {
	const plain = "permessage-deflate"
	const withBits = "permessage-deflate; client_max_window_bits"
	tests := []struct {
		spec   int
		offers string
		want   string // the response; "" declines
		tx, rx [2]int // noTakeover (0/1) and bits
	}{
		{0, plain, "permessage-deflate", [2]int{0, 15}, [2]int{0, 15}},
		{1, plain, "permessage-deflate; client_no_context_takeover", [2]int{0, 15}, [2]int{1, 15}},
		{2, plain, "", [2]int{}, [2]int{}},
		{2, withBits, "permessage-deflate; client_max_window_bits=8", [2]int{0, 15}, [2]int{0, 8}},
		{3, plain, "", [2]int{}, [2]int{}},
		{3, withBits, "permessage-deflate; client_max_window_bits=15", [2]int{0, 15}, [2]int{0, 15}},
		{4, plain, "", [2]int{}, [2]int{}},
		{4, withBits, "permessage-deflate; client_no_context_takeover; client_max_window_bits=8", [2]int{0, 15}, [2]int{1, 8}},
		{5, "permessage-deflate; client_max_window_bits=12", "permessage-deflate; client_no_context_takeover; client_max_window_bits=12", [2]int{0, 15}, [2]int{1, 12}},
		{6, plain, "permessage-deflate; client_no_context_takeover", [2]int{0, 15}, [2]int{1, 15}},
		{6, plain + "; server_no_context_takeover; server_max_window_bits=10, " + withBits,
			"permessage-deflate; client_no_context_takeover; client_max_window_bits=8", [2]int{0, 15}, [2]int{1, 8}},
		{0, plain + "; server_no_context_takeover; server_max_window_bits=10",
			"permessage-deflate; server_no_context_takeover; server_max_window_bits=10", [2]int{1, 10}, [2]int{0, 15}},
		{0, "permessage-deflate; foo, " + plain, "permessage-deflate", [2]int{0, 15}, [2]int{0, 15}},
		{0, "x-other", "", [2]int{}, [2]int{}},
	}
	b := map[bool]int{false: 0, true: 1}
	for _, tc := range tests {
		got, err := pmdParamSets[tc.spec].serverAgree([]string{tc.offers})
		if err != nil {
			t.Errorf("13.%d %q: %v", tc.spec+1, tc.offers, err)
			continue
		}
		var resp string
		var tx, rx [2]int
		if got != nil {
			resp = got.header
			tx, rx = [2]int{b[got.txNoTakeover], got.txBits}, [2]int{b[got.rxNoTakeover], got.rxBits}
		}
		if diff := cmp.Diff([]any{tc.want, tc.tx, tc.rx}, []any{resp, tx, rx}); diff != "" {
			t.Errorf("13.%d %q (-want +got):\n%s", tc.spec+1, tc.offers, diff)
		}
	}
	if _, err := pmdParamSets[0].serverAgree([]string{"permessage-deflate;"}); err == nil {
		t.Error("a header that does not parse: no error")
	}
}
