package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/v6diag/v6diag/diag"
)

// ispParagraph writes the one paragraph a user pastes into a ticket: when
// and from which identity the test ran, what the routers and servers did,
// with frame numbers, and what to check. It uses only facts from the
// capture and the findings' own requests to the ISP.
func ispParagraph(d *Document, r *diag.Result) string {
	var s []string
	add := func(format string, args ...any) { s = append(s, fmt.Sprintf(format, args...)) }

	first, last := r.Stats.First.UTC(), r.Stats.Last.UTC()
	clientMAC := d.Link.ClientMAC
	if clientMAC == "" && d.Interface != nil {
		clientMAC = d.Interface.MAC
	}
	who := "this router"
	if clientMAC != "" {
		who = "the router with WAN MAC " + clientMAC
	}
	switch {
	case d.Interface != nil && d.Interface.VLAN != nil:
		who += fmt.Sprintf(" (VLAN %d, priority %d)", d.Interface.VLAN.ID, d.Interface.VLAN.Priority)
	case len(d.Link.ClientFraming.VLANs) > 0:
		who += " (" + framingText(d.Link.ClientFraming) + " on the wire)"
	}
	if pppoe(*d) {
		who += " over PPPoE"
	}
	// A live run speaks of what "we" sent; a capture made elsewhere of
	// what "the client" sent, and only of what the capture holds.
	live := strings.HasPrefix(d.Mode, "run")
	we, tested := "The client", fmt.Sprintf("a capture of %s shows %s", who, captureShows(d, r))
	switch {
	case d.Mode == "run --passive":
		we, tested = "The router's client", fmt.Sprintf("we recorded what the DHCPv6 client of %s and the ISP exchanged (v6diag sent nothing): %s", who, captureShows(d, r))
	case live:
		we, tested = "We", "we tested native IPv6 (RA and DHCPv6 prefix delegation) from "+who
	}
	switch {
	case r.Stats.First.IsZero():
		add("The capture of %s holds no frames.", who)
	case last.Sub(first) < time.Second:
		add("On %s at %s UTC %s.", first.Format("2006-01-02"), first.Format("15:04:05"), tested)
	default:
		add("On %s between %s and %s UTC %s.", first.Format("2006-01-02"), first.Format("15:04:05"), last.Format("15:04:05"), tested)
	}
	if d.Verdict.Code == diag.CodeLinkDown {
		add("The WAN interface had no carrier, so nothing was sent; the cable, modem or ONT must be fixed first.")
		return strings.Join(s, " ")
	}

	// Routers.
	rs := r.Count(diag.KindRouterSolicitation)
	switch {
	case len(d.RA.Routers) == 0 && rs > 0:
		add("%s sent %s and no Router Advertisement came back.", we, plural(rs, "Router Solicitation"))
	case len(d.RA.Routers) == 0 && hasFinding(d, "capture-no-router-messages"):
		add("The capture holds no Router Solicitation or Advertisement, so it says nothing of the routers.")
	case len(d.RA.Routers) == 0:
		add("No Router Advertisement was seen.")
	default:
		for i, rt := range d.RA.Routers {
			if i == 2 {
				add("%d more routers advertised.", len(d.RA.Routers)-2)
				break
			}
			how := "arrived once"
			switch {
			case rt.Interval != nil:
				how = fmt.Sprintf("arrive every %s s", trimFloat(*rt.Interval))
			case rt.SolicitedLatency != nil:
				how = fmt.Sprintf("answered a Router Solicitation in %s", humanSeconds(*rt.SolicitedLatency))
			}
			up := ""
			if rt.RouterLifetime > 0 && i == 0 {
				up = ", so the line is up"
			}
			add("Router Advertisements from %s (MAC %s) %s with M=%d O=%d and router lifetime %g s (frames %s)%s.",
				rt.Source, dash(rt.SourceMAC), how, b2i(rt.Managed), b2i(rt.Other), rt.RouterLifetime, frameList(rt.Frames), up)
		}
	}

	// DHCPv6.
	x := d.DHCPv6
	duid := ""
	if d.DUID != nil {
		duid = fmt.Sprintf(" with DUID %s (%s)", d.DUID.Hex, d.DUID.Type)
	}
	var solicitFrames []int
	for _, sh := range x.SolicitShapes {
		solicitFrames = append(solicitFrames, sh.Frames...)
	}
	if x.Solicits > 0 {
		asked := ""
		if len(x.SolicitShapes) > 0 {
			asked = ", asking for " + x.SolicitShapes[0].Summary
		}
		when := ""
		if sf := solicitTimes(r); sf != "" {
			when = " " + sf
		}
		add("%s sent %s%s%s%s (frames %s).", we, plural(x.Solicits, "DHCPv6 Solicit"), when, duid, asked, frameList(solicitFrames))
	}
	// The dhcpv6-no-reply finding's request to the ISP, added below, says
	// it already, with the MAC and DUID to look for.
	if x.Solicits > 0 && len(x.Servers) == 0 && !hasFinding(d, "dhcpv6-no-reply") {
		add("No Advertise came back.")
	}
	for i, sv := range x.Servers {
		if i == 2 {
			add("%d more servers answered.", len(x.Servers)-2)
			break
		}
		add("DHCPv6 server %s (Server ID %s, %s) answered in %s (frames %s).", sv.Address, sv.ServerID, sv.DUIDType, humanSeconds(sv.Latency), frameList(sv.Frames))
	}
	for _, sc := range x.StatusCodes {
		if sc.Code == 0 {
			continue
		}
		t := ""
		if sc.Text != "" {
			t = fmt.Sprintf(" %q", sc.Text)
		}
		add("Its %s carried status %s%s for %s (frame %d).", sc.Message, sc.Name, t, sc.Where, sc.Frame)
	}
	delegated := map[string]bool{}
	for _, p := range x.DelegatedPrefixes {
		delegated[p.Prefix] = true
	}
	for _, o := range r.Offers() {
		if p := o.Prefix.String(); !delegated[p] {
			add("Its Advertise offered prefix %s (frame %d).", p, o.Frame)
			delegated[p] = true
		}
	}
	for _, p := range x.DelegatedPrefixes {
		how := "offered in an Advertise"
		if p.Confirmed {
			how = "delegated and confirmed by a Reply"
		}
		add("Prefix %s was %s (frame %d, valid %g s).", p.Prefix, how, p.Frame, p.ValidLifetime)
	}
	if x.Requests > 0 && len(x.DelegatedPrefixes) == 0 {
		add("%s sent %s.", we, plural(x.Requests, "Request"))
	}

	if d.Verdict.Code == diag.CodeFirewallDropsDHCPv6 {
		add("Those answers reach the router's WAN port, but the router's own firewall drops them before its DHCPv6 client sees them (finding firewall-drops-dhcpv6): the router's owner must fix that; it asks nothing of the ISP.")
	}
	// What to check: the findings' own words to the ISP, failures first.
	// On a working line the warnings are asides, not the point.
	ok := d.Verdict.Code == diag.CodeOK
	if ok {
		add("Everything needed for IPv6 worked; no action is needed to bring it up.")
	}
	asks := 0
	for _, sev := range []diag.Severity{diag.SeverityFail, diag.SeverityWarn} {
		for _, f := range d.Findings {
			if f.Severity != sev || f.ForISP == "" || asks == 2 {
				continue
			}
			if ok && asks == 0 {
				add("Worth a look:")
			}
			add("%s", f.ForISP)
			asks++
		}
	}
	if d.Clock.Suspect {
		add("Note: the router's clock looks wrong (%s), so match the frames by content rather than time.", strings.TrimSuffix(d.Clock.Note, "."))
	}
	add("Frame numbers refer to the attached capture.pcapng; times are UTC.")
	return strings.Join(s, " ")
}

// captureShows says what a capture holds, in a few words, for the
// paragraph's opening: "Router Advertisements and a DHCPv6 exchange for a
// delegated prefix". It names only what is there.
func captureShows(d *Document, r *diag.Result) string {
	var parts []string
	rs, ra := r.Count(diag.KindRouterSolicitation) > 0, r.Count(diag.KindRouterAdvertisement) > 0
	switch {
	case ra:
		parts = append(parts, "Router Advertisements")
	case rs:
		parts = append(parts, "Router Solicitations and no Router Advertisement")
	}
	c := r.Client
	var dhcp string
	switch {
	case hasFinding(d, "capture-server-side-only"):
		dhcp = "only the DHCPv6 server's messages"
	case hasFinding(d, "capture-client-side-only"):
		dhcp = "only the client's DHCPv6 messages"
	case c.AskedIAPD:
		dhcp = "a DHCPv6 exchange for a delegated prefix"
	case c.AskedIANA || c.AskedIATA:
		dhcp = "a DHCPv6 exchange for an address, without prefix delegation"
	case c.InformationOnly:
		dhcp = "stateless DHCPv6 (Information-request)"
	case r.HasDHCPv6():
		dhcp = "DHCPv6 messages"
	}
	if dhcp != "" && hasFinding(d, "dhcpv6-relayed") {
		dhcp += ", relayed"
	}
	if dhcp != "" {
		parts = append(parts, dhcp)
	}
	if len(parts) == 0 {
		return "no Router Advertisement and no DHCPv6 exchange"
	}
	return strings.Join(parts, " and ")
}

func hasFinding(d *Document, id string) bool {
	return slices.ContainsFunc(d.Findings, func(f jsonFinding) bool { return f.ID == id })
}

func solicitTimes(r *diag.Result) string {
	t := r.SolicitTimes()
	if len(t) == 0 || t[0].IsZero() {
		return ""
	}
	if len(t) == 1 {
		return "at " + t[0].UTC().Format("15:04:05.000")
	}
	return fmt.Sprintf("between %s and %s", t[0].UTC().Format("15:04:05.000"), t[len(t)-1].UTC().Format("15:04:05.000"))
}

// humanSeconds writes a latency readably: "0.4 ms", "213 ms", "1.063 s".
func humanSeconds(s float64) string {
	switch {
	case s < 0.0001:
		return "under 0.1 ms"
	case s < 0.01:
		return fmt.Sprintf("%.1f ms", s*1000)
	case s < 1:
		return fmt.Sprintf("%.0f ms", s*1000)
	}
	return fmt.Sprintf("%.3f s", s)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func trimFloat(f float64) string { return fmt.Sprintf("%g", float64(int64(f*1000+0.5))/1000) }
