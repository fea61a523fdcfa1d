package diag

import (
	"fmt"
	"net/netip"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/odhcp6c"
)

// RouterClientFacts say which DHCPv6 client the router runs: odhcp6c with
// the arguments netifd derives from its wan6 section (or given by hand),
// so that the diagnosis speaks for it rather than for whatever client the
// capture shows.
type RouterClientFacts struct {
	Args odhcp6c.Args
	// ArgsText is Args as a command line ("-Ntry -P0 -t120").
	ArgsText string
	// Source says where the arguments came from:
	// "/etc/config/network#wan6", "netifd defaults", "--client-args".
	Source string
	Host   odhcp6c.Host
	// Notes are what reading the config found worth saying.
	Notes []string
	// NotRunning, when set, says why the router runs no DHCPv6 client on
	// the WAN at all ("wan6 is disabled"); Args are then netifd's defaults,
	// what a client section would run.
	NotRunning string
}

// RouterClient is what the router's own odhcp6c gets on this line, with
// its arguments, judged by odhcp6c's rules over the answers the capture
// holds (package odhcp6c).
type RouterClient struct {
	Source   string
	ArgsText string
	// Prefix is the largest prefix it gets, Address the first address;
	// zero when none.
	Prefix  netip.Prefix
	Address netip.Addr
	// Explanation is one sentence with frame numbers.
	Explanation string
	Frames      []int
	// Predicted: no Reply to odhcp6c's own Request is in the capture, so
	// Prefix and Address are what it is offered. Incomplete: the capture
	// lacks the answer to a message odhcp6c would send.
	Predicted, Incomplete, Stateless bool
	Notes                            []string
	// Attempt is the ladder attempt whose messages show it; 0 outside a
	// ladder.
	Attempt int
	// Discarded is set when odhcp6c drops an offer of a prefix its
	// arguments make it refuse (-Nforce, -F, -D).
	Discarded bool
	// NotRunning is set when the router runs no DHCPv6 client on the WAN;
	// Prefix and Address are then zero, and Suggested says what netifd's
	// defaults would get.
	NotRunning bool
}

// Got reports whether the router's client gets a prefix.
func (rc RouterClient) Got() bool { return rc.Prefix.IsValid() }

// routerClient runs the odhcp6c model over the client's exchange.
func (a *Analyzer) routerClient(x *exchange) *RouterClient {
	f := a.facts.RouterClient
	if f == nil {
		return nil
	}
	res := odhcp6c.Simulate(f.Args, f.Host, a.odhcp6cView(x))
	rc := &RouterClient{Source: f.Source, ArgsText: f.ArgsText, Explanation: res.Explanation, Frames: res.Frames,
		Predicted: res.Predicted, Incomplete: res.Incomplete, Stateless: res.Stateless, Notes: f.Notes}
	rc.Prefix = res.LargestPrefix()
	if len(res.Addresses) > 0 {
		rc.Address = res.Addresses[0].Prefix.Addr()
	}
	rc.Discarded = res.Discarded && offeredPrefix(x)
	if f.NotRunning != "" {
		rc.NotRunning = true
		rc.Explanation = fmt.Sprintf("%s, so the router gets nothing. With netifd's defaults, %s",
			upperFirst(f.NotRunning), res.Explanation)
		if rc.Got() || offeredPrefix(x) {
			a.runningGets = &Suggested{Advice: "a DHCPv6 client on the WAN (proto 'dhcpv6') with netifd's defaults",
				ArgsText: f.ArgsText, Prefix: rc.Prefix, Address: rc.Address}
		}
		rc.Prefix, rc.Address = netip.Prefix{}, netip.Addr{}
	}
	return rc
}

// odhcp6cView is the client's DHCPv6 conversation as odhcp6c's socket
// would see it: the client's own messages, and the servers' messages to
// it. odhcp6c's checks are not RFC 8415 §16's: it takes a Reply to a
// Solicit without Rapid Commit as an Advertise (src/dhcpv6.c,
// dhcpv6_response_is_valid), so only what never reaches or never parses
// in its socket is marked ignored here.
func (a *Analyzer) odhcp6cView(x *exchange) []odhcp6c.Seen {
	var out []odhcp6c.Seen
	for i := range a.events {
		e := &a.events[i]
		m := e.DHCP
		if m == nil || !sameDUID(m.ClientID, x.client.DUID) {
			continue
		}
		if e.Direction == DirectionOut {
			out = append(out, odhcp6c.Seen{Frame: e.Frame, FromClient: true, Message: m})
			continue
		}
		ignored := e.malformed != "" || len(m.ServerID) == 0 || m.RelayHops > 0 ||
			(e.dstPort != 0 && e.dstPort != capture.PortDHCPv6Client) || a.firewallBlocked[e.Frame]
		out = append(out, odhcp6c.Seen{Frame: e.Frame, Message: m, Ignored: ignored})
	}
	return out
}

// offeredPrefix reports whether any valid answer offered a usable prefix.
func offeredPrefix(x *exchange) bool {
	for _, e := range append(append([]*Event{}, x.advertises...), x.replies...) {
		if hasPrefix(e.DHCP) {
			return true
		}
	}
	return false
}

// wanted is the prefix length the user wants: --prefix-len in a live run,
// else the hint the capture's client sent; 0 when neither says.
func (a *Analyzer) wanted(x *exchange) int {
	if a.facts.WantedPrefixLength > 0 {
		return a.facts.WantedPrefixLength
	}
	return x.client.PrefixHint
}

// speakForRouter turns the verdict about the capture's exchange into one
// about the router's own client, where the two differ: the router's
// odhcp6c may refuse what the capture's client took (its config blocks the
// prefix), and what it gets decides whether the prefix is large enough.
func (a *Analyzer) speakForRouter(r *Result, x *exchange) {
	rc := r.RouterClient
	if rc == nil || !dhcpVerdict(r.Verdict.Code) {
		return
	}
	if s := a.runningGets; s != nil {
		r.Suggested = s
		r.Verdict = Verdict{CodeConfigBlocksPrefix, rc.Explanation, PartyUser}
		return
	}
	want := a.wanted(x)
	switch {
	case rc.Got() && (want == 0 || rc.Prefix.Bits() <= want):
		if r.Verdict.Code != CodeOK && !rc.Predicted && !rc.Incomplete {
			r.Verdict = Verdict{CodeOK, fmt.Sprintf("IPv6 works for the router: %s", rc.Explanation), PartyNobody}
		}
	case rc.Got():
		r.Verdict = Verdict{CodePrefixSmallerThanRequested,
			fmt.Sprintf("The router gets %s, smaller than the /%d wanted: %s", rc.Prefix, want, rc.Explanation), PartyISP}
	case rc.Discarded:
		r.Verdict = Verdict{CodeConfigBlocksPrefix,
			fmt.Sprintf("The ISP offers a prefix, but the router's DHCPv6 client refuses it with its configuration: %s", rc.Explanation), PartyUser}
	case rc.Stateless && offeredPrefix(x):
		r.Verdict = Verdict{CodeConfigBlocksPrefix,
			fmt.Sprintf("The ISP offers a prefix, but the router's configuration does not ask for one: %s", rc.Explanation), PartyUser}
	}
}

// dhcpVerdict reports whether a verdict is about the DHCPv6 exchange (the
// router client's outcome can change it), not about the link or the RAs.
func dhcpVerdict(c Code) bool {
	switch c {
	case CodeOK, CodeNoDHCPv6Reply, CodeNoPrefixOffered, CodeOfferNotTaken, CodeRequestUnanswered,
		CodeReplyRefused, CodePrefixSmallerThanRequested, CodeConfigBlocksPrefix:
		return true
	}
	return false
}

// Suggested is a config the ladder proved to get the router more than its
// own: the attempt that ran odhcp6c with it, the settings in words, its
// arguments, and what odhcp6c got with them.
type Suggested struct {
	Attempt  int
	Advice   string
	ArgsText string
	Prefix   netip.Prefix
	Address  netip.Addr
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
