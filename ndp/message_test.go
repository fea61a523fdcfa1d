package ndp

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRouterAdvertisementRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		ra   *RouterAdvertisement
		wire []byte
	}{
		{
			name: "header only",
			ra: &RouterAdvertisement{
				CurrentHopLimit: 64,
				RouterLifetime:  30 * time.Minute,
			},
			wire: []byte{
				134, 0, // type, code
				0, 0, // checksum, left to the IPv6 layer
				64,         // current hop limit
				0x00,       // M=0 O=0 H=0 Prf=00
				0x07, 0x08, // router lifetime 1800 s
				0, 0, 0, 0, // reachable time
				0, 0, 0, 0, // retransmit timer
			},
		},
		{
			name: "all flags, high preference, timers",
			ra: &RouterAdvertisement{
				CurrentHopLimit:      255,
				ManagedConfiguration: true,
				OtherConfiguration:   true,
				HomeAgent:            true,
				Preference:           PreferenceHigh,
				RouterLifetime:       65535 * time.Second,
				ReachableTime:        30 * time.Second,
				RetransmitTimer:      1500 * time.Millisecond,
			},
			wire: []byte{
				134, 0, 0, 0,
				255,
				0xe8,       // M, O, H, Prf=01 (0x08)
				0xff, 0xff, // 65535 s
				0x00, 0x00, 0x75, 0x30, // 30000 ms
				0x00, 0x00, 0x05, 0xdc, // 1500 ms
			},
		},
		{
			name: "low preference, typical OpenWrt WAN options",
			ra: &RouterAdvertisement{
				CurrentHopLimit:    64,
				OtherConfiguration: true,
				Preference:         PreferenceLow,
				RouterLifetime:     1800 * time.Second,
				Options: []Option{
					&LinkLayerAddress{Direction: Source, Addr: net.HardwareAddr{0x02, 0, 0, 0, 0, 1}},
					mtu(1492),
					&PrefixInformation{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), OnLink: true, Autonomous: true,
						ValidLifetime: 86400 * time.Second, PreferredLifetime: 14400 * time.Second},
					&RecursiveDNSServer{Lifetime: 1800 * time.Second, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
					&DNSSearchList{Lifetime: 1800 * time.Second, DomainNames: []string{"isp.example"}},
					&RouteInformation{Prefix: netip.MustParsePrefix("2001:db8::/32"), RouteLifetime: 1800 * time.Second},
				},
			},
			wire: []byte{
				134, 0, 0, 0, 64,
				0x58,       // O, Prf=11 (0x18)
				0x07, 0x08, // 1800 s
				0, 0, 0, 0, 0, 0, 0, 0,
				// SLLA
				0x01, 0x01, 0x02, 0, 0, 0, 0, 1,
				// MTU 1492
				0x05, 0x01, 0, 0, 0x00, 0x00, 0x05, 0xd4,
				// PIO 2001:db8:1::/64 L A 86400/14400
				0x03, 0x04, 64, 0xc0,
				0x00, 0x01, 0x51, 0x80,
				0x00, 0x00, 0x38, 0x40,
				0, 0, 0, 0,
				0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
				// RDNSS
				0x19, 0x03, 0, 0, 0x00, 0x00, 0x07, 0x08,
				0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x53,
				// DNSSL "isp.example", 13 octets of name, 3 of padding
				0x1f, 0x03, 0, 0, 0x00, 0x00, 0x07, 0x08,
				3, 'i', 's', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 0, 0,
				// RIO 2001:db8::/32, medium
				0x18, 0x02, 32, 0x00, 0x00, 0x00, 0x07, 0x08,
				0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.ra.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if diff := cmp.Diff(tt.wire, got); diff != "" {
				t.Fatalf("Marshal bytes (-want +got):\n%s", diff)
			}
			ra, err := ParseRouterAdvertisement(tt.wire)
			if err != nil {
				t.Fatalf("ParseRouterAdvertisement: %v", err)
			}
			if diff := cmp.Diff(tt.ra, ra, cmpOpts...); diff != "" {
				t.Fatalf("parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRouterAdvertisementAccessors(t *testing.T) {
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	pio := PrefixInformation{Prefix: netip.MustParsePrefix("2001:db8::/64"), OnLink: true}
	rdnss := RecursiveDNSServer{Lifetime: time.Minute, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::1")}}
	dnssl := DNSSearchList{Lifetime: time.Minute, DomainNames: []string{"lan"}}
	rio := RouteInformation{Prefix: netip.MustParsePrefix("::/0")}
	ra := &RouterAdvertisement{Options: []Option{
		&LinkLayerAddress{Direction: Target, Addr: net.HardwareAddr{9, 9, 9, 9, 9, 9}},
		&LinkLayerAddress{Direction: Source, Addr: mac},
		mtu(1480), mtu(9000), // the first MTU counts
		&pio, &rdnss, &dnssl, &rio, &pio,
		&RawOption{Type: 38, Length: 1, Value: make([]byte, 6)},
	}}
	if got := ra.SourceLinkLayerAddress(); got.String() != mac.String() {
		t.Errorf("SourceLinkLayerAddress() = %v, want %v", got, mac)
	}
	if got, ok := ra.MTU(); got != 1480 || !ok {
		t.Errorf("MTU() = %d, %t, want 1480, true", got, ok)
	}
	if diff := cmp.Diff([]PrefixInformation{pio, pio}, ra.Prefixes(), cmpOpts...); diff != "" {
		t.Errorf("Prefixes() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]RecursiveDNSServer{rdnss}, ra.RDNSS(), cmpOpts...); diff != "" {
		t.Errorf("RDNSS() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]DNSSearchList{dnssl}, ra.DNSSL(), cmpOpts...); diff != "" {
		t.Errorf("DNSSL() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]RouteInformation{rio}, ra.Routes(), cmpOpts...); diff != "" {
		t.Errorf("Routes() (-want +got):\n%s", diff)
	}

	empty := &RouterAdvertisement{}
	if got := empty.SourceLinkLayerAddress(); got != nil {
		t.Errorf("SourceLinkLayerAddress() on no options = %v, want nil", got)
	}
	if _, ok := empty.MTU(); ok {
		t.Error("MTU() on no options reported one")
	}
	if empty.Prefixes() != nil || empty.RDNSS() != nil || empty.DNSSL() != nil || empty.Routes() != nil {
		t.Error("accessors on no options returned non-nil slices")
	}
}

func TestParseRouterAdvertisementErrors(t *testing.T) {
	tests := []struct {
		name    string
		wire    []byte
		wantNil bool
		is      []error
	}{
		{"empty", nil, true, []error{io.ErrUnexpectedEOF}},
		{"truncated header", []byte{134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0}, true, []error{io.ErrUnexpectedEOF}},
		{"router solicitation", []byte{133, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true, []error{errWrongType}},
		{
			"option length zero",
			[]byte{134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 1, 2, 3, 4, 5, 6},
			false, []error{ErrMalformedOption, errOptionLengthZero},
		},
		{
			"SLLA length 255 on a short packet",
			[]byte{134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 1, 2, 3, 4, 5, 6},
			false, []error{ErrMalformedOption, errOptionPastEnd, io.ErrUnexpectedEOF},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ra, err := ParseRouterAdvertisement(tt.wire)
			if err == nil {
				t.Fatal("no error")
			}
			if (ra == nil) != tt.wantNil {
				t.Fatalf("ra = %v, want nil %t", ra, tt.wantNil)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("error %v does not match %v", err, target)
				}
			}
			if !strings.HasPrefix(err.Error(), "ndp: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// A malformed option must not make the RA vanish: the header and the good
// options come back with the error.
func TestParseRouterAdvertisementPartial(t *testing.T) {
	wire := []byte{
		134, 0, 0, 0, 64, 0x40, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,
		0x05, 0x01, 0, 0, 0x00, 0x00, 0x05, 0xdc, // MTU 1500
		0x19, 0x02, 0, 0, 0, 0, 0, 60, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, // RDNSS length 2
		0x01, 0x01, 0x02, 0, 0, 0, 0, 1, // SLLA
	}
	ra, err := ParseRouterAdvertisement(wire)
	if !errors.Is(err, ErrMalformedOption) {
		t.Fatalf("error %v, want ErrMalformedOption", err)
	}
	want := &RouterAdvertisement{
		CurrentHopLimit:    64,
		OtherConfiguration: true,
		RouterLifetime:     30 * time.Minute,
		Options: []Option{
			mtu(1500),
			&RawOption{Type: 25, Length: 2, Value: []byte{0, 0, 0, 0, 0, 60, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0}},
			&LinkLayerAddress{Direction: Source, Addr: net.HardwareAddr{0x02, 0, 0, 0, 0, 1}},
		},
	}
	if diff := cmp.Diff(want, ra, cmpOpts...); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	var oe *OptionError
	if !errors.As(err, &oe) || oe.Index != 1 || oe.Offset != 24 || oe.Type != 25 {
		t.Fatalf("error %#v, want option 1 at offset 24, type 25", oe)
	}
	const wantMsg = "ndp: option 1 (type 25, RDNSS) at offset 24: RDNSS option length is 2, must be odd and at least 3"
	if err.Error() != wantMsg {
		t.Fatalf("error %q, want %q", err, wantMsg)
	}
}

func TestRouterAdvertisementMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		ra   RouterAdvertisement
	}{
		{"router lifetime too long", RouterAdvertisement{RouterLifetime: 65536 * time.Second}},
		{"negative router lifetime", RouterAdvertisement{RouterLifetime: -time.Second}},
		{"reachable time too long", RouterAdvertisement{ReachableTime: (1 << 32) * time.Millisecond}},
		{"negative retransmit timer", RouterAdvertisement{RetransmitTimer: -1}},
		{"bad preference", RouterAdvertisement{Preference: 4}},
		{"nil option", RouterAdvertisement{Options: []Option{nil}}},
		{"bad option", RouterAdvertisement{Options: []Option{&RecursiveDNSServer{}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := tt.ra.Marshal(); err == nil {
				t.Fatalf("Marshal succeeded: % x", b)
			}
		})
	}
}

func TestRouterSolicitation(t *testing.T) {
	tests := []struct {
		name string
		rs   RouterSolicitation
		wire []byte
	}{
		{
			name: "no SLLA (source :: or PPP)",
			wire: []byte{
				133, 0, // type, code
				0, 0, // checksum, left to the IPv6 layer
				0, 0, 0, 0, // reserved
			},
		},
		{
			name: "ethernet SLLA",
			rs:   RouterSolicitation{SourceLinkLayerAddress: net.HardwareAddr{0x00, 0x0c, 0x29, 0x61, 0xf5, 0x5f}},
			wire: []byte{
				133, 0, 0, 0, 0, 0, 0, 0,
				0x01, 0x01, // SLLA, length 1
				0x00, 0x0c, 0x29, 0x61, 0xf5, 0x5f,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MarshalRouterSolicitation(tt.rs)
			if diff := cmp.Diff(tt.wire, got); diff != "" {
				t.Fatalf("MarshalRouterSolicitation (-want +got):\n%s", diff)
			}
			rs, err := ParseRouterSolicitation(tt.wire)
			if err != nil {
				t.Fatalf("ParseRouterSolicitation: %v", err)
			}
			if diff := cmp.Diff(&tt.rs, rs); diff != "" {
				t.Fatalf("parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRouterSolicitationEdgeCases(t *testing.T) {
	// An empty but non-nil address is omitted like a nil one.
	if got := MarshalRouterSolicitation(RouterSolicitation{SourceLinkLayerAddress: net.HardwareAddr{}}); len(got) != 8 {
		t.Errorf("empty SLLA: % x, want 8 octets", got)
	}
	// An address too long for the option is omitted rather than panicking.
	if got := MarshalRouterSolicitation(RouterSolicitation{SourceLinkLayerAddress: make(net.HardwareAddr, 4000)}); len(got) != 8 {
		t.Errorf("huge SLLA: %d octets, want 8", len(got))
	}

	if _, err := ParseRouterSolicitation([]byte{133, 0, 0, 0, 0, 0, 0}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: %v, want io.ErrUnexpectedEOF", err)
	}
	if _, err := ParseRouterSolicitation(make([]byte, 8)); !errors.Is(err, errWrongType) {
		t.Errorf("type 0: %v, want errWrongType", err)
	}
	rs, err := ParseRouterSolicitation([]byte{
		133, 0, 0, 0, 0, 0, 0, 0,
		0x01, 0x01, 1, 2, 3, 4, 5, 6,
		0x01, 0x00, // length 0
	})
	if !errors.Is(err, errOptionLengthZero) {
		t.Errorf("length zero: %v, want errOptionLengthZero", err)
	}
	if rs == nil || rs.SourceLinkLayerAddress.String() != "01:02:03:04:05:06" {
		t.Errorf("length zero: rs = %v, want the SLLA parsed before it", rs)
	}
}

// readSeed reads one []byte value from a Go fuzz corpus file.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		t.Fatalf("%s: not a one-value corpus file", path)
	}
	s, ok := strings.CutPrefix(lines[1], "[]byte(")
	s, ok2 := strings.CutSuffix(s, ")")
	if !ok || !ok2 {
		t.Fatalf("%s: value is not []byte", path)
	}
	v, err := strconv.Unquote(s)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(v)
}

// TestCaptureSeeds pins what the parser makes of real RAs taken from the
// captures in /work/shared/captures (extracted into the fuzz corpus).
func TestCaptureSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParseRouterAdvertisement")
	tests := []struct {
		file    string
		options []string // String() of each option
		err     string   // substring, "" for none
		nilRA   bool
	}{
		{
			// tcpdump's icmpv6.pcap frame 1: every common option in one RA.
			file: "capture-tcpdump-group_tcpdump__tests_icmpv6.pcap-frame1",
			options: []string{
				"prefix 2222:3333:4444:5555:6600::/72 on-link autonomous, valid 720h0m0s, preferred 168h0m0s",
				"RDNSS abcd::efef, 1234:5678::1, lifetime 5s",
				"DNSSL example.com, example.org, dom1.dom2.tld, lifetime 5s",
				"MTU 100",
				"source link-layer address b0:99:28:c8:d6:6c",
				"option 7 (unknown), length 1: 000000001388",
				"option 8 (unknown), length 1: 0000c351000f",
			},
		},
		{
			// An OpenWrt (odhcpd) RA with a route information option.
			file: "capture-p-group_tcpdump__tests_icmpv6_opt24.pcap-frame1",
			options: []string{
				"source link-layer address 14:cf:92:87:23:d6",
				"MTU 1500",
				"prefix fd8d:4fb3:5b2e::/64 on-link autonomous, valid 2h0m0s, preferred 30m0s",
				"route fd8d:4fb3:5b2e::/48 preference medium, lifetime 2h0m0s",
				"RDNSS fd8d:4fb3:5b2e::1, lifetime 30m0s",
				"DNSSL lan, lifetime 30m0s",
			},
		},
		{
			file:    "capture-ek_zeek__testing_btest_Traces_pppoe.pcap-frame35",
			options: []string{"MTU 1492"},
		},
		{
			// zeek's oversized DNSSL: tshark marks it malformed too.
			file:    "capture-_testing_btest_Traces_icmp_nd_dnssl.pcap-frame1",
			options: []string{"option 31 (DNSSL), length 32: 0000ffffffffe2" + strings.Repeat("77", 226) + "03666f6f036f726700026e7303666f6f036f726700"},
			err:     "compression pointer",
		},
		{
			file:  "capture-_Traces_icmp_icmp6-nd-short-options.pcap-frame1",
			err:   "12 octets",
			nilRA: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ra, err := ParseRouterAdvertisement(readSeed(t, filepath.Join(dir, tt.file)))
			if tt.err == "" && err != nil {
				t.Fatalf("error: %v", err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want one containing %q", err, tt.err)
			}
			if tt.nilRA {
				if ra != nil {
					t.Fatalf("ra = %v, want nil", ra)
				}
				return
			}
			var got []string
			for _, o := range ra.Options {
				got = append(got, o.(interface{ String() string }).String())
			}
			if diff := cmp.Diff(tt.options, got); diff != "" {
				t.Fatalf("options (-want +got):\n%s", diff)
			}
		})
	}
}
