package report

import (
	"regexp"
	"slices"
	"testing"
)

// The hand-written scanners of secrets.go and redact.go replace regular
// expressions to keep regexp out of the binary (issue 4's flash budget).
// These tests hold them to the expressions they replace, which the test
// binary may still link.
var (
	reToken        = regexp.MustCompile(`[0-9A-Fa-f:.\-]*[0-9A-Fa-f:][0-9A-Fa-f:.]*(?:/[0-9]{1,3})?`)
	reMACForm      = regexp.MustCompile(`^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){4}$`)
	reColonHexForm = regexp.MustCompile(`^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){6,}$`)
	reHexForm      = regexp.MustCompile(`^[0-9A-Fa-f]+$`)
	reEmbeddedMAC  = regexp.MustCompile(`(?:^|[^0-9A-Fa-f:])[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}(?:$|[^0-9A-Fa-f:])`)
	reSecretName   = regexp.MustCompile(`(?i)(pass|secret|key|psk|token|cred|auth)`)
	reUCILine      = regexp.MustCompile(`^(\s*[-+ ]?\s*(?:option|list)\s+['"]?([A-Za-z0-9_]+)['"]?\s+)(.*)$`)
)

var scannerSeeds = []string{
	"", "-", "...", "a", "fe80::1.", "fe80::1:", "2001:db8::/48", "2001:db8::/6444", "2001:db8::/", "2001:db8::/x",
	"::/0.", "a-b-c", "ab-..", "ab..-cd", "1.2.3.4", "12:34:56:78:9a:bc", "12-34-56-78-9A-BC", "12:34-56:78-9a:bc",
	"12:34:56:78:9a:bc:de", "00:01:00:01:2a:2b:2c:2d:00:11:22:33:44:55", "0004deadbeef", "x12:34:56:78:9a:bc",
	"12:34:56:78:9a:bc.12:34:56:78:9a:bc", "12:34:56:78:9a:bc..12:34:56:78:9a:bc", "/12:34:56:78:9a:bc/",
	"1:12:34:56:78:9a:bc", "12:34:56:78:9a:bc/64", "-12:34:56:78:9a:bc-", "Router fe80::880a:20ff:fe54:f69c (8a:0a:20:54:f6:9c).",
	"prefix 2001:db8:8000::/48, ff02::1:2, ::ffff:1.2.3.4, fe80::1%eth0 — üñí 12:34:56:78:9a:bc", "\x00ab:\xff:cd",
	"option password 'x'", "\toption key \"secret value\"", "+\tlist 'psk' bare # comment", "- option auth x", "--option key x",
	"option password", "option 'password' ", "options key x", "list\tkey\t\tv\r", "option pass\nword x", " option Token\n",
	"option 'pass word' x", "option pass'  v", "option \"key\"\"x\" v", "\f+ \toption PSK_2 v\nx", "option key\x00 v",
}

func TestScannersMatchRegexp(t *testing.T) {
	for _, s := range scannerSeeds {
		checkScanners(t, s)
	}
}

// FuzzScannersMatchRegexp: on any input the scanners find exactly what
// the regular expressions found.
func FuzzScannersMatchRegexp(f *testing.F) {
	for _, s := range scannerSeeds {
		f.Add(s)
	}
	f.Fuzz(checkScanners)
}

func checkScanners(t *testing.T, s string) {
	var got [][]int
	for i := 0; ; {
		start, end := nextToken(s, i)
		if start < 0 {
			break
		}
		got = append(got, []int{start, end})
		i = end
	}
	if want := reToken.FindAllStringIndex(s, -1); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("tokens of %q: got %v, want %v", s, got, want)
	}
	for name, pair := range map[string]struct {
		f  func(string) bool
		re *regexp.Regexp
	}{"macForm": {macForm, reMACForm}, "colonHexForm": {colonHexForm, reColonHexForm}, "hexForm": {hexForm, reHexForm},
		"secretName": {secretName, reSecretName}} {
		if got, want := pair.f(s), pair.re.MatchString(s); got != want {
			t.Errorf("%s(%q) = %v, want %v", name, s, got, want)
		}
	}
	// embeddedMAC is only ever given ASCII runs; its bounds are the MAC's,
	// the expression's include the bounding bytes.
	if isASCII(s) {
		var macs [][]int
		for i := 0; i < len(s); {
			start, end := embeddedMAC(s, i)
			if start < 0 {
				break
			}
			macs = append(macs, []int{start, end})
			i = end
			if i < len(s) {
				i++
			}
		}
		var want [][]int
		for _, m := range reEmbeddedMAC.FindAllStringIndex(s, -1) {
			start, end := m[0], m[1]
			if !isHex(s[start]) {
				start++
			}
			if !isHex(s[end-1]) {
				end--
			}
			want = append(want, []int{start, end})
		}
		if !slices.EqualFunc(macs, want, slices.Equal) {
			t.Errorf("MACs in %q: got %v, want %v", s, macs, want)
		}
	}
	head, name, value, ok := uciLine(s)
	m := reUCILine.FindStringSubmatch(s)
	if ok != (m != nil) || (ok && (head != m[1] || name != m[2] || value != m[3])) {
		t.Errorf("uciLine(%q) = %q, %q, %q, %v; want %q", s, head, name, value, ok, m)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
