// Command report runs the conformance suite in both roles and writes
// docs/conformance.md.
//
//	cd interop && go run ./conformance/cmd/report [-o ../docs/conformance.md] [-target auto|demo|ref]
//
// It runs the suite's tests (go test ./conformance -report FILE), which
// pick the targets: the demo binaries demo/echo and demo/client when they
// exist in the checkout, the in-process reference targets otherwise.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	out := flag.String("o", "", "the report file (default: docs/conformance.md of the main module)")
	target := flag.String("target", "auto", "auto, demo or ref (see the conformance tests' -target flag)")
	flag.Parse()

	root, err := interopRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(2)
	}
	if *out == "" {
		*out = filepath.Join(root, "..", "docs", "conformance.md")
	}
	abs, err := filepath.Abs(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(2)
	}
	cmd := exec.Command("go", "test", "./conformance", "-count=1", "-v",
		"-run", "^(TestServerRole|TestClientRole)$",
		"-args", "-report", abs, "-target", *target)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Run()
	if _, serr := os.Stat(abs); serr == nil {
		fmt.Println("report written to", abs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "report: the suite reported failures:", err)
		os.Exit(1)
	}
}

// interopRoot finds the interop module's directory from the working
// directory upwards.
func interopRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "conformance", "conformance_test.go")); err == nil {
			return d, nil
		}
		if _, err := os.Stat(filepath.Join(d, "interop", "conformance", "conformance_test.go")); err == nil {
			return filepath.Join(d, "interop"), nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("run it inside the wskit checkout (interop/conformance not found)")
		}
		d = parent
	}
}
