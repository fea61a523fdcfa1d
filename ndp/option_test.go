package ndp

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cmpOpts lets cmp look inside netip values.
var cmpOpts = []cmp.Option{cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})}

func mtu(v uint32) *MTU { m := MTU(v); return &m }

func mustMAC(t *testing.T, s string) net.HardwareAddr {
	t.Helper()
	mac, err := net.ParseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return mac
}

// zeros returns n zero octets, for long prefixes of padding.
func zeros(n int) []byte { return make([]byte, n) }

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

// testOptionRoundTrip checks marshal → bytes → parse → value for one option.
func testOptionRoundTrip(t *testing.T, o Option, wire []byte) {
	t.Helper()
	got, err := o.marshal()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if diff := cmp.Diff(wire, got); diff != "" {
		t.Fatalf("marshal bytes (-want +got):\n%s", diff)
	}
	opts, err := parseOptions(wire, 0)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if diff := cmp.Diff([]Option{o}, opts, cmpOpts...); diff != "" {
		t.Fatalf("parse (-want +got):\n%s", diff)
	}
}

func TestLinkLayerAddress(t *testing.T) {
	tests := []struct {
		name string
		opt  *LinkLayerAddress
		wire []byte
	}{
		{
			name: "source ethernet",
			opt:  &LinkLayerAddress{Direction: Source, Addr: mustMAC(t, "de:ad:be:ef:00:01")},
			wire: []byte{
				0x01, 0x01, // type 1 (source), length 1 (8 octets)
				0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, // MAC
			},
		},
		{
			name: "target ethernet",
			opt:  &LinkLayerAddress{Direction: Target, Addr: mustMAC(t, "02:00:00:00:00:ff")},
			wire: []byte{
				0x02, 0x01, // type 2 (target), length 1
				0x02, 0x00, 0x00, 0x00, 0x00, 0xff,
			},
		},
		{
			name: "long link layer address keeps padding",
			opt: &LinkLayerAddress{Direction: Source, Addr: net.HardwareAddr{
				1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0}},
			wire: []byte{
				0x01, 0x02, // type 1, length 2 (16 octets)
				1, 2, 3, 4, 5, 6, 7, 8, // 8-octet address (EUI-64)
				0, 0, 0, 0, 0, 0, // padding, kept since the option has no address length
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testOptionRoundTrip(t, tt.opt, tt.wire) })
	}
}

func TestMTU(t *testing.T) {
	testOptionRoundTrip(t, mtu(1492), []byte{
		0x05, 0x01, // type 5, length 1
		0x00, 0x00, // reserved
		0x00, 0x00, 0x05, 0xd4, // 1492
	})
}

func TestPrefixInformation(t *testing.T) {
	tests := []struct {
		name string
		opt  *PrefixInformation
		wire []byte
	}{
		{
			name: "slaac /64",
			opt: &PrefixInformation{
				Prefix:            netip.MustParsePrefix("2001:db8:1:2::/64"),
				OnLink:            true,
				Autonomous:        true,
				ValidLifetime:     2 * time.Hour,
				PreferredLifetime: time.Hour,
			},
			wire: []byte{
				0x03, 0x04, // type 3, length 4 (32 octets)
				64,                     // prefix length
				0xc0,                   // L, A
				0x00, 0x00, 0x1c, 0x20, // valid 7200 s
				0x00, 0x00, 0x0e, 0x10, // preferred 3600 s
				0x00, 0x00, 0x00, 0x00, // reserved2
				0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x02, // 2001:db8:1:2::
				0, 0, 0, 0, 0, 0, 0, 0,
			},
		},
		{
			name: "infinite lifetimes, all flags, /56",
			opt: &PrefixInformation{
				Prefix:            netip.MustParsePrefix("2001:db8:ff00::/56"),
				OnLink:            true,
				Autonomous:        true,
				RouterAddress:     true,
				DHCPv6PD:          true,
				ValidLifetime:     Infinity,
				PreferredLifetime: Infinity,
			},
			wire: []byte{
				0x03, 0x04,
				56,                     // prefix length
				0xf0,                   // L, A, R, P
				0xff, 0xff, 0xff, 0xff, // valid: infinity
				0xff, 0xff, 0xff, 0xff, // preferred: infinity
				0x00, 0x00, 0x00, 0x00,
				0x20, 0x01, 0x0d, 0xb8, 0xff, 0x00, 0x00, 0x00,
				0, 0, 0, 0, 0, 0, 0, 0,
			},
		},
		{
			name: "no flags, zero lifetimes (deprecation)",
			opt:  &PrefixInformation{Prefix: netip.MustParsePrefix("2001:db8::/64")},
			wire: []byte{
				0x03, 0x04, 64, 0x00,
				0, 0, 0, 0, // valid 0
				0, 0, 0, 0, // preferred 0
				0, 0, 0, 0,
				0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				0, 0, 0, 0, 0, 0, 0, 0,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testOptionRoundTrip(t, tt.opt, tt.wire) })
	}
}

func TestPrefixInformationHostBitsMasked(t *testing.T) {
	// RFC 4861 §4.6.2: bits after the prefix length are ignored by the receiver.
	wire := []byte{
		0x03, 0x04, 48, 0x80,
		0, 0, 0, 60, 0, 0, 0, 30, 0, 0, 0, 0,
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0xab, 0xcd, // host bits beyond /48 set
		0, 0, 0, 0, 0, 0, 0, 1,
	}
	opts, err := parseOptions(wire, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Option{&PrefixInformation{
		Prefix: netip.MustParsePrefix("2001:db8:1::/48"), OnLink: true,
		ValidLifetime: time.Minute, PreferredLifetime: 30 * time.Second,
	}}
	if diff := cmp.Diff(want, opts, cmpOpts...); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestRouteInformation(t *testing.T) {
	tests := []struct {
		name string
		opt  *RouteInformation
		wire []byte
	}{
		{
			name: "default route, length 1",
			opt:  &RouteInformation{Prefix: netip.MustParsePrefix("::/0"), Preference: PreferenceLow, RouteLifetime: 30 * time.Minute},
			wire: []byte{
				0x18, 0x01, // type 24, length 1
				0,                      // prefix length 0
				0x18,                   // preference 11 (low) in bits 3-4
				0x00, 0x00, 0x07, 0x08, // 1800 s
			},
		},
		{
			name: "/48, length 2",
			opt:  &RouteInformation{Prefix: netip.MustParsePrefix("2001:db8:aa::/48"), Preference: PreferenceHigh, RouteLifetime: Infinity},
			wire: []byte{
				0x18, 0x02, 48, 0x08, // length 2, /48, preference 01 (high)
				0xff, 0xff, 0xff, 0xff, // infinity
				0x20, 0x01, 0x0d, 0xb8, 0x00, 0xaa, 0x00, 0x00, // first 8 octets of the prefix
			},
		},
		{
			name: "/96, length 3",
			opt:  &RouteInformation{Prefix: netip.MustParsePrefix("2001:db8::1:0:0/96"), RouteLifetime: time.Second},
			wire: []byte{
				0x18, 0x03, 96, 0x00,
				0, 0, 0, 1,
				0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				0, 0, 0, 1, 0, 0, 0, 0,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testOptionRoundTrip(t, tt.opt, tt.wire) })
	}
}

func TestRecursiveDNSServer(t *testing.T) {
	tests := []struct {
		name string
		opt  *RecursiveDNSServer
		wire []byte
	}{
		{
			name: "one server",
			opt:  &RecursiveDNSServer{Lifetime: 10 * time.Minute, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
			wire: []byte{
				0x19, 0x03, // type 25, length 3
				0x00, 0x00, // reserved
				0x00, 0x00, 0x02, 0x58, // 600 s
				0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x53,
			},
		},
		{
			name: "two servers, infinite",
			opt: &RecursiveDNSServer{Lifetime: Infinity, Servers: []netip.Addr{
				netip.MustParseAddr("fe80::1"), netip.MustParseAddr("2001:db8::2")}},
			wire: []byte{
				0x19, 0x05, 0x00, 0x00, // length 5
				0xff, 0xff, 0xff, 0xff,
				0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
				0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testOptionRoundTrip(t, tt.opt, tt.wire) })
	}
}

func TestDNSSearchList(t *testing.T) {
	tests := []struct {
		name string
		opt  *DNSSearchList
		wire []byte
	}{
		{
			name: "one name",
			opt:  &DNSSearchList{Lifetime: 10 * time.Minute, DomainNames: []string{"lan"}},
			wire: []byte{
				0x1f, 0x02, // type 31, length 2
				0x00, 0x00, // reserved
				0x00, 0x00, 0x02, 0x58, // 600 s
				3, 'l', 'a', 'n', 0, // "lan."
				0, 0, 0, // padding
			},
		},
		{
			name: "two names, exact fit",
			opt:  &DNSSearchList{Lifetime: time.Second, DomainNames: []string{"example.com", "a.io"}},
			wire: []byte{
				0x1f, 0x04, 0x00, 0x00, // length 4 (32 octets)
				0, 0, 0, 1,
				7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, // 13 octets
				1, 'a', 2, 'i', 'o', 0, // 6 octets
				0, 0, 0, 0, 0, // padding to 32
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testOptionRoundTrip(t, tt.opt, tt.wire) })
	}
}

func TestRawOption(t *testing.T) {
	// PREF64 (RFC 8781) is not interpreted: it stays raw.
	testOptionRoundTrip(t, &RawOption{Type: 38, Length: 2, Value: []byte{
		0x07, 0x08, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}},
		[]byte{
			0x26, 0x02, // type 38, length 2
			0x07, 0x08, // scaled lifetime 225, PLC 0 (/96)
			0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, // 64:ff9b::
		})
}

func TestOptionMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		opt  Option
	}{
		{"empty link-layer address", &LinkLayerAddress{Direction: Source}},
		{"bad direction", &LinkLayerAddress{Direction: 3, Addr: net.HardwareAddr{1, 2, 3, 4, 5, 6}}},
		{"link-layer address too long", &LinkLayerAddress{Direction: Source, Addr: make(net.HardwareAddr, 2039)}},
		{"IPv4 prefix", &PrefixInformation{Prefix: netip.MustParsePrefix("192.0.2.0/24")}},
		{"zero prefix", &PrefixInformation{}},
		{"negative lifetime", &PrefixInformation{Prefix: netip.MustParsePrefix("2001:db8::/64"), ValidLifetime: -time.Second}},
		{"route bad preference", &RouteInformation{Prefix: netip.MustParsePrefix("::/0"), Preference: 4}},
		{"RDNSS without servers", &RecursiveDNSServer{}},
		{"RDNSS IPv4 server", &RecursiveDNSServer{Servers: []netip.Addr{netip.MustParseAddr("192.0.2.1")}}},
		{"RDNSS too many servers", &RecursiveDNSServer{Servers: make([]netip.Addr, 128)}},
		{"DNSSL without names", &DNSSearchList{}},
		{"DNSSL empty name", &DNSSearchList{DomainNames: []string{"."}}},
		{"DNSSL empty label", &DNSSearchList{DomainNames: []string{"a..b"}}},
		{"DNSSL label too long", &DNSSearchList{DomainNames: []string{strings.Repeat("a", 64)}}},
		{"DNSSL name too long", &DNSSearchList{DomainNames: []string{strings.Repeat("abcdefg.", 32)}}},
		{"DNSSL space in label", &DNSSearchList{DomainNames: []string{"my lan"}}},
		{"raw length mismatch", &RawOption{Type: 99, Length: 1, Value: []byte{1}}},
		{"raw length zero", &RawOption{Type: 99}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := tt.opt.marshal(); err == nil {
				t.Fatalf("marshal succeeded: % x", b)
			}
		})
	}
}

func TestInfinitySaturates(t *testing.T) {
	o := &RecursiveDNSServer{Lifetime: time.Duration(1<<63 - 1), Servers: []netip.Addr{netip.IPv6Loopback()}}
	b, err := o.marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b[4:8], []byte{0xff, 0xff, 0xff, 0xff}) {
		t.Fatalf("lifetime octets % x, want ff ff ff ff", b[4:8])
	}
	if got := lifetimeString(Infinity); got != "infinity" {
		t.Fatalf("lifetimeString(Infinity) = %q", got)
	}
}

// TestMalformedOptions feeds option areas that must not parse cleanly and
// checks the error, what survived, and that parsing stops.
func TestMalformedOptions(t *testing.T) {
	pio := func(plen byte) []byte {
		return cat([]byte{0x03, 0x04, plen, 0xc0, 0, 0, 0, 60, 0, 0, 0, 30, 0, 0, 0, 0}, zeros(16))
	}
	tests := []struct {
		name     string
		wire     []byte
		want     []Option // what parsed
		index    int      // OptionError.Index
		typ      uint8
		reason   error // errors.Is on the reason, or nil to skip
		contains string
	}{
		{
			name:   "length zero stops parsing",
			wire:   []byte{0x05, 0x01, 0, 0, 0, 0, 0x05, 0xdc, 0x19, 0x00, 0, 0, 0, 0, 0, 0, 0x05, 0x01, 0, 0, 0, 0, 0x05, 0x00},
			want:   []Option{mtu(1500)},
			index:  1,
			typ:    25,
			reason: errOptionLengthZero,
		},
		{
			name:   "length zero first",
			wire:   []byte{0x01, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01},
			index:  0,
			typ:    1,
			reason: errOptionLengthZero,
		},
		{
			name:   "option runs past end",
			wire:   []byte{0x19, 0x03, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x20, 0x01},
			index:  0,
			typ:    25,
			reason: io.ErrUnexpectedEOF,
		},
		{
			name:   "SLLA of length 255 on a short packet",
			wire:   []byte{0x01, 0xff, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01},
			index:  0,
			typ:    1,
			reason: errOptionPastEnd,
		},
		{
			name:   "one trailing octet",
			wire:   []byte{0x05, 0x01, 0, 0, 0, 0, 0x05, 0xdc, 0x03},
			want:   []Option{mtu(1500)},
			index:  1,
			typ:    3,
			reason: io.ErrUnexpectedEOF,
		},
		{
			name: "RDNSS length 2 is kept raw and parsing goes on",
			wire: []byte{
				0x19, 0x02, 0, 0, 0, 0, 0, 60, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, // RDNSS, length 2: even
				0x05, 0x01, 0, 0, 0, 0, 0x05, 0xdc, // MTU 1500 after it
			},
			want: []Option{
				&RawOption{Type: 25, Length: 2, Value: []byte{0, 0, 0, 0, 0, 60, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0}},
				mtu(1500),
			},
			index:    0,
			typ:      25,
			contains: "odd and at least 3",
		},
		{
			name:     "RDNSS length 1",
			wire:     []byte{0x19, 0x01, 0, 0, 0, 0, 0, 60},
			want:     []Option{&RawOption{Type: 25, Length: 1, Value: []byte{0, 0, 0, 0, 0, 60}}},
			typ:      25,
			contains: "odd and at least 3",
		},
		{
			name:     "RDNSS length 4",
			wire:     cat([]byte{0x19, 0x04, 0, 0, 0, 0, 0, 60}, zeros(24)),
			want:     []Option{&RawOption{Type: 25, Length: 4, Value: cat([]byte{0, 0, 0, 0, 0, 60}, zeros(24))}},
			typ:      25,
			contains: "odd",
		},
		{
			name: "DNSSL compression pointer",
			wire: []byte{
				0x1f, 0x02, 0, 0, 0, 0, 0, 60,
				3, 'l', 'a', 'n', 0xc0, 0x08, 0, 0, // "lan" then a pointer
			},
			want:     []Option{&RawOption{Type: 31, Length: 2, Value: []byte{0, 0, 0, 0, 0, 60, 3, 'l', 'a', 'n', 0xc0, 0x08, 0, 0}}},
			typ:      31,
			contains: "compression pointer",
		},
		{
			name: "DNSSL pointer loop",
			wire: []byte{
				0x1f, 0x02, 0, 0, 0, 0, 0, 60,
				0xc0, 0x08, 0, 0, 0, 0, 0, 0, // a pointer to itself
			},
			want:     []Option{&RawOption{Type: 31, Length: 2, Value: []byte{0, 0, 0, 0, 0, 60, 0xc0, 0x08, 0, 0, 0, 0, 0, 0}}},
			typ:      31,
			contains: "compression pointer",
		},
		{
			name: "DNSSL label past end",
			wire: []byte{
				0x1f, 0x02, 0, 0, 0, 0, 0, 60,
				7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', // 7-octet label fills the option: no room for the root label
			},
			want:     []Option{&RawOption{Type: 31, Length: 2, Value: []byte{0, 0, 0, 0, 0, 60, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e'}}},
			typ:      31,
			contains: "without a root label",
		},
		{
			name: "DNSSL label length past end",
			wire: []byte{
				0x1f, 0x02, 0, 0, 0, 0, 0, 60,
				3, 'l', 'a', 'n', 9, 'x', 'y', 'z', // label of 9 octets, 3 left
			},
			want:     []Option{&RawOption{Type: 31, Length: 2, Value: []byte{0, 0, 0, 0, 0, 60, 3, 'l', 'a', 'n', 9, 'x', 'y', 'z'}}},
			typ:      31,
			contains: "runs past the end",
		},
		{
			name:     "DNSSL only padding",
			wire:     cat([]byte{0x1f, 0x02, 0, 0, 0, 0, 0, 60}, zeros(8)),
			want:     []Option{&RawOption{Type: 31, Length: 2, Value: cat([]byte{0, 0, 0, 0, 0, 60}, zeros(8))}},
			typ:      31,
			contains: "no domain name",
		},
		{
			name:     "DNSSL garbage in padding",
			wire:     []byte{0x1f, 0x02, 0, 0, 0, 0, 0, 60, 1, 'a', 0, 0, 0, 0, 0, 7},
			want:     []Option{&RawOption{Type: 31, Length: 2, Value: []byte{0, 0, 0, 0, 0, 60, 1, 'a', 0, 0, 0, 0, 0, 7}}},
			typ:      31,
			contains: "padding",
		},
		{
			name:     "RIO /48 in length 1",
			wire:     []byte{0x18, 0x01, 48, 0x00, 0, 0, 0, 60},
			want:     []Option{&RawOption{Type: 24, Length: 1, Value: []byte{48, 0x00, 0, 0, 0, 60}}},
			typ:      24,
			contains: "needs option length 2 or 3",
		},
		{
			name:     "RIO /80 in length 2",
			wire:     cat([]byte{0x18, 0x02, 80, 0x00, 0, 0, 0, 60}, zeros(8)),
			want:     []Option{&RawOption{Type: 24, Length: 2, Value: cat([]byte{80, 0x00, 0, 0, 0, 60}, zeros(8))}},
			typ:      24,
			contains: "needs option length 3",
		},
		{
			name:     "RIO length 4",
			wire:     cat([]byte{0x18, 0x04, 64, 0x00, 0, 0, 0, 60}, zeros(24)),
			want:     []Option{&RawOption{Type: 24, Length: 4, Value: cat([]byte{64, 0x00, 0, 0, 0, 60}, zeros(24))}},
			typ:      24,
			contains: "must be 1, 2 or 3",
		},
		{
			name:     "RIO prefix length 129",
			wire:     cat([]byte{0x18, 0x03, 129, 0x00, 0, 0, 0, 60}, zeros(16)),
			want:     []Option{&RawOption{Type: 24, Length: 3, Value: cat([]byte{129, 0x00, 0, 0, 0, 60}, zeros(16))}},
			typ:      24,
			contains: "more than 128",
		},
		{
			name:     "PIO prefix length 200",
			wire:     pio(200),
			want:     []Option{&RawOption{Type: 3, Length: 4, Value: pio(200)[2:]}},
			typ:      3,
			contains: "more than 128",
		},
		{
			name:     "PIO length 3",
			wire:     cat([]byte{0x03, 0x03, 64, 0xc0}, zeros(20)),
			want:     []Option{&RawOption{Type: 3, Length: 3, Value: cat([]byte{64, 0xc0}, zeros(20))}},
			typ:      3,
			contains: "must be 4",
		},
		{
			name:     "MTU length 2",
			wire:     cat([]byte{0x05, 0x02, 0, 0, 0, 0, 0x05, 0xdc}, zeros(8)),
			want:     []Option{&RawOption{Type: 5, Length: 2, Value: cat([]byte{0, 0, 0, 0, 0x05, 0xdc}, zeros(8))}},
			typ:      5,
			contains: "must be 1",
		},
		{
			name: "first error wins, later options still parse",
			wire: cat(
				[]byte{0x05, 0x02, 0, 0, 0, 0, 0x05, 0xdc}, zeros(8), // bad MTU
				pio(129), // bad PIO
				[]byte{0x01, 0x01, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01}, // good SLLA
			),
			want: []Option{
				&RawOption{Type: 5, Length: 2, Value: cat([]byte{0, 0, 0, 0, 0x05, 0xdc}, zeros(8))},
				&RawOption{Type: 3, Length: 4, Value: pio(129)[2:]},
				&LinkLayerAddress{Direction: Source, Addr: net.HardwareAddr{0xde, 0xad, 0xbe, 0xef, 0x00, 0x01}},
			},
			typ:      5,
			contains: "must be 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseOptions(tt.wire, 16)
			if diff := cmp.Diff(tt.want, got, cmpOpts...); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
			if !errors.Is(err, ErrMalformedOption) {
				t.Fatalf("error %v does not match ErrMalformedOption", err)
			}
			var oe *OptionError
			if !errors.As(err, &oe) {
				t.Fatalf("error %v is not an *OptionError", err)
			}
			if oe.Index != tt.index || oe.Type != tt.typ {
				t.Errorf("option error index %d type %d, want index %d type %d (%v)", oe.Index, oe.Type, tt.index, tt.typ, err)
			}
			if tt.reason != nil && !errors.Is(err, tt.reason) {
				t.Errorf("error %v does not match %v", err, tt.reason)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
			if !strings.HasPrefix(err.Error(), "ndp: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestOptionStrings(t *testing.T) {
	tests := []struct {
		opt  interface{ String() string }
		want string
	}{
		{&LinkLayerAddress{Direction: Source, Addr: net.HardwareAddr{0, 0x11, 0x22, 0x33, 0x44, 0x55}}, "source link-layer address 00:11:22:33:44:55"},
		{mtu(1492), "MTU 1492"},
		{&PrefixInformation{Prefix: netip.MustParsePrefix("2001:db8::/64"), OnLink: true, Autonomous: true, ValidLifetime: Infinity, PreferredLifetime: time.Hour},
			"prefix 2001:db8::/64 on-link autonomous, valid infinity, preferred 1h0m0s"},
		{&RouteInformation{Prefix: netip.MustParsePrefix("::/0"), Preference: PreferenceHigh, RouteLifetime: time.Minute}, "route ::/0 preference high, lifetime 1m0s"},
		{&RecursiveDNSServer{Lifetime: time.Minute, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53"), netip.MustParseAddr("2001:db8::54")}},
			"RDNSS 2001:db8::53, 2001:db8::54, lifetime 1m0s"},
		{&DNSSearchList{Lifetime: time.Minute, DomainNames: []string{"lan", "example.com"}}, "DNSSL lan, example.com, lifetime 1m0s"},
		{&RawOption{Type: 38, Length: 1, Value: []byte{1, 2, 3, 4, 5, 6}}, "option 38 (PREF64), length 1: 010203040506"},
		{PreferenceReserved, "reserved"},
		{Preference(9), "Preference(9)"},
	}
	for _, tt := range tests {
		if got := tt.opt.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
