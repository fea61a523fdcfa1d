package diag

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	idhcp "github.com/insomniacslk/dhcp/dhcpv6"
	"github.com/insomniacslk/dhcp/iana"
	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/ndp"
)

// Builders for the expert findings (docs/FINDINGS.md): Router
// Advertisements with any header and options, and server messages with
// any timers, lifetimes and options.

// router is a second router on the link.
var router2 = host{net.HardwareAddr{0x02, 0, 0, 0, 0, 0x04}, netip.MustParseAddr("fe80::4")}

// pio is a Prefix Information option.
func pio(prefix string, onLink, auto bool, valid, preferred time.Duration) *ndp.PrefixInformation {
	return &ndp.PrefixInformation{Prefix: netip.MustParsePrefix(prefix), OnLink: onLink, Autonomous: auto, ValidLifetime: valid, PreferredLifetime: preferred}
}

func mtu(n uint32) *ndp.MTU { m := ndp.MTU(n); return &m }

// raMsg marshals an RA with M/O, router lifetime and options.
func raMsg(t testing.TB, m, o bool, lifetime time.Duration, opts ...ndp.Option) []byte {
	t.Helper()
	ra := &ndp.RouterAdvertisement{CurrentHopLimit: 64, ManagedConfiguration: m, OtherConfiguration: o, RouterLifetime: lifetime, Options: opts}
	b, err := ra.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// raFrom sends an RA from h with the given IPv6 hop limit.
func (l *lab) raFrom(h host, hopLimit uint8, icmp []byte) int {
	return l.ip(h, nil, capture.IPv6Packet{Destination: allNodes, HopLimit: hopLimit, Transport: capture.TransportICMPv6, Payload: icmp})
}

// raPPPoE sends an RA from the ISP inside a PPPoE session.
func (l *lab) raPPPoE(icmp []byte) int {
	l.t.Helper()
	b, err := capture.IPv6Packet{Source: isp.ll, Destination: allNodes, HopLimit: 255, Transport: capture.TransportICMPv6, Payload: icmp}.Marshal()
	if err != nil {
		l.t.Fatal(err)
	}
	s := []byte{0x11, 0x00, 0x12, 0x34}
	s = binary.BigEndian.AppendUint16(s, uint16(2+len(b)))
	s = append(s, 0x00, 0x57) // PPP protocol IPv6
	return l.raw(capture.LinkTypeEthernet, ethernet(client.mac, isp.mac, 0x8864, append(s, b...)))
}

// withPDTimes adds an IA_PD with the given timers and lifetimes.
func withPDTimes(prefix string, t1, t2, preferred, valid time.Duration) serverOption {
	return func(m *idhcp.Message) {
		_, n, err := net.ParseCIDR(prefix)
		if err != nil {
			panic(err)
		}
		pd := &idhcp.OptIAPD{IaId: iaid, T1: t1, T2: t2}
		pd.Options.Add(&idhcp.OptIAPrefix{PreferredLifetime: preferred, ValidLifetime: valid, Prefix: n})
		m.AddOption(pd)
	}
}

// withNAStatus adds an IA_NA carrying only a status.
func withNAStatus(c iana.StatusCode) serverOption {
	return func(m *idhcp.Message) {
		na := &idhcp.OptIANA{IaId: iaid}
		na.Options.Add(status(c, "no addresses"))
		m.AddOption(na)
	}
}

func withServerID(d dhcpv6.DUID) serverOption {
	return func(m *idhcp.Message) { m.UpdateOption(idhcp.OptServerID(opaque(d))) }
}

func withDNS(addr string) serverOption {
	return func(m *idhcp.Message) { idhcp.WithDNS(net.ParseIP(addr))(m) }
}

func withRaw(code idhcp.OptionCode, data []byte) serverOption {
	return func(m *idhcp.Message) { m.AddOption(&idhcp.OptionGeneric{OptionCode: code, OptionData: data}) }
}

var otherServerDUID = dhcpv6.DUID{0, 2, 0, 0, 0x09, 0xbf, 'o', 't', 'h'}

// rcShape asks for IA_PD with Rapid Commit.
var rcShape = dhcpv6.RequestShape{IAPD: true, PrefixLength: 48, RapidCommit: true}

// exchangeWith writes RA 1 and a full exchange: Solicit 2, Advertise 3,
// Request 4, Reply 5, whose options are given.
func (l *lab) exchangeWith(ra []byte, advOpts, replyOpts []serverOption) {
	l.raBytes(ra)
	l.at(10*time.Millisecond).solicit(shape, xid(1))
	adv := advertise(xid(1), advOpts...)
	l.at(20 * time.Millisecond).server(adv)
	l.at(30*time.Millisecond).request(xid(2), adv)
	l.at(40 * time.Millisecond).server(reply(xid(2), replyOpts...))
}

var (
	pd48    = withPD("2001:db8:8000::/48")
	goodAdv = []serverOption{pd48}
)

func says(id string, parts ...string) func(t *testing.T, r *Result) {
	return func(t *testing.T, r *Result) {
		t.Helper()
		f := finding(r, id)
		if f == nil {
			t.Fatalf("no %s", id)
		}
		for _, p := range parts {
			if !strings.Contains(f.Summary, p) && !strings.Contains(f.ForISP, p) {
				t.Errorf("%s says %q / %q; want %q", id, f.Summary, f.ForISP, p)
			}
		}
	}
}

func all(checks ...func(t *testing.T, r *Result)) func(t *testing.T, r *Result) {
	return func(t *testing.T, r *Result) {
		t.Helper()
		for _, c := range checks {
			c(t, r)
		}
	}
}

// TestRouterAdvertisementFindings covers the RA rows of docs/FINDINGS.md.
func TestRouterAdvertisementFindings(t *testing.T) {
	for _, sc := range raScenarios(t) {
		t.Run(sc.name, sc.run)
	}
}

func raScenarios(t testing.TB) []scenario {
	good := managed.marshal(t)
	rogue := host{net.HardwareAddr{0x02, 0, 0, 0, 0, 0x66}, netip.MustParseAddr("2001:db8::66")}
	tests := []scenario{
		{
			name: "hop limit 64: ignored, so no router", facts: clientFacts, code: CodeNoRouterAdvertisement,
			build: func(l *lab) { l.rs(); l.raFrom(isp, 64, good) },
			cites: map[string][]int{ndp.ProblemHopLimit: {2}, "ra-invalid-ignored": {2}, "ra-none": {1}},
			check: all(says("ra-invalid-ignored", "1 Router Advertisements were ignored", "hop limit is 64"),
				func(t *testing.T, r *Result) {
					if len(r.Routers) != 0 || r.Stats.IgnoredRouterAdvertisements != 1 || !strings.Contains(r.Verdict.Summary, "1 Router Advertisements arrived but fail") {
						t.Errorf("routers %+v, ignored %d, verdict %q", r.Routers, r.Stats.IgnoredRouterAdvertisements, r.Verdict.Summary)
					}
				}),
		},
		{
			name: "analyze: only invalid RAs is not 'no control traffic'", code: CodeNoRouterAdvertisement,
			build: func(l *lab) { l.raFrom(isp, 64, good) },
			cites: map[string][]int{"ra-invalid-ignored": {1}},
		},
		{
			name: "a global-source RA beside a valid one counts for nothing", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.raFrom(rogue, 255, raMsg(t, false, false, time.Hour, pio("2001:db8:6666::/64", true, true, time.Hour, time.Hour)))
				l.at(time.Millisecond).exchangeWith(good, goodAdv, goodAdv)
			},
			cites:  map[string][]int{ndp.ProblemSourceNotLinkLocal: {1}, "ra-invalid-ignored": {1}, "ra-received": {2}},
			absent: []string{"ra-several-routers", "ra-routers-disagree"},
			check: func(t *testing.T, r *Result) {
				if len(r.Routers) != 1 || r.Routers[0].Source != isp.ll {
					t.Errorf("routers %+v", r.Routers)
				}
			},
		},
		{
			name: "two routers that disagree on flags, prefixes and MTU", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.raFrom(router2, 255, raMsg(t, false, false, time.Hour, pio("2001:db8:4444::/64", true, true, 2*time.Hour, time.Hour), mtu(1480)))
				l.exchangeWith(raMsg(t, true, true, time.Hour, pio("2001:db8:ffff::/64", true, true, 2*time.Hour, time.Hour), mtu(1500)), goodAdv, goodAdv)
			},
			cites: map[string][]int{"ra-several-routers": {1, 2}, "ra-routers-disagree": {1, 2}},
			check: says("ra-routers-disagree", "flags", "prefixes", "MTU", "fe80::4 says M=0 O=0", "fe80::2 says 1500"),
		},
		{
			name: "two routers that agree", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.raFrom(router2, 255, good)
				l.exchangeWith(good, goodAdv, goodAdv)
			},
			cites:  map[string][]int{"ra-several-routers": {1, 2}},
			absent: []string{"ra-routers-disagree"},
		},
		{
			name: "M=1 but no DHCPv6 server", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.at(10*time.Millisecond).solicit(shape, xid(1))
				l.at(1050*time.Millisecond).solicit(shape, xid(1))
			},
			cites:  map[string][]int{"ra-managed-no-dhcpv6-server": {1, 2, 3}},
			absent: []string{"ra-unmanaged-dhcpv6-answers"},
		},
		{
			name: "M=0 O=0 but a DHCPv6 server answers", facts: clientFacts, code: CodeOK,
			build:  func(l *lab) { l.exchangeWith(slaac.marshal(t), goodAdv, goodAdv) },
			cites:  map[string][]int{"ra-unmanaged-dhcpv6-answers": {1, 3, 5}},
			absent: []string{"ra-managed-no-dhcpv6-server"},
		},
		{
			name: "prefix flags, lifetimes and a withdrawn prefix", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.exchangeWith(raMsg(t, true, true, time.Minute,
					pio("2001:db8:1::/64", false, true, 2*time.Hour, time.Hour),
					pio("2001:db8:2::/64", true, false, 5*time.Minute, time.Minute),
					pio("2001:db8:3::/64", true, true, time.Hour, 2*time.Hour),
					pio("2001:db8:4::/64", true, true, 0, 0)), goodAdv, goodAdv)
			},
			cites: map[string][]int{"ra-prefix-not-on-link": {1}, "ra-prefix-not-autonomous": {1}, "ra-lifetime-short": {1},
				ndp.ProblemPreferredExceeds: {1}},
			check: all(says("ra-prefix-not-on-link", "2001:db8:1::/64"), says("ra-prefix-not-autonomous", "2001:db8:2::/64"),
				says("ra-lifetime-short", "router lifetime 1m0s", "2001:db8:2::/64 valid for only 5m0s", "2001:db8:4::/64 is withdrawn")),
		},
		{
			name: "healthy lifetimes are not short", facts: clientFacts, code: CodeOK,
			build:  func(l *lab) { l.exchangeWith(good, goodAdv, goodAdv) },
			absent: []string{"ra-lifetime-short", "ra-prefix-not-on-link", "ra-prefix-not-autonomous", "ra-mtu-unusual", "ra-invalid-ignored"},
		},
		{
			name: "MTU 1492 on Ethernet", facts: clientFacts, code: CodeOK,
			build: func(l *lab) { l.exchangeWith(raMsg(t, true, true, time.Hour, mtu(1492)), goodAdv, goodAdv) },
			cites: map[string][]int{"ra-mtu-unusual": {1}},
			check: says("ra-mtu-unusual", "1492", "not PPPoE"),
		},
		{
			name: "MTU 1492 on PPPoE is the usual value", code: CodeSLAACOnly,
			build: func(l *lab) { l.raPPPoE(raMsg(t, false, false, time.Hour, mtu(1492))) },
			cites: map[string][]int{"ra-mtu-unusual": {1}},
			check: func(t *testing.T, r *Result) {
				if f := finding(r, "ra-mtu-unusual"); f.Severity != SeverityInfo || !strings.Contains(f.Summary, "usual value on PPPoE") || !r.Routers[0].PPPoE {
					t.Errorf("finding %+v, router %+v", f, r.Routers[0])
				}
			},
		},
		{
			name: "MTU 1500 on PPPoE is too large", code: CodeSLAACOnly,
			build: func(l *lab) { l.raPPPoE(raMsg(t, false, false, time.Hour, mtu(1500))) },
			cites: map[string][]int{"ra-mtu-unusual": {1}},
			check: func(t *testing.T, r *Result) {
				if f := finding(r, "ra-mtu-unusual"); f.Severity != SeverityWarn || !strings.HasPrefix(f.ForISP, "Please check") {
					t.Errorf("finding %+v", f)
				}
			},
		},
		{
			name: "MTU below 1280", code: CodeSLAACOnly,
			build:  func(l *lab) { l.raBytes(raMsg(t, false, false, time.Hour, mtu(1000))) },
			cites:  map[string][]int{ndp.ProblemMTUBelow1280: {1}},
			absent: []string{"ra-mtu-unusual"},
		},
		{
			name: "RDNSS and DNSSL present", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.exchangeWith(raMsg(t, true, true, time.Hour,
					&ndp.RecursiveDNSServer{Lifetime: time.Hour, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
					&ndp.DNSSearchList{Lifetime: time.Hour, DomainNames: []string{"isp.example"}}), goodAdv, goodAdv)
			},
			cites:  map[string][]int{"ra-rdnss": {1}, "ra-dnssl": {1}},
			absent: []string{"ra-rdnss-absent", "dns-none"},
			check:  all(says("ra-rdnss", "2001:db8::53"), says("ra-dnssl", "isp.example")),
		},
		{
			name: "no RDNSS, DNS from DHCPv6", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.exchangeWith(raMsg(t, true, true, time.Hour), goodAdv, []serverOption{pd48, withDNS("2001:db8::35")})
			},
			cites:  map[string][]int{"ra-rdnss-absent": {1}},
			absent: []string{"dns-none", "dhcpv6-dns-absent", "ra-rdnss"},
		},
		{
			name: "no DNS server anywhere", facts: clientFacts, code: CodeOK,
			build: func(l *lab) { l.exchangeWith(raMsg(t, true, true, time.Hour), goodAdv, goodAdv) },
			cites: map[string][]int{"ra-rdnss-absent": {1}, "dns-none": {1, 3, 5}, "dhcpv6-dns-absent": {3, 5}},
		},
	}
	return tests
}

// TestDHCPv6Findings covers the DHCPv6 rows of docs/FINDINGS.md.
func TestDHCPv6Findings(t *testing.T) {
	for _, sc := range dhcpScenarios(t) {
		t.Run(sc.name, sc.run)
	}
}

func dhcpScenarios(t testing.TB) []scenario {
	good := managed.marshal(t)
	tests := []scenario{
		{
			name: "answers only with Rapid Commit", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.at(10*time.Millisecond).solicit(shape, xid(1))
				l.at(1050*time.Millisecond).solicit(shape, xid(1))
				l.at(5*time.Second).solicit(rcShape, xid(3))
				l.at(5010 * time.Millisecond).server(reply(xid(3), withRapidCommit, pd48))
			},
			cites: map[string][]int{"dhcpv6-answers-only-rapid-commit": {2, 3, 4}, "dhcpv6-prefix-delegated": {5}},
			check: says("dhcpv6-answers-only-rapid-commit", "odhcp6c"),
		},
		{
			name: "answers only without Rapid Commit", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.at(10*time.Millisecond).solicit(rcShape, xid(1))
				l.at(5*time.Second).solicit(shape, xid(3))
				adv := advertise(xid(3), pd48)
				l.server(adv)
				l.request(xid(4), adv)
				l.server(reply(xid(4), pd48))
			},
			cites:  map[string][]int{"dhcpv6-answers-only-without-rapid-commit": {2, 3}},
			absent: []string{"dhcpv6-answers-only-rapid-commit", "dhcpv6-rapid-commit-declined"},
		},
		{
			name: "Rapid Commit answered with an Advertise", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(rcShape, xid(1))
				adv := advertise(xid(1), pd48)
				l.server(adv)
				l.request(xid(2), adv)
				l.server(reply(xid(2), pd48))
			},
			cites: map[string][]int{"dhcpv6-rapid-commit-declined": {2, 3}},
		},
		{
			name: "two servers and their preferences", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(advertise(xid(1), withServerID(otherServerDUID), withPreference(10), withPD("2001:db8:9000::/48")))
				adv := advertise(xid(1), withPreference(200), pd48)
				l.server(adv)
				l.request(xid(2), adv)
				l.server(reply(xid(2), pd48))
			},
			cites: map[string][]int{"dhcpv6-several-servers": {3, 4, 6}},
			check: says("dhcpv6-several-servers", "preference 10", "preference 200"),
		},
		{
			name: "Advertise with NoPrefixAvail", facts: clientFacts, code: CodeNoPrefixOffered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(advertise(xid(1), withNA("2001:db8::100"), withPDStatus(iana.StatusNoPrefixAvail)))
			},
			cites:  map[string][]int{"dhcpv6-no-prefix-avail": {3}, "dhcpv6-no-prefix-offered": {3}},
			absent: []string{"dhcpv6-advertise-without-ia-pd", "dhcpv6-offer-not-taken"},
			check: func(t *testing.T, r *Result) {
				if f := finding(r, "dhcpv6-no-prefix-avail"); f.Severity != SeverityFail || !strings.HasPrefix(f.ForISP, "Please check") {
					t.Errorf("finding %+v", f)
				}
			},
		},
		{
			name: "NoPrefixAvail from one server, a prefix from another", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(advertise(xid(1), withServerID(otherServerDUID), withPDStatus(iana.StatusNoPrefixAvail)))
				adv := advertise(xid(1), pd48)
				l.server(adv)
				l.request(xid(2), adv)
				l.server(reply(xid(2), pd48))
			},
			cites: map[string][]int{"dhcpv6-no-prefix-avail": {3}, "dhcpv6-several-servers": {3, 4, 6}},
			check: func(t *testing.T, r *Result) {
				if f := finding(r, "dhcpv6-no-prefix-avail"); f.Severity != SeverityWarn {
					t.Errorf("severity %s, want warn: another server delegated", f.Severity)
				}
			},
		},
		{
			name: "Advertise without IA_PD", facts: clientFacts, code: CodeNoPrefixOffered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(advertise(xid(1), withNA("2001:db8::100")))
			},
			cites:  map[string][]int{"dhcpv6-advertise-without-ia-pd": {3}},
			absent: []string{"dhcpv6-no-prefix-avail"},
		},
		{
			name: "Advertise with NoAddrsAvail and nothing else", facts: clientFacts, code: CodeNoPrefixOffered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(advertise(xid(1), withNAStatus(iana.StatusNoAddrsAvail)))
			},
			cites:  map[string][]int{"dhcpv6-no-addrs-avail": {3}, "dhcpv6-advertise-without-ia-pd": {3}},
			absent: []string{"dhcpv6-no-addrs-avail-beside-prefix"},
		},
		{
			// odhcp6c with reqaddress 'force' drops this offer and solicits
			// again: the capture of the router's own client.
			name: "analyze: NoAddrsAvail beside a prefix, the client keeps soliciting", code: CodeOfferNotTaken,
			build: func(l *lab) {
				l.ra(managed)
				l.at(10*time.Millisecond).solicit(shape, xid(1))
				l.at(20 * time.Millisecond).server(advertise(xid(1), withNAStatus(iana.StatusNoAddrsAvail), pd48))
				l.at(1100*time.Millisecond).solicit(shape, xid(1))
				l.at(1110 * time.Millisecond).server(advertise(xid(1), withNAStatus(iana.StatusNoAddrsAvail), pd48))
			},
			cites:  map[string][]int{"dhcpv6-no-addrs-avail-beside-prefix": {3, 5}, "dhcpv6-offer-not-taken": {3, 4}},
			absent: []string{"dhcpv6-prefix-delegated", "dhcpv6-no-addrs-avail"},
			check: func(t *testing.T, r *Result) {
				if r.Verdict.WhoMustAct != PartyUser || !strings.Contains(r.Verdict.Summary, "reqaddress 'force'") || len(r.DelegatedPrefixes) != 0 {
					t.Errorf("verdict %+v, delegated %v", r.Verdict, prefixes(r.DelegatedPrefixes))
				}
			},
		},
		{
			name: "analyze: a plain offer the client keeps ignoring", code: CodeOfferNotTaken,
			build: func(l *lab) {
				l.ra(managed)
				l.at(10*time.Millisecond).solicit(dhcpv6.RequestShape{IAPD: true}, xid(1))
				l.at(20 * time.Millisecond).server(advertise(xid(1), pd48))
				l.at(1100*time.Millisecond).solicit(dhcpv6.RequestShape{IAPD: true}, xid(1))
			},
			cites:  map[string][]int{"dhcpv6-offer-not-taken": {3, 4}},
			absent: []string{"dhcpv6-no-addrs-avail-beside-prefix"},
			check:  says("dhcpv6-offer-not-taken", "kept soliciting (1 more Solicits)", "reqprefix"),
		},
		{
			name: "analyze: the capture ends just after the offer", code: CodeOfferNotTaken,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.at(15 * time.Millisecond).server(advertise(xid(1), pd48))
				l.at(500 * time.Millisecond).ra(managed)
			},
			check: says("dhcpv6-offer-not-taken", "capture ends 485ms after the offer"),
		},
		{
			name: "analyze: the capture goes on and no Request comes", code: CodeOfferNotTaken,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.at(15 * time.Millisecond).server(advertise(xid(1), pd48))
				l.at(10 * time.Second).ra(managed)
			},
			check: says("dhcpv6-offer-not-taken", "in the 9.985s that followed"),
		},
		{
			name: "live: the run ended before the Request", facts: clientFacts, code: CodeOfferNotTaken,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(advertise(xid(1), pd48))
			},
			check: says("dhcpv6-offer-not-taken", "--timeout"),
		},
		{
			name: "Reply with per-IA and message-level errors", facts: clientFacts, code: CodeReplyRefused,
			build: func(l *lab) {
				l.exchangeWith(good, goodAdv, []serverOption{withPDStatus(iana.StatusNoPrefixAvail)})
			},
			cites:  map[string][]int{"dhcpv6-reply-error": {5}, "dhcpv6-no-prefix-avail": {5}},
			absent: []string{"dhcpv6-reply-status-error"},
		},
		{
			name: "T1 and T2 zero", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.exchangeWith(good, goodAdv, []serverOption{withPDTimes("2001:db8:8000::/48", 0, 0, time.Hour, 2*time.Hour)})
			},
			cites:  map[string][]int{"dhcpv6-timers-zero": {5}},
			absent: []string{"dhcpv6-t1-exceeds-t2", "dhcpv6-lifetimes-short"},
		},
		{
			name: "T1 greater than T2: the IA_PD is discarded", facts: clientFacts, code: CodeReplyRefused,
			build: func(l *lab) {
				l.exchangeWith(good, goodAdv, []serverOption{withPDTimes("2001:db8:8000::/48", time.Hour, 30*time.Minute, time.Hour, 2*time.Hour)})
			},
			cites: map[string][]int{"dhcpv6-t1-exceeds-t2": {5}},
			check: delegated(),
		},
		{
			name: "preferred longer than valid: the prefix is discarded", facts: clientFacts, code: CodeReplyRefused,
			build: func(l *lab) {
				l.exchangeWith(good, goodAdv, []serverOption{withPDTimes("2001:db8:8000::/48", 30*time.Minute, 48*time.Minute, 3*time.Hour, 2*time.Hour)})
			},
			cites: map[string][]int{"dhcpv6-preferred-exceeds-valid": {5}},
			check: delegated(),
		},
		{
			name: "valid lifetime 0", facts: clientFacts, code: CodeReplyRefused,
			build: func(l *lab) {
				l.exchangeWith(good, goodAdv, []serverOption{withPDTimes("2001:db8:8000::/48", 30*time.Minute, 48*time.Minute, 0, 0)})
			},
			cites: map[string][]int{"dhcpv6-lifetime-zero": {5}},
			check: delegated(),
		},
		{
			name: "lifetimes so short renewals flood", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.exchangeWith(good, goodAdv, []serverOption{withPDTimes("2001:db8:8000::/48", 30*time.Second, 48*time.Second, time.Minute, 2*time.Minute)})
			},
			cites: map[string][]int{"dhcpv6-lifetimes-short": {5}},
			check: says("dhcpv6-lifetimes-short", "renew every 30s"),
		},
		{
			name: "short lifetimes with T1 zero use half the preferred lifetime", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.exchangeWith(good, goodAdv, []serverOption{withPDTimes("2001:db8:8000::/48", 0, 0, 100*time.Second, 200*time.Second)})
			},
			cites: map[string][]int{"dhcpv6-lifetimes-short": {5}, "dhcpv6-timers-zero": {5}},
			check: says("dhcpv6-lifetimes-short", "renew every 50s"),
		},
		{
			name: "Advertise to the server port is ignored", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.ip(isp, client.mac, capture.IPv6Packet{Destination: client.ll, HopLimit: 64, Transport: capture.TransportUDP,
					SourcePort: 547, DestinationPort: 547, Payload: advertise(xid(1), pd48)})
			},
			cites: map[string][]int{"dhcpv6-wrong-port": {3}, "dhcpv6-no-reply": {2}},
			check: all(says("dhcpv6-wrong-port", "UDP port 547"), func(t *testing.T, r *Result) {
				if !strings.Contains(r.Timeline[2].Ignored, "port 547") {
					t.Errorf("timeline %+v", r.Timeline[2])
				}
			}),
		},
		{
			name: "Advertise to port 5460 is seen and ignored", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.ip(isp, client.mac, capture.IPv6Packet{Destination: client.ll, HopLimit: 64, Transport: capture.TransportUDP,
					SourcePort: 547, DestinationPort: 5460, Payload: advertise(xid(1), pd48)})
			},
			cites: map[string][]int{"dhcpv6-wrong-port": {3}},
			check: says("dhcpv6-wrong-port", "UDP port 5460"),
		},
		{
			// Its options cannot be read: only dhcpv6-malformed, not also a
			// missing Client ID.
			name: "a malformed Advertise is ignored as malformed only", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(append(advertise(xid(1), pd48), 0, 23, 0, 200, 0x20, 0x01))
			},
			cites:  map[string][]int{"dhcpv6-malformed": {3}},
			absent: []string{"dhcpv6-missing-client-id", "dhcpv6-missing-server-id"},
			check: func(t *testing.T, r *Result) {
				if !strings.HasPrefix(r.Timeline[2].Ignored, "malformed: ") {
					t.Errorf("timeline %+v", r.Timeline[2])
				}
			},
		},
		{
			name: "Advertise to another address is ignored", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.ip(isp, client.mac, capture.IPv6Packet{Destination: netip.MustParseAddr("fe80::99"), HopLimit: 64, Transport: capture.TransportUDP,
					SourcePort: 547, DestinationPort: 546, Payload: advertise(xid(1), pd48)})
			},
			cites: map[string][]int{"dhcpv6-wrong-address": {3}},
			check: says("dhcpv6-wrong-address", "sent to fe80::99, not to fe80::1"),
		},
		{
			// A capture on the server side of a relay: the Relay-reply goes
			// to the relay's port 547, which is right.
			name: "a Relay-reply to the relay is not a wrong port or address", facts: clientFacts, code: CodeOfferNotTaken,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.ip(isp, neighbour.mac, capture.IPv6Packet{Destination: neighbour.ll, HopLimit: 64, Transport: capture.TransportUDP,
					SourcePort: 547, DestinationPort: 547, Payload: relayRepl(advertise(xid(1), pd48))})
			},
			absent: []string{"dhcpv6-wrong-port", "dhcpv6-wrong-address"},
			check: func(t *testing.T, r *Result) {
				if len(r.Servers) != 1 || r.Timeline[2].Ignored != "" {
					t.Errorf("servers %+v, timeline %+v", r.Servers, r.Timeline[2])
				}
			},
		},
		{
			name: "Server Unicast and Reconfigure Accept", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				ucast := netip.MustParseAddr("2001:db8::547").As16()
				l.exchangeWith(good, goodAdv, []serverOption{pd48, withRaw(idhcp.OptionUnicast, ucast[:]), withRaw(idhcp.OptionReconfAccept, nil)})
			},
			cites: map[string][]int{"dhcpv6-server-unicast": {5}, "dhcpv6-reconfigure-accept": {5}},
			check: says("dhcpv6-server-unicast", "2001:db8::547", "noserverunicast"),
		},
		{
			name: "DNS servers present", facts: clientFacts, code: CodeOK,
			build:  func(l *lab) { l.exchangeWith(good, goodAdv, []serverOption{pd48, withDNS("2001:db8::35")}) },
			absent: []string{"dhcpv6-dns-absent", "dhcpv6-server-unicast", "dhcpv6-reconfigure-accept", "dhcpv6-timers-zero"},
		},
	}
	return tests
}

// TestSequence covers the order and timing of the exchange: RFC 8415 §15
// retransmission windows, REQ_MAX_RC, slow servers, out-of-order messages,
// and Result.Sequence.
func TestSequence(t *testing.T) {
	for _, sc := range sequenceScenarios() {
		t.Run(sc.name, sc.run)
	}
}

func sequenceScenarios() []scenario {
	tests := []scenario{
		{
			name: "healthy: four steps with latencies", facts: clientFacts, code: CodeOK,
			build: func(l *lab) { l.healthy(managed, shape, pd48) },
			absent: []string{"dhcpv6-retransmission-timing", "dhcpv6-slow-server", "dhcpv6-sequence-out-of-order",
				"dhcpv6-request-retransmissions"},
			check: func(t *testing.T, r *Result) {
				want := []Step{
					{Frame: 3, Kind: "Solicit", Direction: DirectionOut, TransactionID: "0xabcd01", Offset: 10 * time.Millisecond, Transmission: 1, GapOK: true},
					{Frame: 4, Kind: "Advertise", Direction: DirectionIn, TransactionID: "0xabcd01", Offset: 25 * time.Millisecond, Latency: 15 * time.Millisecond, SinceFirst: 15 * time.Millisecond, GapOK: true},
					{Frame: 5, Kind: "Request", Direction: DirectionOut, TransactionID: "0xabcd02", Offset: 30 * time.Millisecond, Transmission: 1, GapOK: true},
					{Frame: 6, Kind: "Reply", Direction: DirectionIn, TransactionID: "0xabcd02", Offset: 42 * time.Millisecond, Latency: 12 * time.Millisecond, SinceFirst: 12 * time.Millisecond, GapOK: true},
				}
				if d := cmp.Diff(want, r.Sequence); d != "" {
					t.Errorf("sequence (-want +got):\n%s", d)
				}
			},
		},
		{
			name: "Solicits per RFC 8415: no timing finding", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				for _, at := range []time.Duration{0, 1050, 3150, 7350, 15750} {
					l.at(at*time.Millisecond+10*time.Millisecond).solicit(shape, xid(1))
				}
			},
			cites:  map[string][]int{"dhcpv6-solicit-retransmissions": {2, 3, 4, 5, 6}},
			absent: []string{"dhcpv6-retransmission-timing"},
			check: func(t *testing.T, r *Result) {
				s := r.Sequence[2]
				if s.Transmission != 3 || s.Gap != 2100*time.Millisecond || s.GapMin != 1995*time.Millisecond-timingSlack || s.GapMax != 2205*time.Millisecond+timingSlack || !s.GapOK {
					t.Errorf("third Solicit %+v", s)
				}
			},
		},
		{
			name: "Solicits too fast", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.at(0).solicit(shape, xid(1))
				l.at(500*time.Millisecond).solicit(shape, xid(1))  // half SOL_TIMEOUT
				l.at(1000*time.Millisecond).solicit(shape, xid(1)) // not doubled
			},
			cites: map[string][]int{"dhcpv6-retransmission-timing": {3, 4}},
			check: says("dhcpv6-retransmission-timing", "Solicit in frame 3 came 0.500 s after the previous one (RFC 8415 allows 0.875–1.125 s)",
				"Solicit in frame 4 came 0.500 s after the previous one (RFC 8415 allows 0.925–1.075 s)"),
		},
		{
			name: "Request retransmitted past REQ_MAX_RC", facts: clientFacts, code: CodeRequestUnanswered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				adv := advertise(xid(1), pd48)
				l.server(adv)
				at := 10 * time.Millisecond
				for i, gap := range []time.Duration{0, 1050, 2100, 4200, 8400, 16800, 30000, 30000, 30000, 30000, 30000} {
					at += gap * time.Millisecond
					l.at(at).request(xid(2), adv)
					_ = i
				}
			},
			cites: map[string][]int{"dhcpv6-request-max-rc-exceeded": {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
				"dhcpv6-request-retransmissions": {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}},
			absent: []string{"dhcpv6-retransmission-timing"},
		},
		{
			name: "a slow server", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.at(0).solicit(shape, xid(1))
				l.at(1050*time.Millisecond).solicit(shape, xid(1))
				adv := advertise(xid(1), pd48)
				l.at(2500 * time.Millisecond).server(adv)
				l.at(2510*time.Millisecond).request(xid(2), adv)
				l.at(2520 * time.Millisecond).server(reply(xid(2), pd48))
			},
			cites: map[string][]int{"dhcpv6-slow-server": {2, 4}},
			check: says("dhcpv6-slow-server", "2.500 s after the first Solicit", "1.450 s after the latest of 2"),
		},
		{
			name: "a Request to a server that never advertised", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(advertise(xid(1), pd48))
				l.request(xid(2), advertise(xid(1), withServerID(otherServerDUID), pd48))
				l.server(reply(xid(2), withServerID(otherServerDUID), pd48))
			},
			cites: map[string][]int{"dhcpv6-sequence-out-of-order": {4}},
		},
		{
			name: "an Advertise answering a Request is ignored", facts: clientFacts, code: CodeRequestUnanswered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				adv := advertise(xid(1), pd48)
				l.server(adv)
				l.request(xid(2), adv)
				l.server(advertise(xid(2), pd48))
			},
			cites: map[string][]int{"dhcpv6-sequence-out-of-order": {5}},
			check: says("dhcpv6-sequence-out-of-order", "Advertise answers a Request"),
		},
	}
	return tests
}

// TestFinishTwice: a second Finish gives the same diagnosis, not doubled
// findings or frames.
func TestFinishTwice(t *testing.T) {
	l := newLab(t)
	l.raFrom(isp, 64, managed.marshal(t))
	l.ra(managed)
	l.solicit(shape, xid(1))
	l.server(advertise(xid(9), pd48))                                  // wrong transaction id
	l.server(advertise(xid(1), withoutOption(idhcp.OptionServerID)))   // no Server ID
	l.server(reply(xid(1), pd48))                                      // Reply without Rapid Commit
	l.server(advertise(xid(1), withNAStatus(iana.StatusNoAddrsAvail))) // valid
	a := NewAnalyzer(clientFacts)
	for _, f := range l.frames {
		a.Add(f)
	}
	first := a.Finish()
	second := a.Finish()
	if d := cmp.Diff(first.Findings, second.Findings); d != "" {
		t.Errorf("findings differ on the second Finish (-first +second):\n%s", d)
	}
	if d := cmp.Diff(first.Sequence, second.Sequence); d != "" {
		t.Errorf("sequence differs (-first +second):\n%s", d)
	}
	if first.Verdict != second.Verdict || len(first.Timeline) != len(second.Timeline) {
		t.Errorf("verdict %+v then %+v", first.Verdict, second.Verdict)
	}
	for i := range first.Timeline {
		if first.Timeline[i].Ignored != second.Timeline[i].Ignored {
			t.Errorf("frame %d ignored %q then %q", first.Timeline[i].Frame, first.Timeline[i].Ignored, second.Timeline[i].Ignored)
		}
	}
	ids := findingIDs(first)
	for _, id := range []string{"dhcpv6-wrong-transaction-id", "dhcpv6-missing-server-id", "dhcpv6-reply-without-rapid-commit", ndp.ProblemHopLimit} {
		if !slices.Contains(ids, id) {
			t.Errorf("no %s in %v", id, ids)
		}
	}
	seen := map[string]bool{}
	for _, f := range second.Findings {
		k := f.ID + f.Summary
		if seen[k] {
			t.Errorf("finding %s twice", f.ID)
		}
		seen[k] = true
	}
}

// TestFindingsDocumented: every id the tests produce is in
// docs/FINDINGS.md, so the list other helpers build on stays complete.
func TestFindingsDocumented(t *testing.T) {
	doc := readFindingsDoc(t)
	check := func(r *Result) {
		for _, f := range r.Findings {
			if !strings.Contains(doc, "`"+f.ID+"`") {
				t.Errorf("finding %s is not in docs/FINDINGS.md", f.ID)
			}
			if f.Summary == "" || f.RFC == "" && !strings.HasPrefix(f.ID, "capture-") && f.ID != "link-no-carrier" {
				t.Errorf("finding %s lacks a summary or RFC: %+v", f.ID, f)
			}
			if f.ForISP != "" && !strings.HasPrefix(f.ForISP, "Please check") {
				t.Errorf("finding %s: ForISP %q does not begin with \"Please check\"", f.ID, f.ForISP)
			}
		}
		if !strings.Contains(doc, "`"+string(r.Verdict.Code)+"`") {
			t.Errorf("verdict %s is not in docs/FINDINGS.md", r.Verdict.Code)
		}
	}
	scenarios := append(append(raScenarios(t), dhcpScenarios(t)...), sequenceScenarios()...)
	for _, list := range [][]scenario{askedScenarios(), oneSidedScenarios(), withoutRouterScenarios(), relayScenarios(), kindScenarios(), damagedScenarios()} {
		scenarios = append(scenarios, list...)
	}
	for _, sc := range scenarios {
		l := newLab(t)
		sc.build(l)
		check(l.analyze(sc.facts))
	}
	for _, hc := range hostileCases(t) {
		l := newLab(t)
		hc.build(l)
		check(l.analyze(clientFacts))
	}
}

func readFindingsDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "FINDINGS.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRecordedFindings: the expert findings on real captures — v6diag's
// own runs against Kea and radvd, and captures from other projects.
func TestRecordedFindings(t *testing.T) {
	t.Run("radvd without DHCPv6: four Solicits on RFC 8415's schedule", func(t *testing.T) {
		r := analyzeFile(t, filepath.Join("testdata", "radvd-no-dhcpv6.pcapng"), Facts{Live: true, Carrier: true})
		if len(r.Sequence) != 4 {
			t.Fatalf("sequence %+v", r.Sequence)
		}
		for i, s := range r.Sequence {
			if s.Transmission != i+1 || !s.GapOK || (i > 0 && (s.GapMin == 0 || s.Gap < s.GapMin || s.Gap > s.GapMax)) {
				t.Errorf("step %d: %+v", i, s)
			}
		}
		if f := finding(r, "ra-managed-no-dhcpv6-server"); f == nil || !slices.Equal(f.Frames, []int{2, 3, 4, 5, 6}) {
			t.Errorf("ra-managed-no-dhcpv6-server %+v", f)
		}
		if finding(r, "dhcpv6-retransmission-timing") != nil {
			t.Errorf("our own client's timing flagged: %s", finding(r, "dhcpv6-retransmission-timing").Summary)
		}
	})
	t.Run("Kea: the four messages in order, fast", func(t *testing.T) {
		r := analyzeFile(t, filepath.Join("testdata", "kea-healthy.pcapng"), Facts{Live: true, Carrier: true})
		var kinds []Kind
		for _, s := range r.Sequence {
			kinds = append(kinds, s.Kind)
		}
		if want := []Kind{"Solicit", "Advertise", "Request", "Reply", "Release", "Reply"}; !slices.Equal(kinds, want) {
			t.Errorf("sequence %v, want %v", kinds, want)
		}
		for _, id := range []string{"dhcpv6-slow-server", "dhcpv6-sequence-out-of-order", "dhcpv6-retransmission-timing", "dhcpv6-offer-not-taken"} {
			if f := finding(r, id); f != nil {
				t.Errorf("%s: %s", id, f.Summary)
			}
		}
	})
	dir := sharedCaptures(t)
	t.Run("PPPoE: MTU 1492, short leases, no DNS", func(t *testing.T) {
		r := analyzeFile(t, filepath.Join(dir, "zeek_zeek__testing_btest_Traces_pppoe.pcap"), Facts{})
		if r.Verdict.Code != CodeOK || !r.Routers[0].PPPoE {
			t.Errorf("verdict %s, routers %+v", r.Verdict.Code, r.Routers)
		}
		says("ra-mtu-unusual", "usual value on PPPoE")(t, r)
		says("dhcpv6-lifetimes-short", "renew every 1m2s")(t, r)
		if f := finding(r, "dhcpv6-lifetimes-short"); !slices.Equal(f.Frames, []int{39}) {
			t.Errorf("lifetimes judged on frames %v, want the Reply's [39]", f.Frames)
		}
		for _, id := range []string{"dns-none", "ra-unmanaged-dhcpv6-answers"} {
			if finding(r, id) == nil {
				t.Errorf("no %s; have %v", id, findingIDs(r))
			}
		}
	})
	t.Run("RAs from a global source are ignored", func(t *testing.T) {
		r := analyzeFile(t, filepath.Join(dir, "zeek_zeek__testing_btest_Traces_icmp_nd_dnssl.pcap"), Facts{})
		if r.Verdict.Code != CodeNoRouterAdvertisement || len(r.Routers) != 0 || r.Stats.IgnoredRouterAdvertisements != 2 {
			t.Errorf("verdict %s, routers %d, ignored %d", r.Verdict.Code, len(r.Routers), r.Stats.IgnoredRouterAdvertisements)
		}
		if f := finding(r, "ra-invalid-ignored"); f == nil || !slices.Equal(f.Frames, []int{1, 2}) {
			t.Errorf("ra-invalid-ignored %+v", f)
		}
	})
	t.Run("a Windows-style schedule is off RFC 8415's timers", func(t *testing.T) {
		r := analyzeFile(t, filepath.Join(dir, "OISF_suricata-verify__tests_smb2-ntlmssp-negotiateflags_input.pcap"), Facts{})
		says("dhcpv6-retransmission-timing", "Solicit in frame 4 came 1.000 s after the previous one")(t, r)
	})
}

// TestLadderRapidCommitOnly: across the attempts of a strategy ladder, a
// server that answers only the Rapid Commit attempt is named, though each
// attempt alone cannot show it.
func TestLadderRapidCommitOnly(t *testing.T) {
	l := newLab(t)
	l.ra(managed)
	s1 := l.at(10*time.Millisecond).solicit(shape, xid(1))
	l.at(1050*time.Millisecond).solicit(shape, xid(1))
	last1 := len(l.frames)
	s2 := l.at(3*time.Second).solicit(rcShape, xid(2))
	l.at(3010 * time.Millisecond).server(reply(xid(2), withRapidCommit, pd48))
	facts := clientFacts
	facts.Attempts = []AttemptWindow{
		{Index: 1, Label: "IA_NA + IA_PD", DUID: clientDUID, TransactionIDs: []dhcpv6.TransactionID{xid(1)}, FirstFrame: s1, LastFrame: last1},
		{Index: 2, Label: "Rapid Commit", DUID: clientDUID, TransactionIDs: []dhcpv6.TransactionID{xid(2)}, FirstFrame: s2},
	}
	a := NewAnalyzer(facts)
	for _, f := range l.frames {
		a.Add(f)
	}
	r := a.Finish()
	f := finding(r, "dhcpv6-answers-only-rapid-commit")
	if f == nil || !slices.Equal(f.Frames, []int{2, 3, 4}) {
		t.Fatalf("dhcpv6-answers-only-rapid-commit %+v; have %v", f, findingIDs(r))
	}
	if again := a.Finish(); len(again.Findings) != len(r.Findings) {
		t.Errorf("%d findings, then %d on a second Finish", len(r.Findings), len(again.Findings))
	}
	for _, at := range r.Attempts {
		if at.Verdict.Code == "" {
			t.Errorf("attempt %+v without verdict", at)
		}
	}
}
