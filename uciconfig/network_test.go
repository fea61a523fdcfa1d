package uciconfig

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// wanAnswer is what network.go says about one config.
type wanAnswer struct {
	Device, Iface string
	DeviceOK      bool
	ClientID      string
	ClientIDOK    bool
}

func answer(f *File) wanAnswer {
	var a wanAnswer
	a.Device, a.Iface, a.DeviceOK = f.WANDevice()
	a.ClientID, a.ClientIDOK = f.DHCPv6ClientID()
	return a
}

func TestNetworkCorpus(t *testing.T) {
	want := map[string]wanAnswer{
		// swconfig VLAN 2, wan6 '@wan' alias through 'ifname'.
		"chaos_calmer_15.05.network": {Device: "eth0.2", Iface: "wan6", DeviceOK: true},
		// swconfig, wan6 names the VLAN device itself and sets a DUID.
		"openwrt_19.07_swconfig.network": {Device: "eth0.2", Iface: "wan6", DeviceOK: true,
			ClientID: "00030001c46e1f7a3b20", ClientIDOK: true},
		// DSA port "wan"; the DUID comes from globals.
		"openwrt_23.05_dsa.network": {Device: "wan", Iface: "wan6", DeviceOK: true,
			ClientID: "0004a1d2c3e4f5061728394a5b6c7d8e9f00", ClientIDOK: true},
		// No wan6: the dynamic wan_6 of ipv6 'auto' runs on pppoe-wan.
		"pppoe_ipv6_auto.network": {Device: "pppoe-wan", Iface: "wan", DeviceOK: true},
		// wan6 '@wan' on a PPPoE wan is on pppoe-wan, not on eth0.2.
		"pppoe_wan6_alias.network": {Device: "pppoe-wan", Iface: "wan6", DeviceOK: true,
			ClientID: "0003000102005e1000f1", ClientIDOK: true},
		// ISP VLAN 7 from a "config device" of type 8021q.
		"vlan7_8021q.network": {Device: "eth0.7", Iface: "wan6", DeviceOK: true},
		"crlf.network": {Device: "eth1", Iface: "wan6", DeviceOK: true,
			ClientID: "000300010a0b0c0d0e0f", ClientIDOK: true},
		// 'c interface wan6; o device @wan' → wan's "eth1".
		"odd_quoting.network": {Device: "eth1", Iface: "wan6", DeviceOK: true,
			ClientID: "000300011c872c4a1b2f", ClientIDOK: true},
		"dumb_ap.network": {},
		// 21.02+ DSA: the WAN is VLAN 7 of the bridge (config bridge-vlan).
		"openwrt_21.02_bridge_vlan.network": {Device: "br-lan.7", Iface: "wan6", DeviceOK: true},
		// No wan6 at all: the DHCP wan's device.
		"commented_lists.network": {Device: "eth0", Iface: "wan", DeviceOK: true},
		// PPPoE on eth0.7 with the implicit ipv6 auto.
		"vlan7_pppoe_ifname.network": {Device: "pppoe-wan", Iface: "wan", DeviceOK: true},
	}
	files := corpus(t)
	for name := range files {
		if _, ok := want[name]; !ok {
			t.Errorf("testdata/%s has no expected answer in this table", name)
		}
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			b, ok := files[name]
			if !ok {
				t.Fatalf("testdata/%s missing", name)
			}
			f := mustParse(t, string(b))
			if diff := cmp.Diff(w, answer(f)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWANDeviceCases(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want wanAnswer
	}{
		{
			name: "disabled wan6 falls back to wan",
			in:   "config interface wan\n option device wan\n option proto dhcp\nconfig interface wan6\n option device wan\n option proto dhcpv6\n option disabled 1\n option clientid 0001\n",
			want: wanAnswer{Device: "wan", Iface: "wan", DeviceOK: true},
		},
		{
			name: "wan6 without a device falls back to wan",
			in:   "config interface wan\n option ifname eth1\n option proto dhcp\nconfig interface wan6\n option proto dhcpv6\n",
			want: wanAnswer{Device: "eth1", Iface: "wan", DeviceOK: true},
		},
		{
			name: "device wins over ifname",
			in:   "config interface wan\n option ifname eth0.2\n option device wan\n option proto dhcp\n",
			want: wanAnswer{Device: "wan", Iface: "wan", DeviceOK: true},
		},
		{
			name: "alias loop resolves to nothing",
			in:   "config interface wan\n option device @wan6\n option proto dhcp\nconfig interface wan6\n option device @wan\n option proto dhcpv6\n",
			want: wanAnswer{},
		},
		{
			name: "alias to a missing interface",
			in:   "config interface wan6\n option device @wan\n option proto dhcpv6\n",
			want: wanAnswer{},
		},
		{
			name: "6in4 tunnel makes its own device",
			in:   "config interface wan\n option device wan\n option proto dhcp\nconfig interface wan6\n option proto 6in4\n option peeraddr 192.0.2.1\n",
			want: wanAnswer{Device: "6in4-wan6", Iface: "wan6", DeviceOK: true},
		},
		{
			name: "old bridged wan",
			in:   "config interface wan\n option type bridge\n option ifname 'eth0.2 eth0.3'\n option proto dhcp\n",
			want: wanAnswer{Device: "br-wan", Iface: "wan", DeviceOK: true},
		},
		{
			name: "PPPoE on a VLAN 7 device",
			in:   "config device\n option type 8021q\n option ifname wan\n option vid 7\n option name wan.7\nconfig interface wan\n option device wan.7\n option proto pppoe\n option ipv6 auto\n",
			want: wanAnswer{Device: "pppoe-wan", Iface: "wan", DeviceOK: true},
		},
		{
			name: "a repeated section name merges, later options win",
			in:   "config interface wan\n option device eth1\n option proto pppoe\nconfig interface wan\n option proto dhcp\n",
			want: wanAnswer{Device: "eth1", Iface: "wan", DeviceOK: true},
		},
		{
			name: "a wan that is not an interface",
			in:   "config zone wan\n option name wan\n",
			want: wanAnswer{},
		},
		{
			name: "clientid of another dhcpv6 interface, before globals",
			in:   "config globals globals\n option dhcp_default_duid 00040000\nconfig interface wan\n option device wan\n option proto dhcp\nconfig interface isp2\n option device lan4\n option proto dhcpv6\n option clientid 00030001aabbccddeeff\n",
			want: wanAnswer{Device: "wan", Iface: "wan", DeviceOK: true, ClientID: "00030001aabbccddeeff", ClientIDOK: true},
		},
		{
			name: "clientid on a non-dhcpv6 interface is not odhcp6c's",
			in:   "config interface wan\n option device wan\n option proto dhcp\n option clientid 01aabbccddeeff\n",
			want: wanAnswer{Device: "wan", Iface: "wan", DeviceOK: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, answer(mustParse(t, tt.in))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestInterfaces(t *testing.T) {
	f := mustParse(t, string(corpus(t)["chaos_calmer_15.05.network"]))
	want := []Interface{
		{Name: "loopback", Proto: "static", Device: "lo"},
		{Name: "lan", Proto: "static", Device: "eth0.1"},
		{Name: "wan", Proto: "dhcp", Device: "eth0.2"},
		{Name: "wan6", Proto: "dhcpv6", Device: "@wan"},
	}
	got := f.Interfaces()
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Interface{}, "Section")); diff != "" {
		t.Errorf("Interfaces() (-want +got):\n%s", diff)
	}
	for _, i := range got {
		if i.Section == nil || i.Section.Name != i.Name || i.Section.Type != "interface" {
			t.Errorf("Interface %q has Section %+v", i.Name, i.Section)
		}
	}

	f = mustParse(t, string(corpus(t)["openwrt_23.05_dsa.network"]))
	want = []Interface{
		{Name: "loopback", Proto: "static", Device: "lo"},
		{Name: "lan", Proto: "static", Device: "br-lan"},
		{Name: "wan", Proto: "dhcp", Device: "wan"},
		{Name: "wan6", Proto: "dhcpv6", Device: "wan"},
	}
	if diff := cmp.Diff(want, f.Interfaces(), cmpopts.IgnoreFields(Interface{}, "Section")); diff != "" {
		t.Errorf("Interfaces() on DSA (-want +got):\n%s", diff)
	}
}

func TestWANClientInterfaces(t *testing.T) {
	tests := []struct {
		name, in    string
		all, dhcpv6 []string
	}{
		{"DSA default", "config interface 'wan'\n\toption device 'wan'\n\toption proto 'dhcp'\nconfig interface 'wan6'\n\toption device 'wan'\n\toption proto 'dhcpv6'\n",
			[]string{"wan", "wan6"}, []string{"wan6"}},
		{"@wan alias and a second client", "config interface 'wan'\n\toption device 'eth1'\n\toption proto 'dhcp'\nconfig interface 'isp2'\n\toption device '@wan'\n\toption proto 'dhcpv6'\nconfig interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\nconfig interface 'lan'\n\toption proto 'dhcpv6'\n",
			[]string{"wan", "wan6", "isp2"}, []string{"wan6", "isp2"}},
		{"PPPoE with ipv6 auto starts wan_6", "config interface 'wan'\n\toption device 'eth0.2'\n\toption proto 'pppoe'\n",
			[]string{"wan", "wan_6"}, []string{"wan_6"}},
		{"PPPoE with ipv6 1 and its own wan6", "config interface 'wan'\n\toption proto 'pppoe'\n\toption ipv6 '1'\nconfig interface 'wan6'\n\toption ifname '@wan'\n\toption proto 'dhcpv6'\n",
			[]string{"wan", "wan6"}, []string{"wan6"}},
		{"no wan", "config interface 'lan'\n\toption proto 'static'\n", []string{"wan", "wan6"}, []string{"wan6"}},
	}
	for _, tt := range tests {
		all, d6 := mustParse(t, tt.in).WANClientInterfaces()
		if !cmp.Equal(tt.all, all) || !cmp.Equal(tt.dhcpv6, d6) {
			t.Errorf("%s: %q %q, want %q %q", tt.name, all, d6, tt.all, tt.dhcpv6)
		}
	}
	if all, d6 := (*File)(nil).WANClientInterfaces(); !cmp.Equal([]string{"wan", "wan6"}, all) || !cmp.Equal([]string{"wan6"}, d6) {
		t.Errorf("nil file: %q %q", all, d6)
	}
}
