package ndp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	mndp "github.com/mdlayher/ndp"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/internal/testtools/testcaptures"
)

// The tests in this file parse every Router Advertisement twice, with
// ParseRouterAdvertisement and with github.com/mdlayher/ndp, an independent
// parser the binary does not link (docs/CONTRACT.md), as dhcpv6's
// crosscheck_test.go does with insomniacslk/dhcp. Both must accept the
// same messages and read the same values from them, unless the message
// shows one of the deliberate differences below. "Accept" is a parse
// without error: ours also returns the RA with the bad option kept raw, for
// the report, but says so with an error.

// raDifference is a validity rule one parser applies and the other does
// not, on purpose. applies says, from the message's bytes, whether the rule
// is in play.
type raDifference struct {
	id      string
	rfc     string
	why     string
	applies func(raFacts) bool
}

var raDifferences = []raDifference{
	{"preference-reserved", "RFC 4191 §2.2",
		"a router preference of 10 (reserved): ours keeps it, so Validate can report it (ra-preference-reserved); mdlayher reads it as medium, as a host treats it",
		func(f raFacts) bool { return f.preferenceReserved }},
	{"link-layer-address-length", "RFC 4861 §4.6.1; RFC 4944 §8",
		"ours reads a link-layer address option of any length (its size depends on the link: 8 octets on IEEE 802.15.4); mdlayher accepts only length 1 (Ethernet) and rejects the RA",
		func(f raFacts) bool {
			return f.has(func(o rawOption) bool { return (o.typ == optSourceLLA || o.typ == optTargetLLA) && o.length != 1 })
		}},
	{"mtu-length", "RFC 4861 §4.6.4",
		"an MTU option must have length 1: ours rejects another length; mdlayher reads the MTU from it",
		func(f raFacts) bool { return f.has(func(o rawOption) bool { return o.typ == optMTU && o.length != 1 }) }},
	{"prefix-length-over-128", "RFC 4861 §4.6.2",
		"a prefix length over 128: ours rejects the option; mdlayher yields an invalid prefix",
		func(f raFacts) bool {
			return f.has(func(o rawOption) bool { return o.typ == optPrefixInfo && o.length == 4 && o.body[2] > 128 })
		}},
	{"prefix-ipv4-mapped", "RFC 4861 §4.6.2; RFC 4862 §5.5.3",
		"an IPv4-mapped prefix: ours reads it (judging prefixes is SLAAC's job, and the report shows what the router sent); mdlayher rejects the RA",
		func(f raFacts) bool {
			return f.has(func(o rawOption) bool {
				return o.typ == optPrefixInfo && o.length == 4 && netip.AddrFrom16([16]byte(o.body[16:32])).Is4In6()
			})
		}},
	{"route-preference-reserved", "RFC 4191 §2.3",
		"a route with preference 10 (reserved) must be ignored, not the RA: ours keeps the RA (Validate reports the route); mdlayher rejects the RA",
		func(f raFacts) bool {
			return f.has(func(o rawOption) bool { return o.typ == optRouteInfo && len(o.body) >= 4 && (o.body[3]>>3)&3 == 2 })
		}},
	{"route-prefix-partial-octet", "RFC 4191 §2.3",
		"a route prefix length that is not a multiple of 8: mdlayher copies only whole octets and drops the prefix bits of the last one; ours keeps them",
		func(f raFacts) bool {
			return f.has(func(o rawOption) bool { return o.typ == optRouteInfo && len(o.body) >= 3 && o.body[2]%8 != 0 })
		}},
	{"dnssl-label-over-63", "RFC 1035 §3.1, §4.1.4; RFC 8106 §5.2",
		"a label length octet over 63 (a compression pointer or a reserved label type): ours rejects it; mdlayher reads a label that long",
		func(f raFacts) bool { return f.dnssl(func(l dnsslWalk) bool { return l.longLabel }) }},
	{"dnssl-padding", "RFC 8106 §5.2",
		"non-zero octets after the padding began: ours rejects them; mdlayher stops reading at the first empty name",
		func(f raFacts) bool { return f.dnssl(func(l dnsslWalk) bool { return l.dirtyPadding }) }},
	{"dnssl-label-octets", "RFC 1035 §3.1; ours: DNSSearchList",
		"ours accepts only printable ASCII in labels (a report cannot show control octets); mdlayher accepts control octets and DEL",
		func(f raFacts) bool { return f.dnssl(func(l dnsslWalk) bool { return l.controlOctet }) }},
	{"dnssl-idna", "RFC 8106 §5.2; RFC 5891 §5",
		"ours keeps names as the wire has them; mdlayher decodes Punycode (xn--) labels to Unicode and rejects invalid ones",
		func(f raFacts) bool { return f.dnssl(func(l dnsslWalk) bool { return l.punycode }) }},
	{"options-ours-keeps-raw", "RFC 4861 §4.6; RFC 3971 §5.3.2; RFC 5175 §4; RFC 8910 §2.3; RFC 8781 §4",
		"Nonce, RA Flags Extension, Captive Portal and PREF64 options: ours keeps them raw (v6diag reads none of them, and a bad one does not make the RA invalid); mdlayher parses them and rejects the RA when one is malformed",
		func(f raFacts) bool {
			return f.has(func(o rawOption) bool { return slices.Contains([]uint8{14, 26, 37, 38}, o.typ) })
		}},
	{"option-of-256-octets-or-more", "RFC 4861 §4.6",
		"an option of 32 or more units (256+ octets, a long RDNSS or DNSSL): ours reads it; mdlayher multiplies the length in 8 bits, overflows, and rejects the RA",
		func(f raFacts) bool { return f.has(func(o rawOption) bool { return o.length >= 32 }) }},
}

// rawOption is one option as the wire frames it.
type rawOption struct {
	typ, length uint8
	body        []byte // the whole option, type and length octets included
}

// raFacts is a plain walk of the message, independent of both parsers.
type raFacts struct {
	preferenceReserved bool
	options            []rawOption
}

func (f raFacts) has(match func(rawOption) bool) bool { return slices.ContainsFunc(f.options, match) }

// dnssl reports whether a DNSSL option's names show what match looks for.
func (f raFacts) dnssl(match func(dnsslWalk) bool) bool {
	return f.has(func(o rawOption) bool { return o.typ == optDNSSL && len(o.body) > 8 && match(walkDNSSL(o.body[8:])) })
}

func factsOfRA(b []byte) raFacts {
	var f raFacts
	if len(b) < raHeaderLen {
		return f
	}
	f.preferenceReserved = (b[5]>>3)&3 == 2
	for rest := b[raHeaderLen:]; len(rest) >= 2 && rest[1] != 0 && int(rest[1])*8 <= len(rest); {
		n := int(rest[1]) * 8
		f.options = append(f.options, rawOption{typ: rest[0], length: rest[1], body: rest[:n]})
		rest = rest[n:]
	}
	return f
}

// dnsslWalk is what a walk of DNSSL names finds, read leniently.
//
// A name over 255 octets (RFC 1035 §2.3.4), which ours rejects, needs an
// option of more than 256 octets, which mdlayher rejects anyway
// (option-of-256-octets-or-more): no rule of its own.
type dnsslWalk struct {
	longLabel, dirtyPadding, controlOctet, punycode bool
}

func walkDNSSL(b []byte) dnsslWalk {
	var w dnsslWalk
	off, nameStart := 0, 0
	padding := false
	for off < len(b) {
		l := int(b[off])
		switch {
		case padding:
			w.dirtyPadding = w.dirtyPadding || l != 0
			off++
			continue
		case l == 0 && off == nameStart:
			padding = true
			off++
			continue
		case l == 0:
			off++
			nameStart = off
			continue
		case l > 63:
			w.longLabel = true
		}
		label := b[off+1 : min(off+1+l, len(b))]
		w.controlOctet = w.controlOctet || slices.ContainsFunc(label, func(c byte) bool { return c < 0x20 || c == 0x7f })
		w.punycode = w.punycode || len(label) >= 4 && strings.EqualFold(string(label[:4]), "xn--")
		off += 1 + l
	}
	return w
}

// raDisagreement compares the two parsers' readings and says how they
// differ, "" when they agree.
func raDisagreement(ours *RouterAdvertisement, oursErr error, theirsMsg mndp.Message, theirsErr error) string {
	theirs, isRA := theirsMsg.(*mndp.RouterAdvertisement)
	oursOK, theirsOK := oursErr == nil, theirsErr == nil && isRA
	switch {
	case oursOK && !theirsOK:
		return fmt.Sprintf("ours accepts the RA, mdlayher rejects it (%v)", theirsErr)
	case !oursOK && theirsOK:
		return fmt.Sprintf("ours rejects the RA (%v), mdlayher accepts it", oursErr)
	case !oursOK:
		return ""
	}
	diffs := testcaptures.NewDiffs("ours", "mdlayher")
	check := diffs.Check
	check("hop limit", ours.CurrentHopLimit == theirs.CurrentHopLimit, ours.CurrentHopLimit, theirs.CurrentHopLimit)
	check("M flag", ours.ManagedConfiguration == theirs.ManagedConfiguration, ours.ManagedConfiguration, theirs.ManagedConfiguration)
	check("O flag", ours.OtherConfiguration == theirs.OtherConfiguration, ours.OtherConfiguration, theirs.OtherConfiguration)
	check("H flag", ours.HomeAgent == theirs.MobileIPv6HomeAgent, ours.HomeAgent, theirs.MobileIPv6HomeAgent)
	check("preference", int(ours.Preference) == int(theirs.RouterSelectionPreference), ours.Preference, theirs.RouterSelectionPreference)
	check("router lifetime", ours.RouterLifetime == theirs.RouterLifetime, ours.RouterLifetime, theirs.RouterLifetime)
	check("reachable time", ours.ReachableTime == theirs.ReachableTime, ours.ReachableTime, theirs.ReachableTime)
	check("retransmit timer", ours.RetransmitTimer == theirs.RetransmitTimer, ours.RetransmitTimer, theirs.RetransmitTimer)
	if len(ours.Options) != len(theirs.Options) {
		check("options", false, len(ours.Options), len(theirs.Options))
	} else {
		for i, o := range ours.Options {
			if d := optionDisagreement(o, theirs.Options[i]); d != "" {
				diffs.Add(fmt.Sprintf("option %d: %s", i, d))
			}
		}
	}
	return diffs.String()
}

func optionDisagreement(ours Option, theirs mndp.Option) string {
	if ours.Code() != theirs.Code() {
		return fmt.Sprintf("type %d, mdlayher %d", ours.Code(), theirs.Code())
	}
	same := true
	switch o := ours.(type) {
	case *LinkLayerAddress:
		t, ok := theirs.(*mndp.LinkLayerAddress)
		same = ok && int(o.Direction) == int(t.Direction) && bytes.Equal(o.Addr, t.Addr)
	case *MTU:
		t, ok := theirs.(*mndp.MTU)
		same = ok && uint32(*o) == t.MTU
	case *PrefixInformation:
		t, ok := theirs.(*mndp.PrefixInformation)
		same = ok && o.Prefix.Addr() == t.Prefix && o.Prefix.Bits() == int(t.PrefixLength) && o.OnLink == t.OnLink &&
			o.Autonomous == t.AutonomousAddressConfiguration && o.ValidLifetime == t.ValidLifetime && o.PreferredLifetime == t.PreferredLifetime
	case *RouteInformation:
		t, ok := theirs.(*mndp.RouteInformation)
		same = ok && o.Prefix.Addr() == t.Prefix && o.Prefix.Bits() == int(t.PrefixLength) &&
			int(o.Preference) == int(t.Preference) && o.RouteLifetime == t.RouteLifetime
	case *RecursiveDNSServer:
		t, ok := theirs.(*mndp.RecursiveDNSServer)
		same = ok && o.Lifetime == t.Lifetime && slices.Equal(o.Servers, t.Servers)
	case *DNSSearchList:
		t, ok := theirs.(*mndp.DNSSearchList)
		same = ok && o.Lifetime == t.Lifetime && slices.Equal(o.DomainNames, t.DomainNames)
	case *RawOption:
		// mdlayher parses some types ours keeps raw (raDifferences); for
		// the rest both keep the bytes.
		if t, ok := theirs.(*mndp.RawOption); ok {
			same = o.Type == t.Type && o.Length == t.Length && bytes.Equal(o.Value, t.Value)
		}
	}
	if same {
		return ""
	}
	return fmt.Sprintf("ours %v, mdlayher %+v", ours, theirs)
}

// crossCheckRA parses b with both parsers. It returns "" when they agree,
// the id of the deliberate difference that explains a disagreement, or an
// error naming the disagreement no listed difference explains.
func crossCheckRA(b []byte) (string, error) {
	ours, oursErr := ParseRouterAdvertisement(b)
	theirs, theirsErr := mndp.ParseMessage(b)
	d := raDisagreement(ours, oursErr, theirs, theirsErr)
	if d == "" {
		return "", nil
	}
	facts := factsOfRA(b)
	for _, rule := range raDifferences {
		if rule.applies(facts) {
			return rule.id, nil
		}
	}
	return "", fmt.Errorf("RA % x: %s", b, d)
}

// capturedRAs returns every Router Advertisement in the captures the tests
// hold, as ICMPv6 bytes, with where it came from.
func capturedRAs(tb testing.TB) (ras [][]byte, where []string) {
	tb.Helper()
	for _, path := range testcaptures.Files(tb) {
		f, err := os.Open(path)
		if err != nil {
			tb.Fatal(err)
		}
		rd, err := capture.NewReader(f)
		if err != nil {
			f.Close()
			tb.Fatalf("%s: %v", path, err)
		}
		for {
			fr, err := rd.Next()
			if errors.Is(err, io.EOF) || err != nil {
				break // a damaged tail ends the file, as in the analysis
			}
			p, err := capture.Decode(fr)
			if err == nil && p.Transport == capture.TransportICMPv6 && len(p.ICMPv6) > 0 && p.ICMPv6[0] == TypeRouterAdvertisement {
				ras = append(ras, bytes.Clone(p.ICMPv6))
				where = append(where, fmt.Sprintf("%s frame %d", testcaptures.Name(path), fr.Number))
			}
		}
		f.Close()
	}
	return ras, where
}

// TestParseAgainstMdlayher: every Router Advertisement of every capture the
// tests hold parses as mdlayher/ndp parses it, or shows a listed
// difference.
func TestParseAgainstMdlayher(t *testing.T) {
	ras, where := capturedRAs(t)
	if len(ras) == 0 {
		t.Fatal("no Router Advertisement among the captures: the cross-check checked nothing")
	}
	explained := map[string]int{}
	for i, b := range ras {
		id, err := crossCheckRA(b)
		if err != nil {
			t.Errorf("%s: %v", where[i], err)
		}
		if id != "" {
			explained[id]++
		}
	}
	t.Logf("%d Router Advertisements; explained by a listed difference: %v", len(ras), explained)
}

// FuzzRAOracle is the differential fuzz target: for any bytes, ours and
// mdlayher accept alike and read the same values, or a listed difference
// explains why not.
func FuzzRAOracle(f *testing.F) {
	f.Add(raWith())
	f.Add(raWith(1, 1, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 5, 1, 0, 0, 0, 0, 0x05, 0xdc))
	ras, _ := capturedRAs(f)
	for _, b := range ras {
		if len(b) <= maxFuzzSeed {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := crossCheckRA(b); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRADifferencesAreReal: for every listed difference, an RA on which the
// two parsers do disagree and the rule explains it.
func TestRADifferencesAreReal(t *testing.T) {
	pio := func(bits byte, prefix string) []byte {
		a := netip.MustParseAddr(prefix).As16()
		return append([]byte{3, 4, bits, 0xc0, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08, 0, 0, 0, 0}, a[:]...)
	}
	dnssl := func(names ...byte) []byte {
		o := append([]byte{31, 0, 0, 0, 0, 0, 0x07, 0x08}, names...)
		for len(o)%8 != 0 {
			o = append(o, 0)
		}
		o[1] = byte(len(o) / 8)
		return o
	}
	bigRDNSS := []byte{25, 33, 0, 0, 0, 0, 0x07, 0x08} // 16 servers: 33 units, 264 octets
	for range 16 {
		a := netip.MustParseAddr("2001:db8::53").As16()
		bigRDNSS = append(bigRDNSS, a[:]...)
	}
	withPref := raWith()
	withPref[5] |= 2 << 3
	tests := []struct {
		id string
		ra []byte
	}{
		{"preference-reserved", withPref},
		{"link-layer-address-length", raWith(1, 2, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0)},
		{"mtu-length", raWith(5, 2, 0, 0, 0, 0, 0x05, 0xdc, 0, 0, 0, 0, 0, 0, 0, 0)},
		{"prefix-length-over-128", raWith(pio(129, "2001:db8::")...)},
		{"prefix-ipv4-mapped", raWith(pio(96, "::ffff:192.0.2.0")...)},
		{"route-preference-reserved", raWith(24, 2, 48, 2<<3, 0, 0, 0x07, 0x08, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0)},
		{"route-prefix-partial-octet", raWith(24, 2, 60, 0, 0, 0, 0x07, 0x08, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0xff)},
		{"dnssl-label-over-63", raWith(dnssl(append(append([]byte{64}, bytes.Repeat([]byte{'a'}, 64)...), 0)...)...)},
		{"dnssl-padding", raWith(dnssl(3, 'l', 'a', 'n', 0, 0, 7, 0)...)},
		{"dnssl-label-octets", raWith(dnssl(3, 'l', 1, 'n', 0)...)},
		{"dnssl-idna", raWith(dnssl(append(append([]byte{8}, "xn--zzzz"...), 0)...)...)},
		{"options-ours-keeps-raw", raWith(38, 2, 0x07, 0x0f, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0)},
		{"option-of-256-octets-or-more", raWith(bigRDNSS...)},
	}
	shown := map[string]bool{}
	for _, tc := range tests {
		ours, oursErr := ParseRouterAdvertisement(tc.ra)
		theirs, theirsErr := mndp.ParseMessage(tc.ra)
		d := raDisagreement(ours, oursErr, theirs, theirsErr)
		if d == "" {
			t.Errorf("%s: the parsers agree on % x; the difference is not there", tc.id, tc.ra)
			continue
		}
		id, err := crossCheckRA(tc.ra)
		if err != nil || id != tc.id {
			t.Errorf("%s: explained by %q (%v), want %q; the disagreement: %s", tc.id, id, err, tc.id, d)
		}
		shown[tc.id] = true
	}
	for _, rule := range raDifferences {
		if !shown[rule.id] {
			t.Errorf("listed difference %s has no RA showing it", rule.id)
		}
	}
}
