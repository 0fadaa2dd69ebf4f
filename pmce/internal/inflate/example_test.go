package inflate_test

import (
	"bytes"
	"fmt"

	"github.com/klauspost/compress/flate"
	"github.com/wskit/wskit/pmce/internal/inflate"
)

func Example() {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestSpeed)
	w.Write([]byte("hello, hello, hello"))
	w.Close()

	var d inflate.Decoder // keep it (or pool it): it is reused
	out, err := d.Decode(nil, buf.Bytes(), nil, 1<<20)
	fmt.Printf("%q %v\n", out, err)

	// Over the limit, Decode stops at limit+1 bytes.
	out, err = d.Decode(out[:0], buf.Bytes(), nil, 5)
	fmt.Printf("%q %v\n", out, err)
	// Output:
	// "hello, hello, hello" <nil>
	// "hello," inflate: data over the limit
}
