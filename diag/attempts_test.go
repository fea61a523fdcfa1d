package diag

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/iana"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
)

// Two attempts: the first asks IA_NA + IA_PD and gets NoAddrsAvail for the
// whole message; the second asks IA_PD alone and is delegated a /48, whose
// Release Reply arrives late, inside a third window; a stray Advertise with
// an unknown transaction id lands in the second window. Each attempt is
// judged on its own messages, the run's verdict is the first attempt's and
// names the second.
func TestAttemptsAnalysedApart(t *testing.T) {
	pdOnly := dhcpv6.RequestShape{IAPD: true, PrefixLength: 48}
	l := newLab(t)
	l.at(0).rs()
	l.at(3 * time.Millisecond).ra(managed)
	s1 := l.at(10*time.Millisecond).solicit(shape, xid(1))
	l.at(20 * time.Millisecond).server(advertise(xid(1), withStatus(iana.StatusNoAddrsAvail)))
	last1 := len(l.frames)
	s2 := l.at(time.Second).solicit(pdOnly, xid(2))
	adv := advertise(xid(2), withPD("2001:db8:8000::/48"))
	l.at(time.Second + 10*time.Millisecond).server(adv)
	l.at(time.Second + 20*time.Millisecond).server(advertise(xid(99), withPD("2001:db8:9999::/48")))
	b, err := dhcpv6.NewRequest(dhcpv6.Identity{DUID: clientDUID, IAID: iaid, PDIAID: iaid}, pdOnly, xid(3), 0, mustParseMsg(t, adv))
	if err != nil {
		t.Fatal(err)
	}
	l.at(1300*time.Millisecond).dhcpFrom(client, b)
	l.at(1310 * time.Millisecond).server(reply(xid(3), withPD("2001:db8:8000::/48")))
	rel, err := dhcpv6.NewRelease(dhcpv6.Identity{DUID: clientDUID, IAID: iaid, PDIAID: iaid}, xid(4), 0, serverDUID, nil,
		[]dhcpv6.IA{{IAID: iaid, Prefixes: []dhcpv6.IAPrefix{{Prefix: netip.MustParsePrefix("2001:db8:8000::/48")}}}})
	if err != nil {
		t.Fatal(err)
	}
	l.at(1320*time.Millisecond).dhcpFrom(client, rel)
	last2 := len(l.frames)
	l.at(2*time.Second).solicit(shape, xid(5)) // a third attempt starts
	late := l.at(2100 * time.Millisecond).server(reply(xid(4), withStatus(iana.StatusSuccess)))

	facts := clientFacts
	facts.Attempts = []AttemptWindow{
		{Index: 1, Label: "IA_NA + IA_PD", DUID: clientDUID, TransactionIDs: []dhcpv6.TransactionID{xid(1)}, FirstFrame: s1, LastFrame: last1},
		{Index: 2, Label: "IA_PD alone", Advice: "IPv6 works here with reqaddress 'none'", AdviceIsConfig: true, DUID: clientDUID,
			TransactionIDs: []dhcpv6.TransactionID{xid(2), xid(3), xid(4)}, FirstFrame: s2, LastFrame: last2},
		{Index: 3, Label: "again", DUID: clientDUID, TransactionIDs: []dhcpv6.TransactionID{xid(5)}, FirstFrame: last2 + 1},
	}
	r := l.analyze(facts)
	if len(r.Attempts) != 3 {
		t.Fatalf("%d attempt results, want 3", len(r.Attempts))
	}
	a1, a2, a3 := r.Attempts[0], r.Attempts[1], r.Attempts[2]
	if a1.Verdict.Code != CodeNoPrefixOffered || !slices.Equal(a1.StatusCodes, []string{"NoAddrsAvail"}) || a1.PrefixOK || !a1.Answered {
		t.Errorf("attempt 1: %+v", a1)
	}
	if a2.Verdict.Code != CodeOK || !a2.PrefixOK || a2.DelegatedPrefixLength != 48 || a2.PrefixHint != 48 || a2.LastFrame != late || a2.Releases != 1 {
		t.Errorf("attempt 2: %+v (the late Release Reply is frame %d)", a2, late)
	}
	if a3.Answered || a3.Solicits != 1 {
		t.Errorf("attempt 3: %+v; the late Reply to attempt 2's Release is not an answer to it", a3)
	}
	if r.BestAttempt != 2 {
		t.Errorf("best attempt %d, want 2", r.BestAttempt)
	}
	if r.Verdict.Code != CodeNoPrefixOffered || !strings.Contains(r.Verdict.Summary, "reqaddress 'none'") || r.Verdict.WhoMustAct != PartyUser {
		t.Errorf("verdict %+v; want the first attempt's, naming attempt 2's settings, for the user", r.Verdict)
	}
	if r.Client.Solicits != 3 || r.Client.Requests != 1 || r.Client.Releases != 1 {
		t.Errorf("client counters %+v; want the sum over attempts", r.Client)
	}
	if len(r.DelegatedPrefixes) != 1 || r.DelegatedPrefixes[0].Prefix.String() != "2001:db8:8000::/48" {
		t.Errorf("delegated %+v; want attempt 2's /48", r.DelegatedPrefixes)
	}
	var stray, lateEv *Event
	for i := range r.Timeline {
		switch r.Timeline[i].Frame {
		case late:
			lateEv = &r.Timeline[i]
		case s2 + 2:
			stray = &r.Timeline[i]
		}
	}
	if stray == nil || stray.Ignored == "" {
		t.Errorf("the stray Advertise in attempt 2's window is not marked ignored: %+v", stray)
	}
	if lateEv == nil || lateEv.Ignored != "" {
		t.Errorf("attempt 2's late Release Reply is marked ignored: %+v", lateEv)
	}
	if !slices.ContainsFunc(r.Findings, func(f Finding) bool { return strings.HasPrefix(f.Summary, "Attempt 2 (IA_PD alone): ") }) {
		t.Error("no finding of the best attempt carried into the run's findings")
	}
}

// BestAttempt prefers the largest prefix, then the earliest attempt.
func TestBestAttempt(t *testing.T) {
	for _, tc := range []struct {
		rs   []AttemptResult
		want int
	}{
		{nil, 0},
		{[]AttemptResult{{Index: 1}, {Index: 2, DelegatedPrefixLength: 56}}, 0},
		{[]AttemptResult{{Index: 1}, {Index: 2, PrefixOK: true, DelegatedPrefixLength: 56}, {Index: 3, PrefixOK: true, DelegatedPrefixLength: 56}}, 2},
		{[]AttemptResult{{Index: 1, PrefixOK: true, DelegatedPrefixLength: 60}, {Index: 2, PrefixOK: true, DelegatedPrefixLength: 48}}, 2},
	} {
		if got := BestAttempt(tc.rs); got != tc.want {
			t.Errorf("BestAttempt(%+v) = %d, want %d", tc.rs, got, tc.want)
		}
	}
}

func mustParseMsg(t *testing.T, b []byte) *dhcpv6.Message {
	t.Helper()
	m, err := dhcpv6.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A live run is analysed attempt by attempt; frames that did not decode
// belong to the capture, not to an attempt, and must still be reported.
func TestAttemptsKeepUndecodableFrames(t *testing.T) {
	l := newLab(t)
	l.at(0).rs()
	l.at(3 * time.Millisecond).ra(managed)
	s1 := l.at(10*time.Millisecond).solicit(shape, xid(1))
	l.at(20 * time.Millisecond).server(advertise(xid(1), withPD("2001:db8:8000::/48")))
	broken := l.at(30*time.Millisecond).raw(capture.LinkTypeEthernet,
		ethernet(capture.MulticastMAC(allNodes), isp.mac, 0x86dd, withExtension(t, 0, managed.marshal(t), true)))

	facts := clientFacts
	facts.Attempts = []AttemptWindow{{Index: 1, Label: "IA_NA + IA_PD", DUID: clientDUID, TransactionIDs: []dhcpv6.TransactionID{xid(1)}, FirstFrame: s1}}
	r := l.analyze(facts)
	i := slices.IndexFunc(r.Findings, func(f Finding) bool { return f.ID == "capture-undecodable-frames" })
	if i < 0 {
		t.Fatalf("no capture-undecodable-frames finding in a run with attempts; findings %v", findingIDs(r))
	}
	if !slices.Equal(r.Findings[i].Frames, []int{broken}) {
		t.Errorf("undecodable frames %v, want [%d]", r.Findings[i].Frames, broken)
	}
}
