package xconnect_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/wskit/wskit/demo/h3/internal/xconnect"
)

// Importing the package is all it takes: GODEBUG holds the setting before
// net/http reads it.
func Example() {
	fmt.Println(strings.Contains(os.Getenv("GODEBUG"), xconnect.Setting))
	// Output: true
}
