package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// capturesDir is the shared corpus of real captures, next to the repository
// (../../shared/captures from this package). Tests that need it skip when it
// is absent, e.g. in a bare checkout.
func capturesDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "captures")
	if _, err := os.Stat(filepath.Join(dir, "SOURCES.tsv")); err != nil {
		t.Skipf("real captures not available: %v", err)
	}
	return dir
}

// readAll returns copies of every frame in b and the error that ended the
// stream (nil for a clean io.EOF).
func readAll(b []byte) ([]Frame, error) {
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var frames []Frame
	for {
		f, err := r.Next()
		if err == io.EOF {
			return frames, nil
		}
		if err != nil {
			return frames, err
		}
		f.Data = bytes.Clone(f.Data)
		frames = append(frames, f)
	}
}

var (
	macRouter = []byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
	macHost   = []byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}
	llRouter  = netip.MustParseAddr("fe80::1")
	llHost    = netip.MustParseAddr("fe80::2")
	allNodes  = netip.MustParseAddr("ff02::1")
	allRtrs   = netip.MustParseAddr("ff02::2")
	dhcpAgent = netip.MustParseAddr("ff02::1:2")
)

// mustMarshal builds an IPv6 packet with IPv6Packet.Marshal.
func mustMarshal(t testing.TB, p IPv6Packet) []byte {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	return b
}

// routerAdvertisement is a minimal RA: type 134, code 0, checksum, hop limit
// 64, flags M|O, router lifetime 1800 s, reachable 0, retrans 0 (RFC 4861 §4.2).
func routerAdvertisement(t testing.TB) []byte {
	return mustMarshal(t, IPv6Packet{
		Source: llRouter, Destination: allNodes, HopLimit: 255, Transport: TransportICMPv6,
		Payload: []byte{134, 0, 0, 0, 64, 0xc0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0},
	})
}

// routerSolicitation: type 133, code 0, checksum, reserved (RFC 4861 §4.1).
func routerSolicitation(t testing.TB) []byte {
	return mustMarshal(t, IPv6Packet{
		Source: llHost, Destination: allRtrs, HopLimit: 255, Transport: TransportICMPv6,
		Payload: []byte{133, 0, 0, 0, 0, 0, 0, 0},
	})
}

// neighborSolicitation: type 135 for fe80::1 (RFC 4861 §4.3).
func neighborSolicitation(t testing.TB) []byte {
	target := llRouter.As16()
	return mustMarshal(t, IPv6Packet{
		Source: llHost, Destination: netip.MustParseAddr("ff02::1:ff00:1"), HopLimit: 255, Transport: TransportICMPv6,
		Payload: append([]byte{135, 0, 0, 0, 0, 0, 0, 0}, target[:]...),
	})
}

// dhcpv6Solicit: msg-type 1, transaction-id 0x123456, no options.
func dhcpv6Solicit(t testing.TB) []byte {
	return mustMarshal(t, IPv6Packet{
		Source: llHost, Destination: dhcpAgent, HopLimit: 1, Transport: TransportUDP,
		SourcePort: 546, DestinationPort: 547, Payload: []byte{1, 0x12, 0x34, 0x56},
	})
}

// dhcpv6Advertise: msg-type 2 from the server port.
func dhcpv6Advertise(t testing.TB) []byte {
	return mustMarshal(t, IPv6Packet{
		Source: llRouter, Destination: llHost, HopLimit: 64, Transport: TransportUDP,
		SourcePort: 547, DestinationPort: 546, Payload: []byte{2, 0x12, 0x34, 0x56},
	})
}

func dnsQuery(t testing.TB) []byte {
	return mustMarshal(t, IPv6Packet{
		Source: llHost, Destination: llRouter, HopLimit: 64, Transport: TransportUDP,
		SourcePort: 40000, DestinationPort: 53, Payload: []byte{0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0},
	})
}

// withHopByHop inserts an 8-byte Hop-by-Hop header carrying a Router Alert
// option (RFC 2711) and a PadN before the upper layer.
func withHopByHop(ipv6 []byte) []byte {
	out := bytes.Clone(ipv6[:ipv6HeaderLen])
	next := out[6]
	out[6] = 0
	binary.BigEndian.PutUint16(out[4:6], uint16(len(ipv6)-ipv6HeaderLen+8))
	out = append(out, next, 0, 5, 2, 0, 0, 1, 0) // next, len 0, Router Alert (MLD), PadN(0)
	return append(out, ipv6[ipv6HeaderLen:]...)
}

// withFragment inserts a Fragment header (RFC 8200 §4.5) with the given
// offset in 8-octet units and the M flag set.
func withFragment(ipv6 []byte, offset uint16) []byte {
	out := bytes.Clone(ipv6[:ipv6HeaderLen])
	next := out[6]
	out[6] = 44
	binary.BigEndian.PutUint16(out[4:6], uint16(len(ipv6)-ipv6HeaderLen+8))
	var frag [8]byte
	frag[0] = next
	binary.BigEndian.PutUint16(frag[2:4], offset<<3|1)
	binary.BigEndian.PutUint32(frag[4:8], 0xdeadbeef)
	out = append(out, frag[:]...)
	return append(out, ipv6[ipv6HeaderLen:]...)
}

// ipv4UDP is an IPv4 header (no checksum) around a UDP header.
func ipv4UDP() []byte {
	return []byte{
		0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2, // IPv4
		0x02, 0x22, 0x02, 0x23, 0, 8, 0, 0, // UDP 546 → 547
	}
}

// ether builds an Ethernet II frame; tags are (TPID, TCI) pairs.
func ether(etherType uint16, payload []byte, tags ...uint16) []byte {
	b := append(append([]byte{}, macHost...), macRouter...)
	for _, v := range tags {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	b = binary.BigEndian.AppendUint16(b, etherType)
	return append(b, payload...)
}

// pppoeSession is a PPPoE session header (RFC 2516 §4) for session id with a
// PPP protocol field.
func pppoeSession(session, pppProto uint16, payload []byte) []byte {
	b := []byte{0x11, 0x00}
	b = binary.BigEndian.AppendUint16(b, session)
	b = binary.BigEndian.AppendUint16(b, uint16(2+len(payload)))
	b = binary.BigEndian.AppendUint16(b, pppProto)
	return append(b, payload...)
}

// sllHeader is a Linux cooked v1 header: packet type, ARPHRD_ETHER, address
// length 6, address padded to 8, protocol.
func sllHeader(packetType uint16, proto uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, packetType)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.BigEndian.AppendUint16(b, 6)
	b = append(b, macRouter...)
	b = append(b, 0, 0)
	return binary.BigEndian.AppendUint16(b, proto)
}

// sll2Header is a Linux cooked v2 header: protocol, reserved, ifindex,
// ARPHRD_ETHER, packet type, address length 6, address padded to 8.
func sll2Header(proto uint16, packetType byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, proto)
	b = append(b, 0, 0)
	b = binary.BigEndian.AppendUint32(b, 3)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = append(b, packetType, 6)
	b = append(b, macRouter...)
	return append(b, 0, 0)
}

// pcapFile builds a little-endian microsecond pcap file.
func pcapFile(lt LinkType, frames ...[]byte) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, pcapMagicMicro)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = binary.LittleEndian.AppendUint32(b, MaxFrameLength)
	b = binary.LittleEndian.AppendUint32(b, uint32(lt))
	for i, f := range frames {
		b = pcapRecord(b, uint32(1700000000+i), 500000, uint32(len(f)), uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

func pcapRecord(b []byte, sec, usec, capLen, origLen uint32) []byte {
	b = binary.LittleEndian.AppendUint32(b, sec)
	b = binary.LittleEndian.AppendUint32(b, usec)
	b = binary.LittleEndian.AppendUint32(b, capLen)
	return binary.LittleEndian.AppendUint32(b, origLen)
}

// ngBlock builds a little-endian pcapng block with a correct length.
func ngBlock(blockType uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	n := uint32(12 + len(body))
	b := binary.LittleEndian.AppendUint32(nil, blockType)
	b = binary.LittleEndian.AppendUint32(b, n)
	b = append(b, body...)
	return binary.LittleEndian.AppendUint32(b, n)
}

func ngSection() []byte {
	body := binary.LittleEndian.AppendUint32(nil, ngByteOrderMagic)
	body = binary.LittleEndian.AppendUint16(body, 1)
	body = binary.LittleEndian.AppendUint16(body, 0)
	body = binary.LittleEndian.AppendUint64(body, ^uint64(0)) // section length unknown
	return ngBlock(ngBlockSection, body)
}

func ngInterfaceBlock(lt LinkType) []byte {
	body := binary.LittleEndian.AppendUint16(nil, uint16(lt))
	body = append(body, 0, 0)
	body = binary.LittleEndian.AppendUint32(body, MaxFrameLength)
	return ngBlock(ngBlockInterface, body)
}

// ngEnhanced is an EPB on interface 0 with microsecond timestamp ts.
func ngEnhanced(ts uint64, data []byte) []byte {
	body := binary.LittleEndian.AppendUint32(nil, 0)
	body = binary.LittleEndian.AppendUint32(body, uint32(ts>>32))
	body = binary.LittleEndian.AppendUint32(body, uint32(ts))
	body = binary.LittleEndian.AppendUint32(body, uint32(len(data)))
	body = binary.LittleEndian.AppendUint32(body, uint32(len(data)))
	return ngBlock(ngBlockEnhanced, append(body, data...))
}

func pcapngFile(lt LinkType, frames ...[]byte) []byte {
	b := append(ngSection(), ngInterfaceBlock(lt)...)
	for i, f := range frames {
		b = append(b, ngEnhanced(uint64(1700000000+i)*1_000_000, f)...)
	}
	return b
}

// readFile reads every frame of a real capture.
func readFile(t testing.TB, dir, name string) []Frame {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	frames, err := readAll(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return frames
}
