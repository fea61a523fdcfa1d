package firewall

import (
	"net/netip"
	"os"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// answer is a DHCPv6 Advertise or Reply from src to the router's
// link-local address, arriving on dev.
func answer(src, dev string) Packet {
	return Packet{Source: netip.MustParseAddr(src), Destination: netip.MustParseAddr("fe80::2"),
		SourcePort: 547, DestinationPort: 546, Interface: dev}
}

// oldRule is the fw4 default listing with its Allow-DHCPv6 rule as fw4
// renders the fc00::/6 rule an old config carries forward.
func oldRule(t *testing.T) []byte {
	b := readTestdata(t, "fw4-23.05-default.nft")
	old := strings.Replace(string(b), `meta nfproto ipv6 udp dport 546 counter`, `ip6 saddr fc00::/6 ip6 daddr fc00::/6 udp dport 546 counter`, 1)
	if old == string(b) {
		t.Fatal("the Allow-DHCPv6 rule is not in the listing")
	}
	return []byte(old)
}

// TestJudge: what each firewall does with a server's answer from a global
// and from a link-local address, and the rule that decides.
func TestJudge(t *testing.T) {
	load := func(s Sources) *Firewall {
		f, err := Load(s)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	fw4 := load(Sources{NftRuleset: readTestdata(t, "fw4-23.05-default.nft")})
	fw4Old := load(Sources{NftRuleset: oldRule(t)})
	fw3 := load(Sources{IP6TablesSave: readTestdata(t, "fw3-19.07.ip6tables-save")})
	uci1907 := load(Sources{Config: readTestdata(t, "firewall-19.07.uci"), Networks: []string{"wan", "wan6"}})
	uci1505 := load(Sources{Config: readTestdata(t, "firewall-15.05.uci"), Networks: []string{"wan6"}})
	established := answer("2001:db8::1", "eth1")
	established.Established = true
	odd := answer("fe80::1", "eth0.2")
	odd.SourcePort = 10547
	tests := []struct {
		name    string
		fw      *Firewall
		p       Packet
		want    Outcome
		rule    string // in Decision.Rule
		missed  string // in Decision.Missed
		kindWas string
	}{
		{"fw4 default, global source", fw4, answer("2001:db8::1", "eth1"), Accepted, "Allow-DHCPv6", "", "nftables"},
		{"fw4 default, link-local source", fw4, answer("fe80::1", "eth1"), Accepted, "Allow-DHCPv6", "", "nftables"},
		{"fw4 with the old rule, global source", fw4Old, answer("2001:db8::1", "eth1"), Rejected, "Reject any other traffic", "fc00::/6", "nftables"},
		{"fw4 with the old rule, link-local source", fw4Old, answer("fe80::1", "eth1"), Accepted, "Allow-DHCPv6", "", "nftables"},
		{"fw4 with the old rule, established flow", fw4Old, established, Accepted, "established", "", "nftables"},
		{"fw4, another device: rejected at the input chain's end", fw4, answer("2001:db8::1", "eth9"), Rejected, "Reject any other traffic", "", "nftables"},
		{"fw3 19.07, global source", fw3, answer("2001:db8::1", "eth0.2"), Rejected, "icmp6-port-unreachable", "fc00::/6", "ip6tables"},
		{"fw3 19.07, ULA source", fw3, answer("fd00::1", "eth0.2"), Accepted, "Allow-DHCPv6", "", "ip6tables"},
		{"uci 19.07, global source", uci1907, answer("2001:db8::1", "eth0.2"), Rejected, "zone wan input policy REJECT", "Allow-DHCPv6", "uci"},
		{"uci 19.07, link-local source", uci1907, answer("fe80::1", "eth0.2"), Accepted, "Allow-DHCPv6", "", "uci"},
		{"uci 15.05, ULA source", uci1505, answer("fd00::1", "eth0.2"), Rejected, "zone wan", "fe80::/10", "uci"},
		{"uci 15.05, server port not 547", uci1505, odd, Rejected, "zone wan", "source port 10547", "uci"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if k := tc.fw.Live; k != nil && k.Kind() != tc.kindWas || k == nil && tc.kindWas != "uci" {
				t.Fatalf("judged with %v, want %s", k, tc.kindWas)
			}
			d := tc.fw.Judge(tc.p)
			if d.Outcome != tc.want || !strings.Contains(d.Rule, tc.rule) || !strings.Contains(d.Missed, tc.missed) || tc.missed == "" && d.Missed != "" {
				t.Errorf("%s: %+v; want %s by a rule naming %q, missed %q", tc.p, d, tc.want, tc.rule, tc.missed)
			}
		})
	}
}

// TestJudgeUnknown: a ruleset the judgement cannot follow on the packet's
// path says so, with the rule; one it can pass over does not stop it.
func TestJudgeUnknown(t *testing.T) {
	base := string(readTestdata(t, "fw4-23.05-default.nft"))
	for _, tc := range []struct {
		name, insert string
		want         Outcome
		reason       string
	}{
		{"address set not in the listing", `ip6 saddr @isp_servers udp dport 546 accept`, Unknown, "@isp_servers"},
		{"fib lookup", `fib daddr type local udp dport 546 accept`, Unknown, "fib"},
		{"mark match", `meta mark 0x10 drop`, Unknown, "meta mark"},
		{"rate limit over", `udp dport 546 limit rate over 10/second drop`, Unknown, "limit rate over"},
		{"unknown expression in a rule that cannot match", `tcp dport 22 fib daddr type local drop`, Accepted, ""},
		{"a statement without a verdict", `meta nftrace set 1`, Accepted, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := ParseNft([]byte(strings.Replace(base, "\t\tmeta nfproto ipv4 udp dport 68", "\t\t"+tc.insert+"\n\t\tmeta nfproto ipv4 udp dport 68", 1)))
			if err != nil {
				t.Fatal(err)
			}
			d := rs.Judge(answer("2001:db8::1", "eth1"))
			if d.Outcome != tc.want || !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("%+v; want %s with a reason naming %q", d, tc.want, tc.reason)
			}
		})
	}
}

// TestParseNftSetsAndPriorities: named sets resolve, and every base chain
// of the input hook is walked in priority order, a drop in any ending it.
func TestParseNftSetsAndPriorities(t *testing.T) {
	listing := `table ip6 early {
	set servers {
		type ipv6_addr
		flags interval
		elements = { 2001:db8::/64,
			     2001:db8:1::/64 }
	}

	chain input {
		type filter hook input priority filter - 10; policy accept;
		ip6 saddr @servers udp dport 546 accept
		udp dport 546 drop comment "only our servers"
	}
}
table inet fw4 {
	chain input {
		type filter hook input priority filter; policy accept;
	}
}
`
	rs, err := ParseNft([]byte(listing))
	if err != nil {
		t.Fatal(err)
	}
	if d := rs.Judge(answer("2001:db8:1::5", "eth1")); d.Outcome != Accepted {
		t.Errorf("a server in the set: %+v", d)
	}
	if d := rs.Judge(answer("2001:db8:2::5", "eth1")); d.Outcome != Dropped || !strings.Contains(d.Where, "table ip6 early") {
		t.Errorf("a server outside the set: %+v", d)
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"chain input {\n}", "table inet fw4 {\n\tchain input {\n", "table inet fw4 {\n\tchain x {\n\t\tiifname \"eth1 accept\n\t}\n}\n"} {
		if _, err := ParseNft([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if _, err := ParseIP6TablesSave([]byte("*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n")); err == nil {
		t.Error("a save without a filter table parsed")
	}
	if f, err := Load(Sources{NftRuleset: []byte("garbage"), Notes: []string{"ip6tables-save: not found"}}); err == nil || !f.Empty() {
		t.Errorf("Load of garbage: %v, %v", f, err)
	}
}

// FuzzParse: the parsers never panic, and judging what they accept ends.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"fw4-23.05-default.nft", "fw3-19.07.ip6tables-save", "firewall-19.07.uci"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := answer("2001:db8::1", "eth1")
		if rs, err := ParseNft(b); err == nil {
			rs.Judge(p)
		}
		if rs, err := ParseIP6TablesSave(b); err == nil {
			rs.Judge(p)
		}
		if c, err := ParseConfig(b, []string{"wan"}); err == nil {
			c.Judge(p)
		}
	})
}
