package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/v6diag/v6diag/internal/testtools/testcaptures"
)

// The tests in this file decode every frame twice, with Decode and with
// github.com/google/gopacket/layers, an independent decoder the binary does
// not link (docs/CONTRACT.md), and compare what matters to v6diag: whether
// the frame carries an IPv6 packet, its addresses and hop limit, the link
// fields the report shows (MACs, VLAN tags, PPPoE session), and for RS, RA
// and DHCPv6 the upper-layer bytes the analysis reads. A shared misreading
// of a header would pass Decode's own tests; it fails here, unless the
// frame shows one of the deliberate differences below.

// decoderDifference is a rule Decode applies differently from gopacket on
// purpose. applies says, from the frame itself, whether the rule is in play;
// a disagreement on a frame where none applies fails the test.
type decoderDifference struct {
	id      string
	rfc     string
	why     string
	applies func(frameFacts) bool
}

var decoderDifferences = []decoderDifference{
	{"extension-chain-longer-than-8", "RFC 7112 §5",
		"Decode reports a chain of more than 8 extension headers as an evasion; gopacket follows it",
		func(f frameFacts) bool { return errors.Is(f.oursErr, ErrExtensionChain) }},
	{"vlan-tpid-9100", "IEEE 802.1ad (0x88a8); 0x9100 is the pre-standard QinQ TPID",
		"Decode reads tags with TPID 0x9100, which some access switches still send; gopacket does not know it",
		func(f frameFacts) bool { return f.tpid9100 }},
	{"vlan-more-than-4", "RFC 7112 §5 (long header chains as evasion)",
		"Decode stops after 4 VLAN tags (not IPv6); gopacket reads any number",
		func(f frameFacts) bool { return f.tags > maxVLANTags }},
	{"ipv6-version-not-6", "RFC 8200 §3",
		"a packet the link layer calls IPv6 whose version field is not 6 is not IPv6 to Decode; gopacket decodes it as IPv6",
		func(f frameFacts) bool { return len(f.ip) > 0 && f.ip[0]>>4 != 6 }},
	{"payload-length-zero", "RFC 2675 §3",
		"payload length 0: Decode reads what the frame holds (a jumbogram, or a capture of an offloaded packet); gopacket accepts it only with a Jumbo Payload option",
		func(f frameFacts) bool { return len(f.ip) >= ipv6HeaderLen && binary.BigEndian.Uint16(f.ip[4:6]) == 0 }},
	{"hop-by-hop", "RFC 8200 §3, §4.3",
		"Decode steps over a Hop-by-Hop header by its length; gopacket parses its options (failing on malformed ones) and applies the payload length after the header, so trailing padding leaks into its payload",
		func(f frameFacts) bool { return slices.Contains(f.extensions, 0) }},
	{"routing-or-destination-options", "RFC 8200 §4.4, §4.6",
		"Decode steps over Routing and Destination Options headers by their length; gopacket parses them and fails on routing types it does not know, which a host with Segments Left 0 must ignore",
		func(f frameFacts) bool { return slices.Contains(f.extensions, 43) || slices.Contains(f.extensions, 60) }},
	{"fragment", "RFC 6980 §5",
		"Decode reads the upper-layer header of a first fragment, so that a fragmented RS, RA or DHCPv6 message is seen and flagged; gopacket does not decode past a Fragment header",
		func(f frameFacts) bool { return slices.Contains(f.extensions, 44) }},
	{"udp-length-below-8", "RFC 768",
		"a UDP length field of 1 to 7: Decode hands on what follows the header (the DHCPv6 parser then reports it); gopacket fails",
		func(f frameFacts) bool { return f.udpLength > 0 && f.udpLength < udpHeaderLen }},
	{"pppoe-length", "RFC 2516 §4",
		"Decode takes the IPv6 packet's own length, not the PPPoE LENGTH field; gopacket cuts the payload at LENGTH and fails when it points past the frame",
		func(f frameFacts) bool { return f.pppoeLengthOff }},
	{"pppoe-discovery", "RFC 2516 §4",
		"Decode reads PPP only in session frames (ETHER_TYPE 0x8864); gopacket decodes a discovery frame (0x8863) with CODE 0x00 as one",
		func(f frameFacts) bool { return f.pppoeDiscovery }},
	{"pppoe-code-not-session", "RFC 2516 §5",
		"Decode reads a session frame whatever its CODE; gopacket decodes PPP only for CODE 0x00",
		func(f frameFacts) bool { return f.pppoeCode != 0 }},
	{"sll-address-length", "LINKTYPE_LINUX_SLL (8-octet address field)",
		"an address length over 8: Decode takes no MAC from the header; gopacket reads past the address field",
		func(f frameFacts) bool { return f.sllAddrLen > 8 }},
}

// etherTypePPPoED is the PPPoE discovery stage (RFC 2516 §4), which never
// carries IPv6.
const etherTypePPPoED = 0x8863

// frameFacts is what the difference rules look at: the frame as Decode
// reads it and a plain walk of its headers, independent of gopacket.
type frameFacts struct {
	ours    Packet
	oursErr error
	// ip is the IPv6 packet as the link layer hands it on (nil when the
	// link layer does not carry IPv6).
	ip []byte
	// extensions are the extension header types the packet crosses.
	extensions []byte
	udpLength  int
	tags       int
	tpid9100   bool
	// pppoeLengthOff: a PPPoE LENGTH field that does not match the bytes
	// after the header.
	pppoeLengthOff bool
	pppoeCode      byte
	pppoeDiscovery bool
	sllAddrLen     int
}

func factsOf(f Frame) frameFacts {
	ff := frameFacts{}
	ff.ours, ff.oursErr = Decode(f)
	var scratch Packet
	if b, err := scratch.link(f); err == nil {
		ff.ip = b
	}
	b := f.Data
	switch f.LinkType {
	case LinkTypeEthernet:
		if len(b) >= 14 {
			et := binary.BigEndian.Uint16(b[12:14])
			off := 14
			for (et == etherTypeVLAN || et == etherTypeQinQ || et == etherTypeQinQ2) && len(b) >= off+4 {
				ff.tags++
				ff.tpid9100 = ff.tpid9100 || et == etherTypeQinQ2
				et = binary.BigEndian.Uint16(b[off+2 : off+4])
				off += 4
			}
			switch et {
			case etherTypePPPoES:
				ff.pppoeFacts(b[off:])
			case etherTypePPPoED:
				ff.pppoeDiscovery = true
			}
		}
	case LinkTypePPPoE:
		ff.pppoeFacts(b)
	case LinkTypeLinuxSLL:
		if len(b) >= 6 {
			ff.sllAddrLen = int(binary.BigEndian.Uint16(b[4:6]))
		}
	case LinkTypeRaw, linkTypeRawDLT12, linkTypeRawDLT14, LinkTypeIPv6:
		// link refuses a raw packet whose version is not 6; the rules
		// look at it all the same.
		ff.ip = b
	}
	// Walk the IPv6 header chain as RFC 8200 §4 lays it out.
	if len(ff.ip) >= ipv6HeaderLen {
		next, rest := ff.ip[6], ff.ip[ipv6HeaderLen:]
		for len(ff.extensions) <= maxExtHeaders {
			switch next {
			case 0, 43, 44, 60:
				ff.extensions = append(ff.extensions, next)
				n := 8
				if next != 44 && len(rest) >= 2 {
					n = (int(rest[1]) + 1) * 8
				}
				if len(rest) < n {
					return ff
				}
				next, rest = rest[0], rest[n:]
				continue
			case uint8(TransportUDP):
				if len(rest) >= 6 {
					ff.udpLength = int(binary.BigEndian.Uint16(rest[4:6]))
				}
			}
			break
		}
	}
	return ff
}

func (ff *frameFacts) pppoeFacts(b []byte) {
	if len(b) < 6 {
		return
	}
	ff.pppoeCode = b[1]
	ff.pppoeLengthOff = int(binary.BigEndian.Uint16(b[4:6])) != len(b)-6
}

// oracleView is what gopacket makes of a frame, in Decode's terms.
type oracleView struct {
	ipv6                      bool
	source, destination       netip.Addr
	hopLimit                  uint8
	sourceMAC, destinationMAC net.HardwareAddr
	vlans                     []VLAN
	pppoe                     bool
	pppoeSession              uint16
	// transport is the upper layer right after the IPv6 header chain, 0
	// when gopacket did not decode one.
	transport    Transport
	icmpv6       []byte
	sport, dport uint16
	udpPayload   []byte
}

// gopacketDecode decodes f with gopacket/layers, from the link type's own
// decoder. gopacket has no Linux cooked v2 decoder: Decode's reading of
// that 20-octet header is checked by the SLL2 tests, and gopacket decodes
// what follows it by its protocol field.
func gopacketDecode(f Frame) oracleView {
	data := f.Data
	var first gopacket.Decoder
	switch f.LinkType {
	case LinkTypeEthernet:
		first = layers.LayerTypeEthernet
	case LinkTypeLinuxSLL:
		first = layers.LayerTypeLinuxSLL
	case LinkTypeLinuxSLL2:
		if len(data) < sll2HeaderLen {
			return oracleView{}
		}
		first = layers.EthernetType(binary.BigEndian.Uint16(data[0:2]))
		data = data[sll2HeaderLen:]
	case LinkTypeRaw, linkTypeRawDLT12, linkTypeRawDLT14:
		first = layers.LinkTypeRaw
	case LinkTypeIPv6:
		first = layers.LayerTypeIPv6
	case LinkTypePPP, LinkTypePPPHDLC:
		first = layers.LayerTypePPP
	case LinkTypePPPoE:
		first = layers.LayerTypePPPoE
	case LinkTypeNull:
		first = layers.LayerTypeLoopback
	default:
		return oracleView{}
	}
	// Clipped: gopacket's PPPoE decoder slices data[:6] without a length
	// check, which past len but within cap reads whatever the buffer held
	// before (the fuzzer's previous input) instead of failing.
	pkt := gopacket.NewPacket(slices.Clip(data), first, gopacket.DecodeOptions{NoCopy: true})
	var v oracleView
	ls := pkt.Layers()
	tpid := uint16(0)
	for i, l := range ls {
		switch l := l.(type) {
		case *layers.Ethernet:
			v.sourceMAC, v.destinationMAC = l.SrcMAC, l.DstMAC
			tpid = uint16(l.EthernetType)
		case *layers.LinuxSLL:
			if l.AddrLen == 6 {
				v.sourceMAC = l.Addr
			}
			tpid = uint16(l.EthernetType)
		case *layers.Dot1Q:
			v.vlans = append(v.vlans, VLAN{TPID: tpid, ID: l.VLANIdentifier, Priority: l.Priority})
			tpid = uint16(l.Type)
		case *layers.PPPoE:
			v.pppoe, v.pppoeSession = true, l.SessionId
		case *layers.IPv4:
			return v // the first network layer is IPv4: not IPv6 to v6diag, whatever is inside
		case *layers.IPv6:
			// gopacket adds the layer even when its header did not
			// decode; Contents is set only when it did.
			if l.Contents == nil {
				return v
			}
			v.ipv6 = true
			v.source, _ = netip.AddrFromSlice(l.SrcIP)
			v.destination, _ = netip.AddrFromSlice(l.DstIP)
			v.hopLimit = l.HopLimit
			v.transportAfter(ls[i+1:])
			return v
		}
	}
	return v
}

// transportAfter finds the upper layer that follows the IPv6 header's
// extension headers.
func (v *oracleView) transportAfter(rest []gopacket.Layer) {
	for _, l := range rest {
		switch l := l.(type) {
		case *layers.IPv6HopByHop, *layers.IPv6Routing, *layers.IPv6Destination, *layers.IPv6Fragment:
			continue
		// As with IPv6, gopacket adds a layer it failed to decode; only
		// a decoded one has Contents.
		case *layers.ICMPv6:
			if l.Contents == nil {
				return
			}
			v.transport = TransportICMPv6
			v.icmpv6 = append(slices.Clip(l.Contents), l.Payload...)
		case *layers.UDP:
			if l.Contents == nil {
				return
			}
			v.transport = TransportUDP
			v.sport, v.dport = uint16(l.SrcPort), uint16(l.DstPort)
			v.udpPayload = l.Payload
		}
		return
	}
}

// isControl reports whether Decode found an RS, an RA or a DHCPv6 message:
// what the analysis reads.
func isControl(p Packet) bool {
	switch p.Transport {
	case TransportICMPv6:
		return len(p.ICMPv6) > 0 && (p.ICMPv6[0] == 133 || p.ICMPv6[0] == 134)
	case TransportUDP:
		return p.SourcePort == 546 || p.SourcePort == 547 || p.DestinationPort == 546 || p.DestinationPort == 547
	}
	return false
}

// disagreement compares Decode's reading with gopacket's and says how they
// differ, "" when they agree.
func disagreement(f Frame, p Packet, err error, v oracleView) string {
	switch {
	case errors.Is(err, ErrNotIPv6) || errors.Is(err, ErrUnsupportedLinkType):
		if v.ipv6 {
			return "Decode finds no IPv6 packet, gopacket decodes one"
		}
		return ""
	case err != nil:
		if v.ipv6 && v.transport != 0 {
			return fmt.Sprintf("Decode fails (%v), gopacket decodes the packet and its upper layer", err)
		}
		return ""
	case !v.ipv6:
		return "Decode reads an IPv6 packet, gopacket finds none"
	}
	diffs := testcaptures.NewDiffs("Decode", "gopacket")
	check := diffs.Check
	check("source", p.Source == v.source, p.Source, v.source)
	check("destination", p.Destination == v.destination, p.Destination, v.destination)
	check("hop limit", p.HopLimit == v.hopLimit, p.HopLimit, v.hopLimit)
	// gopacket does not read the SLL2 header (gopacketDecode), and SLL
	// headers name only the source.
	if f.LinkType != LinkTypeLinuxSLL2 {
		check("source MAC", bytes.Equal(p.SourceMAC, v.sourceMAC), p.SourceMAC, v.sourceMAC)
	}
	if f.LinkType != LinkTypeLinuxSLL && f.LinkType != LinkTypeLinuxSLL2 {
		check("destination MAC", bytes.Equal(p.DestinationMAC, v.destinationMAC), p.DestinationMAC, v.destinationMAC)
	}
	check("VLAN tags", slices.Equal(p.VLANs, v.vlans), p.VLANs, v.vlans)
	check("PPPoE", p.PPPoE == v.pppoe && p.PPPoESession == v.pppoeSession, p.PPPoESession, v.pppoeSession)
	if isControl(p) || isControlView(v) {
		check("upper layer", p.Transport == v.transport, p.Transport, v.transport)
		switch p.Transport {
		case TransportICMPv6:
			check("ICMPv6 message", bytes.Equal(p.ICMPv6, v.icmpv6), fmt.Sprintf("%x", p.ICMPv6), fmt.Sprintf("%x", v.icmpv6))
		case TransportUDP:
			check("UDP ports", p.SourcePort == v.sport && p.DestinationPort == v.dport,
				[2]uint16{p.SourcePort, p.DestinationPort}, [2]uint16{v.sport, v.dport})
			check("UDP payload", bytes.Equal(p.UDPPayload, v.udpPayload), fmt.Sprintf("%x", p.UDPPayload), fmt.Sprintf("%x", v.udpPayload))
		}
	}
	return diffs.String()
}

func isControlView(v oracleView) bool {
	switch v.transport {
	case TransportICMPv6:
		return len(v.icmpv6) > 0 && (v.icmpv6[0] == 133 || v.icmpv6[0] == 134)
	case TransportUDP:
		return v.sport == 546 || v.sport == 547 || v.dport == 546 || v.dport == 547
	}
	return false
}

// crossCheck decodes f with both decoders. It returns "" when they agree,
// the id of the deliberate difference that explains a disagreement, or an
// error naming the disagreement no listed difference explains.
func crossCheck(f Frame) (string, error) {
	facts := factsOf(f)
	d := disagreement(f, facts.ours, facts.oursErr, gopacketDecode(f))
	if d == "" {
		return "", nil
	}
	for _, rule := range decoderDifferences {
		if rule.applies(facts) {
			return rule.id, nil
		}
	}
	return "", fmt.Errorf("frame %d (%s, % x): %s", f.Number, f.LinkType, f.Data, d)
}

// TestDecodeAgainstGopacket: every frame of every capture the tests hold
// decodes as gopacket decodes it, or shows a listed difference.
func TestDecodeAgainstGopacket(t *testing.T) {
	frames, controls, explained := 0, 0, map[string]int{}
	for _, path := range testcaptures.Files(t) {
		name := testcaptures.Name(path)
		fs, err := readFileFrames(path)
		if err != nil && len(fs) == 0 {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, f := range fs {
			frames++
			if p, err := Decode(f); err == nil && isControl(p) {
				controls++
			}
			id, err := crossCheck(f)
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if id != "" {
				explained[id]++
			}
		}
	}
	t.Logf("%d frames, %d control messages; explained by a listed difference: %v", frames, controls, explained)
	if controls == 0 {
		t.Fatal("no control message among the captures: the cross-check checked nothing that matters")
	}
}

// readFileFrames reads every frame of a capture file (copies), and the
// error that ended it early, if any.
func readFileFrames(path string) ([]Frame, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return readAll(b)
}

// FuzzDecodeOracle is the differential fuzz target: for any frame of any
// link type, Decode and gopacket agree, or a listed difference explains
// why not. A frame one accepts and the other rejects, or that they read
// differently, fails.
func FuzzDecodeOracle(f *testing.F) {
	addDecodeSeeds(f)
	f.Fuzz(func(t *testing.T, lt uint16, b []byte) {
		if _, err := crossCheck(Frame{Number: 1, LinkType: LinkType(lt), Data: b}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDecoderDifferencesAreReal: for every listed difference, a frame on
// which the two decoders do disagree and the rule explains it, so the list
// names no difference that is not there (and each rule stays narrow enough
// to be shown by a frame of its own).
func TestDecoderDifferencesAreReal(t *testing.T) {
	ra, rs, solicit := routerAdvertisement(t), routerSolicitation(t), dhcpv6Solicit(t)
	set := func(b []byte, at int, v ...byte) []byte {
		b = bytes.Clone(b)
		copy(b[at:], v)
		return b
	}
	routing := func(typ byte) []byte { // a Routing header of a type gopacket does not know, Segments Left 0
		out := bytes.Clone(ra[:ipv6HeaderLen])
		out[6] = 43
		out = append(out, 58, 0, typ, 0, 0, 0, 0, 0)
		out = append(out, ra[ipv6HeaderLen:]...)
		binary.BigEndian.PutUint16(out[4:6], uint16(len(out)-ipv6HeaderLen))
		return out
	}
	pppoeLen := func(b []byte, n uint16) []byte { b = bytes.Clone(b); binary.BigEndian.PutUint16(b[4:6], n); return b }
	sllWide := sllHeader(4, etherTypeIPv6)
	binary.BigEndian.PutUint16(sllWide[4:6], 400)
	tests := []struct {
		id    string
		frame Frame
	}{
		{"vlan-tpid-9100", Frame{LinkType: LinkTypeEthernet, Data: ether(etherTypeIPv6, ra, etherTypeQinQ2, 100)}},
		{"vlan-more-than-4", Frame{LinkType: LinkTypeEthernet, Data: ether(etherTypeIPv6, ra,
			etherTypeVLAN, 1, etherTypeVLAN, 2, etherTypeVLAN, 3, etherTypeVLAN, 4, etherTypeVLAN, 5)}},
		{"ipv6-version-not-6", Frame{LinkType: LinkTypeEthernet, Data: ether(etherTypeIPv6, set(ra, 0, 0x50))}},
		{"payload-length-zero", Frame{LinkType: LinkTypeRaw, Data: set(ra, 4, 0, 0)}},
		{"hop-by-hop", Frame{LinkType: LinkTypeEthernet, Data: append(ether(etherTypeIPv6, withHopByHop(rs)), make([]byte, 8)...)}},
		{"routing-or-destination-options", Frame{LinkType: LinkTypeIPv6, Data: routing(3)}},
		{"extension-chain-longer-than-8", Frame{LinkType: LinkTypeIPv6, Data: extChain(ra, maxExtHeaders+1, 60)}},
		{"fragment", Frame{LinkType: LinkTypeEthernet, Data: ether(etherTypeIPv6, withFragment(ra, 0))}},
		{"udp-length-below-8", Frame{LinkType: LinkTypeIPv6, Data: set(solicit, ipv6HeaderLen+4, 0, 5)}},
		{"pppoe-length", Frame{LinkType: LinkTypePPPoE, Data: pppoeLen(pppoeSession(1, pppProtoIPv6, solicit), 10)}},
		{"pppoe-discovery", Frame{LinkType: LinkTypeEthernet, Data: ether(etherTypePPPoED, pppoeSession(1, pppProtoIPv6, ra))}},
		{"pppoe-code-not-session", Frame{LinkType: LinkTypePPPoE, Data: set(pppoeSession(1, pppProtoIPv6, ra), 1, 0x09)}},
		{"sll-address-length", Frame{LinkType: LinkTypeLinuxSLL, Data: append(sllWide, rs...)}},
	}
	shown := map[string]bool{}
	for _, tc := range tests {
		facts := factsOf(tc.frame)
		d := disagreement(tc.frame, facts.ours, facts.oursErr, gopacketDecode(tc.frame))
		if d == "" {
			t.Errorf("%s: the decoders agree on % x; the difference is not there", tc.id, tc.frame.Data)
			continue
		}
		id, err := crossCheck(tc.frame)
		if err != nil || id != tc.id {
			t.Errorf("%s: explained by %q (%v), want %q; the disagreement: %s", tc.id, id, err, tc.id, d)
		}
		shown[tc.id] = true
	}
	for _, rule := range decoderDifferences {
		if !shown[rule.id] {
			t.Errorf("listed difference %s has no frame showing it", rule.id)
		}
	}
}
