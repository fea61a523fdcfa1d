package dhcpv6

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var cmpNetip = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

var testMAC = net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}

func testIdentity() Identity {
	return Identity{DUID: StableDUID(testMAC), IAID: StableIAID(testMAC), PDIAID: StableIAID(testMAC)}
}

// TestSolicitBytes pins the wire format of a PD-only Solicit with a /56 hint.
func TestSolicitBytes(t *testing.T) {
	id := Identity{DUID: DUIDLL(net.HardwareAddr{0, 1, 2, 3, 4, 5}), IAID: [4]byte{2, 3, 4, 5}, PDIAID: [4]byte{2, 3, 4, 5}}
	got, err := NewSolicit(id, RequestShape{IAPD: true, PrefixLength: 56}, TransactionID{0xe1, 0xe0, 0x93}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := mustHex(t, `
		01 e1e093                                  // Solicit, xid
		0008 0002 0000                             // Elapsed Time 0
		0006 0006 0017 0018 0052                   // ORO: 23 24 82
		0001 000a 0003 0001 000102030405           // Client ID: DUID-LL, Ethernet
		0019 0029 02030405 00000000 00000000       // IA_PD, IAID, T1 0, T2 0
		  001a 0019 00000000 00000000 38             // IA Prefix, lifetimes 0, length 56
		  00000000000000000000000000000000           // ::
	`)
	if !bytes.Equal(got, want) {
		t.Errorf("Solicit\n got %x\nwant %x", got, want)
	}
}

func TestBuildRoundTrip(t *testing.T) {
	id := testIdentity()
	xid := TransactionID{1, 2, 3}
	tests := []struct {
		name  string
		build func() ([]byte, error)
		want  *Message
	}{
		{
			name: "Solicit IA_NA+IA_PD /56, rapid commit, reconfigure accept",
			build: func() ([]byte, error) {
				return NewSolicit(id, RequestShape{IANA: true, IAPD: true, PrefixLength: 56, RapidCommit: true, ReconfigureAccept: true}, xid, 1500*time.Millisecond)
			},
			want: &Message{
				Type: MessageTypeSolicit, TransactionID: xid, ClientID: id.DUID,
				ElapsedTime:       ptr(1500 * time.Millisecond),
				RequestedOptions:  []OptionCode{23, 24, 82},
				ReconfigureAccept: true,
				RapidCommit:       true,
				IANA:              []IA{{IAID: id.IAID}},
				IAPD:              []IA{{IAID: id.IAID, Prefixes: []IAPrefix{{Prefix: netip.MustParsePrefix("::/56")}}}},
				OptionCodes:       []OptionCode{8, 6, 1, 20, 14, 3, 25},
			},
		},
		{
			name: "Solicit PD-only, no hint, no ORO, elapsed clamped",
			build: func() ([]byte, error) {
				return NewSolicit(id, RequestShape{IAPD: true, RequestedOptions: []OptionCode{}}, xid, time.Hour)
			},
			want: &Message{
				Type: MessageTypeSolicit, TransactionID: xid, ClientID: id.DUID,
				ElapsedTime: ptr(655350 * time.Millisecond),
				IAPD:        []IA{{IAID: id.IAID}},
				OptionCodes: []OptionCode{8, 1, 25},
			},
		},
		{
			name: "Solicit IA_NA only, custom ORO",
			build: func() ([]byte, error) {
				return NewSolicit(id, RequestShape{IANA: true, RequestedOptions: []OptionCode{23, 64}}, xid, 0)
			},
			want: &Message{
				Type: MessageTypeSolicit, TransactionID: xid, ClientID: id.DUID,
				ElapsedTime:      ptr(time.Duration(0)),
				RequestedOptions: []OptionCode{23, 64},
				IANA:             []IA{{IAID: id.IAID}},
				OptionCodes:      []OptionCode{8, 6, 1, 3},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpNetip); diff != "" {
				t.Errorf("built → parsed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	id := testIdentity()
	tests := []struct {
		name string
		err  error
	}{
		{"no IA", func() error { _, err := NewSolicit(id, RequestShape{}, TransactionID{}, 0); return err }()},
		{"prefix length 129", func() error {
			_, err := NewSolicit(id, RequestShape{IAPD: true, PrefixLength: 129}, TransactionID{}, 0)
			return err
		}()},
		{"empty DUID", func() error {
			_, err := NewSolicit(Identity{}, RequestShape{IAPD: true}, TransactionID{}, 0)
			return err
		}()},
		{"Request without Advertise", func() error { _, err := NewRequest(id, RequestShape{IAPD: true}, TransactionID{}, 0, nil); return err }()},
		{"Request from Advertise without Server ID", func() error {
			_, err := NewRequest(id, RequestShape{IAPD: true}, TransactionID{}, 0, &Message{Type: MessageTypeAdvertise})
			return err
		}()},
		{"Release without Server ID", func() error { _, err := NewRelease(id, TransactionID{}, 0, nil, nil, nil); return err }()},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

// TestRequestFromPDOnlyAdvertise builds the Request for the real PD-only
// Advertise in tcpdump's dhcpv6-ia-pd.pcap, which insomniacslk's
// NewRequestFromAdvertise refuses.
func TestRequestFromPDOnlyAdvertise(t *testing.T) {
	adv, err := Parse(findCapture(t, "dhcpv6-ia-pd.pcap", "2"))
	if err != nil {
		t.Fatal(err)
	}
	id := Identity{DUID: adv.ClientID, IAID: [4]byte{2, 3, 4, 5}, PDIAID: [4]byte{2, 3, 4, 5}}
	shape := RequestShape{IANA: true, IAPD: true, PrefixLength: 60}
	b, err := NewRequest(id, shape, TransactionID{0x12, 0xb0, 0x8a}, 0, adv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	want := &Message{
		Type:             MessageTypeRequest,
		TransactionID:    TransactionID{0x12, 0xb0, 0x8a},
		ClientID:         id.DUID,
		ServerID:         adv.ServerID,
		ElapsedTime:      ptr(time.Duration(0)),
		RequestedOptions: []OptionCode{23, 24, 82},
		// The offered prefix is the hint, with the offered lifetimes and
		// T1/T2 zeroed, as odhcp6c sends it; no IA_NA, because none was
		// offered.
		IAPD: []IA{{IAID: id.IAID, Prefixes: []IAPrefix{{Prefix: netip.MustParsePrefix("2a00:1:1:100::/56"),
			PreferredLifetime: 75 * time.Minute, ValidLifetime: 2 * time.Hour}}}},
		OptionCodes: []OptionCode{8, 6, 1, 2, 25},
	}
	if diff := cmp.Diff(want, got, cmpNetip); diff != "" {
		t.Errorf("Request (-want +got):\n%s", diff)
	}
}

func TestRequestSelectsOfferedIAs(t *testing.T) {
	id := testIdentity()
	other := [4]byte{9, 9, 9, 9}
	adv := &Message{
		Type: MessageTypeAdvertise, ServerID: DUID{0, 3, 0, 1, 1, 2, 3, 4, 5, 6},
		IANA: []IA{
			{IAID: id.IAID, Status: &Status{Code: StatusNoAddrsAvail}},
			{IAID: other, Addresses: []IAAddress{{Address: netip.MustParseAddr("2001:db8::9"), ValidLifetime: time.Hour}}},
		},
		IAPD: []IA{{IAID: id.IAID, T1: time.Hour, Prefixes: []IAPrefix{
			{Prefix: netip.MustParsePrefix("2001:db8:1::/48"), ValidLifetime: time.Hour},
			{Prefix: netip.MustParsePrefix("2001:db8:2::/48"), Status: &Status{Code: StatusNoPrefixAvail}},
		}}},
	}
	shape := RequestShape{IANA: true, IAPD: true}
	na, pd := Offered(adv, id, shape)
	if len(na) != 0 {
		t.Errorf("Offered IA_NA %+v, want none (ours has NoAddrsAvail, the other is not our IAID)", na)
	}
	wantPD := []IA{{IAID: id.IAID, T1: time.Hour, Prefixes: []IAPrefix{{Prefix: netip.MustParsePrefix("2001:db8:1::/48"), ValidLifetime: time.Hour}}}}
	if diff := cmp.Diff(wantPD, pd, cmpNetip); diff != "" {
		t.Errorf("Offered IA_PD (-want +got):\n%s", diff)
	}
	if _, pd := Offered(adv, id, RequestShape{IANA: true}); len(pd) != 0 {
		t.Errorf("IA_PD offered though the shape did not ask for one")
	}
	if _, err := NewRequest(id, RequestShape{IANA: true}, TransactionID{}, 0, adv); !errors.Is(err, ErrNothingOffered) {
		t.Errorf("NewRequest for IA_NA only: err %v, want ErrNothingOffered", err)
	}
}

func TestReleaseContents(t *testing.T) {
	id := testIdentity()
	server := DUID(mustHex(t, "000100011c3825e8080027d410bb"))
	obtained := []IA{
		{IAID: id.IAID, T1: time.Hour, T2: 2 * time.Hour, Addresses: []IAAddress{{
			Address: netip.MustParseAddr("2001:db8::1"), PreferredLifetime: time.Hour, ValidLifetime: 2 * time.Hour,
		}}},
		{IAID: [4]byte{7, 7, 7, 7}}, // nothing in it: left out
	}
	obtainedPD := []IA{{IAID: id.IAID, T1: time.Hour, Prefixes: []IAPrefix{{
		Prefix: netip.MustParsePrefix("2001:db8:100::/56"), PreferredLifetime: time.Hour, ValidLifetime: Infinity,
	}}}}
	b, err := NewRelease(id, TransactionID{0xc7, 0x89, 0xb0}, 2*time.Second, server, obtained, obtainedPD)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	want := &Message{
		Type:          MessageTypeRelease,
		TransactionID: TransactionID{0xc7, 0x89, 0xb0},
		ClientID:      id.DUID,
		ServerID:      server,
		ElapsedTime:   ptr(2 * time.Second),
		IANA:          []IA{{IAID: id.IAID, Addresses: []IAAddress{{Address: netip.MustParseAddr("2001:db8::1")}}}},
		IAPD:          []IA{{IAID: id.IAID, Prefixes: []IAPrefix{{Prefix: netip.MustParsePrefix("2001:db8:100::/56")}}}},
		OptionCodes:   []OptionCode{8, 1, 2, 3, 25},
	}
	if diff := cmp.Diff(want, got, cmpNetip); diff != "" {
		t.Errorf("Release (-want +got):\n%s", diff)
	}
	if _, err := NewRelease(id, TransactionID{}, 0, server, []IA{{IAID: id.IAID}}, nil); !errors.Is(err, ErrNothingOffered) {
		t.Errorf("Release of nothing: err %v, want ErrNothingOffered", err)
	}
}
