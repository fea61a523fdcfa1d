package main

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/hostinfo"
	"github.com/v6diag/v6diag/live"
	"github.com/v6diag/v6diag/odhcp6c"
	"github.com/v6diag/v6diag/report"
)

// strategyUsage is --strategy's help text.
const strategyUsage = "which request shapes to try: `auto` (the router's own first, then — until one works — what the answers suggest: " +
	"IA_PD alone, other prefix hints, Rapid Commit, no Client FQDN or Reconfigure Accept, the router's DUID-LL), " +
	"first (one attempt), all (every shape, even after one worked); all within --timeout"

func parseStrategy(s string) (live.Strategy, error) {
	st, err := live.ParseStrategy(s)
	if err != nil {
		return "", usageError{fmt.Sprintf("--strategy %q: want auto, first or all", s)}
	}
	return st, nil
}

// routerIdentity is the identity of the DUID-LL rung — the DUID-LL of the
// WAN MAC, which odhcp6c uses unless netifd sets clientid — and, when the
// rung may not run, why: that identity is the router's, so it is used only
// when the router's own client holds no lease under it.
func routerIdentity(ifc capture.Interface, id dhcpv6.Identity, root fs.FS) (dhcpv6.Identity, string) {
	if len(ifc.MAC) == 0 {
		return dhcpv6.Identity{}, "the WAN has no MAC address (PPP link)"
	}
	rid := dhcpv6.Identity{DUID: dhcpv6.DUIDLL(ifc.MAC), IAID: id.IAID, PDIAID: id.IAID}
	return rid, hostinfo.LeaseEvidence(root, ifc.Name)
}

// duidType names a DUID's type as report.json's attempts[].shape does.
func duidType(d dhcpv6.DUID) string {
	switch d.Type() {
	case dhcpv6.DUIDTypeUUID:
		return "uuid"
	case dhcpv6.DUIDTypeLL:
		return "ll"
	case dhcpv6.DUIDTypeLLT:
		return "llt"
	case dhcpv6.DUIDTypeEN:
		return "en"
	}
	return strings.ToLower(d.TypeName())
}

// attemptWindows tells the analysis where each attempt that ran is.
func attemptWindows(as []live.Attempt) []diag.AttemptWindow {
	var ws []diag.AttemptWindow
	for _, a := range as {
		if a.Skipped == "" {
			ws = append(ws, a.Window)
		}
	}
	return ws
}

// attemptPlans describes the attempts for the report.
func attemptPlans(as []live.Attempt, host odhcp6c.Host) []report.AttemptPlan {
	var out []report.AttemptPlan
	for _, a := range as {
		s := a.Rung.Shape(host)
		out = append(out, report.AttemptPlan{Index: a.Index, Label: a.Label, Skipped: a.Skipped, Args: a.Rung.Args.String(),
			Shape: report.AttemptShape{IANA: s.IANA, IAPD: s.IAPD, PrefixHint: s.PrefixLength, RapidCommit: s.RapidCommit,
				ClientFQDN: s.ClientFQDN != "", ReconfigureAccept: s.ReconfigureAccept, DUIDType: duidType(a.Identity.DUID)},
			Netifd: a.Netifd})
	}
	return out
}
