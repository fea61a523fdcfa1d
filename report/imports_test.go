package report

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRendersOnly keeps report a renderer (issue 12): what it shows comes
// from diag's result, so it reads no raw Router Advertisement or DHCPv6
// message and imports neither parser.
func TestRendersOnly(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasSuffix(path, "/v6diag/ndp") || strings.HasSuffix(path, "/v6diag/dhcpv6") {
				t.Errorf("%s imports %s: diag derives what a report shows from messages", name, path)
			}
		}
	}
}
