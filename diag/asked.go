package diag

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// What the client asked for decides what is missing: a client that sent
// no IA_PD was not refused a prefix, and one that asked for configuration
// only (Information-request, RFC 8415 §18.2.6) is served when it gets it.

// askedWithoutSolicit fills in what the client asked for when the capture
// holds no Solicit of it (a renewal, a stateless client, a capture that
// begins late): from its first Request, Renew, Rebind or Confirm, else its
// first Information-request. exchange reads the first Solicit itself.
func askedWithoutSolicit(x *exchange) {
	if len(x.solicits) > 0 {
		askedIATA(x, x.solicits[0].DHCP)
		x.askedCut = x.solicits[0].cut != ""
		return
	}
	var first *Event
	for _, list := range [][]*Event{x.requests, x.renews} {
		for _, e := range list {
			if first == nil || e.Frame < first.Frame {
				first = e
			}
		}
	}
	if first != nil {
		x.askedCut = first.cut != ""
		m := first.DHCP
		x.client.AskedIANA, x.client.AskedIAPD = len(m.IANA) > 0, len(m.IAPD) > 0
		askedIATA(x, m)
		for _, pd := range m.IAPD {
			for _, p := range pd.Prefixes {
				if p.Prefix.Bits() > 0 && (p.Prefix.Addr().IsUnspecified() || !p.Prefix.Addr().IsValid()) {
					x.client.PrefixHint = p.Prefix.Bits()
				}
			}
		}
		return
	}
	x.client.InformationOnly = len(x.informs) > 0
}

func askedIATA(x *exchange, m *dhcpv6.Message) { x.client.AskedIATA = len(m.IATA) > 0 }

// askedText says in words what the client asked for: "an address
// (IA_NA) and a delegated prefix (IA_PD, /56 hint)".
func askedText(c Client) string {
	var parts []string
	if c.AskedIANA {
		parts = append(parts, "an address (IA_NA)")
	}
	if c.AskedIATA {
		parts = append(parts, "a temporary address (IA_TA)")
	}
	if c.AskedIAPD {
		s := "a delegated prefix (IA_PD"
		if c.PrefixHint > 0 {
			s += fmt.Sprintf(", /%d hint", c.PrefixHint)
		}
		parts = append(parts, s+")")
	}
	if len(parts) == 0 {
		if c.InformationOnly {
			return "configuration only (Information-request)"
		}
		return "nothing it named (no IA)"
	}
	return strings.Join(parts, " and ")
}

// askedKnown reports whether the capture shows what the client asked
// for: not when the message that says it was cut (its IAs may be in what
// was lost).
func askedKnown(x *exchange) bool {
	return !x.askedCut && len(x.solicits)+len(x.requests)+len(x.renews)+len(x.informs) > 0
}

// askedVerdict judges a client that asked for no delegated prefix on what
// it asked for. v is the verdict of verdict.go, which reads every DHCPv6
// exchange as prefix delegation; ok is false when v stands as it is. A
// live run's client is v6diag sending the router's own shape: a router
// that asks for no prefix has none for its LAN, and the verdict speaks
// for it (routerclient.go), so this reading is for captures only.
func (a *Analyzer) askedVerdict(r *Result, x *exchange, v Verdict) (Verdict, bool) {
	c := x.client
	if a.facts.Live || c.AskedIAPD || !askedKnown(x) || x.serverOnly {
		return v, false
	}
	switch v.Code {
	case CodeNoPrefixOffered, CodeReplyRefused, CodeRequestUnanswered, CodeOfferNotTaken:
	default:
		return v, false
	}
	aside := " The client asked for no delegated prefix (no IA_PD), so this capture says nothing about prefix delegation."
	if c.InformationOnly {
		for _, e := range x.replies {
			if o := x.xids[e.DHCP.TransactionID]; o != nil && o.DHCP.Type == dhcpv6.MessageTypeInformationRequest {
				return Verdict{CodeOK, fmt.Sprintf("Stateless DHCPv6 works for what the client asked: its Information-request (frame %d) got a Reply (frame %d)%s.%s",
					o.Frame, e.Frame, dnsText(e.DHCP.DNSServers), aside), PartyNobody}, true
			}
		}
		return v, false
	}
	var confirmed []Lease
	for _, l := range r.Addresses {
		if l.Confirmed {
			confirmed = append(confirmed, l)
		}
	}
	if len(confirmed) > 0 {
		l := confirmed[0]
		return Verdict{CodeOK, fmt.Sprintf("DHCPv6 works for what the client asked, %s: address %s was assigned and confirmed by a Reply (frame %d, valid %s).%s",
			askedText(c), l.Prefix.Addr(), l.Frame, l.ValidLifetime, aside), PartyNobody}, true
	}
	offer := offeredAddress(x)
	switch {
	case len(x.requests) > 0 && len(x.replies) == 0:
		return Verdict{CodeRequestUnanswered, fmt.Sprintf("The server answered the Solicit, but never answered the Request (frame %d) for %s.%s",
			x.requests[0].Frame, askedText(c), aside), PartyISP}, true
	case len(x.replies) > 0:
		e, st := refusal(x.replies)
		if st != nil {
			mean := meaningOf(st)
			return Verdict{CodeReplyRefused, fmt.Sprintf("The server refused %s: its %s (frame %d) says %s — %s.%s",
				askedText(c), answersWhat(x, e), e.Frame, statusText(st), mean.means, aside), mean.who}, true
		}
		return Verdict{CodeReplyRefused, fmt.Sprintf("The server's Reply (frame %d) gives none of what the client asked for, %s.%s", x.replies[0].Frame, askedText(c), aside), PartyISP}, true
	case offer.ad != nil:
		s := fmt.Sprintf("The server offered address %s (frame %d), but the client never sent a Request for it", offer.addr, offer.ad.Frame)
		switch tail := a.stats.Last.Sub(offer.ad.Time); {
		case tail < time.Millisecond:
			s += ": the capture ends with the offer. Capture longer to see whether the client takes it"
		case tail < offerTail:
			s += fmt.Sprintf(": the capture ends %s after the offer. Capture longer to see whether the client takes it", tail.Round(time.Millisecond))
		}
		return Verdict{CodeOfferNotTaken, s + "." + aside, PartyUser}, true
	}
	e, st := refusal(x.advertises)
	if st != nil {
		mean := meaningOf(st)
		return Verdict{CodeNoPrefixOffered, fmt.Sprintf("The server answered but offers nothing the client asked for, %s: its Advertise (frame %d) says %s — %s.%s",
			askedText(c), e.Frame, statusText(st), mean.means, aside), mean.who}, true
	}
	return Verdict{CodeNoPrefixOffered, fmt.Sprintf("The server answered but offers nothing the client asked for, %s.%s", askedText(c), aside), PartyISP}, true
}

// addressOffer is a usable address an Advertise offered.
type addressOffer struct {
	addr netip.Addr
	ad   *Event
}

// offeredAddress is the first usable address an Advertise offered.
func offeredAddress(x *exchange) addressOffer {
	for _, e := range x.advertises {
		if !processed(e.DHCP) {
			continue
		}
		for _, ia := range append(append([]dhcpv6.IA{}, e.DHCP.IANA...), e.DHCP.IATA...) {
			if !usableIA(ia) {
				continue
			}
			for _, ad := range ia.Addresses {
				if usableAddress(ad) {
					return addressOffer{ad.Address, e}
				}
			}
		}
	}
	return addressOffer{}
}

// refusal is the first answer in es with an error status, and the status.
func refusal(es []*Event) (*Event, *dhcpv6.Status) {
	for _, e := range es {
		for st := range allStatuses(e.DHCP, e.DHCP.IANA, e.DHCP.IATA, e.DHCP.IAPD) {
			if st.Code != dhcpv6.StatusSuccess {
				return e, st
			}
		}
	}
	return nil, nil
}

func dnsText(ds []netip.Addr) string {
	if len(ds) == 0 {
		return " without DNS servers"
	}
	var s []string
	for _, d := range ds {
		s = append(s, d.String())
	}
	return " naming DNS " + strings.Join(s, ", ")
}
