package conformance

import (
	"context"
	"testing"
)

// TestGraderCatchesBrokenServer runs a few cases against a server that
// checks nothing and echoes frame by frame: the grading must fail them.
func TestGraderCatchesBrokenServer(t *testing.T) {
	addr, stop, err := refServer{lax: true}.StartServer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	want := map[string]bool{ // case → must fail
		"1.1.1": false, "2.2": false, "3.1": true, "4.1.1": true, "5.3": false,
		"5.9": true, "6.3.1": true, "6.8.1": true, "6.5.1": false, "7.3.6": true,
	}
	var cases []*Case
	for _, c := range AllCases() {
		if _, ok := want[c.ID]; ok {
			cases = append(cases, c)
		}
	}
	for _, r := range RunServerSuite(context.Background(), addr, cases, 8) {
		if r.Failed() != want[r.ID] {
			t.Errorf("%s: failed=%v, want %v: %s", r.ID, r.Failed(), want[r.ID], Describe(r))
		} else {
			t.Logf("%s", Describe(r))
		}
	}
}
