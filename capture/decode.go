package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// ErrNotIPv6 reports a frame that carries no IPv6 packet (ARP, IPv4, LLDP…):
// ordinary traffic, not a fault.
var ErrNotIPv6 = errors.New("not an IPv6 packet")

// ErrUnsupportedLinkType reports a frame whose link type Decode does not know.
var ErrUnsupportedLinkType = errors.New("unsupported link type")

// ErrTruncated reports a frame cut short inside a header.
var ErrTruncated = errors.New("truncated")

// ErrExtensionChain reports an IPv6 packet with more extension headers
// than any control message needs: hiding an RA behind a long chain is an
// evasion (RFC 7112), so it is an error the analysis reports, not a packet
// to pass over as "not IPv6".
var ErrExtensionChain = errors.New("IPv6 extension header chain too long")

// Transport is the upper-layer protocol an IPv6 packet ends in.
type Transport uint8

// Upper-layer protocol numbers Decode hands on.
const (
	TransportICMPv6 Transport = 58
	TransportUDP    Transport = 17
)

// The control frames v6diag captures: the ICMPv6 types of Router
// Solicitation and Advertisement (RFC 4861 §4.1, §4.2) and the DHCPv6 UDP
// ports (RFC 8415 §7.2). capture names them rather than ndp or dhcpv6
// because its filter needs them and it must not import the message
// parsers (ndp's tests read their captures through capture). They are
// untyped so that they compare with an ICMPv6 type byte, a port and a BPF
// operand alike.
const (
	ICMPv6RouterSolicitation  = 133
	ICMPv6RouterAdvertisement = 134
	PortDHCPv6Client          = 546
	PortDHCPv6Server          = 547
)

// Packet is an IPv6 packet taken out of a frame: what the link layer said
// about it, the IPv6 header fields the checks need, and the upper-layer
// payload.
type Packet struct {
	// Link layer. SourceMAC and DestinationMAC are nil on links without
	// hardware addresses (PPP, raw IP).
	SourceMAC      net.HardwareAddr
	DestinationMAC net.HardwareAddr
	VLANs          []VLAN
	PPPoESession   uint16
	PPPoE          bool
	// Outgoing is set when the link layer says the frame was sent by the
	// capturing host (Linux cooked captures); otherwise unknown.
	Outgoing bool

	Source      netip.Addr
	Destination netip.Addr
	HopLimit    uint8
	// Fragmented is set when a Fragment header was crossed (RFC 6980 forbids
	// it for Neighbor Discovery).
	Fragmented bool
	// ExtensionHeaders counts the IPv6 extension headers crossed.
	ExtensionHeaders int
	// Truncated is set when the IPv6 payload length promises more bytes than
	// were captured.
	Truncated bool

	Transport Transport
	// ICMPv6 is the whole ICMPv6 message, type byte first.
	ICMPv6 []byte
	// UDP ports and payload.
	SourcePort, DestinationPort uint16
	UDPPayload                  []byte

	// udp is the UDP datagram, header included, for checksum verification.
	udp []byte
}

// VLAN is one 802.1Q or 802.1ad tag.
type VLAN struct {
	TPID     uint16
	ID       uint16
	Priority uint8
}

const (
	etherTypeIPv4   = 0x0800
	etherTypeIPv6   = 0x86dd
	etherTypeVLAN   = 0x8100
	etherTypeQinQ   = 0x88a8
	etherTypeQinQ2  = 0x9100
	etherTypePPPoES = 0x8864
	pppProtoIPv6    = 0x0057
	maxVLANTags     = 4
	maxExtHeaders   = 8
	ipv6HeaderLen   = 40
	udpHeaderLen    = 8
	sllHeaderLen    = 16
	sll2HeaderLen   = 20
	sllPacketOutgo  = 4
)

// Decode walks a frame down to the ICMPv6 or UDP payload of its IPv6
// packet. Frames that carry no IPv6 return ErrNotIPv6; other protocols
// inside IPv6 return a Packet with Transport set and no payload. Slices in
// the result alias f.Data.
func Decode(f Frame) (Packet, error) {
	var p Packet
	b, err := p.link(f)
	if err == nil {
		err = p.ipv6(b)
	}
	if err != nil && err != ErrNotIPv6 {
		// The bare sentinel is ordinary traffic and returned as is, without
		// allocating; faults say which frame they are in.
		err = fmt.Errorf("capture: frame %d: %w", f.Number, err)
	}
	countDecode(&p)
	return p, err
}

// link decodes the link-layer headers of f into p and returns what they
// carry: an IPv6 packet, unless the error says otherwise.
func (p *Packet) link(f Frame) ([]byte, error) {
	b := f.Data
	switch f.LinkType {
	case LinkTypeEthernet:
		return p.ethernet(b)
	case LinkTypeLinuxSLL:
		return p.sll(b)
	case LinkTypeLinuxSLL2:
		return p.sll2(b)
	case LinkTypeRaw, linkTypeRawDLT12, linkTypeRawDLT14, LinkTypeIPv6:
		if len(b) == 0 || b[0]>>4 != 6 {
			return nil, ErrNotIPv6
		}
		return b, nil
	case LinkTypePPP, LinkTypePPPHDLC:
		return ppp(b)
	case LinkTypePPPoE:
		return p.pppoe(b)
	case LinkTypeNull:
		return null(b)
	}
	return nil, fmt.Errorf("%w %s", ErrUnsupportedLinkType, f.LinkType)
}

func (p *Packet) ethernet(b []byte) ([]byte, error) {
	if len(b) < 14 {
		return nil, fmt.Errorf("ethernet header: %w", ErrTruncated)
	}
	p.DestinationMAC = net.HardwareAddr(b[0:6])
	p.SourceMAC = net.HardwareAddr(b[6:12])
	etherType, b, err := p.vlanTags(binary.BigEndian.Uint16(b[12:14]), b[14:])
	if err != nil {
		return nil, err
	}
	switch etherType {
	case etherTypeIPv6:
		return b, nil
	case etherTypePPPoES:
		return p.pppoe(b)
	}
	return nil, ErrNotIPv6
}

func (p *Packet) pppoe(b []byte) ([]byte, error) {
	if len(b) < 6 {
		return nil, fmt.Errorf("PPPoE header: %w", ErrTruncated)
	}
	p.PPPoE = true
	p.PPPoESession = binary.BigEndian.Uint16(b[2:4])
	return ppp(b[6:])
}

func ppp(b []byte) ([]byte, error) {
	if len(b) >= 2 && b[0] == 0xff && b[1] == 0x03 {
		b = b[2:]
	}
	if len(b) < 1 {
		return nil, fmt.Errorf("PPP header: %w", ErrTruncated)
	}
	// Protocol-field compression (RFC 1661 §6.5) allows a one-byte protocol.
	var proto uint16
	if b[0]&1 == 1 {
		proto, b = uint16(b[0]), b[1:]
	} else {
		if len(b) < 2 {
			return nil, fmt.Errorf("PPP protocol: %w", ErrTruncated)
		}
		proto, b = binary.BigEndian.Uint16(b[0:2]), b[2:]
	}
	if proto != pppProtoIPv6 {
		return nil, ErrNotIPv6
	}
	return b, nil
}

func null(b []byte) ([]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("loopback header: %w", ErrTruncated)
	}
	// The family is in the capturing host's byte order; IPv6 is 10, 24, 28 or 30.
	fam := binary.LittleEndian.Uint32(b[0:4])
	if fam > 0xffff {
		fam = binary.BigEndian.Uint32(b[0:4])
	}
	switch fam {
	case 10, 24, 28, 30:
		return b[4:], nil
	}
	return nil, ErrNotIPv6
}

func (p *Packet) sll(b []byte) ([]byte, error) {
	if len(b) < sllHeaderLen {
		return nil, fmt.Errorf("linux cooked header: %w", ErrTruncated)
	}
	p.Outgoing = binary.BigEndian.Uint16(b[0:2]) == sllPacketOutgo
	if n := int(binary.BigEndian.Uint16(b[4:6])); n == 6 {
		p.SourceMAC = net.HardwareAddr(b[6:12])
	}
	return sllPayload(binary.BigEndian.Uint16(b[14:16]), b[sllHeaderLen:], p)
}

func (p *Packet) sll2(b []byte) ([]byte, error) {
	if len(b) < sll2HeaderLen {
		return nil, fmt.Errorf("linux cooked v2 header: %w", ErrTruncated)
	}
	p.Outgoing = b[10] == sllPacketOutgo
	if b[11] == 6 {
		p.SourceMAC = net.HardwareAddr(b[12:18])
	}
	return sllPayload(binary.BigEndian.Uint16(b[0:2]), b[sll2HeaderLen:], p)
}

// sllPayload reads what follows a Linux cooked header: IPv6, possibly
// behind VLAN tags the kernel left in the payload (a QinQ frame's inner
// tags; FuzzDecodeOracle found two such tags read as "not IPv6").
func sllPayload(proto uint16, b []byte, p *Packet) ([]byte, error) {
	proto, b, err := p.vlanTags(proto, b)
	if err != nil {
		return nil, err
	}
	if proto != etherTypeIPv6 {
		return nil, ErrNotIPv6
	}
	return b, nil
}

// vlanTags reads the 802.1Q/802.1ad tags that start b when etherType
// announces one, and returns the type and the bytes that follow them.
func (p *Packet) vlanTags(etherType uint16, b []byte) (uint16, []byte, error) {
	for etherType == etherTypeVLAN || etherType == etherTypeQinQ || etherType == etherTypeQinQ2 {
		if len(p.VLANs) == maxVLANTags {
			return 0, nil, fmt.Errorf("more than %d VLAN tags: %w", maxVLANTags, ErrNotIPv6)
		}
		if len(b) < 4 {
			return 0, nil, fmt.Errorf("VLAN tag: %w", ErrTruncated)
		}
		tci := binary.BigEndian.Uint16(b[0:2])
		p.VLANs = append(p.VLANs, VLAN{TPID: etherType, ID: tci & 0x0fff, Priority: uint8(tci >> 13)})
		etherType = binary.BigEndian.Uint16(b[2:4])
		b = b[4:]
	}
	return etherType, b, nil
}

// ipv6 decodes the fixed header and crosses extension headers.
func (p *Packet) ipv6(b []byte) error {
	if len(b) < 1 || b[0]>>4 != 6 {
		return ErrNotIPv6
	}
	if len(b) < ipv6HeaderLen {
		return fmt.Errorf("IPv6 header: %w", ErrTruncated)
	}
	payloadLen := int(binary.BigEndian.Uint16(b[4:6]))
	next := b[6]
	p.HopLimit = b[7]
	p.Source = netip.AddrFrom16([16]byte(b[8:24]))
	p.Destination = netip.AddrFrom16([16]byte(b[24:40]))
	b = b[ipv6HeaderLen:]
	switch {
	case payloadLen > len(b):
		p.Truncated = true
	case payloadLen == 0:
		// Jumbograms (RFC 2675) carry length 0; treat the rest as payload.
	default:
		b = b[:payloadLen]
	}
	for {
		switch next {
		case 0, 43, 60: // Hop-by-Hop, Routing, Destination Options
			if p.ExtensionHeaders == maxExtHeaders {
				return fmt.Errorf("more than %d IPv6 extension headers: %w", maxExtHeaders, ErrExtensionChain)
			}
			if len(b) < 8 {
				return fmt.Errorf("IPv6 extension header %d: %w", next, ErrTruncated)
			}
			n := (int(b[1]) + 1) * 8
			if n > len(b) {
				return fmt.Errorf("IPv6 extension header %d of %d bytes: %w", next, n, ErrTruncated)
			}
			next, b = b[0], b[n:]
			p.ExtensionHeaders++
		case 44: // Fragment
			if p.ExtensionHeaders == maxExtHeaders {
				return fmt.Errorf("more than %d IPv6 extension headers: %w", maxExtHeaders, ErrExtensionChain)
			}
			if len(b) < 8 {
				return fmt.Errorf("IPv6 fragment header: %w", ErrTruncated)
			}
			p.Fragmented = true
			p.ExtensionHeaders++
			offset := binary.BigEndian.Uint16(b[2:4]) >> 3
			next, b = b[0], b[8:]
			if offset != 0 {
				// A later fragment has no upper-layer header to read.
				p.Transport = Transport(next)
				return nil
			}
		case uint8(TransportICMPv6):
			p.Transport = TransportICMPv6
			if len(b) < 4 {
				return fmt.Errorf("ICMPv6 header: %w", ErrTruncated)
			}
			p.ICMPv6 = b
			return nil
		case uint8(TransportUDP):
			p.Transport = TransportUDP
			if len(b) < udpHeaderLen {
				return fmt.Errorf("UDP header: %w", ErrTruncated)
			}
			p.SourcePort = binary.BigEndian.Uint16(b[0:2])
			p.DestinationPort = binary.BigEndian.Uint16(b[2:4])
			udpLen := int(binary.BigEndian.Uint16(b[4:6]))
			payload := b[udpHeaderLen:]
			if udpLen >= udpHeaderLen && udpLen-udpHeaderLen <= len(payload) {
				payload = payload[:udpLen-udpHeaderLen]
			} else if udpLen-udpHeaderLen > len(payload) {
				p.Truncated = true
			}
			p.UDPPayload = payload
			p.udp = b[:udpHeaderLen+len(payload)]
			return nil
		default:
			p.Transport = Transport(next)
			return nil
		}
	}
}
