// Package lines is a catalogue of test lines (an ISP's side of the link:
// radvd and a DHCPv6 server variant) and of wan6 configs (the netifd
// options and the odhcp6c command line netifd builds from them), so that a
// test can run "line × config" cells: each cell a fresh testbed.Bed with
// the line set up, the real odhcp6c run with the config, and what it got.
//
// It is test-tree code, built on internal/testtools/testbed and internal/testtools/testisp.
//
//	for _, c := range lines.Cells(lines.All(), lines.Configs()) {
//		... t.Run(c.Name(), func(t *testing.T) {
//			bed := testbed.New(t)
//			isp := c.Line.Setup(t, bed)
//			res := lines.RunOdhcp6c(t, bed, c.Config, lines.NothingWait)
//			... res.Outcome() ...
//		})
//	}
//
// RunCells runs such cells side by side, more of them than go test's
// -parallel (2 on a 2-core machine) would.
package lines

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
	"github.com/v6diag/v6diag/internal/testtools/testisp"
)

// What the lines hand out. The pools are large enough for several clients
// (odhcp6c and v6diag, with different DUIDs) in one test.
var (
	LinkPrefix = netip.MustParsePrefix("2001:db8:1::/64") // on-link, in every RA
	DNS        = netip.MustParseAddr("2001:db8:1::53")

	KeaAddressPool = "2001:db8:1::100-2001:db8:1::1ff"           // 256 addresses
	KeaPD48        = netip.MustParsePrefix("2001:db8:8000::/36") // 4096 /48s
	KeaPD56        = netip.MustParsePrefix("2001:db8:a000::/40") // 65536 /56s

	DhcpdAddressRange = "2001:db8:1::1000 2001:db8:1::1fff"         // 4096 addresses
	DhcpdPD48         = netip.MustParsePrefix("2001:db8:9000::/36") // 4096 /48s

	// The test ISP's lines give every client the same lease.
	TestISPAddress = testisp.HealthyAddress
	TestISPPrefix  = testisp.HealthyDelegated // a /48
)

// ISP is what a line started on a Bed, for logs and checks.
type ISP struct {
	Radvd   *testbed.Radvd
	Kea     *testbed.Kea
	Dhcpd   *testbed.Dhcpd
	TestISP *testisp.Handle
}

// ServerLogPath is the DHCPv6 server's log file, "" when there is none.
func (i *ISP) ServerLogPath() string {
	switch {
	case i.Kea != nil:
		return i.Kea.LogPath
	case i.Dhcpd != nil:
		return i.Dhcpd.LogPath
	case i.TestISP != nil:
		return i.TestISP.LogPath
	}
	return ""
}

// Line is one kind of ISP: a name for test and file names, what it does,
// and Setup, which starts it on a new Bed (and stops it with the test).
type Line struct {
	Name  string
	About string
	Setup func(t testing.TB, b *testbed.Bed) *ISP
}

// radvdConfig is every line's Router Advertisement: M and O set (ask
// DHCPv6 for addresses and the rest), the on-link /64 without the A flag,
// and an RDNSS. Without A, odhcp6c takes no SLAAC prefix from it and so
// never restarts its DHCPv6 transaction when the first RA arrives
// (src/odhcp6c.c, odhcp6c_signal_process: a new RA prefix with M or O
// restarts it), which keeps the cells' timing to DHCPv6 alone.
func radvdConfig() testbed.RadvdConfig {
	return testbed.RadvdConfig{Managed: true, Other: true, Prefix: LinkPrefix, NoAutonomous: true,
		RDNSS: []netip.Addr{DNS}}
}

func keaLine(name, about string, cfg testbed.KeaConfig) Line {
	cfg.DNSServers = []netip.Addr{DNS}
	return Line{Name: name, About: about, Setup: func(t testing.TB, b *testbed.Bed) *ISP {
		t.Helper()
		return &ISP{Radvd: b.StartRadvd(t, radvdConfig()), Kea: b.StartKea(t, cfg)}
	}}
}

func dhcpdLine(name, about string, cfg testbed.DhcpdConfig) Line {
	cfg.DNSServers = []netip.Addr{DNS}
	return Line{Name: name, About: about, Setup: func(t testing.TB, b *testbed.Bed) *ISP {
		t.Helper()
		return &ISP{Radvd: b.StartRadvd(t, radvdConfig()), Dhcpd: b.StartDhcpd(t, cfg)}
	}}
}

func testISPLine(name, about string, server testisp.Server) Line {
	return Line{Name: name, About: about, Setup: func(t testing.TB, b *testbed.Bed) *ISP {
		t.Helper()
		return &ISP{Radvd: b.StartRadvd(t, radvdConfig()),
			TestISP: testisp.Start(t, b, testisp.Scenario{Servers: []testisp.Server{server}})}
	}}
}

// The lines, by name.
const (
	KeaAddressesAndPrefix = "kea-na-pd"
	KeaPrefixOnly         = "kea-pd-only"
	Kea56For48            = "kea-56-for-48"
	KeaAddressesOnly      = "kea-na-only"
	DhcpdAddressesPrefix  = "dhcpd-na-pd"
	DhcpdPrefixOnly       = "dhcpd-pd-only"
	NoDHCPv6Server        = "no-dhcpv6"
	TestISPNoIANA         = "testisp-no-ia-na"
	TestISPNoPrefixAvail  = "testisp-noprefixavail"
	TestISPPDOnlySolicits = "testisp-pd-only-solicits"
)

// All is every line of the catalogue.
func All() []Line {
	return []Line{
		keaLine(KeaAddressesAndPrefix, "Kea: an address from a pool and a /48 from a pd-pool, whatever the hint",
			testbed.KeaConfig{AddressPool: KeaAddressPool, PDPrefix: KeaPD48, PDDelegatedLen: 48}),
		keaLine(KeaPrefixOnly, "Kea: pd-pools and no pools, so IA_NA gets NoAddrsAvail and IA_PD a /48",
			testbed.KeaConfig{PDPrefix: KeaPD48, PDDelegatedLen: 48}),
		keaLine(Kea56For48, "Kea: an address and a /56 whatever the hint (a /48 hint gets a /56)",
			testbed.KeaConfig{AddressPool: KeaAddressPool, PDPrefix: KeaPD56, PDDelegatedLen: 56}),
		keaLine(KeaAddressesOnly, "Kea: pools and no pd-pools, so IA_PD gets NoPrefixAvail",
			testbed.KeaConfig{AddressPool: KeaAddressPool}),
		dhcpdLine(DhcpdAddressesPrefix, "ISC dhcpd -6: range6 and prefix6 /48",
			testbed.DhcpdConfig{AddressRange: DhcpdAddressRange, PDPool: DhcpdPD48, PDDelegatedLen: 48}),
		dhcpdLine(DhcpdPrefixOnly, "ISC dhcpd -6: prefix6 /48 and no range6",
			testbed.DhcpdConfig{PDPool: DhcpdPD48, PDDelegatedLen: 48}),
		{Name: NoDHCPv6Server, About: "radvd (M=1, O=1) and no DHCPv6 server", Setup: func(t testing.TB, b *testbed.Bed) *ISP {
			t.Helper()
			return &ISP{Radvd: b.StartRadvd(t, radvdConfig())}
		}},
		testISPLine(TestISPNoIANA, "test ISP: Advertise and Reply carry only IA_PD (a /48), no IA_NA even when asked",
			answering(testisp.Action{IAPD: []testisp.IA{testisp.HealthyIAPD()}})),
		testISPLine(TestISPNoPrefixAvail, "test ISP: every Solicit and Request answered with IA_NA NoAddrsAvail and IA_PD NoPrefixAvail",
			answering(testisp.Action{
				IANA: []testisp.IA{{Status: &testisp.Status{Code: 2, Message: "no addresses"}}},
				IAPD: []testisp.IA{{Status: &testisp.Status{Code: 6, Message: "no prefixes"}}},
			})),
		testISPLine(TestISPPDOnlySolicits, "test ISP: ignores every Solicit with IA_NA, gives a /48 to PD-only ones",
			pdOnlySolicits()),
	}
}

// Lookup returns the line called name.
func Lookup(name string) (Line, bool) {
	for _, l := range All() {
		if l.Name == name {
			return l, true
		}
	}
	return Line{}, false
}

// answering is a test ISP server that answers Solicit, Request, Renew and
// Rebind with a, a Release with Success and an Information-request with
// DNS: a server whose only oddity is what a says.
func answering(a testisp.Action) testisp.Server {
	a.DNS = []netip.Addr{DNS}
	return testisp.Server{Rules: []testisp.Rule{
		{Match: testisp.Match{Type: "Solicit"}, Action: a},
		{Match: testisp.Match{Type: "Request"}, Action: a},
		{Match: testisp.Match{Type: "Renew"}, Action: a},
		{Match: testisp.Match{Type: "Rebind"}, Action: a},
		{Match: testisp.Match{Type: "Release"}, Action: testisp.Action{Status: &testisp.Status{Code: 0, Message: "released"}}},
		{Match: testisp.Match{Type: "Information-request"}, Action: testisp.Action{DNS: []netip.Addr{DNS}}},
	}}
}

// pdOnlySolicits drops every Solicit that has an IA_NA and otherwise
// answers like answering with a /48.
func pdOnlySolicits() testisp.Server {
	s := answering(testisp.Action{IAPD: []testisp.IA{testisp.HealthyIAPD()}})
	drop := testisp.Rule{Match: testisp.Match{Type: "Solicit", HasIANA: testisp.Ptr(true)}, Action: testisp.Action{Drop: true}}
	s.Rules = append([]testisp.Rule{drop}, s.Rules...)
	return s
}

// Option is one wan6 option as netifd reads it from /etc/config/network.
type Option struct{ Name, Value string }

// Config is a wan6 section (its dhcpv6 options) and the odhcp6c
// arguments netifd builds from it, written by hand after OpenWrt's
// /lib/netifd/proto/dhcpv6.sh (24.10): -N only when reqaddress is set
// (odhcp6c's own default is try), -P0 for reqprefix unset or 'auto', -PN
// for a length, no -P for 'no', and -t120 (soltimeout's default) always.
type Config struct {
	Name    string
	Options []Option
	Args    []string
}

// ArgString is Args joined with spaces, as report.json's router_client.args.
func (c Config) ArgString() string { return strings.Join(c.Args, " ") }

// The configs, by name.
const (
	ConfigDefault   = "default"
	ConfigForce48   = "force-48"
	ConfigNoPrefix  = "noprefix"
	ConfigNoAddress = "noaddress"
	ConfigPrefix56  = "prefix-56"
)

// Configs is the catalogue of wan6 configs.
func Configs() []Config {
	return []Config{
		// OpenWrt's own wan6: proto dhcpv6 and nothing else. The same as
		// reqaddress 'try' + reqprefix 'auto' (-Ntry -P0).
		{Name: ConfigDefault, Args: []string{"-P0", "-t120"}},
		// The classic troubleshooting line `odhcp6c -Nforce -P48`.
		{Name: ConfigForce48, Options: []Option{{"reqaddress", "force"}, {"reqprefix", "48"}},
			Args: []string{"-Nforce", "-P48", "-t120"}},
		{Name: ConfigNoPrefix, Options: []Option{{"reqprefix", "no"}}, Args: []string{"-t120"}},
		{Name: ConfigNoAddress, Options: []Option{{"reqaddress", "none"}}, Args: []string{"-Nnone", "-P0", "-t120"}},
		{Name: ConfigPrefix56, Options: []Option{{"reqprefix", "56"}}, Args: []string{"-P56", "-t120"}},
	}
}

// Cell is one line with one config.
type Cell struct {
	Line   Line
	Config Config
}

// Name is "LINE/CONFIG".
func (c Cell) Name() string { return c.Line.Name + "/" + c.Config.Name }

// Cells is every line with every config, line by line.
func Cells(ls []Line, cs []Config) []Cell {
	var out []Cell
	for _, l := range ls {
		for _, c := range cs {
			out = append(out, Cell{Line: l, Config: c})
		}
	}
	return out
}

// NothingWait is how long a cell waits before it says odhcp6c got
// nothing. odhcp6c sends its first Solicit after a random 0–1 s
// (DHCPV6_MAX_DELAY), collects Advertises for the first retransmission
// time, 1–1.1 s (SOL_INIT_RT, src/dhcpv6.c dhcpv6_send_request), then
// either requests from the best one, or — when the best one lacked the
// address or prefix it only tried for — solicits again without that IA,
// where the first answer counts at once (dhcpv6_promote_server_cand,
// dhcpv6_handle_advert: rc > 1), and Requests or, with no IA left, sends
// an Information-request after another 0–1 s. So a server that answers is
// done with by about 3.2 s; by 6 s odhcp6c has also sent its third
// Solicit (due by 4.6 s: RTs of 1.1 and 2.4 s at most) and had it
// answered the same way. 6 s leaves twice the worst binding time for a
// loaded machine.
const NothingWait = 6 * time.Second
