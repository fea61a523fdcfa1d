package report_test

import (
	"bytes"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/v6diag/v6diag/report"
)

var testKey = []byte("fixed test key: goldens stay put")

// renderAll renders every text format of doc.
func renderAll(t *testing.T, doc report.Document) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, w := range map[string]func(*bytes.Buffer, report.Document) error{
		"txt":  func(b *bytes.Buffer, d report.Document) error { return report.WriteText(b, d) },
		"json": func(b *bytes.Buffer, d report.Document) error { return report.WriteJSON(b, d) },
		"md":   func(b *bytes.Buffer, d report.Document) error { return report.WriteMarkdown(b, d) },
		"html": func(b *bytes.Buffer, d report.Document) error { return report.WriteHTML(b, d) },
	} {
		var b bytes.Buffer
		if err := w(&b, doc); err != nil {
			t.Fatal(err)
		}
		out[name] = b.String()
	}
	return out
}

// originals lists every identifying value of an unredacted document, in
// the forms the reports print.
func originals(doc report.Document) []string {
	var vals []string
	addMAC := func(m string) {
		if m == "" {
			return
		}
		vals = append(vals, strings.ToLower(m), strings.ReplaceAll(strings.ToLower(m), ":", ""))
	}
	addAddr := func(s string) {
		a, err := netip.ParseAddr(s)
		if err != nil || a.IsMulticast() || a.IsUnspecified() {
			return
		}
		b := a.As16()
		if a.IsLinkLocalUnicast() {
			if b[11] == 0xff && b[12] == 0xfe {
				vals = append(vals, s, s[len("fe80::"):])
			}
			return
		}
		vals = append(vals, s)
	}
	if doc.Interface != nil {
		addMAC(doc.Interface.MAC)
		addAddr(doc.Interface.LinkLocal)
	}
	addMAC(doc.Link.ClientMAC)
	addAddr(doc.Link.ClientLinkLocal)
	if doc.DUID != nil {
		vals = append(vals, doc.DUID.Hex)
		vals = append(vals, doc.DUID.IAIDs...)
	}
	for _, r := range doc.RA.Routers {
		addMAC(r.SourceMAC)
		addAddr(r.Source)
		for _, p := range r.Prefixes {
			vals = append(vals, p.Prefix)
		}
		for _, d := range r.RDNSS {
			addAddr(d)
		}
	}
	for _, s := range doc.DHCPv6.Servers {
		addMAC(s.SourceMAC)
		addAddr(s.Address)
		vals = append(vals, s.ServerID)
	}
	for _, l := range append(doc.DHCPv6.DelegatedPrefixes, doc.DHCPv6.Addresses...) {
		vals = append(vals, l.Prefix, strings.SplitN(l.Prefix, "/", 2)[0])
	}
	for _, d := range doc.DHCPv6.DNS {
		addAddr(d)
	}
	for _, e := range doc.Timeline {
		addMAC(e.SourceMAC)
		addAddr(e.Source)
		addAddr(e.Destination)
	}
	return vals
}

// TestRedactNoLeaks: no MAC, DUID, IAID, EUI-64 id or global prefix of the
// recorded runs survives in any redacted format.
func TestRedactNoLeaks(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, _, _ := render(t, tc.name, tc.capture)
			vals := originals(doc)
			if len(vals) < 10 {
				t.Fatalf("only %d original values found; the test would prove little", len(vals))
			}
			plain := renderAll(t, doc)
			red := report.NewRedactor(testKey).Document(doc)
			for format, text := range renderAll(t, red) {
				low := strings.ToLower(text)
				for _, v := range vals {
					if !strings.Contains(strings.ToLower(plain[format]), strings.ToLower(v)) {
						continue // this format never showed it
					}
					if strings.Contains(low, strings.ToLower(v)) {
						t.Errorf("redacted %s still holds %q", format, v)
					}
				}
			}
			// The original is untouched.
			if doc.DUID != nil && red.DUID.Hex == doc.DUID.Hex {
				t.Errorf("DUID not redacted")
			}
			if again := renderAll(t, doc); again["json"] != plain["json"] {
				t.Errorf("Document() changed its input")
			}
		})
	}
}

// TestRedactConsistent: the same value gets the same token everywhere in
// one report, and the story still reads.
func TestRedactConsistent(t *testing.T) {
	doc, _, _ := render(t, "kea-healthy", "kea-healthy.pcapng")
	red := report.NewRedactor(testKey).Document(doc)
	// Kea and radvd run on the same veth: one MAC, one token.
	rmac, smac := red.RA.Routers[0].SourceMAC, red.DHCPv6.Servers[0].SourceMAC
	if rmac != smac || !strings.Contains(rmac, "xx") {
		t.Errorf("router MAC %q and server MAC %q: want one masked token", rmac, smac)
	}
	for _, e := range red.Timeline {
		if e.Kind == "RA" && e.SourceMAC != rmac {
			t.Errorf("RA frame %d source MAC %q, want %q", e.Frame, e.SourceMAC, rmac)
		}
	}
	// The DUID in the structure and in the paragraph for the ISP agree.
	if !strings.Contains(red.Verdict.ForISP, red.DUID.Hex) {
		t.Errorf("for_isp does not name the redacted DUID %q:\n%s", red.DUID.Hex, red.Verdict.ForISP)
	}
	if red.DUID.Type != doc.DUID.Type || !strings.HasPrefix(red.DUID.Hex, doc.DUID.Hex[:4]) {
		t.Errorf("DUID type lost: %q %q", red.DUID.Type, red.DUID.Hex)
	}
	// The delegated prefix keeps its length and lands in 2001:db8::/32,
	// and the verdict sentence names the same token.
	p := netip.MustParsePrefix(red.DHCPv6.DelegatedPrefixes[0].Prefix)
	o := netip.MustParsePrefix(doc.DHCPv6.DelegatedPrefixes[0].Prefix)
	if p.Bits() != o.Bits() || !netip.MustParsePrefix("2001:db8::/32").Contains(p.Addr()) || p == o {
		t.Errorf("delegated %s redacted to %s", o, p)
	}
	if !strings.Contains(red.Verdict.Summary, p.String()) {
		t.Errorf("verdict %q does not name %s", red.Verdict.Summary, p)
	}
}

func TestRedactAddresses(t *testing.T) {
	r := report.NewRedactor(testKey)
	outer := r.Prefix(netip.MustParsePrefix("2a02:1234:5600::/40"))
	inner := r.Prefix(netip.MustParsePrefix("2a02:1234:5678::/48"))
	inner56 := r.Prefix(netip.MustParsePrefix("2a02:1234:5678:ab00::/56"))
	other := r.Prefix(netip.MustParsePrefix("2a02:1234:9900::/40"))
	doc := netip.MustParsePrefix("2001:db8::/32")
	for _, p := range []netip.Prefix{outer, inner, inner56, other} {
		if !doc.Contains(p.Addr()) {
			t.Errorf("%s is outside 2001:db8::/32", p)
		}
	}
	if outer.Bits() != 40 || inner.Bits() != 48 || inner56.Bits() != 56 {
		t.Errorf("lengths changed: %s %s %s", outer, inner, inner56)
	}
	if !outer.Contains(inner.Addr()) || !inner.Contains(inner56.Addr()) {
		t.Errorf("nesting lost: %s ⊃ %s ⊃ %s", outer, inner, inner56)
	}
	if outer == other {
		t.Errorf("two different /40s got one token %s", outer)
	}
	// An address in the /48 stays in the redacted /48; a small interface
	// id is kept, an EUI-64 one is hashed.
	a := r.Addr(netip.MustParseAddr("2a02:1234:5678:1::53"))
	if !inner.Contains(a) || !strings.HasSuffix(a.String(), "::53") {
		t.Errorf("address redacted to %s, want ::53 inside %s", a, inner)
	}
	ll := r.Addr(netip.MustParseAddr("fe80::211:22ff:fe33:4455"))
	if ll == netip.MustParseAddr("fe80::211:22ff:fe33:4455") || !ll.IsLinkLocalUnicast() || strings.Contains(ll.String(), "ff:fe") {
		t.Errorf("EUI-64 link-local redacted to %s", ll)
	}
	if got := r.Addr(netip.MustParseAddr("fe80::1")); got.String() != "fe80::1" {
		t.Errorf("fe80::1 became %s", got)
	}
	if got := r.Addr(netip.MustParseAddr("ff02::1:2")); got.String() != "ff02::1:2" {
		t.Errorf("multicast changed: %s", got)
	}
	// MACs: vendor OUI kept, numbered; locally administered masked whole.
	m1 := r.MAC(net.HardwareAddr{0x00, 0x11, 0x22, 0x33, 0x44, 0x55})
	m2 := r.MAC(net.HardwareAddr{0x2a, 0xeb, 0x7c, 0x4d, 0x16, 0x37})
	if !strings.HasPrefix(m1, "00:11:22:") || strings.Contains(m1, "33:44:55") || strings.Contains(m2, "2a:eb") || m1 == m2 {
		t.Errorf("MACs redacted to %q and %q", m1, m2)
	}
	if again := r.MAC(net.HardwareAddr{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}); again != m1 {
		t.Errorf("same MAC, two tokens: %q %q", m1, again)
	}
	// Free text, with punctuation around the values.
	in := "Router fe80::211:22ff:fe33:4455 (00:11:22:33:44:55) gave 2a02:1234:5678::/48. MAC 00-11-22-33-44-55, DUID 000100012a2b2c2d001122334455."
	out := r.Text(in)
	for _, leak := range []string{"fe33:4455", "33:44:55", "33-44-55", "2a02:1234", "001122334455"} {
		if strings.Contains(out, leak) {
			t.Errorf("Text kept %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, inner.String()+".") || !strings.Contains(out, m1) {
		t.Errorf("Text lost the tokens or the punctuation: %s", out)
	}
	// Times and transaction ids are not identifiers.
	for _, keep := range []string{"2026-03-01T12:00:00.123Z", "xid 0x473d24", "+1.063s", "14:19:04.120"} {
		if got := r.Text(keep); got != keep {
			t.Errorf("Text(%q) = %q", keep, got)
		}
	}
}

// TestRedactKeyed: another key gives other tokens (they cannot be matched
// across reports), the same key the same.
func TestRedactKeyed(t *testing.T) {
	p := netip.MustParsePrefix("2a02:1234:5678::/48")
	a := report.NewRedactor(testKey).Prefix(p)
	b := report.NewRedactor(testKey).Prefix(p)
	c := report.NewRedactor([]byte("another key")).Prefix(p)
	if a != b {
		t.Errorf("same key, %s and %s", a, b)
	}
	if a == c {
		t.Errorf("different keys, same token %s", a)
	}
}
