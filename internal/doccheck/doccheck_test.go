// Package doccheck holds a test that keeps the Go code shown in the
// documentation compiled: every Go block of README.md and docs/ must stand,
// line for line, in a Go file of the repository (an Example, a guide's
// program, a demo), so that it cannot rot.
package doccheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// root is the repository's root, two levels up.
const root = "../.."

// goBlocks returns the ```go blocks of a markdown text, with the line each
// starts on.
func goBlocks(md string) (blocks []string, lines []int) {
	var cur []string
	in := false
	for i, l := range strings.Split(md, "\n") {
		switch {
		case !in && strings.TrimSpace(l) == "```go":
			in, cur = true, nil
			lines = append(lines, i+2)
		case in && strings.TrimSpace(l) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, l)
		}
	}
	return blocks, lines
}

// normalize drops blank lines and the indentation of every line, so that a
// block may show a function's body without its tabs.
func normalize(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestDocsCodeIsCompiled(t *testing.T) {
	var sources []string
	var docs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		switch {
		case strings.HasSuffix(path, ".go"):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sources = append(sources, normalize(string(b)))
		case strings.HasSuffix(path, ".md") && (path == filepath.Join(root, "README.md") || strings.HasPrefix(path, filepath.Join(root, "docs"))):
			docs = append(docs, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		blocks, lines := goBlocks(string(b))
		for i, block := range blocks {
			want := normalize(block)
			found := false
			for _, src := range sources {
				if strings.Contains(src, want) {
					found = true
					break
				}
			}
			checked++
			if !found {
				rel, _ := filepath.Rel(root, doc)
				t.Errorf("%s:%d: this Go block stands in no Go file of the repository; make it a compiled Example or part of a tested program", rel, lines[i])
			}
		}
	}
	if checked == 0 {
		t.Fatal("no Go blocks found: the walk is broken")
	}
	t.Logf("%d Go blocks in %d documents checked", checked, len(docs))
}
