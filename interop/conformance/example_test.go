package conformance_test

import (
	"fmt"
	"strings"

	"github.com/wskit/wskit/interop/conformance"
)

// AllCases lists the Autobahn-style cases, each with its identifier and
// what it checks; here, how many there are in each category.
func ExampleAllCases() {
	counts := map[string]int{}
	var order []string
	for _, c := range conformance.AllCases() {
		cat, _, _ := strings.Cut(c.ID, ".")
		if counts[cat] == 0 {
			order = append(order, cat)
		}
		counts[cat]++
	}
	for _, cat := range order {
		fmt.Printf("category %s: %d cases\n", cat, counts[cat])
	}
	// Output:
	// category 1: 16 cases
	// category 2: 11 cases
	// category 3: 7 cases
	// category 4: 10 cases
	// category 5: 20 cases
	// category 6: 145 cases
	// category 7: 37 cases
	// category 9: 54 cases
	// category 10: 1 cases
	// category 12: 90 cases
	// category 13: 126 cases
}
