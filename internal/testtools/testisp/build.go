package testisp

import (
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/ndp"
)

// Link is what the ISP side knows about its own interface: the defaults for
// routers and servers that name no MAC or source address.
type Link struct {
	MAC       net.HardwareAddr
	LinkLocal netip.Addr
}

var allNodes = netip.MustParseAddr("ff02::1")

const etherTypeIPv6 = 0x86dd

// ethernet wraps an IPv6 packet in an Ethernet II header.
func ethernet(dst, src net.HardwareAddr, ipv6 []byte) []byte {
	b := make([]byte, 14+len(ipv6))
	copy(b[0:6], dst)
	copy(b[6:12], src)
	binary.BigEndian.PutUint16(b[12:14], etherTypeIPv6)
	copy(b[14:], ipv6)
	return b
}

// linkLocalFromMAC is the modified EUI-64 link-local address of mac
// (RFC 4291 Appendix A).
func linkLocalFromMAC(mac net.HardwareAddr) netip.Addr {
	var a [16]byte
	a[0], a[1] = 0xfe, 0x80
	if len(mac) == 6 {
		a[8], a[9], a[10] = mac[0]^0x02, mac[1], mac[2]
		a[11], a[12] = 0xff, 0xfe
		a[13], a[14], a[15] = mac[3], mac[4], mac[5]
	}
	return netip.AddrFrom16(a)
}

// identity resolves a MAC/source pair against the link's defaults.
func identity(mac MAC, src netip.Addr, l Link) (net.HardwareAddr, netip.Addr) {
	hw := net.HardwareAddr(mac)
	if len(hw) == 0 {
		hw = l.MAC
		if !src.IsValid() {
			src = l.LinkLocal
		}
	}
	if !src.IsValid() {
		src = linkLocalFromMAC(hw)
	}
	return hw, src
}

// RouterAdvertisement returns the ICMPv6 Router Advertisement r sends, raw
// options included, with a zero checksum.
func (r Router) RouterAdvertisement(mac net.HardwareAddr) ([]byte, error) {
	ra := &ndp.RouterAdvertisement{
		CurrentHopLimit:      r.CurHopLimit,
		ManagedConfiguration: r.Managed,
		OtherConfiguration:   r.Other,
		Preference:           ndp.Preference(r.Preference),
		RouterLifetime:       r.RouterLifetime.D(),
		ReachableTime:        r.ReachableTime.D(),
		RetransmitTimer:      r.RetransTimer.D(),
	}
	if !r.NoSourceLinkLayer && len(mac) > 0 {
		ra.Options = append(ra.Options, &ndp.LinkLayerAddress{Direction: ndp.Source, Addr: mac})
	}
	if r.MTU != 0 {
		m := ndp.MTU(r.MTU)
		ra.Options = append(ra.Options, &m)
	}
	for _, p := range r.Prefixes {
		ra.Options = append(ra.Options, &ndp.PrefixInformation{
			Prefix: p.Prefix, OnLink: p.OnLink, Autonomous: p.Autonomous,
			ValidLifetime: p.Valid.D(), PreferredLifetime: p.Preferred.D(),
		})
	}
	for _, ri := range r.Routes {
		ra.Options = append(ra.Options, &ndp.RouteInformation{
			Prefix: ri.Prefix, Preference: ndp.Preference(ri.Preference), RouteLifetime: ri.Lifetime.D(),
		})
	}
	life := r.RDNSSLifetime.D()
	if life == 0 {
		life = 1800 * time.Second
	}
	if len(r.RDNSS) > 0 {
		ra.Options = append(ra.Options, &ndp.RecursiveDNSServer{Lifetime: life, Servers: r.RDNSS})
	}
	if len(r.DNSSL) > 0 {
		ra.Options = append(ra.Options, &ndp.DNSSearchList{Lifetime: life, DomainNames: r.DNSSL})
	}
	b, err := ra.Marshal()
	if err != nil {
		return nil, fmt.Errorf("testisp: router advertisement: %w", err)
	}
	b = append(b, r.RawOptions...)
	b[1] = r.ICMPCode
	if r.TruncateTo > 0 && r.TruncateTo < len(b) {
		b = b[:max(r.TruncateTo, 4)] // the IPv6 layer needs type, code and checksum
	}
	return b, nil
}

// raFrame builds the whole Ethernet frame of one RA from r to dst.
func raFrame(r Router, l Link, dst netip.Addr, dstMAC net.HardwareAddr) ([]byte, error) {
	mac, src := identity(r.MAC, r.Source, l)
	if len(r.RawIPv6) > 0 {
		return ethernet(dstMAC, mac, r.RawIPv6), nil
	}
	icmp, err := r.RouterAdvertisement(mac)
	if err != nil {
		return nil, err
	}
	hop := r.HopLimit
	if hop == 0 {
		hop = 255
	}
	ip, err := capture.IPv6Packet{
		Source: src, Destination: dst, HopLimit: hop,
		Transport: capture.TransportICMPv6, Payload: icmp,
	}.Marshal()
	if err != nil {
		return nil, fmt.Errorf("testisp: router advertisement: %w", err)
	}
	if r.Fragment {
		ip = atomicFragment(ip)
	}
	return ethernet(dstMAC, mac, ip), nil
}

// atomicFragment puts a Fragment header (RFC 8200 §4.5) with offset 0 and
// M=0 between the IPv6 header and its payload. The upper-layer checksum
// stays right: its pseudo-header counts the upper-layer length only.
func atomicFragment(ip []byte) []byte {
	const fragmentHeader = 44
	out := make([]byte, 0, len(ip)+8)
	out = append(out, ip[:40]...)
	next := out[6]
	out[6] = fragmentHeader
	binary.BigEndian.PutUint16(out[4:6], binary.BigEndian.Uint16(ip[4:6])+8)
	out = append(out, next, 0, 0, 0, 0x7e, 0x57, 0x15, 0x01) // next header, reserved, offset 0 M=0, identification
	return append(out, ip[40:]...)
}

// DHCPv6 option codes (RFC 8415 §21 and the registry).
const (
	optClientID     = 1
	optServerID     = 2
	optIANA         = 3
	optIAAddr       = 5
	optPreference   = 7
	optUnicast      = 12
	optStatusCode   = 13
	optRapidCommit  = 14
	optReconfAccept = 20
	optDNS          = 23
	optDomainList   = 24
	optIAPD         = 25
	optIAPrefix     = 26
	optClientFQDN   = 39
	optSolMaxRT     = 82
	// optFiller is from the private-use range no client interprets.
	optFiller = 65000
)

// appendOption appends one option with a correct length field.
func appendOption(b []byte, code uint16, data []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, code)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

// seconds32 puts d on the wire in whole seconds, saturating at the
// infinite lifetime 0xffffffff (RFC 8415 §7.7).
func seconds32(b []byte, d Duration) []byte {
	s := time.Duration(d) / time.Second
	if s < 0 {
		s = 0
	}
	if s > math.MaxUint32 {
		s = math.MaxUint32
	}
	return binary.BigEndian.AppendUint32(b, uint32(s))
}

func statusOption(b []byte, s *Status) []byte {
	if s == nil {
		return b
	}
	d := binary.BigEndian.AppendUint16(nil, s.Code)
	return appendOption(b, optStatusCode, append(d, s.Message...))
}

// iaOption encodes an IA_NA (code 3) or IA_PD (code 25).
func iaOption(b []byte, code uint16, iaid [4]byte, ia IA) []byte {
	d := append([]byte(nil), iaid[:]...)
	d = seconds32(d, ia.T1)
	d = seconds32(d, ia.T2)
	for _, l := range ia.Leases {
		var o []byte
		a := l.Prefix.Addr().As16()
		if code == optIANA {
			o = append(o, a[:]...)
			o = seconds32(o, l.Preferred)
			o = seconds32(o, l.Valid)
			o = statusOption(o, l.Status)
			d = appendOption(d, optIAAddr, o)
			continue
		}
		o = seconds32(o, l.Preferred)
		o = seconds32(o, l.Valid)
		o = append(o, byte(l.Prefix.Bits()))
		o = append(o, a[:]...)
		o = statusOption(o, l.Status)
		d = appendOption(d, optIAPrefix, o)
	}
	d = statusOption(d, ia.Status)
	return appendOption(b, code, d)
}

// domainNames encodes names in DNS wire format (RFC 1035 §3.1), as option
// 24 carries them.
func domainNames(names []string) []byte {
	var b []byte
	for _, n := range names {
		for _, label := range strings.Split(strings.TrimSuffix(n, "."), ".") {
			if label == "" {
				continue
			}
			b = append(b, byte(len(label)))
			b = append(b, label...)
		}
		b = append(b, 0)
	}
	return b
}
