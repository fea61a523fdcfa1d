// Package gencap writes large synthetic captures for benchmarks: ordinary
// traffic (TCP, UDP and ICMP over IPv4 and IPv6) with Router Advertisements
// and DHCPv6 Solicit → Advertise → Request → Reply exchanges sprinkled
// through it, as a pcap a WAN capture with tcpdump would give. The output is
// deterministic, so a figure measured on it can be measured again.
package gencap

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	"github.com/v6diag/v6diag/capture"
)

// Config says what to generate.
type Config struct {
	// Frames is the number of frames in the file.
	Frames int
	// ControlEvery puts one control message every this many frames: an
	// RA, or the next message of a DHCPv6 exchange. 0 means 500.
	ControlEvery int
	// Start is the first frame's time; zero means 2026-01-01 UTC.
	Start time.Time
	// Seed picks the ordinary traffic's mix.
	Seed uint64
}

// Stats counts what Write wrote.
type Stats struct {
	Frames    int
	Bytes     int64
	RAs       int
	Exchanges int // complete Solicit/Advertise/Request/Reply exchanges
	DHCPv6    int // DHCPv6 messages
}

var (
	routerMAC   = net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x53, 0x01}
	clientMAC   = net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x53, 0x02}
	routerLL    = netip.MustParseAddr("fe80::5eff:fe00:5301")
	clientLL    = netip.MustParseAddr("fe80::5eff:fe00:5302")
	allNodes    = netip.MustParseAddr("ff02::1")
	allServers  = netip.MustParseAddr("ff02::1:2")
	delegated   = netip.MustParsePrefix("2001:db8:4200::/48")
	wanAddress  = netip.MustParseAddr("2001:db8:1::1234")
	dnsServer   = netip.MustParseAddr("2001:db8:1::53")
	serverDUID  = []byte{0x00, 0x01, 0x00, 0x01, 0x2c, 0x3d, 0x4e, 0x5f, 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01}
	clientDUID  = []byte{0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x5e, 0x00, 0x53, 0x02}
	clientIAID  = []byte{0, 0, 0, 1}
	lanHosts    = []netip.Addr{netip.MustParseAddr("2001:db8:4200:1::10"), netip.MustParseAddr("2001:db8:4200:1::11")}
	remoteHosts = []netip.Addr{netip.MustParseAddr("2001:db8:ffff::80"), netip.MustParseAddr("2001:db8:ffff::443")}
)

const (
	etherTypeIPv4 = 0x0800
	etherTypeIPv6 = 0x86dd
	dhcpSolicit   = 1
	dhcpAdvertise = 2
	dhcpRequest   = 3
	dhcpReply     = 7
)

// Write writes a pcap (Ethernet, microseconds) of cfg.Frames frames to w.
func Write(w io.Writer, cfg Config) (Stats, error) {
	if cfg.Frames < 0 {
		return Stats{}, errors.New("gencap: negative frame count")
	}
	every := cfg.ControlEvery
	if every <= 0 {
		every = 500
	}
	start := cfg.Start
	if start.IsZero() {
		start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	ordinary := ordinaryFrames()
	ra, err := routerAdvertisement()
	if err != nil {
		return Stats{}, err
	}
	bw := bufio.NewWriterSize(w, 256*1024)
	var st Stats
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], uint32(capture.LinkTypeEthernet))
	if _, err := bw.Write(hdr); err != nil {
		return st, fmt.Errorf("gencap: write header: %w", err)
	}
	st.Bytes = int64(len(hdr))
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x76366469))
	// step is one control message in the cycle RA, Solicit, Advertise,
	// Request, Reply; the exchange's transaction ID changes each cycle.
	step, cycle := 0, 0
	var rec [16]byte
	for i := range cfg.Frames {
		// One frame a millisecond, with jitter so times are not round.
		ts := start.Add(time.Duration(i)*time.Millisecond + time.Duration(rng.IntN(900))*time.Microsecond)
		var frame []byte
		if i%every == every-1 {
			if frame, err = controlFrame(step, cycle, ra); err != nil {
				return st, err
			}
			switch step {
			case 0:
				st.RAs++
			case 4:
				st.Exchanges++
				fallthrough
			default:
				st.DHCPv6++
			}
			step++
			if step == 5 {
				step, cycle = 0, cycle+1
			}
		} else {
			frame = ordinary[rng.IntN(len(ordinary))]
		}
		binary.LittleEndian.PutUint32(rec[0:], uint32(ts.Unix()))
		binary.LittleEndian.PutUint32(rec[4:], uint32(ts.Nanosecond()/1000))
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(frame)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(frame)))
		if _, err := bw.Write(rec[:]); err != nil {
			return st, fmt.Errorf("gencap: write frame %d: %w", i+1, err)
		}
		if _, err := bw.Write(frame); err != nil {
			return st, fmt.Errorf("gencap: write frame %d: %w", i+1, err)
		}
		st.Frames++
		st.Bytes += int64(len(rec) + len(frame))
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("gencap: flush: %w", err)
	}
	return st, nil
}

func controlFrame(step, cycle int, ra []byte) ([]byte, error) {
	if step == 0 {
		return ra, nil
	}
	xid := [3]byte{byte(cycle >> 16), byte(cycle >> 8), byte(cycle)}
	if step >= 3 {
		xid[0] ^= 0x80 // the Request starts a new transaction
	}
	var (
		msg            []byte
		src, dst       = clientLL, allServers
		sport, dport   = uint16(546), uint16(547)
		srcMAC, dstMAC = clientMAC, capture.MulticastMAC(allServers)
	)
	switch step {
	case 1:
		msg = dhcpMessage(dhcpSolicit, xid, clientID(), elapsed(), iaNA(nil), iaPD(netip.PrefixFrom(netip.IPv6Unspecified(), 48)), oro())
	case 2:
		msg = dhcpMessage(dhcpAdvertise, xid, clientID(), serverID(), iaNA(&wanAddress), iaPD(delegated), dns())
	case 3:
		msg = dhcpMessage(dhcpRequest, xid, clientID(), serverID(), elapsed(), iaNA(&wanAddress), iaPD(delegated), oro())
	case 4:
		msg = dhcpMessage(dhcpReply, xid, clientID(), serverID(), iaNA(&wanAddress), iaPD(delegated), dns())
	}
	if step == 2 || step == 4 {
		src, dst, sport, dport = routerLL, clientLL, 547, 546
		srcMAC, dstMAC = routerMAC, clientMAC
	}
	pkt, err := capture.IPv6Packet{Source: src, Destination: dst, HopLimit: 1, Transport: capture.TransportUDP,
		SourcePort: sport, DestinationPort: dport, Payload: msg}.Marshal()
	if err != nil {
		return nil, fmt.Errorf("gencap: %w", err)
	}
	return ether(dstMAC, srcMAC, etherTypeIPv6, pkt), nil
}

func option(code uint16, body ...[]byte) []byte {
	n := 0
	for _, b := range body {
		n += len(b)
	}
	o := binary.BigEndian.AppendUint16(nil, code)
	o = binary.BigEndian.AppendUint16(o, uint16(n))
	for _, b := range body {
		o = append(o, b...)
	}
	return o
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func dhcpMessage(typ byte, xid [3]byte, opts ...[]byte) []byte {
	m := []byte{typ, xid[0], xid[1], xid[2]}
	for _, o := range opts {
		m = append(m, o...)
	}
	return m
}

func clientID() []byte { return option(1, clientDUID) }
func serverID() []byte { return option(2, serverDUID) }
func elapsed() []byte  { return option(8, []byte{0, 0}) }
func oro() []byte      { return option(6, []byte{0, 23}) }
func dns() []byte      { a := dnsServer.As16(); return option(23, a[:]) }

// iaNA is an IA_NA (RFC 8415 §21.4), with an IA Address when a is set.
func iaNA(a *netip.Addr) []byte {
	if a == nil {
		return option(3, clientIAID, u32(0), u32(0))
	}
	b := a.As16()
	return option(3, clientIAID, u32(1800), u32(2880), option(5, b[:], u32(3600), u32(7200)))
}

// iaPD is an IA_PD (RFC 8415 §21.21) holding one IA Prefix.
func iaPD(p netip.Prefix) []byte {
	b := p.Addr().As16()
	t1, t2, pref, valid := uint32(1800), uint32(2880), uint32(3600), uint32(7200)
	if p.Addr().IsUnspecified() { // a hint in a Solicit
		t1, t2, pref, valid = 0, 0, 0, 0
	}
	return option(25, clientIAID, u32(t1), u32(t2), option(26, u32(pref), u32(valid), []byte{byte(p.Bits())}, b[:]))
}

// routerAdvertisement asks for DHCPv6 (M and O) and offers a default route
// (RFC 4861 §4.2), with the router's link-layer address and an on-link /64.
func routerAdvertisement() ([]byte, error) {
	m := []byte{134, 0, 0, 0, 64, 0xc0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0}
	m = append(m, 1, 1)
	m = append(m, routerMAC...)
	p := netip.MustParseAddr("2001:db8:1::").As16()
	m = append(m, 3, 4, 64, 0x80)
	m = append(m, u32(86400)...)
	m = append(m, u32(14400)...)
	m = append(m, 0, 0, 0, 0)
	m = append(m, p[:]...)
	pkt, err := capture.IPv6Packet{Source: routerLL, Destination: allNodes, HopLimit: 255,
		Transport: capture.TransportICMPv6, Payload: m}.Marshal()
	if err != nil {
		return nil, fmt.Errorf("gencap: %w", err)
	}
	return ether(capture.MulticastMAC(allNodes), routerMAC, etherTypeIPv6, pkt), nil
}

func ether(dst, src net.HardwareAddr, etherType uint16, payload []byte) []byte {
	f := make([]byte, 0, 14+len(payload))
	f = append(f, dst...)
	f = append(f, src...)
	f = binary.BigEndian.AppendUint16(f, etherType)
	return append(f, payload...)
}

// ordinaryFrames is the mix of everyday traffic between the LAN and the
// Internet: bulk TCP (the bytes), ACKs, QUIC, DNS and pings, over both IP
// versions. Repeats weight the mix: about 40% full-size segments.
func ordinaryFrames() [][]byte {
	var fs [][]byte
	add := func(f []byte, n int) {
		for range n {
			fs = append(fs, f)
		}
	}
	for i, lan := range lanHosts {
		remote := remoteHosts[i]
		add(ether(routerMAC, clientMAC, etherTypeIPv6, ipv6(lan, remote, 6, tcp(50000+uint16(i), 443, 0x18, 1400))), 3)
		add(ether(clientMAC, routerMAC, etherTypeIPv6, ipv6(remote, lan, 6, tcp(443, 50000+uint16(i), 0x10, 0))), 2)
		add(ether(routerMAC, clientMAC, etherTypeIPv6, ipv6(lan, remote, 17, udp(51000, 443, 1200))), 1)
		add(ether(routerMAC, clientMAC, etherTypeIPv6, ipv6(lan, remote, 17, udp(53000, 53, 40))), 1)
		add(ether(routerMAC, clientMAC, etherTypeIPv6, ipv6(lan, remote, 58, icmp(128, 56))), 1)
	}
	v4a, v4b := netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("203.0.113.80")
	add(ether(routerMAC, clientMAC, etherTypeIPv4, ipv4(v4a, v4b, 6, tcp(40000, 443, 0x18, 1400))), 4)
	add(ether(clientMAC, routerMAC, etherTypeIPv4, ipv4(v4b, v4a, 6, tcp(443, 40000, 0x10, 0))), 3)
	add(ether(routerMAC, clientMAC, etherTypeIPv4, ipv4(v4a, v4b, 17, udp(41000, 53, 40))), 1)
	add(ether(routerMAC, clientMAC, etherTypeIPv4, ipv4(v4a, v4b, 17, udp(41001, 443, 1200))), 1)
	add(ether(routerMAC, clientMAC, etherTypeIPv4, ipv4(v4a, v4b, 1, icmp(8, 56))), 1)
	return fs
}

func tcp(sport, dport uint16, flags byte, data int) []byte {
	b := make([]byte, 20+data)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], 0x10000)
	binary.BigEndian.PutUint32(b[8:], 0x20000)
	b[12] = 5 << 4
	b[13] = flags
	binary.BigEndian.PutUint16(b[14:], 65535)
	return b
}

func udp(sport, dport uint16, data int) []byte {
	b := make([]byte, 8+data)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(len(b)))
	return b
}

func icmp(typ byte, data int) []byte {
	b := make([]byte, 8+data)
	b[0] = typ
	return b
}

// ipv6 wraps an upper-layer segment; checksums are left zero, as captures
// with checksum offload show them, since nothing here reads them.
func ipv6(src, dst netip.Addr, proto byte, upper []byte) []byte {
	b := make([]byte, 40, 40+len(upper))
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:], uint16(len(upper)))
	b[6], b[7] = proto, 64
	s, d := src.As16(), dst.As16()
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	return append(b, upper...)
}

func ipv4(src, dst netip.Addr, proto byte, upper []byte) []byte {
	b := make([]byte, 20, 20+len(upper))
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(upper)))
	b[8], b[9] = 64, proto
	s, d := src.As4(), dst.As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(b[10:], ^uint16(sum))
	return append(b, upper...)
}
