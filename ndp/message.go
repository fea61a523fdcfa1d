package ndp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strings"
	"time"
)

// ICMPv6 message types handled by this package (RFC 4861 §4.1, §4.2).
const (
	TypeRouterSolicitation  uint8 = 133
	TypeRouterAdvertisement uint8 = 134
)

// Fixed header lengths, checksum included.
const (
	rsHeaderLen = 8  // type, code, checksum, reserved(4)
	raHeaderLen = 16 // type, code, checksum, hop limit, flags, lifetime(2), reachable(4), retrans(4)
)

// errWrongType reports an ICMPv6 message of another type than the parser expects.
var errWrongType = errors.New("wrong ICMPv6 type")

// Preference is the default router preference of RFC 4191 §2.1, carried in
// the Router Advertisement flags and in the Route Information option.
type Preference uint8

// Preference values as they appear on the wire (RFC 4191 §2.1).
const (
	PreferenceMedium   Preference = 0 // 00
	PreferenceHigh     Preference = 1 // 01
	PreferenceReserved Preference = 2 // 10: hosts treat it as medium in an RA and ignore a route with it (RFC 4191 §2.2, §2.3)
	PreferenceLow      Preference = 3 // 11
)

// String returns "medium", "high", "reserved" or "low".
func (p Preference) String() string {
	switch p {
	case PreferenceMedium:
		return "medium"
	case PreferenceHigh:
		return "high"
	case PreferenceReserved:
		return "reserved"
	case PreferenceLow:
		return "low"
	}
	return fmt.Sprintf("Preference(%d)", uint8(p))
}

// RouterAdvertisement is an ICMPv6 Router Advertisement (RFC 4861 §4.2,
// flags from RFC 3775 and RFC 4191).
//
// Durations are whole seconds (RouterLifetime) or milliseconds
// (ReachableTime, RetransmitTimer) on the wire; Marshal drops any finer part.
// Zero ReachableTime and RetransmitTimer mean "unspecified by this router";
// zero RouterLifetime means "not a default router".
type RouterAdvertisement struct {
	CurrentHopLimit      uint8
	ManagedConfiguration bool // M flag: addresses are available via DHCPv6
	OtherConfiguration   bool // O flag: other configuration is available via DHCPv6
	HomeAgent            bool // H flag (RFC 6275 §7.1)
	Preference           Preference
	RouterLifetime       time.Duration
	ReachableTime        time.Duration
	RetransmitTimer      time.Duration
	Options              []Option
}

// SourceLinkLayerAddress returns the address of the first Source Link-Layer
// Address option, or nil if there is none (as on PPP links).
func (ra *RouterAdvertisement) SourceLinkLayerAddress() net.HardwareAddr {
	for _, o := range ra.Options {
		if lla, ok := o.(*LinkLayerAddress); ok && lla.Direction == Source {
			return lla.Addr
		}
	}
	return nil
}

// MTU returns the value of the first MTU option and whether there was one.
func (ra *RouterAdvertisement) MTU() (uint32, bool) {
	for _, o := range ra.Options {
		if m, ok := o.(*MTU); ok {
			return uint32(*m), true
		}
	}
	return 0, false
}

// Prefixes returns the Prefix Information options in the order they appear.
func (ra *RouterAdvertisement) Prefixes() []PrefixInformation {
	return collect[PrefixInformation](ra.Options)
}

// RDNSS returns the Recursive DNS Server options in the order they appear.
func (ra *RouterAdvertisement) RDNSS() []RecursiveDNSServer {
	return collect[RecursiveDNSServer](ra.Options)
}

// DNSSL returns the DNS Search List options in the order they appear.
func (ra *RouterAdvertisement) DNSSL() []DNSSearchList {
	return collect[DNSSearchList](ra.Options)
}

// Routes returns the Route Information options in the order they appear.
func (ra *RouterAdvertisement) Routes() []RouteInformation {
	return collect[RouteInformation](ra.Options)
}

// collect returns copies of the options of concrete type *T.
func collect[T any, PT interface {
	*T
	Option
}](opts []Option) []T {
	var out []T
	for _, o := range opts {
		if v, ok := o.(PT); ok {
			out = append(out, *v)
		}
	}
	return out
}

// String summarises the header in one line for a report.
func (ra *RouterAdvertisement) String() string {
	var flags []string
	if ra.ManagedConfiguration {
		flags = append(flags, "M")
	}
	if ra.OtherConfiguration {
		flags = append(flags, "O")
	}
	if ra.HomeAgent {
		flags = append(flags, "H")
	}
	f := "none"
	if len(flags) > 0 {
		f = strings.Join(flags, ",")
	}
	return fmt.Sprintf("router advertisement: hop limit %d, flags %s, preference %s, router lifetime %s, reachable time %s, retransmit timer %s, %d options",
		ra.CurrentHopLimit, f, ra.Preference, ra.RouterLifetime, ra.ReachableTime, ra.RetransmitTimer, len(ra.Options))
}

// ParseRouterAdvertisement parses an ICMPv6 Router Advertisement (type 134).
//
// A truncated fixed header returns (nil, error wrapping io.ErrUnexpectedEOF);
// a message of another ICMPv6 type returns (nil, error). A malformed option
// does not make the whole RA vanish: the RA is returned with the options that
// parsed and an error describing the first bad option, which matches
// errors.Is(err, ErrMalformedOption) and errors.As with a *[OptionError]. An
// option whose length field is usable but whose body is malformed is kept as
// a [RawOption] and parsing goes on; an option of length zero or one that
// runs past the end stops option parsing (RFC 4861 §4.6).
//
// The ICMPv6 code and checksum are not checked here; see [Validate].
func ParseRouterAdvertisement(icmp []byte) (*RouterAdvertisement, error) {
	if len(icmp) < raHeaderLen {
		return nil, fmt.Errorf("ndp: router advertisement is %d octets, the fixed header needs %d: %w",
			len(icmp), raHeaderLen, io.ErrUnexpectedEOF)
	}
	if icmp[0] != TypeRouterAdvertisement {
		return nil, fmt.Errorf("ndp: parse router advertisement: ICMPv6 type %d: %w", icmp[0], errWrongType)
	}
	flags := icmp[5]
	ra := &RouterAdvertisement{
		CurrentHopLimit:      icmp[4],
		ManagedConfiguration: flags&0x80 != 0,
		OtherConfiguration:   flags&0x40 != 0,
		HomeAgent:            flags&0x20 != 0,
		Preference:           Preference(flags>>3) & 0x3,
		RouterLifetime:       time.Duration(binary.BigEndian.Uint16(icmp[6:8])) * time.Second,
		ReachableTime:        time.Duration(binary.BigEndian.Uint32(icmp[8:12])) * time.Millisecond,
		RetransmitTimer:      time.Duration(binary.BigEndian.Uint32(icmp[12:16])) * time.Millisecond,
	}
	opts, err := parseOptions(icmp[raHeaderLen:], raHeaderLen)
	ra.Options = opts
	if err != nil {
		return ra, err
	}
	return ra, nil
}

// Marshal returns the ICMPv6 bytes of the Router Advertisement with a zero
// checksum; the IPv6 layer fills in the checksum. It fails on values the wire
// format cannot carry: a router lifetime above 65535 s, times above 2^32-1 ms,
// negative durations, an unknown preference, or an option that does not encode.
func (ra *RouterAdvertisement) Marshal() ([]byte, error) {
	if ra.Preference > PreferenceLow {
		return nil, fmt.Errorf("ndp: marshal router advertisement: preference %d is not a 2-bit value", ra.Preference)
	}
	lifetime, err := durationUnits(ra.RouterLifetime, time.Second, math.MaxUint16)
	if err != nil {
		return nil, fmt.Errorf("ndp: marshal router advertisement: router lifetime: %w", err)
	}
	reachable, err := durationUnits(ra.ReachableTime, time.Millisecond, math.MaxUint32)
	if err != nil {
		return nil, fmt.Errorf("ndp: marshal router advertisement: reachable time: %w", err)
	}
	retrans, err := durationUnits(ra.RetransmitTimer, time.Millisecond, math.MaxUint32)
	if err != nil {
		return nil, fmt.Errorf("ndp: marshal router advertisement: retransmit timer: %w", err)
	}

	b := make([]byte, raHeaderLen, raHeaderLen+8*len(ra.Options))
	b[0] = TypeRouterAdvertisement
	// b[1] code 0, b[2:4] checksum 0.
	b[4] = ra.CurrentHopLimit
	var flags byte
	if ra.ManagedConfiguration {
		flags |= 0x80
	}
	if ra.OtherConfiguration {
		flags |= 0x40
	}
	if ra.HomeAgent {
		flags |= 0x20
	}
	flags |= byte(ra.Preference) << 3
	b[5] = flags
	binary.BigEndian.PutUint16(b[6:8], uint16(lifetime))
	binary.BigEndian.PutUint32(b[8:12], uint32(reachable))
	binary.BigEndian.PutUint32(b[12:16], uint32(retrans))

	opts, err := marshalOptions(ra.Options)
	if err != nil {
		return nil, fmt.Errorf("ndp: marshal router advertisement: %w", err)
	}
	return append(b, opts...), nil
}

// RouterSolicitation is an ICMPv6 Router Solicitation (RFC 4861 §4.1). Its
// only defined option is the Source Link-Layer Address, which is absent when
// the source address is the unspecified address or the link has no
// link-layer address (PPP).
type RouterSolicitation struct {
	SourceLinkLayerAddress net.HardwareAddr
}

// ParseRouterSolicitation parses an ICMPv6 Router Solicitation (type 133).
// The address of the first Source Link-Layer Address option is kept; other
// options are checked for well-formedness and dropped. As with
// [ParseRouterAdvertisement], a malformed option returns the solicitation
// parsed so far with an error matching [ErrMalformedOption], and a truncated
// header returns (nil, error wrapping io.ErrUnexpectedEOF).
func ParseRouterSolicitation(icmp []byte) (*RouterSolicitation, error) {
	if len(icmp) < rsHeaderLen {
		return nil, fmt.Errorf("ndp: router solicitation is %d octets, the fixed header needs %d: %w",
			len(icmp), rsHeaderLen, io.ErrUnexpectedEOF)
	}
	if icmp[0] != TypeRouterSolicitation {
		return nil, fmt.Errorf("ndp: parse router solicitation: ICMPv6 type %d: %w", icmp[0], errWrongType)
	}
	opts, err := parseOptions(icmp[rsHeaderLen:], rsHeaderLen)
	rs := &RouterSolicitation{}
	for _, o := range opts {
		if lla, ok := o.(*LinkLayerAddress); ok && lla.Direction == Source {
			rs.SourceLinkLayerAddress = lla.Addr
			break
		}
	}
	return rs, err
}

// MarshalRouterSolicitation returns the ICMPv6 Router Solicitation bytes with
// a zero checksum; the IPv6 layer fills in the checksum. The Source
// Link-Layer Address option is omitted when the address is empty, as RFC 4861
// §4.1 requires when the source is :: and as PPP links need. An address too
// long for one option (over 2038 octets) cannot be encoded and is omitted too.
func MarshalRouterSolicitation(rs RouterSolicitation) []byte {
	b := make([]byte, rsHeaderLen, rsHeaderLen+8)
	b[0] = TypeRouterSolicitation
	if len(rs.SourceLinkLayerAddress) == 0 {
		return b
	}
	opt, err := (&LinkLayerAddress{Direction: Source, Addr: rs.SourceLinkLayerAddress}).marshal()
	if err != nil {
		return b
	}
	return append(b, opt...)
}

// durationUnits converts d to a whole number of units no larger than max.
func durationUnits(d, unit time.Duration, max uint64) (uint64, error) {
	if d < 0 {
		return 0, fmt.Errorf("negative duration %s", d)
	}
	n := uint64(d / unit)
	if n > max {
		return 0, fmt.Errorf("%s is more than %d × %s", d, max, unit)
	}
	return n, nil
}
