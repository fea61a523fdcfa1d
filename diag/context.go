package diag

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// verdict (verdict.go) applies the contract's precedence to a capture
// that shows a client asking for a delegated prefix, both ways, whole.
// judge reads the verdict in the context the capture actually gives:
// what the client asked for (asked.go), which sides of the conversation
// the file holds (onesided.go), whether it holds any RS or RA at all,
// and what damage it suffered (damage.go). Where the verdict would rest
// on what the file lacks, it becomes CodeCaptureIncomplete and says what
// is missing.
func (a *Analyzer) judge(r *Result, x *exchange) Verdict {
	v := a.verdict(r, x)
	if av, ok := a.askedVerdict(r, x, v); ok {
		v = av
	}
	v = refusedVerdict(x, v)
	if a.facts.Live {
		return v
	}
	var rs []*Event
	routerTraffic := false
	for i := range a.events {
		if a.events[i].copyOf > 0 {
			continue
		}
		switch a.events[i].Kind {
		case KindRouterSolicitation:
			rs = append(rs, &a.events[i])
			routerTraffic = true
		case KindRouterAdvertisement:
			routerTraffic = true
		}
	}
	unanswered := len(rs) > 0 && len(r.Routers) == 0 && r.Stats.IgnoredRouterAdvertisements == 0
	switch {
	case unanswered && (v.Code == CodeNoIPv6ControlTraffic || v.Code == CodeNoRouterAdvertisement):
		// Router Solicitations are IPv6 control traffic: the capture shows
		// the client asking, and no router answering.
		last := rs[len(rs)-1]
		sent := fmt.Sprintf("%s (%s) went out", plural(len(rs), "Router Solicitation"), frameWord(frames(rs)))
		if len(rs) > 1 {
			sent += " over " + span(rs)
		}
		if a.lostToCut(last) {
			return incomplete(fmt.Sprintf("%s and the file ends, cut short, %s after the last: a router's answer may be in what was lost.", sent, a.cutGap(last)))
		}
		return Verdict{CodeNoRouterAdvertisement, sent + " and no router answered: IPv6 routing is not enabled on this line, or its Router Advertisements do not reach this port." + dhcpAside(r, x), PartyISP}
	case !routerTraffic && v.Code != CodeNoIPv6ControlTraffic:
		return a.withoutRouters(r, x)
	}
	if !isDHCPv6Outcome(v.Code) {
		return v
	}
	return a.dhcpContext(r, x, v)
}

// refusedVerdict reads "no prefix offered" as the refusal it is when no
// Advertise came and a Reply refuses: the Reply to a Renew, Rebind or
// Confirm (a client that held a lease), with what its status means and
// who must act on it.
func refusedVerdict(x *exchange, v Verdict) Verdict {
	if v.Code != CodeNoPrefixOffered || len(x.advertises) > 0 {
		return v
	}
	// A Rapid Commit Reply to a Solicit stands for the Advertise: there
	// "no prefix offered" is what it says.
	var replies []*Event
	for _, e := range x.replies {
		if o := x.xids[e.DHCP.TransactionID]; o == nil || o.DHCP.Type != dhcpv6.MessageTypeSolicit {
			replies = append(replies, e)
		}
	}
	e, st := refusal(replies)
	if st == nil {
		return v
	}
	mean := meaningOf(st)
	return Verdict{CodeReplyRefused, fmt.Sprintf("The server refused: its %s (frame %d) says %s — %s.", answersWhat(x, e), e.Frame, statusText(st), mean.means), mean.who}
}

func incomplete(summary string) Verdict {
	return Verdict{CodeCaptureIncomplete, summary, PartyUser}
}

// isDHCPv6Outcome reports whether c is a verdict about the DHCPv6
// exchange (or ok, which rests on it).
func isDHCPv6Outcome(c Code) bool { return dhcpVerdict(c) }

// withoutRouters judges a capture that holds DHCPv6 but no Router
// Solicitation or Advertisement at all: filtered to DHCPv6 (tcpdump port
// 546 or port 547), or taken where RAs do not pass. The DHCPv6 exchange is
// judged on its own; the routers cannot be, so a working exchange is not
// "ok" but a capture that cannot show the default route.
func (a *Analyzer) withoutRouters(r *Result, x *exchange) Verdict {
	const none = "The capture holds no Router Solicitation or Advertisement (it was filtered to DHCPv6, or taken where RAs do not pass), so whether a router offers a default route cannot be told from it."
	answered := len(x.advertises)+len(x.replies) > 0
	var v Verdict
	switch {
	case len(x.client.DUID) == 0:
		return Verdict{CodeNoIPv6ControlTraffic, "The capture holds no Router Solicitation or Advertisement and no DHCPv6 exchange of a client: nothing on the DHCPv6 ports is a client's message, or a server's answer to one. Capture on the WAN interface while IPv6 starts (ifup wan6).", PartyUser}
	case !answered && len(x.solicits) > 0:
		v = Verdict{CodeNoDHCPv6Reply, fmt.Sprintf("%s (%s) got no answer from any DHCPv6 server.", plural(len(x.solicits), "Solicit"), frameWord(frames(x.solicits))), PartyISP}
	case !answered && len(x.informs) > 0:
		v = Verdict{CodeNoDHCPv6Reply, fmt.Sprintf("%s (%s) got no answer from any DHCPv6 server.", plural(len(x.informs), "Information-request"), frameWord(frames(x.informs))), PartyISP}
	case !answered:
		v = Verdict{CodeNoDHCPv6Reply, "No DHCPv6 server answered the client.", PartyISP}
	default:
		v = a.answeredVerdict(r, x)
		if av, ok := a.askedVerdict(r, x, v); ok {
			v = av
		}
	}
	v = a.dhcpContext(r, x, v)
	if v.Code != CodeOK {
		v.Summary += " " + none
		return v
	}
	return incomplete(worked(r, x) + " " + none + " Capture with icmp6 as well: tcpdump -i WAN icmp6 or port 546 or port 547.")
}

// worked says in one sentence what a DHCPv6 exchange that worked gave.
func worked(r *Result, x *exchange) string {
	switch {
	case len(r.DelegatedPrefixes) > 0:
		p := r.DelegatedPrefixes[0]
		how := "confirmed by a Reply"
		if !p.Confirmed {
			how = "offered in an Advertise"
		}
		return fmt.Sprintf("DHCPv6 works: prefix %s was delegated, %s (frame %d).", p.Prefix, how, p.Frame)
	case len(r.Addresses) > 0:
		l := r.Addresses[0]
		return fmt.Sprintf("DHCPv6 works for what the client asked, %s: address %s was assigned (frame %d).", askedText(x.client), l.Prefix.Addr(), l.Frame)
	}
	return "Stateless DHCPv6 works: the client's Information-request was answered."
}

// dhcpContext corrects a verdict about the DHCPv6 exchange that would
// rest on what the capture lacks: the server's side (client-only), the
// client's side (server-only), or what a cut took away.
func (a *Analyzer) dhcpContext(r *Result, x *exchange, v Verdict) Verdict {
	if proof := a.clientOnlyEvidence(x); len(proof) > 0 && v.Code != CodeOK {
		p := proof[0]
		s := fmt.Sprintf("The capture holds only the client's DHCPv6 messages: its %s (frame %d)", p.Kind, p.Frame)
		if p.DHCP.Type == dhcpv6.MessageTypeRequest && len(p.DHCP.ServerID) > 0 {
			s += fmt.Sprintf(" takes an Advertise from server %s", p.DHCP.ServerID)
		} else {
			s += " follows a Reply"
		}
		return incomplete(s + " that the file does not hold, and no server message is in it, so the answers it lacks prove nothing. Capture both directions (tcpdump -i WAN icmp6 or port 546 or port 547).")
	}
	if x.serverOnly {
		return a.serverOnlyVerdict(r, x, v)
	}
	if c := a.damage.cut; c != nil && (v.Code == CodeNoDHCPv6Reply || v.Code == CodeRequestUnanswered) {
		if e := a.unansweredBeforeCut(x); e != nil {
			return incomplete(fmt.Sprintf("Cannot tell: the %s in frame %d got no answer in the file, but the file ends, cut short, %s later; the answer may be in what was lost.",
				e.Kind, e.Frame, a.cutGap(e)))
		}
	}
	switch v.Code {
	case CodeNoPrefixOffered, CodeReplyRefused, CodeOfferNotTaken, CodePrefixSmallerThanRequested, CodeRequestUnanswered:
		if e := cutAnswer(x); e != nil {
			return incomplete(fmt.Sprintf("Cannot tell: the server's %s (frame %d) is %s, so what it offers or delegates is lost with the rest of it.", e.Kind, e.Frame, e.cut))
		}
	}
	return v
}

// serverOnlyVerdict reads a capture that holds only the servers' messages.
// A Reply proves what it delegates (or refuses); an Advertise alone shows
// an offer, and whether the client took it cannot be told.
func (a *Analyzer) serverOnlyVerdict(r *Result, x *exchange, v Verdict) Verdict {
	const only = " The capture holds only the server's messages; the client's are not in it."
	if len(r.DelegatedPrefixes) > 0 && r.DelegatedPrefixes[0].Confirmed {
		v.Summary += only // a Reply delegates it: proof enough
		return v
	}
	if e, st := refusal(x.replies); st != nil {
		mean := meaningOf(st)
		return Verdict{CodeReplyRefused, fmt.Sprintf("The server's Reply (frame %d) to client DUID %s says %s: %s.%s", e.Frame, x.client.DUID, statusText(st), mean.means, only), mean.who}
	}
	if len(x.replies) > 0 {
		e := x.replies[0]
		what := "carries configuration only"
		if len(r.Addresses) > 0 {
			what = fmt.Sprintf("assigns address %s", r.Addresses[0].Prefix.Addr())
		}
		return incomplete(fmt.Sprintf("The server's Reply (frame %d) to client DUID %s %s (%s) and no prefix, but the capture holds none of the client's messages, so what the client asked for, and so what is missing, cannot be told.",
			e.Frame, x.client.DUID, what, configText(e.DHCP)))
	}
	if len(x.advertises) == 0 {
		return incomplete("The capture holds no DHCPv6 message from the client and no Advertise or Reply a client keeps, so the exchange cannot be judged.")
	}
	if _, st := refusal(x.advertises); st != nil && v.Code == CodeNoPrefixOffered {
		v.Summary += only // the server says it has nothing to give
		return v
	}
	what := "no usable prefix or address"
	switch {
	case len(r.DelegatedPrefixes) > 0:
		what = "prefix " + r.DelegatedPrefixes[0].Prefix.String()
	case len(r.Addresses) > 0:
		what = "address " + r.Addresses[0].Prefix.Addr().String()
	}
	return incomplete(fmt.Sprintf("The server offered %s (Advertise, frame %d) to client DUID %s, but the capture holds none of the client's messages and no Reply, so whether the client took the offer cannot be told.",
		what, x.advertises[0].Frame, x.client.DUID))
}

// configText says what configuration a server message carries beside
// its IAs: "DNS 2001:db8::53; domain search example.net; options 21, 56".
func configText(m *dhcpv6.Message) string {
	var parts, other []string
	if len(m.DNSServers) > 0 {
		parts = append(parts, strings.TrimPrefix(dnsText(m.DNSServers), " naming "))
	}
	if len(m.DomainSearch) > 0 {
		parts = append(parts, "domain search "+strings.Join(m.DomainSearch, " "))
	}
	for _, c := range m.OptionCodes {
		if !slices.Contains(configShown, c) {
			other = append(other, strconv.Itoa(int(c)))
		}
	}
	if len(other) > 0 {
		parts = append(parts, "options "+strings.Join(other, ", "))
	}
	if len(parts) == 0 {
		return "nothing beside the identifiers"
	}
	return strings.Join(parts, "; ")
}

// configShown are the options configText tells of otherwise (DNS and the
// domain list by their values) or that carry no configuration: the
// identifiers, the IAs, Preference, Server Unicast, Status Code, Rapid
// Commit, Reconfigure Accept and SOL_MAX_RT.
var configShown = []dhcpv6.OptionCode{dhcpv6.OptionClientID, dhcpv6.OptionServerID, dhcpv6.OptionIANA,
	dhcpv6.OptionIATA, dhcpv6.OptionPreference, dhcpv6.OptionUnicast, dhcpv6.OptionStatusCode,
	dhcpv6.OptionRapidCommit, dhcpv6.OptionReconfAccept, dhcpv6.OptionDNSServers, dhcpv6.OptionDomainList,
	dhcpv6.OptionIAPD, dhcpv6.OptionSolMaxRT}

// unansweredBeforeCut returns the client's last message when the file was
// cut short soon enough after it that its answer may be what was lost.
func (a *Analyzer) unansweredBeforeCut(x *exchange) *Event {
	var last *Event
	for _, list := range [][]*Event{x.solicits, x.requests, x.renews, x.informs} {
		for _, e := range list {
			if last == nil || e.Time.After(last.Time) {
				last = e
			}
		}
	}
	if last == nil || answerTo(x, last) != nil || !a.lostToCut(last) {
		return nil
	}
	for _, ad := range x.advertises {
		if ad.DHCP.TransactionID == last.DHCP.TransactionID {
			return nil
		}
	}
	return last
}

// cutGap is how long after e the file was cut.
func (a *Analyzer) cutGap(e *Event) string {
	if at := a.damage.cut.at; !at.IsZero() {
		return at.Sub(e.Time).Round(time.Millisecond).String()
	}
	return fmt.Sprintf("within %s", a.stats.Last.Sub(e.Time).Round(time.Millisecond))
}

// cutAnswer is an answer the client keeps whose content the capture cut.
func cutAnswer(x *exchange) *Event {
	for _, list := range [][]*Event{x.replies, x.advertises} {
		for _, e := range list {
			if e.cut != "" {
				return e
			}
		}
	}
	return nil
}

// contextFindings adjusts the findings to the capture's context: which
// side it lacks, whether it holds routers' messages at all, and which
// failures would rest on what a cut took away.
func (a *Analyzer) contextFindings(r *Result, x *exchange, fs []Finding) []Finding {
	fs = a.oneSidedFindings(r, x, fs)
	if a.facts.Live {
		return fs
	}
	routerTraffic := slices.ContainsFunc(a.events, func(e Event) bool {
		return e.Kind == KindRouterSolicitation || e.Kind == KindRouterAdvertisement
	})
	dhcp := slices.ContainsFunc(a.events, func(e Event) bool { return e.Kind != KindRouterSolicitation && e.Kind != KindRouterAdvertisement })
	if !routerTraffic && dhcp {
		fs = withoutFindings(fs, "ra-none")
		fs = append(fs, Finding{ID: "capture-no-router-messages", Severity: SeverityWarn, RFC: "RFC 4861 §6.3.7",
			Summary: "The capture holds DHCPv6 but no Router Solicitation or Advertisement: it was filtered to DHCPv6 (port 546 or port 547), or taken where RAs do not pass, so the routers (default route, M and O flags, SLAAC prefixes, RDNSS) cannot be judged from it."})
	}
	if a.damage.cut != nil {
		var lost []string
		fs = slices.DeleteFunc(fs, func(f Finding) bool {
			switch f.ID {
			case "dhcpv6-request-unanswered", "dhcpv6-no-reply", "dhcpv6-release-unanswered", "ra-none":
			default:
				return false
			}
			for _, n := range f.Frames {
				if e := a.eventAt(n); e == nil || !a.lostToCut(lastOfKind(a, e)) {
					return false
				}
			}
			if len(f.Frames) == 0 {
				return false
			}
			lost = append(lost, f.ID)
			return true
		})
		if len(lost) > 0 {
			for i := range fs {
				if fs[i].ID == "capture-cut-short" {
					fs[i].Summary += fmt.Sprintf(" The answers the last messages wait for may be in what was lost, so these were left out: %s.", strings.Join(lost, ", "))
				}
			}
		}
	}
	// That something is absent proves nothing when a message it rests on
	// was cut: it may be in what was lost.
	fs = slices.DeleteFunc(fs, func(f Finding) bool {
		if !slices.Contains(absenceFindings, f.ID) {
			return false
		}
		return slices.ContainsFunc(f.Frames, func(n int) bool { e := a.eventAt(n); return e != nil && e.cut != "" })
	})
	if cut := cutAnswer(x); cut != nil {
		// A failure built on the content of a cut answer proves nothing.
		fs = slices.DeleteFunc(fs, func(f Finding) bool {
			if f.Severity != SeverityFail && f.Severity != SeverityWarn || !strings.HasPrefix(f.ID, "dhcpv6-") {
				return false
			}
			for _, n := range f.Frames {
				if e := a.eventAt(n); e == nil || e.cut == "" {
					return false
				}
			}
			return len(f.Frames) > 0
		})
	}
	return fs
}

// absenceFindings say that something is missing from the messages they
// cite.
var absenceFindings = []string{"ra-rdnss-absent", "dns-none", "dhcpv6-dns-absent", "dhcpv6-no-prefix-asked",
	"dhcpv6-no-prefix-offered", "dhcpv6-advertise-without-ia-pd", "dhcpv6-missing-client-id", "dhcpv6-missing-server-id"}

// eventAt is the event of frame n, or nil.
func (a *Analyzer) eventAt(n int) *Event {
	for i := range a.events {
		if a.events[i].Frame == n {
			return &a.events[i]
		}
	}
	return nil
}

// lastOfKind is the last event of e's kind from the same sender: the last
// of a run of retransmissions.
func lastOfKind(a *Analyzer, e *Event) *Event {
	last := e
	for i := range a.events {
		o := &a.events[i]
		if o.Kind == e.Kind && o.Source == e.Source && o.Time.After(last.Time) {
			last = o
		}
	}
	return last
}

// frameWord writes frame numbers with their noun: "frame 3", "frames 3, 5".
func frameWord(fs []int) string {
	if len(fs) == 1 {
		return fmt.Sprintf("frame %d", fs[0])
	}
	return "frames " + frameList(fs)
}

// frameList writes frame numbers for a sentence: "3, 5, 9", the first
// ten of a longer list and "…".
func frameList(fs []int) string {
	var s []string
	for i, f := range fs {
		if i == 10 {
			s = append(s, "…")
			break
		}
		s = append(s, fmt.Sprint(f))
	}
	return strings.Join(s, ", ")
}
