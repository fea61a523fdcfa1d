package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var packetCmp = cmp.Options{
	cmpopts.IgnoreUnexported(Packet{}),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmpopts.EquateEmpty(),
}

func TestDecode(t *testing.T) {
	ra := routerAdvertisement(t)
	rs := routerSolicitation(t)
	solicit := dhcpv6Solicit(t)
	raICMP := ra[ipv6HeaderLen:]
	rsICMP := rs[ipv6HeaderLen:]
	solicitPayload := []byte{1, 0x12, 0x34, 0x56}

	// The Packets Decode should return for the three payloads, before the
	// link layer adds its part.
	raPacket := Packet{Source: llRouter, Destination: allNodes, HopLimit: 255, Transport: TransportICMPv6, ICMPv6: raICMP}
	rsPacket := Packet{Source: llHost, Destination: allRtrs, HopLimit: 255, Transport: TransportICMPv6, ICMPv6: rsICMP}
	solicitPacket := Packet{Source: llHost, Destination: dhcpAgent, HopLimit: 1, Transport: TransportUDP,
		SourcePort: 546, DestinationPort: 547, UDPPayload: solicitPayload}
	withLink := func(p Packet, edit func(*Packet)) Packet { edit(&p); return p }
	ethernetMACs := func(p *Packet) { p.DestinationMAC, p.SourceMAC = macHost, macRouter }

	tests := []struct {
		name string
		lt   LinkType
		data []byte
		want Packet
		// checksumOK is what UpperLayerChecksumOK must say.
		checksumOK bool
	}{
		{
			name: "ethernet untagged RA",
			lt:   LinkTypeEthernet, data: ether(etherTypeIPv6, ra),
			want: withLink(raPacket, ethernetMACs), checksumOK: true,
		},
		{
			name: "ethernet RA with trailer padding and FCS",
			lt:   LinkTypeEthernet, data: ether(etherTypeIPv6, append(bytes.Clone(ra), 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef)),
			want: withLink(raPacket, ethernetMACs), checksumOK: true,
		},
		{
			name: "802.1Q VID 7 priority 1 DHCPv6 Solicit",
			lt:   LinkTypeEthernet,
			// TCI 0x2007: PCP 1, DEI 0, VID 7.
			data: ether(etherTypeIPv6, solicit, etherTypeVLAN, 0x2007),
			want: withLink(solicitPacket, func(p *Packet) {
				ethernetMACs(p)
				p.VLANs = []VLAN{{TPID: etherTypeVLAN, ID: 7, Priority: 1}}
			}),
			checksumOK: true,
		},
		{
			name: "802.1ad QinQ S-VID 100 C-VID 7 RA",
			lt:   LinkTypeEthernet,
			data: ether(etherTypeIPv6, ra, etherTypeQinQ, 0x0064, etherTypeVLAN, 0xe007),
			want: withLink(raPacket, func(p *Packet) {
				ethernetMACs(p)
				p.VLANs = []VLAN{{TPID: etherTypeQinQ, ID: 100}, {TPID: etherTypeVLAN, ID: 7, Priority: 7}}
			}),
			checksumOK: true,
		},
		{
			name: "ethernet PPPoE session PPP IPv6 Solicit",
			lt:   LinkTypeEthernet,
			data: ether(etherTypePPPoES, pppoeSession(0x1234, pppProtoIPv6, solicit)),
			want: withLink(solicitPacket, func(p *Packet) {
				ethernetMACs(p)
				p.PPPoE, p.PPPoESession = true, 0x1234
			}),
			checksumOK: true,
		},
		{
			name: "VLAN then PPPoE session RS",
			lt:   LinkTypeEthernet,
			data: ether(etherTypePPPoES, pppoeSession(7, pppProtoIPv6, rs), etherTypeVLAN, 0x0007),
			want: withLink(rsPacket, func(p *Packet) {
				ethernetMACs(p)
				p.VLANs = []VLAN{{TPID: etherTypeVLAN, ID: 7}}
				p.PPPoE, p.PPPoESession = true, 7
			}),
			checksumOK: true,
		},
		{
			name: "PPPoE link type",
			lt:   LinkTypePPPoE, data: pppoeSession(1, pppProtoIPv6, ra),
			want: withLink(raPacket, func(p *Packet) { p.PPPoE, p.PPPoESession = true, 1 }), checksumOK: true,
		},
		{
			name: "linux SLL outgoing RS",
			lt:   LinkTypeLinuxSLL, data: append(sllHeader(4, etherTypeIPv6), rs...),
			want: withLink(rsPacket, func(p *Packet) { p.Outgoing, p.SourceMAC = true, macRouter }), checksumOK: true,
		},
		{
			name: "linux SLL incoming multicast RA",
			lt:   LinkTypeLinuxSLL, data: append(sllHeader(2, etherTypeIPv6), ra...),
			want: withLink(raPacket, func(p *Packet) { p.SourceMAC = macRouter }), checksumOK: true,
		},
		{
			name: "linux SLL VLAN-tagged",
			lt:   LinkTypeLinuxSLL, data: append(append(sllHeader(0, etherTypeVLAN), 0x20, 0x07, 0x86, 0xdd), ra...),
			want: withLink(raPacket, func(p *Packet) {
				p.SourceMAC = macRouter
				p.VLANs = []VLAN{{TPID: etherTypeVLAN, ID: 7, Priority: 1}}
			}),
			checksumOK: true,
		},
		{
			// Found by FuzzDecodeOracle: gopacket read it, Decode said
			// "not IPv6".
			name: "linux SLL with two VLAN tags",
			lt:   LinkTypeLinuxSLL, data: append(append(sllHeader(0, etherTypeQinQ), 0x00, 0x64, 0x81, 0x00, 0x20, 0x07, 0x86, 0xdd), ra...),
			want: withLink(raPacket, func(p *Packet) {
				p.SourceMAC = macRouter
				p.VLANs = []VLAN{{TPID: etherTypeQinQ, ID: 100}, {TPID: etherTypeVLAN, ID: 7, Priority: 1}}
			}),
			checksumOK: true,
		},
		{
			name: "linux SLL2 outgoing Solicit",
			lt:   LinkTypeLinuxSLL2, data: append(sll2Header(etherTypeIPv6, 4), solicit...),
			want: withLink(solicitPacket, func(p *Packet) { p.Outgoing, p.SourceMAC = true, macRouter }), checksumOK: true,
		},
		{
			name: "linux SLL2 incoming RA",
			lt:   LinkTypeLinuxSLL2, data: append(sll2Header(etherTypeIPv6, 0), ra...),
			want: withLink(raPacket, func(p *Packet) { p.SourceMAC = macRouter }), checksumOK: true,
		},
		{name: "raw (101)", lt: LinkTypeRaw, data: ra, want: raPacket, checksumOK: true},
		{name: "raw IPv6 (229)", lt: LinkTypeIPv6, data: rs, want: rsPacket, checksumOK: true},
		{name: "raw DLT 12", lt: linkTypeRawDLT12, data: ra, want: raPacket, checksumOK: true},
		{name: "raw DLT 14", lt: linkTypeRawDLT14, data: solicit, want: solicitPacket, checksumOK: true},
		{
			name: "PPP with address/control ff03",
			lt:   LinkTypePPP, data: append([]byte{0xff, 0x03, 0x00, 0x57}, ra...),
			want: raPacket, checksumOK: true,
		},
		{
			name: "PPP without address/control",
			lt:   LinkTypePPP, data: append([]byte{0x00, 0x57}, solicit...),
			want: solicitPacket, checksumOK: true,
		},
		{
			name: "PPP protocol field compressed",
			lt:   LinkTypePPP, data: append([]byte{0x57}, rs...),
			want: rsPacket, checksumOK: true,
		},
		{
			name: "PPP in HDLC framing",
			lt:   LinkTypePPPHDLC, data: append([]byte{0xff, 0x03, 0x00, 0x57}, ra...),
			want: raPacket, checksumOK: true,
		},
		{
			name: "null little-endian AF_INET6 24 (NetBSD/OpenBSD)",
			lt:   LinkTypeNull, data: append([]byte{24, 0, 0, 0}, ra...),
			want: raPacket, checksumOK: true,
		},
		{
			name: "null little-endian AF_INET6 30 (macOS)",
			lt:   LinkTypeNull, data: append([]byte{30, 0, 0, 0}, rs...),
			want: rsPacket, checksumOK: true,
		},
		{
			name: "null big-endian AF_INET6 28 (FreeBSD)",
			lt:   LinkTypeNull, data: append([]byte{0, 0, 0, 28}, solicit...),
			want: solicitPacket, checksumOK: true,
		},
		{
			name: "Hop-by-Hop before ICMPv6",
			lt:   LinkTypeEthernet, data: ether(etherTypeIPv6, withHopByHop(rs)),
			want: withLink(rsPacket, func(p *Packet) {
				ethernetMACs(p)
				p.ExtensionHeaders = 1
			}),
			checksumOK: true,
		},
		{
			name: "first fragment of an RA",
			lt:   LinkTypeRaw, data: withFragment(ra, 0),
			want: withLink(raPacket, func(p *Packet) {
				p.Fragmented, p.ExtensionHeaders = true, 1
			}),
			// The checksum covers the reassembled message, which no
			// single frame holds.
			checksumOK: false,
		},
		{
			name: "later fragment",
			lt:   LinkTypeRaw, data: withFragment(ra, 5),
			want: withLink(raPacket, func(p *Packet) {
				p.Fragmented, p.ExtensionHeaders = true, 1
				p.ICMPv6 = nil
			}),
		},
		{
			name: "IPv6 payload cut by the snapshot length",
			lt:   LinkTypeEthernet, data: ether(etherTypeIPv6, ra[:len(ra)-4]),
			want: withLink(raPacket, func(p *Packet) {
				ethernetMACs(p)
				p.Truncated = true
				p.ICMPv6 = raICMP[:len(raICMP)-4]
			}),
		},
		{
			name: "UDP length beyond the IPv6 payload",
			lt:   LinkTypeRaw,
			data: func() []byte {
				b := bytes.Clone(solicit)
				binary.BigEndian.PutUint16(b[ipv6HeaderLen+4:], 100)
				return b
			}(),
			want: withLink(solicitPacket, func(p *Packet) { p.Truncated = true }),
		},
		{
			name: "UDP datagram with a corrupted payload byte",
			lt:   LinkTypeRaw,
			data: func() []byte {
				b := bytes.Clone(solicit)
				b[len(b)-1] ^= 0xff
				return b
			}(),
			want: withLink(solicitPacket, func(p *Packet) { p.UDPPayload = []byte{1, 0x12, 0x34, 0x56 ^ 0xff} }),
		},
		{
			name: "UDP zero checksum, forbidden over IPv6",
			lt:   LinkTypeRaw,
			data: func() []byte {
				b := bytes.Clone(solicit)
				b[ipv6HeaderLen+6], b[ipv6HeaderLen+7] = 0, 0
				return b
			}(),
			want: solicitPacket,
		},
		{
			name: "other upper layer (TCP)",
			lt:   LinkTypeRaw,
			data: func() []byte {
				b := bytes.Clone(solicit)
				b[6] = 6
				return b
			}(),
			want: Packet{Source: llHost, Destination: dhcpAgent, HopLimit: 1, Transport: 6},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(Frame{Number: 1, LinkType: tc.lt, Data: tc.data})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tc.want, got, packetCmp); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
			if ok := got.UpperLayerChecksumOK(); ok != tc.checksumOK {
				t.Errorf("UpperLayerChecksumOK() = %v, want %v", ok, tc.checksumOK)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	ra := routerAdvertisement(t)
	solicit := dhcpv6Solicit(t)
	arp := ether(0x0806, []byte{0, 1, 8, 0, 6, 4, 0, 1})
	tests := []struct {
		name string
		lt   LinkType
		data []byte
		want error
	}{
		{"ethernet IPv4", LinkTypeEthernet, ether(etherTypeIPv4, ipv4UDP()), ErrNotIPv6},
		{"ethernet ARP", LinkTypeEthernet, arp, ErrNotIPv6},
		{"ethernet VLAN IPv4", LinkTypeEthernet, ether(etherTypeIPv4, ipv4UDP(), etherTypeVLAN, 7), ErrNotIPv6},
		{"ethernet five VLAN tags", LinkTypeEthernet,
			ether(etherTypeIPv6, ra, etherTypeVLAN, 1, etherTypeVLAN, 2, etherTypeVLAN, 3, etherTypeVLAN, 4, etherTypeVLAN, 5), ErrNotIPv6},
		{"ethernet type IPv6, IPv4 inside", LinkTypeEthernet, ether(etherTypeIPv6, ipv4UDP()), ErrNotIPv6},
		{"raw IPv4", LinkTypeRaw, ipv4UDP(), ErrNotIPv6},
		{"raw empty", LinkTypeRaw, nil, ErrNotIPv6},
		{"PPP IPv4", LinkTypePPP, append([]byte{0xff, 0x03, 0x00, 0x21}, ipv4UDP()...), ErrNotIPv6},
		{"PPPoE LCP", LinkTypeEthernet, ether(etherTypePPPoES, pppoeSession(1, 0xc021, []byte{1, 1, 0, 4})), ErrNotIPv6},
		{"SLL IPv4", LinkTypeLinuxSLL, append(sllHeader(0, etherTypeIPv4), ipv4UDP()...), ErrNotIPv6},
		{"SLL2 IPv4", LinkTypeLinuxSLL2, append(sll2Header(etherTypeIPv4, 0), ipv4UDP()...), ErrNotIPv6},
		{"null AF_INET", LinkTypeNull, append([]byte{2, 0, 0, 0}, ipv4UDP()...), ErrNotIPv6},
		{"unsupported link type", LinkType(127), ra, ErrUnsupportedLinkType},

		// Truncated at each layer.
		{"ethernet header", LinkTypeEthernet, ether(etherTypeIPv6, nil)[:13], ErrTruncated},
		{"VLAN tag", LinkTypeEthernet, ether(etherTypeVLAN, []byte{0x00, 0x07, 0x86}), ErrTruncated},
		{"PPPoE header", LinkTypeEthernet, ether(etherTypePPPoES, []byte{0x11, 0, 0, 1, 0}), ErrTruncated},
		{"PPP protocol", LinkTypeEthernet, ether(etherTypePPPoES, []byte{0x11, 0, 0, 1, 0, 2, 0x00}), ErrTruncated},
		{"PPP empty", LinkTypePPP, []byte{0xff, 0x03}, ErrTruncated},
		{"SLL header", LinkTypeLinuxSLL, sllHeader(0, etherTypeIPv6)[:15], ErrTruncated},
		{"SLL VLAN tag", LinkTypeLinuxSLL, append(sllHeader(0, etherTypeVLAN), 0, 7), ErrTruncated},
		{"SLL2 header", LinkTypeLinuxSLL2, sll2Header(etherTypeIPv6, 0)[:19], ErrTruncated},
		{"null header", LinkTypeNull, []byte{30, 0, 0}, ErrTruncated},
		{"IPv6 header", LinkTypeEthernet, ether(etherTypeIPv6, ra[:39]), ErrTruncated},
		{"Hop-by-Hop header", LinkTypeRaw, withHopByHop(ra)[:ipv6HeaderLen+6], ErrTruncated},
		{"Hop-by-Hop longer than packet", LinkTypeRaw, func() []byte {
			b := withHopByHop(ra)
			b[ipv6HeaderLen+1] = 200
			return b
		}(), ErrTruncated},
		{"fragment header", LinkTypeRaw, withFragment(ra, 0)[:ipv6HeaderLen+7], ErrTruncated},
		{"ICMPv6 header", LinkTypeRaw, ra[:ipv6HeaderLen+3], ErrTruncated},
		{"UDP header", LinkTypeRaw, solicit[:ipv6HeaderLen+7], ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(Frame{Number: 9, LinkType: tc.lt, Data: tc.data})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode error %v, want %v", err, tc.want)
			}
			if err != ErrNotIPv6 && !strings.HasPrefix(err.Error(), "capture: frame 9: ") {
				t.Errorf("error %q does not say the package and frame", err)
			}
		})
	}
}

// TestDecodeAliases checks that Decode copies nothing: the payload slices
// point into the frame.
func TestDecodeAliases(t *testing.T) {
	frame := ether(etherTypeIPv6, dhcpv6Solicit(t))
	p, err := Decode(Frame{LinkType: LinkTypeEthernet, Data: frame})
	if err != nil {
		t.Fatal(err)
	}
	frame[len(frame)-1] = 0x99
	if p.UDPPayload[len(p.UDPPayload)-1] != 0x99 {
		t.Error("UDPPayload is a copy, want a slice of Frame.Data")
	}
	if got := net.HardwareAddr(frame[6:12]); !bytes.Equal(p.SourceMAC, got) {
		t.Errorf("SourceMAC %s, want %s", p.SourceMAC, got)
	}
}

func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		p    IPv6Packet
		want []byte
	}{
		{
			// Checksum computed independently over the RFC 8200 §8.1
			// pseudo-header (src, dst, length 8, next header 58).
			name: "router solicitation",
			p: IPv6Packet{Source: netip.MustParseAddr("fe80::2"), Destination: netip.MustParseAddr("ff02::2"),
				HopLimit: 255, Transport: TransportICMPv6, Payload: []byte{133, 0, 0xaa, 0xbb, 0, 0, 0, 0}},
			want: []byte{
				0x60, 0, 0, 0, 0, 8, 58, 255, // version, length 8, ICMPv6, hop limit
				0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, // fe80::2
				0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, // ff02::2
				133, 0, 0x7d, 0x35, 0, 0, 0, 0, // RS, checksum (the caller's 0xaabb is replaced)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Marshal (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []IPv6Packet{
		{Source: netip.MustParseAddr("192.0.2.1"), Destination: allNodes, Transport: TransportICMPv6, Payload: make([]byte, 8)},
		{Source: netip.MustParseAddr("::ffff:192.0.2.1"), Destination: allNodes, Transport: TransportICMPv6, Payload: make([]byte, 8)},
		{Source: llHost, Destination: allNodes, Transport: TransportICMPv6, Payload: make([]byte, 3)},
		{Source: llHost, Destination: allNodes, Transport: TransportUDP, Payload: make([]byte, 0x10000)},
		{Source: llHost, Destination: allNodes, Transport: 6},
	} {
		if _, err := bad.Marshal(); err == nil {
			t.Errorf("Marshal(%v → %v, transport %d, %d bytes) succeeded", bad.Source, bad.Destination, bad.Transport, len(bad.Payload))
		}
	}
}

func TestMulticastMAC(t *testing.T) {
	got := MulticastMAC(netip.MustParseAddr("ff02::1:ff00:1"))
	want := net.HardwareAddr{0x33, 0x33, 0xff, 0x00, 0x00, 0x01}
	if !bytes.Equal(got, want) {
		t.Errorf("MulticastMAC = %s, want %s", got, want)
	}
}
