package diag

import (
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	idhcp "github.com/insomniacslk/dhcp/dhcpv6"
	"github.com/insomniacslk/dhcp/iana"
	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/ndp"
)

// A test-only builder of synthetic captures: a fake timeline on which each
// step makes one Ethernet frame between the client (the router's WAN side)
// and the ISP's router, stamped with an injected clock (baseTime plus an
// offset; nothing sleeps).

// host is one end of the WAN link.
type host struct {
	mac net.HardwareAddr
	ll  netip.Addr
}

var (
	client    = host{net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}, netip.MustParseAddr("fe80::1")}
	isp       = host{net.HardwareAddr{0x02, 0, 0, 0, 0, 0x02}, netip.MustParseAddr("fe80::2")}
	neighbour = host{net.HardwareAddr{0x02, 0, 0, 0, 0, 0x03}, netip.MustParseAddr("fe80::3")}

	allNodes      = netip.MustParseAddr("ff02::1")
	allRouters    = netip.MustParseAddr("ff02::2")
	allDHCPAgents = netip.MustParseAddr("ff02::1:2")

	baseTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	clientDUID    = dhcpv6.DUIDLL(client.mac)
	neighbourDUID = dhcpv6.DUIDLL(neighbour.mac)
	serverDUID    = dhcpv6.DUID{0, 2, 0, 0, 0x09, 0xbf, 'k', 'e', 'a'} // DUID-EN
	iaid          = [4]byte{0, 0, 0, 1}
)

// clientFacts are what a healthy live run of our client knows.
var clientFacts = Facts{Live: true, Carrier: true, ClientDUID: clientDUID, ClientMAC: client.mac, ClientLinkLocal: client.ll}

// lab is a capture being written.
type lab struct {
	t      testing.TB
	now    time.Duration
	frames []capture.Frame
}

func newLab(t testing.TB) *lab { return &lab{t: t} }

// at sets the fake clock to baseTime+d for the frames that follow.
func (l *lab) at(d time.Duration) *lab {
	l.now = d
	return l
}

// raw appends one frame of any link type and returns its number.
func (l *lab) raw(lt capture.LinkType, data []byte) int {
	n := len(l.frames) + 1
	l.frames = append(l.frames, capture.Frame{Number: n, Timestamp: baseTime.Add(l.now), LinkType: lt, Data: data, OriginalLength: len(data)})
	return n
}

func ethernet(dst, src net.HardwareAddr, etherType uint16, payload []byte) []byte {
	b := make([]byte, 14, 14+len(payload))
	copy(b[0:6], dst)
	copy(b[6:12], src)
	binary.BigEndian.PutUint16(b[12:14], etherType)
	return append(b, payload...)
}

// ip sends one IPv6 packet from h; the destination MAC follows from dst.
func (l *lab) ip(from host, dstMAC net.HardwareAddr, p capture.IPv6Packet) int {
	l.t.Helper()
	p.Source = from.ll
	if p.HopLimit == 0 {
		p.HopLimit = 255
	}
	if dstMAC == nil {
		dstMAC = capture.MulticastMAC(p.Destination)
	}
	b, err := p.Marshal()
	if err != nil {
		l.t.Fatalf("build frame %d: %v", len(l.frames)+1, err)
	}
	return l.raw(capture.LinkTypeEthernet, ethernet(dstMAC, from.mac, 0x86dd, b))
}

// rs sends a Router Solicitation from the client.
func (l *lab) rs() int {
	return l.ip(client, nil, capture.IPv6Packet{Destination: allRouters, Transport: capture.TransportICMPv6,
		Payload: ndp.MarshalRouterSolicitation(ndp.RouterSolicitation{SourceLinkLayerAddress: client.mac})})
}

// raSpec is what a Router Advertisement says.
type raSpec struct {
	M, O     bool
	Lifetime time.Duration
	Prefixes []string
	RDNSS    []string
}

func (s raSpec) marshal(t testing.TB) []byte {
	t.Helper()
	ra := &ndp.RouterAdvertisement{
		CurrentHopLimit: 64, ManagedConfiguration: s.M, OtherConfiguration: s.O, RouterLifetime: s.Lifetime,
		Options: []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: isp.mac}},
	}
	for _, p := range s.Prefixes {
		ra.Options = append(ra.Options, &ndp.PrefixInformation{Prefix: netip.MustParsePrefix(p), OnLink: true, Autonomous: true,
			ValidLifetime: 2 * time.Hour, PreferredLifetime: time.Hour})
	}
	if len(s.RDNSS) > 0 {
		o := &ndp.RecursiveDNSServer{Lifetime: 20 * time.Minute}
		for _, a := range s.RDNSS {
			o.Servers = append(o.Servers, netip.MustParseAddr(a))
		}
		ra.Options = append(ra.Options, o)
	}
	b, err := ra.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ra sends a Router Advertisement from the ISP's router.
func (l *lab) ra(s raSpec) int { return l.raBytes(s.marshal(l.t)) }

// raBytes sends an ICMPv6 payload, well formed or not, as an RA.
func (l *lab) raBytes(icmp []byte) int {
	return l.ip(isp, nil, capture.IPv6Packet{Destination: allNodes, Transport: capture.TransportICMPv6, Payload: icmp})
}

var (
	// managed is the usual ISP router: M=1, O=1, a default route.
	managed = raSpec{M: true, O: true, Lifetime: 30 * time.Minute, Prefixes: []string{"2001:db8:ffff::/64"}, RDNSS: []string{"2001:db8::53"}}
	// slaac is a router without DHCPv6: M=0, O=0.
	slaac = raSpec{Lifetime: 30 * time.Minute, Prefixes: []string{"2001:db8:ffff::/64"}, RDNSS: []string{"2001:db8::53"}}
)

// shape is what our client asks for: IA_NA and IA_PD with a /48 hint.
var shape = dhcpv6.RequestShape{IANA: true, IAPD: true, PrefixLength: 48}

func xid(n byte) dhcpv6.TransactionID { return dhcpv6.TransactionID{0xab, 0xcd, n} }

// dhcpFrom sends a DHCPv6 client message to All_DHCP_Relay_Agents_and_Servers.
func (l *lab) dhcpFrom(h host, payload []byte) int {
	return l.ip(h, nil, capture.IPv6Packet{Destination: allDHCPAgents, HopLimit: 1, Transport: capture.TransportUDP,
		SourcePort: 546, DestinationPort: 547, Payload: payload})
}

// dhcpTo sends a DHCPv6 server message from the ISP's router to h.
func (l *lab) dhcpTo(h host, payload []byte) int {
	return l.ip(isp, h.mac, capture.IPv6Packet{Destination: h.ll, HopLimit: 64, Transport: capture.TransportUDP,
		SourcePort: 547, DestinationPort: 546, Payload: payload})
}

func (l *lab) solicitAs(h host, duid dhcpv6.DUID, s dhcpv6.RequestShape, x dhcpv6.TransactionID) int {
	l.t.Helper()
	b, err := dhcpv6.NewSolicit(dhcpv6.Identity{DUID: duid, IAID: iaid, PDIAID: iaid}, s, x, l.now)
	if err != nil {
		l.t.Fatal(err)
	}
	return l.dhcpFrom(h, b)
}

// solicit sends our client's Solicit.
func (l *lab) solicit(s dhcpv6.RequestShape, x dhcpv6.TransactionID) int {
	return l.solicitAs(client, clientDUID, s, x)
}

func (l *lab) requestAs(h host, duid dhcpv6.DUID, x dhcpv6.TransactionID, advertise []byte) int {
	l.t.Helper()
	adv, err := dhcpv6.Parse(advertise)
	if err != nil {
		l.t.Fatal(err)
	}
	b, err := dhcpv6.NewRequest(dhcpv6.Identity{DUID: duid, IAID: iaid, PDIAID: iaid}, shape, x, 0, adv)
	if err != nil {
		l.t.Fatal(err)
	}
	return l.dhcpFrom(h, b)
}

// request sends our client's Request built from an Advertise.
func (l *lab) request(x dhcpv6.TransactionID, advertise []byte) int {
	return l.requestAs(client, clientDUID, x, advertise)
}

// server sends a server message to our client.
func (l *lab) server(b []byte) int { return l.dhcpTo(client, b) }

// serverOption edits a server message, in insomniacslk's modifier style.
type serverOption func(*idhcp.Message)

func opaque(d dhcpv6.DUID) idhcp.DUID {
	return &idhcp.DUIDOpaque{Type: idhcp.DUIDType(d.Type()), Data: d[2:]}
}

// answer builds an Advertise or Reply to our client: Server ID and Client
// ID first, then opts.
func answer(t idhcp.MessageType, x dhcpv6.TransactionID, opts ...serverOption) []byte {
	m := &idhcp.Message{MessageType: t, TransactionID: idhcp.TransactionID(x)}
	m.AddOption(idhcp.OptServerID(opaque(serverDUID)))
	m.AddOption(idhcp.OptClientID(opaque(clientDUID)))
	for _, o := range opts {
		o(m)
	}
	return m.ToBytes()
}

func advertise(x dhcpv6.TransactionID, opts ...serverOption) []byte {
	return answer(idhcp.MessageTypeAdvertise, x, opts...)
}

func reply(x dhcpv6.TransactionID, opts ...serverOption) []byte {
	return answer(idhcp.MessageTypeReply, x, opts...)
}

func withClientID(d dhcpv6.DUID) serverOption {
	return func(m *idhcp.Message) { m.UpdateOption(idhcp.OptClientID(opaque(d))) }
}

func withoutOption(c idhcp.OptionCode) serverOption {
	return func(m *idhcp.Message) { m.Options.Del(c) }
}

func status(c iana.StatusCode, msg string) *idhcp.OptStatusCode {
	return &idhcp.OptStatusCode{StatusCode: c, StatusMessage: msg}
}

// withPD adds an IA_PD delegating prefix; st, if any, goes inside the IA
// Prefix option.
func withPD(prefix string, st ...*idhcp.OptStatusCode) serverOption {
	return func(m *idhcp.Message) {
		_, n, err := net.ParseCIDR(prefix)
		if err != nil {
			panic(err)
		}
		p := &idhcp.OptIAPrefix{PreferredLifetime: time.Hour, ValidLifetime: 2 * time.Hour, Prefix: n}
		for _, s := range st {
			p.Options.Add(s)
		}
		pd := &idhcp.OptIAPD{IaId: iaid, T1: 30 * time.Minute, T2: 48 * time.Minute}
		pd.Options.Add(p)
		m.AddOption(pd)
	}
}

// withPDStatus adds an IA_PD that carries only a status.
func withPDStatus(c iana.StatusCode) serverOption {
	return func(m *idhcp.Message) {
		pd := &idhcp.OptIAPD{IaId: iaid}
		pd.Options.Add(status(c, "no prefixes for you"))
		m.AddOption(pd)
	}
}

func withNA(addr string) serverOption {
	return func(m *idhcp.Message) {
		na := &idhcp.OptIANA{IaId: iaid, T1: 30 * time.Minute, T2: 48 * time.Minute}
		na.Options.Add(&idhcp.OptIAAddress{IPv6Addr: net.ParseIP(addr), PreferredLifetime: time.Hour, ValidLifetime: 2 * time.Hour})
		m.AddOption(na)
	}
}

func withStatus(c iana.StatusCode) serverOption {
	return func(m *idhcp.Message) { m.AddOption(status(c, "")) }
}

func withPreference(p uint8) serverOption {
	return func(m *idhcp.Message) { m.AddOption(idhcp.OptPreference(p)) }
}

func withRapidCommit(m *idhcp.Message) { idhcp.WithRapidCommit(m) }

// analyze feeds the capture to a new Analyzer.
func (l *lab) analyze(f Facts) *Result {
	a := NewAnalyzer(f)
	for _, fr := range l.frames {
		a.Add(fr)
	}
	return a.Finish()
}

// healthy writes a complete exchange: RS 1, RA 2, Solicit 3, Advertise 4,
// Request 5, Reply 6; the Reply's options are given.
func (l *lab) healthy(ra raSpec, s dhcpv6.RequestShape, replyOpts ...serverOption) {
	l.at(0).rs()
	l.at(3 * time.Millisecond).ra(ra)
	l.at(10*time.Millisecond).solicit(s, xid(1))
	adv := advertise(xid(1), withPreference(255), withNA("2001:db8::100"), withPD("2001:db8:8000::/48"))
	l.at(25 * time.Millisecond).server(adv)
	l.at(30*time.Millisecond).request(xid(2), adv)
	l.at(42 * time.Millisecond).server(reply(xid(2), replyOpts...))
}

// scenario is one synthetic capture and what the diagnosis must say.
type scenario struct {
	name  string
	facts Facts
	build func(l *lab)
	code  Code
	// cites maps finding ids that must be present to the exact frames
	// each cites (nil: a finding citing no frame).
	cites map[string][]int
	// absent lists finding ids that must not be present.
	absent []string
	check  func(t *testing.T, r *Result)
}

func (sc scenario) run(t *testing.T) {
	t.Helper()
	l := newLab(t)
	sc.build(l)
	r := l.analyze(sc.facts)
	if r.Verdict.Code != sc.code {
		t.Errorf("verdict %s (%s), want %s", r.Verdict.Code, r.Verdict.Summary, sc.code)
	}
	if r.Verdict.Summary == "" || r.Verdict.WhoMustAct == "" {
		t.Errorf("verdict %+v lacks a summary or a party", r.Verdict)
	}
	for id, want := range sc.cites {
		f := finding(r, id)
		if f == nil {
			t.Errorf("finding %s missing; have %v", id, findingIDs(r))
			continue
		}
		if !slices.Equal(f.Frames, want) {
			t.Errorf("finding %s cites frames %v, want %v", id, f.Frames, want)
		}
	}
	for _, id := range sc.absent {
		if finding(r, id) != nil {
			t.Errorf("finding %s present (%s)", id, finding(r, id).Summary)
		}
	}
	// Every cited frame exists.
	for _, f := range r.Findings {
		for _, n := range f.Frames {
			if n < 1 || n > len(l.frames) {
				t.Errorf("finding %s cites frame %d of %d", f.ID, n, len(l.frames))
			}
		}
	}
	if sc.check != nil {
		sc.check(t, r)
	}
}

func delegated(want ...string) func(t *testing.T, r *Result) {
	return func(t *testing.T, r *Result) {
		t.Helper()
		if got := prefixes(r.DelegatedPrefixes); !slices.Equal(got, want) {
			t.Errorf("delegated %v, want %v", got, want)
		}
	}
}

// TestVerdicts covers every verdict code of the README's table.
func TestVerdicts(t *testing.T) {
	tests := []scenario{
		{
			name: "ok", facts: clientFacts, code: CodeOK,
			build:  func(l *lab) { l.healthy(managed, shape, withNA("2001:db8::100"), withPD("2001:db8:8000::/48")) },
			cites:  map[string][]int{"ra-received": {2}, "dhcpv6-advertise-received": {4}, "dhcpv6-prefix-delegated": {6}},
			absent: []string{"dhcpv6-prefix-smaller-than-hint", "dhcpv6-no-reply", "dhcpv6-reply-error", "ra-none"},
			check: func(t *testing.T, r *Result) {
				delegated("2001:db8:8000::/48")(t, r)
				if len(r.Addresses) != 1 || !r.DelegatedPrefixes[0].Confirmed || r.Client.PrefixHint != 48 {
					t.Errorf("addresses %v, confirmed %v, hint %d", prefixes(r.Addresses), r.DelegatedPrefixes[0].Confirmed, r.Client.PrefixHint)
				}
				if len(r.Routers) != 1 || !r.Routers[0].AnsweredSolicitation || r.Routers[0].SolicitedLatency != 3*time.Millisecond ||
					!slices.Equal(r.Routers[0].SolicitedLatencyFrames, []int{1, 2}) || len(r.Routers[0].RDNSS) != 1 {
					t.Errorf("routers %+v", r.Routers)
				}
				if len(r.Servers) != 1 || r.Servers[0].Preference != 255 || !slices.Equal(r.Servers[0].Frames, []int{4, 6}) ||
					r.Servers[0].Latency != 15*time.Millisecond {
					t.Errorf("servers %+v", r.Servers)
				}
				if r.Timeline[5].Offset != 42*time.Millisecond || r.Timeline[5].Direction != DirectionIn || r.Timeline[2].Direction != DirectionOut {
					t.Errorf("timeline %+v", r.Timeline)
				}
			},
		},
		{
			name: "ok/no hint: any prefix is fine", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.healthy(managed, dhcpv6.RequestShape{IANA: true, IAPD: true}, withPD("2001:db8:8000:100::/56"))
			},
			cites:  map[string][]int{"dhcpv6-prefix-delegated": {6}},
			absent: []string{"dhcpv6-prefix-smaller-than-hint"},
			check: func(t *testing.T, r *Result) {
				delegated("2001:db8:8000:100::/56")(t, r)
				if r.Client.PrefixHint != 0 {
					t.Errorf("hint %d, want 0", r.Client.PrefixHint)
				}
			},
		},
		{
			name: "ok/rapid commit", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.at(time.Millisecond).solicit(dhcpv6.RequestShape{IAPD: true, PrefixLength: 48, RapidCommit: true}, xid(1))
				l.at(2 * time.Millisecond).server(reply(xid(1), withRapidCommit, withPD("2001:db8:8000::/48")))
			},
			cites: map[string][]int{"dhcpv6-prefix-delegated": {3}},
			check: delegated("2001:db8:8000::/48"),
		},
		{
			name: "ok/solicit-only: offered in an Advertise", code: CodeOK,
			facts: Facts{Live: true, Carrier: true, ClientDUID: clientDUID, SolicitOnly: true},
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(advertise(xid(1), withPD("2001:db8:8000::/48")))
			},
			cites: map[string][]int{"dhcpv6-prefix-delegated": {3}, "dhcpv6-advertise-received": {3}},
			check: func(t *testing.T, r *Result) {
				delegated("2001:db8:8000::/48")(t, r)
				if r.DelegatedPrefixes[0].Confirmed {
					t.Error("an Advertise's prefix marked confirmed")
				}
			},
		},
		{
			name: "link-down", facts: Facts{Live: true, Carrier: false, ClientDUID: clientDUID}, code: CodeLinkDown,
			build: func(l *lab) { l.healthy(managed, shape, withPD("2001:db8:8000::/48")) },
			// link-down beats everything; what else was seen stays a finding.
			cites: map[string][]int{"link-no-carrier": nil, "ra-received": {2}, "dhcpv6-prefix-delegated": {6}},
		},
		{
			name: "link-down/beats no RA", facts: Facts{Live: true, Carrier: false}, code: CodeLinkDown,
			build: func(l *lab) { l.rs() },
			cites: map[string][]int{"link-no-carrier": nil, "ra-none": {1}},
		},
		{
			name: "no-ipv6-control-traffic: only ARP and TCP", code: CodeNoIPv6ControlTraffic,
			build: func(l *lab) {
				arp := make([]byte, 28)
				l.raw(capture.LinkTypeEthernet, ethernet(net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, client.mac, 0x0806, arp))
				tcp4 := make([]byte, 40)
				tcp4[0], tcp4[9] = 0x45, 6
				l.at(time.Second).raw(capture.LinkTypeEthernet, ethernet(isp.mac, client.mac, 0x0800, tcp4))
			},
			cites:  map[string][]int{"ra-none": nil},
			absent: []string{"dhcpv6-no-reply"},
			check: func(t *testing.T, r *Result) {
				if r.Stats.Frames != 2 || r.Stats.ControlFrames != 0 || len(r.Timeline) != 0 || r.Stats.DecodeErrors != 0 {
					t.Errorf("stats %+v, timeline %d", r.Stats, len(r.Timeline))
				}
			},
		},
		{
			name: "no-ipv6-control-traffic: only RS", code: CodeNoIPv6ControlTraffic,
			build: func(l *lab) { l.rs(); l.at(4 * time.Second).rs() },
			cites: map[string][]int{"ra-none": {1, 2}},
		},
		{
			// The rule is analyze-only: a live run that saw nothing lacks an RA.
			name: "no-router-advertisement: live run saw no control traffic", facts: clientFacts, code: CodeNoRouterAdvertisement,
			build: func(l *lab) {
				l.raw(capture.LinkTypeEthernet, ethernet(isp.mac, client.mac, 0x0806, make([]byte, 28)))
			},
			cites: map[string][]int{"ra-none": nil},
		},
		{
			name: "no-router-advertisement: none seen", facts: clientFacts, code: CodeNoRouterAdvertisement,
			build: func(l *lab) {
				l.rs()
				l.at(4 * time.Second).rs()
				l.at(8 * time.Second).rs()
				adv := advertise(xid(1), withPD("2001:db8:8000::/48"))
				l.at(8100*time.Millisecond).solicit(shape, xid(1))    // 4
				l.server(adv)                                         // 5
				l.request(xid(2), adv)                                // 6
				l.server(reply(xid(2), withPD("2001:db8:8000::/48"))) // 7
			},
			// The DHCPv6 exchange worked and still shows.
			cites: map[string][]int{"ra-none": {1, 2, 3}, "dhcpv6-prefix-delegated": {7}},
			check: delegated("2001:db8:8000::/48"),
		},
		{
			name: "no-router-advertisement: every RA has router lifetime 0", facts: clientFacts, code: CodeNoRouterAdvertisement,
			build: func(l *lab) {
				l.rs()
				noDefault := managed
				noDefault.Lifetime = 0
				l.at(time.Millisecond).ra(noDefault)
				l.at(time.Minute).ra(noDefault)
				adv := advertise(xid(1), withPD("2001:db8:8000::/48"))
				l.solicit(shape, xid(1))
				l.server(adv)
				l.request(xid(2), adv)
				l.server(reply(xid(2), withPD("2001:db8:8000::/48")))
			},
			cites:  map[string][]int{"ra-no-default-route": {2, 3}, "dhcpv6-prefix-delegated": {7}},
			absent: []string{"ra-received", "ra-none"},
		},
		{
			name: "no-router-advertisement beats no-dhcpv6-reply", facts: clientFacts, code: CodeNoRouterAdvertisement,
			build: func(l *lab) {
				l.rs()
				l.at(10*time.Millisecond).solicit(shape, xid(1))
				l.at(1100*time.Millisecond).solicit(shape, xid(1))
			},
			cites: map[string][]int{"ra-none": {1}, "dhcpv6-no-reply": {2, 3}},
		},
		{
			name: "slaac-only", facts: clientFacts, code: CodeSLAACOnly,
			build: func(l *lab) {
				l.rs()
				l.at(2 * time.Millisecond).ra(slaac)
				l.at(10*time.Millisecond).solicit(shape, xid(1))
				l.at(1100*time.Millisecond).solicit(shape, xid(1))
				l.at(3200*time.Millisecond).solicit(shape, xid(1))
			},
			cites: map[string][]int{"ra-received": {2}, "dhcpv6-no-reply": {3, 4, 5}, "dhcpv6-solicit-retransmissions": {3, 4, 5}},
			check: func(t *testing.T, r *Result) {
				if r.Client.Solicits != 3 {
					t.Errorf("solicits %d", r.Client.Solicits)
				}
			},
		},
		{
			name: "slaac-only: no client at all", code: CodeSLAACOnly,
			build: func(l *lab) { l.ra(slaac) },
			cites: map[string][]int{"ra-received": {1}},
		},
		{
			name: "no-dhcpv6-reply: every Solicit cited", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.rs()
				l.at(time.Millisecond).ra(managed)
				for _, at := range []time.Duration{10, 1100, 3300, 7600} {
					l.at(at*time.Millisecond).solicit(shape, xid(1))
				}
			},
			cites: map[string][]int{"dhcpv6-no-reply": {3, 4, 5, 6}, "ra-received": {2}},
			check: func(t *testing.T, r *Result) {
				if r.Verdict.WhoMustAct != PartyISP {
					t.Errorf("who must act %s", r.Verdict.WhoMustAct)
				}
			},
		},
		{
			name: "no-dhcpv6-reply: O flag only", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				other := slaac
				other.O = true
				l.ra(other)
				l.solicit(shape, xid(1))
			},
			cites: map[string][]int{"dhcpv6-no-reply": {2}},
		},
		{
			name: "no-prefix-offered: Advertise without IA_PD", facts: clientFacts, code: CodeNoPrefixOffered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				adv := advertise(xid(1), withNA("2001:db8::100"))
				l.server(adv)          // 3
				l.request(xid(2), adv) // 4: IA_NA only
				l.server(reply(xid(2), withNA("2001:db8::100")))
			},
			cites:  map[string][]int{"dhcpv6-no-prefix-offered": {3, 5}, "dhcpv6-advertise-received": {3}},
			absent: []string{"dhcpv6-prefix-delegated", "dhcpv6-reply-error"},
		},
		{
			name: "no-prefix-offered: IA_PD with NoPrefixAvail", facts: clientFacts, code: CodeNoPrefixOffered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.at(5 * time.Millisecond).server(advertise(xid(1), withNA("2001:db8::100"), withPDStatus(iana.StatusNoPrefixAvail)))
			},
			cites: map[string][]int{"dhcpv6-no-prefix-offered": {3}},
			check: func(t *testing.T, r *Result) {
				if f := finding(r, "dhcpv6-no-prefix-offered"); f == nil || !strings.Contains(f.Summary, "NoPrefixAvail") {
					t.Errorf("finding does not name the status: %+v", f)
				}
			},
		},
		{
			name: "request-unanswered", facts: clientFacts, code: CodeRequestUnanswered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				adv := advertise(xid(1), withPD("2001:db8:8000::/48"))
				l.server(adv)
				l.at(time.Second).request(xid(2), adv)
				l.at(3*time.Second).request(xid(2), adv)
			},
			cites:  map[string][]int{"dhcpv6-request-unanswered": {4, 5}, "dhcpv6-advertise-received": {3}},
			absent: []string{"dhcpv6-prefix-delegated"},
		},
		{
			name: "reply-refused: IA_PD NoPrefixAvail", facts: clientFacts, code: CodeReplyRefused,
			build: func(l *lab) {
				l.healthy(managed, shape, withNA("2001:db8::100"), withPDStatus(iana.StatusNoPrefixAvail))
			},
			cites:  map[string][]int{"dhcpv6-reply-error": {6}},
			absent: []string{"dhcpv6-prefix-delegated"},
		},
		{
			name: "reply-refused: IA Prefix NoPrefixAvail", facts: clientFacts, code: CodeReplyRefused,
			build: func(l *lab) {
				l.healthy(managed, shape, withPD("2001:db8:8000::/48", status(iana.StatusNoPrefixAvail, "")))
			},
			cites:  map[string][]int{"dhcpv6-reply-error": {6}},
			absent: []string{"dhcpv6-prefix-delegated"},
		},
		{
			name: "reply-refused: message-level UnspecFail", facts: clientFacts, code: CodeReplyRefused,
			build:  func(l *lab) { l.healthy(managed, shape, withStatus(iana.StatusUnspecFail)) },
			cites:  map[string][]int{"dhcpv6-reply-status-error": {6}},
			absent: []string{"dhcpv6-reply-error"},
			check: func(t *testing.T, r *Result) {
				if !strings.Contains(r.Verdict.Summary, "UnspecFail") {
					t.Errorf("summary %q does not name the status", r.Verdict.Summary)
				}
			},
		},
		{
			// RFC 8415 §18.2.10: a Reply with UnspecFail was not processed;
			// an IA_PD echoed in it delegates nothing.
			name: "reply-refused: UnspecFail echoing the IA_PD", facts: clientFacts, code: CodeReplyRefused,
			build: func(l *lab) {
				l.healthy(managed, shape, withStatus(iana.StatusUnspecFail), withPD("2001:db8:8000::/48"))
			},
			cites:  map[string][]int{"dhcpv6-reply-status-error": {6}},
			absent: []string{"dhcpv6-prefix-delegated"},
			check:  delegated(),
		},
		{
			name: "prefix-smaller-than-requested", facts: clientFacts, code: CodePrefixSmallerThanRequested,
			build: func(l *lab) { l.healthy(managed, shape, withPD("2001:db8:8000:100::/56")) },
			cites: map[string][]int{"dhcpv6-prefix-smaller-than-hint": {6}, "dhcpv6-prefix-delegated": {6}},
			check: delegated("2001:db8:8000:100::/56"),
		},
		{
			name: "precedence: no RA and a refused Reply → no-router-advertisement", facts: clientFacts, code: CodeNoRouterAdvertisement,
			build: func(l *lab) {
				l.rs()
				adv := advertise(xid(1), withPD("2001:db8:8000::/48"))
				l.solicit(shape, xid(1))
				l.server(adv)
				l.request(xid(2), adv)
				l.server(reply(xid(2), withPDStatus(iana.StatusNoPrefixAvail)))
			},
			cites: map[string][]int{"ra-none": {1}, "dhcpv6-reply-error": {5}},
		},
		{
			name: "precedence: slaac-only beats no-dhcpv6-reply", facts: clientFacts, code: CodeSLAACOnly,
			build: func(l *lab) {
				l.ra(slaac)
				l.solicit(shape, xid(1))
			},
			cites: map[string][]int{"dhcpv6-no-reply": {2}},
		},
		{
			name: "precedence: request-unanswered beats prefix-smaller-than-requested", facts: clientFacts, code: CodeRequestUnanswered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				adv := advertise(xid(1), withPD("2001:db8:8000:100::/56"))
				l.server(adv)
				l.request(xid(2), adv)
			},
			cites: map[string][]int{"dhcpv6-request-unanswered": {4}},
		},
	}
	for _, sc := range tests {
		t.Run(sc.name, sc.run)
	}
}

// TestMessageValidation checks RFC 8415 §16: messages a client discards are
// recorded and reported, never acted on.
func TestMessageValidation(t *testing.T) {
	solicitOnly := Facts{Live: true, Carrier: true, ClientDUID: clientDUID, SolicitOnly: true}
	// invalidAdvertise writes RA 1, Solicit 2 and the one Advertise 3, the
	// only one carrying a prefix.
	invalidAdvertise := func(b []byte) func(l *lab) {
		return func(l *lab) {
			l.ra(managed)
			l.solicit(shape, xid(1))
			l.at(5 * time.Millisecond).server(b)
		}
	}
	ignored := func(frame int) func(t *testing.T, r *Result) {
		return func(t *testing.T, r *Result) {
			t.Helper()
			for _, e := range r.Timeline {
				if (e.Frame == frame) != (e.Ignored != "") {
					t.Errorf("frame %d: ignored %q", e.Frame, e.Ignored)
				}
			}
			if len(r.DelegatedPrefixes) != 0 || len(r.Servers) != 0 {
				t.Errorf("an ignored message counted: prefixes %v, servers %+v", prefixes(r.DelegatedPrefixes), r.Servers)
			}
		}
	}
	wrongXID := advertise(xid(9), withPD("2001:db8:8000::/48"))
	foreign := advertise(xid(1), withClientID(neighbourDUID), withPD("2001:db8:8000::/48"))
	noServerID := advertise(xid(1), withoutOption(idhcp.OptionServerID), withPD("2001:db8:8000::/48"))
	noClientID := advertise(xid(1), withoutOption(idhcp.OptionClientID), withPD("2001:db8:8000::/48"))

	var tests []scenario
	for _, mode := range []struct {
		name  string
		facts Facts
	}{{"live", solicitOnly}, {"analyze", Facts{}}} {
		tests = append(tests,
			scenario{name: mode.name + "/wrong transaction id", facts: mode.facts, code: CodeNoDHCPv6Reply,
				build: invalidAdvertise(wrongXID), check: ignored(3),
				cites: map[string][]int{"dhcpv6-wrong-transaction-id": {3}, "dhcpv6-no-reply": {2}}},
			scenario{name: mode.name + "/foreign Client ID with our xid", facts: mode.facts, code: CodeNoDHCPv6Reply,
				build: invalidAdvertise(foreign), check: ignored(3),
				cites: map[string][]int{"dhcpv6-foreign-client-id": {3}, "dhcpv6-no-reply": {2}}},
			scenario{name: mode.name + "/no Server ID", facts: mode.facts, code: CodeNoDHCPv6Reply,
				build: invalidAdvertise(noServerID), check: ignored(3),
				cites: map[string][]int{"dhcpv6-missing-server-id": {3}, "dhcpv6-no-reply": {2}}},
			scenario{name: mode.name + "/no Client ID", facts: mode.facts, code: CodeNoDHCPv6Reply,
				build: invalidAdvertise(noClientID), check: ignored(3),
				cites: map[string][]int{"dhcpv6-missing-client-id": {3}, "dhcpv6-no-reply": {2}}},
		)
	}
	tests = append(tests,
		scenario{
			// A valid Advertise without a prefix, and an invalid one with.
			name: "full run: the prefix came only in an ignored Advertise", facts: clientFacts, code: CodeNoPrefixOffered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				valid := advertise(xid(1), withNA("2001:db8::100"))
				l.server(valid)                                                                                // 3
				l.server(advertise(xid(1), withoutOption(idhcp.OptionServerID), withPD("2001:db8:8000::/48"))) // 4
				l.request(xid(2), valid)                                                                       // 5
				l.server(reply(xid(2), withNA("2001:db8::100")))                                               // 6
			},
			cites: map[string][]int{"dhcpv6-missing-server-id": {4}, "dhcpv6-no-prefix-offered": {3, 6}, "dhcpv6-advertise-received": {3}},
		},
		scenario{
			name: "Reply without Rapid Commit to a Solicit without it", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(reply(xid(1), withPD("2001:db8:8000::/48")))
			},
			check: ignored(3),
			cites: map[string][]int{"dhcpv6-reply-without-rapid-commit": {3}, "dhcpv6-no-reply": {2}},
		},
		scenario{
			// RFC 8415 §18.2.1: only a client that asked for Rapid Commit
			// takes a Reply to its Solicit.
			name: "Rapid Commit Reply to a Solicit without Rapid Commit", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(reply(xid(1), withRapidCommit, withPD("2001:db8:8000::/48")))
			},
			check: ignored(3),
			cites: map[string][]int{"dhcpv6-unrequested-rapid-commit": {3}, "dhcpv6-no-reply": {2}},
		},
		scenario{
			name: "the same invalid message twice: one finding citing both", facts: solicitOnly, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(wrongXID)
				l.server(wrongXID)
			},
			cites: map[string][]int{"dhcpv6-wrong-transaction-id": {3, 4}},
		},
	)
	for _, sc := range tests {
		t.Run(sc.name, sc.run)
	}
}

// neighbourExchange writes another client's complete exchange, with its
// own DUID, MAC and transaction ids.
func (l *lab) neighbourExchange() {
	l.solicitAs(neighbour, neighbourDUID, shape, xid(0x71))
	adv := answer(idhcp.MessageTypeAdvertise, xid(0x71), withClientID(neighbourDUID), withPD("2001:db8:7000::/48"))
	l.dhcpTo(neighbour, adv)
	l.requestAs(neighbour, neighbourDUID, xid(0x72), adv)
	l.dhcpTo(neighbour, answer(idhcp.MessageTypeReply, xid(0x72), withClientID(neighbourDUID), withPD("2001:db8:7000::/48")))
}

// TestOtherClients: the subject of a live run is its DUID; an analysis
// picks the client whose exchange got furthest.
func TestOtherClients(t *testing.T) {
	// RA 1, our Solicits 2 and 3, the neighbour's exchange 4 to 7.
	ourFailure := func(l *lab) {
		l.ra(managed)
		l.at(10*time.Millisecond).solicit(shape, xid(1))
		l.at(1100*time.Millisecond).solicit(shape, xid(1))
		l.neighbourExchange()
	}
	tests := []scenario{
		{
			name: "live: a neighbour's complete exchange does not count", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: ourFailure,
			cites: map[string][]int{"dhcpv6-no-reply": {2, 3}},
			absent: []string{"dhcpv6-prefix-delegated", "dhcpv6-foreign-client-id", "dhcpv6-wrong-transaction-id",
				"dhcpv6-advertise-received"},
			check: func(t *testing.T, r *Result) {
				if !r.Client.DUID.Equal(clientDUID) || r.Client.Solicits != 2 || r.Client.Requests != 0 || len(r.Servers) != 0 {
					t.Errorf("client %+v, servers %+v", r.Client, r.Servers)
				}
				if !slices.Equal(r.Client.SourceMAC, client.mac) || r.Client.Address != client.ll {
					t.Errorf("client MAC %s, address %s", r.Client.SourceMAC, r.Client.Address)
				}
			},
		},
		{
			name: "analyze: the furthest client is picked", code: CodeOK,
			build: ourFailure,
			cites: map[string][]int{"dhcpv6-prefix-delegated": {7}, "dhcpv6-advertise-received": {5}},
			check: func(t *testing.T, r *Result) {
				delegated("2001:db8:7000::/48")(t, r)
				if !r.Client.DUID.Equal(neighbourDUID) || r.Client.Solicits != 1 {
					t.Errorf("client %s with %d Solicits, want the neighbour's", r.Client.DUID, r.Client.Solicits)
				}
			},
		},
		{
			name: "analyze: the furthest client wins though it comes second", code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.solicitAs(neighbour, neighbourDUID, shape, xid(0x71)) // 2: only solicits
				l.healthyDHCP()                                         // 3 to 6
			},
			cites: map[string][]int{"dhcpv6-prefix-delegated": {6}},
			check: func(t *testing.T, r *Result) {
				if !r.Client.DUID.Equal(clientDUID) {
					t.Errorf("client %s, want ours", r.Client.DUID)
				}
			},
		},
		{
			// A server message alone does not make a client: a forged
			// Advertise naming a DUID that never sent anything cannot win.
			name: "analyze: a stray Advertise does not elect its Client ID", code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(advertise(xid(0x55), withClientID(neighbourDUID), withPD("2001:db8:7000::/48")))
			},
			cites: map[string][]int{"dhcpv6-no-reply": {2}},
			check: func(t *testing.T, r *Result) {
				if !r.Client.DUID.Equal(clientDUID) {
					t.Errorf("client %s, want ours", r.Client.DUID)
				}
			},
		},
	}
	for _, sc := range tests {
		t.Run(sc.name, sc.run)
	}
}

// healthyDHCP writes our client's Solicit, Advertise, Request and Reply.
func (l *lab) healthyDHCP() {
	adv := advertise(xid(1), withPD("2001:db8:8000::/48"))
	l.solicit(shape, xid(1))
	l.server(adv)
	l.request(xid(2), adv)
	l.server(reply(xid(2), withPD("2001:db8:8000::/48")))
}

// TestMalformedFrames: what does not parse becomes a finding citing its
// frame, never a panic.
func TestMalformedFrames(t *testing.T) {
	goodAdv := advertise(xid(1), withPD("2001:db8:8000::/48"))
	tests := []scenario{
		{
			name: "DHCPv6 Advertise with a truncated option", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(goodAdv[:len(goodAdv)-3]) // the IA_PD's length now runs past the end
			},
			cites: map[string][]int{"dhcpv6-malformed": {3}, "dhcpv6-no-reply": {2}},
			check: func(t *testing.T, r *Result) {
				if e := r.Timeline[2]; e.Kind != "Advertise" || !strings.Contains(e.Note, "malformed") {
					t.Errorf("event %+v", e)
				}
			},
		},
		{
			name: "DHCPv6 message shorter than its header", facts: clientFacts, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server([]byte{2, 0xab})
			},
			cites: map[string][]int{"dhcpv6-malformed": {3}},
		},
		{
			// RFC 4861 §4.6: the whole RA is discarded, so no router is left.
			name: "RA with an option of length 0", facts: clientFacts, code: CodeNoRouterAdvertisement,
			build: func(l *lab) {
				b := managed.marshal(t)
				l.raBytes(append(b, 5, 0, 0, 0, 0, 0, 0, 0)) // option type 5 (MTU), length 0
				l.solicit(shape, xid(1))
			},
			cites: map[string][]int{string(ndp.ProblemOptionLengthZero): {1}, "ra-invalid-ignored": {1}, "ra-none": nil},
			check: func(t *testing.T, r *Result) {
				if len(r.Routers) != 0 || r.Stats.IgnoredRouterAdvertisements != 1 || r.Timeline[0].Ignored == "" {
					t.Errorf("routers %d, ignored %d, timeline %+v", len(r.Routers), r.Stats.IgnoredRouterAdvertisements, r.Timeline[0])
				}
			},
		},
		{
			name: "RA shorter than its header", facts: clientFacts, code: CodeNoRouterAdvertisement,
			build: func(l *lab) {
				l.raBytes([]byte{134, 0, 0, 0, 64, 0xc0, 0x07, 0x08})
			},
			cites: map[string][]int{"ra-malformed": {1}},
		},
		{
			name: "unsupported link type is counted", facts: clientFacts, code: CodeOK,
			build: func(l *lab) {
				l.raw(capture.LinkType(147), []byte{1, 2, 3, 4}) // LINKTYPE_USER0
				l.healthy(managed, shape, withPD("2001:db8:8000::/48"))
			},
			cites: map[string][]int{"capture-unsupported-link-type": {1}},
			check: func(t *testing.T, r *Result) {
				if r.Stats.UnsupportedFrames != 1 || r.Stats.Frames != 7 {
					t.Errorf("stats %+v", r.Stats)
				}
			},
		},
		{
			// A later fragment of an ICMPv6 message has no ICMPv6 header.
			name: "non-first fragment of an ICMPv6 message", facts: clientFacts, code: CodeNoRouterAdvertisement,
			build: func(l *lab) {
				ip := make([]byte, 40+8+8)
				ip[0] = 0x60
				binary.BigEndian.PutUint16(ip[4:6], 16)
				ip[6], ip[7] = 44, 255 // Fragment header follows
				src, dst := isp.ll.As16(), allNodes.As16()
				copy(ip[8:24], src[:])
				copy(ip[24:40], dst[:])
				ip[40] = 58                                 // then ICMPv6
				binary.BigEndian.PutUint16(ip[42:44], 1<<3) // offset 8 octets
				l.raw(capture.LinkTypeEthernet, ethernet(capture.MulticastMAC(allNodes), isp.mac, 0x86dd, ip))
			},
			check: func(t *testing.T, r *Result) {
				if r.Stats.Frames != 1 || len(r.Timeline) != 0 {
					t.Errorf("stats %+v, timeline %v", r.Stats, r.Timeline)
				}
			},
		},
	}
	for _, sc := range tests {
		t.Run(sc.name, sc.run)
	}
}

// TestEventsCapped: a flood of RAs keeps memory bounded and says so.
func TestEventsCapped(t *testing.T) {
	a := NewAnalyzer(clientFacts)
	b := newLab(t)
	b.ra(managed)
	frame := b.frames[0]
	for i := range MaxEvents + 100 {
		frame.Number = i + 1
		frame.Timestamp = baseTime.Add(time.Duration(i) * time.Microsecond)
		a.Add(frame)
	}
	r := a.Finish()
	if r.Stats.TimelineDropped != 100 || len(r.Timeline) != MaxEvents || r.Stats.ControlFrames != MaxEvents+100 {
		t.Errorf("dropped %d, timeline %d, control frames %d", r.Stats.TimelineDropped, len(r.Timeline), r.Stats.ControlFrames)
	}
	if cap(r.Timeline) > 2*MaxEvents {
		t.Errorf("timeline capacity %d grew past the cap", cap(r.Timeline))
	}
	if finding(r, "capture-events-capped") == nil {
		t.Errorf("no capture-events-capped finding; have %v", findingIDs(r))
	}
	if len(r.Routers) != 1 || r.Routers[0].Advertisements != MaxEvents || len(r.Routers[0].Frames) != maxProblemFrames {
		t.Errorf("router %d advertisements, %d frames", r.Routers[0].Advertisements, len(r.Routers[0].Frames))
	}
	for _, f := range r.Findings {
		if len(f.Frames) > maxProblemFrames {
			t.Errorf("finding %s cites %d frames", f.ID, len(f.Frames))
		}
	}
}

// splitFrames cuts fuzz input into frames, each led by a 2-byte length.
func splitFrames(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= 2 && len(out) < 64 {
		n := min(int(binary.BigEndian.Uint16(b)), len(b)-2)
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out
}

func joinFrames(fs []capture.Frame) []byte {
	var b []byte
	for _, f := range fs {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f.Data)))
		b = append(b, f.Data...)
	}
	return b
}

// FuzzAnalyzer feeds arbitrary frames of an arbitrary link type: the
// analysis must never panic, and cite only frames it was given.
func FuzzAnalyzer(f *testing.F) {
	seeds := []func(l *lab){
		func(l *lab) { l.healthy(managed, shape, withNA("2001:db8::100"), withPD("2001:db8:8000::/48")) },
		func(l *lab) {
			l.ra(slaac)
			l.solicit(dhcpv6.RequestShape{IAPD: true, PrefixLength: 56, RapidCommit: true}, xid(1))
			l.server(reply(xid(1), withRapidCommit, withStatus(iana.StatusUnspecFail), withPDStatus(iana.StatusNoPrefixAvail)))
		},
		func(l *lab) {
			l.rs()
			l.neighbourExchange()
			l.raBytes([]byte{134, 0, 0, 0, 64, 0xc0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0})
		},
	}
	// Every expert-finding scenario (checks_test.go) seeds the corpus too.
	for _, sc := range append(append(raScenarios(f), dhcpScenarios(f)...), sequenceScenarios()...) {
		seeds = append(seeds, sc.build)
	}
	for _, build := range seeds {
		l := newLab(f)
		build(l)
		f.Add(uint16(capture.LinkTypeEthernet), joinFrames(l.frames), true)
		f.Add(uint16(capture.LinkTypeEthernet), joinFrames(l.frames), false)
		// The same IPv6 packets as raw IPv6 frames.
		var raw []capture.Frame
		for _, fr := range l.frames {
			raw = append(raw, capture.Frame{Data: fr.Data[14:]})
		}
		f.Add(uint16(capture.LinkTypeIPv6), joinFrames(raw), false)
	}
	f.Fuzz(func(t *testing.T, linkType uint16, data []byte, live bool) {
		frames := splitFrames(data)
		a := NewAnalyzer(Facts{Live: live, Carrier: true})
		for i, b := range frames {
			a.Add(capture.Frame{Number: i + 1, Timestamp: baseTime.Add(time.Duration(i) * time.Millisecond),
				LinkType: capture.LinkType(linkType), Data: b, OriginalLength: len(b)})
		}
		r := a.Finish()
		if r.Verdict.Code == "" || r.Verdict.WhoMustAct == "" {
			t.Fatalf("empty verdict %+v", r.Verdict)
		}
		if len(r.Timeline) > MaxEvents || r.Stats.Frames != len(frames) {
			t.Fatalf("timeline %d, frames %d of %d", len(r.Timeline), r.Stats.Frames, len(frames))
		}
		for _, fd := range r.Findings {
			for _, n := range fd.Frames {
				if n < 1 || n > len(frames) {
					t.Fatalf("finding %s cites frame %d of %d", fd.ID, n, len(frames))
				}
			}
		}
	})
}
