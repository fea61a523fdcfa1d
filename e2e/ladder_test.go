package e2e

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
	"github.com/v6diag/v6diag/internal/testtools/testisp"
)

// ladderReport is the part of report.json the strategy ladder writes.
type ladderReport struct {
	Verdict struct {
		Code       string `json:"code"`
		Summary    string `json:"summary"`
		WhoMustAct string `json:"who_must_act"`
	} `json:"verdict"`
	DUID struct {
		Hex string `json:"hex"`
	} `json:"duid"`
	Strategy     string             `json:"strategy"`
	Attempts     []ladderAttempt    `json:"attempts"`
	BestAttempt  int                `json:"best_attempt"`
	RouterClient routerClientReport `json:"router_client"`
	Timeline     []struct {
		Frame         int     `json:"frame"`
		Offset        float64 `json:"offset_seconds"`
		Direction     string  `json:"direction"`
		Kind          string  `json:"kind"`
		TransactionID string  `json:"transaction_id"`
		Ignored       string  `json:"ignored"`
	} `json:"timeline"`
}

type ladderAttempt struct {
	Index int    `json:"index"`
	Label string `json:"label"`
	Shape struct {
		IANA              bool   `json:"ia_na"`
		IAPD              bool   `json:"ia_pd"`
		PrefixHint        int    `json:"prefix_hint"`
		RapidCommit       bool   `json:"rapid_commit"`
		ClientFQDN        bool   `json:"client_fqdn"`
		ReconfigureAccept bool   `json:"reconfigure_accept"`
		DUIDType          string `json:"duid_type"`
	} `json:"shape"`
	Netifd                ladderNetifd `json:"netifd"`
	Verdict               string       `json:"verdict"`
	DelegatedPrefixLength int          `json:"delegated_prefix_length"`
	StatusCodes           []string     `json:"status_codes"`
	FirstFrame            int          `json:"first_frame"`
	LastFrame             int          `json:"last_frame"`
	Skipped               string       `json:"skipped"`
}

type ladderNetifd struct {
	ReqAddress       string `json:"reqaddress"`
	ReqPrefix        string `json:"reqprefix"`
	NoClientFQDN     bool   `json:"noclientfqdn"`
	NoAcceptReconfig bool   `json:"noacceptreconfig"`
	ForcePrefix      bool   `json:"forceprefix"`
	ClientID         string `json:"clientid"`
}

type ladderRun struct {
	runResult
	rep ladderReport
}

// runLadder runs v6diag in the CPE namespace with an empty network config
// and reads the ladder's part of report.json.
func runLadder(t *testing.T, bed *testbed.Bed, args ...string) ladderRun {
	t.Helper()
	out := filepath.Join(bed.Dir, "out-"+strings.ReplaceAll(t.Name(), "/", "_"))
	r, raw := runV6diagArgs(t, bed, out, append([]string{"-i", bed.CPEIf, "--config", os.DevNull}, args...)...)
	lr := ladderRun{runResult: r}
	if err := json.Unmarshal(raw, &lr.rep); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	for _, a := range lr.rep.Attempts {
		t.Logf("attempt %d: %s → %s /%d %v frames %d-%d %+v %s", a.Index, a.Label, a.Verdict, a.DelegatedPrefixLength,
			a.StatusCodes, a.FirstFrame, a.LastFrame, a.Netifd, a.Skipped)
	}
	return lr
}

// ran lists the attempts that ran.
func (l ladderRun) ran() []ladderAttempt {
	var out []ladderAttempt
	for _, a := range l.rep.Attempts {
		if a.Skipped == "" {
			out = append(out, a)
		}
	}
	return out
}

// checkBest asserts the best attempt, its shape's netifd settings, and
// that the verdict names them.
func (l ladderRun) checkBest(t *testing.T, best int, want ladderNetifd, inSummary string) {
	t.Helper()
	if l.rep.Strategy != "auto" && l.rep.Strategy != "all" && l.rep.Strategy != "first" {
		t.Errorf("strategy %q", l.rep.Strategy)
	}
	if l.rep.BestAttempt != best {
		t.Fatalf("best_attempt %d, want %d (verdict %s: %s)", l.rep.BestAttempt, best, l.rep.Verdict.Code, l.rep.Verdict.Summary)
	}
	a := l.rep.Attempts[best-1]
	if a.Index != best || a.Verdict != "ok" || a.Skipped != "" {
		t.Errorf("best attempt %+v; want index %d with verdict ok", a, best)
	}
	if a.Netifd != want {
		t.Errorf("best attempt's netifd %+v, want %+v", a.Netifd, want)
	}
	if !strings.Contains(l.rep.Verdict.Summary, inSummary) {
		t.Errorf("verdict summary %q does not name %q", l.rep.Verdict.Summary, inSummary)
	}
	if best > 1 && (l.exit != 1 || l.rep.Verdict.Code == "ok") {
		t.Errorf("exit %d verdict %s: the router's own settings fail here, so the run must report a problem", l.exit, l.rep.Verdict.Code)
	}
}

// bindings returns, per attempt that ran, the transaction ids of the
// Replies that bound something (to a Request, or a Rapid Commit Solicit)
// and of the Releases the attempt sent, from the timeline.
func (l ladderRun) bindings(t *testing.T) (bound, released map[int][]string) {
	t.Helper()
	bound, released = map[int][]string{}, map[int][]string{}
	for _, a := range l.ran() {
		opened := map[string]string{}
		for _, e := range l.rep.Timeline {
			if e.Frame < a.FirstFrame || e.Frame > a.LastFrame || e.TransactionID == "" {
				continue
			}
			switch {
			case e.Direction == "out":
				if _, ok := opened[e.TransactionID]; !ok {
					opened[e.TransactionID] = e.Kind
				}
				if e.Kind == "Release" && !slices.Contains(released[a.Index], e.TransactionID) {
					released[a.Index] = append(released[a.Index], e.TransactionID)
				}
			case e.Kind == "Reply" && e.Ignored == "" && (opened[e.TransactionID] == "Request" || opened[e.TransactionID] == "Solicit"):
				bound[a.Index] = append(bound[a.Index], e.TransactionID)
			}
		}
	}
	return bound, released
}

// checkReleasedISP asserts that every attempt that was bound something
// released it before the next attempt, and that the test ISP heard each
// Release.
func (l ladderRun) checkReleasedISP(t *testing.T, isp *testisp.Handle) {
	t.Helper()
	bound, released := l.bindings(t)
	heard := map[string]bool{}
	for _, e := range isp.Received(t, "Release") {
		heard[e.XID] = true
	}
	if len(bound) == 0 {
		t.Error("no attempt was bound anything: the scenario tests nothing")
	}
	for i, xs := range bound {
		if len(released[i]) == 0 {
			t.Errorf("attempt %d was bound a lease (Reply %v) and sent no Release", i, xs)
		}
		for _, x := range released[i] {
			if !heard[x] {
				t.Errorf("attempt %d's Release %s never reached the test ISP", i, x)
			}
		}
	}
	ran := l.ran()
	for i := 1; i < len(ran); i++ {
		if ran[i].FirstFrame <= ran[i-1].LastFrame {
			t.Errorf("attempt %d (frames %d-%d) overlaps attempt %d (frames %d-%d)", ran[i].Index, ran[i].FirstFrame, ran[i].LastFrame,
				ran[i-1].Index, ran[i-1].FirstFrame, ran[i-1].LastFrame)
		}
	}
}

// checkReleasedKea asserts that Kea holds no lease for any DUID after the
// run: every lease of every attempt (v6diag's DUID-UUID and the DUID-LL
// rung alike) was released.
func checkReleasedKea(t *testing.T, kea *testbed.Kea) {
	t.Helper()
	leases, err := kea.Leases()
	if err != nil {
		t.Fatal(err)
	}
	if len(leases) == 0 {
		t.Error("Kea never leased anything: the scenario tests nothing")
	}
	for _, l := range testbed.CurrentLeases(leases) {
		if !l.Released() {
			t.Errorf("Kea still holds %s (%s) for DUID %s", l.Prefix(), l.Type, l.DUID)
		}
	}
}

// ispRouter is the test ISP's router asking for DHCPv6, with no autonomous
// prefix, so the CPE gets no global address (which would keep the DUID-LL
// rung from running).
func ispRouter() testisp.Router { return testisp.HealthyRouter() }

func healthyRules(match testisp.Match) []testisp.Rule {
	m := match
	m.Type = "Solicit"
	return []testisp.Rule{
		{Match: m, Action: testisp.HealthyAnswer()},
		{Match: testisp.Match{Type: "Solicit"}, Action: testisp.Action{Drop: true}},
		{Match: testisp.Match{Type: "Request"}, Action: testisp.HealthyAnswer()},
		{Match: testisp.Match{Type: "Release"}, Action: testisp.Action{Status: &testisp.Status{Code: 0, Message: "released"}}},
	}
}

// Kea delegating only /56s: the router's own client (no hint, as netifd's
// default wan6) gets the /56, smaller than the /48 wanted; no setting gets
// more, so the ISP must act and nothing is suggested — asking for the /56
// the ISP gives would get the router nothing more.
func TestLadderKea56(t *testing.T) {
	bed := testbed.New(t)
	bed.StartRadvd(t, testbed.RadvdConfig{Managed: true, Other: true, Prefix: netip.MustParsePrefix("2001:db8:1::/64"), NoAutonomous: true,
		MinInterval: 30 * time.Second, MaxInterval: 60 * time.Second})
	kea := bed.StartKea(t, testbed.KeaConfig{AddressPool: "2001:db8:1::100-2001:db8:1::1ff",
		PDPrefix: netip.MustParsePrefix("2001:db8:8000::/40"), PDDelegatedLen: 56})
	l := runLadder(t, bed, "--timeout", "12s")
	if a := l.rep.Attempts[0]; a.Verdict != "prefix-smaller-than-requested" || a.DelegatedPrefixLength != 56 || a.Shape.PrefixHint != 0 ||
		!a.Shape.ClientFQDN || !a.Shape.ReconfigureAccept || !a.Shape.IANA || !a.Shape.IAPD || a.Shape.DUIDType != "uuid" {
		t.Errorf("first attempt %+v; want odhcp6c's default shape (no hint), given a /56", a)
	}
	if l.rep.Verdict.Code != "prefix-smaller-than-requested" || l.rep.Verdict.WhoMustAct != "isp" || l.rep.BestAttempt != 0 {
		t.Errorf("verdict %s who %s best %d; want prefix-smaller-than-requested, the ISP, no best", l.rep.Verdict.Code, l.rep.Verdict.WhoMustAct, l.rep.BestAttempt)
	}
	if rc := l.rep.RouterClient; !strings.HasSuffix(rc.Prefix, "/56") || rc.Suggestion != nil {
		t.Errorf("router_client %+v; want the /56 and no suggestion", rc)
	}
	if len(l.ran()) < 2 {
		t.Errorf("%d attempts ran; the ladder must look for a setting that gets the /48", len(l.ran()))
	}
	checkReleasedKea(t, kea)
}

// Kea with only a prefix pool, every rung forced: IA_NA gets NoAddrsAvail
// beside the prefix, IA_PD alone works too, IA_NA alone gets no prefix,
// and every lease of all attempts — the DUID-LL rung's included — is
// released.
func TestLadderKeaPDOnlyAll(t *testing.T) {
	bed := testbed.New(t)
	bed.StartRadvd(t, testbed.RadvdConfig{Managed: true, Other: true, Prefix: netip.MustParsePrefix("2001:db8:1::/64"), NoAutonomous: true,
		MinInterval: 30 * time.Second, MaxInterval: 60 * time.Second})
	kea := bed.StartKea(t, testbed.KeaConfig{PDPrefix: netip.MustParsePrefix("2001:db8:8000::/36"), PDDelegatedLen: 48})
	l := runLadder(t, bed, "--strategy", "all")
	if l.rep.Strategy != "all" || l.exit != 0 || l.rep.Verdict.Code != "ok" {
		t.Fatalf("strategy %q exit %d verdict %s (%s)", l.rep.Strategy, l.exit, l.rep.Verdict.Code, l.rep.Verdict.Summary)
	}
	// Every rung that changes netifd's defaults: IA_PD alone, /56 and /60
	// hints, IA_NA alone, Rapid Commit, no FQDN, no Reconfigure Accept,
	// the DUID-LL (the others — reqaddress 'try', no forceprefix, no hint
	// — are the defaults already).
	if len(l.ran()) != 9 {
		t.Errorf("%d attempts ran with --strategy all, want all 9 rungs", len(l.ran()))
	}
	// The router's own odhcp6c drops IA_NA and solicits again for the
	// prefix alone: the first attempt works.
	l.checkBest(t, 1, ladderNetifd{ReqAddress: "try", ReqPrefix: "auto"}, "IPv6 works")
	if !slices.Contains(l.rep.Attempts[0].StatusCodes, "NoAddrsAvail") {
		t.Errorf("first attempt's status codes %v lack Kea's NoAddrsAvail for the IA_NA", l.rep.Attempts[0].StatusCodes)
	}
	seen := map[string]bool{}
	for _, a := range l.ran() {
		switch {
		case !a.Shape.IAPD:
			seen["na-only"] = true
			if a.Verdict != "no-prefix-offered" || !slices.Contains(a.StatusCodes, "NoAddrsAvail") || a.Netifd.ReqPrefix != "no" {
				t.Errorf("IA_NA alone: %+v; want no-prefix-offered with NoAddrsAvail", a)
			}
		case !a.Shape.IANA:
			seen["pd-only"] = true
			if a.Verdict != "ok" || a.Netifd.ReqAddress != "none" || a.DelegatedPrefixLength != 48 {
				t.Errorf("IA_PD alone: %+v; want ok with reqaddress none", a)
			}
		case a.Shape.DUIDType == "ll":
			seen["duid-ll"] = true
			if a.Verdict != "ok" || a.Netifd.ClientID != dhcpv6.DUIDLL(bed.CPEMAC).String() {
				t.Errorf("DUID-LL: %+v; want ok with clientid of the CPE MAC", a)
			}
		}
	}
	if len(seen) != 3 {
		t.Errorf("rungs seen %v; want IA_NA alone, IA_PD alone and DUID-LL", seen)
	}
	checkReleasedKea(t, kea)
}

// An ISP that refuses IA_NA and IA_PD in one Solicit (NoAddrsAvail for the
// whole message) but delegates to IA_PD alone: reqaddress 'none'.
func TestLadderPDOnlyNeeded(t *testing.T) {
	bed := testbed.New(t)
	srv := testisp.Server{Rules: []testisp.Rule{
		{Match: testisp.Match{Type: "Solicit", HasIANA: testisp.Ptr(true)},
			Action: testisp.Action{Status: &testisp.Status{Code: 2, Message: "IA_NA not served"}}},
		{Match: testisp.Match{Type: "Solicit"}, Action: testisp.HealthyAnswer()},
		{Match: testisp.Match{Type: "Request"}, Action: testisp.HealthyAnswer()},
		{Match: testisp.Match{Type: "Release"}, Action: testisp.Action{Status: &testisp.Status{Code: 0}}},
	}}
	isp := testisp.Start(t, bed, testisp.Scenario{Routers: []testisp.Router{ispRouter()}, Servers: []testisp.Server{srv}})
	l := runLadder(t, bed)
	if a := l.rep.Attempts[0]; a.Verdict != "no-prefix-offered" || !slices.Contains(a.StatusCodes, "NoAddrsAvail") {
		t.Errorf("first attempt %+v; want no-prefix-offered with NoAddrsAvail", a)
	}
	l.checkBest(t, 2, ladderNetifd{ReqAddress: "none", ReqPrefix: "auto"}, "reqaddress 'none'")
	if l.rep.Verdict.WhoMustAct != "user" {
		t.Errorf("who_must_act %q; a config change fixes it", l.rep.Verdict.WhoMustAct)
	}
	l.checkReleasedISP(t, isp)
}

// An ISP that delegates only when asked for a /56: the router's no-hint
// Solicit gets NoPrefixAvail (odhcp6c drops IA_PD and keeps an address),
// the /56 hint gets a /56: reqprefix '56' gets the router more, though
// less than the /48 wanted, so it is suggested and the ISP must act.
func TestLadderOnly56Hint(t *testing.T) {
	bed := testbed.New(t)
	pd56 := testisp.IA{T1: testisp.Duration(time.Hour), T2: testisp.Duration(2 * time.Hour), Leases: []testisp.Lease{{
		Prefix: netip.MustParsePrefix("2001:db8:8000:100::/56"), Preferred: testisp.Duration(3 * time.Hour), Valid: testisp.Duration(4 * time.Hour)}}}
	refuse := testisp.IA{Status: &testisp.Status{Code: 6, Message: "only /56"}}
	answer := func(pd testisp.IA) testisp.Action {
		return testisp.Action{IANA: []testisp.IA{testisp.HealthyIANA()}, IAPD: []testisp.IA{pd}}
	}
	srv := testisp.Server{Rules: []testisp.Rule{
		{Match: testisp.Match{Type: "Solicit", HintLength: testisp.Ptr(56)}, Action: answer(pd56)},
		{Match: testisp.Match{Type: "Solicit"}, Action: answer(refuse)},
		{Match: testisp.Match{Type: "Request"}, Action: answer(pd56)},
		{Match: testisp.Match{Type: "Release"}, Action: testisp.Action{Status: &testisp.Status{Code: 0}}},
	}}
	isp := testisp.Start(t, bed, testisp.Scenario{Routers: []testisp.Router{ispRouter()}, Servers: []testisp.Server{srv}})
	l := runLadder(t, bed)
	if a := l.rep.Attempts[0]; a.Verdict != "no-prefix-offered" || !slices.Contains(a.StatusCodes, "NoPrefixAvail") {
		t.Errorf("first attempt %+v; want no-prefix-offered with NoPrefixAvail", a)
	}
	sg := l.rep.RouterClient.Suggestion
	if sg == nil || sg.Settings != "reqprefix '56' on wan6" || !strings.HasSuffix(sg.Prefix, "/56") || l.rep.Verdict.WhoMustAct != "isp" {
		t.Errorf("suggestion %+v, who %s; want reqprefix '56' getting a /56, and the ISP to act", sg, l.rep.Verdict.WhoMustAct)
	}
	l.checkReleasedISP(t, isp)
}

// A server that answers only a Solicit with Rapid Commit: the first attempt
// (odhcp6c cannot send Rapid Commit) gets nothing, the second gets a Reply
// at once, and the verdict names the ISP as the one to act.
func TestLadderRapidCommitOnly(t *testing.T) {
	bed := testbed.New(t)
	rc := testisp.HealthyAnswer()
	rc.RapidCommit = true
	srv := testisp.Server{Rules: []testisp.Rule{
		{Match: testisp.Match{Type: "Solicit", RapidCommit: testisp.Ptr(true)}, Action: rc},
		{Match: testisp.Match{Type: "Solicit"}, Action: testisp.Action{Drop: true}},
		{Match: testisp.Match{Type: "Release"}, Action: testisp.Action{Status: &testisp.Status{Code: 0}}},
	}}
	isp := testisp.Start(t, bed, testisp.Scenario{Routers: []testisp.Router{ispRouter()}, Servers: []testisp.Server{srv}})
	l := runLadder(t, bed)
	if a := l.rep.Attempts[0]; a.Verdict != "no-dhcpv6-reply" || a.Shape.RapidCommit {
		t.Errorf("first attempt %+v; want no-dhcpv6-reply without Rapid Commit", a)
	}
	// No answer: IA_PD alone, no FQDN, no Reconfigure Accept (settings a
	// user can make), then Rapid Commit.
	l.checkBest(t, 5, ladderNetifd{ReqAddress: "try", ReqPrefix: "auto"}, "Rapid Commit")
	if !l.rep.Attempts[4].Shape.RapidCommit || l.rep.Verdict.WhoMustAct != "isp" || l.rep.RouterClient.Suggestion != nil {
		t.Errorf("attempt 5 %+v, who_must_act %q, suggestion %+v; want Rapid Commit, the ISP to act, nothing suggested", l.rep.Attempts[4].Shape, l.rep.Verdict.WhoMustAct, l.rep.RouterClient.Suggestion)
	}
	l.checkReleasedISP(t, isp)
}

// A server that drops every Solicit carrying a Client FQDN: noclientfqdn.
func TestLadderDropsFQDN(t *testing.T) {
	bed := testbed.New(t)
	srv := testisp.Server{Rules: healthyRules(testisp.Match{ClientFQDN: testisp.Ptr(false)})}
	isp := testisp.Start(t, bed, testisp.Scenario{Routers: []testisp.Router{ispRouter()}, Servers: []testisp.Server{srv}})
	l := runLadder(t, bed)
	ran := l.ran()
	// No answer → IA_PD alone → no Client FQDN.
	l.checkBest(t, 3, ladderNetifd{ReqAddress: "try", ReqPrefix: "auto", NoClientFQDN: true}, "noclientfqdn '1'")
	if sg := l.rep.RouterClient.Suggestion; sg == nil || sg.Attempt != 3 || l.rep.Verdict.WhoMustAct != "user" {
		t.Errorf("suggestion %+v, who %s; want attempt 3's noclientfqdn for the user", sg, l.rep.Verdict.WhoMustAct)
	}
	for _, a := range ran[:len(ran)-1] {
		if !a.Shape.ClientFQDN || a.Verdict != "no-dhcpv6-reply" {
			t.Errorf("attempt %d %+v; every attempt with a Client FQDN must go unanswered", a.Index, a)
		}
	}
	if len(isp.Received(t, "Request")) == 0 {
		t.Error("the test ISP heard no Request")
	}
	l.checkReleasedISP(t, isp)
}

// A server that answers only the DUID-LL of the CPE's MAC (an ISP binding
// the line to the router): clientid with that DUID-LL.
func TestLadderOnlyDUIDLL(t *testing.T) {
	bed := testbed.New(t)
	srv := testisp.Server{Rules: healthyRules(testisp.Match{DUIDType: "LL"})}
	isp := testisp.Start(t, bed, testisp.Scenario{Routers: []testisp.Router{ispRouter()}, Servers: []testisp.Server{srv}})
	l := runLadder(t, bed)
	ll := dhcpv6.DUIDLL(bed.CPEMAC).String()
	// No answer → IA_PD alone, no FQDN, no Reconfigure Accept, Rapid
	// Commit → the router's DUID-LL, which the router's own odhcp6c sends:
	// the router gets the prefix, and nothing needs to change.
	best := 6
	if l.rep.BestAttempt != best {
		t.Fatalf("best_attempt %d, want %d (%s)", l.rep.BestAttempt, best, l.rep.Verdict.Summary)
	}
	if a := l.rep.Attempts[best-1]; a.Shape.DUIDType != "ll" || a.Netifd.ClientID != ll {
		t.Errorf("best attempt %+v, want the DUID-LL %s", a, ll)
	}
	if rc := l.rep.RouterClient; rc.Prefix == "" || rc.Suggestion != nil || l.rep.Verdict.Code != "ok" || !strings.Contains(rc.Explanation, "DUID-LL") {
		t.Errorf("verdict %s, router_client %+v; want ok: the router's own DUID-LL gets the prefix", l.rep.Verdict.Code, rc)
	}
	if l.rep.DUID.Hex == ll {
		t.Error("report's DUID is the router's: the first attempt must use v6diag's own")
	}
	l.checkReleasedISP(t, isp)
}

// A line with routers but no DHCPv6 server, at the default --timeout: the
// first attempt still puts at least four Solicits on the wire spaced per
// RFC 8415 (about 0, 1, 3, 7 s), later attempts try other shapes, and the
// run ends by --timeout.
func TestLadderNoServer(t *testing.T) {
	bed := testbed.New(t)
	bed.StartRadvd(t, testbed.RadvdConfig{Managed: true, Other: true, Prefix: netip.MustParsePrefix("2001:db8:1::/64"), NoAutonomous: true})
	l := runLadder(t, bed)
	if l.exit != 1 || l.rep.Verdict.Code != "no-dhcpv6-reply" || l.rep.BestAttempt != 0 {
		t.Fatalf("exit %d verdict %s best %d; want 1, no-dhcpv6-reply, 0", l.exit, l.rep.Verdict.Code, l.rep.BestAttempt)
	}
	first := l.rep.Attempts[0]
	var times []float64
	for _, e := range l.rep.Timeline {
		if e.Kind == "Solicit" && e.Frame >= first.FirstFrame && e.Frame <= first.LastFrame {
			times = append(times, e.Offset)
		}
	}
	if len(times) < 4 {
		t.Fatalf("first attempt sent %d Solicits, want at least 4", len(times))
	}
	for i, want := range []float64{1, 3, 7} {
		got := times[i+1] - times[0]
		// RT doubles from ~1 s with ±10% each time (RFC 8415 §15); a
		// loaded machine may wake late, never early.
		if got < want*0.85-0.05 || got > want*1.15+0.5 {
			t.Errorf("Solicit %d at +%.3fs after the first, want about %gs", i+2, got, want)
		}
	}
	if g1, g2 := times[2]-times[1], times[3]-times[2]; g2 < 1.5*g1 || g2 > 2.6*g1 {
		t.Errorf("gaps %.3fs then %.3fs; RFC 8415 §15 doubles RT (±10%%)", g1, g2)
	}
	if len(l.ran()) < 3 {
		t.Errorf("%d attempts ran in 30 s; want the first and at least two more shapes", len(l.ran()))
	}
	if l.wall < 28*time.Second || l.wall > 33*time.Second {
		t.Errorf("run took %s; want it to end by --timeout 30s", l.wall)
	}
}

// --strategy first keeps to one attempt: on the /56-only Kea the /48 hint
// gets a /56, and nothing else is tried, so no attempt counts as working.
func TestLadderFirstOnly(t *testing.T) {
	bed := testbed.New(t)
	bed.StartRadvd(t, testbed.RadvdConfig{Managed: true, Other: true, Prefix: netip.MustParsePrefix("2001:db8:1::/64"), NoAutonomous: true,
		MinInterval: 30 * time.Second, MaxInterval: 60 * time.Second})
	kea := bed.StartKea(t, testbed.KeaConfig{AddressPool: "2001:db8:1::100-2001:db8:1::1ff",
		PDPrefix: netip.MustParsePrefix("2001:db8:8000::/40"), PDDelegatedLen: 56})
	l := runLadder(t, bed, "--strategy", "first")
	if l.rep.Strategy != "first" || len(l.rep.Attempts) != 1 || l.rep.BestAttempt != 0 {
		t.Fatalf("strategy %q attempts %d best %d; want first, 1, 0", l.rep.Strategy, len(l.rep.Attempts), l.rep.BestAttempt)
	}
	if l.rep.Verdict.Code != "prefix-smaller-than-requested" || strings.Contains(l.rep.Verdict.Summary, "works here") {
		t.Errorf("verdict %s %q", l.rep.Verdict.Code, l.rep.Verdict.Summary)
	}
	checkReleasedKea(t, kea)
}
