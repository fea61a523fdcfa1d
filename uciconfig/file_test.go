package uciconfig

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustParse(t *testing.T, in string) *File {
	t.Helper()
	f, err := Parse([]byte(in))
	if err != nil {
		t.Fatalf("Parse(%q): %v", in, err)
	}
	return f
}

func mustSection(t *testing.T, f *File, name string) *Section {
	t.Helper()
	s := f.Section(name)
	if s == nil {
		t.Fatalf("no section %q", name)
	}
	return s
}

func TestEdit(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		section string
		edit    func(s *Section) error
		want    string
	}{
		{
			name:    "change a hand-written value re-renders only that line",
			in:      "config interface wan\n    option proto dhcp   # was pppoe\n    option device eth1\n",
			section: "wan",
			edit:    func(s *Section) error { return s.SetOption("proto", "dhcpv6", "") },
			want:    "config interface wan\n\toption proto 'dhcpv6'\n    option device eth1\n",
		},
		{
			name:    "add with a comment after the section's last statement",
			in:      "config interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n\n# lan\nconfig interface 'lan'\n",
			section: "wan6",
			edit: func(s *Section) error {
				return s.SetOption("reqprefix", "auto", "v6diag: the ISP delegates a prefix only when asked")
			},
			want: "config interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n\toption reqprefix 'auto' # v6diag: the ISP delegates a prefix only when asked\n\n# lan\nconfig interface 'lan'\n",
		},
		{
			name:    "add to an empty section at the end of a file without a final newline",
			in:      "config interface 'wan6'",
			section: "wan6",
			edit:    func(s *Section) error { return s.SetOption("proto", "dhcpv6", "") },
			want:    "config interface 'wan6'\n\toption proto 'dhcpv6'\n",
		},
		{
			name:    "edit the last line of a file without a final newline",
			in:      "config interface 'wan6'\n\toption proto dhcp",
			section: "wan6",
			edit:    func(s *Section) error { return s.SetOption("proto", "dhcpv6", "") },
			want:    "config interface 'wan6'\n\toption proto 'dhcpv6'",
		},
		{
			name:    "single quote escaped the way uci writes it",
			in:      "config system\n\toption hostname 'x'\n",
			section: "",
			edit:    func(s *Section) error { return s.SetOption("description", "Bob's \"router\"", "") },
			want:    "config system\n\toption hostname 'x'\n\toption description 'Bob'\\''s \"router\"'\n",
		},
		{
			name:    "crlf file stays crlf",
			in:      "config interface 'wan'\r\n\toption proto 'dhcp'\r\n\r\nconfig interface 'lan'\r\n",
			section: "wan",
			edit: func(s *Section) error {
				if err := s.SetOption("proto", "pppoe", ""); err != nil {
					return err
				}
				return s.SetOption("ipv6", "auto", "")
			},
			want: "config interface 'wan'\r\n\toption proto 'pppoe'\r\n\toption ipv6 'auto'\r\n\r\nconfig interface 'lan'\r\n",
		},
		{
			name:    "edit in the middle of a line of statements",
			in:      "c interface 'wan6'; o device '@wan'; o proto 'dhcpv6'\n",
			section: "wan6",
			edit:    func(s *Section) error { return s.SetOption("device", "wan", "") },
			want:    "c interface 'wan6';\n\toption device 'wan'\n o proto 'dhcpv6'\n",
		},
		{
			name:    "delete in the middle of a line of statements",
			in:      "c interface 'wan6'; o device '@wan'; o proto 'dhcpv6'\n",
			section: "wan6",
			edit:    func(s *Section) error { s.DeleteOption("device"); return nil },
			want:    "c interface 'wan6'; o proto 'dhcpv6'\n",
		},
		{
			name:    "delete the last statement of a line keeps the line ending",
			in:      "c interface 'wan6'; o device '@wan'; o proto 'dhcpv6'\nconfig x\n",
			section: "wan6",
			edit:    func(s *Section) error { s.DeleteOption("proto"); return nil },
			want:    "c interface 'wan6'; o device '@wan';\nconfig x\n",
		},
		{
			name:    "delete after a statement that ended mid-line without a semicolon",
			in:      "config x 'y' '' option a b;option c d\n",
			section: "y",
			edit:    func(s *Section) error { s.DeleteOption("a"); return nil },
			want:    "config x 'y' ''\noption c d\n",
		},
		{
			name:    "delete whole lines, list and option alike",
			in:      "config x 'y'\n\tlist dns a\n\toption mtu 1500\n\tlist dns b # second\n",
			section: "y",
			edit:    func(s *Section) error { s.DeleteOption("dns"); return nil },
			want:    "config x 'y'\n\toption mtu 1500\n",
		},
		{
			name:    "a list becomes a plain option in place of its first statement",
			in:      "config x 'y'\n\tlist dns a\n\toption mtu 1500\n\tlist dns b\n",
			section: "y",
			edit:    func(s *Section) error { return s.SetOption("dns", "c", "") },
			want:    "config x 'y'\n\toption dns 'c'\n\toption mtu 1500\n",
		},
		{
			name:    "the statement that wins is the one edited",
			in:      "config x 'y'\n\toption a 1\n\toption a 2\n\toption a ''\n",
			section: "y",
			edit:    func(s *Section) error { return s.SetOption("a", "3", "") },
			want:    "config x 'y'\n\toption a 1\n\toption a '3'\n\toption a ''\n",
		},
		{
			name:    "same value and no comment changes nothing",
			in:      "config x 'y'\n  option a \"1\" # keep me\n",
			section: "y",
			edit:    func(s *Section) error { return s.SetOption("a", "1", "") },
			want:    "config x 'y'\n  option a \"1\" # keep me\n",
		},
		{
			name:    "same value with a new comment re-renders",
			in:      "config x 'y'\n  option a \"1\" # keep me\n",
			section: "y",
			edit:    func(s *Section) error { return s.SetOption("a", "1", "checked by\nv6diag") },
			want:    "config x 'y'\n\toption a '1' # checked by v6diag\n",
		},
		{
			name:    "empty value deletes",
			in:      "config x 'y'\n\toption a 1\n\toption b 2\n",
			section: "y",
			edit:    func(s *Section) error { return s.SetOption("a", "", "") },
			want:    "config x 'y'\n\toption b 2\n",
		},
		{
			name:    "multi-line value",
			in:      "config x 'y'\n",
			section: "y",
			edit:    func(s *Section) error { return s.SetOption("a", "one\ntwo", "") },
			want:    "config x 'y'\n\toption a 'one\ntwo'\n",
		},
		{
			// Fuzz crasher regress_list_to_option_clone: removing list
			// statements while walking them.
			name:    "list of empty values becomes an option",
			in:      "c '0'\nl ports\n l ports\nl 0",
			section: "",
			edit:    func(s *Section) error { return s.SetOption("ports", "new", "") },
			want:    "c '0'\n\toption ports 'new'\nl 0",
		},
		{
			// Fuzz crasher regress_dangling_backslash_at_eof: libuci drops
			// a final backslash, but it would join an appended line.
			name:    "backslash at the end of the file",
			in:      "config x 'y' \\",
			section: "y",
			edit:    func(s *Section) error { return s.SetOption("a", "b", "") },
			want:    "config x 'y' \\\n\n\toption a 'b'\n",
		},
		{
			name:    "backslash continuation into the end of the file",
			in:      "config x 'y' \\\n",
			section: "y",
			edit:    func(s *Section) error { return s.SetOption("a", "b", "") },
			want:    "config x 'y' \\\n\n\toption a 'b'\n",
		},
		{
			name:    "a section followed by another on its line",
			in:      "config x 'y'; config x 'z'\n",
			section: "y",
			edit:    func(s *Section) error { return s.SetOption("a", "b", "") },
			want:    "config x 'y';\n\toption a 'b'\n config x 'z'\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.in)
			s := f.Section(tt.section)
			if tt.section == "" {
				s = f.Sections()[0]
			}
			if s == nil {
				t.Fatalf("no section %q", tt.section)
			}
			if err := tt.edit(s); err != nil {
				t.Fatalf("edit: %v", err)
			}
			got := string(f.Bytes())
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("Bytes() after edit (-want +got):\n%s", diff)
			}
			// The edited model and a fresh parse of its output agree.
			re := mustParse(t, got)
			if diff := cmp.Diff(viewValues(f), viewValues(re)); diff != "" {
				t.Errorf("reparsed output disagrees with the edited model (-edited +reparsed):\n%s", diff)
			}
		})
	}
}

// viewValues is view without line numbers, which edits shift.
func viewValues(f *File) []sectionView {
	v := view(f)
	for i := range v {
		v[i].Line = 0
	}
	return v
}

// TestEditCorpusChangesOneLine edits every corpus file and checks that
// the output differs from the input in the edited line alone.
func TestEditCorpusChangesOneLine(t *testing.T) {
	for name, b := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			f := mustParse(t, string(b))
			wan := f.Section("wan")
			if wan == nil {
				t.Skip("no wan interface")
			}
			eol := detectEOL(b)
			in := strings.SplitAfter(string(b), "\n")

			// Change: same number of lines, one of them different.
			if err := wan.SetOption("proto", "static", ""); err != nil {
				t.Fatal(err)
			}
			out := strings.SplitAfter(string(f.Bytes()), "\n")
			if len(out) != len(in) {
				t.Fatalf("changing proto: %d lines, want %d", len(out), len(in))
			}
			var changed []int
			for i := range in {
				if in[i] != out[i] {
					changed = append(changed, i)
				}
			}
			if len(changed) != 1 || out[changed[0]] != "\toption proto 'static'"+eol {
				t.Fatalf("changing proto changed lines %v: %q", changed, pick(out, changed))
			}

			// Add: the output is the previous output plus one line.
			prev := out
			if err := wan.SetOption("mtu", "1492", "v6diag: PPPoE overhead"); err != nil {
				t.Fatal(err)
			}
			out = strings.SplitAfter(string(f.Bytes()), "\n")
			i := slices.Index(out, "\toption mtu '1492' # v6diag: PPPoE overhead"+eol)
			if i < 0 {
				t.Fatalf("added option not found in output:\n%s", f.Bytes())
			}
			if diff := cmp.Diff(prev, slices.Delete(slices.Clone(out), i, i+1)); diff != "" {
				t.Errorf("adding mtu changed other lines (-before +after):\n%s", diff)
			}
			if v, ok := mustSection(t, mustParse(t, string(f.Bytes())), "wan").Option("mtu"); !ok || v != "1492" {
				t.Errorf("reparsed mtu = %q, %v; want 1492", v, ok)
			}
		})
	}
}

func pick(lines []string, idx []int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, lines[i])
	}
	return out
}

func TestSetOptionInvalidName(t *testing.T) {
	f := mustParse(t, "config interface 'wan'\n")
	err := mustSection(t, f, "wan").SetOption("req-prefix", "auto", "")
	if !errors.Is(err, ErrInvalidName) {
		t.Fatalf("SetOption with a bad name: err = %v, want ErrInvalidName", err)
	}
	if got := string(f.Bytes()); got != "config interface 'wan'\n" {
		t.Errorf("failed SetOption changed the file: %q", got)
	}
}

func TestDeleteOptionReports(t *testing.T) {
	f := mustParse(t, "config interface 'wan'\n\toption proto dhcp\n")
	s := mustSection(t, f, "wan")
	if s.DeleteOption("mtu") {
		t.Error("DeleteOption(absent) = true")
	}
	if !s.DeleteOption("proto") {
		t.Error("DeleteOption(proto) = false")
	}
	if _, ok := s.Option("proto"); ok {
		t.Error("proto still set after DeleteOption")
	}
}

func TestAccessors(t *testing.T) {
	f := mustParse(t, "config device\n\toption name 'br-lan'\n\tlist ports lan1\n\tlist ports lan2\nconfig interface lan\nconfig interface lan\n\toption proto static\n")
	dev := f.Sections()[0]
	if got, ok := dev.Option("name"); !ok || got != "br-lan" {
		t.Errorf("Option(name) = %q, %v", got, ok)
	}
	if got, ok := dev.Option("ports"); ok {
		t.Errorf("Option on a list = %q, true; want false", got)
	}
	if diff := cmp.Diff([]string{"lan1", "lan2"}, dev.List("ports")); diff != "" {
		t.Errorf("List(ports) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"br-lan"}, dev.List("name")); diff != "" {
		t.Errorf("List on a plain option (-want +got):\n%s", diff)
	}
	if got := dev.List("absent"); got != nil {
		t.Errorf("List(absent) = %q, want nil", got)
	}
	if s := f.Section("lan"); s == nil || s.Line != 6 {
		t.Errorf("Section(lan) should be the last one named lan (line 6), got %+v", s)
	}
	if f.Section("") != nil || f.Section("wan") != nil {
		t.Error("Section of an empty or absent name should be nil")
	}
}
