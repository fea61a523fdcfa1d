package uciconfig

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{name: "equal", old: "a\nb\n", new: "a\nb\n", want: ""},
		{name: "both empty", old: "", new: "", want: ""},
		{
			name: "insert in the middle",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n", new: "1\n2\n3\n4\nX\n5\n6\n7\n8\n",
			want: "--- a\n+++ b\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+X\n 5\n 6\n 7\n",
		},
		{
			name: "change: deletion before insertion",
			old:  "a\nb\nc\n", new: "a\nB\nc\n",
			want: "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
		},
		{
			name: "from empty",
			old:  "", new: "x\n",
			want: "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n",
		},
		{
			name: "to empty",
			old:  "x\ny\n", new: "",
			want: "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n",
		},
		{
			name: "no newline at the end",
			old:  "a\nb", new: "a\nb\nc",
			want: "--- a\n+++ b\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n\\ No newline at end of file\n",
		},
		{
			// Found by FuzzUnifiedDiff: the removed line "-- " prints as
			// "--- ", which only the hunk's line count tells from a header.
			name: "removed line that reads like a header",
			old:  "-- ", new: "0",
			want: "--- a\n+++ b\n@@ -1 +1 @@\n--- \n\\ No newline at end of file\n+0\n\\ No newline at end of file\n",
		},
		{
			name: "two hunks far apart",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", new: "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n",
			want: "--- a\n+++ b\n@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n@@ -10,3 +11,4 @@\n 10\n 11\n 12\n+13\n",
		},
		{
			name: "changes six lines apart share a hunk",
			old:  "a\n1\n2\n3\n4\n5\n6\nb\n", new: "A\n1\n2\n3\n4\n5\n6\nB\n",
			want: "--- a\n+++ b\n@@ -1,8 +1,8 @@\n-a\n+A\n 1\n 2\n 3\n 4\n 5\n 6\n-b\n+B\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(UnifiedDiff("a", "b", []byte(tt.old), []byte(tt.new)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnifiedDiffWithPatch applies each suggestion's diff with GNU
// patch(1), strictly (no fuzz factor), and checks it gives the
// suggestion: the diff is one a user can apply. (It need not equal GNU
// diff's byte for byte: where an added block starts is a free choice.)
func TestUnifiedDiffWithPatch(t *testing.T) {
	patch, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("GNU patch not installed")
	}
	files := corpus(t)
	for _, tc := range suggestCases {
		t.Run(tc.name, func(t *testing.T) {
			in := files[tc.config]
			sg, err := Suggest(in, tc.advice)
			if err != nil {
				t.Fatal(err)
			}
			if !sg.Changed() {
				t.Skip("nothing changed")
			}
			// Masked on both sides, as the diff is.
			a := mustParse(t, string(in)).Masked()
			dir := t.TempDir()
			pa, pd, po := filepath.Join(dir, "network"), filepath.Join(dir, "network.diff"), filepath.Join(dir, "out")
			if err := os.WriteFile(pa, a, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(pd, sg.Diff("/etc/config/network", "network.suggested"), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(patch, "--fuzz=0", "--batch", "-o", po, "-i", pd, pa).CombinedOutput()
			if err != nil {
				t.Fatalf("patch: %v\n%s", err, out)
			}
			got, err := os.ReadFile(po)
			if err != nil {
				t.Fatal(err)
			}
			if want := sg.Masked(); !bytes.Equal(got, want) {
				t.Errorf("patched file differs (-want +got):\n%s", cmp.Diff(string(want), string(got)))
			}
		})
	}
}

// FuzzUnifiedDiff checks that the diff of any two texts, applied to the
// first, gives the second.
func FuzzUnifiedDiff(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nc\nd"))
	f.Add([]byte(""), []byte("x"))
	f.Add([]byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n"), []byte("0\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if len(a) > 4096 || len(b) > 4096 {
			return
		}
		d := UnifiedDiff("a", "b", a, b)
		if bytes.Equal(a, b) != (d == nil) {
			t.Fatalf("equal %v but diff %q", bytes.Equal(a, b), d)
		}
		if d == nil {
			return
		}
		if got := applyDiff(t, a, d); !bytes.Equal(got, b) {
			t.Fatalf("patched %q, want %q\ndiff:\n%s", got, b, d)
		}
		if !strings.HasPrefix(string(d), "--- a\n+++ b\n@@ ") {
			t.Fatalf("bad header: %q", d)
		}
	})
}
