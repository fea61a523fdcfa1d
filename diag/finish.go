package diag

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// exchange is what the client under diagnosis did and got, built from the
// events.
type exchange struct {
	client     Client
	solicits   []*Event
	requests   []*Event
	releases   []*Event
	renews     []*Event // Renew, Rebind, Confirm: a router's own client in passive captures
	advertises []*Event // valid ones
	replies    []*Event // valid Replies to Request, Renew, Rebind or a Rapid Commit Solicit
	releaseRep []*Event
	// xids maps a transaction id to the client message that opened it.
	xids map[dhcpv6.TransactionID]*Event
}

// Finish computes the diagnosis from everything added.
func (a *Analyzer) Finish() *Result {
	r := &Result{Stats: a.stats}
	for i := range a.events {
		a.events[i].Offset = a.offset(a.events[i].Time)
	}
	r.Routers = a.routers()
	x := a.exchange()
	r.Client = x.client
	r.Servers = a.servers(x)
	r.DelegatedPrefixes, r.Addresses, r.DNS = leases(x)
	r.Findings = append(r.Findings, a.findings(r, x)...)
	r.Findings = append(r.Findings, a.problems...)
	if len(a.unsupported) > 0 {
		r.Findings = append(r.Findings, Finding{
			ID: "capture-unsupported-link-type", Severity: SeverityWarn,
			Summary: fmt.Sprintf("%d frames have a link type v6diag cannot decode; they were skipped.", a.stats.UnsupportedFrames),
			Frames:  a.unsupported,
		})
	}
	if a.stats.TimelineDropped > 0 {
		r.Findings = append(r.Findings, Finding{
			ID: "capture-events-capped", Severity: SeverityInfo,
			Summary: fmt.Sprintf("Only the first %d control messages were analysed; %d more were counted but dropped.", MaxEvents, a.stats.TimelineDropped),
		})
	}
	r.Verdict = a.verdict(r, x)
	r.Timeline = a.events
	return r
}

func (a *Analyzer) routers() []Router {
	var rs []Router
	index := map[netip.Addr]int{}
	var lastRS *Event
	for i := range a.events {
		e := &a.events[i]
		if e.Kind == KindRouterSolicitation {
			lastRS = e
			continue
		}
		if e.Kind != KindRouterAdvertisement || e.RA == nil {
			continue
		}
		j, ok := index[e.Source]
		if !ok {
			j = len(rs)
			index[e.Source] = j
			rs = append(rs, Router{Source: e.Source, SourceMAC: e.SourceMAC, FirstSeen: e.Offset})
		}
		r := &rs[j]
		ra := e.RA
		r.Managed, r.Other = ra.ManagedConfiguration, ra.OtherConfiguration
		r.RouterLifetime = ra.RouterLifetime
		r.Preference = ra.Preference.String()
		r.Prefixes = ra.Prefixes()
		r.RDNSS, r.DNSSL = nil, nil
		for _, d := range ra.RDNSS() {
			r.RDNSS = append(r.RDNSS, d.Servers...)
		}
		for _, d := range ra.DNSSL() {
			r.DNSSL = append(r.DNSSL, d.DomainNames...)
		}
		if mtu, ok := ra.MTU(); ok {
			r.MTU = mtu
		}
		if r.SourceMAC == nil {
			r.SourceMAC = ra.SourceLinkLayerAddress()
		}
		r.Advertisements++
		if len(r.Frames) < maxProblemFrames {
			r.Frames = append(r.Frames, e.Frame)
		}
		r.LastSeen = e.Offset
		// A router answers a Solicitation within MAX_RA_DELAY_TIME (0.5 s,
		// RFC 4861 §6.2.6); a few seconds of slack covers slow routers.
		if lastRS != nil && !r.AnsweredSolicitation && !e.Time.Before(lastRS.Time) && e.Time.Sub(lastRS.Time) < 4*time.Second {
			r.AnsweredSolicitation = true
			r.SolicitedLatency = e.Time.Sub(lastRS.Time)
			r.SolicitedLatencyFrames = []int{lastRS.Frame, e.Frame}
		}
	}
	return rs
}

// exchange finds the client under diagnosis and sorts its conversation.
func (a *Analyzer) exchange() *exchange {
	subject := a.facts.ClientDUID
	if len(subject) == 0 {
		subject = a.pickClient()
	}
	x := &exchange{client: Client{DUID: subject}, xids: map[dhcpv6.TransactionID]*Event{}}
	for i := range a.events {
		e := &a.events[i]
		m := e.DHCP
		if m == nil || e.Direction != DirectionOut || !sameDUID(m.ClientID, subject) {
			continue
		}
		if x.client.SourceMAC == nil {
			x.client.SourceMAC = e.SourceMAC
			x.client.Address = e.Source
		}
		if _, seen := x.xids[m.TransactionID]; !seen {
			x.xids[m.TransactionID] = e
		}
		for _, ia := range append(slices.Clone(m.IANA), m.IAPD...) {
			if !slices.Contains(x.client.IAIDs, ia.IAID) {
				x.client.IAIDs = append(x.client.IAIDs, ia.IAID)
			}
		}
		switch m.Type {
		case dhcpv6.MessageTypeSolicit:
			if len(x.solicits) == 0 {
				x.client.AskedIANA = len(m.IANA) > 0
				x.client.AskedIAPD = len(m.IAPD) > 0
				for _, pd := range m.IAPD {
					for _, p := range pd.Prefixes {
						if p.Prefix.Bits() > 0 {
							x.client.PrefixHint = p.Prefix.Bits()
						}
					}
				}
			}
			x.solicits = append(x.solicits, e)
		case dhcpv6.MessageTypeRequest:
			x.requests = append(x.requests, e)
		case dhcpv6.MessageTypeRelease:
			x.releases = append(x.releases, e)
		case dhcpv6.MessageTypeRenew, dhcpv6.MessageTypeRebind, dhcpv6.MessageTypeConfirm:
			x.renews = append(x.renews, e)
		}
	}
	x.client.Solicits, x.client.Requests, x.client.Releases = len(x.solicits), len(x.requests), len(x.releases)
	for i := range a.events {
		e := &a.events[i]
		m := e.DHCP
		if m == nil || e.Direction != DirectionIn {
			continue
		}
		opener, ours := x.xids[m.TransactionID]
		switch {
		case len(m.ClientID) == 0 && ours:
			e.Ignored = "no Client ID"
		case len(m.ClientID) > 0 && !sameDUID(m.ClientID, subject):
			if ours {
				e.Ignored = "Client ID is not the client's"
				a.ignored(e)
			}
			continue // another client's conversation
		case !ours:
			e.Ignored = "transaction id matches no message the client sent"
		case len(m.ServerID) == 0:
			e.Ignored = "no Server ID"
		}
		if e.Ignored != "" {
			a.ignored(e)
			continue
		}
		switch {
		case m.Type == dhcpv6.MessageTypeAdvertise && opener.DHCP.Type == dhcpv6.MessageTypeSolicit:
			x.advertises = append(x.advertises, e)
		case m.Type == dhcpv6.MessageTypeReply && opener.DHCP.Type == dhcpv6.MessageTypeRelease:
			x.releaseRep = append(x.releaseRep, e)
		case m.Type == dhcpv6.MessageTypeReply && opener.DHCP.Type == dhcpv6.MessageTypeSolicit:
			// RFC 8415 §18.2.1: a Reply answers a Solicit only in a Rapid
			// Commit exchange, which both sides must have asked for.
			switch {
			case !m.RapidCommit:
				e.Ignored = "Reply to a Solicit without Rapid Commit"
				a.ignored(e)
			case !opener.DHCP.RapidCommit:
				e.Ignored = "Rapid Commit Reply to a Solicit that did not ask for Rapid Commit"
				a.ignored(e)
			default:
				x.replies = append(x.replies, e)
			}
		case m.Type == dhcpv6.MessageTypeReply:
			x.replies = append(x.replies, e)
		}
	}
	return x
}

func (a *Analyzer) ignored(e *Event) {
	id := map[string]string{
		"no Client ID":                                      "dhcpv6-missing-client-id",
		"Client ID is not the client's":                     "dhcpv6-foreign-client-id",
		"transaction id matches no message the client sent": "dhcpv6-wrong-transaction-id",
		"no Server ID":                                      "dhcpv6-missing-server-id",
		"Reply to a Solicit without Rapid Commit":           "dhcpv6-reply-without-rapid-commit",
		"Rapid Commit Reply to a Solicit that did not ask for Rapid Commit": "dhcpv6-unrequested-rapid-commit",
	}[e.Ignored]
	a.problem(Finding{
		ID: id, Severity: SeverityWarn,
		Summary: fmt.Sprintf("%s from %s was ignored: %s.", e.Kind, e.Source, e.Ignored),
		ForISP:  "Please check the DHCPv6 server: clients must discard such messages (RFC 8415 §16).",
		RFC:     "RFC 8415 §16", Frames: []int{e.Frame},
	})
}

// pickClient chooses the DHCPv6 client of the capture: the one whose
// exchange got furthest, the first seen on ties. Only a DUID that sent a
// client message can be chosen, and a server message counts for it only
// when it answers one of that client's transactions: a stray or forged
// answer naming a DUID that never spoke cannot elect it (RFC 8415 §16).
func (a *Analyzer) pickClient() dhcpv6.DUID {
	score := map[dhcpv6.MessageType]int{
		dhcpv6.MessageTypeSolicit: 1, dhcpv6.MessageTypeAdvertise: 2, dhcpv6.MessageTypeRequest: 3,
		dhcpv6.MessageTypeRenew: 3, dhcpv6.MessageTypeRebind: 3, dhcpv6.MessageTypeReply: 4,
	}
	type candidate struct {
		duid     dhcpv6.DUID
		progress int
		xids     map[dhcpv6.TransactionID]bool
	}
	index := map[string]*candidate{}
	var order []*candidate
	for i := range a.events {
		e := &a.events[i]
		m := e.DHCP
		if m == nil || len(m.ClientID) == 0 || e.Direction != DirectionOut {
			continue
		}
		c, ok := index[string(m.ClientID)]
		if !ok {
			c = &candidate{duid: m.ClientID, xids: map[dhcpv6.TransactionID]bool{}}
			index[string(m.ClientID)] = c
			order = append(order, c)
		}
		c.xids[m.TransactionID] = true
		c.progress = max(c.progress, score[m.Type])
	}
	for i := range a.events {
		e := &a.events[i]
		m := e.DHCP
		if m == nil || e.Direction != DirectionIn {
			continue
		}
		if c, ok := index[string(m.ClientID)]; ok && c.xids[m.TransactionID] {
			c.progress = max(c.progress, score[m.Type])
		}
	}
	var best *candidate
	for _, c := range order {
		if best == nil || c.progress > best.progress {
			best = c
		}
	}
	if best == nil {
		return nil
	}
	return best.duid
}

func (a *Analyzer) servers(x *exchange) []Server {
	var out []Server
	index := map[string]int{}
	add := func(e *Event, opener *Event) {
		m := e.DHCP
		k := string(m.ServerID)
		j, ok := index[k]
		if !ok {
			j = len(out)
			index[k] = j
			out = append(out, Server{ServerID: m.ServerID, Address: e.Source, SourceMAC: e.SourceMAC, Preference: -1})
			if opener != nil {
				out[j].Latency = e.Time.Sub(opener.Time)
			}
		}
		s := &out[j]
		if m.Preference != nil {
			s.Preference = int(*m.Preference)
		}
		s.Messages++
		if len(s.Frames) < maxProblemFrames {
			s.Frames = append(s.Frames, e.Frame)
		}
	}
	for _, list := range [][]*Event{x.advertises, x.replies, x.releaseRep} {
		for _, e := range list {
			add(e, x.xids[e.DHCP.TransactionID])
		}
	}
	return out
}

// leases collects what the servers gave: confirmed by Replies, or offered
// by Advertises when the client sent no Request (a Solicit-only run).
func leases(x *exchange) (prefixes, addresses []Lease, dns []netip.Addr) {
	source := x.replies
	confirmed := true
	if len(x.replies) == 0 && len(x.requests) == 0 {
		source, confirmed = x.advertises, false
	}
	seenP := map[netip.Prefix]bool{}
	for _, e := range source {
		m := e.DHCP
		if !processed(m) {
			continue
		}
		for _, ia := range m.IAPD {
			if ia.Status != nil && ia.Status.Code != 0 {
				continue
			}
			for _, p := range ia.Prefixes {
				if (p.Status != nil && p.Status.Code != 0) || p.ValidLifetime == 0 || !p.Prefix.IsValid() || seenP[p.Prefix] {
					continue
				}
				seenP[p.Prefix] = true
				prefixes = append(prefixes, Lease{Prefix: p.Prefix, IAID: ia.IAID, T1: ia.T1, T2: ia.T2,
					PreferredLifetime: p.PreferredLifetime, ValidLifetime: p.ValidLifetime, Confirmed: confirmed, Frame: e.Frame})
			}
		}
		for _, ia := range m.IANA {
			if ia.Status != nil && ia.Status.Code != 0 {
				continue
			}
			for _, ad := range ia.Addresses {
				p := netip.PrefixFrom(ad.Address, 128)
				if (ad.Status != nil && ad.Status.Code != 0) || ad.ValidLifetime == 0 || seenP[p] {
					continue
				}
				seenP[p] = true
				addresses = append(addresses, Lease{Prefix: p, IAID: ia.IAID, T1: ia.T1, T2: ia.T2,
					PreferredLifetime: ad.PreferredLifetime, ValidLifetime: ad.ValidLifetime, Confirmed: confirmed, Frame: e.Frame})
			}
		}
		for _, d := range m.DNSServers {
			if !slices.Contains(dns, d) {
				dns = append(dns, d)
			}
		}
	}
	return prefixes, addresses, dns
}

// processed reports whether the server processed the message: a
// message-level status such as UnspecFail or UseMulticast means the IAs in
// it are not to be used (RFC 8415 §18.2.10). NoAddrsAvail is let through:
// it speaks of addresses, and some servers send it beside a delegated
// prefix.
func processed(m *dhcpv6.Message) bool {
	return m.Status == nil || m.Status.Code == dhcpv6.StatusSuccess || m.Status.Code == dhcpv6.StatusNoAddrsAvail
}

func frames(es []*Event) []int {
	var out []int
	for _, e := range es {
		if len(out) == maxProblemFrames {
			break
		}
		out = append(out, e.Frame)
	}
	return out
}

// statusOf returns the first non-success status for the IA_PDs of m, or
// for the message itself.
func statusOf(m *dhcpv6.Message, pd bool) *dhcpv6.Status {
	if m.Status != nil && m.Status.Code != 0 {
		return m.Status
	}
	ias := m.IANA
	if pd {
		ias = m.IAPD
	}
	for _, ia := range ias {
		if ia.Status != nil && ia.Status.Code != 0 {
			return ia.Status
		}
		for _, p := range ia.Prefixes {
			if p.Status != nil && p.Status.Code != 0 {
				return p.Status
			}
		}
		for _, ad := range ia.Addresses {
			if ad.Status != nil && ad.Status.Code != 0 {
				return ad.Status
			}
		}
	}
	return nil
}

func statusText(s *dhcpv6.Status) string {
	if s == nil {
		return ""
	}
	if strings.TrimSpace(s.Message) == "" {
		return s.Name()
	}
	return fmt.Sprintf("%s (%q)", s.Name(), s.Message)
}

func routerFrames(rs []Router) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Frames...)
	}
	slices.Sort(out)
	if len(out) > maxProblemFrames {
		out = out[:maxProblemFrames]
	}
	return out
}
