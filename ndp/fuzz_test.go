package ndp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseRouterAdvertisement checks that parsing never panics and that a
// message which parses cleanly survives Marshal → Parse unchanged.
func FuzzParseRouterAdvertisement(f *testing.F) {
	f.Add([]byte{134, 0, 0, 0, 64, 0xc8, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		ra, err := ParseRouterAdvertisement(b)
		if err != nil {
			_ = Validate(Envelope{}, ra, err)
			return
		}
		_ = Validate(Envelope{}, ra, nil)
		_ = ra.String()
		wire, err := ra.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed RA failed: %v\nRA: %+v", err, ra)
		}
		ra2, err := ParseRouterAdvertisement(wire)
		if err != nil {
			t.Fatalf("parse of marshalled RA failed: %v\nwire: % x", err, wire)
		}
		if diff := cmp.Diff(ra, ra2, cmpOpts...); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

// FuzzParseRouterSolicitation checks the same property for solicitations.
func FuzzParseRouterSolicitation(f *testing.F) {
	f.Add([]byte{133, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{133, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01, 1, 2, 3, 4, 5, 6})
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := ParseRouterSolicitation(b)
		if err != nil {
			return
		}
		rs2, err := ParseRouterSolicitation(MarshalRouterSolicitation(*rs))
		if err != nil {
			t.Fatalf("parse of marshalled RS failed: %v", err)
		}
		if diff := cmp.Diff(rs, rs2); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}
