package uciconfig

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// suggestCase is one corpus config, one advice, and what must change.
type suggestCase struct {
	name   string // golden files: testdata/suggest/NAME.suggested, NAME.diff
	config string // testdata/CONFIG
	advice Advice
	// changed lists "section option=value" for every change, in order;
	// "section +type" for an added section.
	changed []string
	// noFix: the ISP's problem, nothing may change.
	noFix bool
	// note is a substring one of the notes must hold.
	note string
}

var suggestCases = []suggestCase{
	{
		name:   "chaos_calmer_pd_only_56",
		config: "chaos_calmer_15.05.network",
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqAddress: ReqAddressNone, ReqPrefix: 56},
			Attempt: 2, AttemptLabel: "IA_PD only, hint /56", DelegatedPrefixLength: 56},
		changed: []string{"wan6 reqaddress=none", "wan6 reqprefix=56"},
	},
	{
		name:   "chaos_calmer_isp_silent",
		config: "chaos_calmer_15.05.network",
		advice: Advice{Verdict: "no-dhcpv6-reply", ISPMustAct: true},
		noFix:  true,
		note:   "No change to the network config gets the router more",
	},
	{
		// The router gets a /64 and nothing gets it more: wan6 keeps
		// reqprefix 'auto', and that lan's /60 cannot come out of a /64
		// is said, not written (issue 10: no change that gets the router
		// nothing more).
		name:   "swconfig_19.07_only_64",
		config: "openwrt_19.07_swconfig.network",
		advice: Advice{Verdict: "prefix-smaller-than-requested", ISPMustAct: true, DelegatedPrefixLength: 64},
		noFix:  true,
		note:   "Consider ip6assign '64' on lan",
	},
	{
		// The fact of the issue: reqprefix 'auto' sends no hint, and this
		// ISP delegates a /48 only when asked for one.
		name:   "dsa_23.05_48_only_when_asked",
		config: "openwrt_23.05_dsa.network",
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqAddress: ReqAddressTry, ReqPrefix: 48},
			Attempt: 1, AttemptLabel: "IA_NA + IA_PD, hint /48", DelegatedPrefixLength: 48},
		changed: []string{"wan6 reqprefix=48"},
	},
	{
		// PPPoE with ipv6 'auto' and no wan6: options need an explicit
		// wan6 on '@wan', and the automatic wan_6 must go.
		name:   "pppoe_auto_needs_wan6",
		config: "pppoe_ipv6_auto.network",
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqAddress: ReqAddressNone, ReqPrefix: 56},
			Attempt: 3, AttemptLabel: "IA_PD only, hint /56", DelegatedPrefixLength: 56},
		changed: []string{"wan ipv6=1", "wan6 +interface", "wan6 device=@wan", "wan6 proto=dhcpv6", "wan6 reqaddress=none", "wan6 reqprefix=56"},
		note:    "firewall",
	},
	{
		// Defaults work: the automatic wan_6 is all it takes.
		name:   "pppoe_auto_defaults_work",
		config: "pppoe_ipv6_auto.network",
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqAddress: ReqAddressTry, ReqPrefix: ReqPrefixAuto},
			Attempt: 2, AttemptLabel: "no hint", DelegatedPrefixLength: 64},
		note: "nothing to change",
	},
	{
		name:   "pppoe_wan6_alias_48",
		config: "pppoe_wan6_alias.network",
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqAddress: ReqAddressTry, ReqPrefix: 48},
			Attempt: 1, DelegatedPrefixLength: 48},
		changed: []string{"wan6 reqprefix=48"},
	},
	{
		name:   "vlan7_no_fqdn_no_reconfigure",
		config: "vlan7_8021q.network",
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqAddress: ReqAddressTry, ReqPrefix: 60, NoClientFQDN: true, NoAcceptReconfig: true},
			Attempt: 5, AttemptLabel: "without Client FQDN and Reconfigure Accept", DelegatedPrefixLength: 60},
		changed: []string{"wan6 reqprefix=60", "wan6 noclientfqdn=1", "wan6 noacceptreconfig=1"},
	},
	{
		// Hand-written file: lan has no ip6assign (60 by default), and
		// the ISP gives a /64.
		name:   "odd_quoting_only_64",
		config: "odd_quoting.network",
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 64},
		note:   "Consider ip6assign '64' on lan",
	},
	{
		name:   "commented_lists_adds_wan6",
		config: "commented_lists.network",
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqAddress: ReqAddressNone, ReqPrefix: 56},
			Attempt: 2, AttemptLabel: "IA_PD only", DelegatedPrefixLength: 56},
		changed: []string{"wan6 +interface", "wan6 ifname=@wan", "wan6 proto=dhcpv6", "wan6 reqaddress=none", "wan6 reqprefix=56"},
	},
	{
		name:   "crlf_56",
		config: "crlf.network",
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqAddress: ReqAddressTry, ReqPrefix: 56},
			Attempt: 2, DelegatedPrefixLength: 56},
		changed: []string{"wan6 reqprefix=56"},
	},
	{
		name:   "bridge_vlan_only_64",
		config: "openwrt_21.02_bridge_vlan.network",
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqAddress: ReqAddressTry, ReqPrefix: 64},
			Attempt: 4, AttemptLabel: "hint /64", DelegatedPrefixLength: 64},
		changed: []string{"wan6 reqprefix=64", "lan ip6hint=0"},
	},
	{
		name:   "dumb_ap_nothing",
		config: "dumb_ap.network",
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 56},
		note:   "no 'wan' interface",
	},
	{
		// The user's problem (no carrier), and the automatic wan_6 of a
		// PPPoE wan is a DHCPv6 client already: nothing to change.
		name:   "vlan7_pppoe_link_down",
		config: "vlan7_pppoe_ifname.network",
		advice: Advice{Verdict: "link-down"},
		note:   "No change to the network config that v6diag tried",
	},
	{
		name:   "vlan7_pppoe_clientid",
		config: "vlan7_pppoe_ifname.network",
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqAddress: ReqAddressTry, ReqPrefix: 56, ClientID: "00030001001122334455"},
			Attempt: 6, AttemptLabel: "DUID-LL of the WAN MAC", DelegatedPrefixLength: 56},
		changed: []string{"wan ipv6=1", "wan6 +interface", "wan6 ifname=@wan", "wan6 proto=dhcpv6", "wan6 reqprefix=56", "wan6 clientid=00030001001122334455"},
	},
	{
		name:   "address_only",
		config: "openwrt_23.05_dsa.network",
		advice: Advice{Verdict: "no-prefix-offered", ISPMustAct: true},
		noFix:  true,
		note:   "the ISP must act",
	},
}

func TestSuggestCorpus(t *testing.T) {
	files := corpus(t)
	dir := filepath.Join("testdata", "suggest")
	for _, tc := range suggestCases {
		t.Run(tc.name, func(t *testing.T) {
			in, ok := files[tc.config]
			if !ok {
				t.Fatalf("no testdata/%s", tc.config)
			}
			keep := bytes.Clone(in)
			sg, err := Suggest(in, tc.advice)
			if err != nil {
				t.Fatalf("Suggest: %v", err)
			}
			if !bytes.Equal(in, keep) {
				t.Fatal("Suggest modified its input")
			}
			var got []string
			for _, c := range sg.Changes {
				if c.Option == "" {
					got = append(got, c.Section+" +"+c.New)
				} else {
					got = append(got, c.Section+" "+c.Option+"="+c.New)
				}
			}
			if diff := cmp.Diff(tc.changed, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if sg.NoConfigFix != tc.noFix {
				t.Errorf("NoConfigFix = %v, want %v", sg.NoConfigFix, tc.noFix)
			}
			if tc.note != "" && !slices.ContainsFunc(sg.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("no note mentions %q: %q", tc.note, sg.Notes)
			}
			out := sg.Bytes()
			if !sg.Changed() {
				if !bytes.Equal(out, in) || sg.Diff("a", "b") != nil {
					t.Error("an unchanged suggestion differs from the input or has a diff")
				}
			}
			checkOnlyTargets(t, in, out, sg)
			diff := sg.Diff("/etc/config/network", "network.suggested")
			checkSecretsMasked(t, in, diff)
			if len(diff) > 0 {
				// The diff is masked: it turns the masked input into the
				// masked output, and, without secrets, the file into
				// network.suggested.
				masked := mustParse(t, string(in)).Masked()
				if got := applyDiff(t, masked, diff); !bytes.Equal(got, sg.Masked()) {
					t.Errorf("applying the diff does not give the suggestion:\n%s", cmp.Diff(string(sg.Masked()), string(got)))
				}
				if !hasSecrets(in) && !bytes.Equal(sg.Masked(), out) {
					t.Error("Masked differs from Bytes for a file without secrets")
				}
			}
			golden(t, filepath.Join(dir, tc.name+".suggested"), out, sg.Changed())
			golden(t, filepath.Join(dir, tc.name+".diff"), diff, sg.Changed())
		})
	}
}

// golden compares got with a golden file, or rewrites it with -update;
// when want is false the file must not exist.
func golden(t *testing.T, path string, got []byte, exists bool) {
	t.Helper()
	if *update {
		if !exists {
			os.Remove(path)
			return
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if !exists {
		if err == nil {
			t.Errorf("%s exists, but nothing changed (run go test -update)", path)
		}
		return
	}
	if err != nil {
		t.Fatalf("%v (run go test ./uciconfig -run TestSuggestCorpus -update)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// chunks maps each section (by uci name) of a file to its text: from its
// config line up to the next config line; "" holds what precedes the
// first section.
func chunks(t *testing.T, b []byte) map[string]string {
	t.Helper()
	f := mustParse(t, string(b))
	lines := strings.SplitAfter(string(b), "\n")
	out := map[string]string{}
	secs := f.Sections()
	start := 0
	name := ""
	for _, s := range secs {
		out[name] = strings.Join(lines[start:s.Line-1], "")
		start, name = s.Line-1, s.ref()
	}
	out[name] = strings.Join(lines[start:], "")
	return out
}

// checkOnlyTargets asserts that every section no change names is
// byte-identical in the output, that every line the output adds carries
// a "# v6diag:" comment (or is the blank line before an added section),
// and that the values reparse as the changes say.
func checkOnlyTargets(t *testing.T, in, out []byte, sg *Suggestion) {
	t.Helper()
	touched := map[string]bool{}
	for _, c := range sg.Changes {
		touched[c.Section] = true
	}
	before, after := chunks(t, in), chunks(t, out)
	for name, text := range before {
		if touched[name] {
			continue
		}
		// The blank lines that end a section may move to after a section
		// added behind it, and a last line without a line ending gains
		// one; nothing else may differ. (No blank line may go: below.)
		if trimBlankEnd(after[name]) != trimBlankEnd(text) {
			t.Errorf("section %q changed though no change names it (-before +after):\n%s", name, cmp.Diff(text, after[name]))
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok && !touched[name] {
			t.Errorf("section %q appeared without a change naming it", name)
		}
	}
	a, b := splitLines(string(in)), splitLines(string(out))
	for _, op := range myers(a, b) {
		// A line without a comment may only be a piece of an input line
		// that an edit split (statements after ';') or ended (a last
		// line without a line ending).
		piece := strings.TrimRight(b[op.b], "\r\n")
		if op.kind == opInsert && strings.TrimSpace(b[op.b]) != "" && !strings.Contains(b[op.b], "# v6diag: ") && !strings.Contains(string(in), piece) {
			t.Errorf("added line without a why comment: %q", b[op.b])
		}
		if op.kind == opDelete && strings.TrimSpace(a[op.a]) == "" {
			t.Errorf("blank line %d removed", op.a+1)
		}
	}
	comments := func(lines []string) []string {
		var cs []string
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "#") {
				cs = append(cs, strings.TrimRight(l, "\r\n"))
			}
		}
		return cs
	}
	if diff := cmp.Diff(comments(a), comments(b)); diff != "" {
		t.Errorf("comment lines changed (-before +after):\n%s", diff)
	}
	re := mustParse(t, string(out))
	for _, c := range sg.Changes {
		if c.Option == "" {
			continue
		}
		s := re.Section(c.Section)
		if s == nil {
			t.Errorf("changed section %q missing from the output", c.Section)
			continue
		}
		if v, _ := s.Option(c.Option); v != c.New {
			t.Errorf("output has %s.%s = %q, want %q", c.Section, c.Option, v, c.New)
		}
	}
}

// trimBlankEnd drops the blank and comment lines, and the line ending,
// at the end of a section's text: a section added after it goes before
// them. (checkOnlyTargets checks separately that no comment line moves
// relative to the others or goes.)
func trimBlankEnd(s string) string {
	lines := splitLines(s)
	for len(lines) > 0 && (strings.TrimSpace(lines[len(lines)-1]) == "" || strings.HasPrefix(strings.TrimSpace(lines[len(lines)-1]), "#")) {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > 0 {
		lines[len(lines)-1] = strings.TrimRight(lines[len(lines)-1], "\r\n")
	}
	return strings.Join(lines, "")
}

// hasSecrets reports whether a file has an option IsSecretOption hides.
func hasSecrets(b []byte) bool {
	f, err := Parse(b)
	if err != nil {
		return false
	}
	for _, n := range f.nodes {
		if n.secret() {
			return true
		}
	}
	return false
}

// diffBody is b without the file and hunk headers of a unified diff; any
// other text comes back as it is.
func diffBody(b []byte) []byte {
	if !bytes.HasPrefix(b, []byte("--- ")) {
		return b
	}
	var out [][]byte
	for i, l := range bytes.SplitAfter(b, []byte("\n")) {
		if i < 2 || bytes.HasPrefix(l, []byte("@@ ")) {
			continue
		}
		out = append(out, l)
	}
	return bytes.Join(out, nil)
}

// checkSecretsMasked asserts no secret value of in appears in shown.
//
// A value that the masked file, or one of also (the masked suggestion),
// shows anyway — as another option's value, a piece of the mask, or a
// stretch of an added clientid — is no leak, nor is one in a diff's
// headers ("@@ -1,3 +1,10 @@"): FuzzSuggest found a secret '10' in both.
func checkSecretsMasked(t *testing.T, in, shown []byte, also ...[]byte) {
	t.Helper()
	shown = diffBody(shown)
	f := mustParse(t, string(in))
	masked := bytes.Join(append([][]byte{f.Masked()}, also...), []byte("\n"))
	for _, n := range f.nodes {
		if n.secret() && n.value != "" && bytes.Contains(shown, []byte(n.value)) && !bytes.Contains(masked, []byte(n.value)) {
			t.Errorf("secret %s value %q shown in:\n%s", n.name, n.value, shown)
		}
	}
}

// applyDiff applies a unified diff the way patch does, strictly: every
// context and removed line must match. A hunk's body is read by the line
// counts of its @@ header, as patch reads it: a removed line "-- " prints
// as "--- " and is no file header inside a hunk.
func applyDiff(t *testing.T, in, diff []byte) []byte {
	t.Helper()
	src := splitLines(string(in))
	var out []string
	pos := 0
	lines := splitLines(string(diff))
	oldLeft, newLeft := 0, 0 // lines of the current hunk still to read
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if oldLeft == 0 && newLeft == 0 {
			if strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ") {
				continue
			}
			if !strings.HasPrefix(l, "@@ ") {
				t.Fatalf("bad diff line %q outside a hunk", l)
			}
			fields := strings.Fields(l)
			aStart, aLen := hunkHeaderRange(t, fields[1])
			_, bLen := hunkHeaderRange(t, fields[2])
			to := aStart - 1
			if aLen == 0 {
				to = aStart
			}
			out = append(out, src[pos:to]...)
			pos = to
			oldLeft, newLeft = aLen, bLen
			continue
		}
		body := l[1:]
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], `\ No newline`) {
			body = strings.TrimSuffix(body, "\n")
			i++
		}
		switch l[0] {
		case ' ', '-':
			if pos >= len(src) || src[pos] != body {
				t.Fatalf("diff line %q does not match input line %d %q", l, pos+1, at(src, pos))
			}
			pos++
			oldLeft--
			if l[0] == ' ' {
				out = append(out, body)
				newLeft--
			}
		case '+':
			out = append(out, body)
			newLeft--
		default:
			t.Fatalf("bad diff line %q", l)
		}
		if oldLeft < 0 || newLeft < 0 {
			t.Fatalf("hunk longer than its header says at %q", l)
		}
	}
	if oldLeft != 0 || newLeft != 0 {
		t.Fatalf("diff ends inside a hunk (%d old, %d new lines missing)", oldLeft, newLeft)
	}
	out = append(out, src[pos:]...)
	return []byte(strings.Join(out, ""))
}

// hunkHeaderRange reads "-start,len" or "+start" of an @@ header.
func hunkHeaderRange(t *testing.T, r string) (start, n int) {
	t.Helper()
	s, count, ok := strings.Cut(r[1:], ",")
	n = 1
	if ok {
		n = atoi(t, count)
	}
	return atoi(t, s), n
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "<eof>"
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("bad number %q in hunk header", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// FuzzSuggest runs every advice of the table on any file that parses:
// Suggest never fails on it, its output parses, sections no change names
// stay byte-identical, every added line says why, and secrets stay out
// of the diff.
func FuzzSuggest(f *testing.F) {
	for _, b := range corpus(f) {
		f.Add(b)
	}
	f.Add([]byte("config interface wan\n option proto pppoe\n option ipv6 0\nconfig interface wan6\n option proto dhcpv6\n option disabled 1\n option device eth0\n"))
	f.Add([]byte("config interface wan\n option proto dhcpv6\n option reqprefix 'x'\nconfig interface lan\n option proto static\n option ip6hint 'ff'\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := Parse(b); err != nil {
			return
		}
		for _, tc := range suggestCases {
			sg, err := Suggest(b, tc.advice)
			if err != nil {
				t.Fatalf("%s: Suggest: %v", tc.name, err)
			}
			out := sg.Bytes()
			if _, err := Parse(out); err != nil {
				t.Fatalf("%s: output does not parse: %v\n%q", tc.name, err, out)
			}
			checkOnlyTargets(t, b, out, sg)
			checkSecretsMasked(t, b, sg.Diff("a", "b"), sg.Masked())
		}
	})
}
