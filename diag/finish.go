package diag

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/v6diag/v6diag/capture"
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
	// The other kinds (kinds.go): Information-requests and Declines the
	// client sent, Reconfigures the servers sent it.
	informs, declines, reconfigures []*Event
	// serverOnly: the capture holds no client message at all, and the
	// client is the one the servers' messages name (onesided.go).
	serverOnly bool
	// askedCut: the message that says what the client asked for was cut
	// by the capture (asked.go).
	askedCut bool
}

// Finish computes the diagnosis from everything added. It may be called
// more than once (say, for a progress report and then the final one): each
// call starts again from the frames, so nothing is counted twice.
func (a *Analyzer) Finish() *Result {
	if r := a.finishAttempts(); r != nil {
		return r
	}
	r := &Result{Stats: a.stats}
	for i := range a.events {
		a.events[i].Offset = a.offset(a.events[i].Time)
	}
	// Findings from single frames (Add) are copied, so that this call's
	// additions never reach the next call.
	fs := &findingSet{}
	for _, f := range a.problems {
		f.Frames = slices.Clone(f.Frames)
		fs.list = append(fs.list, f)
	}
	r.Routers = a.routers(r)
	x := a.exchange(fs)
	r.Client = x.client
	r.Servers = a.servers(x)
	r.DelegatedPrefixes, r.Addresses, r.DNS = leases(x, a.facts.SolicitOnly || x.serverOnly)
	r.Sequence = a.sequence(x)
	r.Findings = append(r.Findings, a.findings(r, x)...)
	r.Findings = append(r.Findings, a.raChecks(r, x)...)
	r.Findings = append(r.Findings, a.dhcpChecks(r, x)...)
	r.Findings = append(r.Findings, a.sequenceChecks(r, x)...)
	r.Findings = append(r.Findings, a.kindChecks(r, x)...)
	r.Findings = append(r.Findings, a.statusChecks(x)...)
	r.Findings = append(r.Findings, a.relayChecks(x)...)
	fw := a.judgeFirewall(x) // checks_firewall.go
	r.Findings = append(r.Findings, fw.findings...)
	r.Findings = append(r.Findings, fs.list...)
	if len(a.unsupported) > 0 {
		r.Findings = append(r.Findings, Finding{
			ID: "capture-unsupported-link-type", Severity: SeverityWarn,
			Summary: fmt.Sprintf("%d frames have a link type v6diag cannot decode; they were skipped.", a.stats.UnsupportedFrames),
			Frames:  slices.Clone(a.unsupported),
		})
	}
	if r.Stats.RoutersNotListed > 0 {
		r.Findings = append(r.Findings, Finding{
			ID: "ra-routers-capped", Severity: SeverityWarn,
			Summary: fmt.Sprintf("%d more routers sent Router Advertisements; only the first %d are listed. So many routers on one link is a flood of forged RAs, or a misconfigured network.",
				r.Stats.RoutersNotListed, MaxRouters),
			ForISP: "Please check this line for a rogue device or an RA flood: more routers advertise on it than any real network has.",
			RFC:    "RFC 6104",
		})
	}
	if len(a.undecodable) > 0 {
		r.Findings = append(r.Findings, Finding{
			ID: "capture-undecodable-frames", Severity: SeverityWarn,
			Summary: fmt.Sprintf("%d IPv6 frames are malformed and could not be decoded; they were skipped. The first: %v.",
				a.stats.DecodeErrors, a.firstDecodeError),
			Frames: slices.Clone(a.undecodable),
		})
	}
	if a.stats.TimelineDropped > 0 {
		r.Findings = append(r.Findings, Finding{
			ID: "capture-events-capped", Severity: SeverityInfo,
			Summary: fmt.Sprintf("Only the first %d control messages were analysed; %d more were counted but dropped.", MaxEvents, a.stats.TimelineDropped),
		})
	}
	r.Findings = a.contextFindings(r, x, a.damageFindings(r.Findings))
	r.Verdict = a.judge(r, x)
	a.runningGets = nil
	r.RouterClient = a.routerClient(x)
	a.speakForRouter(r, x)
	// Last: the firewall keeps the answers from the router's client,
	// whatever they held (checks_firewall.go).
	fw.apply(r)
	r.Timeline = slices.Clone(a.events)
	return r
}

// findingSet merges identical findings from many frames into one that
// cites them all.
type findingSet struct{ list []Finding }

func (s *findingSet) add(f Finding) {
	for i := range s.list {
		if s.list[i].ID == f.ID && s.list[i].Summary == f.Summary {
			for _, n := range f.Frames {
				if len(s.list[i].Frames) < maxProblemFrames && !slices.Contains(s.list[i].Frames, n) {
					s.list[i].Frames = append(s.list[i].Frames, n)
				}
			}
			return
		}
	}
	if len(s.list) < 200 {
		s.list = append(s.list, f)
	}
}

// routers collects what each router advertised, from the RAs a host
// accepts: those failing RFC 4861 §6.1.2 are counted in r.Stats only.
// MaxRouters bounds the routers a diagnosis lists. A link has one or two;
// a flood of RAs from forged routers has thousands, and listing each (with
// a finding apiece) made a report of megabytes that took seconds to
// write. The first ones seen are listed — the real router usually answers
// the Solicitation first — and the rest are counted.
const MaxRouters = 32

func (a *Analyzer) routers(res *Result) []Router {
	var rs []Router
	index := map[netip.Addr]int{}
	unlisted := map[netip.Addr]bool{}
	defer func() { res.Stats.RoutersNotListed = len(unlisted) }()
	var lastRS *Event
	for i := range a.events {
		e := &a.events[i]
		if e.Kind == KindRouterSolicitation {
			lastRS = e
			continue
		}
		if e.Kind != KindRouterAdvertisement || e.copyOf > 0 {
			continue
		}
		if e.RA == nil || e.Ignored != "" {
			res.Stats.IgnoredRouterAdvertisements++
			continue
		}
		j, ok := index[e.Source]
		if !ok && len(rs) >= MaxRouters {
			unlisted[e.Source] = true
			continue
		}
		if !ok {
			j = len(rs)
			index[e.Source] = j
			rs = append(rs, Router{Source: e.Source, SourceMAC: e.SourceMAC, FirstSeen: e.Offset})
		}
		r := &rs[j]
		ra := e.RA
		r.PPPoE = r.PPPoE || e.pppoe
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
// Server messages a client discards (RFC 8415 §16) get Ignored set and a
// finding in fs; they count for nothing else.
func (a *Analyzer) exchange(fs *findingSet) *exchange {
	subject := a.facts.ClientDUID
	if len(subject) == 0 {
		subject = a.pickClient()
	}
	serverOnly := false
	if len(subject) == 0 && !a.facts.Live {
		subject, serverOnly = a.clientNamedByServers()
	}
	x := &exchange{client: Client{DUID: subject}, xids: map[dhcpv6.TransactionID]*Event{}, serverOnly: serverOnly}
	for i := range a.events {
		e := &a.events[i]
		m := e.DHCP
		if m == nil || e.copyOf > 0 || e.Direction != DirectionOut || !m.Type.IsClientMessage() {
			continue
		}
		if !sameDUID(m.ClientID, subject) && !a.cutClientMessage(e, subject) {
			continue
		}
		if r, relayed := innermostRelay(m); relayed && !x.client.Address.IsValid() {
			// The frame is the relay's; the client is its peer (RFC 8415 §19.1).
			x.client.Address = r.PeerAddress
		} else if !relayed && x.client.SourceMAC == nil {
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
		case dhcpv6.MessageTypeInformationRequest:
			x.informs = append(x.informs, e)
		case dhcpv6.MessageTypeDecline:
			x.declines = append(x.declines, e)
		}
	}
	x.client.Solicits, x.client.Requests, x.client.Releases = len(x.solicits), len(x.requests), len(x.releases)
	askedWithoutSolicit(x)
	for i := range a.events {
		e := &a.events[i]
		m := e.DHCP
		if m == nil || e.Direction != DirectionIn || e.copyOf > 0 {
			continue
		}
		e.Ignored = "" // recomputed on every Finish
		if m.Type == dhcpv6.MessageTypeReconfigure {
			// Server-initiated (RFC 8415 §18.3.11): it answers nothing;
			// kinds.go judges it.
			if sameDUID(m.ClientID, subject) {
				x.reconfigures = append(x.reconfigures, e)
			}
			continue
		}
		if !m.Type.IsServerMessage() {
			continue // a Relay-repl cut before its message, or a later RFC's kind (kinds.go)
		}
		opener, ours := x.xids[m.TransactionID]
		var why *discard
		switch {
		case e.cut != "" && ours && (len(m.ClientID) == 0 || sameDUID(m.ClientID, subject)):
			// The capture cut it short (damage.go): what it lacks proves
			// nothing, so it is taken as the answer it is.
		case !ours && x.serverOnly && (len(m.ClientID) == 0 || sameDUID(m.ClientID, subject)):
			a.acceptOneSided(fs, x, e)
			continue
		case e.malformed != "":
			// Its options could not be read, so what it lacks says nothing;
			// Add already made it a dhcpv6-malformed finding.
			why = &discardMalformed
		case len(m.ClientID) == 0 && ours:
			why = &discardNoClientID
		case len(m.ClientID) > 0 && !sameDUID(m.ClientID, subject):
			if ours {
				a.ignore(fs, e, &discardForeignClientID, "")
			}
			continue // another client's conversation
		case !ours:
			why = &discardWrongXID
		case len(m.ServerID) == 0:
			why = &discardNoServerID
		// A Relay-reply goes to the relay's port 547 and address (RFC 8415
		// §19.2): only a message sent to the client itself is judged here.
		case m.RelayHops == 0 && e.dstPort != clientPort(opener):
			a.ignore(fs, e, &discardWrongPort, fmt.Sprintf("sent to UDP port %d, not to port %d, which the client sent from", e.dstPort, clientPort(opener)))
			continue
		case m.RelayHops == 0 && opener.Source.IsValid() && e.Dest.IsValid() && e.Dest != opener.Source:
			a.ignore(fs, e, &discardWrongAddress, fmt.Sprintf("sent to %s, not to %s, the address the client sent from", e.Dest, opener.Source))
			continue
		}
		if why != nil {
			a.ignore(fs, e, why, "")
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
			case !m.RapidCommit && e.cut == "":
				a.ignore(fs, e, &discardReplyNoRapidCommit, "")
			case !opener.DHCP.RapidCommit:
				a.ignore(fs, e, &discardUnrequestedRapidCommit, "")
			default:
				x.replies = append(x.replies, e)
			}
		case m.Type == dhcpv6.MessageTypeReply:
			x.replies = append(x.replies, e)
		default:
			// An Advertise to a Request, or a message a server never sends
			// in answer: out of sequence (RFC 8415 §16, §18.2).
			a.ignore(fs, e, &discardOutOfSequence, fmt.Sprintf("%s answers a %s", m.Type, opener.DHCP.Type))
		}
	}
	return x
}

// clientPort is the UDP port the client sent its message from: the answer
// must go back to it (546 unless the client is odd, RFC 8415 §7.2).
func clientPort(opener *Event) uint16 {
	if opener.srcPort == 0 {
		return capture.PortDHCPv6Client
	}
	return opener.srcPort
}

// discard is a reason a client drops a server message, with the finding
// it leads to.
type discard struct {
	id, reason, rfc string
}

var (
	discardNoClientID             = discard{"dhcpv6-missing-client-id", "no Client ID", "RFC 8415 §16"}
	discardForeignClientID        = discard{"dhcpv6-foreign-client-id", "Client ID is not the client's", "RFC 8415 §16"}
	discardWrongXID               = discard{"dhcpv6-wrong-transaction-id", "transaction id matches no message the client sent", "RFC 8415 §16"}
	discardNoServerID             = discard{"dhcpv6-missing-server-id", "no Server ID", "RFC 8415 §16"}
	discardMalformed              = discard{"dhcpv6-malformed", "malformed", "RFC 8415 §16"}
	discardWrongPort              = discard{"dhcpv6-wrong-port", "sent to the wrong UDP port", "RFC 8415 §7.2"}
	discardWrongAddress           = discard{"dhcpv6-wrong-address", "sent to the wrong address", "RFC 8415 §18.3"}
	discardReplyNoRapidCommit     = discard{"dhcpv6-reply-without-rapid-commit", "Reply to a Solicit without Rapid Commit", "RFC 8415 §18.2.1"}
	discardUnrequestedRapidCommit = discard{"dhcpv6-unrequested-rapid-commit", "Rapid Commit Reply to a Solicit that did not ask for Rapid Commit", "RFC 8415 §18.2.1"}
	discardOutOfSequence          = discard{"dhcpv6-sequence-out-of-order", "out of sequence", "RFC 8415 §16"}
)

// ignore marks e as discarded for why (detail, when given, replaces the
// generic reason) and records the finding. A malformed message already has
// its own finding from Add.
func (a *Analyzer) ignore(fs *findingSet, e *Event, why *discard, detail string) {
	reason := why.reason
	if detail != "" {
		reason = detail
	}
	if why == &discardMalformed {
		reason = "malformed: " + e.malformed
	}
	e.Ignored = reason
	if why == &discardMalformed {
		return
	}
	fs.add(Finding{
		ID: why.id, Severity: SeverityWarn,
		Summary: fmt.Sprintf("%s from %s was ignored: %s.", e.Kind, e.Source, reason),
		ForISP:  fmt.Sprintf("Please check the DHCPv6 server: clients must discard such messages (%s).", why.rfc),
		RFC:     why.rfc, Frames: []int{e.Frame},
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
		if m == nil || len(m.ClientID) == 0 || e.Direction != DirectionOut || !m.Type.IsClientMessage() {
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

// leases collects what the servers gave: confirmed by Replies, or, in a
// Solicit-only run (offers), offered by Advertises. Outside such a run an
// Advertise delegates nothing until a Reply confirms it: a client that
// never sends the Request holds no prefix (CodeOfferNotTaken).
func leases(x *exchange, offers bool) (prefixes, addresses []Lease, dns []netip.Addr) {
	source := x.replies
	confirmed := true
	if offers && len(x.replies) == 0 && len(x.requests) == 0 {
		source, confirmed = x.advertises, false
	}
	seenP := map[netip.Prefix]bool{}
	for _, e := range source {
		m := e.DHCP
		if !processed(m) {
			continue
		}
		for _, ia := range m.IAPD {
			if !usableIA(ia) {
				continue
			}
			for _, p := range ia.Prefixes {
				if !usablePrefix(p) || seenP[p.Prefix] {
					continue
				}
				seenP[p.Prefix] = true
				prefixes = append(prefixes, Lease{Prefix: p.Prefix, IAID: ia.IAID, T1: ia.T1, T2: ia.T2,
					PreferredLifetime: p.PreferredLifetime, ValidLifetime: p.ValidLifetime, Confirmed: confirmed, Frame: e.Frame})
			}
		}
		for _, ia := range append(slices.Clone(m.IANA), m.IATA...) {
			if !usableIA(ia) {
				continue
			}
			for _, ad := range ia.Addresses {
				p := netip.PrefixFrom(ad.Address, 128)
				if !usableAddress(ad) || seenP[p] {
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

// usableIA reports whether a client keeps an IA_NA or IA_PD: not one with
// an error status, nor one with T1 > T2 > 0, which RFC 8415 §21.4 and
// §21.21 tell the client to discard.
func usableIA(ia dhcpv6.IA) bool {
	return okStatus(ia.Status) && !(ia.T1 > 0 && ia.T2 > 0 && ia.T1 > ia.T2)
}

// usablePrefix reports whether a client uses a delegated prefix: no error
// status, a valid lifetime, and a preferred lifetime no longer than the
// valid one (RFC 8415 §21.22: the client discards it otherwise).
func usablePrefix(p dhcpv6.IAPrefix) bool {
	return okStatus(p.Status) && p.ValidLifetime > 0 && p.PreferredLifetime <= p.ValidLifetime && p.Prefix.IsValid()
}

// usableAddress is usablePrefix for an IA Address (RFC 8415 §21.6).
func usableAddress(ad dhcpv6.IAAddress) bool {
	return okStatus(ad.Status) && ad.ValidLifetime > 0 && ad.PreferredLifetime <= ad.ValidLifetime
}

func okStatus(s *dhcpv6.Status) bool { return s == nil || s.Code == dhcpv6.StatusSuccess }

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
	sortInts(out)
	if len(out) > maxProblemFrames {
		out = out[:maxProblemFrames]
	}
	return out
}
