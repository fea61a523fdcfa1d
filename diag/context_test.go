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
)

// Test builders for the messages beyond the four-message exchange, the
// relay layers and damaged captures; the scenarios below are the expert
// readings of issue 11.

var (
	naShape = dhcpv6.RequestShape{IANA: true}
	// stateless is the router of RFC 8415 §18.2.6: SLAAC plus
	// configuration by DHCPv6 (M=0, O=1).
	stateless = raSpec{O: true, Lifetime: 30 * time.Minute, Prefixes: []string{"2001:db8:ffff::/64"}}

	relayHost = host{net.HardwareAddr{0x02, 0, 0, 0, 0, 0x04}, netip.MustParseAddr("2001:db8:aaaa::1")}
	dhcpHost  = host{net.HardwareAddr{0x02, 0, 0, 0, 0, 0x05}, netip.MustParseAddr("2001:db8:bbbb::547")}
)

// clientMessage builds a message of our client of any type: Client ID,
// Elapsed Time, then opts.
func clientMessage(t idhcp.MessageType, x dhcpv6.TransactionID, opts ...serverOption) []byte {
	m := &idhcp.Message{MessageType: t, TransactionID: idhcp.TransactionID(x)}
	m.AddOption(idhcp.OptClientID(opaque(clientDUID)))
	m.AddOption(idhcp.OptElapsedTime(0))
	for _, o := range opts {
		o(m)
	}
	return m.ToBytes()
}

// requestShaped is our client's Request for the offer in advertise, with
// the given shape.
func (l *lab) requestShaped(s dhcpv6.RequestShape, x dhcpv6.TransactionID, advertise []byte) int {
	l.t.Helper()
	adv, err := dhcpv6.Parse(advertise)
	if err != nil {
		l.t.Fatal(err)
	}
	b, err := dhcpv6.NewRequest(dhcpv6.Identity{DUID: clientDUID, IAID: iaid, PDIAID: iaid}, s, x, 0, adv)
	if err != nil {
		l.t.Fatal(err)
	}
	return l.dhcpFrom(client, b)
}

// naRequest writes RA 1, a Solicit for IA_NA alone 2, the Advertise of
// 2001:db8::100 3 and the Request for it 4.
func (l *lab) naRequest() {
	l.ra(managed)
	l.at(10*time.Millisecond).solicit(naShape, xid(1))
	adv := advertise(xid(1), withNA("2001:db8::100"))
	l.at(20 * time.Millisecond).server(adv)
	l.at(30*time.Millisecond).requestShaped(naShape, xid(2), adv)
}

func withServerUnicast(addr string) serverOption {
	return withRaw(12, netip.MustParseAddr(addr).AsSlice())
}

// withAuth adds a Reconfigure Key Authentication option (RFC 8415 §20.4)
// of the given type: 1 hands over the key, 2 signs a Reconfigure.
func withAuth(keyType byte) serverOption {
	body := append([]byte{3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, keyType}, make([]byte, 16)...)
	return withRaw(11, body)
}

func withReconfMsg(t dhcpv6.MessageType) serverOption { return withRaw(19, []byte{byte(t)}) }

// relayed wraps payload in a relay layer (RFC 8415 §9) with an
// Interface-Id when ifID is not nil.
func relayed(typ dhcpv6.MessageType, hop byte, link, peer string, ifID []byte, payload []byte) []byte {
	b := append([]byte{byte(typ), hop}, netip.MustParseAddr(link).AsSlice()...)
	b = append(b, netip.MustParseAddr(peer).AsSlice()...)
	if ifID != nil {
		b = append(b, dopt(18, ifID)...)
	}
	return append(b, dopt(9, payload)...)
}

// relayForward sends the relay's Relay-forw to the server; relayReply the
// server's Relay-repl to the relay (both UDP 547 to 547).
func (l *lab) relayForward(payload []byte) int {
	return l.ip(relayHost, dhcpHost.mac, capture.IPv6Packet{Destination: dhcpHost.ll, HopLimit: 64, Transport: capture.TransportUDP,
		SourcePort: 547, DestinationPort: 547, Payload: payload})
}

func (l *lab) relayReply(payload []byte) int {
	return l.ip(dhcpHost, relayHost.mac, capture.IPv6Packet{Destination: relayHost.ll, HopLimit: 64, Transport: capture.TransportUDP,
		SourcePort: 547, DestinationPort: 547, Payload: payload})
}

func solicitBytes(t testing.TB, s dhcpv6.RequestShape, x dhcpv6.TransactionID) []byte {
	b, err := dhcpv6.NewSolicit(dhcpv6.Identity{DUID: clientDUID, IAID: iaid, PDIAID: iaid}, s, x, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func verdictSays(parts ...string) func(t *testing.T, r *Result) {
	return func(t *testing.T, r *Result) {
		t.Helper()
		for _, p := range parts {
			if !strings.Contains(r.Verdict.Summary, p) {
				t.Errorf("verdict %q; want it to say %q", r.Verdict.Summary, p)
			}
		}
	}
}

func who(p Party) func(t *testing.T, r *Result) {
	return func(t *testing.T, r *Result) {
		t.Helper()
		if r.Verdict.WhoMustAct != p {
			t.Errorf("who must act %s, want %s", r.Verdict.WhoMustAct, p)
		}
	}
}

// offline is an analysis of a capture made elsewhere (v6diag analyze).
var offline = Facts{}

// TestWhatWasAsked: the client's request decides what is missing (item 2).
func TestWhatWasAsked(t *testing.T) { runScenarios(t, askedScenarios()) }

func askedScenarios() []scenario {
	return []scenario{
		{
			name: "IA_NA only, confirmed: ok for what was asked, no prefix failure", facts: offline, code: CodeOK,
			build: func(l *lab) {
				l.naRequest()
				l.at(40 * time.Millisecond).server(reply(xid(2), withNA("2001:db8::100")))
			},
			cites:  map[string][]int{"dhcpv6-no-prefix-asked": {2, 4}},
			absent: []string{"dhcpv6-no-prefix-offered", "dhcpv6-advertise-without-ia-pd"},
			check:  all(verdictSays("address 2001:db8::100", "asked for no delegated prefix"), who(PartyNobody)),
		},
		{
			// A live run sends the router's own shape: a router that asks
			// for no prefix has none for its LAN (routerclient.go speaks).
			name: "IA_NA only in a live run: the prefix is missing", facts: clientFacts, code: CodeNoPrefixOffered,
			build: func(l *lab) {
				l.naRequest()
				l.at(40 * time.Millisecond).server(reply(xid(2), withNA("2001:db8::100")))
			},
			absent: []string{"dhcpv6-no-prefix-asked"},
		},
		{
			name: "IA_NA only, NoAddrsAvail in the Reply: refused, with what it means", facts: offline, code: CodeReplyRefused,
			build: func(l *lab) {
				l.naRequest()
				l.at(40 * time.Millisecond).server(reply(xid(2), withNAStatus(iana.StatusNoAddrsAvail)))
			},
			absent: []string{"dhcpv6-no-prefix-offered"},
			check:  all(verdictSays("NoAddrsAvail", "no address for this client's IA_NA", "asked for no delegated prefix"), who(PartyISP)),
		},
		{
			name: "IA_NA only, Request unanswered: request-unanswered, not no-prefix-offered", facts: offline, code: CodeRequestUnanswered,
			build: func(l *lab) {
				l.naRequest()
				l.at(10 * time.Second).rs()
			},
			cites: map[string][]int{"dhcpv6-request-unanswered": {4}},
		},
		{
			name: "stateless after M=0 O=1: an answered Information-request is ok", facts: offline, code: CodeOK,
			build: func(l *lab) {
				l.rs()
				l.at(5 * time.Millisecond).ra(stateless)
				l.at(10*time.Millisecond).dhcpFrom(client, clientMessage(idhcp.MessageTypeInformationRequest, xid(1)))
				l.at(15 * time.Millisecond).server(reply(xid(1), withDNS("2001:db8::53")))
			},
			cites:  map[string][]int{"dhcpv6-information-reply": {3, 4}, "dhcpv6-no-prefix-asked": {3}},
			absent: []string{"dhcpv6-no-prefix-offered"},
			check: all(verdictSays("Stateless DHCPv6 works", "2001:db8::53"), says("dhcpv6-information-reply", "as the routers ask (M=0, O=1)"),
				func(t *testing.T, r *Result) {
					if !r.Client.InformationOnly || r.Client.AskedIAPD {
						t.Errorf("client %+v", r.Client)
					}
				}),
		},
		{
			name: "stateless, Information-requests unanswered: no-dhcpv6-reply citing them", facts: offline, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(stateless)
				l.at(10*time.Millisecond).dhcpFrom(client, clientMessage(idhcp.MessageTypeInformationRequest, xid(1)))
				l.at(1010*time.Millisecond).dhcpFrom(client, clientMessage(idhcp.MessageTypeInformationRequest, xid(1)))
				l.at(10 * time.Second).rs()
			},
			cites: map[string][]int{"dhcpv6-no-reply": {2, 3}},
			check: says("dhcpv6-no-reply", "2 Information-requests"),
		},
		{
			name: "IA_NA and IA_PD asked, only an address offered: the prefix is missing", facts: offline, code: CodeNoPrefixOffered,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.server(advertise(xid(1), withNA("2001:db8::100")))
			},
			absent: []string{"dhcpv6-no-prefix-asked"},
			cites:  map[string][]int{"dhcpv6-no-prefix-offered": {3}, "dhcpv6-advertise-without-ia-pd": {3}},
		},
	}
}

// serverSide writes what an upstream capture of an ISP's server shows:
// RA 1, Advertise 2 and Reply 3 of a /48 with Server Unicast and DNS.
func (l *lab) serverSide(replyXID dhcpv6.TransactionID) {
	l.ra(managed)
	opts := []serverOption{withPD("2001:db8:8000::/48"), withServerUnicast("2001:db8::547"), withDNS("2001:db8::53")}
	l.at(20 * time.Millisecond).server(advertise(xid(1), opts...))
	l.at(40 * time.Millisecond).server(reply(replyXID, opts...))
}

// TestOneSidedCaptures: a capture of one side says so and still reports
// what the messages prove (item 3).
func TestOneSidedCaptures(t *testing.T) { runScenarios(t, oneSidedScenarios()) }

func oneSidedScenarios() []scenario {
	return []scenario{
		{
			name: "server side only: the /48, its Server Unicast and DNS are reported", facts: offline, code: CodeOK,
			build:  func(l *lab) { l.serverSide(xid(2)) },
			cites:  map[string][]int{"capture-server-side-only": {2, 3}, "dhcpv6-server-unicast": {2, 3}, "dhcpv6-prefix-delegated": {3}},
			absent: []string{"dhcpv6-offer-not-taken", "dhcpv6-wrong-transaction-id", "dhcpv6-no-prefix-offered"},
			check: all(delegated("2001:db8:8000::/48"), verdictSays("only the server's messages"), func(t *testing.T, r *Result) {
				if !r.DelegatedPrefixes[0].Confirmed || r.DelegatedPrefixes[0].ValidLifetime != 2*time.Hour || !slices.Equal(r.DNS, []netip.Addr{netip.MustParseAddr("2001:db8::53")}) {
					t.Errorf("prefix %+v, DNS %v", r.DelegatedPrefixes[0], r.DNS)
				}
				if !r.Client.DUID.Equal(clientDUID) || len(r.Servers) != 1 {
					t.Errorf("client %s, servers %+v", r.Client.DUID, r.Servers)
				}
			}),
		},
		{
			name: "server side only: a Reply with the Advertise's transaction id and no Rapid Commit is discarded", facts: offline, code: CodeCaptureIncomplete,
			build: func(l *lab) { l.serverSide(xid(1)) },
			cites: map[string][]int{"dhcpv6-reply-without-rapid-commit": {3}, "capture-server-side-only": {2}},
			check: all(says("dhcpv6-reply-without-rapid-commit", "transaction id 0xabcd01 of the Advertise in frame 2"),
				verdictSays("offered prefix 2001:db8:8000::/48 (Advertise, frame 2)", "whether the client took the offer cannot be told"),
				func(t *testing.T, r *Result) {
					if len(r.DelegatedPrefixes) != 1 || r.DelegatedPrefixes[0].Confirmed {
						t.Errorf("prefixes %+v, want the offer, unconfirmed", r.DelegatedPrefixes)
					}
				}),
		},
		{
			name: "server side only: a Reply with configuration only cannot be judged", facts: offline, code: CodeCaptureIncomplete,
			build: func(l *lab) { l.ra(managed); l.server(reply(xid(7), withDNS("2001:db8::53"))) },
			check: verdictSays("carries configuration only (DNS 2001:db8::53)"),
		},
		{
			name: "client side only: a Request with no Advertise and no server message", facts: offline, code: CodeCaptureIncomplete,
			build: func(l *lab) {
				l.ra(managed)
				l.at(10*time.Millisecond).solicit(shape, xid(1))
				l.at(1100*time.Millisecond).request(xid(2), advertise(xid(1), pd48))
				l.at(2100*time.Millisecond).request(xid(2), advertise(xid(1), pd48))
			},
			cites:  map[string][]int{"capture-client-side-only": {3, 4}},
			absent: []string{"dhcpv6-request-unanswered", "dhcpv6-no-reply", "dhcpv6-sequence-out-of-order"},
			check:  all(verdictSays("only the client's DHCPv6 messages", "takes an Advertise from server 000200000"), who(PartyUser)),
		},
		{
			// Solicits alone prove no answer ever came: the server may be
			// silent. That stays a failure of the line.
			name: "Solicits alone are no proof of a one-sided capture", facts: offline, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.ra(managed)
				l.solicit(shape, xid(1))
				l.at(time.Second).solicit(shape, xid(1))
			},
			absent: []string{"capture-client-side-only"},
		},
	}
}

// TestWithoutRouterMessages: a capture filtered to DHCPv6 judges DHCPv6,
// and says the routers cannot be judged (items 3, 4).
func TestWithoutRouterMessages(t *testing.T) { runScenarios(t, withoutRouterScenarios()) }

func withoutRouterScenarios() []scenario {
	return []scenario{
		{
			name: "a working delegation without RS or RA: the default route cannot be told", facts: offline, code: CodeCaptureIncomplete,
			build: func(l *lab) {
				l.solicit(shape, xid(1))
				adv := advertise(xid(1), pd48)
				l.server(adv)
				l.request(xid(2), adv)
				l.server(reply(xid(2), pd48))
			},
			cites:  map[string][]int{"capture-no-router-messages": nil, "dhcpv6-prefix-delegated": {4}},
			absent: []string{"ra-none"},
			check:  all(delegated("2001:db8:8000::/48"), verdictSays("DHCPv6 works: prefix 2001:db8:8000::/48", "no Router Solicitation or Advertisement"), who(PartyUser)),
		},
		{
			name: "a refused delegation without RS or RA is the refusal, not a missing RA", facts: offline, code: CodeNoPrefixOffered,
			build: func(l *lab) {
				l.solicit(shape, xid(1))
				l.server(advertise(xid(1), withPDStatus(iana.StatusNoPrefixAvail)))
			},
			check: verdictSays("no Router Solicitation or Advertisement"),
		},
		{
			name: "only Router Solicitations: no router answered, with the RS frames", facts: offline, code: CodeNoRouterAdvertisement,
			build: func(l *lab) { l.rs() },
			cites: map[string][]int{"ra-none": {1}},
			check: all(verdictSays("1 Router Solicitation (frame 1) went out and no router answered"), who(PartyISP)),
		},
	}
}

// TestRelays: Relay-forw and Relay-repl are unwrapped, the relay shown and
// the inner exchange judged (item 1).
func TestRelays(t *testing.T) { runScenarios(t, relayScenarios()) }

func relayScenarios() []scenario {
	ifid := []byte("eth0.7")
	fwd := func(b []byte) []byte {
		return relayed(dhcpv6.MessageTypeRelayForward, 0, "2001:db8:aaaa::1", "fe80::1", ifid, b)
	}
	rep := func(id []byte, b []byte) []byte {
		return relayed(dhcpv6.MessageTypeRelayReply, 0, "2001:db8:aaaa::1", "fe80::1", id, b)
	}
	return []scenario{
		{
			name: "a relay's view of a working exchange", facts: offline, code: CodeCaptureIncomplete,
			build: func(l *lab) {
				l.relayForward(fwd(solicitBytes(l.t, shape, xid(1))))
				adv := advertise(xid(1), pd48)
				l.at(5 * time.Millisecond).relayReply(rep(ifid, adv))
				req, err := dhcpv6.NewRequest(dhcpv6.Identity{DUID: clientDUID, IAID: iaid, PDIAID: iaid}, shape, xid(2), 0, mustParse(l.t, adv))
				if err != nil {
					l.t.Fatal(err)
				}
				l.at(10 * time.Millisecond).relayForward(fwd(req))
				l.at(15 * time.Millisecond).relayReply(rep(ifid, reply(xid(2), pd48)))
			},
			cites:  map[string][]int{"dhcpv6-relayed": {1, 2, 3, 4}, "dhcpv6-prefix-delegated": {4}},
			absent: []string{"dhcpv6-wrong-port", "dhcpv6-wrong-address", "dhcpv6-relay-reply-mismatch"},
			check: all(says("dhcpv6-relayed", "relay 2001:db8:aaaa::1", "client peer-address fe80::1", `Interface-Id "eth0.7"`, "2 Relay-forw", "2 Relay-repl", "between the relay and the server"),
				func(t *testing.T, r *Result) {
					if r.Client.Address != netip.MustParseAddr("fe80::1") || r.Client.SourceMAC != nil {
						t.Errorf("client %s %s; want the relay's peer-address and no MAC", r.Client.Address, r.Client.SourceMAC)
					}
					if n := r.Timeline[0].Note; !strings.Contains(n, `Relay-forw hop 0, link-address 2001:db8:aaaa::1, peer-address fe80::1, Interface-Id "eth0.7"`) {
						t.Errorf("timeline note %q", n)
					}
				}),
		},
		{
			name: "a Relay-repl without the Interface-Id cannot be delivered", facts: offline, code: CodeOfferNotTaken,
			build: func(l *lab) {
				l.relayForward(fwd(solicitBytes(l.t, shape, xid(1))))
				l.at(5 * time.Millisecond).relayReply(rep(nil, advertise(xid(1), pd48)))
			},
			cites: map[string][]int{"dhcpv6-relay-reply-mismatch": {1, 2}},
			check: says("dhcpv6-relay-reply-mismatch", `Interface-Id "eth0.7"`, "none"),
		},
		{
			name: "the server never answers the relay", facts: offline, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				l.relayForward(fwd(solicitBytes(l.t, shape, xid(1))))
				l.at(time.Second).relayForward(fwd(solicitBytes(l.t, shape, xid(1))))
			},
			check: says("dhcpv6-relayed", "never answered the relay", "Please check the DHCPv6 server"),
		},
		{
			name: "two relays: both layers are shown, innermost last", facts: offline, code: CodeNoDHCPv6Reply,
			build: func(l *lab) {
				inner := fwd(solicitBytes(l.t, shape, xid(1)))
				l.relayForward(relayed(dhcpv6.MessageTypeRelayForward, 1, "::", "2001:db8:aaaa::1", []byte{0, 0, 0, 9}, inner))
			},
			check: all(says("dhcpv6-relayed", "through 2 relays"), func(t *testing.T, r *Result) {
				if n := r.Timeline[0].Note; !strings.Contains(n, "Relay-forw hop 1, link-address ::, peer-address 2001:db8:aaaa::1, Interface-Id 0x00000009; Relay-forw hop 0") {
					t.Errorf("timeline note %q", n)
				}
			}),
		},
	}
}

// TestMessageKinds: Renew, Rebind, Confirm, Decline, Reconfigure and the
// kinds of later RFCs, each read in context, and status codes with what
// they mean and who must act (item 1).
func TestMessageKinds(t *testing.T) { runScenarios(t, kindScenarios()) }

func kindScenarios() []scenario {
	renewPD := func(m *idhcp.Message) { withServerID(serverDUID)(m); withPD("2001:db8:8000::/48")(m) }
	return []scenario{
		{
			name: "Renew answered: renewed", facts: offline, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.dhcpFrom(client, clientMessage(idhcp.MessageTypeRenew, xid(1), renewPD))
				l.server(reply(xid(1), pd48))
			},
			cites: map[string][]int{"dhcpv6-renewed": {2, 3}, "dhcpv6-prefix-delegated": {3}},
			check: says("dhcpv6-renewed", "prefix 2001:db8:8000::/48 valid 2h0m0s"),
		},
		{
			name: "Renew answered NoBinding: refused, the ISP acts when it recurs", facts: offline, code: CodeReplyRefused,
			build: func(l *lab) {
				l.ra(managed)
				l.dhcpFrom(client, clientMessage(idhcp.MessageTypeRenew, xid(1), renewPD))
				l.server(reply(xid(1), withPDStatus(iana.StatusNoBinding)))
			},
			cites: map[string][]int{"dhcpv6-status-no-binding": {3}},
			check: all(says("dhcpv6-status-no-binding", "Reply to a Renew", "start over with a Solicit", "Please check the DHCPv6 server's lease store"), who(PartyISP)),
		},
		{
			name: "Renews unanswered, then a Rebind a server answers", facts: offline, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.dhcpFrom(client, clientMessage(idhcp.MessageTypeRenew, xid(1), renewPD))
				l.at(10*time.Second).dhcpFrom(client, clientMessage(idhcp.MessageTypeRenew, xid(1), renewPD))
				l.at(30*time.Second).dhcpFrom(client, clientMessage(idhcp.MessageTypeRebind, xid(2), withPD("2001:db8:8000::/48")))
				l.at(30*time.Second + 5*time.Millisecond).server(reply(xid(2), pd48))
			},
			cites: map[string][]int{"dhcpv6-renew-unanswered": {2}, "dhcpv6-rebind": {4, 5}, "dhcpv6-renewed": {4, 5}},
		},
		{
			name: "Confirm answered NotOnLink", facts: offline, code: CodeReplyRefused,
			build: func(l *lab) {
				l.ra(managed)
				l.dhcpFrom(client, clientMessage(idhcp.MessageTypeConfirm, xid(1), withNA("2001:db8::100")))
				l.server(reply(xid(1), withStatus(iana.StatusNotOnLink)))
			},
			cites: map[string][]int{"dhcpv6-confirm": {2, 3}, "dhcpv6-status-not-on-link": {3}},
			check: all(says("dhcpv6-confirm", "NotOnLink", "do not belong to this link"), who(PartyNobody)),
		},
		{
			name: "UseMulticast: the client resends by itself", facts: offline, code: CodeReplyRefused,
			build: func(l *lab) {
				l.ra(managed)
				l.dhcpFrom(client, clientMessage(idhcp.MessageTypeRenew, xid(1), func(m *idhcp.Message) { withServerID(serverDUID)(m); withNA("2001:db8::100")(m) }))
				l.server(reply(xid(1), withStatus(iana.StatusUseMulticast)))
			},
			cites: map[string][]int{"dhcpv6-status-use-multicast": {3}},
			check: all(verdictSays("UseMulticast", "ff02::1:2"), who(PartyNobody)),
		},
		{
			name: "Decline: the address was in use", facts: offline,
			code: CodeOK,
			build: func(l *lab) {
				l.healthy(managed, shape, withNA("2001:db8::100"), pd48)
				l.at(2*time.Second).dhcpFrom(client, clientMessage(idhcp.MessageTypeDecline, xid(3), func(m *idhcp.Message) { withServerID(serverDUID)(m); withNA("2001:db8::100")(m) }))
			},
			cites: map[string][]int{"dhcpv6-decline": {7}},
			check: says("dhcpv6-decline", "2001:db8::100", "Please check the address pool"),
		},
		{
			name: "Reconfigure with the key, answered with a Renew", facts: offline, code: CodeOK,
			build: func(l *lab) {
				l.ra(managed)
				l.at(10*time.Millisecond).solicitAs(client, clientDUID, dhcpv6.RequestShape{IAPD: true, ReconfigureAccept: true}, xid(1))
				adv := advertise(xid(1), pd48)
				l.at(20 * time.Millisecond).server(adv)
				l.at(30*time.Millisecond).request(xid(2), adv)
				l.at(40 * time.Millisecond).server(reply(xid(2), pd48, withAuth(dhcpv6.ReconfigureKeyValue)))
				l.at(time.Minute).server(answer(idhcp.MessageTypeReconfigure, xid(0), withReconfMsg(dhcpv6.MessageTypeRenew), withAuth(dhcpv6.ReconfigureKeyHMAC)))
				l.at(time.Minute+time.Millisecond).dhcpFrom(client, clientMessage(idhcp.MessageTypeRenew, xid(3), renewPD))
				l.at(time.Minute + 2*time.Millisecond).server(reply(xid(3), pd48))
			},
			cites:  map[string][]int{"dhcpv6-reconfigure": {5, 6, 7}},
			absent: []string{"dhcpv6-reconfigure-invalid"},
			check:  says("dhcpv6-reconfigure", "send a Renew", "answered with a Renew (frame 7)", "Reconfigure Key came in the Reply of frame 5"),
		},
		{
			name: "Reconfigure unsigned, to a multicast address: discarded", facts: offline, code: CodeOK,
			build: func(l *lab) {
				l.healthy(managed, shape, pd48)
				l.at(time.Minute).ip(isp, nil, capture.IPv6Packet{Destination: allNodes, HopLimit: 64, Transport: capture.TransportUDP, SourcePort: 547, DestinationPort: 546,
					Payload: answer(idhcp.MessageTypeReconfigure, xid(0), withReconfMsg(dhcpv6.MessageTypeRenew))})
			},
			cites: map[string][]int{"dhcpv6-reconfigure-invalid": {7}},
			check: all(says("dhcpv6-reconfigure-invalid", "not signed with the Reconfigure Key", "multicast address ff02::1"), func(t *testing.T, r *Result) {
				if !strings.HasPrefix(r.Timeline[6].Ignored, "invalid Reconfigure") {
					t.Errorf("timeline ignored %q", r.Timeline[6].Ignored)
				}
			}),
		},
		{
			name: "Leasequery and DHCPv4-over-DHCPv6 are named, not judged", facts: offline, code: CodeOK,
			build: func(l *lab) {
				l.healthy(managed, shape, pd48)
				lq := append([]byte{14, 1, 2, 3}, dopt(1, neighbourDUID)...)
				l.dhcpFrom(neighbour, lq)
				l.dhcpFrom(neighbour, append([]byte{20, 0, 0, 0}, dopt(87, make([]byte, 240))...))
			},
			cites:  map[string][]int{"dhcpv6-other-messages": {7, 8}},
			absent: []string{"dhcpv6-foreign-client-id"},
			check:  says("dhcpv6-other-messages", "1 Leasequery (RFC 5007 §4.2", "1 DHCPv4-query (RFC 7341 §5"),
		},
	}
}

// sllFrame turns an Ethernet frame of the lab into a Linux cooked (v1)
// one, as tcpdump -i any writes it.
func sllFrame(eth []byte) []byte {
	h := make([]byte, 16)
	binary.BigEndian.PutUint16(h[2:4], 1)
	binary.BigEndian.PutUint16(h[4:6], 6)
	copy(h[6:12], eth[6:12])
	copy(h[14:16], eth[12:14])
	return append(h, eth[14:]...)
}

// vlanFrame tags an Ethernet frame with 802.1Q VLAN id.
func vlanFrame(eth []byte, id uint16) []byte {
	b := append([]byte{}, eth[:12]...)
	b = append(b, 0x81, 0, byte(id>>8), byte(id))
	return append(b, eth[12:]...)
}

// rewrite builds a healthy exchange and lets edit change its frames.
func rewrite(edit func(l *lab, fs []capture.Frame) []capture.Frame) func(l *lab) {
	return func(l *lab) {
		l.healthy(managed, shape, withNA("2001:db8::100"), pd48)
		fs := edit(l, slices.Clone(l.frames))
		for i := range fs {
			fs[i].Number = i + 1
		}
		l.frames = fs
	}
}

// TestDamagedCaptures: each kind of damage is a finding, and none becomes
// a failure of the line (item 5).
func damagedScenarios() []scenario {
	twice := func(copyOf func(capture.Frame) capture.Frame) func(l *lab) {
		return rewrite(func(l *lab, fs []capture.Frame) []capture.Frame {
			var out []capture.Frame
			for _, f := range fs {
				c := copyOf(f)
				c.Timestamp = f.Timestamp.Add(20 * time.Microsecond)
				out = append(out, f, c)
			}
			return out
		})
	}
	return []scenario{
		{
			name: "every frame twice, tcpdump -i any on a bridge and its port", facts: offline, code: CodeOK,
			build: twice(func(f capture.Frame) capture.Frame {
				f.LinkType = capture.LinkTypeLinuxSLL
				f.Data = sllFrame(f.Data)
				return f
			}),
			cites:  map[string][]int{"capture-duplicate-frames": {2, 4, 6, 8, 10, 12}},
			absent: []string{"dhcpv6-solicit-retransmissions", "dhcpv6-request-retransmissions", "dhcpv6-retransmission-timing", "ra-invalid-ignored"},
			check: all(says("capture-duplicate-frames", "Every control message is there twice"), func(t *testing.T, r *Result) {
				if r.Client.Solicits != 1 || r.Routers[0].Advertisements != 1 || len(r.Timeline) != 12 || r.Stats.IgnoredRouterAdvertisements != 0 {
					t.Errorf("solicits %d, advertisements %d, timeline %d, ignored RAs %d", r.Client.Solicits, r.Routers[0].Advertisements, len(r.Timeline), r.Stats.IgnoredRouterAdvertisements)
				}
				if r.Timeline[1].Ignored != "a copy of frame 1 (the capture saw it twice)" {
					t.Errorf("timeline %q", r.Timeline[1].Ignored)
				}
			}),
		},
		{
			name: "the same packet on a VLAN and untagged is a copy", facts: offline, code: CodeOK,
			build: twice(func(f capture.Frame) capture.Frame { f.Data = vlanFrame(f.Data, 7); return f }),
			cites: map[string][]int{"capture-duplicate-frames": {2, 4, 6, 8, 10, 12}},
		},
		{
			// One router's packet on VLAN 10 and VLAN 75 (a trunk): two
			// links, not a copy.
			name: "the same packet on two VLANs is not a copy", facts: offline, code: CodeOK,
			build: rewrite(func(l *lab, fs []capture.Frame) []capture.Frame {
				var out []capture.Frame
				for _, f := range fs {
					c := f
					c.Data = vlanFrame(f.Data, 75)
					f.Data = vlanFrame(f.Data, 10)
					c.Timestamp = f.Timestamp.Add(20 * time.Microsecond)
					out = append(out, f, c)
				}
				return out
			}),
			absent: []string{"capture-duplicate-frames"},
		},
		{
			name: "identical frames with the very same stamp are copies", facts: offline, code: CodeOK,
			build: rewrite(func(l *lab, fs []capture.Frame) []capture.Frame {
				var out []capture.Frame
				for _, f := range fs {
					out = append(out, f, f)
				}
				return out
			}),
			cites: map[string][]int{"capture-duplicate-frames": {2, 4, 6, 8, 10, 12}},
		},
		{
			// Identical Ethernet frames are a packet sent again, as a flood
			// sends it: not a copy.
			name: "identical Ethernet frames are not copies", facts: offline, code: CodeOK,
			build:  twice(func(f capture.Frame) capture.Frame { return f }),
			absent: []string{"capture-duplicate-frames"},
			check: func(t *testing.T, r *Result) {
				if r.Client.Solicits != 2 {
					t.Errorf("solicits %d, want both", r.Client.Solicits)
				}
			},
		},
		{
			name: "frames out of time order: the timing checks step aside", facts: offline, code: CodeOK,
			build: rewrite(func(l *lab, fs []capture.Frame) []capture.Frame {
				fs[3].Timestamp = fs[3].Timestamp.Add(3 * time.Second) // the Advertise, late
				return fs
			}),
			cites:  map[string][]int{"capture-out-of-order": {5}},
			absent: []string{"dhcpv6-slow-server"},
			check:  says("capture-out-of-order", "frame 5 is 2.995s before frame 4", "dhcpv6-slow-server"),
		},
		{
			name: "a snapshot length of 96 bytes cut every DHCPv6 message", facts: offline, code: CodeCaptureIncomplete,
			build: rewrite(func(l *lab, fs []capture.Frame) []capture.Frame {
				for i := range fs {
					if len(fs[i].Data) > 96 {
						fs[i].Data = fs[i].Data[:96]
					}
				}
				return fs
			}),
			cites:  map[string][]int{"capture-snaplen-cut": {2, 3, 4, 5, 6}},
			absent: []string{"dhcpv6-malformed", "dhcpv6-missing-client-id", "dhcpv6-missing-server-id", "dhcpv6-no-prefix-offered", "dhcpv6-advertise-without-ia-pd", "ra-option-truncated", "ra-invalid-ignored"},
			check:  all(verdictSays("Cannot tell", "cut by the capture's snapshot length"), who(PartyUser)),
		},
		{
			name: "the file ends 50 ms after the Request: cannot tell", facts: offline, code: CodeCaptureIncomplete,
			build: func(l *lab) {
				l.healthy(managed, shape, pd48)
				l.frames = l.frames[:5]
			},
			// Frame 6 is not on the timeline (nothing of it is left), and
			// Wireshark does not show it: the finding names it, cites none.
			cites:  map[string][]int{"capture-cut-short": nil},
			absent: []string{"dhcpv6-request-unanswered"},
			check:  all(verdictSays("Cannot tell: the Request in frame 5 got no answer", "cut short"), says("capture-cut-short", "ends inside frame 6", "dhcpv6-request-unanswered")),
		},
	}
}

func TestDamagedCaptures(t *testing.T) {
	tests := damagedScenarios()
	for _, sc := range tests {
		t.Run(sc.name, func(t *testing.T) {
			if !strings.Contains(sc.name, "file ends") {
				sc.run(t)
				return
			}
			// The cut falls in frame 6, whose header holds its time.
			l := newLab(t)
			sc.build(l)
			a := NewAnalyzer(sc.facts)
			for _, f := range l.frames {
				a.Add(f)
			}
			a.CutShort(capture.Frame{Number: 6, Timestamp: l.frames[4].Timestamp.Add(50 * time.Millisecond)}, true)
			checkScenario(t, sc, a.Finish(), 6)
		})
	}
	// Long after an unanswered Request, the cut proves nothing either way:
	// the Request stays unanswered.
	l := newLab(t)
	l.healthy(managed, shape, pd48)
	a := NewAnalyzer(offline)
	for _, f := range l.frames[:5] {
		a.Add(f)
	}
	a.CutShort(capture.Frame{Number: 6, Timestamp: l.frames[4].Timestamp.Add(20 * time.Second)}, true)
	if r := a.Finish(); r.Verdict.Code != CodeRequestUnanswered {
		t.Errorf("cut 20 s after the Request: verdict %s (%s), want request-unanswered", r.Verdict.Code, r.Verdict.Summary)
	}
}

func runScenarios(t *testing.T, scs []scenario) {
	for _, sc := range scs {
		t.Run(sc.name, sc.run)
	}
}

func mustParse(t testing.TB, b []byte) *dhcpv6.Message {
	t.Helper()
	m, err := dhcpv6.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// FuzzDamagedCapture feeds the analysis frames as a damaged file hands
// them over: stamps that step back, frames cut shorter than their length
// on the wire (a snapshot length), and a file that ends inside a frame.
// Whatever the damage, the analysis never panics, gives a verdict, cites
// only frames the capture has (and the one the file ends inside), and
// reports a cut file. Seeds: every scenario of this file and of
// checks_test.go (testdata/fuzz/FuzzDamagedCapture holds crashers).
func FuzzDamagedCapture(f *testing.F) {
	var seeds []scenario
	for _, list := range [][]scenario{askedScenarios(), oneSidedScenarios(), withoutRouterScenarios(), relayScenarios(), kindScenarios(), damagedScenarios(), dhcpScenarios(f)} {
		seeds = append(seeds, list...)
	}
	for i, sc := range seeds {
		l := newLab(f)
		sc.build(l)
		lt := l.frames[0].LinkType
		// Every third frame a step back, every fifth cut short.
		ops := make([]byte, len(l.frames))
		for j := range ops {
			ops[j] = 2
			if j%3 == 2 {
				ops[j] = 0x0c // -4 steps
			}
			if j%5 == 4 {
				ops[j] |= 0x10
			}
		}
		f.Add(uint16(lt), joinFrames(l.frames), ops, uint16(i%3*40))
	}
	f.Fuzz(func(t *testing.T, linkType uint16, data, ops []byte, cutAt uint16) {
		frames := splitFrames(data)
		a := NewAnalyzer(Facts{})
		at := baseTime
		for i, b := range frames {
			var op byte
			if i < len(ops) {
				op = ops[i]
			}
			at = at.Add(time.Duration(int8(op<<4)>>4) * 37 * time.Millisecond)
			wire := len(b)
			if op&0x10 != 0 {
				b = b[:len(b)/2]
			}
			a.Add(capture.Frame{Number: i + 1, Timestamp: at, LinkType: capture.LinkType(linkType), Data: b, OriginalLength: wire})
		}
		cut := cutAt > 0 && len(frames) > 0
		if cut {
			last := frames[len(frames)-1]
			a.CutShort(capture.Frame{Number: len(frames) + 1, Timestamp: at.Add(time.Millisecond), LinkType: capture.LinkType(linkType),
				Data: last[:min(int(cutAt), len(last))], OriginalLength: len(last)}, cutAt%2 == 0)
		}
		r := a.Finish()
		if r.Verdict.Code == "" || r.Verdict.WhoMustAct == "" || r.Verdict.Summary == "" {
			t.Fatalf("empty verdict %+v", r.Verdict)
		}
		if r.Stats.Frames != len(frames) || len(r.Timeline) > MaxEvents+maxReservedEvents {
			t.Fatalf("frames %d of %d, timeline %d", r.Stats.Frames, len(frames), len(r.Timeline))
		}
		if cut != (finding(r, "capture-cut-short") != nil) {
			t.Fatalf("cut %v, findings %v", cut, findingIDs(r))
		}
		for _, fd := range r.Findings {
			for _, n := range fd.Frames {
				if n < 1 || n > len(frames)+1 || n == len(frames)+1 && !cut {
					t.Fatalf("finding %s cites frame %d of %d", fd.ID, n, len(frames))
				}
			}
		}
	})
}
