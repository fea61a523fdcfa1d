package capture

import (
	"net"
	"net/netip"
)

// ARPHRD values from linux/if_arp.h (Interface.Type) that decide the
// link layer.
const (
	ARPHRDEther    = 1
	ARPHRDPPP      = 512
	ARPHRDLoopback = 772
	ARPHRDNone     = 65534
)

// Interface holds the facts about a network interface that a run needs.
// hostinfo.LookupInterface reads them from /sys/class/net and /proc/net,
// which work on every architecture, including under qemu-user where
// netlink does not.
type Interface struct {
	Name  string
	Index int
	// MAC is nil on links without hardware addresses (PPP, tunnels).
	MAC  net.HardwareAddr
	MTU  int
	Type uint16 // ARPHRD_*
	// LinkLocal is the first non-tentative fe80::/10 address, invalid if none.
	LinkLocal netip.Addr
	// LinkLocalTentative is set when the only link-local address is still
	// in Duplicate Address Detection.
	LinkLocalTentative bool
	// Addresses lists every IPv6 address on the interface.
	Addresses []netip.Prefix
	Carrier   bool
	OperState string
	// IPv6Disabled mirrors net.ipv6.conf.<if>.disable_ipv6.
	IPv6Disabled bool
	// Source names where the facts came from, for the report.
	Source string
}

// LinkType is the pcap link type frames on this interface have when
// captured with a raw packet socket.
func (i Interface) LinkType() LinkType {
	switch i.Type {
	case ARPHRDEther, ARPHRDLoopback:
		// The loopback device carries a (zeroed) Ethernet header too.
		return LinkTypeEthernet
	}
	return LinkTypeRaw
}
