package odhcp6c

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// The tests build the messages of a line by hand: a client (odhcp6c's
// shape) and one or two servers. Each case is a line a test ISP or Kea
// really produces; the e2e tests check the same cases against the real
// odhcp6c.

var (
	client  = dhcpv6.DUID{0, 3, 0, 1, 2, 0, 0, 0, 0, 1}
	serverA = dhcpv6.DUID{0, 1, 0, 1, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0xa}
	serverB = dhcpv6.DUID{0, 1, 0, 1, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0xb}
	host    = Host{IfName: "eth0.2", HostName: "OpenWrt"}
	naIAID  = NAIAID("eth0.2")
	pdIAID  = [4]byte{0, 0, 0, 1}
)

type line struct {
	msgs  []Seen
	frame int
}

func (l *line) add(fromClient bool, m *dhcpv6.Message) {
	l.frame++
	l.msgs = append(l.msgs, Seen{Frame: l.frame, FromClient: fromClient, Message: m})
}

func solicit(xid byte, na, pd bool, hint int) *dhcpv6.Message {
	m := &dhcpv6.Message{Type: dhcpv6.MessageTypeSolicit, TransactionID: dhcpv6.TransactionID{xid}, ClientID: client}
	if na {
		m.IANA = []dhcpv6.IA{{IAID: naIAID}}
	}
	if pd {
		ia := dhcpv6.IA{IAID: pdIAID}
		if hint > 0 {
			ia.Prefixes = []dhcpv6.IAPrefix{{Prefix: netip.PrefixFrom(netip.IPv6Unspecified(), hint)}}
		}
		m.IAPD = []dhcpv6.IA{ia}
	}
	return m
}

func prefixIA(p string) dhcpv6.IA {
	return dhcpv6.IA{IAID: pdIAID, T1: time.Hour, T2: 2 * time.Hour, Prefixes: []dhcpv6.IAPrefix{{
		Prefix: netip.MustParsePrefix(p), PreferredLifetime: 3 * time.Hour, ValidLifetime: 4 * time.Hour}}}
}

func addressIA(a string) dhcpv6.IA {
	return dhcpv6.IA{IAID: naIAID, T1: time.Hour, T2: 2 * time.Hour, Addresses: []dhcpv6.IAAddress{{
		Address: netip.MustParseAddr(a), PreferredLifetime: 3 * time.Hour, ValidLifetime: 4 * time.Hour}}}
}

func noAddrs() dhcpv6.IA {
	return dhcpv6.IA{IAID: naIAID, Status: &dhcpv6.Status{Code: dhcpv6.StatusNoAddrsAvail}}
}

func noPrefix() dhcpv6.IA {
	return dhcpv6.IA{IAID: pdIAID, Status: &dhcpv6.Status{Code: dhcpv6.StatusNoPrefixAvail}}
}

func answer(t dhcpv6.MessageType, xid byte, server dhcpv6.DUID, na, pd []dhcpv6.IA) *dhcpv6.Message {
	return &dhcpv6.Message{Type: t, TransactionID: dhcpv6.TransactionID{xid}, ClientID: client, ServerID: server, IANA: na, IAPD: pd}
}

func request(xid byte, server dhcpv6.DUID) *dhcpv6.Message {
	return &dhcpv6.Message{Type: dhcpv6.MessageTypeRequest, TransactionID: dhcpv6.TransactionID{xid}, ClientID: client, ServerID: server}
}

func args(n AddressMode, prefixes ...int) Args {
	a := Args{Addresses: n}
	for i, l := range prefixes {
		a.Prefixes = append(a.Prefixes, PrefixRequest{Length: l, IAID: [4]byte{0, 0, 0, byte(i + 1)}})
	}
	return a
}

func TestSimulate(t *testing.T) {
	tests := []struct {
		name string
		args Args
		line func(*line)
		// prefix and address are what odhcp6c gets ("" for none).
		prefix, address string
		predicted       bool
		stateless       bool
		explanation     string // a substring
	}{
		{
			name: "addresses and prefix, default config",
			args: args(AddressTry, 0),
			line: func(l *line) {
				l.add(true, solicit(1, true, true, 0))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, []dhcpv6.IA{addressIA("2001:db8::5")}, []dhcpv6.IA{prefixIA("2001:db8:100::/56")}))
				l.add(true, request(2, serverA))
				l.add(false, answer(dhcpv6.MessageTypeReply, 2, serverA, []dhcpv6.IA{addressIA("2001:db8::5")}, []dhcpv6.IA{prefixIA("2001:db8:100::/56")}))
			},
			prefix: "2001:db8:100::/56", address: "2001:db8::5",
			explanation: "odhcp6c -Ntry -P0 gets 2001:db8:100::/56 and 2001:db8::5 from the Reply in frame 4.",
		},
		{
			name: "prefix only, -Nforce discards the Advertise",
			args: args(AddressForce, 48),
			line: func(l *line) {
				l.add(true, solicit(1, true, true, 48))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, []dhcpv6.IA{noAddrs()}, []dhcpv6.IA{prefixIA("2001:db8::/48")}))
				l.add(true, solicit(1, true, true, 48))
			},
			explanation: "odhcp6c -Nforce discards the Advertise in frame 2: it offers no address.",
		},
		{
			name: "prefix only, -Ntry drops IA_NA and solicits again",
			args: args(AddressTry, 0),
			line: func(l *line) {
				l.add(true, solicit(1, true, true, 0))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, []dhcpv6.IA{noAddrs()}, []dhcpv6.IA{prefixIA("2001:db8::/48")}))
				l.add(true, solicit(1, false, true, 0))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, nil, []dhcpv6.IA{prefixIA("2001:db8::/48")}))
				l.add(true, request(2, serverA))
				l.add(false, answer(dhcpv6.MessageTypeReply, 2, serverA, nil, []dhcpv6.IA{prefixIA("2001:db8::/48")}))
			},
			prefix:      "2001:db8::/48",
			explanation: "gets 2001:db8::/48 from the Reply in frame 6, once it has dropped IA_NA (the Advertise in frame 2 offers no address) and solicited again.",
		},
		{
			name: "prefix only, the capture's client never solicited for the prefix alone",
			args: args(AddressTry, 0),
			line: func(l *line) {
				l.add(true, solicit(1, true, true, 0))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, nil, []dhcpv6.IA{prefixIA("2001:db8::/48")}))
			},
			prefix:      "2001:db8::/48",
			predicted:   true,
			explanation: "Predicted: the capture holds no Solicit for a prefix alone, as odhcp6c would send",
		},
		{
			name: "no prefix offered, -Ntry -P0 drops IA_PD and binds an address",
			args: args(AddressTry, 0),
			line: func(l *line) {
				l.add(true, solicit(1, true, true, 0))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, []dhcpv6.IA{addressIA("2001:db8::5")}, []dhcpv6.IA{noPrefix()}))
				l.add(true, solicit(1, true, true, 0)) // the IA_PD stays
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, []dhcpv6.IA{addressIA("2001:db8::5")}, []dhcpv6.IA{noPrefix()}))
				l.add(true, request(2, serverA))
				l.add(false, answer(dhcpv6.MessageTypeReply, 2, serverA, []dhcpv6.IA{addressIA("2001:db8::5")}, nil))
			},
			address:     "2001:db8::5",
			explanation: "once it has dropped IA_PD (the Advertise in frame 2 offers no prefix)",
		},
		{
			name: "reqprefix no on a prefix-only line: stateless",
			args: args(AddressTry),
			line: func(l *line) {
				l.add(true, solicit(1, true, false, 0))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, []dhcpv6.IA{noAddrs()}, nil))
			},
			stateless:   true,
			explanation: "odhcp6c -Ntry drops IA_NA (the Advertise in frame 2 offers no address) and asks only for other configuration",
		},
		{
			name: "no server answers",
			args: args("", 0),
			line: func(l *line) {
				l.add(true, solicit(1, true, true, 0))
				l.add(true, solicit(1, true, true, 0))
			},
			explanation: "No DHCPv6 server answered the 2 Solicits for an address and a prefix (frames 1, 2): odhcp6c gets nothing.",
		},
		{
			name: "a /56 for a /48 hint is taken as it is",
			args: args(AddressTry, 48),
			line: func(l *line) {
				l.add(true, solicit(1, true, true, 48))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, []dhcpv6.IA{addressIA("2001:db8::5")}, []dhcpv6.IA{prefixIA("2001:db8:100::/56")}))
				l.add(true, request(2, serverA))
				l.add(false, answer(dhcpv6.MessageTypeReply, 2, serverA, []dhcpv6.IA{addressIA("2001:db8::5")}, []dhcpv6.IA{prefixIA("2001:db8:100::/56")}))
			},
			prefix: "2001:db8:100::/56", address: "2001:db8::5",
		},
		{
			name: "the larger prefix wins over the Preference option",
			args: args(AddressTry, 0),
			line: func(l *line) {
				l.add(true, solicit(1, true, true, 0))
				pref := uint8(10)
				a := answer(dhcpv6.MessageTypeAdvertise, 1, serverA, []dhcpv6.IA{addressIA("2001:db8::5")}, []dhcpv6.IA{prefixIA("2001:db8:100::/60")})
				a.Preference = &pref
				l.add(false, a)
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverB, []dhcpv6.IA{addressIA("2001:db8::6")}, []dhcpv6.IA{prefixIA("2001:db8:200::/48")}))
				l.add(true, request(2, serverA))
				l.add(false, answer(dhcpv6.MessageTypeReply, 2, serverA, []dhcpv6.IA{addressIA("2001:db8::5")}, []dhcpv6.IA{prefixIA("2001:db8:100::/60")}))
			},
			// odhcp6c ranks B (2000+128-48) above A (10+2000+128-60) and
			// would request from B; the capture's client went to A.
			prefix: "2001:db8:200::/48", address: "2001:db8::6", predicted: true,
			explanation: "from the server whose Advertise is frame 3",
		},
		{
			name: "the Reply refuses the prefix with NoPrefixAvail",
			args: args(AddressNone, 48),
			line: func(l *line) {
				l.add(true, solicit(1, false, true, 48))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, nil, []dhcpv6.IA{prefixIA("2001:db8::/48")}))
				l.add(true, request(2, serverA))
				l.add(false, answer(dhcpv6.MessageTypeReply, 2, serverA, nil, []dhcpv6.IA{noPrefix()}))
			},
			explanation: "odhcp6c gets nothing: the Reply in frame 4: the Reply binds no address or prefix odhcp6c keeps (IA_PD: NoPrefixAvail).",
		},
		{
			name: "the Request is never answered",
			args: args(AddressNone, 48),
			line: func(l *line) {
				l.add(true, solicit(1, false, true, 48))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, nil, []dhcpv6.IA{prefixIA("2001:db8::/48")}))
				l.add(true, request(2, serverA))
				l.add(true, request(2, serverA))
			},
			explanation: "odhcp6c gets nothing: the Requests in frames 3, 4 got no Reply.",
		},
		{
			name: "-F with no prefix offered discards",
			args: Args{Addresses: AddressTry, Prefixes: []PrefixRequest{{Length: 56, IAID: pdIAID}}, ForcePrefix: true},
			line: func(l *line) {
				l.add(true, solicit(1, true, true, 56))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, []dhcpv6.IA{addressIA("2001:db8::5")}, []dhcpv6.IA{noPrefix()}))
			},
			explanation: "odhcp6c -F discards the Advertise in frame 2: it offers no prefix.",
		},
		{
			name: "a Reply with T1 > T2 in its IA_PD keeps nothing of it",
			args: args(AddressNone, 0),
			line: func(l *line) {
				l.add(true, solicit(1, false, true, 0))
				l.add(false, answer(dhcpv6.MessageTypeAdvertise, 1, serverA, nil, []dhcpv6.IA{prefixIA("2001:db8::/48")}))
				l.add(true, request(2, serverA))
				bad := prefixIA("2001:db8::/48")
				bad.T1, bad.T2 = 3*time.Hour, time.Hour
				l.add(false, answer(dhcpv6.MessageTypeReply, 2, serverA, nil, []dhcpv6.IA{bad}))
			},
			explanation: "the Reply in frame 4: the Reply binds no address or prefix odhcp6c keeps.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l line
			tt.line(&l)
			got := Simulate(tt.args, host, l.msgs)
			if p := got.LargestPrefix(); tt.prefix == "" && p.IsValid() || tt.prefix != "" && p.String() != tt.prefix {
				t.Errorf("prefix %v, want %q\n%s", p, tt.prefix, got.Explanation)
			}
			var addr string
			if len(got.Addresses) > 0 {
				addr = got.Addresses[0].Prefix.Addr().String()
			}
			if addr != tt.address {
				t.Errorf("address %q, want %q\n%s", addr, tt.address, got.Explanation)
			}
			if got.Predicted != tt.predicted || got.Stateless != tt.stateless {
				t.Errorf("predicted %v stateless %v, want %v %v", got.Predicted, got.Stateless, tt.predicted, tt.stateless)
			}
			if !strings.Contains(got.Explanation, tt.explanation) {
				t.Errorf("explanation %q\nwant it to contain %q", got.Explanation, tt.explanation)
			}
		})
	}
}

func TestPolicyFallsBackLikeOdhcp6c(t *testing.T) {
	// The live client with odhcp6c's policy: an Advertise without an
	// address makes it solicit again for the prefix alone, in the same
	// transaction, and request only then.
	a := args(AddressTry, 0)
	id := a.Identity(client, host)
	p := NewPolicy(a, host)
	xid := dhcpv6.TransactionID{7}
	c := dhcpv6.NewClient(dhcpv6.ClientConfig{Identity: id, Shape: a.Shape(host), Policy: p, NoRelease: true,
		NewTransactionID: func() dhcpv6.TransactionID { return xid }, Rand: func() float64 { return 0.5 }})
	now := time.Unix(0, 0)
	out := c.Start(now)
	if len(out) != 1 {
		t.Fatalf("Start sent %d messages", len(out))
	}
	first, err := dhcpv6.Parse(out[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.IANA) != 1 || first.IANA[0].IAID != naIAID || len(first.IAPD) != 1 || first.IAPD[0].IAID != pdIAID {
		t.Fatalf("first Solicit IA_NA %+v IA_PD %+v, want odhcp6c's IAIDs %x and %x", first.IANA, first.IAPD, naIAID, pdIAID)
	}
	adv := answer(dhcpv6.MessageTypeAdvertise, 7, serverA, []dhcpv6.IA{noAddrs()}, []dhcpv6.IA{prefixIA("2001:db8::/48")})
	if out := c.Receive(now, adv); len(out) != 0 {
		t.Fatalf("the first Advertise made the client send at once: %v", out)
	}
	out = c.Tick(c.Deadline())
	if len(out) != 1 || out[0].Type != dhcpv6.MessageTypeSolicit || out[0].TransactionID != xid {
		t.Fatalf("after collection: %+v, want a Solicit in the same transaction", out)
	}
	again, _ := dhcpv6.Parse(out[0].Payload)
	if len(again.IANA) != 0 || len(again.IAPD) != 1 {
		t.Fatalf("second Solicit IA_NA %d IA_PD %d, want the prefix alone", len(again.IANA), len(again.IAPD))
	}
	adv2 := answer(dhcpv6.MessageTypeAdvertise, 7, serverA, nil, []dhcpv6.IA{prefixIA("2001:db8::/48")})
	out = c.Receive(c.Deadline(), adv2)
	if len(out) != 1 || out[0].Type != dhcpv6.MessageTypeRequest {
		t.Fatalf("an Advertise after the retransmission: %+v, want the Request at once (odhcp6c: rc > 1)", out)
	}
	req, _ := dhcpv6.Parse(out[0].Payload)
	if len(req.IANA) != 0 || len(req.IAPD) != 1 || req.IAPD[0].Prefixes[0].ValidLifetime != 4*time.Hour {
		t.Errorf("Request IA_NA %+v IA_PD %+v, want the prefix alone with the offered lifetimes", req.IANA, req.IAPD)
	}
}

func TestPolicyForceKeepsSoliciting(t *testing.T) {
	a := args(AddressForce, 48)
	p := NewPolicy(a, host)
	c := dhcpv6.NewClient(dhcpv6.ClientConfig{Identity: a.Identity(client, host), Shape: a.Shape(host), Policy: p,
		NewTransactionID: func() dhcpv6.TransactionID { return dhcpv6.TransactionID{9} }, Rand: func() float64 { return 0.5 }})
	now := time.Unix(0, 0)
	c.Start(now)
	c.Receive(now, answer(dhcpv6.MessageTypeAdvertise, 9, serverA, nil, []dhcpv6.IA{prefixIA("2001:db8::/48")}))
	res := c.Result()
	if len(res.Ignored) != 1 || !strings.Contains(res.Ignored[0].Reason, "odhcp6c -Nforce discards it: it offers no address") {
		t.Fatalf("ignored %+v, want the Advertise discarded as odhcp6c -Nforce does", res.Ignored)
	}
	out := c.Tick(c.Deadline())
	if len(out) != 1 || out[0].Type != dhcpv6.MessageTypeSolicit {
		t.Fatalf("after the discarded Advertise: %+v, want the Solicit retransmitted", out)
	}
	// The second round is answered the same: odhcp6c would solicit for
	// ever, the diagnostic stops.
	c.Receive(c.Deadline(), answer(dhcpv6.MessageTypeAdvertise, 9, serverA, nil, []dhcpv6.IA{prefixIA("2001:db8::/48")}))
	if out := c.Tick(c.Deadline()); len(out) != 0 || c.Result().Outcome != dhcpv6.OutcomeNoUsableAdvertise {
		t.Errorf("after two rounds of discarded Advertises: sent %d, outcome %q; want the exchange to end", len(out), c.Result().Outcome)
	}
}
