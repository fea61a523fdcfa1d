package capture

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
)

// IPv6Packet builds an IPv6 packet with no extension headers around an
// ICMPv6 or UDP payload, filling in the upper-layer length and checksum
// (RFC 8200 §8.1). For UDP, payload is the UDP payload and the ports are
// used; for ICMPv6 it is the whole message with a zero checksum field.
type IPv6Packet struct {
	Source, Destination         netip.Addr
	HopLimit                    uint8
	Transport                   Transport
	SourcePort, DestinationPort uint16
	Payload                     []byte
}

// Marshal returns the packet's bytes.
func (p IPv6Packet) Marshal() ([]byte, error) {
	if !p.Source.Is6() || !p.Destination.Is6() || p.Source.Is4In6() || p.Destination.Is4In6() {
		return nil, fmt.Errorf("capture: build IPv6 packet: addresses %s → %s are not IPv6", p.Source, p.Destination)
	}
	var upper []byte
	switch p.Transport {
	case TransportUDP:
		n := udpHeaderLen + len(p.Payload)
		if n > 0xffff {
			return nil, fmt.Errorf("capture: build UDP datagram of %d bytes: too long", n)
		}
		upper = make([]byte, n)
		binary.BigEndian.PutUint16(upper[0:2], p.SourcePort)
		binary.BigEndian.PutUint16(upper[2:4], p.DestinationPort)
		binary.BigEndian.PutUint16(upper[4:6], uint16(n))
		copy(upper[udpHeaderLen:], p.Payload)
	case TransportICMPv6:
		if len(p.Payload) < 4 || len(p.Payload) > 0xffff {
			return nil, fmt.Errorf("capture: build ICMPv6 message of %d bytes: bad length", len(p.Payload))
		}
		upper = make([]byte, len(p.Payload))
		copy(upper, p.Payload)
		upper[2], upper[3] = 0, 0
	default:
		return nil, fmt.Errorf("capture: build IPv6 packet: transport %d not supported", p.Transport)
	}
	b := make([]byte, ipv6HeaderLen+len(upper))
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:6], uint16(len(upper)))
	b[6] = uint8(p.Transport)
	b[7] = p.HopLimit
	src, dst := p.Source.As16(), p.Destination.As16()
	copy(b[8:24], src[:])
	copy(b[24:40], dst[:])
	sum := checksum(src, dst, p.Transport, upper)
	switch p.Transport {
	case TransportUDP:
		if sum == 0 {
			sum = 0xffff // RFC 8200 §8.1: a zero UDP checksum is sent as all ones.
		}
		binary.BigEndian.PutUint16(upper[6:8], sum)
	case TransportICMPv6:
		binary.BigEndian.PutUint16(upper[2:4], sum)
	}
	copy(b[ipv6HeaderLen:], upper)
	return b, nil
}

// checksum computes the Internet checksum over the IPv6 pseudo-header and
// the upper-layer packet.
func checksum(src, dst [16]byte, proto Transport, upper []byte) uint16 {
	var s uint64
	for i := 0; i < 16; i += 2 {
		s += uint64(binary.BigEndian.Uint16(src[i:])) + uint64(binary.BigEndian.Uint16(dst[i:]))
	}
	s += uint64(len(upper)) + uint64(proto)
	for i := 0; i+1 < len(upper); i += 2 {
		s += uint64(binary.BigEndian.Uint16(upper[i:]))
	}
	if len(upper)%2 == 1 {
		s += uint64(upper[len(upper)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// UpperLayerChecksumOK reports whether a received packet's ICMPv6 or UDP
// checksum is right (RFC 8200 §8.1; a zero UDP checksum is invalid over
// IPv6). It is false for truncated packets and for fragments, whose
// checksum covers bytes not in this frame.
func (p Packet) UpperLayerChecksumOK() bool {
	if p.Truncated || p.Fragmented {
		return false
	}
	var upper []byte
	switch p.Transport {
	case TransportICMPv6:
		upper = p.ICMPv6
	case TransportUDP:
		upper = p.udp
		if len(upper) < udpHeaderLen || binary.BigEndian.Uint16(upper[6:8]) == 0 {
			return false
		}
	default:
		return false
	}
	return checksum(p.Source.As16(), p.Destination.As16(), p.Transport, upper) == 0
}

// MulticastMAC maps an IPv6 multicast address to its Ethernet group address
// (RFC 2464 §7).
func MulticastMAC(group netip.Addr) net.HardwareAddr {
	a := group.As16()
	return net.HardwareAddr{0x33, 0x33, a[12], a[13], a[14], a[15]}
}
