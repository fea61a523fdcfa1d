package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/netip"
	"strconv"
	"strings"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/diag"
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
	return rid, routerLeaseEvidence(root, ifc.Name)
}

// routerLeaseEvidence says why the router's own DHCPv6 client may hold a
// lease, or "" when nothing suggests it. It is deliberately suspicious:
// an address that looks like an IA_NA (/128) on the WAN, any global address
// on another interface (a delegated prefix handed to the LAN), or a reject
// route for a global prefix (netifd's unreachable route for a delegation).
// odhcp6c keeps no lease file of its own; netifd holds the state, and these
// are its visible traces.
func routerLeaseEvidence(root fs.FS, wan string) string {
	if b, err := fs.ReadFile(root, "proc/net/if_inet6"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 6 || len(f[0]) != 32 || f[5] == "lo" {
				continue
			}
			a, ok := hexAddr(f[0])
			plen, _ := strconv.ParseUint(f[2], 16, 8)
			if !ok || !isGlobal(a) {
				continue
			}
			switch {
			case f[5] != wan:
				return fmt.Sprintf("%s holds %s/%d: the router may hold a delegated prefix under its own DUID", f[5], a, plen)
			case plen == 128:
				return fmt.Sprintf("%s holds %s/128, which looks like the router's own DHCPv6 address", wan, a)
			}
		}
	}
	if b, err := fs.ReadFile(root, "proc/net/ipv6_route"); err == nil {
		const rtfReject = 0x0200
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 10 {
				continue
			}
			a, ok := hexAddr(f[0])
			plen, _ := strconv.ParseUint(f[1], 16, 8)
			flags, _ := strconv.ParseUint(f[8], 16, 32)
			if ok && isGlobal(a) && flags&rtfReject != 0 && plen < 64 {
				return fmt.Sprintf("an unreachable route for %s/%d shows a prefix delegated to the router", a, plen)
			}
		}
	}
	return ""
}

func hexAddr(s string) (netip.Addr, bool) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16([16]byte(b)), true
}

// isGlobal reports a global unicast address that is not a ULA: what an ISP
// hands out.
func isGlobal(a netip.Addr) bool {
	return a.IsGlobalUnicast() && !netip.MustParsePrefix("fc00::/7").Contains(a)
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
