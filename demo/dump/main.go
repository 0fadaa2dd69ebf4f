// Command dump prints the WebSocket frames in a file, one line each.
//
//	go run ./demo/dump FILE      # or read standard input when FILE is - or absent
//	go run ./demo/dump -messages FILE
//	go run ./demo/dump -inflate FILE
//
// The input is raw frames as they cross the wire, such as a Streamer's
// writes to a file, or demo/client's -record output: the server's handshake
// response, which dump shows as one line (status, subprotocol, extensions),
// and the frames behind it. Each line shows the frame's offset, opcode, FIN
// and RSV bits, whether it is masked, its length and a printable preview of
// its payload (compressed data in hex). -messages prints reassembled
// messages instead.
//
// -inflate prints messages (it implies -messages) and shows those
// compressed with permessage-deflate (RFC 7692: RSV1 set on the first
// frame) inflated, with their length inflated and on the wire (deflated=).
// Each direction (masked frames, unmasked frames) is inflated as one
// stream, in order, so context takeover is followed; no parameter is
// needed, as a full 32 KiB window inflates what any agreed window and
// takeover setting produced. A recording that starts after the
// connection's first compressed message cannot be inflated under context
// takeover.
//
// Corrupt or truncated input ends with the parser's (or the decompressor's)
// typed error and the offset of the frame where it happened, and exit
// status 1.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/parser"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	messages := fs.Bool("messages", false, "print reassembled messages instead of frames")
	inflate := fs.Bool("inflate", false, "show permessage-deflate messages inflated (implies -messages)")
	lenient := fs.Bool("lenient", false, "show frames that break the protocol's rules instead of stopping at them")
	preview := fs.Int("preview", 40, "bytes of each payload to show")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dump [-messages] [-inflate] [-lenient] [-preview N] [FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	in := stdin
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, "dump:", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()

	cr := &countingReader{r: in}
	br := bufio.NewReader(cr)
	// Payloads stream, so any size is fine; RSV bits are shown, not judged,
	// since a recording need not say which extensions were agreed.
	opts := []parser.Option{parser.MaxPayload(1 << 47), parser.AllowRsv(frame.Rsv1 | frame.Rsv2 | frame.Rsv3)}
	if *lenient {
		opts = append(opts, parser.AllowIllegal())
	}
	d := &dumper{p: parser.New(br, opts...), cr: cr, br: br, out: out, preview: *preview, inflate: *inflate}
	err := d.handshake()
	switch {
	case err != nil:
	case *messages || *inflate:
		err = d.messages()
	default:
		err = d.frames()
	}
	if err != nil {
		out.Flush()
		fmt.Fprintf(stderr, "dump: at offset %d: %v\n", d.start, err)
		return 1
	}
	return 0
}

// countingReader counts the bytes read, so an error can name its offset.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
