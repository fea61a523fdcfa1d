package uciconfig

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corpus returns the testdata configs by file name.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.network"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no testdata/*.network files")
	}
	out := make(map[string][]byte)
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(name)] = b
	}
	return out
}

func TestRoundTripCorpus(t *testing.T) {
	for name, b := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			f, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := f.Bytes(); !bytes.Equal(got, b) {
				t.Errorf("Bytes() differs from input (-want +got):\n%s", cmp.Diff(string(b), string(got)))
			}
		})
	}
}

// sectionView is what a test compares: a section's identity and the
// effective value of each option it has.
type sectionView struct {
	Type, Name string
	Index      int
	Line       int
	Options    map[string]string   // plain options
	Lists      map[string][]string // list options
}

func view(f *File) []sectionView {
	var out []sectionView
	for _, s := range f.Sections() {
		v := sectionView{Type: s.Type, Name: s.Name, Index: s.Index, Line: s.Line}
		seen := make(map[string]bool)
		for _, n := range s.body {
			if seen[n.name] {
				continue
			}
			seen[n.name] = true
			if o, ok := s.Option(n.name); ok {
				if v.Options == nil {
					v.Options = make(map[string]string)
				}
				v.Options[n.name] = o
			} else if l := s.List(n.name); l != nil {
				if v.Lists == nil {
					v.Lists = make(map[string][]string)
				}
				v.Lists[n.name] = l
			}
		}
		out = append(out, v)
	}
	return out
}

func TestParseValues(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []sectionView
	}{
		{
			name: "canonical",
			in:   "config interface 'wan'\n\toption proto 'dhcp'\n",
			want: []sectionView{{Type: "interface", Name: "wan", Line: 1, Options: map[string]string{"proto": "dhcp"}}},
		},
		{
			name: "bare and double quoted",
			in:   "config interface wan\n  option proto \"dhcp\"\n  option device eth0.2\n",
			want: []sectionView{{Type: "interface", Name: "wan", Line: 1, Options: map[string]string{"proto": "dhcp", "device": "eth0.2"}}},
		},
		{
			name: "adjacent parts concatenate",
			in:   "config x\n\toption a 'x'\"y\"z\n\toption b a'b c'd\n",
			want: []sectionView{{Type: "x", Line: 1, Options: map[string]string{"a": "xyz", "b": "ab cd"}}},
		},
		{
			name: "escaped single quote as uci writes it",
			in:   "config x\n\toption a 'it'\\''s'\n",
			want: []sectionView{{Type: "x", Line: 1, Options: map[string]string{"a": "it's"}}},
		},
		{
			name: "backslash escapes outside single quotes only",
			in:   "config x\n\toption a \"q\\\"q\\\\\"\n\toption b 'q\\n'\n\toption c a\\ b\\#\\;\n",
			want: []sectionView{{Type: "x", Line: 1, Options: map[string]string{"a": `q"q\`, "b": `q\n`, "c": "a b#;"}}},
		},
		{
			name: "comments at line start and after values",
			in:   "# head\n  # indented\nconfig x # c1\n\toption a b # c2\n\toption c d#e\n\toption f 'g#h'\n#tail",
			want: []sectionView{{Type: "x", Line: 3, Options: map[string]string{"a": "b", "c": "d", "f": "g#h"}}},
		},
		{
			name: "lists",
			in:   "config device\n\tlist ports 'lan1'\n\tlist ports lan2\n\tl ports \"lan3\"\n",
			want: []sectionView{{Type: "device", Line: 1, Lists: map[string][]string{"ports": {"lan1", "lan2", "lan3"}}}},
		},
		{
			name: "list after option extends it, option after list replaces it",
			in:   "config x\n\toption a 1\n\tlist a 2\n\tlist b 1\n\toption b 2\n",
			want: []sectionView{{Type: "x", Line: 1, Options: map[string]string{"b": "2"}, Lists: map[string][]string{"a": {"1", "2"}}}},
		},
		{
			name: "empty option value changes nothing, later option wins",
			in:   "config x\n\toption a 1\n\toption a ''\n\toption b 1\n\toption b 2\n",
			want: []sectionView{{Type: "x", Line: 1, Options: map[string]string{"a": "1", "b": "2"}}},
		},
		{
			name: "crlf",
			in:   "config interface 'wan'\r\n\toption proto 'dhcp'\r\n\toption device wan\r\n",
			want: []sectionView{{Type: "interface", Name: "wan", Line: 1, Options: map[string]string{"proto": "dhcp", "device": "wan"}}},
		},
		{
			name: "multi-line quoted value",
			in:   "config x\n\toption a 'one\ntwo'\n\toption b \"three\r\nfour\"\nconfig y\n",
			want: []sectionView{
				{Type: "x", Line: 1, Options: map[string]string{"a": "one\ntwo", "b": "three\r\nfour"}},
				{Type: "y", Line: 6},
			},
		},
		{
			name: "backslash continuation",
			in:   "config x\n\toption a one\\\ntwo\n\toption b \"three\\\r\nfour\"\nconfig y\n",
			want: []sectionView{
				{Type: "x", Line: 1, Options: map[string]string{"a": "onetwo", "b": "threefour"}},
				{Type: "y", Line: 6},
			},
		},
		{
			name: "semicolons and abbreviations",
			in:   "c interface 'wan6'; o device '@wan'; o proto dhcpv6\n\toption a b ; list c d # x\n",
			want: []sectionView{{Type: "interface", Name: "wan6", Line: 1,
				Options: map[string]string{"device": "@wan", "proto": "dhcpv6", "a": "b"},
				Lists:   map[string][]string{"c": {"d"}}}},
		},
		{
			name: "anonymous sections and indexes per type",
			in:   "config device\nconfig interface lan\nconfig device ''\nconfig device 'named'\n",
			want: []sectionView{
				{Type: "device", Line: 1},
				{Type: "interface", Name: "lan", Line: 2},
				{Type: "device", Index: 1, Line: 3},
				{Type: "device", Name: "named", Index: 2, Line: 4},
			},
		},
		{
			name: "package statement",
			in:   "package network\n\nconfig interface lan\n",
			want: []sectionView{{Type: "interface", Name: "lan", Line: 3}},
		},
		{
			name: "empty input",
			in:   "",
		},
		{
			name: "only blank space",
			in:   " \t\n\r\n  ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, view(f)); diff != "" {
				t.Errorf("sections (-want +got):\n%s", diff)
			}
			if got := string(f.Bytes()); got != tt.in {
				t.Errorf("Bytes() = %q, want the input %q", got, tt.in)
			}
		})
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the whole error message
	}{
		{
			name: "unterminated single quote names the line it opened on",
			in:   "config x\n\n\toption a 'b\n\toption c d\n",
			want: "uciconfig: line 3: unterminated quote",
		},
		{
			name: "unterminated double quote",
			in:   "config x\n\toption a \"b\\\"\n",
			want: "uciconfig: line 2: unterminated quote",
		},
		{
			name: "line 12",
			in:   "config interface 'lan'\n\toption device 'br-lan'\n\toption proto 'static'\n\n# wan\nconfig interface 'wan'\n\toption device 'wan'\n\toption proto 'dhcp'\n\nconfig interface 'wan6'\n\toption device 'wan'\n\toption proto 'dhcpv6\n",
			want: "uciconfig: line 12: unterminated quote",
		},
		{
			name: "unknown command",
			in:   "config x\n\toptoin a b\n",
			want: `uciconfig: line 2: invalid command "optoin"`,
		},
		{
			name: "option before any section",
			in:   "# hi\noption a b\n",
			want: "uciconfig: line 2: option before the first config section",
		},
		{
			name: "list after package before section",
			in:   "config x\npackage p\n\tlist a b\n",
			want: "uciconfig: line 3: list before the first config section",
		},
		{
			name: "config without type",
			in:   "config\n",
			want: "uciconfig: line 1: config without a section type",
		},
		{
			name: "config without type crlf",
			in:   "\r\nconfig \r\n",
			want: "uciconfig: line 2: config without a section type",
		},
		{
			name: "option without name",
			in:   "config x\n\toption\n",
			want: "uciconfig: line 2: option without a name",
		},
		{
			name: "too many arguments",
			in:   "config x\n\toption a b c\n",
			want: `uciconfig: line 2: too many arguments to option (unexpected "c")`,
		},
		{
			name: "too many arguments to config",
			in:   "config interface wan extra\n",
			want: `uciconfig: line 1: too many arguments to config (unexpected "extra")`,
		},
		{
			name: "invalid option name",
			in:   "config x\n\toption 'a-b' c\n",
			want: `uciconfig: line 2: invalid character in option name "a-b"`,
		},
		{
			name: "invalid section name",
			in:   "config interface 'my wan'\n",
			want: `uciconfig: line 1: invalid character in section name "my wan"`,
		},
		{
			name: "invalid section type",
			in:   "config 'inter face'\n",
			want: `uciconfig: line 1: invalid character in section type "inter face"`,
		},
		{
			name: "empty statement between semicolons",
			in:   "config x 'y';;\n",
			want: `uciconfig: line 1: invalid command ";"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded (%d sections), want error %q", len(f.Sections()), tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("errors.Is(%v, ErrSyntax) = false", err)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 {
				t.Errorf("error %v is not a *SyntaxError with a line", err)
			}
		})
	}
}
