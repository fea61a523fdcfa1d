package diag

import (
	"fmt"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// findings derives the protocol findings from the exchange, in the order
// reports list them: the link, the routers, the DHCPv6 answers, the
// Replies' statuses, the delegated prefixes, the end of the exchange.
func (a *Analyzer) findings(r *Result, x *exchange) []Finding {
	var fs []Finding
	if a.facts.Live && !a.facts.Carrier {
		fs = append(fs, Finding{ID: "link-no-carrier", Severity: SeverityFail,
			Summary: "The WAN interface has no carrier: the cable, the modem/ONT or the port is down."})
	}
	fs = append(fs, a.routerFindings(r)...)
	fs = append(fs, a.answerFindings(x)...)
	fs = append(fs, replyStatusFindings(x)...)
	fs = append(fs, a.prefixFindings(r, x)...)
	return append(fs, closingFindings(x)...)
}

// routerFindings says whether a router offers a default route.
func (a *Analyzer) routerFindings(r *Result) []Finding {
	var fs []Finding
	add := func(f Finding) { fs = append(fs, f) }
	var defaultRouters []Router
	for _, rt := range r.Routers {
		if rt.RouterLifetime > 0 {
			defaultRouters = append(defaultRouters, rt)
		}
	}
	var rsFrames []int
	for _, e := range a.events {
		if e.Kind == KindRouterSolicitation && len(rsFrames) < maxProblemFrames {
			rsFrames = append(rsFrames, e.Frame)
		}
	}
	switch {
	case len(r.Routers) == 0:
		f := Finding{ID: "ra-none", Severity: SeverityFail, RFC: "RFC 4861 §6.3.7", Frames: rsFrames,
			Summary: "No Router Advertisement was seen: no router on this link offers IPv6."}
		if len(rsFrames) > 0 {
			f.Summary = fmt.Sprintf("%d Router Solicitations went out and no Router Advertisement came back.", len(rsFrames))
			f.ForISP = "Please check that IPv6 routing is enabled for this line: Router Solicitations get no answer."
		}
		if n := r.Stats.IgnoredRouterAdvertisements; n > 0 {
			f.Summary = fmt.Sprintf("No valid Router Advertisement was seen: the %d that arrived fail RFC 4861 validity and hosts discard them.", n)
			f.ForISP = "Please check the Router Advertisements on this line: every one fails RFC 4861 §6.1.2, so hosts discard them."
			f.RFC = "RFC 4861 §6.1.2"
		}
		add(f)
	case len(defaultRouters) == 0:
		add(Finding{ID: "ra-no-default-route", Severity: SeverityFail, RFC: "RFC 4861 §4.2", Frames: routerFrames(r.Routers),
			Summary: "Router Advertisements arrive, but all have router lifetime 0: no router offers a default route.",
			ForISP:  "Please check the router: its Router Advertisements carry router lifetime 0, so no default route is installed."})
	default:
		for _, rt := range defaultRouters {
			add(Finding{ID: "ra-received", Severity: SeverityPass, RFC: "RFC 4861 §6.3.4", Frames: rt.Frames,
				Summary: fmt.Sprintf("Router %s (%s) advertises a default route (lifetime %s), flags M=%s O=%s.",
					rt.Source, macString(rt.SourceMAC), rt.RouterLifetime, bit(rt.Managed), bit(rt.Other))})
		}
	}
	return fs
}

// answerFindings says whether the Solicits, the Requests and the ask for
// a prefix were answered.
func (a *Analyzer) answerFindings(x *exchange) []Finding {
	var fs []Finding
	add := func(f Finding) { fs = append(fs, f) }
	solicited := len(x.solicits) > 0
	answered := len(x.advertises) > 0 || len(x.replies) > 0
	if solicited && !answered {
		add(Finding{ID: "dhcpv6-no-reply", Severity: SeverityFail, RFC: "RFC 8415 §18.2.1", Frames: frames(x.solicits),
			Summary: fmt.Sprintf("%d Solicits went out over %s and no DHCPv6 server answered.", len(x.solicits), span(x.solicits)),
			ForISP: fmt.Sprintf("Please check the DHCPv6 server or relay for this port: %d Solicits from %s (DUID %s) got no Advertise back.",
				len(x.solicits), clientWhere(x.client), x.client.DUID)})
	}
	if len(x.advertises) > 0 {
		add(Finding{ID: "dhcpv6-advertise-received", Severity: SeverityPass, RFC: "RFC 8415 §18.2.1", Frames: frames(x.advertises),
			Summary: fmt.Sprintf("%d Advertise messages answered the Solicits.", len(x.advertises))})
	}
	offered := false
	var noPrefix []*Event
	for _, e := range append(append([]*Event{}, x.advertises...), x.replies...) {
		if hasPrefix(e.DHCP) {
			offered = true
		} else {
			noPrefix = append(noPrefix, e)
		}
	}
	// A captured client that asked for no IA_PD was refused no prefix
	// (asked.go).
	if answered && !offered && (a.facts.Live || x.client.AskedIAPD || !askedKnown(x)) && !x.serverOnly {
		why := "no IA_PD"
		for _, e := range noPrefix {
			if s := statusOf(e.DHCP, true); s != nil {
				why = statusText(s)
				break
			}
		}
		add(Finding{ID: "dhcpv6-no-prefix-offered", Severity: SeverityFail, RFC: "RFC 8415 §18.3.9", Frames: frames(noPrefix),
			Summary: fmt.Sprintf("The DHCPv6 server answered but offered no delegated prefix (%s).", why),
			ForISP:  "Please check that prefix delegation is provisioned for this line: the server answers but delegates no prefix."})
	}
	if len(x.requests) > 0 && len(x.replies) == 0 {
		add(Finding{ID: "dhcpv6-request-unanswered", Severity: SeverityFail, RFC: "RFC 8415 §18.2.2", Frames: frames(x.requests),
			Summary: fmt.Sprintf("An Advertise came, but %d Requests got no Reply.", len(x.requests)),
			ForISP:  "Please check the DHCPv6 server: it answers Solicit with Advertise but never answers the Request."})
	}
	return fs
}

// replyStatusFindings names the Replies that refuse with a status.
func replyStatusFindings(x *exchange) []Finding {
	var fs []Finding
	add := func(f Finding) { fs = append(fs, f) }
	for _, e := range x.replies {
		if hasPrefix(e.DHCP) {
			continue
		}
		m := e.DHCP
		if m.Status != nil && m.Status.Code != dhcpv6.StatusSuccess {
			s := statusText(m.Status)
			add(Finding{ID: "dhcpv6-reply-status-error", Severity: SeverityFail, RFC: "RFC 8415 §18.2.10", Frames: []int{e.Frame},
				Summary: fmt.Sprintf("The Reply refused the whole request with status %s.", s),
				ForISP:  fmt.Sprintf("Please check the DHCPv6 server: its Reply carries the message-level status %s.", s)})
			continue
		}
		if s := statusOf(m, true); s != nil {
			add(Finding{ID: "dhcpv6-reply-error", Severity: SeverityFail, RFC: "RFC 8415 §18.2.10.1", Frames: []int{e.Frame},
				Summary: fmt.Sprintf("The Reply refused the delegated prefix: %s.", statusText(s)),
				ForISP:  fmt.Sprintf("Please check the DHCPv6 server: its Reply carries status %s for the IA_PD.", statusText(s))})
		}
	}
	return fs
}

// prefixFindings lists the delegated prefixes and says when one is
// smaller than asked for or wanted.
func (a *Analyzer) prefixFindings(r *Result, x *exchange) []Finding {
	var fs []Finding
	add := func(f Finding) { fs = append(fs, f) }
	for _, p := range r.DelegatedPrefixes {
		how := "confirmed by a Reply"
		switch {
		case !p.Confirmed && x.serverOnly:
			how = "offered in an Advertise (the capture holds none of the client's messages)"
		case !p.Confirmed:
			how = "offered in an Advertise (--solicit-only: no Request was sent)"
		}
		add(Finding{ID: "dhcpv6-prefix-delegated", Severity: SeverityPass, RFC: "RFC 8415 §6.3", Frames: []int{p.Frame},
			Summary: fmt.Sprintf("Prefix %s was delegated, %s (valid %s, preferred %s, T1 %s, T2 %s).",
				p.Prefix, how, p.ValidLifetime, p.PreferredLifetime, p.T1, p.T2)})
		switch want := a.facts.WantedPrefixLength; {
		case x.client.PrefixHint > 0 && p.Prefix.Bits() > x.client.PrefixHint:
			add(Finding{ID: "dhcpv6-prefix-smaller-than-hint", Severity: SeverityFail, RFC: "RFC 8415 §18.2.1", Frames: []int{p.Frame},
				Summary: fmt.Sprintf("A /%d was asked for but a /%d was delegated.", x.client.PrefixHint, p.Prefix.Bits()),
				ForISP:  fmt.Sprintf("Please check the prefix size provisioned for this line: we asked for a /%d (IA Prefix hint) and received %s.", x.client.PrefixHint, p.Prefix)})
		case want > 0 && p.Prefix.Bits() > want:
			// The router's client sent no hint (reqprefix 'auto'), but the
			// user wants more than the ISP gives.
			add(Finding{ID: "dhcpv6-prefix-smaller-than-wanted", Severity: SeverityFail, RFC: "RFC 8415 §6.3", Frames: []int{p.Frame},
				Summary: fmt.Sprintf("A /%d was delegated; a /%d is wanted (--prefix-len).", p.Prefix.Bits(), want),
				ForISP:  fmt.Sprintf("Please check the prefix size provisioned for this line: we want a /%d and received %s.", want, p.Prefix)})
		}
	}
	return fs
}

// closingFindings judges the Release and the Solicits' retransmissions.
func closingFindings(x *exchange) []Finding {
	var fs []Finding
	add := func(f Finding) { fs = append(fs, f) }
	if len(x.releases) > 0 {
		if len(x.releaseRep) > 0 {
			add(Finding{ID: "dhcpv6-release-confirmed", Severity: SeverityPass, RFC: "RFC 8415 §18.2.7", Frames: frames(append(x.releases, x.releaseRep...)),
				Summary: "What the test obtained was released, and the server confirmed the Release."})
		} else {
			add(Finding{ID: "dhcpv6-release-unanswered", Severity: SeverityWarn, RFC: "RFC 8415 §18.2.7", Frames: frames(x.releases),
				Summary: "The Release got no Reply; the server may keep the test lease until it expires."})
		}
	}
	if x.client.Solicits > 1 {
		add(Finding{ID: "dhcpv6-solicit-retransmissions", Severity: SeverityInfo, RFC: "RFC 8415 §15", Frames: frames(x.solicits),
			Summary: fmt.Sprintf("Solicits were sent at %s.", offsets(x.solicits))})
	}
	return fs
}

// verdict applies the contract's precedence to the findings' facts.
func (a *Analyzer) verdict(r *Result, x *exchange) Verdict {
	hasDefault := false
	managed, other := false, false
	for _, rt := range r.Routers {
		hasDefault = hasDefault || rt.RouterLifetime > 0
		managed = managed || rt.Managed
		other = other || rt.Other
	}
	dhcpSeen, raSeen := false, false
	for _, e := range a.events {
		if e.DHCP != nil || strings.HasPrefix(string(e.Kind), "DHCP") {
			dhcpSeen = true
		}
		raSeen = raSeen || e.Kind == KindRouterAdvertisement
	}
	ignoredRAs := ""
	if n := r.Stats.IgnoredRouterAdvertisements; n > 0 {
		ignoredRAs = fmt.Sprintf(" %d Router Advertisements arrived but fail RFC 4861 validity, so hosts discard them.", n)
	}
	answered := len(x.advertises) > 0 || len(x.replies) > 0
	switch {
	case a.facts.Live && !a.facts.Carrier:
		return Verdict{CodeLinkDown, "The WAN interface has no carrier: check the cable, the modem or ONT, and the port.", PartyUser}
	case !a.facts.Live && !raSeen && !dhcpSeen:
		return Verdict{CodeNoIPv6ControlTraffic, "The capture holds no Router Advertisement and no DHCPv6 message: capture on the WAN interface while IPv6 starts (ifup wan6).", PartyUser}
	case len(r.Routers) == 0 && ignoredRAs != "":
		return Verdict{CodeNoRouterAdvertisement, "No valid Router Advertisement arrived, so no default route is offered." + ignoredRAs + dhcpAside(r, x), PartyISP}
	case len(r.Routers) == 0 && a.facts.Live && !a.facts.Passive:
		return Verdict{CodeNoRouterAdvertisement, "No router answered the Router Solicitations: IPv6 is not enabled on this line, or not reaching this port." + dhcpAside(r, x), PartyISP}
	case len(r.Routers) == 0:
		return Verdict{CodeNoRouterAdvertisement, "The capture holds no Router Advertisement, so no default route is offered." + dhcpAside(r, x), PartyISP}
	case !hasDefault:
		return Verdict{CodeNoRouterAdvertisement, "Router Advertisements arrive, but none offers a default route (router lifetime 0).", PartyISP}
	case !managed && !other && !answered:
		return Verdict{CodeSLAACOnly, "The ISP's router offers SLAAC only (M=0, O=0) and no DHCPv6 server answered: no prefix can be delegated here.", PartyISP}
	case !answered && len(x.solicits) == 0:
		return Verdict{CodeNoDHCPv6Reply, "Routers ask for DHCPv6 (M or O flag set), but no DHCPv6 client exchange is in the capture.", PartyUser}
	case !answered:
		return Verdict{CodeNoDHCPv6Reply, fmt.Sprintf("Routers ask for DHCPv6, but %d Solicits got no answer from any DHCPv6 server.", len(x.solicits)), PartyISP}
	}
	return a.answeredVerdict(r, x)
}

// answeredVerdict is the verdict of an exchange a server answered, read as
// prefix delegation; context.go reads it for captures without routers.
func (a *Analyzer) answeredVerdict(r *Result, x *exchange) Verdict {
	offered := false
	for _, e := range append(append([]*Event{}, x.advertises...), x.replies...) {
		offered = offered || hasPrefix(e.DHCP)
	}
	switch {
	case !offered:
		return Verdict{CodeNoPrefixOffered, "A DHCPv6 server answered but offered no delegated prefix.", PartyISP}
	case a.offerNotTaken(x):
		return Verdict{CodeOfferNotTaken, offerNotTakenText(a.offerNotTakenWhy(x)), PartyUser}
	case len(x.requests) > 0 && len(x.replies) == 0:
		return Verdict{CodeRequestUnanswered, "The server offered a prefix, but never answered the Request for it.", PartyISP}
	case len(r.DelegatedPrefixes) == 0:
		s := "the IA_PD"
		for _, e := range x.replies {
			if st := statusOf(e.DHCP, true); st != nil {
				s = statusText(st)
				break
			}
		}
		return Verdict{CodeReplyRefused, fmt.Sprintf("The server refused the Request: %s.", s), PartyISP}
	}
	best := r.DelegatedPrefixes[0].Prefix
	for _, p := range r.DelegatedPrefixes {
		if p.Prefix.Bits() < best.Bits() {
			best = p.Prefix
		}
	}
	if x.client.PrefixHint > 0 && best.Bits() > x.client.PrefixHint {
		return Verdict{CodePrefixSmallerThanRequested, fmt.Sprintf("A /%d was asked for but only %s was delegated.", x.client.PrefixHint, best), PartyISP}
	}
	how := "confirmed by the server's Reply"
	if !r.DelegatedPrefixes[0].Confirmed {
		how = "offered by the server (no Request was sent)"
	}
	return Verdict{CodeOK, fmt.Sprintf("IPv6 works: prefix %s was delegated, %s, and a router offers a default route.", best, how), PartyNobody}
}

// hasPrefix reports whether m delegates a prefix a client can use.
func hasPrefix(m *dhcpv6.Message) bool {
	if !processed(m) {
		return false
	}
	for _, ia := range m.IAPD {
		if !usableIA(ia) {
			continue
		}
		for _, p := range ia.Prefixes {
			if usablePrefix(p) {
				return true
			}
		}
	}
	return false
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// clientWhere names the client for the ISP: its MAC, or, when only a
// relay's frames show it, its address.
func clientWhere(c Client) string {
	if len(c.SourceMAC) == 0 && c.Address.IsValid() {
		return "address " + c.Address.String()
	}
	return "MAC " + macString(c.SourceMAC)
}

func macString(m []byte) string {
	if len(m) == 0 {
		return "no MAC"
	}
	parts := make([]string, len(m))
	for i, b := range m {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

func span(es []*Event) string {
	if len(es) < 2 {
		return "an instant"
	}
	return es[len(es)-1].Time.Sub(es[0].Time).Round(time.Millisecond).String()
}

func offsets(es []*Event) string {
	var parts []string
	for i, e := range es {
		if i == 12 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("+%.3fs", e.Offset.Seconds()))
	}
	return strings.Join(parts, ", ")
}

// dhcpAside says in a few words how DHCPv6 went, for verdicts that are
// about something else.
func dhcpAside(r *Result, x *exchange) string {
	switch {
	case len(r.DelegatedPrefixes) > 0:
		return fmt.Sprintf(" DHCPv6 delegated %s.", r.DelegatedPrefixes[0].Prefix)
	case len(x.advertises) > 0 || len(x.replies) > 0:
		return " A DHCPv6 server answered, without a usable prefix."
	case len(x.solicits) > 0:
		return fmt.Sprintf(" %s got no answer either.", plural(len(x.solicits), "DHCPv6 Solicit"))
	}
	return ""
}
