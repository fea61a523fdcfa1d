package diag

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// dhcpChecks derives the findings about what the DHCPv6 servers said,
// beyond whether a prefix was delegated.
func (a *Analyzer) dhcpChecks(r *Result, x *exchange) []Finding {
	fs := &findingSet{}
	add := fs.add
	answers := append(slices.Clone(x.advertises), x.replies...)

	a.rapidCommitChecks(x, add)
	if len(r.Servers) > 1 {
		var parts []string
		var all []int
		for _, s := range r.Servers {
			pref := "no Preference option"
			if s.Preference >= 0 {
				pref = fmt.Sprintf("preference %d", s.Preference)
			}
			parts = append(parts, fmt.Sprintf("%s from %s (%s)", s.ServerID, s.Address, pref))
			all = append(all, s.Frames...)
		}
		add(Finding{ID: "dhcpv6-several-servers", Severity: SeverityInfo, RFC: "RFC 8415 §18.2.9", Frames: mergeFrames(all),
			Summary: fmt.Sprintf("%d DHCPv6 servers answered: %s; a client takes the highest preference.", len(r.Servers), strings.Join(parts, "; "))})
	}

	// What the Advertises and Replies offer. Timers and lifetimes are
	// judged on the Replies (what the client keeps) when there are any,
	// and on the Advertises for a kind of IA no Reply carries: a client
	// that discards an IA_PD for its timers (odhcp6c) never requests it,
	// so only the Advertise shows why.
	judged := x.replies
	if len(judged) == 0 {
		judged = x.advertises
	}
	replyHas := func(pd bool) bool {
		for _, e := range x.replies {
			if (pd && len(e.DHCP.IAPD) > 0) || (!pd && len(e.DHCP.IANA) > 0) {
				return true
			}
		}
		return false
	}
	advertiseOnly := iaKinds{na: len(x.replies) > 0 && !replyHas(false), pd: len(x.replies) > 0 && !replyHas(true)}
	// A refusal is a failure only when no other answer delegates a prefix.
	refusal := SeverityFail
	for _, e := range answers {
		if hasPrefix(e.DHCP) {
			refusal = SeverityWarn
		}
	}
	for _, e := range answers {
		m := e.DHCP
		usable := hasPrefix(m)
		if st := noPrefixAvail(m); st != nil {
			add(Finding{ID: "dhcpv6-no-prefix-avail", Severity: refusal, RFC: "RFC 8415 §18.3.9", Frames: []int{e.Frame},
				Summary: fmt.Sprintf("The %s says %s: the server has no prefix to delegate to this line.", m.Type, statusText(st)),
				ForISP:  "Please check the prefix pool and the provisioning of this line: the server answers NoPrefixAvail."})
		}
		if m.Type == dhcpv6.MessageTypeAdvertise && x.client.AskedIAPD && len(m.IAPD) == 0 && processed(m) {
			add(Finding{ID: "dhcpv6-advertise-without-ia-pd", Severity: refusal, RFC: "RFC 8415 §18.3.9", Frames: []int{e.Frame},
				Summary: "The Advertise carries no IA_PD at all, though the Solicit asked for a delegated prefix.",
				ForISP:  "Please check that prefix delegation is enabled for this line: the Advertise leaves out the IA_PD we asked for."})
		}
		if st := noAddrsAvail(m); st != nil {
			if usable {
				add(Finding{ID: "dhcpv6-no-addrs-avail-beside-prefix", Severity: SeverityWarn, RFC: "RFC 8415 §18.2.9", Frames: []int{e.Frame},
					Summary: fmt.Sprintf("The %s delegates a prefix but refuses the address (IA_NA %s): clients that insist on an address, such as odhcp6c with reqaddress 'force', reject the whole offer; set reqaddress 'try' or 'none'.", m.Type, statusText(st)),
					ForISP:  "Please check the IA_NA handling for this line: the server refuses the address with NoAddrsAvail while it delegates a prefix, which some CPEs treat as a failed offer."})
			} else {
				add(Finding{ID: "dhcpv6-no-addrs-avail", Severity: SeverityInfo, RFC: "RFC 8415 §21.13", Frames: []int{e.Frame},
					Summary: fmt.Sprintf("The %s refuses an address (%s).", m.Type, statusText(st))})
			}
		}
		switch {
		case !processed(m):
		case slices.Contains(judged, e):
			a.iaChecks(e, add, iaKinds{na: true, pd: true})
		case slices.Contains(x.advertises, e):
			a.iaChecks(e, add, advertiseOnly)
		}
		if m.ServerUnicast.IsValid() {
			add(Finding{ID: "dhcpv6-server-unicast", Severity: SeverityInfo, RFC: "RFC 8415 §21.12", Frames: []int{e.Frame},
				Summary: fmt.Sprintf("The server asks clients to send Renews straight to %s (Server Unicast); if a firewall or relay drops them, renewals fail — netifd's noserverunicast makes odhcp6c ignore the option.", m.ServerUnicast)})
		}
		if m.ReconfigureAccept {
			add(Finding{ID: "dhcpv6-reconfigure-accept", Severity: SeverityInfo, RFC: "RFC 8415 §21.20", Frames: []int{e.Frame},
				Summary: "The server accepts Reconfigure (Reconfigure Accept): it may push changes to the client; netifd's noacceptreconfig turns this off on the router."})
		}
	}
	if len(answers) > 0 && len(dhcpDNS(x)) == 0 {
		add(Finding{ID: "dhcpv6-dns-absent", Severity: SeverityInfo, RFC: "RFC 3646 §3", Frames: frames(answers),
			Summary: "The DHCPv6 server names no DNS server (option 23); the router must learn one from the Router Advertisements or its own settings."})
	}
	if a.offerNotTaken(x) {
		why := a.offerNotTakenWhy(x)
		add(Finding{ID: "dhcpv6-offer-not-taken", Severity: SeverityFail, RFC: "RFC 8415 §18.2.1", Frames: mergeFrames([]int{why.advertise.Frame}, why.laterFrames),
			Summary: offerNotTakenText(why)})
	}
	return fs.list
}

// rapidCommitChecks compares the Solicits with and without Rapid Commit
// (RFC 8415 §18.2.1, §21.14): the strategy ladder sends both.
func (a *Analyzer) rapidCommitChecks(x *exchange, add func(Finding)) {
	answered := map[dhcpv6.TransactionID]bool{}
	for _, e := range append(slices.Clone(x.advertises), x.replies...) {
		answered[e.DHCP.TransactionID] = true
	}
	var rc, plain, rcAnswered, plainAnswered []*Event
	for _, s := range x.solicits {
		if s.DHCP.RapidCommit {
			rc = append(rc, s)
			if answered[s.DHCP.TransactionID] {
				rcAnswered = append(rcAnswered, s)
			}
		} else {
			plain = append(plain, s)
			if answered[s.DHCP.TransactionID] {
				plainAnswered = append(plainAnswered, s)
			}
		}
	}
	switch {
	case len(rc) > 0 && len(plain) > 0 && len(rcAnswered) > 0 && len(plainAnswered) == 0:
		add(Finding{ID: "dhcpv6-answers-only-rapid-commit", Severity: SeverityWarn, RFC: "RFC 8415 §18.2.1", Frames: frames(x.solicits),
			Summary: fmt.Sprintf("The server answers only Solicits with Rapid Commit: %d without it got no answer. odhcp6c does not use Rapid Commit, so the router's own client fails here.", len(plain)),
			ForISP:  "Please check the DHCPv6 server: it answers only Rapid Commit Solicits, but RFC 8415 §18.3.1 requires it to answer a plain Solicit with an Advertise."})
	case len(rc) > 0 && len(plain) > 0 && len(plainAnswered) > 0 && len(rcAnswered) == 0:
		add(Finding{ID: "dhcpv6-answers-only-without-rapid-commit", Severity: SeverityInfo, RFC: "RFC 8415 §18.2.1", Frames: frames(x.solicits),
			Summary: fmt.Sprintf("The server answers only Solicits without Rapid Commit: %d with it got no answer.", len(rc)),
			ForISP:  "Please check the DHCPv6 server: Solicits carrying Rapid Commit get no answer, though it should at least answer with an Advertise (RFC 8415 §18.3.1)."})
	}
	for _, e := range x.advertises {
		if o := x.xids[e.DHCP.TransactionID]; o != nil && o.DHCP.RapidCommit {
			add(Finding{ID: "dhcpv6-rapid-commit-declined", Severity: SeverityInfo, RFC: "RFC 8415 §18.3.1", Frames: []int{o.Frame, e.Frame},
				Summary: "The Solicit asked for Rapid Commit and the server answered with an Advertise: it does not use Rapid Commit, and the four-message exchange follows."})
			break
		}
	}
}

// iaKinds selects IA_NAs and IA_PDs.
type iaKinds struct{ na, pd bool }

// iaChecks judges the timers and lifetimes of the IAs of the kinds given
// in e.
func (a *Analyzer) iaChecks(e *Event, add func(Finding), kinds iaKinds) {
	m := e.DHCP
	check := func(kind string, ia dhcpv6.IA, items []lifetimes) {
		if !okStatus(ia.Status) || len(items) == 0 {
			return
		}
		switch {
		case ia.T1 > 0 && ia.T2 > 0 && ia.T1 > ia.T2:
			add(Finding{ID: "dhcpv6-t1-exceeds-t2", Severity: SeverityWarn, RFC: "RFC 8415 §21.21", Frames: []int{e.Frame},
				Summary: fmt.Sprintf("The %s's %s has T1 %s greater than T2 %s, so clients discard the whole %s.", m.Type, kind, ia.T1, ia.T2, kind),
				ForISP:  fmt.Sprintf("Please check the %s timers: T1 must not exceed T2 (RFC 8415 §21.21).", kind)})
			return
		case ia.T1 == 0 || ia.T2 == 0:
			add(Finding{ID: "dhcpv6-timers-zero", Severity: SeverityInfo, RFC: "RFC 8415 §21.21", Frames: []int{e.Frame},
				Summary: fmt.Sprintf("The %s's %s has T1 %s and T2 %s: a zero timer leaves the renewal time to the client.", m.Type, kind, ia.T1, ia.T2)})
		}
		for _, it := range items {
			switch {
			case it.valid == 0:
				add(Finding{ID: "dhcpv6-lifetime-zero", Severity: SeverityWarn, RFC: "RFC 8415 §18.2.10.1", Frames: []int{e.Frame},
					Summary: fmt.Sprintf("The %s gives %s with valid lifetime 0: it is withdrawn, not delegated.", m.Type, it.what),
					ForISP:  fmt.Sprintf("Please check the lease for this line: %s comes with valid lifetime 0.", it.what)})
				continue
			case it.preferred > it.valid:
				add(Finding{ID: "dhcpv6-preferred-exceeds-valid", Severity: SeverityWarn, RFC: "RFC 8415 §21.22", Frames: []int{e.Frame},
					Summary: fmt.Sprintf("The %s gives %s a preferred lifetime (%s) longer than its valid lifetime (%s), so clients discard it.", m.Type, it.what, it.preferred, it.valid),
					ForISP:  fmt.Sprintf("Please check the lifetimes for this line: %s has preferred lifetime %s > valid lifetime %s.", it.what, it.preferred, it.valid)})
				continue
			}
			renew := ia.T1
			if renew == 0 {
				renew = it.preferred / 2
			}
			if renew > 0 && renew < floodingRenewal {
				add(Finding{ID: "dhcpv6-lifetimes-short", Severity: SeverityWarn, RFC: "RFC 8415 §14.2", Frames: []int{e.Frame},
					Summary: fmt.Sprintf("The %s gives %s with T1 %s and lifetimes %s/%s: the client would renew every %s, flooding the server.", m.Type, it.what, ia.T1, it.preferred, it.valid, renew),
					ForISP:  fmt.Sprintf("Please check the lease times for this line: a renewal every %s is far too often.", renew)})
			}
		}
	}
	for _, ia := range m.IAPD {
		if !kinds.pd {
			break
		}
		var items []lifetimes
		for _, p := range ia.Prefixes {
			if okStatus(p.Status) && p.Prefix.IsValid() {
				items = append(items, lifetimes{"prefix " + p.Prefix.String(), p.PreferredLifetime, p.ValidLifetime})
			}
		}
		check("IA_PD", ia, items)
	}
	for _, ia := range m.IANA {
		if !kinds.na {
			break
		}
		var items []lifetimes
		for _, ad := range ia.Addresses {
			if okStatus(ad.Status) {
				items = append(items, lifetimes{"address " + ad.Address.String(), ad.PreferredLifetime, ad.ValidLifetime})
			}
		}
		check("IA_NA", ia, items)
	}
}

type lifetimes struct {
	what             string
	preferred, valid time.Duration
}

// noPrefixAvail returns a NoPrefixAvail status of m, at message, IA_PD or
// IA Prefix level.
func noPrefixAvail(m *dhcpv6.Message) *dhcpv6.Status {
	return firstStatus(m, dhcpv6.StatusNoPrefixAvail, m.IAPD)
}

// noAddrsAvail returns a NoAddrsAvail status of m, at message, IA_NA or IA
// Address level.
func noAddrsAvail(m *dhcpv6.Message) *dhcpv6.Status {
	return firstStatus(m, dhcpv6.StatusNoAddrsAvail, m.IANA)
}

// firstStatus returns the first status with code among m's message-level
// status and those in ias, or nil.
func firstStatus(m *dhcpv6.Message, code uint16, ias []dhcpv6.IA) *dhcpv6.Status {
	for st := range allStatuses(m, ias) {
		if st.Code == code {
			return st
		}
	}
	return nil
}

// offerTail is how long a capture must go on after an offer before a
// missing Request means the client declined it: the client collects
// Advertises for the first RT (≈1.1 s, RFC 8415 §18.2.1) and then sends
// the Request at once.
const offerTail = 3 * time.Second

// offerNotTaken reports whether a usable prefix was offered in an
// Advertise and the client never asked for it. In --solicit-only runs
// that is the plan, not a fault.
func (a *Analyzer) offerNotTaken(x *exchange) bool {
	// A server-only capture shows no Request either way (onesided.go).
	if a.facts.SolicitOnly || x.serverOnly || len(x.requests) > 0 || len(x.replies) > 0 {
		return false
	}
	for _, e := range x.advertises {
		if hasPrefix(e.DHCP) {
			return true
		}
	}
	return false
}

// offerWhy is what the capture says about an offer the client left.
type offerWhy struct {
	advertise *Event
	prefix    netip.Prefix
	// naRefused: the same Advertise refuses the IA_NA the client asked for.
	naRefused bool
	// laterFrames are the client's Solicits after the offer.
	laterFrames []int
	// tail is how long the capture goes on after the offer.
	tail time.Duration
	// ownRun: our own live client, whose run ended first.
	ownRun bool
}

func (a *Analyzer) offerNotTakenWhy(x *exchange) offerWhy {
	var w offerWhy
	for _, e := range x.advertises {
		if !hasPrefix(e.DHCP) {
			continue
		}
		if w.advertise == nil || (noAddrsAvail(e.DHCP) != nil && !w.naRefused) {
			w.advertise = e
			w.naRefused = x.client.AskedIANA && noAddrsAvail(e.DHCP) != nil
		}
	}
	for _, ia := range w.advertise.DHCP.IAPD {
		for _, p := range ia.Prefixes {
			if usableIA(ia) && usablePrefix(p) && !w.prefix.IsValid() {
				w.prefix = p.Prefix
			}
		}
	}
	for _, s := range x.solicits {
		if s.Time.After(w.advertise.Time) {
			w.laterFrames = append(w.laterFrames, s.Frame)
		}
	}
	w.tail = a.stats.Last.Sub(w.advertise.Time)
	w.ownRun = a.facts.Live && !a.facts.Passive && len(a.facts.ClientDUID) > 0
	return w
}

func offerNotTakenText(w offerWhy) string {
	head := fmt.Sprintf("The server offered prefix %s (frame %d), but the client never sent a Request for it", w.prefix, w.advertise.Frame)
	switch {
	case w.naRefused:
		return head + ": the same Advertise refuses the address (IA_NA NoAddrsAvail), and a client that insists on an address — odhcp6c with reqaddress 'force' — rejects the whole offer. Set reqaddress 'try' or 'none' on the wan6 interface."
	case w.ownRun:
		return head + ": the run ended first. Run again with a longer --timeout."
	case len(w.laterFrames) > 0:
		return head + fmt.Sprintf(": it kept soliciting (%d more Solicits), so its configuration rejects this offer. Check reqaddress and reqprefix in /etc/config/network.", len(w.laterFrames))
	case w.tail < time.Millisecond:
		return head + ": the capture ends with the offer. Capture longer to see whether the client takes it."
	case w.tail < offerTail:
		return head + fmt.Sprintf(": the capture ends %s after the offer. Capture longer to see whether the client takes it.", w.tail.Round(time.Millisecond))
	}
	return head + fmt.Sprintf(" in the %s that followed: its configuration rejects the offer. Check reqaddress and reqprefix in /etc/config/network.", w.tail.Round(time.Millisecond))
}

// ladderFindings are the findings only a whole strategy-ladder run shows,
// since each attempt is judged on its own and the run reports the first
// attempt's findings: how the server treats Solicits with and without
// Rapid Commit, across attempts. Ids already in have are left out.
func (a *Analyzer) ladderFindings(have []Finding) []Finding {
	// exchange marks events ignored: work on a copy, so the run's timeline
	// keeps what each attempt's own analysis said.
	c := &Analyzer{facts: a.facts, stats: a.stats, events: slices.Clone(a.events)}
	x := c.exchange(&findingSet{})
	var out []Finding
	c.rapidCommitChecks(x, func(f Finding) {
		if !slices.ContainsFunc(have, func(g Finding) bool { return g.ID == f.ID }) {
			out = append(out, f)
		}
	})
	return out
}
