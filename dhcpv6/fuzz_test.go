package dhcpv6

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics, that its errors wrap
// ErrMalformed, and that what we build from a parsed message (a Request
// from an Advertise, a Release from a Reply) parses back with the same
// leases. Seeds: every captured payload, our own messages, and the
// killer inputs of TestParseMalformed (also under testdata/fuzz/FuzzParse).
func FuzzParse(f *testing.F) {
	for _, c := range loadCaptures(f) {
		f.Add(c.data)
	}
	id := testIdentity()
	for _, shape := range []RequestShape{
		{IANA: true, IAPD: true, PrefixLength: 56, RapidCommit: true, ReconfigureAccept: true},
		{IAPD: true, RequestedOptions: []uint16{}},
	} {
		b, err := NewSolicit(id, shape, TransactionID{1, 2, 3}, 0)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if m == nil {
			t.Fatal("nil message without error")
		}
		checkRebuild(t, m)
	})
}

// zeroed is ia with T1, T2, lifetimes and statuses cleared, as a client
// sends it.
func zeroed(ias []IA) []IA {
	var out []IA
	for _, ia := range ias {
		z := IA{IAID: ia.IAID}
		for _, a := range ia.Addresses {
			z.Addresses = append(z.Addresses, IAAddress{Address: a.Address})
		}
		for _, p := range ia.Prefixes {
			z.Prefixes = append(z.Prefixes, IAPrefix{Prefix: p.Prefix})
		}
		out = append(out, z)
	}
	return out
}

func checkRebuild(t *testing.T, m *Message) {
	if len(m.ClientID) < 3 || len(m.ClientID) > maxDUIDLen || len(m.ServerID) < 3 || len(m.ServerID) > maxDUIDLen {
		return
	}
	var iaid [4]byte
	switch {
	case len(m.IAPD) > 0:
		iaid = m.IAPD[0].IAID
	case len(m.IANA) > 0:
		iaid = m.IANA[0].IAID
	default:
		return
	}
	id := Identity{DUID: m.ClientID, IAID: iaid}
	shape := RequestShape{IANA: true, IAPD: true}
	opts := cmpNetip

	if b, err := NewRequest(id, shape, m.TransactionID, 0, m); err == nil {
		req, err := Parse(b)
		if err != nil {
			t.Fatalf("built Request does not parse: %v", err)
		}
		na, pd := Offered(m, id, shape)
		if diff := cmp.Diff(zeroed(na), req.IANA, opts); diff != "" {
			t.Errorf("Request IA_NA (-offered +sent):\n%s", diff)
		}
		if diff := cmp.Diff(zeroed(pd), req.IAPD, opts); diff != "" {
			t.Errorf("Request IA_PD (-offered +sent):\n%s", diff)
		}
		if !req.ServerID.Equal(m.ServerID) || !req.ClientID.Equal(m.ClientID) {
			t.Errorf("Request IDs %s/%s, want %s/%s", req.ClientID, req.ServerID, m.ClientID, m.ServerID)
		}
	} else if !errors.Is(err, ErrNothingOffered) {
		t.Fatalf("NewRequest: %v", err)
	}

	if b, err := NewRelease(id, m.TransactionID, 0, m.ServerID, m.IANA, m.IAPD); err == nil {
		rel, err := Parse(b)
		if err != nil {
			t.Fatalf("built Release does not parse: %v", err)
		}
		var na, pd []IA
		for _, ia := range m.IANA {
			if len(ia.Addresses) > 0 {
				na = append(na, ia)
			}
		}
		for _, ia := range m.IAPD {
			if len(ia.Prefixes) > 0 {
				pd = append(pd, ia)
			}
		}
		if diff := cmp.Diff(zeroed(na), rel.IANA, opts); diff != "" {
			t.Errorf("Release IA_NA (-obtained +sent):\n%s", diff)
		}
		if diff := cmp.Diff(zeroed(pd), rel.IAPD, opts); diff != "" {
			t.Errorf("Release IA_PD (-obtained +sent):\n%s", diff)
		}
	} else if !errors.Is(err, ErrNothingOffered) {
		t.Fatalf("NewRelease: %v", err)
	}
}
