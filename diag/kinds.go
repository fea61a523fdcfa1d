package diag

import (
	"fmt"
	"slices"
	"strings"

	"github.com/v6diag/v6diag/dhcpv6"
)

// Every RFC 8415 message kind read in its context, beyond the Solicit →
// Advertise → Request → Reply exchange and the Release that the other
// checks judge: Renew, Rebind and Confirm (a client that holds a lease),
// Decline, Information-request (stateless DHCPv6), Reconfigure; and the
// kinds of later RFCs (Leasequery, DHCPv4-over-DHCPv6, failover), named.

// kindChecks derives the findings about those kinds.
func (a *Analyzer) kindChecks(r *Result, x *exchange) []Finding {
	fs := &findingSet{}
	a.renewalChecks(x, fs.add)
	for _, e := range x.declines {
		var addrs []string
		for _, ia := range append(slices.Clone(e.DHCP.IANA), e.DHCP.IATA...) {
			for _, ad := range ia.Addresses {
				addrs = append(addrs, ad.Address.String())
			}
		}
		fs.add(Finding{ID: "dhcpv6-decline", Severity: SeverityWarn, RFC: "RFC 8415 §18.2.8", Frames: []int{e.Frame},
			Summary: fmt.Sprintf("The client declined %s (Decline, frame %d): duplicate address detection found another node using it, so the server handed out an address that is taken.", orNone(addrs, "an address"), e.Frame),
			ForISP:  fmt.Sprintf("Please check the address pool for this line: the client declined %s because another node on the link already uses it.", orNone(addrs, "the address it was given"))})
	}
	if c := x.client; !a.facts.Live && !c.AskedIAPD && askedKnown(x) && !x.serverOnly {
		fs.add(Finding{ID: "dhcpv6-no-prefix-asked", Severity: SeverityInfo, RFC: "RFC 8415 §18.2.1", Frames: frames(append(append(append(slices.Clone(x.solicits), x.requests...), x.renews...), x.informs...)),
			Summary: fmt.Sprintf("The client asked for %s and no delegated prefix (no IA_PD): it is judged on what it asked for, and this capture says nothing about prefix delegation. A router needs IA_PD for its LAN (netifd's reqprefix).", askedText(c))})
	}
	a.informationChecks(r, x, fs.add)
	a.reconfigureChecks(x, fs.add)
	a.otherKinds(fs.add)
	return fs.list
}

func orNone(list []string, none string) string {
	if len(list) == 0 {
		return none
	}
	return strings.Join(list, ", ")
}

// answerTo returns the valid Reply to the client message e, or nil.
func answerTo(x *exchange, e *Event) *Event {
	for _, rep := range x.replies {
		if rep.DHCP.TransactionID == e.DHCP.TransactionID {
			return rep
		}
	}
	return nil
}

// renewalChecks reads the client's Renew, Rebind and Confirm messages: a
// client holding a lease renews it at T1 with its server (RFC 8415
// §18.2.4), rebinds with any server at T2 when that got no answer
// (§18.2.5), and confirms its addresses after a link change (§18.2.3).
func (a *Analyzer) renewalChecks(x *exchange, add func(Finding)) {
	seen := map[dhcpv6.TransactionID]bool{}
	var unanswered []*Event
	for _, e := range x.renews {
		m := e.DHCP
		if seen[m.TransactionID] {
			continue
		}
		seen[m.TransactionID] = true
		rep := answerTo(x, e)
		if m.Type == dhcpv6.MessageTypeConfirm {
			f := Finding{ID: "dhcpv6-confirm", Severity: SeverityInfo, RFC: "RFC 8415 §18.2.3", Frames: []int{e.Frame},
				Summary: fmt.Sprintf("The client sent a Confirm (frame %d), asking whether the addresses it holds still belong to this link (after a reboot or a link change); it got no Reply, so it keeps using them.", e.Frame)}
			if rep != nil {
				f.Frames = append(f.Frames, rep.Frame)
				if st := rep.DHCP.Status; st != nil && st.Code != dhcpv6.StatusSuccess {
					f.Summary = fmt.Sprintf("The client sent a Confirm (frame %d), asking whether its addresses still belong to this link; the Reply (frame %d) says %s: %s.", e.Frame, rep.Frame, statusText(st), meaningOf(st).means)
				} else {
					f.Summary = fmt.Sprintf("The client sent a Confirm (frame %d), asking whether its addresses still belong to this link; the Reply (frame %d) says they do.", e.Frame, rep.Frame)
				}
			}
			add(f)
			continue
		}
		if m.Type == dhcpv6.MessageTypeRebind {
			f := Finding{ID: "dhcpv6-rebind", Severity: SeverityInfo, RFC: "RFC 8415 §18.2.5", Frames: []int{e.Frame},
				Summary: fmt.Sprintf("The client sent a Rebind (frame %d): a client rebinds, asking any server, when its Renews to the server that gave the lease went unanswered until T2.", e.Frame)}
			if rep != nil {
				f.Frames = append(f.Frames, rep.Frame)
				f.Summary += fmt.Sprintf(" Server %s answered it (frame %d).", rep.DHCP.ServerID, rep.Frame)
			}
			add(f)
		}
		if rep == nil {
			if !a.lostToCut(lastTransmission(x, e)) {
				unanswered = append(unanswered, e)
			}
			continue
		}
		add(Finding{ID: "dhcpv6-renewed", Severity: SeverityPass, RFC: "RFC 8415 §18.2.10", Frames: []int{e.Frame, rep.Frame},
			Summary: fmt.Sprintf("The %s (frame %d) got a Reply (frame %d)%s.", m.Type, e.Frame, rep.Frame, renewedText(rep.DHCP))})
	}
	if len(unanswered) > 0 {
		var kinds []string
		for _, e := range unanswered {
			if k := string(e.Kind); !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
		add(Finding{ID: "dhcpv6-renew-unanswered", Severity: SeverityWarn, RFC: "RFC 8415 §18.2.4", Frames: frames(unanswered),
			Summary: fmt.Sprintf("The client's %s (frame %d) got no Reply: it keeps its lease until the valid lifetime ends and then loses the prefix. A Renew sent to the server's unicast address (Server Unicast) may be dropped on the way; netifd's noserverunicast makes odhcp6c use multicast.",
				strings.Join(kinds, " and "), unanswered[0].Frame),
			ForISP: "Please check that the DHCPv6 server answers Renew and Rebind messages from this client: they got no Reply."})
	}
}

// lastTransmission is the last message the client sent in e's
// transaction.
func lastTransmission(x *exchange, e *Event) *Event {
	last := e
	for _, list := range [][]*Event{x.solicits, x.requests, x.renews, x.releases, x.informs, x.declines} {
		for _, o := range list {
			if o.DHCP.TransactionID == e.DHCP.TransactionID && o.Frame > last.Frame {
				last = o
			}
		}
	}
	return last
}

// renewedText says what a Reply to a Renew or Rebind carries.
func renewedText(m *dhcpv6.Message) string {
	var parts []string
	for _, ia := range m.IAPD {
		for _, p := range ia.Prefixes {
			parts = append(parts, fmt.Sprintf("prefix %s valid %s", p.Prefix, p.ValidLifetime))
		}
	}
	for _, ia := range append(slices.Clone(m.IANA), m.IATA...) {
		for _, ad := range ia.Addresses {
			parts = append(parts, fmt.Sprintf("address %s valid %s", ad.Address, ad.ValidLifetime))
		}
	}
	for st := range allStatuses(m, m.IANA, m.IATA, m.IAPD) {
		if st.Code != dhcpv6.StatusSuccess {
			parts = append(parts, "status "+statusText(st))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, "; ")
}

// informationChecks reads a stateless client (RFC 8415 §18.2.6): it asks
// for configuration only, as routers with M=0 and O=1 tell it to.
func (a *Analyzer) informationChecks(r *Result, x *exchange, add func(Finding)) {
	if len(x.informs) == 0 {
		return
	}
	managed, other := false, false
	for _, rt := range r.Routers {
		managed, other = managed || rt.Managed, other || rt.Other
	}
	flags := ""
	switch {
	case len(r.Routers) > 0 && !managed && other:
		flags = " as the routers ask (M=0, O=1)"
	case managed:
		flags = "; the routers say M=1, so addresses and prefixes come from DHCPv6 too, which this client does not ask for"
	}
	var answered []*Event
	for _, e := range x.informs {
		if rep := answerTo(x, e); rep != nil {
			answered = append(answered, e, rep)
		}
	}
	if len(answered) > 0 {
		rep := answered[1]
		add(Finding{ID: "dhcpv6-information-reply", Severity: SeverityPass, RFC: "RFC 8415 §18.2.6", Frames: frames(answered),
			Summary: fmt.Sprintf("The client asked for configuration only (Information-request, frame %d: stateless DHCPv6%s), and the Reply (frame %d) answered%s.",
				answered[0].Frame, flags, rep.Frame, dnsText(rep.DHCP.DNSServers))})
		return
	}
	if len(x.solicits) > 0 || a.lostToCut(x.informs[len(x.informs)-1]) {
		return
	}
	add(Finding{ID: "dhcpv6-no-reply", Severity: SeverityFail, RFC: "RFC 8415 §18.2.6", Frames: frames(x.informs),
		Summary: fmt.Sprintf("%d Information-requests went out over %s (stateless DHCPv6%s) and no DHCPv6 server answered.", len(x.informs), span(x.informs), flags),
		ForISP: fmt.Sprintf("Please check the DHCPv6 server or relay for this port: %d Information-requests from %s (DUID %s) got no Reply.",
			len(x.informs), clientWhere(x.client), x.client.DUID)})
}

// reconfigureChecks reads the server's Reconfigures (RFC 8415 §18.3.11):
// a client acts on one only when it is unicast to it, names the message
// to send (Renew, Rebind or Information-request) and is signed with the
// Reconfigure Key a Reply gave it (§18.2.11, §20.4); else it discards it.
func (a *Analyzer) reconfigureChecks(x *exchange, add func(Finding)) {
	if len(x.reconfigures) == 0 {
		return
	}
	keyFrame := 0
	for _, e := range x.replies {
		if e.DHCP.Authentication.ReconfigureKeyType() == dhcpv6.ReconfigureKeyValue {
			keyFrame = e.Frame
			break
		}
	}
	accepted := false
	for _, list := range [][]*Event{x.solicits, x.requests, x.renews} {
		for _, e := range list {
			accepted = accepted || e.DHCP.ReconfigureAccept
		}
	}
	for _, e := range x.reconfigures {
		m := e.DHCP
		var faults []string
		want := m.ReconfigureMessage
		switch want {
		case dhcpv6.MessageTypeRenew, dhcpv6.MessageTypeRebind, dhcpv6.MessageTypeInformationRequest:
		case 0:
			faults = append(faults, "it names no message to send (no Reconfigure Message option)")
		default:
			faults = append(faults, fmt.Sprintf("it asks for a %s, which a Reconfigure may not", want))
		}
		if want == dhcpv6.MessageTypeInformationRequest && len(m.IANA)+len(m.IATA)+len(m.IAPD) > 0 {
			faults = append(faults, "it asks for an Information-request yet carries IA options")
		}
		if m.Authentication.ReconfigureKeyType() != dhcpv6.ReconfigureKeyHMAC {
			faults = append(faults, "it is not signed with the Reconfigure Key (no Authentication option of protocol 3)")
		}
		if e.Dest.IsMulticast() {
			faults = append(faults, fmt.Sprintf("it was sent to the multicast address %s, not unicast to the client", e.Dest))
		}
		if len(m.ServerID) == 0 {
			faults = append(faults, "it has no Server ID")
		}
		if len(faults) > 0 {
			e.Ignored = "invalid Reconfigure: " + faults[0]
			add(Finding{ID: "dhcpv6-reconfigure-invalid", Severity: SeverityWarn, RFC: "RFC 8415 §16.11", Frames: []int{e.Frame},
				Summary: fmt.Sprintf("The server sent a Reconfigure (frame %d) that clients discard: %s.", e.Frame, strings.Join(faults, "; ")),
				ForISP:  "Please check the DHCPv6 server's Reconfigure messages: RFC 8415 §16.11 and §18.2.11 make clients discard them as sent."})
			continue
		}
		s := fmt.Sprintf("The server sent a Reconfigure (frame %d), asking the client to send a %s now instead of waiting for its timers.", e.Frame, want)
		fr := []int{e.Frame}
		if ans := reconfigureAnswer(x, e); ans != nil {
			s += fmt.Sprintf(" The client answered with a %s (frame %d).", ans.Kind, ans.Frame)
			fr = append(fr, ans.Frame)
		} else {
			why := []string{}
			if !accepted {
				why = append(why, "its messages carry no Reconfigure Accept")
			}
			if keyFrame == 0 {
				why = append(why, "no Reply in the capture handed it a Reconfigure Key")
			}
			s += " The client did not answer it"
			if len(why) > 0 {
				s += ": " + strings.Join(why, ", and ")
			}
			s += "."
		}
		if keyFrame > 0 {
			s += fmt.Sprintf(" The Reconfigure Key came in the Reply of frame %d.", keyFrame)
			fr = append(fr, keyFrame)
		}
		add(Finding{ID: "dhcpv6-reconfigure", Severity: SeverityInfo, RFC: "RFC 8415 §18.2.11", Frames: mergeFrames(fr), Summary: s})
	}
}

// reconfigureAnswer is the client's message of the kind a Reconfigure
// asked for, sent after it.
func reconfigureAnswer(x *exchange, e *Event) *Event {
	for _, list := range [][]*Event{x.renews, x.informs} {
		for _, o := range list {
			if o.Frame > e.Frame && o.DHCP.Type == e.DHCP.ReconfigureMessage {
				return o
			}
		}
	}
	return nil
}

// otherKinds names the messages of later RFCs (and unassigned numbers):
// they are not part of a client's configuration, so they are named and
// left out of the judgment.
func (a *Analyzer) otherKinds(add func(Finding)) {
	type kind struct {
		t      dhcpv6.MessageType
		frames []int
		n      int
	}
	var kinds []*kind
	for i := range a.events {
		m := a.events[i].DHCP
		if m == nil || a.events[i].copyOf > 0 || m.Type.IsClientMessage() || m.Type.IsServerMessage() {
			continue
		}
		j := slices.IndexFunc(kinds, func(k *kind) bool { return k.t == m.Type })
		if j < 0 {
			j = len(kinds)
			kinds = append(kinds, &kind{t: m.Type})
		}
		kinds[j].n++
		if len(kinds[j].frames) < maxProblemFrames {
			kinds[j].frames = append(kinds[j].frames, a.events[i].Frame)
		}
	}
	if len(kinds) == 0 {
		return
	}
	var parts, rfcs []string
	var all []int
	for _, k := range kinds {
		rfc, what := k.t.Spec()
		if rfc == "" {
			parts = append(parts, fmt.Sprintf("%s (%s, which no RFC defines)", plural(k.n, "message"), k.t))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%s: %s)", plural(k.n, k.t.String()), rfc, what))
			if !slices.Contains(rfcs, rfc) {
				rfcs = append(rfcs, rfc)
			}
		}
		all = append(all, k.frames...)
	}
	rfc := strings.Join(rfcs, "; ")
	if rfc == "" {
		rfc = "RFC 8415 §7.3"
	}
	add(Finding{ID: "dhcpv6-other-messages", Severity: SeverityInfo, RFC: rfc, Frames: mergeFrames(all),
		Summary: fmt.Sprintf("The capture holds DHCPv6 messages that are not part of a client's configuration: %s. They are named here and left out of the judgment.", strings.Join(parts, "; "))})
}
