package dhcpv6

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStableDUID(t *testing.T) {
	d := StableDUID(testMAC)
	if d.Type() != DUIDTypeUUID || d.TypeName() != "DUID-UUID" || len(d) != 18 {
		t.Fatalf("StableDUID = %s (%s, %d bytes), want an 18-byte DUID-UUID", d, d.TypeName(), len(d))
	}
	if v := d[2+6] >> 4; v != 8 {
		t.Errorf("UUID version %d, want 8", v)
	}
	if v := d[2+8] >> 6; v != 2 {
		t.Errorf("UUID variant bits %b, want 10", v)
	}
	if !d.Equal(StableDUID(testMAC)) {
		t.Error("StableDUID differs between calls")
	}
	other := net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x02}
	if d.Equal(StableDUID(other)) || StableIAID(testMAC) == StableIAID(other) {
		t.Error("two MACs give the same DUID or IAID")
	}
	if d.Equal(DUIDLL(testMAC)) {
		t.Error("StableDUID equals the DUID-LL")
	}
	if d.LinkLayerAddress() != nil {
		t.Error("DUID-UUID has a link-layer address")
	}
	// Pinned so that a change of derivation (which would orphan leases
	// servers keep for v6diag) shows up in review.
	// (Values checked with Python's hashlib.)
	if got, want := d.String(), "000453e2a67acfa78aa3904d452b90015bbc"; got != want {
		t.Errorf("StableDUID = %s, want %s", got, want)
	}
	if got, want := StableIAID(testMAC), [4]byte{0xc9, 0xfb, 0xbe, 0x66}; got != want {
		t.Errorf("StableIAID = %x, want %x", got, want)
	}
}

func TestDUIDLL(t *testing.T) {
	mac := net.HardwareAddr{0, 1, 2, 3, 4, 5}
	d := DUIDLL(mac)
	if got, want := d.String(), "00030001000102030405"; got != want {
		t.Errorf("DUIDLL = %s, want %s", got, want)
	}
	if d.TypeName() != "DUID-LL" || d.LinkLayerAddress().String() != mac.String() {
		t.Errorf("DUIDLL %s: type %s, lladdr %s", d, d.TypeName(), d.LinkLayerAddress())
	}
}

func TestDUIDAccessors(t *testing.T) {
	tests := []struct {
		hex    string
		typ    uint16
		name   string
		lladdr string
	}{
		{"0001000118464999001122334455", 1, "DUID-LLT", "00:11:22:33:44:55"},
		{"000200000009464745313934373134515300", 2, "DUID-EN", ""},
		{"00030001cc050e880000", 3, "DUID-LL", "cc:05:0e:88:00:00"},
		{"0004a256e92e40abd0d2a3ab3b3ff2ff8998", 4, "DUID-UUID", ""},
		{"0003", 3, "DUID-LL", ""},
		{"00", 0, "DUID-type-0", ""},
		{"", 0, "DUID-type-0", ""},
		{"ff000102", 0xff00, "DUID-type-65280", ""},
	}
	for _, tt := range tests {
		d := DUID(mustHex(t, tt.hex))
		if d.Type() != tt.typ || d.TypeName() != tt.name || d.LinkLayerAddress().String() != tt.lladdr || d.String() != tt.hex {
			t.Errorf("%s: Type %d TypeName %s LinkLayerAddress %q String %s; want %d %s %q",
				tt.hex, d.Type(), d.TypeName(), d.LinkLayerAddress(), d, tt.typ, tt.name, tt.lladdr)
		}
	}
}

func TestParseDUIDHex(t *testing.T) {
	want := DUID{0, 3, 0, 1, 0, 1, 2, 3, 4, 5}
	for _, s := range []string{"00030001000102030405", "00:03:00:01:00:01:02:03:04:05", "0:3:0:1:0:1:2:3:4:5", " 0x00030001000102030405 ", "00-03-00-01-00-01-02-03-04-05"} {
		got, err := ParseDUIDHex(s)
		if err != nil {
			t.Errorf("ParseDUIDHex(%q): %v", s, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ParseDUIDHex(%q) (-want +got):\n%s", s, diff)
		}
	}
	for _, s := range []string{"", "0003", "000", "zz030001", "00:03:0001:xx", string(make([]byte, 262))} {
		if d, err := ParseDUIDHex(s); err == nil {
			t.Errorf("ParseDUIDHex(%q) = %s, want error", s, d)
		}
	}
}
