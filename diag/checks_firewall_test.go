package diag

import (
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/firewall"
)

// loadFirewall loads a firewall from the firewall package's testdata.
func loadFirewall(t *testing.T, name string, networks ...string) *firewall.Firewall {
	t.Helper()
	b, err := os.ReadFile("../firewall/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := firewall.Sources{Networks: networks}
	if strings.HasSuffix(name, ".nft") {
		s.NftRuleset = b
	} else {
		s.Config = b
	}
	f, err := firewall.Load(s)
	if err != nil || f.Empty() {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// TestFirewallJudgement: a healthy exchange whose server answers from a
// global address, behind the fw3-era rule (fc00::/6 only) and behind
// fw4's default; and one from a link-local server behind the old rule.
func TestFirewallJudgement(t *testing.T) {
	globalServer := host{isp.mac, netip.MustParseAddr("2001:db8:ffff::547")}
	exchangeFrom := func(server host) func(l *lab) {
		return func(l *lab) {
			l.at(0).rs()
			l.at(3 * time.Millisecond).ra(raSpec{M: true, O: true, Lifetime: 1800 * time.Second})
			l.at(10*time.Millisecond).solicit(shape, xid(1))
			adv := advertise(xid(1), withNA("2001:db8::100"), withPD("2001:db8:8000::/48"))
			l.at(25*time.Millisecond).ip(server, client.mac, dhcpPacket(adv))
			l.at(30*time.Millisecond).request(xid(2), adv)
			l.at(42*time.Millisecond).ip(server, client.mac, dhcpPacket(reply(xid(2), withNA("2001:db8::100"), withPD("2001:db8:8000::/48"))))
		}
	}
	old := loadFirewall(t, "firewall-19.07.uci", "wan", "wan6")
	fw4 := loadFirewall(t, "fw4-23.05-default.nft")
	with := func(fw *firewall.Firewall, dev string) Facts {
		f := clientFacts
		f.Firewall, f.Interface = fw, dev
		return f
	}
	for _, sc := range []scenario{
		{name: "fw3-era rule, global server: the router hears nothing", facts: with(old, "eth0.2"), build: exchangeFrom(globalServer),
			code: CodeFirewallDropsDHCPv6, cites: map[string][]int{"firewall-drops-dhcpv6": {4, 6}}, absent: []string{"firewall-accepts-dhcpv6"},
			check: func(t *testing.T, r *Result) {
				f := finding(r, "firewall-drops-dhcpv6")
				for _, want := range []string{"2001:db8:ffff::547", "Allow-DHCPv6", "fc00::/6", "zone wan input policy REJECT", "rejects"} {
					if !strings.Contains(f.Summary, want) {
						t.Errorf("finding does not say %q: %s", want, f.Summary)
					}
				}
				if r.Verdict.WhoMustAct != PartyUser || !strings.Contains(r.Verdict.Summary, "4, 6") {
					t.Errorf("verdict %+v", r.Verdict)
				}
				// What the raw socket saw stays in the report.
				if len(r.DelegatedPrefixes) != 1 {
					t.Errorf("delegated %v", r.DelegatedPrefixes)
				}
			}},
		{name: "fw4 default, global server", facts: with(fw4, "eth1"), build: exchangeFrom(globalServer),
			code: CodeOK, cites: map[string][]int{"firewall-accepts-dhcpv6": {4, 6}}, absent: []string{"firewall-drops-dhcpv6"}},
		{name: "fw3-era rule, link-local server", facts: with(old, "eth0.2"), build: exchangeFrom(isp),
			code: CodeOK, cites: map[string][]int{"firewall-accepts-dhcpv6": {4, 6}}, absent: []string{"firewall-drops-dhcpv6"}},
		{name: "not read on a live run", facts: with(&firewall.Firewall{Notes: []string{"nft: not found"}}, "eth1"), build: exchangeFrom(globalServer),
			code: CodeOK, cites: map[string][]int{"firewall-not-read": nil}},
		{name: "analyze: no firewall, no finding", facts: Facts{}, build: exchangeFrom(globalServer),
			code: CodeOK, absent: []string{"firewall-drops-dhcpv6", "firewall-accepts-dhcpv6", "firewall-not-read", "firewall-unknown"}},
	} {
		t.Run(sc.name, sc.run)
	}
}

// dhcpPacket is a server message to the client's port.
func dhcpPacket(payload []byte) capture.IPv6Packet {
	return capture.IPv6Packet{Destination: client.ll, HopLimit: 64, Transport: capture.TransportUDP,
		SourcePort: 547, DestinationPort: 546, Payload: payload}
}
