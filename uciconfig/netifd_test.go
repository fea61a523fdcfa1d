package uciconfig

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/odhcp6c"
)

var (
	shell = NetifdHost{}
	ucode = NetifdHost{Handler: HandlerUcode}
)

// withWAN6 is a DSA config whose wan6 on "@wan" has the given option lines.
func withWAN6(options ...string) string {
	s := "config interface 'wan'\n\toption device 'wan'\n\toption proto 'dhcp'\n\n" +
		"config interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n"
	for _, o := range options {
		s += "\t" + o + "\n"
	}
	return s
}

const globalsDUID = "config globals 'globals'\n\toption dhcp_default_duid '0004aabbccdd'\n\n"

// TestRouterClientOptions maps every option the dhcpv6 handlers know, with
// each handler: the words netifd passes, the arguments odhcp6c reads, and
// what the notes must say.
func TestRouterClientOptions(t *testing.T) {
	for _, c := range []struct {
		name   string
		config string
		host   NetifdHost
		argv   string // the words netifd passes, as one line
		args   string // odhcp6c's reading, Args.String
		refuse bool   // odhcp6c refuses Argv, so nothing runs
		notes  []string
	}{
		{name: "no options", config: withWAN6(), host: shell, argv: "-P0 -t120", args: "-P0 -t120"},
		{name: "no options, ucode, dslite and map installed", config: withWAN6(), host: NetifdHost{Handler: HandlerUcode, DSLite: true, MAP: true},
			argv: "-P0 -r64 -r94 -r95 -r96 -t120", args: "-P0 -r64 -r94 -r95 -r96 -t120"},
		{name: "reqaddress try", config: withWAN6("option reqaddress 'try'"), host: shell, argv: "-Ntry -P0 -t120", args: "-Ntry -P0 -t120"},
		{name: "reqaddress force, reqprefix 48", config: withWAN6("option reqaddress 'force'", "option reqprefix '48'"), host: ucode,
			argv: "-Nforce -P48 -t120", args: "-Nforce -P48 -t120"},
		{name: "reqaddress none", config: withWAN6("option reqaddress 'none'"), host: shell, argv: "-Nnone -P0 -t120", args: "-Nnone -P0 -t120"},
		{name: "reqaddress bogus: odhcp6c refuses it", config: withWAN6("option reqaddress 'bogus'"), host: shell,
			argv: "-Nbogus -P0 -t120", args: "-P0 -t120", refuse: true, notes: []string{"refuses -Nbogus"}},
		{name: "reqprefix auto", config: withWAN6("option reqprefix 'auto'"), host: shell, argv: "-P0 -t120", args: "-P0 -t120"},
		{name: "reqprefix no", config: withWAN6("option reqprefix 'no'"), host: ucode, argv: "-t120", args: "-t120"},
		{name: "reqprefix 0", config: withWAN6("option reqprefix '0'"), host: shell, argv: "-P0 -t120", args: "-P0 -t120"},
		{name: "reqprefix 72: not range-checked by netifd", config: withWAN6("option reqprefix '72'"), host: shell,
			argv: "-P72 -t120", args: "-P72 -t120", notes: []string{"outside the 0-64", "does not enforce", "asks for a /72"}},
		{name: "reqprefix 300: 8 bits in odhcp6c", config: withWAN6("option reqprefix '300'"), host: ucode,
			argv: "-P300 -t120", args: "-P44 -t120", notes: []string{"8 bits (44)", "a /44"}},
		{name: "reqprefix yes: odhcp6c refuses it", config: withWAN6("option reqprefix 'yes'"), host: shell,
			argv: "-Pyes -t120", args: "-t120", refuse: true, notes: []string{"refuses -Pyes"}},
		{name: "reqprefix with a hint and an IAID", config: withWAN6("option reqprefix '2001:db8::/56:2'"), host: shell,
			argv: "-P2001:db8::/56:2 -t120", args: "-P2001:db8::/56:2 -t120"},
		{name: "reqprefix as a list: dropped", config: withWAN6("list reqprefix '48'"), host: shell,
			argv: "-P0 -t120", args: "-P0 -t120", notes: []string{"reqprefix is a list"}},
		{name: "clientid", config: withWAN6("option clientid '00030001020000000001'"), host: shell,
			argv: "-P0 -c00030001020000000001 -t120", args: "-P0 -c00030001020000000001 -t120"},
		{name: "clientid with colons: the shell passes them, odhcp6c skips them", config: withWAN6("option clientid '00:03:00:01:02:00:00:00:00:01'"), host: shell,
			argv: "-P0 -c00:03:00:01:02:00:00:00:00:01 -t120", args: "-P0 -c00030001020000000001 -t120"},
		{name: "clientid with colons, ucode: validated, written bare", config: withWAN6("option clientid '00:03:00:01:02:00:00:00:00:01'"), host: ucode,
			argv: "-P0 -c00030001020000000001 -t120", args: "-P0 -c00030001020000000001 -t120"},
		{name: "no clientid: the globals' DUID", config: globalsDUID + withWAN6(), host: shell,
			argv: "-P0 -c0004aabbccdd -t120", args: "-P0 -c0004aabbccdd -t120"},
		{name: "clientid '*', shell: odhcp6c refuses -c*", config: globalsDUID + withWAN6("option clientid '*'"), host: shell,
			argv: "-P0 '-c*' -t120", args: "-P0 -t120", refuse: true, notes: []string{"refuses -c*"}},
		{name: "clientid '*', ucode: the globals' DUID", config: globalsDUID + withWAN6("option clientid '*'"), host: ucode,
			argv: "-P0 -c0004aabbccdd -t120", args: "-P0 -c0004aabbccdd -t120"},
		{name: "clientid not hex, ucode: ignored for the globals' DUID", config: globalsDUID + withWAN6("option clientid 'xyz'"), host: ucode,
			argv: "-P0 -c0004aabbccdd -t120", args: "-P0 -c0004aabbccdd -t120", notes: []string{"clientid 'xyz' is not hex"}},
		{name: "clientid not hex, shell: odhcp6c refuses it", config: withWAN6("option clientid 'xyz'"), host: shell,
			argv: "-P0 -cxyz -t120", args: "-P0 -t120", refuse: true, notes: []string{"refuses -cxyz (not a client ID in hex)"}},
		{name: "defaultreqopts 0", config: withWAN6("option defaultreqopts '0'", "option reqopts '23'"), host: shell,
			argv: "-P0 -R -r23 -t120", args: "-P0 -R -r23 -t120"},
		{name: "defaultreqopts false: shell compares with 0", config: withWAN6("option defaultreqopts 'false'"), host: shell,
			argv: "-P0 -t120", args: "-P0 -t120", notes: []string{"defaultreqopts 'false' does nothing"}},
		{name: "defaultreqopts off, ucode", config: withWAN6("option defaultreqopts 'off'"), host: ucode,
			argv: "-P0 -R -t120", args: "-P0 -R -t120"},
		{name: "every flag at '1'", config: withWAN6("option noslaaconly '1'", "option forceprefix '1'", "option norelease '1'",
			"option noserverunicast '1'", "option noclientfqdn '1'", "option noacceptreconfig '1'", "option keep_ra_dnslifetime '1'"), host: shell,
			argv: "-P0 -S -F -k -U -f -a -L -t120", args: "-P0 -S -F -k -U -f -a -L -t120"},
		{name: "every flag at '1', ucode order", config: withWAN6("option noslaaconly '1'", "option forceprefix '1'", "option norelease '1'",
			"option noserverunicast '1'", "option noclientfqdn '1'", "option noacceptreconfig '1'", "option keep_ra_dnslifetime '1'",
			"option strict_rfc7550 '1'"), host: ucode,
			argv: "-P0 -S -F -k --strict-rfc7550 -U -f -a -L -t120", args: "-P0 -S -F -k --strict-rfc7550 -U -f -a -L -t120"},
		{name: "flags at 'true' and 'yes': shell compares with 1", config: withWAN6("option noclientfqdn 'true'", "option forceprefix 'yes'",
			"option keep_ra_dnslifetime 'true'", "option strict_rfc7550 '1'"), host: shell,
			argv: "-P0 -L -t120", args: "-P0 -L -t120",
			notes: []string{"noclientfqdn 'true' does nothing", "forceprefix 'yes' does nothing", "strict_rfc7550 does nothing with dhcpv6.sh"}},
		{name: "flags at 'true', 'Yes ', 'enabled', 'on', ucode", config: withWAN6("option noclientfqdn 'true'", "option forceprefix 'Yes '",
			"option norelease 'enabled'", "option noacceptreconfig 'on'", "option noserverunicast 'maybe'"), host: ucode,
			argv: "-P0 -F -k -f -a -t120", args: "-P0 -F -k -f -a -t120", notes: []string{"noserverunicast 'maybe' does nothing"}},
		{name: "keep_ra_dnslifetime yes: netifd's booleans are 1/true/0/false", config: withWAN6("option keep_ra_dnslifetime 'yes'"), host: shell,
			argv: "-P0 -t120", args: "-P0 -t120", notes: []string{"keep_ra_dnslifetime 'yes' does nothing"}},
		{name: "ip6ifaceid", config: withWAN6("option ip6ifaceid '::1:2'"), host: shell,
			argv: "-P0 -i::1:2 -t120", args: "-P0 -i::1:2 -t120"},
		{name: "ifaceid, shell: not read", config: withWAN6("option ifaceid 'eui64'"), host: shell,
			argv: "-P0 -t120", args: "-P0 -t120", notes: []string{"ifaceid does nothing with dhcpv6.sh"}},
		{name: "ifaceid, ucode: the fallback", config: withWAN6("option ifaceid 'eui64'"), host: ucode,
			argv: "-P0 -ieui64 -t120", args: "-P0 -ieui64 -t120"},
		{name: "vendorclass and userclass", config: withWAN6("option vendorclass '0000a0b4'", "option userclass 'office'"), host: shell,
			argv: "-P0 -V0000a0b4 -uoffice -t120", args: "-P0 -V0000a0b4 -uoffice -t120"},
		{name: "vendorclass not hex: odhcp6c refuses it", config: withWAN6("option vendorclass 'office'"), host: ucode,
			argv: "-P0 -Voffice -t120", args: "-P0 -t120", refuse: true, notes: []string{"refuses -Voffice (not hex digits)"}},
		{name: "vendorclass ACME: odhcp6c reads the hex pair AC and skips the rest", config: withWAN6("option vendorclass 'ACME'"), host: shell,
			argv: "-P0 -VACME -t120", args: "-P0 -VACME -t120"},
		{name: "userclass with a space, shell: split into a stray word", config: withWAN6("option userclass 'a b'"), host: shell,
			argv: "-P0 -ua b -t120", args: "-P0 -ua -t120", refuse: true, notes: []string{"splits a value with white space", `takes "b"`}},
		{name: "userclass with a space, ucode: one word, two classes", config: withWAN6("option userclass 'a b'"), host: ucode,
			argv: "-P0 '-ua b' -t120", args: "-P0 '-ua b' -t120"},
		{name: "skpriority, ra_holdoff, verbose, shell", config: withWAN6("option skpriority '0x5'", "option ra_holdoff '010'", "option verbose 'true'"), host: shell,
			argv: "-P0 -K5 -m8 -v -t120", args: "-P0 -K5 -m8 -v -t120"},
		{name: "skpriority, ra_holdoff, verbose, ucode: raw text", config: withWAN6("option skpriority '0x5'", "option ra_holdoff '10'", "option verbose '1'"), host: ucode,
			argv: "-P0 -K0x5 -m10 -l1 -t120", args: "-P0 -K0 -m10 -l1 -t120"},
		{name: "skpriority not an integer, shell: dropped", config: withWAN6("option skpriority 'high'"), host: shell,
			argv: "-P0 -t120", args: "-P0 -t120", notes: []string{"skpriority 'high' does nothing"}},
		{name: "skpriority 9: odhcp6c ignores it", config: withWAN6("option skpriority '9'"), host: shell,
			argv: "-P0 -K9 -t120", args: "-P0 -K9 -t120", notes: []string{"Invalid SK priority value"}},
		{name: "sendopts list", config: withWAN6("list sendopts '15:office'", "list sendopts '0x1f4:ABBA'"), host: shell,
			argv: "-P0 -x15:office -x0x1f4:ABBA -t120", args: "-P0 -x15:office -x0x1f4:ABBA -t120"},
		{name: "sendopts plain with a space, shell: an array split at spaces", config: withWAN6("option sendopts '15:office 0x1f4:ABBA'"), host: shell,
			argv: "-P0 -x15:office -x0x1f4:ABBA -t120", args: "-P0 -x15:office -x0x1f4:ABBA -t120"},
		{name: "sendopts plain with a space, ucode: one -x, a User Class of two classes", config: withWAN6("option sendopts '15:office 0x1f4:ABBA'"), host: ucode,
			argv: "-P0 '-x15:office 0x1f4:ABBA' -t120", args: "-P0 '-x15:office 0x1f4:ABBA' -t120", notes: []string{"one -x"}},
		{name: "reqopts and the installed handlers", config: withWAN6("option reqopts '23 24'"), host: NetifdHost{DSLite: true, MAP: true},
			argv: "-P0 -r23 -r24 -r64 -r94 -r95 -r96 -t120", args: "-P0 -r23 -r24 -r64 -r94 -r95 -r96 -t120"},
		{name: "reqopts list, shell: dropped", config: withWAN6("list reqopts '23'", "list reqopts '24'"), host: shell,
			argv: "-P0 -t120", args: "-P0 -t120", notes: []string{"reqopts is a list"}},
		{name: "reqopts list, ucode: each item", config: withWAN6("list reqopts '23'", "list reqopts '24 25'"), host: ucode,
			argv: "-P0 -r23 '-r24 25' -t120", args: "-P0 -r23 -r24 -r25 -t120"},
		{name: "soltimeout", config: withWAN6("option soltimeout '60'"), host: shell, argv: "-P0 -t60", args: "-P0 -t60"},
		{name: "soltimeout 0: no upper bound", config: withWAN6("option soltimeout '0'"), host: ucode, argv: "-P0 -t0", args: "-P0 -t0"},
		{name: "soltimeout not an integer, shell: the default", config: withWAN6("option soltimeout 'abc'"), host: shell,
			argv: "-P0 -t120", args: "-P0 -t120", notes: []string{"soltimeout 'abc' does nothing"}},
		{name: "soltimeout not an integer, ucode: atoi makes it 0", config: withWAN6("option soltimeout 'abc'"), host: ucode,
			argv: "-P0 -tabc", args: "-P0 -t0"},
		{name: "an unknown option", config: withWAN6("option reqprefx '56'", "option ip6assign '64'"), host: shell,
			argv: "-P0 -t120", args: "-P0 -t120", notes: []string{"no option 'reqprefx'"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := RouterClientFromConfig("", []byte(c.config), c.host)
			if rc.Source != DefaultNetworkPath+"#wan6" || rc.Section != "wan6" || rc.Device != "wan" {
				t.Errorf("Source %q, Section %q, Device %q; want %s#wan6 on wan", rc.Source, rc.Section, rc.Device, DefaultNetworkPath)
			}
			if got := odhcp6c.JoinArgv(rc.Argv); got != c.argv {
				t.Errorf("Argv %q, want %q", got, c.argv)
			}
			if got := rc.Args.String(); got != c.args {
				t.Errorf("Args %q, want %q", got, c.args)
			}
			if rc.Runs == c.refuse {
				t.Errorf("Runs %v, want %v", rc.Runs, !c.refuse)
			}
			checkNotes(t, rc.Notes, c.notes)
		})
	}
}

// checkNotes fails t unless every want is in some note; with no want,
// there must be no note.
func checkNotes(t *testing.T, notes, want []string) {
	t.Helper()
	if len(want) == 0 && len(notes) > 0 {
		t.Errorf("notes %q, want none", notes)
	}
	for _, w := range want {
		if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, w) }) {
			t.Errorf("no note says %q: %q", w, notes)
		}
	}
}

// TestRouterClientSelection finds the interface that runs the WAN's
// client the way netifd starts them, and says when there is none, or more
// than one, or one netifd would not start.
func TestRouterClientSelection(t *testing.T) {
	const pppoeWAN = "config interface 'wan'\n\toption device 'eth0.2'\n\toption proto 'pppoe'\n\toption username 'u'\n"
	for _, c := range []struct {
		name      string
		config    string
		host      NetifdHost
		iface     string // RouterClient.Interface
		device    string
		source    string
		args      string
		runs      bool
		notes     []string
		noteCount int // when not 0, the exact number of notes
	}{
		{name: "an empty file", config: "", source: SourceDefaults, args: "-P0 -t120",
			notes: []string{"no interface runs a DHCPv6 client"}},
		{name: "a wan without wan6", config: "config interface 'wan'\n\toption device 'eth1'\n\toption proto 'dhcp'\n",
			source: SourceDefaults, args: "-P0 -t120", notes: []string{"no interface runs a DHCPv6 client"}},
		{name: "the globals' DUID with no client", config: globalsDUID, source: SourceDefaults, args: "-P0 -c0004aabbccdd -t120",
			notes: []string{"no interface"}},
		{name: "OpenWrt 23.05 default", config: withWAN6("option reqaddress 'try'", "option reqprefix 'auto'"),
			iface: "wan6", device: "wan", source: "/etc/config/network#wan6", args: "-Ntry -P0 -t120", runs: true, noteCount: -1},
		{name: "two clients on the WAN: wan6 speaks, the other is noted",
			config: "config interface 'wanv6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n\toption reqprefix 'no'\n\n" + withWAN6("option reqprefix '56'"),
			iface:  "wan6", device: "wan", source: "/etc/config/network#wan6", args: "-P56 -t120", runs: true,
			notes: []string{"netifd also runs odhcp6c for wanv6 on wan (-t120)"}, noteCount: 1},
		{name: "two clients on the WAN, no wan6: the first",
			config: "config interface 'wan'\n\toption device 'eth1'\n\toption proto 'dhcp'\n\nconfig interface 'v6a'\n\toption device 'eth1'\n\toption proto 'dhcpv6'\n\nconfig interface 'v6b'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n",
			iface:  "v6a", device: "eth1", source: "/etc/config/network#v6a", args: "-P0 -t120", runs: true, notes: []string{"also runs odhcp6c for v6b"}},
		{name: "a dhcpv6 interface off the WAN is left out",
			config: "config interface 'wan'\n\toption device 'eth1'\n\toption proto 'dhcp'\n\nconfig interface 'lab'\n\toption device 'eth3'\n\toption proto 'dhcpv6'\n",
			source: SourceDefaults, args: "-P0 -t120", notes: []string{"lab (proto 'dhcpv6' on eth3) is not on the WAN", "no interface"}},
		{name: "wan6 on another device than wan",
			config: "config interface 'wan'\n\toption device 'eth1'\n\toption proto 'dhcp'\n\nconfig interface 'wan6'\n\toption device 'eth2'\n\toption proto 'dhcpv6'\n",
			iface:  "wan6", device: "eth2", source: "/etc/config/network#wan6", args: "-P0 -t120", runs: true, notes: []string{"wan6 runs on eth2, not on wan's device eth1"}},
		{name: "no wan at all: the dhcpv6 interface", config: "config interface 'uplink6'\n\toption ifname 'eth0.2'\n\toption proto 'dhcpv6'\n",
			iface: "uplink6", device: "eth0.2", source: "/etc/config/network#uplink6", args: "-P0 -t120", runs: true, noteCount: -1},
		{name: "wan itself is dhcpv6", config: "config interface 'wan'\n\toption device 'eth1'\n\toption proto 'dhcpv6'\n\toption reqaddress 'none'\n",
			iface: "wan", device: "eth1", source: "/etc/config/network#wan", args: "-Nnone -P0 -t120", runs: true, noteCount: -1},
		{name: "PPPoE with ipv6 auto (the default): wan_6 with netifd's defaults", config: globalsDUID + pppoeWAN,
			iface: "wan_6", device: "pppoe-wan", source: SourceDefaults, args: "-P0 -c0004aabbccdd -t120", runs: true,
			notes: []string{"netifd adds the interface wan_6 on @wan"}, noteCount: 1},
		{name: "PPPoE with ipv6 '1' and wan6 on @wan", config: pppoeWAN + "\toption ipv6 '1'\n\nconfig interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n\toption reqprefix '56'\n",
			iface: "wan6", device: "pppoe-wan", source: "/etc/config/network#wan6", args: "-P56 -t120", runs: true, noteCount: -1},
		{name: "PPPoE with ipv6 auto and wan6: two clients", config: pppoeWAN + "\nconfig interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n",
			iface: "wan6", device: "pppoe-wan", source: "/etc/config/network#wan6", args: "-P0 -t120", runs: true,
			notes: []string{"also starts the automatic wan_6"}},
		{name: "PPPoE with wan6 on the Ethernet under it", config: pppoeWAN + "\toption ipv6 '1'\n\nconfig interface 'wan6'\n\toption device 'eth0.2'\n\toption proto 'dhcpv6'\n",
			iface: "wan6", device: "eth0.2", source: "/etc/config/network#wan6", args: "-P0 -t120", runs: true,
			notes: []string{"the device under wan's pppoe session"}},
		{name: "PPPoE with ipv6 '0': no client", config: pppoeWAN + "\toption ipv6 '0'\n",
			source: SourceDefaults, args: "-P0 -t120", notes: []string{"no interface"}},
		{name: "wan6 disabled", config: withWAN6("option disabled '1'"),
			source: SourceDefaults, args: "-P0 -t120", notes: []string{"wan6 has disabled '1'", "no interface"}},
		{name: "wan6 disabled 'true', shell: netifd brings it up", config: withWAN6("option disabled 'true'"),
			iface: "wan6", device: "wan", source: "/etc/config/network#wan6", args: "-P0 -t120", runs: true,
			notes: []string{"does not read as disabled"}},
		{name: "wan6 disabled 'true', ucode: the newer netifd disables it", config: withWAN6("option disabled 'true'"), host: ucode,
			source: SourceDefaults, args: "-P0 -t120", notes: []string{"wan6 has disabled 'true'"}},
		{name: "wan6 disabled 'yes': netifd brings it up", config: withWAN6("option disabled 'yes'"),
			iface: "wan6", device: "wan", source: "/etc/config/network#wan6", args: "-P0 -t120", runs: true,
			notes: []string{"disabled 'yes', which netifd does not read as disabled"}},
		{name: "wan6 auto '0'", config: withWAN6("option auto '0'"),
			iface: "wan6", device: "wan", source: "/etc/config/network#wan6", args: "-P0 -t120",
			notes: []string{"only on 'ifup wan6'"}},
		{name: "wan6 auto 'no': not a netifd boolean, so it starts", config: withWAN6("option auto 'no'"),
			iface: "wan6", device: "wan", source: "/etc/config/network#wan6", args: "-P0 -t120", runs: true,
			notes: []string{"auto 'no', which netifd does not read as a boolean"}},
		{name: "wan6 on @wan, wan disabled", config: "config interface 'wan'\n\toption device 'wan'\n\toption proto 'dhcp'\n\toption disabled '1'\n\nconfig interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n",
			iface: "wan6", source: "/etc/config/network#wan6", args: "-P0 -t120", notes: []string{"'@wan', which is disabled"}},
		{name: "a repeated section merges, as libuci merges it", config: withWAN6("option reqprefix '48'") + "\nconfig interface 'wan6'\n\toption reqaddress 'none'\n",
			iface: "wan6", device: "wan", source: "/etc/config/network#wan6", args: "-Nnone -P48 -t120", runs: true, noteCount: -1},
		{name: "a file that does not parse", config: "config interface 'wan6\n\toption proto 'dhcpv6'\n",
			source: SourceDefaults, args: "-P0 -t120", notes: []string{"does not parse"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := RouterClientFromConfig("", []byte(c.config), c.host)
			got := []string{rc.Interface, rc.Device, rc.Source, rc.Args.String()}
			want := []string{c.iface, c.device, c.source, c.args}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("interface, device, source, args (-want +got):\n%s", diff)
			}
			if rc.Runs != c.runs {
				t.Errorf("Runs %v, want %v (%q)", rc.Runs, c.runs, rc.Notes)
			}
			if c.noteCount == -1 {
				checkNotes(t, rc.Notes, nil)
			} else {
				checkNotes(t, rc.Notes, c.notes)
				if c.noteCount > 0 && len(rc.Notes) != c.noteCount {
					t.Errorf("%d notes %q, want %d", len(rc.Notes), rc.Notes, c.noteCount)
				}
			}
		})
	}
}

func TestNetifdDefaults(t *testing.T) {
	rc := NetifdDefaults(NetifdHost{DSLite: true})
	if rc.Source != SourceDefaults || rc.Args.String() != "-P0 -r64 -t120" || !rc.Runs || len(rc.Notes) > 0 {
		t.Errorf("NetifdDefaults = %+v", rc)
	}
	if got, want := rc.CommandLine(), "odhcp6c -s /lib/netifd/dhcpv6.script -P0 -r64 -t120"; got != want {
		t.Errorf("CommandLine %q, want %q", got, want)
	}
}

func TestHandlerForRelease(t *testing.T) {
	for _, c := range []struct {
		release string
		known   bool
	}{{"24.10.1", true}, {"23.05.5", true}, {"19.07.10", true}, {"25.12.0-rc2", true}, {"SNAPSHOT", false}, {"26.06.0", false}, {"", false}} {
		h, known := HandlerForRelease(c.release)
		if h != HandlerShell || known != c.known {
			t.Errorf("HandlerForRelease(%q) = %s, %v; want %s, %v", c.release, h, known, HandlerShell, c.known)
		}
	}
}

// TestRouterClientTestdata maps every config of testdata: each release's
// default wan6 (or PPPoE wan_6) runs odhcp6c with arguments it accepts.
func TestRouterClientTestdata(t *testing.T) {
	want := map[string]string{
		"openwrt_23.05_dsa.network":         "-P0 -c0004a1d2c3e4f5061728394a5b6c7d8e9f00 -t120",
		"openwrt_19.07_swconfig.network":    "-Ntry -P0 -c00030001c46e1f7a3b20 -t120",
		"pppoe_ipv6_auto.network":           "-P0 -t120",
		"pppoe_wan6_alias.network":          "-P56 -c0003000102005e1000f1 -t120",
		"openwrt_21.02_bridge_vlan.network": "-P0 -t120",
	}
	for name, args := range want {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		rc := RouterClientFromConfig(name, b, shell)
		if rc.Args.String() != args || !rc.Runs {
			t.Errorf("%s: %q (runs %v, notes %q), want %q", name, rc.Args.String(), rc.Runs, rc.Notes, args)
		}
	}
}

// TestOptionsFor turns wanted arguments back into the options of the
// section, and checks independently that the changed file maps to them.
func TestOptionsFor(t *testing.T) {
	edit := func(f func(*odhcp6c.Args)) func(odhcp6c.Args) odhcp6c.Args {
		return func(a odhcp6c.Args) odhcp6c.Args { f(&a); return a }
	}
	prefix := func(l int) []odhcp6c.PrefixRequest {
		return []odhcp6c.PrefixRequest{{Length: l, IAID: [4]byte{0, 0, 0, 1}}}
	}
	for _, c := range []struct {
		name    string
		config  string
		host    NetifdHost
		want    func(odhcp6c.Args) odhcp6c.Args
		changes []OptionChange
		err     error
	}{
		{name: "force to try", config: withWAN6("option reqaddress 'force'", "option reqprefix '48'"),
			want:    edit(func(a *odhcp6c.Args) { a.Addresses = odhcp6c.AddressTry }),
			changes: []OptionChange{{"reqaddress", "force", "try"}}},
		{name: "auto to a /56 hint", config: withWAN6("option reqaddress 'try'", "option reqprefix 'auto'"),
			want:    edit(func(a *odhcp6c.Args) { a.Prefixes = prefix(56) }),
			changes: []OptionChange{{"reqprefix", "auto", "56"}}},
		{name: "a /48 hint to auto", config: withWAN6("option reqprefix '48'"),
			want:    edit(func(a *odhcp6c.Args) { a.Prefixes = prefix(0) }),
			changes: []OptionChange{{"reqprefix", "48", "auto"}}},
		{name: "no prefix to a prefix", config: withWAN6("option reqprefix 'no'"),
			want:    edit(func(a *odhcp6c.Args) { a.Prefixes = prefix(0) }),
			changes: []OptionChange{{"reqprefix", "no", "auto"}}},
		{name: "PD only, no FQDN, no reconfigure, no forceprefix", config: withWAN6("option forceprefix '1'"),
			want: edit(func(a *odhcp6c.Args) {
				a.Addresses, a.NoClientFQDN, a.NoAcceptReconfig, a.ForcePrefix = odhcp6c.AddressNone, true, true, false
			}),
			changes: []OptionChange{{"reqaddress", "", "none"}, {"forceprefix", "1", ""}, {"noclientfqdn", "", "1"}, {"noacceptreconfig", "", "1"}}},
		{name: "a flag netifd did not read: 'true' becomes '1'", config: withWAN6("option noclientfqdn 'true'"),
			want:    edit(func(a *odhcp6c.Args) { a.NoClientFQDN = true }),
			changes: []OptionChange{{"noclientfqdn", "true", "1"}}},
		{name: "the same arguments: nothing to change", config: withWAN6("option reqaddress 'try'"),
			want: edit(func(*odhcp6c.Args) {})},
		{name: "a new section for the PPP wan's wan_6", config: "config interface 'wan'\n\toption device 'eth0.2'\n\toption proto 'pppoe'\n",
			want:    edit(func(a *odhcp6c.Args) { a.Addresses, a.Prefixes = odhcp6c.AddressForce, prefix(48) }),
			changes: []OptionChange{{"reqaddress", "", "force"}, {"reqprefix", "", "48"}}},
		{name: "reqopts before the installed handlers' codes", config: withWAN6(), host: NetifdHost{DSLite: true},
			want:    edit(func(a *odhcp6c.Args) { a.RequestedOptions = []uint16{23, 24, 64} }),
			changes: []OptionChange{{"reqopts", "", "23 24"}}},
		{name: "soltimeout, ucode", config: withWAN6(), host: ucode,
			want:    edit(func(a *odhcp6c.Args) { a.SolicitMaxRT.Value, a.StrictRFC7550 = 30, true }),
			changes: []OptionChange{{"strict_rfc7550", "", "1"}, {"soltimeout", "", "30"}}},
		{name: "ifaceid replaced by ip6ifaceid", config: withWAN6("option ifaceid 'eui64'"), host: ucode,
			want:    edit(func(a *odhcp6c.Args) { a.InterfaceID = "random" }),
			changes: []OptionChange{{"ip6ifaceid", "", "random"}, {"ifaceid", "eui64", ""}}},
		{name: "-D: no option passes it", config: withWAN6(),
			want: edit(func(a *odhcp6c.Args) { a.StatefulOnly = true }), err: ErrNotExpressible},
		{name: "two -P", config: withWAN6(),
			want: edit(func(a *odhcp6c.Args) { a.Prefixes = append(prefix(0), prefix(56)...) }), err: ErrNotExpressible},
		{name: "no -c while the globals give one", config: globalsDUID + withWAN6(),
			want: edit(func(a *odhcp6c.Args) { a.ClientID = nil }), err: ErrNotExpressible},
		{name: "--strict-rfc7550 with the shell handler", config: withWAN6(),
			want: edit(func(a *odhcp6c.Args) { a.StrictRFC7550 = true }), err: ErrNotExpressible},
		{name: "a vendor class odhcp6c refuses", config: withWAN6(),
			want: edit(func(a *odhcp6c.Args) { a.VendorClass = "office" }), err: odhcp6c.ErrRefused},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse([]byte(c.config))
			if err != nil {
				t.Fatal(err)
			}
			rc := f.RouterClient("", c.host)
			want := c.want(rc.Args)
			got, err := f.OptionsFor(rc, want, c.host)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("OptionsFor: %v, want an error wrapping %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.changes, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			// Apply them the way suggest.go will, and map again.
			name := rc.Section
			if name == "" {
				sec, err := f.AddSection("interface", "wan6", "", f.interfaceSection("wan"))
				if err != nil {
					t.Fatal(err)
				}
				mustSet(t, sec, "device", "@wan")
				mustSet(t, sec, "proto", "dhcpv6")
				name = "wan6"
			}
			for _, ch := range got {
				mustSet(t, f.interfaceSection(name), ch.Option, ch.New)
			}
			again := RouterClientFromConfig("", f.Bytes(), c.host)
			if again.Args.String() != want.String() || !again.Runs {
				t.Errorf("the changed file maps to %q (runs %v, %q), want %q", again.Args.String(), again.Runs, again.Notes, want.String())
			}
		})
	}
}

func mustSet(t *testing.T, s *Section, option, value string) {
	t.Helper()
	if err := s.SetOption(option, value, ""); err != nil {
		t.Fatal(err)
	}
}

// FuzzRouterClient maps arbitrary config text with both handlers: it never
// panics, always names a source, gives arguments odhcp6c reads back the
// same, and when netifd runs them, OptionsFor finds nothing to change for
// the same arguments and a checked change for other ones.
func FuzzRouterClient(f *testing.F) {
	for _, s := range []string{
		"",
		withWAN6("option reqaddress 'force'", "option reqprefix '48'", "option noclientfqdn '1'"),
		withWAN6("option userclass 'a b'", "list sendopts '15:x'", "option soltimeout '0x10'"),
		globalsDUID + "config interface 'wan'\n\toption device 'eth0.2'\n\toption proto 'pppoe'\n",
		withWAN6("option clientid '*'", "option disabled 'true'", "option auto 'false'", "list reqopts '23 24'"),
	} {
		f.Add([]byte(s), false)
	}
	matches, _ := filepath.Glob(filepath.Join("testdata", "*.network"))
	for _, m := range matches {
		if b, err := os.ReadFile(m); err == nil {
			f.Add(b, true)
		}
	}
	f.Fuzz(func(t *testing.T, config []byte, useUcode bool) {
		host := NetifdHost{DSLite: true}
		if useUcode {
			host.Handler = HandlerUcode
		}
		rc := RouterClientFromConfig("", config, host)
		if rc.Source == "" || rc.Handler != host.handler() {
			t.Fatalf("Source %q, Handler %q", rc.Source, rc.Handler)
		}
		again, _, err := odhcp6c.ParseArgv(rc.Args.Argv())
		if err != nil || again.String() != rc.Args.String() {
			t.Fatalf("Args %q read back as %q, %v", rc.Args.String(), again.String(), err)
		}
		if rc.Runs {
			if _, stray, err := odhcp6c.ParseArgv(rc.Argv); err != nil || stray != "" {
				t.Fatalf("runs, but odhcp6c would not take %q: %v %q", rc.Argv, err, stray)
			}
		}
		file, err := Parse(config)
		if err != nil || !rc.Runs || rc.Section == "" {
			return
		}
		if changes, err := file.OptionsFor(rc, rc.Args, host); err != nil || len(changes) > 0 {
			t.Fatalf("OptionsFor the same arguments: %v, %v", changes, err)
		}
		want := rc.Args
		want.Addresses, want.NoClientFQDN = odhcp6c.AddressForce, !want.NoClientFQDN
		if _, err := file.OptionsFor(rc, want, host); err != nil && !errors.Is(err, ErrNotExpressible) {
			t.Fatalf("OptionsFor %q: %v", want.String(), err)
		}
	})
}
