package uciconfig

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Small configs for decisionCases.
const (
	dhcpWAN   = "config interface 'wan'\n\toption device 'wan'\n\toption proto 'dhcp'\n"
	wan6      = "config interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n"
	lan60     = "config interface 'lan'\n\toption device 'br-lan'\n\toption proto 'static'\n\toption ip6assign '60'\n"
	pppoeWAN  = "config interface 'wan'\n\toption ifname 'eth0.2'\n\toption proto 'pppoe'\n\toption password 'hunter2hunter2'\n"
	worked56  = "IA_PD /56"
	defaultOK = "defaults"
)

func w(addr ReqAddress, prefix ReqPrefix) *ClientSettings {
	return &ClientSettings{ReqAddress: addr, ReqPrefix: prefix}
}

// decisionCases cover the decisions of Suggest one at a time, on small
// configs: TestSuggestCases checks the changes, TestUCIBatchWithUCI the
// uci commands.
var decisionCases = []struct {
	name   string
	in     string
	advice Advice
	want   []string
	note   string
	// notNote must be in no note.
	notNote string
}{
	{
		name:   "a disabled wan6 is enabled",
		in:     dhcpWAN + wan6 + "\toption disabled '1'\n",
		advice: Advice{Verdict: "ok", Working: w(ReqAddressNone, 56), Attempt: 2, DelegatedPrefixLength: 56},
		want:   []string{"wan6 disabled=0", "wan6 reqaddress=none", "wan6 reqprefix=56"},
	},
	{
		name:   "PPPoE: a wan6 on the Ethernet device moves to @wan, and wan_6 goes",
		in:     pppoeWAN + "config interface 'wan6'\n\toption ifname 'eth0.2'\n\toption proto 'dhcpv6'\n",
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 56},
		want:   []string{"wan6 ifname=@wan", "wan ipv6=1"},
	},
	{
		name:   "PPPoE with IPv6 off and defaults enough: ipv6 auto",
		in:     pppoeWAN + "\toption ipv6 '0'\n",
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 56},
		want:   []string{"wan ipv6=auto"},
	},
	{
		name:   "PPPoE with IPv6 off and nothing proven: nothing",
		in:     pppoeWAN + "\toption ipv6 '0'\n",
		advice: Advice{Verdict: "link-down"},
		note:   "No change to the network config that v6diag tried",
	},
	{
		name:   "PPPoE with IPv6 off and options needed: ipv6 1 and a wan6",
		in:     pppoeWAN + "\toption ipv6 '0'\n",
		advice: Advice{Verdict: "ok", Working: w(ReqAddressNone, ReqPrefixAuto), Attempt: 2, AttemptLabel: worked56, DelegatedPrefixLength: 56},
		want:   []string{"wan ipv6=1", "wan6 +interface", "wan6 ifname=@wan", "wan6 proto=dhcpv6", "wan6 reqaddress=none"},
	},
	{
		name:   "PPPoE with ipv6 1 and no wan6 has no DHCPv6 client: add one",
		in:     pppoeWAN + "\toption ipv6 '1'\n",
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 60},
		want:   []string{"wan6 +interface", "wan6 ifname=@wan", "wan6 proto=dhcpv6"},
	},
	{
		name:   "a 6in4 wan6 is left alone",
		in:     dhcpWAN + "config interface 'wan6'\n\toption proto '6in4'\n\toption peeraddr '192.0.2.1'\n" + lan60,
		advice: Advice{Verdict: "ok", Working: w(ReqAddressTry, ReqPrefixAuto), Attempt: 2, DelegatedPrefixLength: 64},
		note:   "proto '6in4'",
	},
	{
		name:   "an IPv6-only wan that is dhcpv6 itself takes the options",
		in:     "config interface 'wan'\n\toption device 'wan'\n\toption proto 'dhcpv6'\n",
		advice: Advice{Verdict: "ok", Working: w(ReqAddressTry, 48), Attempt: 1, DelegatedPrefixLength: 48},
		want:   []string{"wan reqprefix=48"},
	},
	{
		name:   "another dhcpv6 interface on @wan takes the options",
		in:     dhcpWAN + "config interface 'isp6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n",
		advice: Advice{Verdict: "ok", Working: w(ReqAddressNone, 56), Attempt: 2, DelegatedPrefixLength: 56},
		want:   []string{"isp6 reqaddress=none", "isp6 reqprefix=56"},
	},
	{
		name:   "reqaddress force drops PD-only offers: back to try",
		in:     dhcpWAN + wan6 + "\toption reqaddress 'force'\n",
		advice: Advice{Verdict: "ok", Working: w(ReqAddressTry, ReqPrefixAuto), Attempt: 3, DelegatedPrefixLength: 56},
		want:   []string{"wan6 reqaddress=try"},
	},
	{
		name:   "a hint the ISP refuses: back to auto",
		in:     dhcpWAN + wan6 + "\toption reqprefix '48'\n",
		advice: Advice{Verdict: "ok", Working: w(ReqAddressTry, ReqPrefixAuto), Attempt: 2, DelegatedPrefixLength: 56},
		want:   []string{"wan6 reqprefix=auto"},
	},
	{
		// The /48 hint got the router a /56 where its 'auto' got a /60:
		// the suggestion is the setting that was proven, never "ask
		// for what the ISP gives", which gets nothing more.
		name:   "the /48 hint got more than auto, though less than wanted",
		in:     dhcpWAN + wan6,
		advice: Advice{Verdict: "prefix-smaller-than-requested", ISPMustAct: true, Working: w(ReqAddressTry, 48), Attempt: 2, DelegatedPrefixLength: 56},
		want:   []string{"wan6 reqprefix=48"},
		note:   "the rest is the ISP's",
	},
	{
		// Asking for the /56 the ISP gives gets the router nothing more.
		name:   "no better config: a /48 asked for, a /56 given, nothing changes",
		in:     dhcpWAN + wan6 + "\toption reqprefix '48'\n",
		advice: Advice{Verdict: "prefix-smaller-than-requested", ISPMustAct: true, DelegatedPrefixLength: 56},
		note:   "the ISP must act",
	},
	{
		name:   "no ladder: auto stays auto",
		in:     dhcpWAN + wan6,
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 56},
		note:   "already gets what this line offers",
	},
	{
		name:   "a prefix longer than /64 cannot serve a LAN",
		in:     dhcpWAN + wan6 + lan60,
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 80},
		note:   "longer than /64",
	},
	{
		name:   "an ip6hint that fits stays",
		in:     dhcpWAN + wan6 + "config interface 'lan'\n\toption proto 'static'\n\toption ip6assign '64'\n\toption ip6hint 'ff'\n",
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 56},
	},
	{
		name:   "an ip6hint past the delegated prefix goes to 0",
		in:     dhcpWAN + wan6 + "config interface 'lan'\n\toption proto 'static'\n\toption ip6assign '64'\n\toption ip6hint '100'\n",
		advice: Advice{Verdict: "ok", Working: w(ReqAddressNone, ReqPrefixAuto), Attempt: 2, DelegatedPrefixLength: 56},
		want:   []string{"wan6 reqaddress=none", "lan ip6hint=0"},
	},
	{
		name:   "an ip6hint past the prefix the router gets already is a note, not a change",
		in:     dhcpWAN + wan6 + "config interface 'lan'\n\toption proto 'static'\n\toption ip6assign '64'\n\toption ip6hint '100'\n",
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 56},
		note:   "Consider ip6hint '0' on lan",
	},
	{
		name:   "a lan without ip6assign counts as the default 60",
		in:     dhcpWAN + wan6 + "config interface 'lan'\n\toption proto 'static'\n",
		advice: Advice{Verdict: "ok", Working: w(ReqAddressNone, ReqPrefixAuto), Attempt: 2, DelegatedPrefixLength: 62},
		want:   []string{"wan6 reqaddress=none", "lan ip6assign=64"},
	},
	{
		name:   "a guest network that a /64 has no room for is named",
		in:     dhcpWAN + wan6 + lan60 + "config interface 'guest'\n\toption proto 'static'\n\toption ip6assign '64'\n",
		advice: Advice{Verdict: "ok", Working: w(ReqAddressNone, ReqPrefixAuto), Attempt: 2, DelegatedPrefixLength: 64},
		want:   []string{"wan6 reqaddress=none", "lan ip6assign=64"},
		note:   "no room left after lan's /64 for guest (ip6assign 64)",
	},
	{
		name:    "a guest network that fits is not named",
		in:      dhcpWAN + wan6 + lan60 + "config interface 'guest'\n\toption proto 'static'\n\toption ip6assign '64'\n",
		advice:  Advice{Verdict: "ok", DelegatedPrefixLength: 56},
		note:    "already gets what this line offers",
		notNote: "no room",
	},
	{
		name:   "a lan that is a DHCP client assigns nothing",
		in:     dhcpWAN + wan6 + "config interface 'lan'\n\toption proto 'dhcp'\n",
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 64},
	},
	{
		name:   "a clientid the globals already give is not repeated",
		in:     "config globals 'globals'\n\toption dhcp_default_duid '00:03:00:01:00:11:22:33:44:55'\n" + dhcpWAN + wan6,
		advice: Advice{Verdict: "ok", Working: &ClientSettings{ReqPrefix: ReqPrefixAuto, ClientID: "00030001001122334455"}, Attempt: 6, DelegatedPrefixLength: 56},
		note:   "nothing to change",
	},
	{
		name:   "PPPoE auto and defaults work: nothing",
		in:     pppoeWAN + "\toption ipv6 'auto'\n",
		advice: Advice{Verdict: "ok", Working: w(ReqAddressTry, ReqPrefixAuto), Attempt: 1, AttemptLabel: defaultOK, DelegatedPrefixLength: 56},
		note:   "nothing to change",
	},
	{
		name:   "no wan, no client",
		in:     "config interface 'lan'\n\toption proto 'static'\n",
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 56},
		note:   "no 'wan' interface",
	},
	{
		name:   "no client, and netifd's defaults got a prefix: add one",
		in:     dhcpWAN,
		advice: Advice{Verdict: "ok", DelegatedPrefixLength: 56},
		want:   []string{"wan6 +interface", "wan6 device=@wan", "wan6 proto=dhcpv6"},
	},
	{
		name:   "no client and nothing proven: nothing",
		in:     dhcpWAN,
		advice: Advice{Verdict: "no-dhcpv6-reply"},
		note:   "No change to the network config that v6diag tried",
	},
	{
		name:   "the ISP's problem: nothing, even without a client",
		in:     dhcpWAN,
		advice: Advice{Verdict: "no-dhcpv6-reply", ISPMustAct: true},
		note:   "No change to the network config gets the router more",
	},
}

// TestSuggestCases covers the decisions of Suggest one at a time, on
// small configs.
func TestSuggestCases(t *testing.T) {
	for _, tt := range decisionCases {
		t.Run(tt.name, func(t *testing.T) {
			sg, err := Suggest([]byte(tt.in), tt.advice)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range sg.Changes {
				if c.Option == "" {
					got = append(got, c.Section+" +"+c.New)
				} else {
					got = append(got, c.Section+" "+c.Option+"="+c.New)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s\nnotes: %q\n%s", diff, sg.Notes, sg.Bytes())
			}
			if tt.note != "" && !slices.ContainsFunc(sg.Notes, func(n string) bool { return strings.Contains(n, tt.note) }) {
				t.Errorf("no note mentions %q: %q", tt.note, sg.Notes)
			}
			if tt.notNote != "" && slices.ContainsFunc(sg.Notes, func(n string) bool { return strings.Contains(n, tt.notNote) }) {
				t.Errorf("a note mentions %q: %q", tt.notNote, sg.Notes)
			}
			checkOnlyTargets(t, []byte(tt.in), sg.Bytes(), sg)
			checkSecretsMasked(t, []byte(tt.in), sg.Diff("a", "b"))
			checkSecretsMasked(t, []byte(tt.in), sg.Masked())
		})
	}
}

func TestIsSecretOption(t *testing.T) {
	for name, want := range map[string]bool{
		"password": true, "PASSWORD": true, "sae_password": true, "key": true, "key1": true,
		"private_key": true, "preshared_key": true, "auth_secret": true, "psk": true, "pincode": true,
		"token": true, "priv_key_pwd": true,
		"proto": false, "username": false, "reqprefix": false, "reqaddress": false, "clientid": false,
		"ip6assign": false, "ip6hint": false, "noclientfqdn": false, "noacceptreconfig": false,
		"device": false, "ifname": false, "ipv6": false, "keepalive": false, "peeraddr": false,
	} {
		if got := IsSecretOption(name); got != want {
			t.Errorf("IsSecretOption(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestMasked(t *testing.T) {
	in := "config interface 'wan'\n" +
		"    option password \"s3cr3t\" # old one was hunter2\n" +
		"\toption proto pppoe; option key 'k3y'; option mtu 1492\n" +
		"\tlist psk 'multi\nline'\n" +
		"\toption username 'u'"
	want := "config interface 'wan'\n" +
		"    option password '********'\n" +
		"\toption proto pppoe; option key '********'; option mtu 1492\n" +
		"\tlist psk '********'\n" +
		"\toption username 'u'"
	f := mustParse(t, in)
	got := string(f.Masked())
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Masked (-want +got):\n%s", diff)
	}
	if string(f.Bytes()) != in {
		t.Error("Masked changed what Bytes returns")
	}
	re := mustParse(t, got)
	if v, _ := re.Section("wan").Option("mtu"); v != "1492" {
		t.Errorf("masked output reparses mtu as %q", v)
	}
}

func TestAddSection(t *testing.T) {
	f := mustParse(t, "config interface 'wan'\n\toption proto 'dhcp'\n\n# lan\nconfig interface 'lan'\nconfig device\nconfig device")
	wan := mustSection(t, f, "wan")
	s, err := f.AddSection("interface", "wan6", "v6diag: why", wan)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetOption("proto", "dhcpv6", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddSection("device", "", "", nil); err != nil {
		t.Fatal(err)
	}
	want := "config interface 'wan'\n\toption proto 'dhcp'\n\nconfig interface 'wan6' # v6diag: why\n\toption proto 'dhcpv6'\n\n# lan\nconfig interface 'lan'\nconfig device\nconfig device\n\nconfig device\n"
	if diff := cmp.Diff(want, string(f.Bytes())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var refs []string
	for _, s := range f.Sections() {
		refs = append(refs, s.ref())
	}
	if diff := cmp.Diff([]string{"wan", "wan6", "lan", "@device[0]", "@device[1]", "@device[2]"}, refs); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(viewValues(f), viewValues(mustParse(t, want))); diff != "" {
		t.Errorf("model and reparse disagree (-model +reparsed):\n%s", diff)
	}
	if _, err := f.AddSection("interface", "wan-6", "", nil); err == nil {
		t.Error("AddSection accepted an invalid name")
	}
}

// TestAddSectionKeepsAnonymousAddresses: a section added after wan goes
// after the anonymous sections of its type that follow wan, so none of
// them changes its @type[N] address (FuzzSuggest's
// "c interface wan\nc interface").
func TestAddSectionKeepsAnonymousAddresses(t *testing.T) {
	f := mustParse(t, "config interface 'wan'\nconfig interface\n\toption proto 'none'\nconfig interface 'lan'\nconfig interface")
	before := f.Sections()
	if _, err := f.AddSection("interface", "wan6", "", mustSection(t, f, "wan")); err != nil {
		t.Fatal(err)
	}
	want := "config interface 'wan'\nconfig interface\n\toption proto 'none'\nconfig interface 'lan'\nconfig interface\n\nconfig interface 'wan6'\n"
	if diff := cmp.Diff(want, string(f.Bytes())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var refs []string
	for _, s := range before {
		refs = append(refs, s.ref())
	}
	if diff := cmp.Diff([]string{"wan", "@interface[1]", "lan", "@interface[3]"}, refs); diff != "" {
		t.Errorf("existing sections' addresses (-want +got):\n%s", diff)
	}
}
