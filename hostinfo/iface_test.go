package hostinfo

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/v6diag/v6diag/capture"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// linuxRoot is a /sys and /proc fixture as a Linux router with a VLAN
// uplink eth0.2, a PPPoE session pppoe-wan and a LAN bridge shows them.
func linuxRoot() fstest.MapFS {
	return fstest.MapFS{
		"sys/class/net/eth0.2/ifindex":   file("5\n"),
		"sys/class/net/eth0.2/address":   file("02:11:22:33:44:55\n"),
		"sys/class/net/eth0.2/mtu":       file("1500\n"),
		"sys/class/net/eth0.2/type":      file("1\n"),
		"sys/class/net/eth0.2/carrier":   file("1\n"),
		"sys/class/net/eth0.2/operstate": file("up\n"),

		"sys/class/net/pppoe-wan/ifindex":   file("9\n"),
		"sys/class/net/pppoe-wan/address":   file("\n"),
		"sys/class/net/pppoe-wan/mtu":       file("1492\n"),
		"sys/class/net/pppoe-wan/type":      file("512\n"),
		"sys/class/net/pppoe-wan/carrier":   file("1\n"),
		"sys/class/net/pppoe-wan/operstate": file("unknown\n"),

		"sys/class/net/br-lan/ifindex": file("7\n"),
		"sys/class/net/br-lan/type":    file("1\n"),
		// carrier missing: reading it fails with EINVAL while the link is down.
		"sys/class/net/br-lan/operstate": file("down\n"),

		"sys/class/net/lo/ifindex": file("1\n"),
		"sys/class/net/lo/type":    file("772\n"),

		"sys/class/net/broken/ifindex": file("five\n"),

		"proc/sys/net/ipv6/conf/eth0.2/disable_ipv6": file("0\n"),
		"proc/sys/net/ipv6/conf/br-lan/disable_ipv6": file("1\n"),

		// address ifindex plen scope flags name (net/ipv6/addrconf.c
		// if6_seq_show); flags 0xc0 = IFA_F_PERMANENT|IFA_F_TENTATIVE.
		"proc/net/if_inet6": file("" +
			"fe80000000000000001122fffe334455 05 40 20 c0   eth0.2\n" +
			"20010db8000000010000000000000005 05 40 00 00   eth0.2\n" +
			"fe800000000000000000000000000abc 05 40 20 80   eth0.2\n" +
			"00000000000000000000000000000001 01 80 10 80       lo\n" +
			"fe80000000000000a1b2c3d4e5f60718 09 0a 20 c0 pppoe-wan\n" +
			"fe800000000000000000000000000099 07 40 20 80 br-lan\n" +
			"this line is not an address\n"),

		// dst dst_len src src_len nexthop metric refcnt use flags device
		// (net/ipv6/route.c ipv6_route_native_seq_show); the kernel lists
		// an unreachable default on lo first.
		"proc/net/ipv6_route": file("" +
			"00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n" +
			"20010db8000000010000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001   eth0.2\n" +
			"00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003   eth0.2\n"),

		"proc/net/route": file("" +
			"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
			"pppoe-wan\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"),

		// odhcp6c holds [::]:546 (0x0222); a resolver holds :53 and :34.
		"proc/net/udp6": file("" +
			"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n" +
			"  512: 00000000000000000000000000000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4121 2 0000000000000000 0\n" +
			"  613: 00000000000000000000000000000000:0222 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5200 2 0000000000000000 0\n" +
			"  700: 00000000000000000000000000000000:0022 00000000000000000000000001000000:0223 01 00000000:00000000 00:00000000 00000000     0        0 5300 2 0000000000000000 0\n"),
	}
}

var ifaceCmp = cmp.Options{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
	cmpopts.EquateEmpty(),
}

func TestLookupInterface(t *testing.T) {
	tests := []struct {
		name string
		want capture.Interface
	}{
		{
			name: "eth0.2",
			want: capture.Interface{
				Name: "eth0.2", Index: 5, MAC: net.HardwareAddr{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}, MTU: 1500, Type: 1,
				// The tentative EUI-64 address comes first in the file;
				// the usable one is the next link-local.
				LinkLocal: netip.MustParseAddr("fe80::abc"),
				Addresses: []netip.Prefix{
					netip.MustParsePrefix("fe80::11:22ff:fe33:4455/64"),
					netip.MustParsePrefix("2001:db8:0:1::5/64"),
					netip.MustParsePrefix("fe80::abc/64"),
				},
				Carrier: true, OperState: "up", Source: "/sys/class/net, /proc/net/if_inet6",
			},
		},
		{
			name: "pppoe-wan",
			want: capture.Interface{
				Name: "pppoe-wan", Index: 9, MTU: 1492, Type: 512,
				LinkLocalTentative: true,
				Addresses:          []netip.Prefix{netip.MustParsePrefix("fe80::a1b2:c3d4:e5f6:718/10")},
				Carrier:            true, OperState: "unknown", Source: "/sys/class/net, /proc/net/if_inet6",
			},
		},
		{
			name: "br-lan",
			want: capture.Interface{
				Name: "br-lan", Index: 7, Type: 1,
				LinkLocal:    netip.MustParseAddr("fe80::99"),
				Addresses:    []netip.Prefix{netip.MustParsePrefix("fe80::99/64")},
				OperState:    "down",
				IPv6Disabled: true,
				Source:       "/sys/class/net, /proc/net/if_inet6",
			},
		},
	}
	root := linuxRoot()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LookupInterface(root, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, ifaceCmp); diff != "" {
				t.Errorf("LookupInterface (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookupInterfaceErrors(t *testing.T) {
	root := linuxRoot()
	for _, name := range []string{"", ".", "..", "eth9", "eth0.2/../lo", "../../etc"} {
		if _, err := LookupInterface(root, name); !errors.Is(err, ErrNoInterface) {
			t.Errorf("LookupInterface(%q) error %v, want ErrNoInterface", name, err)
		}
	}
	if _, err := LookupInterface(root, "broken"); err == nil || errors.Is(err, ErrNoInterface) {
		t.Errorf("LookupInterface(broken ifindex) error %v, want a parse error", err)
	}
}

func TestDefaultRouteInterface(t *testing.T) {
	root := linuxRoot()
	if got, ok := DefaultRouteInterface(root); got != "eth0.2" || !ok {
		t.Errorf("DefaultRouteInterface = %q, %v; want eth0.2, true", got, ok)
	}
	delete(root, "proc/net/ipv6_route")
	if got, ok := DefaultRouteInterface(root); got != "pppoe-wan" || !ok {
		t.Errorf("without IPv6 routes: DefaultRouteInterface = %q, %v; want the IPv4 default pppoe-wan, true", got, ok)
	}
	delete(root, "proc/net/route")
	if got, ok := DefaultRouteInterface(root); ok {
		t.Errorf("without routes: DefaultRouteInterface = %q, true", got)
	}
}

func TestUDPPortBound(t *testing.T) {
	root := linuxRoot()
	for _, tc := range []struct {
		port uint16
		want bool
	}{
		{546, true},
		{53, true},
		{547, false},
		{34, true},     // :0022, not confused with :0222
		{0x223, false}, // only in the remote column
	} {
		got, err := UDPPortBound(root, tc.port)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("UDPPortBound(%d) = %v, want %v", tc.port, got, tc.want)
		}
	}
	delete(root, "proc/net/udp6")
	if got, err := UDPPortBound(root, 546); got || err != nil {
		t.Errorf("without /proc/net/udp6: UDPPortBound = %v, %v; want false, nil", got, err)
	}
}

// TestLookupInterfaceHost reads the real loopback interface.
func TestLookupInterfaceHost(t *testing.T) {
	if _, err := os.Stat("/sys/class/net/lo"); err != nil {
		t.Skipf("no Linux /sys: %v", err)
	}
	lo, err := LookupInterface(os.DirFS("/"), "lo")
	if err != nil {
		t.Fatal(err)
	}
	if lo.Index != 1 || lo.Type != capture.ARPHRDLoopback || lo.LinkType() != capture.LinkTypeEthernet {
		t.Errorf("lo = %+v", lo)
	}
}
