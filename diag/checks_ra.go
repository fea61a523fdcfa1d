package diag

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Thresholds of the expert checks. They are judgement, not RFC limits;
// docs/FINDINGS.md states them.
const (
	// shortRouterLifetime: a default route that lapses within two minutes
	// of the last RA is lost to one or two missed RAs (AdvDefaultLifetime
	// defaults to 1800 s, RFC 4861 §6.2.1).
	shortRouterLifetime = 2 * time.Minute
	// shortPrefixLifetime: a prefix whose valid lifetime ends within ten
	// minutes is about to disappear from the link.
	shortPrefixLifetime = 10 * time.Minute
	// floodingRenewal: a client that renews a lease more often than this
	// floods the server with Renews (RFC 8415 §14.2).
	floodingRenewal = 2 * time.Minute
	// slowAnswer is SOL_TIMEOUT and REQ_TIMEOUT (RFC 8415 §7.6): an answer
	// later than this finds the client retransmitting.
	slowAnswer = time.Second
	// ethernetMTU and pppoeMTU are the usual link MTUs (RFC 2516 §7 takes
	// 8 octets of PPPoE header off Ethernet's 1500).
	ethernetMTU = 1500
	pppoeMTU    = 1492
)

// raChecks derives the findings about what the routers advertise, beyond
// whether a default route exists.
func (a *Analyzer) raChecks(r *Result, x *exchange) []Finding {
	var fs []Finding
	add := func(f Finding) { fs = append(fs, f) }

	if n := r.Stats.IgnoredRouterAdvertisements; n > 0 {
		var frames []int
		reason := ""
		for _, e := range a.events {
			if e.Kind == KindRouterAdvertisement && (e.RA == nil || e.Ignored != "") {
				if reason == "" {
					reason = e.Ignored
				}
				if len(frames) < maxProblemFrames {
					frames = append(frames, e.Frame)
				}
			}
		}
		add(Finding{ID: "ra-invalid-ignored", Severity: SeverityWarn, RFC: "RFC 4861 §6.1.2", Frames: frames,
			Summary: fmt.Sprintf("%d Router Advertisements were ignored and do not count as routers, because hosts must discard them (%s).", n, reason),
			ForISP:  "Please check the Router Advertisements on this line: they fail the validity tests of RFC 4861 §6.1.2 (hop limit 255, link-local source, well-formed options), so hosts discard them."})
	}
	if len(r.Routers) > 1 {
		var parts []string
		for _, rt := range r.Routers {
			parts = append(parts, fmt.Sprintf("%s (%s, lifetime %s, M=%s O=%s)", rt.Source, macString(rt.SourceMAC), rt.RouterLifetime, bit(rt.Managed), bit(rt.Other)))
		}
		add(Finding{ID: "ra-several-routers", Severity: SeverityInfo, RFC: "RFC 4861 §6.3.4", Frames: routerFrames(r.Routers),
			Summary: fmt.Sprintf("%d routers send Router Advertisements on this link: %s.", len(r.Routers), strings.Join(parts, "; "))})
		if d := disagreements(r.Routers); len(d) > 0 {
			add(Finding{ID: "ra-routers-disagree", Severity: SeverityWarn, RFC: "RFC 4861 §6.2.7", Frames: routerFrames(r.Routers),
				Summary: fmt.Sprintf("The routers on this link disagree: %s; hosts may configure themselves differently depending on which RA they heard last.", strings.Join(d, "; ")),
				ForISP:  "Please check the routers on this line: they advertise inconsistent information (RFC 4861 §6.2.7)."})
		}
	}
	answered := len(x.advertises) > 0 || len(x.replies) > 0
	var mo, plain []Router
	for _, rt := range r.Routers {
		if rt.Managed || rt.Other {
			mo = append(mo, rt)
		} else {
			plain = append(plain, rt)
		}
	}
	if len(mo) > 0 && len(x.solicits) > 0 && !answered {
		add(Finding{ID: "ra-managed-no-dhcpv6-server", Severity: SeverityWarn, RFC: "RFC 4861 §4.2", Frames: mergeFrames(routerFrames(mo), frames(x.solicits)),
			// No ForISP: dhcpv6-no-reply already asks the ISP to act.
			Summary: fmt.Sprintf("The router advertises M=%s O=%s, asking hosts to use DHCPv6, but no DHCPv6 server answered %d Solicits.", bit(mo[0].Managed), bit(mo[0].Other), len(x.solicits))})
	}
	if len(r.Routers) > 0 && len(mo) == 0 && answered {
		add(Finding{ID: "ra-unmanaged-dhcpv6-answers", Severity: SeverityInfo, RFC: "RFC 4861 §4.2", Frames: mergeFrames(routerFrames(plain), frames(append(slices.Clone(x.advertises), x.replies...))),
			Summary: "The routers say M=0 and O=0, yet a DHCPv6 server answers: clients that follow the flags never ask it (odhcp6c asks for a prefix anyway)."})
	}
	for _, rt := range r.Routers {
		for _, p := range rt.Prefixes {
			if !p.Autonomous {
				add(Finding{ID: "ra-prefix-not-autonomous", Severity: SeverityInfo, RFC: "RFC 4862 §5.5.3", Frames: rt.Frames,
					Summary: fmt.Sprintf("Router %s advertises %s with A=0: no address is formed from it by SLAAC.", rt.Source, p.Prefix)})
			}
			if !p.OnLink {
				add(Finding{ID: "ra-prefix-not-on-link", Severity: SeverityInfo, RFC: "RFC 4861 §6.3.4", Frames: rt.Frames,
					Summary: fmt.Sprintf("Router %s advertises %s with L=0: hosts send even on-link traffic for it through the router.", rt.Source, p.Prefix)})
			}
		}
		if why := shortLifetimes(rt); len(why) > 0 {
			add(Finding{ID: "ra-lifetime-short", Severity: SeverityWarn, RFC: "RFC 4861 §6.2.1", Frames: rt.Frames,
				Summary: fmt.Sprintf("Router %s advertises lifetimes that run out soon: %s.", rt.Source, strings.Join(why, "; ")),
				ForISP:  "Please check the Router Advertisement lifetimes on this line: they are short enough that one or two lost RAs break IPv6."})
		}
		if f, ok := mtuFinding(rt); ok {
			add(f)
		}
	}
	// DNS.
	var rdnss, dnssl []Router
	for _, rt := range r.Routers {
		if len(rt.RDNSS) > 0 {
			rdnss = append(rdnss, rt)
		}
		if len(rt.DNSSL) > 0 {
			dnssl = append(dnssl, rt)
		}
	}
	switch {
	case len(rdnss) > 0:
		var servers []string
		for _, rt := range rdnss {
			for _, s := range rt.RDNSS {
				if !slices.Contains(servers, s.String()) {
					servers = append(servers, s.String())
				}
			}
		}
		add(Finding{ID: "ra-rdnss", Severity: SeverityPass, RFC: "RFC 8106 §5.1", Frames: routerFrames(rdnss),
			Summary: fmt.Sprintf("The Router Advertisements name DNS servers (RDNSS): %s.", strings.Join(servers, ", "))})
	case len(r.Routers) > 0:
		add(Finding{ID: "ra-rdnss-absent", Severity: SeverityInfo, RFC: "RFC 8106 §5.1", Frames: routerFrames(r.Routers),
			Summary: "The Router Advertisements name no DNS server (no RDNSS option); hosts that rely on SLAAC alone get no resolver."})
	}
	if len(dnssl) > 0 {
		add(Finding{ID: "ra-dnssl", Severity: SeverityInfo, RFC: "RFC 8106 §5.2", Frames: routerFrames(dnssl),
			Summary: fmt.Sprintf("The Router Advertisements carry a DNS search list: %s.", strings.Join(dnssl[0].DNSSL, ", "))})
	}
	if len(r.Routers) > 0 && len(rdnss) == 0 && len(x.solicits)+len(x.renews) > 0 && len(dhcpDNS(x)) == 0 {
		add(Finding{ID: "dns-none", Severity: SeverityWarn, RFC: "RFC 8106 §5.1", Frames: mergeFrames(routerFrames(r.Routers), frames(append(slices.Clone(x.advertises), x.replies...))),
			Summary: "Neither the Router Advertisements (RDNSS) nor DHCPv6 (option 23) name a DNS server: IPv6-only hosts cannot resolve names.",
			ForISP:  "Please check the DNS settings for IPv6 on this line: neither RDNSS in the RAs nor the DHCPv6 DNS option is sent."})
	}
	return fs
}

// disagreements lists what valid routers advertise differently: flags,
// prefixes, MTU.
func disagreements(rs []Router) []string {
	var out []string
	first := rs[0]
	flags, prefixes, mtus := false, false, false
	for _, rt := range rs[1:] {
		flags = flags || rt.Managed != first.Managed || rt.Other != first.Other
		prefixes = prefixes || !slices.Equal(prefixSet(rt), prefixSet(first))
		mtus = mtus || rt.MTU != first.MTU
	}
	describe := func(f func(Router) string) string {
		var parts []string
		for _, rt := range rs {
			parts = append(parts, fmt.Sprintf("%s says %s", rt.Source, f(rt)))
		}
		return strings.Join(parts, ", ")
	}
	if flags {
		out = append(out, "flags ("+describe(func(rt Router) string { return "M=" + bit(rt.Managed) + " O=" + bit(rt.Other) })+")")
	}
	if prefixes {
		out = append(out, "prefixes ("+describe(func(rt Router) string {
			ps := prefixSet(rt)
			if len(ps) == 0 {
				return "none"
			}
			return strings.Join(ps, " ")
		})+")")
	}
	if mtus {
		out = append(out, "MTU ("+describe(func(rt Router) string {
			if rt.MTU == 0 {
				return "no MTU option"
			}
			return fmt.Sprint(rt.MTU)
		})+")")
	}
	return out
}

func prefixSet(rt Router) []string {
	var ps []string
	for _, p := range rt.Prefixes {
		ps = append(ps, p.Prefix.String())
	}
	sortStrings(ps)
	return slices.Compact(ps)
}

// shortLifetimes says which of a router's lifetimes run out soon.
func shortLifetimes(rt Router) []string {
	var why []string
	if rt.RouterLifetime > 0 && rt.RouterLifetime < shortRouterLifetime {
		why = append(why, fmt.Sprintf("router lifetime %s", rt.RouterLifetime))
	}
	for _, p := range rt.Prefixes {
		switch {
		case p.ValidLifetime == 0:
			why = append(why, fmt.Sprintf("prefix %s is withdrawn (valid lifetime 0)", p.Prefix))
		case p.ValidLifetime < shortPrefixLifetime:
			why = append(why, fmt.Sprintf("prefix %s valid for only %s", p.Prefix, p.ValidLifetime))
		case p.PreferredLifetime == 0:
			why = append(why, fmt.Sprintf("prefix %s is deprecated (preferred lifetime 0)", p.Prefix))
		}
	}
	return why
}

// mtuFinding judges the MTU option against the link it came over. Values
// below 1280 are ndp's finding (ra-mtu-below-1280).
func mtuFinding(rt Router) (Finding, bool) {
	f := Finding{ID: "ra-mtu-unusual", Severity: SeverityInfo, RFC: "RFC 4861 §4.6.4", Frames: rt.Frames}
	switch {
	case rt.MTU == 0 || rt.MTU < 1280:
		return f, false
	case rt.PPPoE && rt.MTU > pppoeMTU:
		f.Severity = SeverityWarn
		f.Summary = fmt.Sprintf("Router %s advertises MTU %d over PPPoE, which carries at most %d octets: full-size packets will be lost.", rt.Source, rt.MTU, pppoeMTU)
		f.ForISP = fmt.Sprintf("Please check the MTU option in your Router Advertisements: %d is more than a PPPoE session carries (%d).", rt.MTU, pppoeMTU)
	case rt.PPPoE && rt.MTU == pppoeMTU:
		f.Summary = fmt.Sprintf("Router %s advertises MTU %d, the usual value on PPPoE (1500 minus the 8-octet PPPoE header).", rt.Source, rt.MTU)
	case rt.MTU == ethernetMTU:
		return f, false
	case rt.MTU == pppoeMTU:
		f.Summary = fmt.Sprintf("Router %s advertises MTU %d, the PPPoE value, on a link that is not PPPoE here: a PPPoE or tunnel segment may lie upstream.", rt.Source, rt.MTU)
	default:
		f.Summary = fmt.Sprintf("Router %s advertises MTU %d, not the Ethernet default of %d: hosts send no packet larger than that.", rt.Source, rt.MTU, ethernetMTU)
	}
	return f, true
}

// dhcpDNS returns the DNS servers of the valid server answers.
func dhcpDNS(x *exchange) []netip.Addr {
	var out []netip.Addr
	for _, e := range append(slices.Clone(x.advertises), x.replies...) {
		for _, d := range e.DHCP.DNSServers {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// mergeFrames joins frame lists in order, without repeats, bounded.
func mergeFrames(lists ...[]int) []int {
	var out []int
	for _, l := range lists {
		for _, n := range l {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	sortInts(out)
	if len(out) > maxProblemFrames {
		out = out[:maxProblemFrames]
	}
	return out
}
