package diag

import (
	"fmt"
	"slices"
	"strings"

	"github.com/v6diag/v6diag/firewall"
)

// CodeFirewallDropsDHCPv6: a DHCPv6 server answered, but the router's own
// firewall drops the answers before its DHCPv6 client (odhcp6c) sees them;
// v6diag's raw socket sees them before the firewall does. In precedence it
// follows CodeNoDHCPv6Reply: every later code speaks of what the server's
// answers held, which the router never gets.
const CodeFirewallDropsDHCPv6 Code = "firewall-drops-dhcpv6"

// firewallJudgement is what the router's firewall does with each answer
// the client under diagnosis got.
type firewallJudgement struct {
	findings []Finding
	// blocked are the answers the firewall drops; blockedAll says that
	// every Advertise, or every Reply, is among them: the router's client
	// then cannot get what the verdict would say it got.
	blocked    []*Event
	blockedAll bool
}

// judgeFirewall walks every valid Advertise and Reply through the router's
// firewall (read on a live run, Facts.Firewall) and makes the findings:
// firewall-drops-dhcpv6 per deciding rule, firewall-accepts-dhcpv6,
// firewall-unknown where the ruleset cannot be followed, and
// firewall-not-read when nothing could be read. Without Facts.Firewall
// (analyze) it says nothing.
func (a *Analyzer) judgeFirewall(x *exchange) firewallJudgement {
	fw := a.facts.Firewall
	var j firewallJudgement
	a.firewallBlocked = nil
	answers := append(slices.Clone(x.advertises), x.replies...)
	if fw == nil || len(answers) == 0 {
		return j
	}
	if fw.Empty() {
		j.findings = append(j.findings, Finding{ID: "firewall-not-read", Severity: SeverityInfo,
			Summary: fmt.Sprintf("The router's firewall could not be read (%s), so whether it lets the server's answers through to odhcp6c is not judged.", strings.Join(fw.Notes, "; "))})
		return j
	}
	type group struct {
		d      firewall.Decision
		events []*Event
	}
	var groups []*group
	for _, e := range answers {
		d := fw.Judge(firewall.Packet{Source: e.Source, Destination: e.Dest, SourcePort: e.srcPort, DestinationPort: e.dstPort,
			Interface: a.facts.Interface, Established: a.established(x, e)})
		i := slices.IndexFunc(groups, func(g *group) bool { return g.d == d })
		if i < 0 {
			groups = append(groups, &group{d: d})
			i = len(groups) - 1
		}
		groups[i].events = append(groups[i].events, e)
		if d.Blocks() {
			j.blocked = append(j.blocked, e)
			if a.firewallBlocked == nil {
				a.firewallBlocked = map[int]bool{}
			}
			a.firewallBlocked[e.Frame] = true
		}
	}
	for _, g := range groups {
		fs := frames(g.events)
		what := answerKinds(g.events)
		switch {
		case g.d.Blocks():
			missed := ""
			if g.d.Missed != "" {
				missed = fmt.Sprintf(" The rule meant to let them in does not match: %s.", g.d.Missed)
			}
			s := fmt.Sprintf("The router's firewall %s the DHCPv6 server's %s (frames %s, from %s to UDP port %d) before odhcp6c sees them: %s decides (%s).%s v6diag's raw socket sees them ahead of the firewall; the router's own client does not. Let UDP port 546 in from any source on the WAN zone: remove src_ip and dest_ip from the Allow-DHCPv6 rule in /etc/config/firewall (OpenWrt ships it so since 22.03), then run /etc/init.d/firewall reload.",
				verb(g.d.Outcome), what, frameList(fs), sources(g.events), g.events[0].dstPort, g.d.Rule, g.d.Where, missed)
			j.findings = append(j.findings, Finding{ID: "firewall-drops-dhcpv6", Severity: SeverityFail, RFC: "RFC 8415 §18.3, §19.2", Frames: fs, Summary: s})
		case g.d.Outcome == firewall.Accepted:
			j.findings = append(j.findings, Finding{ID: "firewall-accepts-dhcpv6", Severity: SeverityPass, Frames: fs,
				Summary: fmt.Sprintf("The router's firewall lets the server's %s (frames %s) through to odhcp6c: %s (%s).", what, frameList(fs), g.d.Rule, g.d.Where)})
		default:
			j.findings = append(j.findings, Finding{ID: "firewall-unknown", Severity: SeverityInfo, Frames: fs,
				Summary: fmt.Sprintf("v6diag cannot tell whether the router's firewall lets the server's %s (frames %s) through to odhcp6c: %s.", what, frameList(fs), g.d.Reason)})
		}
	}
	all := func(es []*Event) bool {
		return len(es) > 0 && !slices.ContainsFunc(es, func(e *Event) bool { return !slices.Contains(j.blocked, e) })
	}
	j.blockedAll = all(x.advertises) || all(x.replies)
	return j
}

// apply speaks for the router when its firewall keeps the answers from
// its client: the verdict no longer says what the answers gave the router,
// and the router client's account (routerclient.go, which already counts
// the blocked answers as never reaching odhcp6c's socket) says why nothing
// reached it.
func (j firewallJudgement) apply(r *Result) {
	if !j.blockedAll {
		return
	}
	why := fmt.Sprintf("the server did answer (frames %s), but the router's own firewall drops the answers before odhcp6c sees them", frameList(frames(j.blocked)))
	if rc := r.RouterClient; rc != nil {
		rc.Explanation = strings.TrimSuffix(rc.Explanation, ".") + "; " + why + "."
	}
	heard := []Code{CodeOK, CodeConfigBlocksPrefix, CodeNoPrefixOffered, CodeOfferNotTaken, CodeRequestUnanswered, CodeReplyRefused, CodePrefixSmallerThanRequested}
	if !slices.Contains(heard, r.Verdict.Code) {
		return
	}
	r.Verdict = Verdict{Code: CodeFirewallDropsDHCPv6, WhoMustAct: PartyUser,
		Summary: fmt.Sprintf("A DHCPv6 server answers (frames %s), but the router's own firewall drops the answers before odhcp6c sees them: the WAN zone does not let UDP port 546 in from %s. Fix the firewall rule (finding firewall-drops-dhcpv6).",
			frameList(frames(j.blocked)), sources(j.blocked))}
}

// established reports whether conntrack pairs answer e with the client
// message it answers: only when that message went by unicast to the
// answer's source (a Renew to a Server Unicast address). Messages to
// ff02::1:2 open no flow an answer from a unicast address belongs to.
func (a *Analyzer) established(x *exchange, e *Event) bool {
	if e.DHCP == nil {
		return false
	}
	out := x.xids[e.DHCP.TransactionID]
	return out != nil && !out.Dest.IsMulticast() && out.Dest == e.Source
}

func verb(o firewall.Outcome) string {
	if o == firewall.Rejected {
		return "rejects"
	}
	return "drops"
}

// answerKinds names the message kinds of es: "Advertise and Reply".
func answerKinds(es []*Event) string {
	var kinds []string
	for _, e := range es {
		if k := string(e.Kind); !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return strings.Join(kinds, " and ")
}

// sources lists the distinct source addresses of es.
func sources(es []*Event) string {
	var as []string
	for _, e := range es {
		if s := e.Source.String(); !slices.Contains(as, s) {
			as = append(as, s)
		}
	}
	return strings.Join(as, ", ")
}
