package ndp

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	good := Envelope{HopLimit: 255, Source: netip.MustParseAddr("fe80::1"), ICMPLength: 64}
	parse := func(b []byte) (*RouterAdvertisement, error) { return ParseRouterAdvertisement(b) }
	header := []byte{134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0}
	withOptions := func(opts ...byte) []byte { return append(append([]byte{}, header...), opts...) }

	tests := []struct {
		name string
		env  Envelope
		ra   *RouterAdvertisement
		err  error
		want []string // Problem IDs in order
	}{
		{name: "valid", env: good, ra: &RouterAdvertisement{}},
		{
			name: "off-link: hop limit 64, global source",
			env:  Envelope{HopLimit: 64, Source: netip.MustParseAddr("2001:db8::1"), ICMPLength: 16},
			ra:   &RouterAdvertisement{},
			want: []string{"ra-hop-limit-not-255", "ra-source-not-link-local"},
		},
		{
			name: "code, fragmented, unspecified source",
			env:  Envelope{HopLimit: 255, Source: netip.IPv6Unspecified(), ICMPCode: 1, Fragmented: true, ICMPLength: 16},
			ra:   &RouterAdvertisement{},
			want: []string{"ra-source-not-link-local", "ra-icmp-code-nonzero", "ra-fragmented"},
		},
		{
			name: "too short",
			env:  Envelope{HopLimit: 255, Source: netip.MustParseAddr("fe80::1"), ICMPLength: 12},
			want: []string{"ra-too-short"},
		},
	}
	add := func(name string, env Envelope, b []byte, want ...string) {
		ra, err := parse(b)
		tests = append(tests, struct {
			name string
			env  Envelope
			ra   *RouterAdvertisement
			err  error
			want []string
		}{name, env, ra, err, want})
	}
	add("truncated header from the parser", Envelope{HopLimit: 255, Source: netip.MustParseAddr("fe80::1"), ICMPLength: 20}, header[:12], "ra-too-short")
	add("not an RA", good, append([]byte{133}, header[1:]...), "ra-not-router-advertisement")
	add("option length zero", good, withOptions(0x05, 0x00, 0, 0, 0, 0, 0x05, 0xdc), "ra-option-length-zero")
	add("option past end", good, withOptions(0x01, 0x02, 1, 2, 3, 4, 5, 6), "ra-option-truncated")
	add("malformed RDNSS", good, withOptions(0x19, 0x01, 0, 0, 0, 0, 0, 60), "ra-option-malformed")
	add("MTU below 1280", good, withOptions(0x05, 0x01, 0, 0, 0x00, 0x00, 0x04, 0xff), "ra-mtu-below-1280")
	add("MTU 1280 is fine", good, withOptions(0x05, 0x01, 0, 0, 0x00, 0x00, 0x05, 0x00))
	add("reserved router preference", good, append(append([]byte{}, header[:5]...), append([]byte{0x10}, header[6:]...)...), "ra-preference-reserved")
	add("reserved route preference", good, withOptions(0x18, 0x01, 0, 0x10, 0, 0, 0, 60), "ra-route-preference-reserved")

	pio := func(plen, flags byte, valid, preferred uint32, prefix ...byte) []byte {
		b := []byte{0x03, 0x04, plen, flags,
			byte(valid >> 24), byte(valid >> 16), byte(valid >> 8), byte(valid),
			byte(preferred >> 24), byte(preferred >> 16), byte(preferred >> 8), byte(preferred),
			0, 0, 0, 0}
		p := make([]byte, 16)
		copy(p, prefix)
		return withOptions(append(b, p...)...)
	}
	add("PIO fine", good, pio(64, 0xc0, 7200, 3600, 0x20, 0x01, 0x0d, 0xb8))
	add("PIO preferred exceeds valid", good, pio(64, 0xc0, 3600, 7200, 0x20, 0x01, 0x0d, 0xb8), "ra-prefix-preferred-exceeds-valid")
	add("PIO infinite preferred, finite valid", good, pio(64, 0xc0, 3600, 0xffffffff, 0x20, 0x01, 0x0d, 0xb8), "ra-prefix-preferred-exceeds-valid")
	add("PIO /56 autonomous", good, pio(56, 0xc0, 7200, 3600, 0x20, 0x01, 0x0d, 0xb8), "ra-prefix-autonomous-not-64")
	add("PIO /56 on-link only is fine", good, pio(56, 0x80, 7200, 3600, 0x20, 0x01, 0x0d, 0xb8))
	add("PIO link-local", good, pio(64, 0xc0, 7200, 3600, 0xfe, 0x80), "ra-prefix-link-local")

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := Validate(tt.env, tt.ra, tt.err)
			var got []string
			for _, p := range ps {
				got = append(got, p.ID)
				if p.Detail == "" || p.RFC == "" {
					t.Errorf("problem %s lacks detail or RFC: %+v", p.ID, p)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problem IDs (-want +got):\n%s\nproblems: %+v", diff, ps)
			}
		})
	}
}

// TestValidateDetail pins the wording and citations of a few problems.
func TestValidateDetail(t *testing.T) {
	env := Envelope{HopLimit: 64, Source: netip.MustParseAddr("fe80::1"), ICMPLength: 24}
	ra, err := ParseRouterAdvertisement([]byte{
		134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,
		0x19, 0x00, 0, 0, 0, 0, 0, 0, // RDNSS with length 0
	})
	got := Validate(env, ra, err)
	want := []Problem{
		{
			ID:       "ra-hop-limit-not-255",
			Detail:   "The IPv6 hop limit is 64, not 255, so the RA may have come from off the link.",
			RFC:      "RFC 4861 §6.1.2",
			Discards: true,
		},
		{
			ID:       "ra-option-length-zero",
			Detail:   "Option 0 (type 25, RDNSS) at offset 16 has length 0, so the whole RA must be discarded.",
			RFC:      "RFC 4861 §4.6",
			Discards: true,
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}

	ra = &RouterAdvertisement{Options: []Option{&PrefixInformation{
		Prefix: netip.MustParsePrefix("2001:db8::/64"), ValidLifetime: time.Hour, PreferredLifetime: Infinity}}}
	got = Validate(Envelope{HopLimit: 255, Source: netip.MustParseAddr("fe80::1"), ICMPLength: 48}, ra, nil)
	want = []Problem{{
		ID:     "ra-prefix-preferred-exceeds-valid",
		Detail: "Prefix 2001:db8::/64 has a preferred lifetime of infinity, longer than its valid lifetime of 1h0m0s, so hosts ignore the option.",
		RFC:    "RFC 4862 §5.5.3",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}
