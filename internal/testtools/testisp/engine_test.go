package testisp

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/ndp"
)

var netipEq = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

var (
	ispMAC    = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	ispLL     = netip.MustParseAddr("fe80::1")
	cpeMAC    = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x02}
	cpeLL     = netip.MustParseAddr("fe80::2")
	testLink  = Link{MAC: ispMAC, LinkLocal: ispLL}
	clientLL  = dhcpv6.DUIDLL(cpeMAC)
	clientXID = dhcpv6.TransactionID{0x12, 0x34, 0x56}
)

// clientShape says what a hand-built client message carries.
type clientShape struct {
	typ         dhcpv6.MessageType
	duid        []byte
	iana, iapd  bool
	hint        int // 0: IA_PD without IA Prefix
	rapid, fqdn bool
	reconfAcc   bool
}

// clientPayload builds a client message byte by byte, independently of
// the dhcpv6 package's builders.
func clientPayload(s clientShape) []byte {
	b := []byte{byte(s.typ), clientXID[0], clientXID[1], clientXID[2]}
	duid := s.duid
	if duid == nil {
		duid = clientLL
	}
	b = appendOption(b, optClientID, duid)
	b = appendOption(b, 8, []byte{0, 0}) // Elapsed Time
	if s.iana {
		b = appendOption(b, optIANA, []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0})
	}
	if s.iapd {
		ia := []byte{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0}
		if s.hint > 0 {
			p := make([]byte, 25)
			p[8] = byte(s.hint)
			ia = appendOption(ia, optIAPrefix, p)
		}
		b = appendOption(b, optIAPD, ia)
	}
	if s.rapid {
		b = appendOption(b, optRapidCommit, nil)
	}
	if s.fqdn {
		b = appendOption(b, optClientFQDN, []byte{0, 0})
	}
	if s.reconfAcc {
		b = appendOption(b, optReconfAccept, nil)
	}
	return b
}

func parseClient(t *testing.T, s clientShape) *dhcpv6.Message {
	t.Helper()
	m, err := dhcpv6.Parse(clientPayload(s))
	if err != nil {
		t.Fatalf("client message: %v", err)
	}
	return m
}

func TestMatch(t *testing.T) {
	llt := []byte{0, 1, 0, 1, 1, 2, 3, 4, 2, 0, 0, 0, 0, 2}
	full := clientShape{typ: dhcpv6.MessageTypeSolicit, iana: true, iapd: true, hint: 56, rapid: true, fqdn: true, reconfAcc: true}
	bare := clientShape{typ: dhcpv6.MessageTypeSolicit, iapd: true, duid: llt}
	tests := []struct {
		name  string
		match Match
		msg   clientShape
		want  bool
	}{
		{"empty matches anything", Match{}, bare, true},
		{"type", Match{Type: "Solicit"}, bare, true},
		{"type case-insensitive", Match{Type: "solicit"}, bare, true},
		{"other type", Match{Type: "Request"}, bare, false},
		{"has IA_NA yes", Match{HasIANA: Ptr(true)}, full, true},
		{"has IA_NA but none", Match{HasIANA: Ptr(true)}, bare, false},
		{"no IA_NA", Match{HasIANA: Ptr(false)}, bare, true},
		{"has IA_PD", Match{HasIAPD: Ptr(true)}, bare, true},
		{"no IA_PD but one", Match{HasIAPD: Ptr(false)}, bare, false},
		{"hint 56", Match{HintLength: Ptr(56)}, full, true},
		{"hint 48 vs 56", Match{HintLength: Ptr(48)}, full, false},
		{"no hint", Match{HintLength: Ptr(0)}, bare, true},
		{"no hint vs 56", Match{HintLength: Ptr(0)}, full, false},
		{"rapid commit", Match{RapidCommit: Ptr(true)}, full, true},
		{"rapid commit absent", Match{RapidCommit: Ptr(true)}, bare, false},
		{"without rapid commit", Match{RapidCommit: Ptr(false)}, bare, true},
		{"client fqdn", Match{ClientFQDN: Ptr(true)}, full, true},
		{"no client fqdn", Match{ClientFQDN: Ptr(false)}, full, false},
		{"reconfigure accept", Match{ReconfigureAccept: Ptr(true)}, full, true},
		{"reconfigure accept absent", Match{ReconfigureAccept: Ptr(true)}, bare, false},
		{"DUID-LL", Match{DUIDType: "LL"}, full, true},
		{"DUID-LL vs LLT", Match{DUIDType: "LL"}, bare, false},
		{"DUID-LLT", Match{DUIDType: "LLT"}, bare, true},
		{"all of them", Match{Type: "Solicit", HasIANA: Ptr(true), HasIAPD: Ptr(true), HintLength: Ptr(56),
			RapidCommit: Ptr(true), ClientFQDN: Ptr(true), ReconfigureAccept: Ptr(true), DUIDType: "LL"}, full, true},
		{"all but one", Match{Type: "Solicit", HasIANA: Ptr(true), HasIAPD: Ptr(true), HintLength: Ptr(56),
			RapidCommit: Ptr(true), ClientFQDN: Ptr(true), ReconfigureAccept: Ptr(false)}, full, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.match.Matches(parseClient(t, tt.msg)); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRuleOrder(t *testing.T) {
	s := Server{Rules: []Rule{
		{Match: Match{Type: "Solicit", HasIANA: Ptr(true)}, Action: Action{Drop: true}},
		{Match: Match{Type: "Solicit"}},
	}}
	if got := s.Rule(parseClient(t, clientShape{typ: dhcpv6.MessageTypeSolicit, iana: true, iapd: true})); got != 0 {
		t.Errorf("with IA_NA: rule %d, want 0", got)
	}
	if got := s.Rule(parseClient(t, clientShape{typ: dhcpv6.MessageTypeSolicit, iapd: true})); got != 1 {
		t.Errorf("PD only: rule %d, want 1", got)
	}
	if got := s.Rule(parseClient(t, clientShape{typ: dhcpv6.MessageTypeRequest, iapd: true})); got != -1 {
		t.Errorf("Request: rule %d, want -1", got)
	}
}

// answer builds s's answer to a client message and parses it back with
// the dhcpv6 package v6diag itself uses.
func answer(t *testing.T, s Server, a Action, c clientShape) (*dhcpv6.Message, []byte, error) {
	t.Helper()
	b, typ, xid := s.Answer(a, parseClient(t, c), testLink)
	m, err := dhcpv6.Parse(b)
	if m != nil && (m.Type != typ || m.TransactionID != xid) {
		t.Errorf("Answer says %s %s, bytes say %s %s", typ, xid, m.Type, m.TransactionID)
	}
	return m, b, err
}

func TestAnswerHealthy(t *testing.T) {
	solicit := clientShape{typ: dhcpv6.MessageTypeSolicit, iana: true, iapd: true, hint: 48}
	m, _, err := answer(t, Server{Preference: Ptr(uint8(255))}, HealthyAnswer(), solicit)
	if err != nil {
		t.Fatal(err)
	}
	h := time.Hour
	want := &dhcpv6.Message{
		Type: dhcpv6.MessageTypeAdvertise, TransactionID: clientXID,
		ClientID: clientLL, ServerID: dhcpv6.DUIDLL(ispMAC), Preference: Ptr(uint8(255)),
		IANA: []dhcpv6.IA{{IAID: [4]byte{0, 0, 0, 1}, T1: h, T2: 2 * h, Addresses: []dhcpv6.IAAddress{
			{Address: HealthyAddress.Addr(), PreferredLifetime: 3 * h, ValidLifetime: 4 * h}}}},
		IAPD: []dhcpv6.IA{{IAID: [4]byte{0, 0, 0, 2}, T1: h, T2: 2 * h, Prefixes: []dhcpv6.IAPrefix{
			{Prefix: HealthyDelegated, PreferredLifetime: 3 * h, ValidLifetime: 4 * h}}}},
		DNSServers:  []netip.Addr{HealthyDNS},
		OptionCodes: []dhcpv6.OptionCode{optClientID, optServerID, optIANA, optIAPD, optPreference, optDNS},
	}
	if diff := cmp.Diff(want, m, netipEq); diff != "" {
		t.Errorf("Advertise (-want +got):\n%s", diff)
	}
}

func TestAnswerOptionsAndFaults(t *testing.T) {
	solicit := clientShape{typ: dhcpv6.MessageTypeSolicit, iana: true, iapd: true, rapid: true}
	request := clientShape{typ: dhcpv6.MessageTypeRequest, iapd: true}
	srv := Server{DUID: []byte{0, 2, 0, 0, 0, 9, 1}}
	tests := []struct {
		name   string
		action Action
		client clientShape
		check  func(t *testing.T, m *dhcpv6.Message, b []byte, err error)
	}{
		{"rapid commit reply", Action{RapidCommit: true, IAPD: []IA{HealthyIAPD()}}, solicit, func(t *testing.T, m *dhcpv6.Message, _ []byte, _ error) {
			if m.Type != dhcpv6.MessageTypeReply || !m.RapidCommit {
				t.Errorf("%s rapid %v; want Reply with Rapid Commit", m.Type, m.RapidCommit)
			}
		}},
		{"rapid commit not asked", Action{RapidCommit: true}, request, func(t *testing.T, m *dhcpv6.Message, _ []byte, _ error) {
			if m.Type != dhcpv6.MessageTypeReply || m.RapidCommit {
				t.Errorf("%s rapid %v; want plain Reply", m.Type, m.RapidCommit)
			}
		}},
		{"unsolicited reply to solicit", Action{Reply: "Reply"}, solicit, func(t *testing.T, m *dhcpv6.Message, _ []byte, _ error) {
			if m.Type != dhcpv6.MessageTypeReply || m.RapidCommit {
				t.Errorf("%s rapid %v; want Reply without Rapid Commit", m.Type, m.RapidCommit)
			}
		}},
		{"statuses", Action{Status: &Status{Code: 2, Message: "none"},
			IANA: []IA{{Status: &Status{Code: 2}}}, IAPD: []IA{{T1: Duration(time.Hour), T2: Duration(time.Minute),
				Leases: []Lease{{Prefix: HealthyDelegated, Preferred: 20, Valid: 10, Status: &Status{Code: 6}}}}}},
			solicit, func(t *testing.T, m *dhcpv6.Message, _ []byte, _ error) {
				if m.Status == nil || m.Status.Code != 2 || m.Status.Message != "none" {
					t.Errorf("message status %v", m.Status)
				}
				if len(m.IANA) != 1 || m.IANA[0].Status == nil || m.IANA[0].Status.Code != 2 {
					t.Errorf("IA_NA %+v; want NoAddrsAvail", m.IANA)
				}
				if len(m.IAPD) != 1 || m.IAPD[0].T1 != time.Hour || m.IAPD[0].T2 != time.Minute ||
					m.IAPD[0].Prefixes[0].Status == nil || m.IAPD[0].Prefixes[0].Status.Code != 6 {
					t.Errorf("IA_PD %+v", m.IAPD)
				}
			}},
		{"unasked IA_PD", Action{IAPD: []IA{HealthyIAPD(), HealthyIAPD()}, Unasked: true},
			clientShape{typ: dhcpv6.MessageTypeSolicit, iana: true}, func(t *testing.T, m *dhcpv6.Message, _ []byte, _ error) {
				if len(m.IAPD) != 2 || m.IAPD[1].IAID != [4]byte{0, 0, 0, 2} {
					t.Errorf("IA_PD %+v; want two unasked", m.IAPD)
				}
			}},
		{"IA not asked is not answered", Action{IANA: []IA{HealthyIANA()}}, request, func(t *testing.T, m *dhcpv6.Message, _ []byte, _ error) {
			if len(m.IANA) != 0 {
				t.Errorf("IA_NA %+v; the client asked for none", m.IANA)
			}
		}},
		{"other options", Action{ServerUnicast: netip.MustParseAddr("2001:db8::547"), ReconfigureAccept: true,
			DomainSearch: []string{"isp.example."}, SolMaxRT: Ptr(Duration(7200 * time.Second)), Preference: Ptr(uint8(7))},
			request, func(t *testing.T, m *dhcpv6.Message, _ []byte, _ error) {
				if m.ServerUnicast != netip.MustParseAddr("2001:db8::547") || !m.ReconfigureAccept ||
					!cmp.Equal(m.DomainSearch, []string{"isp.example"}) && !cmp.Equal(m.DomainSearch, []string{"isp.example."}) ||
					m.SolMaxRT == nil || *m.SolMaxRT != 7200*time.Second || m.Preference == nil || *m.Preference != 7 {
					t.Errorf("got %+v", m)
				}
			}},
		{"wrong xid, no server id, foreign client id", Action{Faults: Faults{WrongTransactionID: true, NoServerID: true, ForeignClientID: true}},
			request, func(t *testing.T, m *dhcpv6.Message, _ []byte, _ error) {
				if m.TransactionID == clientXID || m.ServerID != nil || bytes.Equal(m.ClientID, clientLL) || m.ClientID == nil {
					t.Errorf("xid %s server %v client %v", m.TransactionID, m.ServerID, m.ClientID)
				}
			}},
		{"explicit and no client id", Action{Faults: Faults{NoClientID: true}}, request, func(t *testing.T, m *dhcpv6.Message, _ []byte, _ error) {
			if m.ClientID != nil {
				t.Errorf("client id %v", m.ClientID)
			}
		}},
		{"server duid", Action{}, request, func(t *testing.T, m *dhcpv6.Message, _ []byte, _ error) {
			if !bytes.Equal(m.ServerID, srv.DUID) {
				t.Errorf("server id %v", m.ServerID)
			}
		}},
		{"giant", Action{Faults: Faults{FillerOptions: 100, PadTo: 1400}}, request, func(t *testing.T, m *dhcpv6.Message, b []byte, _ error) {
			if len(b) != 1400 || len(m.OptionCodes) != 2+100+1 { // Client ID, Server ID, fillers, pad
				t.Errorf("%d bytes, %d options; want 1400 and 103", len(b), len(m.OptionCodes))
			}
		}},
		{"raw option with a bad length", Action{Faults: Faults{RawOptions: []byte{0, 23, 0, 40, 1, 2}}}, request,
			func(t *testing.T, m *dhcpv6.Message, _ []byte, err error) {
				if !errors.Is(err, dhcpv6.ErrMalformed) {
					t.Errorf("err %v; want ErrMalformed", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, b, err := answer(t, srv, tt.action, tt.client)
			if m == nil {
				t.Fatalf("unparsable: %v", err)
			}
			tt.check(t, m, b, err)
		})
	}
}

func TestRouterAdvertisement(t *testing.T) {
	r := Router{
		MAC: MAC{0x02, 0xaa, 0, 0, 0, 1}, HopLimit: 64, CurHopLimit: 64, Managed: true,
		RouterLifetime: Duration(0), ReachableTime: Duration(30 * time.Second), RetransTimer: Duration(time.Second),
		Prefixes: []PrefixInfo{{Prefix: HealthyLinkPrefix, Autonomous: true, Valid: Duration(time.Minute), Preferred: Duration(time.Hour)}},
		MTU:      1492, RDNSS: []netip.Addr{HealthyDNS}, DNSSL: []string{"isp.example"},
		Routes: []RouteInfo{{Prefix: netip.MustParsePrefix("2001:db8:9::/48"), Lifetime: Duration(time.Hour)}},
	}
	f, err := raFrame(r, testLink, allNodes, capture.MulticastMAC(allNodes))
	if err != nil {
		t.Fatal(err)
	}
	p, err := capture.Decode(capture.Frame{LinkType: capture.LinkTypeEthernet, Data: f})
	if err != nil {
		t.Fatal(err)
	}
	if p.HopLimit != 64 || p.Source != netip.MustParseAddr("fe80::aa:ff:fe00:1") || !bytes.Equal(p.SourceMAC, r.MAC) ||
		!p.UpperLayerChecksumOK() {
		t.Errorf("hop %d source %s mac %s checksum %v", p.HopLimit, p.Source, p.SourceMAC, p.UpperLayerChecksumOK())
	}
	ra, err := ndp.ParseRouterAdvertisement(p.ICMPv6)
	if err != nil {
		t.Fatal(err)
	}
	mtu, _ := ra.MTU()
	if !ra.ManagedConfiguration || ra.RouterLifetime != 0 || ra.ReachableTime != 30*time.Second || mtu != 1492 ||
		len(ra.Prefixes()) != 1 || ra.Prefixes()[0].OnLink || ra.Prefixes()[0].PreferredLifetime != time.Hour ||
		len(ra.RDNSS()) != 1 || len(ra.DNSSL()) != 1 || len(ra.Routes()) != 1 ||
		!bytes.Equal(ra.SourceLinkLayerAddress(), r.MAC) {
		t.Errorf("RA %v", ra)
	}

	// Default identity: the link's MAC and link-local, hop limit 255.
	f, err = raFrame(Router{RawOptions: []byte{25, 0, 0, 0, 0, 0, 0, 0}}, testLink, allNodes, capture.MulticastMAC(allNodes))
	if err != nil {
		t.Fatal(err)
	}
	p, _ = capture.Decode(capture.Frame{LinkType: capture.LinkTypeEthernet, Data: f})
	if p.HopLimit != 255 || p.Source != ispLL || !bytes.Equal(p.SourceMAC, ispMAC) {
		t.Errorf("hop %d source %s mac %s; want 255 %s %s", p.HopLimit, p.Source, p.SourceMAC, ispLL, ispMAC)
	}
	if _, err := ndp.ParseRouterAdvertisement(p.ICMPv6); !errors.Is(err, ndp.ErrMalformedOption) {
		t.Errorf("raw option of length 0: err %v; want ErrMalformedOption", err)
	}

	raw := []byte{0x60, 0, 0, 0, 0, 0, 0, 255}
	f, err = raFrame(Router{RawIPv6: raw}, testLink, allNodes, capture.MulticastMAC(allNodes))
	if err != nil || !bytes.Equal(f[14:], raw) || !bytes.Equal(f[6:12], ispMAC) {
		t.Errorf("raw IPv6 frame % x, %v; want the link's MAC and % x", f, err, raw)
	}

	f, err = raFrame(Router{Fragment: true}, testLink, allNodes, capture.MulticastMAC(allNodes))
	if err != nil {
		t.Fatal(err)
	}
	p, err = capture.Decode(capture.Frame{LinkType: capture.LinkTypeEthernet, Data: f})
	if err != nil || !p.Fragmented || p.Transport != capture.TransportICMPv6 {
		t.Errorf("fragmented RA: fragmented %v transport %d err %v", p.Fragmented, p.Transport, err)
	}
	if _, err := ndp.ParseRouterAdvertisement(p.ICMPv6); err != nil {
		t.Errorf("the RA behind the Fragment header: %v", err)
	}

	f, err = raFrame(Router{ICMPCode: 1, TruncateTo: 12}, testLink, allNodes, capture.MulticastMAC(allNodes))
	if err != nil {
		t.Fatal(err)
	}
	p, _ = capture.Decode(capture.Frame{LinkType: capture.LinkTypeEthernet, Data: f})
	if len(p.ICMPv6) != 12 || p.ICMPv6[1] != 1 || !p.UpperLayerChecksumOK() {
		t.Errorf("truncated RA: %d bytes, code %d, checksum ok %v; want 12, 1, true", len(p.ICMPv6), p.ICMPv6[1], p.UpperLayerChecksumOK())
	}
}

// clientFrame wraps a client payload or ICMPv6 message as the CPE sends it.
func clientFrame(t *testing.T, transport capture.Transport, payload []byte) []byte {
	t.Helper()
	dst := netip.MustParseAddr("ff02::1:2")
	pk := capture.IPv6Packet{Source: cpeLL, Destination: dst, HopLimit: 1, Transport: transport,
		SourcePort: 546, DestinationPort: 547, Payload: payload}
	if transport == capture.TransportICMPv6 {
		pk.Destination, pk.HopLimit = netip.MustParseAddr("ff02::2"), 255
	}
	ip, err := pk.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return ethernet(capture.MulticastMAC(pk.Destination), cpeMAC, ip)
}

func TestEngineReceive(t *testing.T) {
	sc := Scenario{
		Routers: []Router{{RSDelay: Duration(time.Second)}, {IgnoreRS: true}, {MAC: MAC{2, 0, 0, 0, 0, 9}}},
		Servers: []Server{
			{Rules: []Rule{{Match: Match{Type: "Solicit"}, Action: Action{Delay: Duration(2 * time.Second),
				Faults: Faults{Copies: 3, PerSecond: 10, DestinationPort: 5460}}}}},
			{MAC: MAC{2, 0, 0, 0, 0, 7}, Rules: []Rule{{Match: Match{Type: "Solicit"}, Action: Action{Drop: true}}}},
			{MAC: MAC{2, 0, 0, 0, 0, 8}},
		},
	}
	e := NewEngine(sc, testLink)

	heard, sends, ok := e.Receive(clientFrame(t, capture.TransportICMPv6, ndp.MarshalRouterSolicitation(ndp.RouterSolicitation{SourceLinkLayerAddress: cpeMAC})))
	if !ok || heard.Kind != "RS" || heard.SourceMAC != cpeMAC.String() {
		t.Fatalf("RS heard as %+v ok %v", heard, ok)
	}
	type brief struct {
		Actor, Kind, Event string
		After              time.Duration
	}
	var got []brief
	for _, s := range sends {
		got = append(got, brief{s.Entry.Actor, s.Entry.Kind, s.Entry.Event, s.After})
	}
	want := []brief{{"router 0", "RA", EventSent, time.Second}, {"router 2", "RA", EventSent, 0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers to RS (-want +got):\n%s", diff)
	}

	heard, sends, ok = e.Receive(clientFrame(t, capture.TransportUDP, clientPayload(clientShape{typ: dhcpv6.MessageTypeSolicit, iapd: true})))
	if !ok || heard.Kind != "Solicit" || heard.XID != clientXID.String() || heard.SourcePort != 546 {
		t.Fatalf("Solicit heard as %+v", heard)
	}
	got = nil
	for _, s := range sends {
		got = append(got, brief{s.Entry.Actor, s.Entry.Kind, s.Entry.Event, s.After})
	}
	want = []brief{
		{"server 0", "Advertise", EventSent, 2 * time.Second},
		{"server 0", "Advertise", EventSent, 2100 * time.Millisecond},
		{"server 0", "Advertise", EventSent, 2200 * time.Millisecond},
		{"server 1", "Solicit", EventDropped, 0},
		{"server 2", "Solicit", EventDropped, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers to Solicit (-want +got):\n%s", diff)
	}
	p, err := capture.Decode(capture.Frame{LinkType: capture.LinkTypeEthernet, Data: sends[0].Frame})
	if err != nil {
		t.Fatal(err)
	}
	if p.DestinationPort != 5460 || p.SourcePort != 547 || p.Destination != cpeLL || !bytes.Equal(p.DestinationMAC, cpeMAC) ||
		!p.UpperLayerChecksumOK() {
		t.Errorf("Advertise to [%s]:%d from %d, MAC %s", p.Destination, p.DestinationPort, p.SourcePort, p.DestinationMAC)
	}

	// A Request naming another server's Server ID is for that server only.
	req := clientPayload(clientShape{typ: dhcpv6.MessageTypeRequest, iapd: true})
	req = appendOption(req, optServerID, dhcpv6.DUIDLL(net.HardwareAddr(sc.Servers[2].MAC)))
	_, sends, _ = e.Receive(clientFrame(t, capture.TransportUDP, req))
	got = nil
	for _, s := range sends {
		got = append(got, brief{s.Entry.Actor, s.Entry.Kind, s.Entry.Event, s.After})
	}
	want = []brief{{"server 0", "Request", EventDropped, 0}, {"server 1", "Request", EventDropped, 0}, {"server 2", "Request", EventDropped, 0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers to a Request for server 2 (-want +got):\n%s", diff)
	}
	if sends[2].Entry.Note != "no rule matches" || sends[0].Entry.Note != "for another server" {
		t.Errorf("notes %q, %q; want server 2 to consider it and server 0 not", sends[2].Entry.Note, sends[0].Entry.Note)
	}
	sc.Servers[0].AnyServerID = true
	if _, sends, _ = NewEngine(sc, testLink).Receive(clientFrame(t, capture.TransportUDP, req)); sends[0].Entry.Event != EventDropped || sends[0].Entry.Note != "no rule matches" {
		t.Errorf("AnyServerID: server 0 %+v; want it to consider the Request", sends[0].Entry)
	}

	// The ISP's own frames are never answered.
	own := clientFrame(t, capture.TransportUDP, clientPayload(clientShape{typ: dhcpv6.MessageTypeSolicit}))
	copy(own[6:12], ispMAC)
	if _, _, ok := e.Receive(own); ok {
		t.Error("a frame from the ISP's own MAC was handled")
	}
}

func TestFloodRandomRouters(t *testing.T) {
	sc := Scenario{Seed: 7, Routers: []Router{{Flood: &RAFlood{PerSecond: 10, Duration: Duration(time.Second), RandomRouters: true, RandomPrefixes: true}}}}
	a, b := NewEngine(sc, testLink), NewEngine(sc, testLink)
	s1, err := a.RouterAdvertisement(0, true)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := a.RouterAdvertisement(0, true)
	s3, _ := b.RouterAdvertisement(0, true)
	if s1.Entry.SourceMAC == s2.Entry.SourceMAC || s1.Entry.Source == s2.Entry.Source {
		t.Errorf("two flood RAs from the same router %s", s1.Entry.SourceMAC)
	}
	if !bytes.Equal(s1.Frame, s3.Frame) {
		t.Error("the same seed gave different floods")
	}
	p, _ := capture.Decode(capture.Frame{LinkType: capture.LinkTypeEthernet, Data: s1.Frame})
	ra, err := ndp.ParseRouterAdvertisement(p.ICMPv6)
	if err != nil || len(ra.Prefixes()) != 1 || ra.Prefixes()[0].Prefix.Bits() != 64 || p.SourceMAC[0]&0x03 != 0x02 {
		t.Errorf("flood RA %v from %s: %v", ra, p.SourceMAC, err)
	}
	if s, _ := a.RouterAdvertisement(0, false); s.Entry.SourceMAC != ispMAC.String() {
		t.Errorf("unsolicited RA outside the flood from %s; want the link's MAC", s.Entry.SourceMAC)
	}
}

func TestScenarioRoundTrip(t *testing.T) {
	sc := Healthy()
	sc.Seed = 3
	sc.Routers[0].MAC = MAC{2, 0, 0, 0, 0, 5}
	sc.Routers[0].RawOptions = []byte{1, 2, 3}
	sc.Routers[0].Flood = &RAFlood{PerSecond: 5, Duration: Duration(1500 * time.Millisecond)}
	sc.Servers[0].Preference = Ptr(uint8(255))
	sc.Servers[0].Rules[0].Match = Match{Type: "Solicit", HasIAPD: Ptr(true), HintLength: Ptr(0), DUIDType: "LL"}
	sc.Servers[0].Rules[0].Action.Faults = Faults{WrongTransactionID: true, Destination: netip.MustParseAddr("fe80::9"), ClientID: []byte{0, 3}}
	sc.Servers[0].Rules[0].Action.SolMaxRT = Ptr(Duration(time.Hour))
	path := filepath.Join(t.TempDir(), "s.json")
	if err := sc.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := ReadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sc, got, netipEq); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestReadLog(t *testing.T) {
	line := `{"time":"2026-11-23T17:00:00Z","event":"sent","actor":"server 0","kind":"Advertise","xid":"0x123456","size":100}` + "\n"
	es, err := ReadLog(bytes.NewReader([]byte(line + line + `{"time":"2026-11-23T17:0`)))
	if err != nil || len(es) != 2 || es[1].Kind != "Advertise" || es[0].Size != 100 {
		t.Errorf("ReadLog = %+v, %v", es, err)
	}
	if _, err := ReadLog(bytes.NewReader([]byte("not json\n"))); err == nil {
		t.Error("garbage read without error")
	}
}

// The example in doc.go is a valid scenario, so the documentation cannot
// drift from the format.
func TestDocExample(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var js []string
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		body, ok := strings.CutPrefix(line, "//\t")
		switch {
		case ok && body == "{":
			in = true
		case !ok:
			in = false
		}
		if in {
			js = append(js, body)
		}
	}
	path := filepath.Join(t.TempDir(), "doc.json")
	if err := os.WriteFile(path, []byte(strings.Join(js, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := ReadScenario(path)
	if err != nil {
		t.Fatalf("doc.go example: %v\n%s", err, strings.Join(js, "\n"))
	}
	if len(sc.Routers) != 2 || sc.Routers[1].HopLimit != 64 || len(sc.Servers) != 1 || *sc.Servers[0].Preference != 255 ||
		!sc.Servers[0].Rules[1].Action.Faults.WrongTransactionID || sc.Servers[0].Rules[1].Action.Delay.D() != 3*time.Second {
		t.Errorf("doc.go example read as %+v", sc)
	}
}
