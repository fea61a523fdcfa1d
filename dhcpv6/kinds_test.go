package dhcpv6

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestKinds(t *testing.T) {
	for _, tt := range []struct {
		t                      MessageType
		client, server, toward bool
		rfc                    string
	}{
		{MessageTypeSolicit, true, false, false, ""},
		{MessageTypeAdvertise, false, true, true, ""},
		{MessageTypeConfirm, true, false, false, ""},
		{MessageTypeDecline, true, false, false, ""},
		{MessageTypeReconfigure, false, true, true, ""},
		{MessageTypeInformationRequest, true, false, false, ""},
		{MessageTypeRelayForward, false, false, false, ""},
		{MessageTypeRelayReply, false, false, true, ""},
		{MessageTypeLeasequery, false, false, false, "RFC 5007 §4.2"},
		{MessageTypeLeasequeryReply, false, false, true, "RFC 5007 §4.2"},
		{MessageTypeDHCPv4Query, false, false, false, "RFC 7341 §5"},
		{MessageTypeDHCPv4Response, false, false, true, "RFC 7341 §5"},
		{MessageTypeContact, false, false, false, "RFC 8156 §4"},
		{MessageType(99), false, false, false, ""},
	} {
		rfc, what := tt.t.Spec()
		if tt.t.IsClientMessage() != tt.client || tt.t.IsServerMessage() != tt.server || tt.t.TowardClient() != tt.toward || rfc != tt.rfc || (rfc != "") != (what != "") {
			t.Errorf("%s: client %v server %v toward %v spec %q %q", tt.t, tt.t.IsClientMessage(), tt.t.IsServerMessage(), tt.t.TowardClient(), rfc, what)
		}
	}
}

// TestParseRelayLayers: tcpdump's dhcpv6-vendor-specific-information.pcap
// frame 1 is a Relay-forw with an Interface-Id around a Request; tshark
// shows link and peer address fc00:502:411:1::1, Interface-ID 54d46ffa109a.
func TestParseRelayLayers(t *testing.T) {
	m, err := Parse(findCapture(t, "dhcpv6-vendor-specific-information", "1"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Relay{{
		Type: MessageTypeRelayForward, HopCount: 1, LinkAddress: netip.MustParseAddr("fc00:502:411:1::1"), PeerAddress: netip.MustParseAddr("fc00:502:411:1::1"),
		InterfaceID: mustHex(t, "54d46ffa109a"), OptionCodes: []OptionCode{18, 17, 9},
	}}
	if diff := cmp.Diff(want, m.Relays, cmpNetip); diff != "" {
		t.Errorf("relays (-want +got):\n%s", diff)
	}
	if m.Type != MessageTypeRequest || m.RelayHops != 1 || len(m.IANA) != 1 {
		t.Errorf("inner %s hops %d IA_NA %d", m.Type, m.RelayHops, len(m.IANA))
	}
	// Two layers, outermost first, with a Remote-ID (RFC 4649) on the
	// inner one.
	inner := cat([]byte{7, 1, 2, 3}, opt(1, mustHex(t, "00030001000102030405")))
	relay := func(hop byte, link, peer string, opts ...[]byte) []byte {
		b := cat([]byte{12, hop}, netip.MustParseAddr(link).AsSlice(), netip.MustParseAddr(peer).AsSlice())
		return cat(b, cat(opts...))
	}
	first := relay(0, "2001:db8:1::1", "fe80::1", opt(37, mustHex(t, "00000de9 cafe")), opt(9, inner))
	second := relay(1, "::", "2001:db8:1::1", opt(18, []byte("eth0.7")), opt(9, first))
	m, err = Parse(second)
	if err != nil {
		t.Fatal(err)
	}
	want = []Relay{
		{Type: MessageTypeRelayForward, HopCount: 1, LinkAddress: netip.IPv6Unspecified(), PeerAddress: netip.MustParseAddr("2001:db8:1::1"), InterfaceID: []byte("eth0.7"), OptionCodes: []OptionCode{18, 9}},
		{Type: MessageTypeRelayForward, LinkAddress: netip.MustParseAddr("2001:db8:1::1"), PeerAddress: netip.MustParseAddr("fe80::1"), RemoteID: []byte{0xca, 0xfe}, RemoteIDEnterprise: 3561, OptionCodes: []OptionCode{37, 9}},
	}
	if diff := cmp.Diff(want, m.Relays, cmpNetip); diff != "" {
		t.Errorf("nested relays (-want +got):\n%s", diff)
	}
}

// TestParseIATA: tcpdump's dhcpv6-ia-ta.pcap frame 2 is an Advertise with
// an IA_TA holding 2a00:1:1:200:5da2:f920:84c4:88cc, preferred 4500 s and
// valid 7200 s (tshark).
func TestParseIATA(t *testing.T) {
	m, err := Parse(findCapture(t, "dhcpv6-ia-ta", "2"))
	if err != nil {
		t.Fatal(err)
	}
	want := []IA{{IAID: [4]byte{2, 3, 4, 5}, Addresses: []IAAddress{{Address: netip.MustParseAddr("2a00:1:1:200:5da2:f920:84c4:88cc"), PreferredLifetime: 4500e9, ValidLifetime: 7200e9}}}}
	if diff := cmp.Diff(want, m.IATA, cmpNetip); diff != "" {
		t.Errorf("IA_TA (-want +got):\n%s", diff)
	}
	if len(m.IANA) != 0 || len(m.IAPD) != 0 {
		t.Errorf("IA_NA %v IA_PD %v", m.IANA, m.IAPD)
	}
	if _, err := Parse(cat([]byte{2, 1, 2, 3}, opt(4, []byte{1, 2}))); err == nil || !strings.Contains(err.Error(), "IA_TA option length 2 shorter than 4") {
		t.Errorf("short IA_TA: %v", err)
	}
}

// TestParseReconfigure: a Reconfigure asking for a Renew, signed with the
// Reconfigure Key protocol (RFC 8415 §20.4: protocol 3, algorithm 1
// HMAC-MD5, RDM 0, type 2 and a 16-byte HMAC).
func TestParseReconfigure(t *testing.T) {
	auth := cat([]byte{3, 1, 0}, mustHex(t, "0000000000000007"), []byte{2}, make([]byte, 16))
	m, err := Parse(cat([]byte{10, 0, 0, 0}, opt(19, []byte{5}), opt(11, auth)))
	if err != nil {
		t.Fatal(err)
	}
	if m.ReconfigureMessage != MessageTypeRenew || m.Authentication == nil || m.Authentication.ReplayDetection != 7 ||
		m.Authentication.ReconfigureKeyType() != ReconfigureKeyHMAC {
		t.Errorf("got %+v %+v", m.ReconfigureMessage, m.Authentication)
	}
	m, _ = Parse(cat([]byte{10, 0, 0, 0}, opt(19, []byte{5, 6}), opt(11, []byte{3, 1})))
	if m.ReconfigureMessage != 0 || m.Authentication != nil || len(m.Problems) != 2 {
		t.Errorf("bad options kept: %+v %+v %q", m.ReconfigureMessage, m.Authentication, m.Problems)
	}
	if (&Authentication{Protocol: 2, Info: make([]byte, 17)}).ReconfigureKeyType() != 0 {
		t.Error("delayed authentication read as a reconfigure key")
	}
}

// TestParsePartial cuts real messages at every length: what lies wholly
// inside the cut decodes as in the whole message, and the error names
// where the cut fell. A cut on an option boundary cannot be seen in the
// bytes: there the error is nil, and the caller, who knows the frame was
// cut, says so.
func TestParsePartial(t *testing.T) {
	reply := findCapture(t, "dhcpv6-ia-pd", "4")
	whole, err := Parse(reply)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := ParsePartial(reply); err != nil || !cmp.Equal(whole, m, cmpNetip, cmpopts.EquateEmpty()) {
		t.Fatalf("whole message: %v, %v", m, err)
	}
	for n := 0; n < len(reply); n++ {
		m, err := ParsePartial(reply[:n])
		if err != nil && !errors.Is(err, ErrCut) || n < 4 && err == nil {
			t.Fatalf("cut at %d: error %v does not wrap ErrCut", n, err)
		}
		if n < 4 {
			if m != nil {
				t.Fatalf("cut at %d: message %v from less than a header", n, m)
			}
			continue
		}
		if m.Type != MessageTypeReply || m.TransactionID != whole.TransactionID {
			t.Fatalf("cut at %d: %s %s", n, m.Type, m.TransactionID)
		}
		if len(m.IAPD) > 0 && !cmp.Equal(m.IAPD, whole.IAPD, cmpNetip) {
			t.Fatalf("cut at %d: IA_PD %v, want %v", n, m.IAPD, whole.IAPD)
		}
	}
	// The IA_PD is the first option of this Reply (tshark): cut inside
	// it, the error says so.
	_, err = ParsePartial(reply[:30])
	if err == nil || !strings.Contains(err.Error(), "cut inside IA_PD option 25 (22 of 41 bytes)") {
		t.Errorf("error %v", err)
	}
	// A relayed message cut inside its Relay Message is followed into.
	relayed := relayForw(reply)
	m, err := ParsePartial(relayed[:len(relayed)-10])
	if !errors.Is(err, ErrCut) || m == nil || m.Type != MessageTypeReply || m.RelayHops != 1 || !m.ClientID.Equal(whole.ClientID) {
		t.Errorf("relayed: %v, %v", m, err)
	}
	if _, err := ParsePartial(relayed[:20]); !errors.Is(err, ErrCut) || !strings.Contains(err.Error(), "Relay-forw header") {
		t.Errorf("relay header cut: %v", err)
	}
}
