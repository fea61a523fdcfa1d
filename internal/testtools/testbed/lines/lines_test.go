package lines

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

func TestMessageShortAndPath(t *testing.T) {
	na := func(addrs ...string) dhcpv6.IA {
		ia := dhcpv6.IA{IAID: [4]byte{0, 0, 0, 1}}
		for _, a := range addrs {
			ia.Addresses = append(ia.Addresses, dhcpv6.IAAddress{Address: netip.MustParseAddr(a)})
		}
		return ia
	}
	pd := func(prefixes ...string) dhcpv6.IA {
		ia := dhcpv6.IA{IAID: [4]byte{0, 0, 0, 1}}
		for _, p := range prefixes {
			ia.Prefixes = append(ia.Prefixes, dhcpv6.IAPrefix{Prefix: netip.MustParsePrefix(p)})
		}
		return ia
	}
	status := func(code uint16) dhcpv6.IA { return dhcpv6.IA{Status: &dhcpv6.Status{Code: code}} }
	exchange := []Message{
		{FromCPE: true, Type: dhcpv6.MessageTypeSolicit, IANA: []dhcpv6.IA{na()}, IAPD: []dhcpv6.IA{pd("::/48")}},
		{Type: dhcpv6.MessageTypeAdvertise, IANA: []dhcpv6.IA{status(dhcpv6.StatusNoAddrsAvail)}, IAPD: []dhcpv6.IA{pd("2001:db8:8000::/48")}},
		{FromCPE: true, Type: dhcpv6.MessageTypeSolicit, IAPD: []dhcpv6.IA{pd("::/48")}},
		{FromCPE: true, Type: dhcpv6.MessageTypeSolicit, IAPD: []dhcpv6.IA{pd("::/48")}},
		{Type: dhcpv6.MessageTypeAdvertise, IAPD: []dhcpv6.IA{pd()}},
		{FromCPE: true, Type: dhcpv6.MessageTypeRequest, IANA: []dhcpv6.IA{na("2001:db8:1::100")}, IAPD: []dhcpv6.IA{pd("2001:db8:8000::/48")}},
		{Type: dhcpv6.MessageTypeReply, Status: &dhcpv6.Status{Code: dhcpv6.StatusUnspecFail}},
		{FromCPE: true, Type: dhcpv6.MessageTypeInformationRequest},
	}
	want := []string{
		"Solicit(NA,PD/48)",
		"Advertise(NA:NoAddrsAvail,PD:2001:db8:8000::/48)",
		"Solicit(PD/48)",
		"Solicit(PD/48)",
		"Advertise(PD:empty)",
		"Request(NA:2001:db8:1::100,PD:2001:db8:8000::/48)",
		"Reply(UnspecFail)",
		"Information-request()",
	}
	for i, m := range exchange {
		if got := m.Short(); got != want[i] {
			t.Errorf("message %d: Short() = %q, want %q", i, got, want[i])
		}
	}
	r := Result{Exchange: exchange}
	wantPath := "Solicit(NA,PD/48) Advertise(NA:NoAddrsAvail,PD:2001:db8:8000::/48) Solicit(PD/48)×2 Advertise(PD:empty) " +
		"Request(NA:2001:db8:1::100,PD:2001:db8:8000::/48) Reply(UnspecFail) Information-request()"
	if got := r.Path(); got != wantPath {
		t.Errorf("Path() =\n%s\nwant\n%s", got, wantPath)
	}
}

func TestResultOutcome(t *testing.T) {
	bound := Result{Bound: true, Stateful: true, Record: testbed.Odhcp6cRecord{
		Addresses: []testbed.Odhcp6cLease{{Prefix: netip.MustParsePrefix("2001:db8:1::100/128")}},
		Prefixes:  []testbed.Odhcp6cLease{{Prefix: netip.MustParsePrefix("2001:db8:8000::/48")}},
	}}
	for _, tc := range []struct {
		r    Result
		want string
	}{
		{Result{}, "nothing"},
		{Result{Bound: true}, "informed"},
		{bound, "bound: 2001:db8:1::100/128 + 2001:db8:8000::/48"},
	} {
		if got := tc.r.Outcome(); got != tc.want {
			t.Errorf("Outcome() = %q, want %q", got, tc.want)
		}
	}
	if bound.Prefix() != netip.MustParsePrefix("2001:db8:8000::/48") || bound.Address() != netip.MustParseAddr("2001:db8:1::100") {
		t.Errorf("Prefix() %v, Address() %v", bound.Prefix(), bound.Address())
	}
	if (Result{}).Prefix().IsValid() || (Result{}).Address().IsValid() {
		t.Error("an empty result holds something")
	}
}

// TestConfigsFollowNetifd checks the hand-written command lines against
// dhcpv6.sh's rules (see Config): -N only for a reqaddress, -P0 unless
// reqprefix is a length or 'no', -t120 last.
func TestConfigsFollowNetifd(t *testing.T) {
	names := map[string]bool{}
	for _, c := range Configs() {
		if names[c.Name] {
			t.Errorf("config %q twice", c.Name)
		}
		names[c.Name] = true
		var want []string
		reqaddress, reqprefix := "", ""
		for _, o := range c.Options {
			switch o.Name {
			case "reqaddress":
				reqaddress = o.Value
			case "reqprefix":
				reqprefix = o.Value
			default:
				t.Errorf("%s: option %q is not modelled here", c.Name, o.Name)
			}
		}
		if reqaddress != "" {
			want = append(want, "-N"+reqaddress)
		}
		switch reqprefix {
		case "", "auto":
			want = append(want, "-P0")
		case "no":
		default:
			want = append(want, "-P"+reqprefix)
		}
		want = append(want, "-t120")
		if !slices.Equal(c.Args, want) {
			t.Errorf("%s: args %q, netifd builds %q", c.Name, c.Args, want)
		}
	}
	if n := len(Cells(All(), Configs())); n != len(All())*len(Configs()) {
		t.Errorf("%d cells", n)
	}
	for _, l := range All() {
		if got, ok := Lookup(l.Name); !ok || got.Name != l.Name {
			t.Errorf("Lookup(%q) = %v, %v", l.Name, got.Name, ok)
		}
	}
}

func TestDhcpdConf(t *testing.T) {
	conf, err := testbed.DhcpdConf(testbed.DhcpdConfig{AddressRange: DhcpdAddressRange, PDPool: DhcpdPD48, PDDelegatedLen: 48,
		DNSServers: []netip.Addr{DNS}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"subnet6 2001:db8:1::/64 {",
		"range6 2001:db8:1::1000 2001:db8:1::1fff;",
		"prefix6 2001:db8:9000:: 2001:db8:9fff:: /48;", // every /48 of the /36
		"option dhcp6.name-servers 2001:db8:1::53;",
		"preferred-lifetime 3000;", "default-lease-time 4000;",
		"option dhcp-renewal-time 1000;", "option dhcp-rebinding-time 2000;",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("dhcpd.conf lacks %q:\n%s", want, conf)
		}
	}
	pdOnly, err := testbed.DhcpdConf(testbed.DhcpdConfig{PDPool: netip.MustParsePrefix("2001:db8:a000::/40"), PDDelegatedLen: 56})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pdOnly, "range6") || !strings.Contains(pdOnly, "prefix6 2001:db8:a000:: 2001:db8:a0ff:ff00:: /56;") {
		t.Errorf("prefix-only dhcpd.conf:\n%s", pdOnly)
	}
	if _, err := testbed.DhcpdConf(testbed.DhcpdConfig{PDPool: DhcpdPD48, PDDelegatedLen: 32}); err == nil {
		t.Error("a /32 from a /36 was accepted")
	}
	// dhcpd itself accepts what is rendered, where it is installed.
	if _, err := exec.LookPath("dhcpd"); err != nil {
		t.Skip("no dhcpd to check the syntax with")
	}
	for _, c := range []string{conf, pdOnly} {
		path := filepath.Join(t.TempDir(), "dhcpd6.conf")
		if err := os.WriteFile(path, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("dhcpd", "-6", "-t", "-cf", path).CombinedOutput(); err != nil {
			t.Errorf("dhcpd -6 -t: %v\n%s\n%s", err, out, c)
		}
	}
}
