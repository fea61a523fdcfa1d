package dhcpv6

// Policy makes the decisions in which DHCPv6 client implementations
// differ: which Advertise is worth a Request, which is requested first,
// when to ask again with another shape, and what a Reply gives. The Client
// keeps the mechanics (transactions, timers, building the messages); a
// Policy keeps the judgement, so that v6diag's first attempt can decide as
// OpenWrt's odhcp6c does (package odhcp6c) while the other rungs of the
// ladder keep RFC 8415's rules (the default policy below).
//
// A Policy sees only messages that passed RFC 8415 §16 validation for the
// current transaction (right transaction id, our Client ID, a Server ID).
type Policy interface {
	// JudgeAdvertise reads an Advertise that answers the Solicit sent with
	// shape; retransmitted is true once that Solicit was sent more than
	// once.
	JudgeAdvertise(shape RequestShape, m *Message, retransmitted bool) Offer
	// Choose decides, when Advertise collection ends, among the offers that
	// were not discarded, in arrival order.
	Choose(shape RequestShape, offers []Offer) Choice
	// JudgeReply reads the Reply to a Request built from offer.
	JudgeReply(shape RequestShape, offer Offer, m *Message) Binding
}

// Offer is a Policy's reading of one Advertise.
type Offer struct {
	Message *Message
	// Discard says why the client drops the Advertise; "" makes it a
	// candidate.
	Discard string
	// Rank orders the candidates: the highest is requested first, ties in
	// arrival order.
	Rank int
	// Now ends Advertise collection at once (RFC 8415 §18.2.1: preference
	// 255; odhcp6c also after a retransmission).
	Now bool
	// NA and PD are the IAs a Request built from this Advertise carries,
	// with the addresses, prefixes and lifetimes offered.
	NA, PD []IA
}

// Choice is what a Policy decides when Advertise collection ends.
type Choice struct {
	// Request is the index of the offer to request from; -1 for none.
	Request int
	// Resolicit, when not nil, is the shape to solicit with again in the
	// same transaction instead of requesting (odhcp6c drops the IA_NA, or
	// the IA_PD, that no server offered and asks again).
	Resolicit *RequestShape
	// Stateless is set when the client gives up asking for addresses and
	// prefixes (odhcp6c then sends only Information-Requests).
	Stateless bool
	// Why says in words what was decided, for the report.
	Why string
}

// Binding is a Policy's reading of the Reply to a Request.
type Binding struct {
	// NA and PD are the IAs the client binds, with the leases it keeps.
	NA, PD []IA
	// Refused says why the Reply gives the client nothing; "" when it
	// binds something.
	Refused string
}

// rfcPolicy is the default Policy: RFC 8415 §18.2.1's choice (the highest
// preference, then an Advertise offering the IA_PD, then the first one),
// requests only what was offered for our IAIDs, and binds every lease with
// a valid lifetime and no error status.
type rfcPolicy struct{ id Identity }

func (p rfcPolicy) JudgeAdvertise(shape RequestShape, m *Message, _ bool) Offer {
	na, pd := Offered(m, p.id, shape)
	o := Offer{Message: m, NA: na, PD: pd, Rank: -1}
	if len(na) == 0 && len(pd) == 0 {
		return o
	}
	// Preference first, then whether it offers a prefix: the rank keeps
	// both in one number.
	o.Rank = 2 * preference(m)
	if len(pd) > 0 {
		o.Rank++
	}
	o.Now = m.Preference != nil && *m.Preference == 255
	return o
}

func preference(m *Message) int {
	if m.Preference == nil {
		return 0
	}
	return int(*m.Preference)
}

func (rfcPolicy) Choose(_ RequestShape, offers []Offer) Choice {
	best := -1
	for i, o := range offers {
		if o.Rank >= 0 && (best < 0 || o.Rank > offers[best].Rank) {
			best = i
		}
	}
	if best < 0 {
		return Choice{Request: -1, Why: "no Advertise offered an address or prefix for what was asked"}
	}
	return Choice{Request: best}
}

func (rfcPolicy) JudgeReply(_ RequestShape, _ Offer, m *Message) Binding {
	var b Binding
	for _, ia := range m.IANA {
		if o := offeredLeases(ia, true); ia.Status.ok() && len(o.Addresses) > 0 {
			b.NA = append(b.NA, o)
		}
	}
	for _, ia := range m.IAPD {
		if o := offeredLeases(ia, true); ia.Status.ok() && len(o.Prefixes) > 0 {
			b.PD = append(b.PD, o)
		}
	}
	if len(b.NA) == 0 && len(b.PD) == 0 {
		b.Refused = "the Reply binds no address or prefix"
	}
	return b
}
