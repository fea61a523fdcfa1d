package odhcp6c

import "github.com/v6diag/v6diag/dhcpv6"

// Policy makes a dhcpv6.Client decide as odhcp6c does with given
// arguments: which Advertises it discards, which server it requests from,
// when it drops IA_NA or IA_PD and solicits again, and what a Reply binds.
// It holds the IA modes, which those fallbacks change, so a Policy serves
// one exchange.
type Policy struct {
	state State
	// offers mirror the dhcpv6.Offers handed out, for Choose.
	offers map[*dhcpv6.Message]Offer
}

// NewPolicy returns the policy of odhcp6c started with a on host h.
func NewPolicy(a Args, h Host) *Policy {
	return &Policy{state: a.State(h), offers: map[*dhcpv6.Message]Offer{}}
}

// State is the IA modes the policy is in now.
func (p *Policy) State() State { return p.state }

var _ dhcpv6.Policy = (*Policy)(nil)

// JudgeAdvertise implements dhcpv6.Policy.
func (p *Policy) JudgeAdvertise(_ dhcpv6.RequestShape, m *dhcpv6.Message, retransmitted bool) dhcpv6.Offer {
	o := JudgeAdvertise(p.state, m, retransmitted)
	if len(p.offers) < dhcpv6.MaxKept {
		p.offers[m] = o
	}
	out := dhcpv6.Offer{Message: m, Rank: o.Preference, Now: o.Now, NA: o.NA, PD: o.PD}
	if o.Discard != "" {
		out.Discard = "odhcp6c " + o.DiscardFlag + " discards it: " + o.Discard
	}
	return out
}

// Choose implements dhcpv6.Policy: the best candidate by odhcp6c's rank,
// then its fallbacks.
func (p *Policy) Choose(shape dhcpv6.RequestShape, offers []dhcpv6.Offer) dhcpv6.Choice {
	mine := make([]Offer, len(offers))
	for i, o := range offers {
		mine[i] = p.offers[o.Message]
	}
	order := Ranked(mine)
	if len(order) == 0 {
		return dhcpv6.Choice{Request: -1, Why: "odhcp6c has no candidate server"}
	}
	best := order[0]
	pr := Promote(p.state, mine[best])
	p.state = pr.Next
	switch {
	case pr.Stateless:
		return dhcpv6.Choice{Request: -1, Stateless: true, Why: "odhcp6c " + pr.Why()}
	case pr.Resolicit:
		// Only IA_NA leaves the Solicit: odhcp6c builds the IA_PD of
		// every Solicit from its -P list whatever its PD mode
		// (src/dhcpv6.c, dhcpv6_send), and ignores what the answers put
		// in it once the mode is none.
		next := shape
		next.IANA = p.state.NA != ModeNone
		return dhcpv6.Choice{Request: -1, Resolicit: &next, Why: "odhcp6c " + pr.Why()}
	case pr.Restart:
		return dhcpv6.Choice{Request: -1, Why: "odhcp6c " + pr.Why()}
	}
	return dhcpv6.Choice{Request: best}
}

// JudgeReply implements dhcpv6.Policy.
func (p *Policy) JudgeReply(_ dhcpv6.RequestShape, offer dhcpv6.Offer, m *dhcpv6.Message) dhcpv6.Binding {
	var server dhcpv6.DUID
	if offer.Message != nil {
		server = offer.Message.ServerID
	}
	b := JudgeReply(p.state, server, m)
	return dhcpv6.Binding{NA: b.NA, PD: b.PD, Refused: b.Refused}
}
