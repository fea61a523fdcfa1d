package uciconfig

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/fuzz/FuzzParse seeds from testdata/*.network")

// FuzzParse checks that Parse never panics, that whatever it accepts comes
// back byte for byte from Bytes, that its errors are line-numbered
// SyntaxErrors, and that edits render to a file which parses back to the
// edited values.
func FuzzParse(f *testing.F) {
	// The testdata configs are seeds through testdata/fuzz/FuzzParse; these
	// add the corners of the grammar.
	for _, s := range []string{
		"",
		"config x\n\toption a 'b'\"c\"d\\ e # f\n",
		"c x 'y'; o a b; l c d\r\n",
		"config x 'y' '' option a b;option c d\n",
		"config x\n\toption a 'multi\nline'\n\toption b one\\\ntwo\n",
		"config x\n\toption a 'unterminated\n",
		"package network\nconfig x\n\toption a \"\\\"\"\n",
		"config x\n\toption a b c\n",
		"\\",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse(b)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse error %v is not a *SyntaxError wrapping ErrSyntax", err)
			}
			if lines := bytes.Count(b, []byte("\n")) + 1; se.Line < 1 || se.Line > lines {
				t.Fatalf("error on line %d of a %d-line input: %v", se.Line, lines, err)
			}
			return
		}
		if got := file.Bytes(); !bytes.Equal(got, b) {
			t.Fatalf("Bytes() != input\ninput: %q\nbytes: %q", b, got)
		}

		// Edit every section: change its first option, delete its last,
		// add one. The output must parse to exactly the edited model.
		for _, s := range file.Sections() {
			if len(s.body) > 0 {
				if err := s.SetOption(s.body[0].name, "v'1\n#;\\", "fuzz edit"); err != nil {
					t.Fatal(err)
				}
			}
			if len(s.body) > 1 {
				s.DeleteOption(s.body[len(s.body)-1].name)
			}
			if err := s.SetOption("v6diag_fuzz", "new", ""); err != nil {
				t.Fatal(err)
			}
		}
		out := file.Bytes()
		re, err := Parse(out)
		if err != nil {
			t.Fatalf("edited output does not parse: %v\ninput:  %q\noutput: %q", err, b, out)
		}
		if diff := cmp.Diff(viewValues(file), viewValues(re)); diff != "" {
			t.Fatalf("edited output parses differently (-edited +reparsed):\n%s\ninput:  %q\noutput: %q", diff, b, out)
		}
	})
}

// TestFuzzSeeds keeps one seed per testdata config, so `go test` runs
// FuzzParse over the whole corpus and `-fuzz` starts from it.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	for name, b := range corpus(t) {
		path := filepath.Join(dir, "seed_"+strings.TrimSuffix(name, ".network"))
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("missing seed for testdata/%s (run go test -run TestFuzzSeeds -update): %v", name, err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s is out of date with testdata/%s (run go test -run TestFuzzSeeds -update)", path, name)
		}
	}
}
