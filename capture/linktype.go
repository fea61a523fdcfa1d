package capture

import "fmt"

// LinkType is a pcap LINKTYPE_ value (https://www.tcpdump.org/linktypes.html).
type LinkType uint16

// The link types v6diag decodes.
const (
	LinkTypeNull      LinkType = 0   // BSD loopback: 4-byte address family
	LinkTypeEthernet  LinkType = 1   // Ethernet II, with 802.1Q/802.1ad tags and PPPoE sessions
	LinkTypePPP       LinkType = 9   // PPP, optionally with HDLC address/control
	LinkTypePPPHDLC   LinkType = 50  // PPP in HDLC-like framing
	LinkTypePPPoE     LinkType = 51  // PPPoE session header, then PPP
	LinkTypeRaw       LinkType = 101 // raw IP, no link header
	LinkTypeLinuxSLL  LinkType = 113 // Linux cooked capture v1
	LinkTypeIPv6      LinkType = 229 // raw IPv6
	LinkTypeLinuxSLL2 LinkType = 276 // Linux cooked capture v2
	// Some old files use the DLT rather than the LINKTYPE numbers for raw IP.
	linkTypeRawDLT12 LinkType = 12
	linkTypeRawDLT14 LinkType = 14
)

func (lt LinkType) String() string {
	switch lt {
	case LinkTypeNull:
		return "null"
	case LinkTypeEthernet:
		return "ethernet"
	case LinkTypePPP:
		return "ppp"
	case LinkTypePPPHDLC:
		return "ppp-hdlc"
	case LinkTypePPPoE:
		return "pppoe"
	case LinkTypeRaw, linkTypeRawDLT12, linkTypeRawDLT14:
		return "raw"
	case LinkTypeLinuxSLL:
		return "linux-sll"
	case LinkTypeIPv6:
		return "raw-ipv6"
	case LinkTypeLinuxSLL2:
		return "linux-sll2"
	}
	return fmt.Sprintf("linktype-%d", uint16(lt))
}

// Supported reports whether Decode understands frames of this link type.
func (lt LinkType) Supported() bool {
	switch lt {
	case LinkTypeNull, LinkTypeEthernet, LinkTypePPP, LinkTypePPPHDLC, LinkTypePPPoE,
		LinkTypeRaw, linkTypeRawDLT12, linkTypeRawDLT14, LinkTypeLinuxSLL, LinkTypeIPv6, LinkTypeLinuxSLL2:
		return true
	}
	return false
}
