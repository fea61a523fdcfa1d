package capture

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLiveLoopback opens a capture on lo, sends a Router Advertisement and
// reads it back through the BPF filter — attached to the socket, and run in
// user space as when the kernel (or qemu-user) refuses SO_ATTACH_FILTER.
// It needs CAP_NET_RAW and skips without it.
func TestLiveLoopback(t *testing.T) {
	for _, tc := range []struct {
		kernelFilter bool
		want         Method
	}{{true, MethodKernelFilter}, {false, MethodUserFilter}} {
		t.Run(string(tc.want), func(t *testing.T) { testLiveLoopback(t, tc.kernelFilter, tc.want) })
	}
}

func testLiveLoopback(t *testing.T, kernelFilter bool, want Method) {
	if _, err := os.Stat("/sys/class/net/lo"); err != nil {
		t.Skipf("no Linux /sys: %v", err)
	}
	// The facts a capture needs of lo, from /sys as hostinfo.LookupInterface
	// reads them (it imports this package): net.InterfaceByName goes
	// through netlink, which fails under qemu-user on big-endian mips.
	sysInt := func(name string) int {
		b, err := os.ReadFile("/sys/class/net/lo/" + name)
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("/sys/class/net/lo/%s: %v", name, err)
		}
		return n
	}
	lo := Interface{Name: "lo", Index: sysInt("ifindex"), MTU: sysInt("mtu"), Type: ARPHRDLoopback}
	l, err := openLive(lo, kernelFilter)
	if errors.Is(err, ErrPermission) {
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if l.Method() != want {
		t.Errorf("Method() = %q, want %q", l.Method(), want)
	}
	if l.LinkType() != LinkTypeEthernet {
		t.Errorf("LinkType() = %s, want ethernet (lo carries an Ethernet header)", l.LinkType())
	}
	if _, err := l.ReadFrame(time.Now().Add(-time.Second)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("ReadFrame past its deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	ra := routerAdvertisement(t)
	ns := neighborSolicitation(t)
	for _, pkt := range [][]byte{ns, ra} {
		if err := l.Send(MulticastMAC(allNodes), pkt); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		f, err := l.ReadFrame(deadline)
		if err != nil {
			t.Fatalf("no RA came back: %v", err)
		}
		p, err := Decode(f)
		if err != nil {
			continue
		}
		if p.Transport == TransportICMPv6 && p.ICMPv6[0] == 135 {
			t.Fatal("the filter let a Neighbor Solicitation through")
		}
		if p.Transport == TransportICMPv6 && p.ICMPv6[0] == 134 && p.Source == llRouter {
			if !p.UpperLayerChecksumOK() {
				t.Error("RA read back with a bad checksum")
			}
			break
		}
	}
	// qemu-user does not translate PACKET_STATISTICS: Stats says so with
	// ErrNoStats, which the report shows as unknown drops.
	if _, _, err := l.Stats(); err != nil && !errors.Is(err, ErrNoStats) {
		t.Errorf("Stats: %v", err)
	}
}
