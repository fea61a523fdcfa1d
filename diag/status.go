package diag

import (
	"fmt"

	"github.com/v6diag/v6diag/dhcpv6"
)

// statusMeaning is what a Status Code (RFC 8415 §21.13) means for the
// user, and who must act on it. The wording lives here once: the
// findings, the verdict and the ISP paragraph all use it.
type statusMeaning struct {
	// id is the finding a status gets where no finding of its own speaks
	// of it (NoAddrsAvail and NoPrefixAvail have theirs, checks_dhcpv6.go).
	id string
	// means is one sentence: what the server says, and what follows.
	means string
	// who must act when the status decides the verdict.
	who Party
	// forISP is the request to the ISP, "" when the client recovers by
	// itself.
	forISP   string
	severity Severity
	rfc      string
}

// meaningOf returns what st means; an unknown code gets a generic
// reading.
func meaningOf(st *dhcpv6.Status) statusMeaning {
	switch st.Code {
	case dhcpv6.StatusUnspecFail:
		return statusMeaning{id: "dhcpv6-status-unspec-fail", severity: SeverityWarn, who: PartyISP, rfc: "RFC 8415 §21.13",
			means:  "the server failed for a reason it does not name; the client retries, and nothing on the router can change it",
			forISP: "Please check the DHCPv6 server's logs for this client: it answers UnspecFail, a failure it does not name."}
	case dhcpv6.StatusNoAddrsAvail:
		return statusMeaning{severity: SeverityInfo, who: PartyISP, rfc: "RFC 8415 §21.13",
			means: "the server has no address for this client's IA_NA; a router that needs only a delegated prefix can do without (netifd's reqaddress 'try' or 'none')"}
	case dhcpv6.StatusNoBinding:
		return statusMeaning{id: "dhcpv6-status-no-binding", severity: SeverityWarn, who: PartyISP, rfc: "RFC 8415 §18.3.4",
			means:  "the server holds no lease for this IA (it forgot it, or never gave it); the client must start over with a Solicit, which odhcp6c does by itself, so it matters only when it comes back at every renewal",
			forISP: "Please check the DHCPv6 server's lease store: it answers NoBinding for a lease the client holds, so the client loses its prefix at renewal."}
	case dhcpv6.StatusNotOnLink:
		return statusMeaning{id: "dhcpv6-status-not-on-link", severity: SeverityInfo, who: PartyNobody, rfc: "RFC 8415 §18.3.3",
			means:  "the addresses or prefixes the client names do not belong to this link (it moved, or the server's idea of the link changed); the client must drop them and start over with a Solicit, which it does by itself",
			forISP: "Please check that the DHCPv6 server places this line on the link its leases belong to: it answers NotOnLink."}
	case dhcpv6.StatusUseMulticast:
		return statusMeaning{id: "dhcpv6-status-use-multicast", severity: SeverityInfo, who: PartyNobody, rfc: "RFC 8415 §18.3.1",
			means: "the server will not take this message by unicast; the client must send it again to ff02::1:2, which it does by itself (netifd's noserverunicast stops odhcp6c from unicasting at all)"}
	case dhcpv6.StatusNoPrefixAvail:
		return statusMeaning{severity: SeverityFail, who: PartyISP, rfc: "RFC 8415 §21.13",
			means:  "the server has no prefix to delegate to this line",
			forISP: "Please check the prefix pool and the provisioning of this line: the server answers NoPrefixAvail."}
	}
	return statusMeaning{severity: SeverityWarn, who: PartyISP, rfc: "RFC 8415 §21.13",
		means: fmt.Sprintf("the server sent status %d, which RFC 8415 does not define", st.Code)}
}

// statusChecks gives every status code in the answers of the exchange
// that no other finding speaks of (NoAddrsAvail and NoPrefixAvail have
// their own) a finding of its own: what it means for the user, and who
// must act. Each code gets one finding citing every frame that carries it.
func (a *Analyzer) statusChecks(x *exchange) []Finding {
	fs := &findingSet{}
	for _, e := range a.answersToClient(x) {
		m := e.DHCP
		for st := range allStatuses(m, m.IANA, m.IATA, m.IAPD) {
			mean := meaningOf(st)
			if st.Code == dhcpv6.StatusSuccess || mean.id == "" {
				continue
			}
			fs.add(Finding{ID: mean.id, Severity: mean.severity, RFC: mean.rfc, Frames: []int{e.Frame}, ForISP: mean.forISP,
				Summary: fmt.Sprintf("Status %s in a %s: %s.", st.Name(), answersWhat(x, e), mean.means)})
		}
	}
	return fs.list
}

// answersToClient are the server messages of the exchange a client keeps:
// Advertises, Replies (Release's too) and Reconfigures.
func (a *Analyzer) answersToClient(x *exchange) []*Event {
	out := append(append(append([]*Event{}, x.advertises...), x.replies...), x.releaseRep...)
	return append(out, x.reconfigures...)
}

// answersWhat names a server message by what it answers: "Reply to a
// Renew".
func answersWhat(x *exchange, e *Event) string {
	if o := x.xids[e.DHCP.TransactionID]; o != nil && o.DHCP != nil && o.DHCP.Type != e.DHCP.Type {
		return fmt.Sprintf("%s to a %s", e.DHCP.Type, o.DHCP.Type)
	}
	return e.DHCP.Type.String()
}
