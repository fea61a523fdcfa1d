package ndp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Option type codes (IANA "IPv6 Neighbor Discovery Option Formats").
const (
	optSourceLLA   uint8 = 1  // RFC 4861 §4.6.1
	optTargetLLA   uint8 = 2  // RFC 4861 §4.6.1
	optPrefixInfo  uint8 = 3  // RFC 4861 §4.6.2
	optMTU         uint8 = 5  // RFC 4861 §4.6.4
	optRouteInfo   uint8 = 24 // RFC 4191 §2.3
	optRDNSS       uint8 = 25 // RFC 8106 §5.1
	optDNSSL       uint8 = 31 // RFC 8106 §5.2
	optCaptivePort uint8 = 37 // RFC 8910 §2.3 (kept raw)
	optPREF64      uint8 = 38 // RFC 8781 §4 (kept raw)
)

// maxOptionLen is the largest option the 8-bit length field (units of 8
// octets) can describe.
const maxOptionLen = math.MaxUint8 * 8

// Infinity is the lifetime 0xffffffff seconds, which RFC 4861 §4.6.2,
// RFC 4191 §2.3 and RFC 8106 §5 define as "infinity". Parsing maps the
// all-ones lifetime to exactly this value; marshalling writes all ones for any
// lifetime of Infinity or more, so time.Duration(math.MaxInt64) works too.
const Infinity = time.Duration(math.MaxUint32) * time.Second

// ErrMalformedOption is matched (errors.Is) by every error about a bad
// option: length zero, running past the end of the message, or a body that
// does not fit the option's format.
var ErrMalformedOption = errors.New("malformed option")

// Reasons for a malformed option that Validate tells apart.
var (
	errOptionLengthZero = errors.New("length field is 0")
	errOptionPastEnd    = errors.New("option runs past the end of the message")
)

// OptionError describes one malformed option. It matches ErrMalformedOption
// and the underlying reason with errors.Is.
type OptionError struct {
	Index  int   // position among the message's options, from 0
	Offset int   // octet offset of the option from the start of the ICMPv6 message
	Type   uint8 // option type code (0 if the type octet itself is missing)
	Err    error // the reason
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("ndp: option %d (type %d, %s) at offset %d: %v",
		e.Index, e.Type, optionName(e.Type), e.Offset, e.Err)
}

// Unwrap returns ErrMalformedOption and the reason.
func (e *OptionError) Unwrap() []error { return []error{ErrMalformedOption, e.Err} }

// An Option is a Neighbor Discovery option (RFC 4861 §4.6). The set of
// implementations is closed: *LinkLayerAddress, *MTU, *PrefixInformation,
// *RouteInformation, *RecursiveDNSServer, *DNSSearchList and *RawOption.
type Option interface {
	// Code returns the option type code.
	Code() uint8

	// marshal returns the whole option: type, length and body, padded to a
	// multiple of 8 octets.
	marshal() ([]byte, error)

	// unmarshal parses the whole option: type, length and body. The caller
	// has checked that len(b) == 8*b[1] and b[1] > 0.
	unmarshal(b []byte) error
}

var (
	_ Option = &LinkLayerAddress{}
	_ Option = new(MTU)
	_ Option = &PrefixInformation{}
	_ Option = &RouteInformation{}
	_ Option = &RecursiveDNSServer{}
	_ Option = &DNSSearchList{}
	_ Option = &RawOption{}
)

// optionName names an option type for error messages and reports.
func optionName(t uint8) string {
	switch t {
	case optSourceLLA:
		return "source link-layer address"
	case optTargetLLA:
		return "target link-layer address"
	case optPrefixInfo:
		return "prefix information"
	case optMTU:
		return "MTU"
	case optRouteInfo:
		return "route information"
	case optRDNSS:
		return "RDNSS"
	case optDNSSL:
		return "DNSSL"
	case optCaptivePort:
		return "captive portal"
	case optPREF64:
		return "PREF64"
	}
	return "unknown"
}

// optionRFC cites the section that defines an option's format.
func optionRFC(t uint8) string {
	switch t {
	case optSourceLLA, optTargetLLA:
		return "RFC 4861 §4.6.1"
	case optPrefixInfo:
		return "RFC 4861 §4.6.2"
	case optMTU:
		return "RFC 4861 §4.6.4"
	case optRouteInfo:
		return "RFC 4191 §2.3"
	case optRDNSS:
		return "RFC 8106 §5.1"
	case optDNSSL:
		return "RFC 8106 §5.2"
	}
	return "RFC 4861 §4.6"
}

// newOption returns an empty option for type code t.
func newOption(t uint8) Option {
	switch t {
	case optSourceLLA, optTargetLLA:
		return &LinkLayerAddress{}
	case optPrefixInfo:
		return &PrefixInformation{}
	case optMTU:
		return new(MTU)
	case optRouteInfo:
		return &RouteInformation{}
	case optRDNSS:
		return &RecursiveDNSServer{}
	case optDNSSL:
		return &DNSSearchList{}
	}
	return &RawOption{}
}

// parseOptions parses the options area b, which starts base octets into the
// ICMPv6 message. It returns every option that parsed and the first error.
// An option with a usable length but a bad body is kept as a *RawOption and
// parsing goes on; length zero, a truncated option header or an option
// running past the end stop parsing, since the next option cannot be found.
func parseOptions(b []byte, base int) ([]Option, error) {
	var (
		opts  []Option
		first error
	)
	for i, off := 0, 0; off < len(b); i++ {
		oe := &OptionError{Index: i, Offset: base + off, Type: b[off]}
		left := len(b) - off
		if left < 2 {
			oe.Err = fmt.Errorf("%w: %d octet left, an option header needs 2: %w", errOptionPastEnd, left, io.ErrUnexpectedEOF)
			return opts, firstErr(first, oe)
		}
		n := 8 * int(b[off+1])
		if n == 0 {
			// RFC 4861 §4.6: nodes MUST silently discard an ND packet that
			// contains an option with length zero.
			oe.Err = errOptionLengthZero
			return opts, firstErr(first, oe)
		}
		if n > left {
			oe.Err = fmt.Errorf("%w: length %d (%d octets) but %d octets left: %w",
				errOptionPastEnd, b[off+1], n, left, io.ErrUnexpectedEOF)
			return opts, firstErr(first, oe)
		}
		raw := b[off : off+n]
		o := newOption(raw[0])
		if err := o.unmarshal(raw); err != nil {
			oe.Err = err
			first = firstErr(first, oe)
			o = &RawOption{}
			_ = o.unmarshal(raw) // cannot fail
		}
		opts = append(opts, o)
		off += n
	}
	return opts, first
}

func firstErr(first error, oe *OptionError) error {
	if first != nil {
		return first
	}
	return oe
}

// marshalOptions concatenates the wire form of opts.
func marshalOptions(opts []Option) ([]byte, error) {
	var b []byte
	for i, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("option %d is nil", i)
		}
		ob, err := o.marshal()
		if err != nil {
			return nil, fmt.Errorf("option %d (type %d, %s): %w", i, o.Code(), optionName(o.Code()), err)
		}
		b = append(b, ob...)
	}
	return b, nil
}

// newOptionBuf returns an option of bodyLen octets after type and length,
// padded to a multiple of 8, with type and length filled in.
func newOptionBuf(t uint8, bodyLen int) ([]byte, error) {
	n := (2 + bodyLen + 7) / 8 * 8
	if n > maxOptionLen {
		return nil, fmt.Errorf("option would be %d octets, the maximum is %d", n, maxOptionLen)
	}
	b := make([]byte, n)
	b[0] = t
	b[1] = uint8(n / 8)
	return b, nil
}

// lifetime32 reads a 32-bit lifetime in seconds; all ones is Infinity.
func lifetime32(b []byte) time.Duration {
	return time.Duration(binary.BigEndian.Uint32(b)) * time.Second
}

// putLifetime32 writes d in whole seconds, saturating at Infinity.
func putLifetime32(b []byte, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("negative lifetime %s", d)
	}
	if d >= Infinity {
		binary.BigEndian.PutUint32(b, math.MaxUint32)
		return nil
	}
	binary.BigEndian.PutUint32(b, uint32(d/time.Second))
	return nil
}

// lifetimeString prints a lifetime for a report.
func lifetimeString(d time.Duration) string {
	if d == Infinity {
		return "infinity"
	}
	return d.String()
}

// Direction tells a Source from a Target Link-Layer Address option.
type Direction uint8

// Directions, equal to the option type codes (RFC 4861 §4.6.1).
const (
	Source Direction = 1
	Target Direction = 2
)

// String returns "source" or "target".
func (d Direction) String() string {
	switch d {
	case Source:
		return "source"
	case Target:
		return "target"
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// LinkLayerAddress is a Source or Target Link-Layer Address option
// (RFC 4861 §4.6.1).
//
// The option does not say how long the address is. An option of length 1
// holds a 6-octet Ethernet MAC, which is what Addr gets; a longer option
// (other link layers) puts its whole body, padding included, in Addr.
type LinkLayerAddress struct {
	Direction Direction
	Addr      net.HardwareAddr
}

// Code implements Option.
func (lla *LinkLayerAddress) Code() uint8 { return uint8(lla.Direction) }

func (lla *LinkLayerAddress) marshal() ([]byte, error) {
	if lla.Direction != Source && lla.Direction != Target {
		return nil, fmt.Errorf("invalid link-layer address direction %d", lla.Direction)
	}
	if len(lla.Addr) == 0 {
		return nil, errors.New("empty link-layer address")
	}
	b, err := newOptionBuf(uint8(lla.Direction), len(lla.Addr))
	if err != nil {
		return nil, err
	}
	copy(b[2:], lla.Addr)
	return b, nil
}

func (lla *LinkLayerAddress) unmarshal(b []byte) error {
	lla.Direction = Direction(b[0])
	body := b[2:]
	if b[1] == 1 {
		body = body[:6]
	}
	lla.Addr = append(net.HardwareAddr(nil), body...)
	return nil
}

// String reads like "source link-layer address 00:11:22:33:44:55".
func (lla *LinkLayerAddress) String() string {
	return fmt.Sprintf("%s link-layer address %s", lla.Direction, lla.Addr)
}

// MTU is the MTU option (RFC 4861 §4.6.4): the link MTU the router wants
// hosts to use.
type MTU uint32

// Code implements Option.
func (*MTU) Code() uint8 { return optMTU }

func (m *MTU) marshal() ([]byte, error) {
	b, _ := newOptionBuf(optMTU, 6)
	binary.BigEndian.PutUint32(b[4:8], uint32(*m))
	return b, nil
}

func (m *MTU) unmarshal(b []byte) error {
	if len(b) != 8 {
		return fmt.Errorf("MTU option length is %d, must be 1", b[1])
	}
	*m = MTU(binary.BigEndian.Uint32(b[4:8]))
	return nil
}

// String reads like "MTU 1492".
func (m *MTU) String() string { return fmt.Sprintf("MTU %d", uint32(*m)) }

// PrefixInformation is the Prefix Information option (RFC 4861 §4.6.2):
// an on-link prefix and/or a prefix for SLAAC (RFC 4862 §5.5.3).
//
// Bits of the prefix beyond its length are ignored on receipt, as the RFC
// says, so Prefix is always masked. A lifetime of Infinity never expires.
type PrefixInformation struct {
	Prefix            netip.Prefix
	OnLink            bool // L flag
	Autonomous        bool // A flag: usable for stateless address autoconfiguration
	RouterAddress     bool // R flag (RFC 6275 §7.2)
	DHCPv6PD          bool // P flag (RFC 9762): hosts should ask for a prefix via DHCPv6-PD
	ValidLifetime     time.Duration
	PreferredLifetime time.Duration
}

// Code implements Option.
func (*PrefixInformation) Code() uint8 { return optPrefixInfo }

func (pi *PrefixInformation) marshal() ([]byte, error) {
	if !pi.Prefix.IsValid() || !pi.Prefix.Addr().Is6() {
		return nil, fmt.Errorf("prefix %s is not an IPv6 prefix", pi.Prefix)
	}
	b, _ := newOptionBuf(optPrefixInfo, 30)
	b[2] = uint8(pi.Prefix.Bits())
	if pi.OnLink {
		b[3] |= 0x80
	}
	if pi.Autonomous {
		b[3] |= 0x40
	}
	if pi.RouterAddress {
		b[3] |= 0x20
	}
	if pi.DHCPv6PD {
		b[3] |= 0x10
	}
	if err := putLifetime32(b[4:8], pi.ValidLifetime); err != nil {
		return nil, fmt.Errorf("valid lifetime: %w", err)
	}
	if err := putLifetime32(b[8:12], pi.PreferredLifetime); err != nil {
		return nil, fmt.Errorf("preferred lifetime: %w", err)
	}
	// b[12:16] Reserved2.
	a := pi.Prefix.Masked().Addr().As16()
	copy(b[16:32], a[:])
	return b, nil
}

func (pi *PrefixInformation) unmarshal(b []byte) error {
	if len(b) != 32 {
		return fmt.Errorf("prefix information option length is %d, must be 4", b[1])
	}
	bits := int(b[2])
	if bits > 128 {
		return fmt.Errorf("prefix length %d is more than 128", bits)
	}
	flags := b[3]
	*pi = PrefixInformation{
		Prefix:            netip.PrefixFrom(netip.AddrFrom16([16]byte(b[16:32])), bits).Masked(),
		OnLink:            flags&0x80 != 0,
		Autonomous:        flags&0x40 != 0,
		RouterAddress:     flags&0x20 != 0,
		DHCPv6PD:          flags&0x10 != 0,
		ValidLifetime:     lifetime32(b[4:8]),
		PreferredLifetime: lifetime32(b[8:12]),
	}
	return nil
}

// String reads like "prefix 2001:db8::/64 on-link autonomous, valid 1h0m0s, preferred 30m0s".
func (pi *PrefixInformation) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "prefix %s", pi.Prefix)
	for _, f := range []struct {
		set  bool
		name string
	}{{pi.OnLink, "on-link"}, {pi.Autonomous, "autonomous"}, {pi.RouterAddress, "router-address"}, {pi.DHCPv6PD, "dhcpv6-pd"}} {
		if f.set {
			sb.WriteString(" " + f.name)
		}
	}
	fmt.Fprintf(&sb, ", valid %s, preferred %s", lifetimeString(pi.ValidLifetime), lifetimeString(pi.PreferredLifetime))
	return sb.String()
}

// RouteInformation is the Route Information option (RFC 4191 §2.3): a more
// specific route through this router. Prefix is masked to its length.
type RouteInformation struct {
	Prefix        netip.Prefix
	Preference    Preference
	RouteLifetime time.Duration
}

// Code implements Option.
func (*RouteInformation) Code() uint8 { return optRouteInfo }

func (ri *RouteInformation) marshal() ([]byte, error) {
	if !ri.Prefix.IsValid() || !ri.Prefix.Addr().Is6() {
		return nil, fmt.Errorf("prefix %s is not an IPv6 prefix", ri.Prefix)
	}
	if ri.Preference > PreferenceLow {
		return nil, fmt.Errorf("preference %d is not a 2-bit value", ri.Preference)
	}
	// The shortest length that holds the prefix (RFC 4191 §2.3).
	bits := ri.Prefix.Bits()
	prefixOctets := 0
	switch {
	case bits > 64:
		prefixOctets = 16
	case bits > 0:
		prefixOctets = 8
	}
	b, _ := newOptionBuf(optRouteInfo, 6+prefixOctets)
	b[2] = uint8(bits)
	b[3] = byte(ri.Preference) << 3
	if err := putLifetime32(b[4:8], ri.RouteLifetime); err != nil {
		return nil, fmt.Errorf("route lifetime: %w", err)
	}
	a := ri.Prefix.Masked().Addr().As16()
	copy(b[8:], a[:prefixOctets])
	return b, nil
}

func (ri *RouteInformation) unmarshal(b []byte) error {
	if b[1] > 3 {
		return fmt.Errorf("route information option length is %d, must be 1, 2 or 3", b[1])
	}
	bits := int(b[2])
	switch {
	case bits > 128:
		return fmt.Errorf("prefix length %d is more than 128", bits)
	case bits > 64 && b[1] < 3:
		return fmt.Errorf("prefix length %d needs option length 3, got %d", bits, b[1])
	case bits > 0 && b[1] < 2:
		return fmt.Errorf("prefix length %d needs option length 2 or 3, got %d", bits, b[1])
	}
	var a [16]byte
	copy(a[:], b[8:])
	*ri = RouteInformation{
		Prefix:        netip.PrefixFrom(netip.AddrFrom16(a), bits).Masked(),
		Preference:    Preference(b[3]>>3) & 0x3,
		RouteLifetime: lifetime32(b[4:8]),
	}
	return nil
}

// String reads like "route 2001:db8::/48 preference high, lifetime 30m0s".
func (ri *RouteInformation) String() string {
	return fmt.Sprintf("route %s preference %s, lifetime %s", ri.Prefix, ri.Preference, lifetimeString(ri.RouteLifetime))
}

// RecursiveDNSServer is the RDNSS option (RFC 8106 §5.1): one or more DNS
// resolvers and how long they may be used.
type RecursiveDNSServer struct {
	Lifetime time.Duration
	Servers  []netip.Addr
}

// Code implements Option.
func (*RecursiveDNSServer) Code() uint8 { return optRDNSS }

func (r *RecursiveDNSServer) marshal() ([]byte, error) {
	if len(r.Servers) == 0 {
		return nil, errors.New("RDNSS option needs at least one server")
	}
	b, err := newOptionBuf(optRDNSS, 6+16*len(r.Servers))
	if err != nil {
		return nil, err
	}
	if err := putLifetime32(b[4:8], r.Lifetime); err != nil {
		return nil, fmt.Errorf("lifetime: %w", err)
	}
	for i, s := range r.Servers {
		if !s.Is6() || s.Zone() != "" {
			return nil, fmt.Errorf("server %s is not an IPv6 address without zone", s)
		}
		a := s.As16()
		copy(b[8+16*i:], a[:])
	}
	return b, nil
}

func (r *RecursiveDNSServer) unmarshal(b []byte) error {
	if b[1] < 3 || b[1]%2 == 0 {
		return fmt.Errorf("RDNSS option length is %d, must be odd and at least 3", b[1])
	}
	n := (len(b) - 8) / 16
	*r = RecursiveDNSServer{
		Lifetime: lifetime32(b[4:8]),
		Servers:  make([]netip.Addr, n),
	}
	for i := range n {
		r.Servers[i] = netip.AddrFrom16([16]byte(b[8+16*i : 24+16*i]))
	}
	return nil
}

// String reads like "RDNSS 2001:db8::53, 2001:db8::54, lifetime 10m0s".
func (r *RecursiveDNSServer) String() string {
	s := make([]string, len(r.Servers))
	for i, a := range r.Servers {
		s[i] = a.String()
	}
	return fmt.Sprintf("RDNSS %s, lifetime %s", strings.Join(s, ", "), lifetimeString(r.Lifetime))
}

// DNSSearchList is the DNSSL option (RFC 8106 §5.2): one or more domain
// names to search. Names are written without the trailing dot.
//
// On the wire each name is a sequence of DNS labels (RFC 1035 §3.1) without
// compression, and zero octets pad the option. Parsing rejects a compression
// pointer, a label running past the option, a name over 255 octets, non-zero
// octets in the padding, and labels holding a dot or octets outside printable
// ASCII, which no search domain contains and a report could not show.
type DNSSearchList struct {
	Lifetime    time.Duration
	DomainNames []string
}

// Code implements Option.
func (*DNSSearchList) Code() uint8 { return optDNSSL }

func (d *DNSSearchList) marshal() ([]byte, error) {
	if len(d.DomainNames) == 0 {
		return nil, errors.New("DNSSL option needs at least one domain name")
	}
	var names []byte
	for _, name := range d.DomainNames {
		wire, err := encodeDomainName(name)
		if err != nil {
			return nil, err
		}
		names = append(names, wire...)
	}
	b, err := newOptionBuf(optDNSSL, 6+len(names))
	if err != nil {
		return nil, err
	}
	if err := putLifetime32(b[4:8], d.Lifetime); err != nil {
		return nil, fmt.Errorf("lifetime: %w", err)
	}
	copy(b[8:], names)
	return b, nil
}

func (d *DNSSearchList) unmarshal(b []byte) error {
	if b[1] < 2 {
		return fmt.Errorf("DNSSL option length is %d, must be at least 2", b[1])
	}
	names, err := decodeDomainNames(b[8:])
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("DNSSL option holds no domain name")
	}
	*d = DNSSearchList{Lifetime: lifetime32(b[4:8]), DomainNames: names}
	return nil
}

// String reads like "DNSSL lan, example.com, lifetime 10m0s".
func (d *DNSSearchList) String() string {
	return fmt.Sprintf("DNSSL %s, lifetime %s", strings.Join(d.DomainNames, ", "), lifetimeString(d.Lifetime))
}

// maxNameLen is the longest domain name in wire form (RFC 1035 §2.3.4).
const maxNameLen = 255

// validLabelOctet reports whether c may appear in a label this package
// accepts: printable ASCII other than the dot.
func validLabelOctet(c byte) bool { return c > ' ' && c < 0x7f && c != '.' }

func encodeDomainName(name string) ([]byte, error) {
	trimmed := strings.TrimSuffix(name, ".")
	if trimmed == "" {
		return nil, fmt.Errorf("domain name %q is empty", name)
	}
	var wire []byte
	for _, label := range strings.Split(trimmed, ".") {
		if len(label) == 0 || len(label) > 63 {
			return nil, fmt.Errorf("domain name %q has a label of %d octets, must be 1 to 63", name, len(label))
		}
		for i := 0; i < len(label); i++ {
			if !validLabelOctet(label[i]) {
				return nil, fmt.Errorf("domain name %q has octet 0x%02x in a label", name, label[i])
			}
		}
		wire = append(wire, byte(len(label)))
		wire = append(wire, label...)
	}
	wire = append(wire, 0)
	if len(wire) > maxNameLen {
		return nil, fmt.Errorf("domain name %q is %d octets in wire form, the maximum is %d", name, len(wire), maxNameLen)
	}
	return wire, nil
}

// decodeDomainNames decodes uncompressed names followed by zero padding.
func decodeDomainNames(b []byte) ([]string, error) {
	var names []string
	off := 0
	for off < len(b) {
		if b[off] == 0 {
			// Padding: the rest must be zero.
			for i := off; i < len(b); i++ {
				if b[i] != 0 {
					return nil, fmt.Errorf("non-zero octet 0x%02x at offset %d of the domain names, after the padding began", b[i], i)
				}
			}
			break
		}
		start := off
		var labels []string
		for {
			if off >= len(b) {
				return nil, fmt.Errorf("domain name at offset %d runs past the end of the option without a root label", start)
			}
			l := int(b[off])
			if l == 0 {
				off++
				break
			}
			if l&0xc0 == 0xc0 {
				return nil, fmt.Errorf("domain name at offset %d uses a compression pointer (0x%02x), which RFC 8106 forbids", start, b[off])
			}
			if l > 63 {
				return nil, fmt.Errorf("domain name at offset %d has label type 0x%02x, only plain labels are allowed", start, b[off]&0xc0)
			}
			if off+1+l > len(b) {
				return nil, fmt.Errorf("label of %d octets at offset %d runs past the end of the option", l, off)
			}
			label := b[off+1 : off+1+l]
			for _, c := range label {
				if !validLabelOctet(c) {
					return nil, fmt.Errorf("label at offset %d holds octet 0x%02x", off, c)
				}
			}
			off += 1 + l
			if off-start+1 > maxNameLen {
				return nil, fmt.Errorf("domain name at offset %d is longer than %d octets", start, maxNameLen)
			}
			labels = append(labels, string(label))
		}
		names = append(names, strings.Join(labels, "."))
	}
	return names, nil
}

// RawOption is an option this package does not interpret (an unknown type
// such as PREF64 or captive portal), or a known option whose body is
// malformed but whose length field let the parser step over it.
type RawOption struct {
	Type   uint8
	Length uint8 // in units of 8 octets, type and length octets included
	Value  []byte
}

// Code implements Option.
func (r *RawOption) Code() uint8 { return r.Type }

func (r *RawOption) marshal() ([]byte, error) {
	if r.Length == 0 || int(r.Length)*8 != 2+len(r.Value) {
		return nil, fmt.Errorf("raw option length %d (%d octets) does not match its %d-octet value plus 2",
			r.Length, 8*int(r.Length), len(r.Value))
	}
	b := make([]byte, 2, 2+len(r.Value))
	b[0], b[1] = r.Type, r.Length
	return append(b, r.Value...), nil
}

func (r *RawOption) unmarshal(b []byte) error {
	*r = RawOption{Type: b[0], Length: b[1], Value: append([]byte(nil), b[2:]...)}
	return nil
}

// String reads like "option 38 (PREF64), length 2: 0708...".
func (r *RawOption) String() string {
	return fmt.Sprintf("option %d (%s), length %d: %x", r.Type, optionName(r.Type), r.Length, r.Value)
}
