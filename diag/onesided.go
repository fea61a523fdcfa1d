package diag

import (
	"fmt"
	"slices"
	"strings"

	"github.com/v6diag/v6diag/dhcpv6"
)

// A capture may hold one side of the DHCPv6 conversation only: taken
// upstream of the client, or filtered one way (tcpdump 'src port 547').
// What the messages there prove is still reported — a server's Reply
// delegates what it delegates, with its lifetimes, Server Unicast and DNS
// — but what the missing side would show is not read as a failure.

// clientNamedByServers picks the client of a capture whose client
// messages name none (there are none, or the capture cut their Client
// ID off): the Client ID the servers' Advertises and Replies name most,
// the first seen on ties. serverOnly is set when the capture holds no
// client message at all. It returns nil when no server names a client.
func (a *Analyzer) clientNamedByServers() (duid dhcpv6.DUID, serverOnly bool) {
	serverOnly = true
	for i := range a.events {
		e := &a.events[i]
		if e.DHCP != nil && e.DHCP.Type.IsClientMessage() {
			serverOnly = false
		}
	}
	count := map[string]int{}
	var best dhcpv6.DUID
	for i := range a.events {
		m := a.events[i].DHCP
		if m == nil || len(m.ClientID) == 0 || (m.Type != dhcpv6.MessageTypeAdvertise && m.Type != dhcpv6.MessageTypeReply) {
			continue
		}
		count[string(m.ClientID)]++
		if best == nil || count[string(m.ClientID)] > count[string(best)] {
			best = m.ClientID
		}
	}
	return best, serverOnly && best != nil
}

// cutClientMessage reports whether e is a client message whose Client ID
// the capture cut off, in a transaction a server's message to subject
// answers: it is the subject's (damage.go).
func (a *Analyzer) cutClientMessage(e *Event, subject dhcpv6.DUID) bool {
	if e.cut == "" || len(e.DHCP.ClientID) > 0 {
		return false
	}
	for i := range a.events {
		m := a.events[i].DHCP
		if m != nil && a.events[i].Direction == DirectionIn && m.TransactionID == e.DHCP.TransactionID && sameDUID(m.ClientID, subject) {
			return true
		}
	}
	return false
}

// acceptOneSided sorts a server message of a server-only capture, which
// has no client message to answer: it is judged on its own. A Reply that
// carries the transaction id of an Advertise answers a Solicit (RFC 8415
// §18.2.1 allows that only with Rapid Commit, which it lacks) — or a
// Request that reused the Solicit's id, which §16 forbids: either way a
// client discards it.
func (a *Analyzer) acceptOneSided(fs *findingSet, x *exchange, e *Event) {
	m := e.DHCP
	switch {
	case e.malformed != "":
		a.ignore(fs, e, &discardMalformed, "")
		return
	case len(m.ServerID) == 0 && e.cut == "":
		a.ignore(fs, e, &discardNoServerID, "")
		return
	}
	switch m.Type {
	case dhcpv6.MessageTypeAdvertise:
		x.advertises = append(x.advertises, e)
	case dhcpv6.MessageTypeReply:
		for _, ad := range x.advertises {
			if ad.DHCP.TransactionID == m.TransactionID && !m.RapidCommit && e.cut == "" {
				a.ignore(fs, e, &discardReplyNoRapidCommit, fmt.Sprintf(
					"it carries the transaction id %s of the Advertise in frame %d, so it answers the Solicit, without Rapid Commit (or a Request that reused the Solicit's transaction id)",
					e.TransactionID, ad.Frame))
				return
			}
		}
		x.replies = append(x.replies, e)
	}
}

// clientOnlyEvidence returns the client's messages that prove a server
// answered it before (a Request names the server whose Advertise it
// takes; Renew, Rebind, Confirm, Release and Decline speak of a lease a
// Reply gave), when the capture holds no server message at all: then the
// server's side is missing from the file, and the missing answers prove
// nothing. It returns nil otherwise.
func (a *Analyzer) clientOnlyEvidence(x *exchange) []*Event {
	if a.facts.Live || x.serverOnly {
		return nil
	}
	for i := range a.events {
		if a.events[i].DHCP != nil && a.events[i].Direction == DirectionIn {
			return nil
		}
	}
	var proof []*Event
	for _, list := range [][]*Event{x.requests, x.renews, x.releases, x.declines} {
		proof = append(proof, list...)
	}
	slices.SortFunc(proof, func(p, q *Event) int { return p.Frame - q.Frame })
	return proof
}

// oneSidedFindings says which side a one-sided capture lacks, and takes
// out the failures that would rest on the missing side.
func (a *Analyzer) oneSidedFindings(r *Result, x *exchange, fs []Finding) []Finding {
	if proof := a.clientOnlyEvidence(x); len(proof) > 0 {
		fs = withoutFindings(fs, "dhcpv6-request-unanswered", "dhcpv6-no-reply", "dhcpv6-release-unanswered",
			"dhcpv6-renew-unanswered", "dhcpv6-sequence-out-of-order")
		return append(fs, Finding{ID: "capture-client-side-only", Severity: SeverityWarn, RFC: "RFC 8415 §18.2.2", Frames: frames(proof),
			Summary: fmt.Sprintf("The capture holds only the client's DHCPv6 messages: its %s (frame %d) follows an answer from a server that is not in the file, and no server message is. The capture was filtered to one direction, or taken where the answers do not pass; that the client's messages look unanswered proves nothing. Capture both directions (tcpdump -i WAN icmp6 or port 546 or port 547).",
				proof[0].Kind, proof[0].Frame)})
	}
	if !x.serverOnly {
		return fs
	}
	var what []string
	if n := len(x.advertises); n > 0 {
		what = append(what, plural(n, "Advertise"))
	}
	if n := len(x.replies); n > 0 {
		what = append(what, plural(n, "Reply"))
	}
	if n := len(x.reconfigures); n > 0 {
		what = append(what, plural(n, "Reconfigure"))
	}
	var all []int
	for _, list := range [][]*Event{x.advertises, x.replies, x.reconfigures} {
		all = append(all, frames(list)...)
	}
	return append(fs, Finding{ID: "capture-server-side-only", Severity: SeverityWarn, RFC: "RFC 8415 §16", Frames: mergeFrames(all),
		Summary: fmt.Sprintf("The capture holds only the servers' DHCPv6 messages (%s to client DUID %s), none of the client's: it was filtered to one direction, or taken upstream of the client. What the servers' messages prove is reported; what the client asked for and whether it took the offer cannot be told.",
			strings.Join(what, ", "), x.client.DUID)})
}

// withoutFindings drops the findings with the given ids.
func withoutFindings(fs []Finding, ids ...string) []Finding {
	return slices.DeleteFunc(fs, func(f Finding) bool { return slices.Contains(ids, f.ID) })
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
