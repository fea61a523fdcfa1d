package diag

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/odhcp6c"
)

// AttemptWindow tells the analysis which frames of a live run belong to one
// attempt of the strategy ladder: the DUID it used, the transaction ids of
// its messages (Solicit, Request, Release), and the frames captured while it
// ran. An attempt's answers are found by transaction id, so a late Reply
// that arrives during the next attempt still counts for its own.
type AttemptWindow struct {
	// Index is the attempt's 1-based number, as report.json shows it.
	Index int
	// Label says in words what the attempt sent.
	Label string
	// Advice is the sentence the verdict adds when this attempt is the
	// best, e.g. "IPv6 works here with reqaddress 'none'".
	Advice string
	// AdviceIsConfig is set when Advice is a change the user can make in
	// /etc/config/network (not so for Rapid Commit, which odhcp6c lacks).
	AdviceIsConfig bool
	DUID           dhcpv6.DUID
	TransactionIDs []dhcpv6.TransactionID
	// Args are the odhcp6c arguments the attempt emulated (its own
	// verdict speaks for odhcp6c with them), ArgsText as a command line;
	// Config is set when they are a config the user can set (not so for
	// Rapid Commit, or the router's DUID sent as v6diag's own).
	Args     odhcp6c.Args
	ArgsText string
	Config   bool
	// RouterDUID is set when the attempt sent the router's own DUID-LL,
	// the identity its odhcp6c uses unless a clientid is configured.
	RouterDUID bool
	// FirstFrame and LastFrame bound the frames captured while the attempt
	// ran; LastFrame 0 leaves the window open to the end of the capture.
	// Foreign DHCPv6 traffic (other transaction ids) in the window counts
	// for this attempt, so that stray answers are still diagnosed.
	FirstFrame, LastFrame int
}

// AttemptResult is the diagnosis of one attempt, made by the same analysis
// as the whole run, restricted to the attempt's own messages (and all Router
// Advertisements, which belong to the link, not to an attempt).
type AttemptResult struct {
	Index   int
	Verdict Verdict
	// Answered is set when a valid Advertise or Reply answered it.
	Answered bool
	// PrefixOK is set when a prefix at least as large as the hint was
	// delegated (confirmed by a Reply, or offered in a Solicit-only run):
	// DHCPv6 worked, whatever the Router Advertisements said.
	PrefixOK bool
	// DelegatedPrefixLength is the length of the largest prefix delegated;
	// 0 when none.
	DelegatedPrefixLength int
	// PrefixHint is the IA Prefix length the attempt asked for; 0 none.
	PrefixHint int
	// StatusCodes lists, once each in the order met, the non-success status
	// codes in the answers (message level and inside IAs).
	StatusCodes []string
	// AddressObtained is set when an IA_NA address was bound (or offered,
	// Solicit-only).
	AddressObtained bool
	// PrefixInAnswer is set when an answer carried an IA_PD with a usable
	// prefix, whether or not it was then bound.
	PrefixInAnswer bool
	// RapidCommit is set when a Rapid Commit Reply answered the Solicit.
	RapidCommit bool
	// FirstFrame and LastFrame are the first and last frames of the
	// attempt's own DHCPv6 messages; 0 when it has none.
	FirstFrame, LastFrame int
	Solicits, Requests    int
	Releases              int
	// RouterPrefix and RouterAddress are what odhcp6c with the attempt's
	// arguments gets (its model over the attempt's messages); zero when
	// none.
	RouterPrefix  netip.Prefix
	RouterAddress netip.Addr
	// Config is the attempt window's: its arguments are a config the user
	// can set.
	Config bool
}

// Attempt analyses one attempt while a live run goes on, so that the ladder
// chooses its next rung from the same analysis that writes the report. all
// lists every attempt so far (w included): their messages are kept out of
// w's window.
func (a *Analyzer) Attempt(w AttemptWindow, all []AttemptWindow) AttemptResult {
	sub, _ := a.scope(w, all)
	return attemptResult(w, sub.Finish(), a.facts.WantedPrefixLength)
}

// scope returns a fresh Analyzer over the events of attempt w: every event
// that is not DHCPv6, w's own messages, and foreign DHCPv6 messages inside
// its frame window. idx maps the new events to a.events.
func (a *Analyzer) scope(w AttemptWindow, all []AttemptWindow) (*Analyzer, []int) {
	mine := map[dhcpv6.TransactionID]bool{}
	for _, x := range w.TransactionIDs {
		mine[x] = true
	}
	others := map[dhcpv6.TransactionID]bool{}
	for _, o := range all {
		if o.Index == w.Index {
			continue
		}
		for _, x := range o.TransactionIDs {
			if !mine[x] {
				others[x] = true
			}
		}
	}
	inWindow := func(frame int) bool {
		return frame >= w.FirstFrame && (w.LastFrame == 0 || frame <= w.LastFrame)
	}
	f := a.facts
	f.Attempts = nil
	f.ClientDUID = w.DUID
	if f.RouterClient != nil {
		rc := *f.RouterClient
		rc.Args, rc.ArgsText = w.Args, w.ArgsText
		f.RouterClient = &rc
	}
	sub := &Analyzer{facts: f, stats: a.stats, problems: a.problems, unsupported: a.unsupported,
		undecodable: a.undecodable, firstDecodeError: a.firstDecodeError}
	var idx []int
	for i, e := range a.events {
		if isDHCPv6Event(e) {
			switch {
			case e.DHCP != nil && mine[e.DHCP.TransactionID]:
			case e.DHCP != nil && others[e.DHCP.TransactionID]:
				continue
			case !inWindow(e.Frame):
				continue
			}
		}
		sub.events = append(sub.events, e)
		idx = append(idx, i)
	}
	return sub, idx
}

func isDHCPv6Event(e Event) bool {
	return e.DHCP != nil || (e.Kind != KindRouterSolicitation && e.Kind != KindRouterAdvertisement)
}

// attemptResult reads the per-attempt figures off the attempt's diagnosis.
func attemptResult(w AttemptWindow, res *Result, want int) AttemptResult {
	ar := AttemptResult{Index: w.Index, Verdict: res.Verdict, PrefixHint: res.Client.PrefixHint,
		Solicits: res.Client.Solicits, Requests: res.Client.Requests, Releases: res.Client.Releases,
		AddressObtained: len(res.Addresses) > 0, Config: w.Config}
	if rc := res.RouterClient; rc != nil && !rc.Predicted {
		ar.RouterPrefix, ar.RouterAddress = rc.Prefix, rc.Address
	}
	for _, p := range res.DelegatedPrefixes {
		if ar.DelegatedPrefixLength == 0 || p.Prefix.Bits() < ar.DelegatedPrefixLength {
			ar.DelegatedPrefixLength = p.Prefix.Bits()
		}
	}
	if want == 0 {
		want = ar.PrefixHint
	}
	ar.PrefixOK = ar.DelegatedPrefixLength > 0 && (want == 0 || ar.DelegatedPrefixLength <= want)
	mine := map[dhcpv6.TransactionID]dhcpv6.MessageType{}
	for _, e := range res.Timeline {
		m := e.DHCP
		if m == nil || !slices.Contains(w.TransactionIDs, m.TransactionID) {
			continue
		}
		if ar.FirstFrame == 0 || e.Frame < ar.FirstFrame {
			ar.FirstFrame = e.Frame
		}
		ar.LastFrame = max(ar.LastFrame, e.Frame)
		if e.Direction == DirectionOut {
			if _, seen := mine[m.TransactionID]; !seen {
				mine[m.TransactionID] = m.Type
			}
			continue
		}
		if e.Ignored != "" || (m.Type != dhcpv6.MessageTypeAdvertise && m.Type != dhcpv6.MessageTypeReply) {
			continue
		}
		opener := mine[m.TransactionID]
		if opener == dhcpv6.MessageTypeRelease {
			continue // a Release's Reply says nothing about what the ISP offers
		}
		ar.Answered = true
		ar.RapidCommit = ar.RapidCommit || (m.Type == dhcpv6.MessageTypeReply && opener == dhcpv6.MessageTypeSolicit)
		ar.PrefixInAnswer = ar.PrefixInAnswer || hasPrefix(m)
		for _, s := range statuses(m) {
			if !slices.Contains(ar.StatusCodes, s) {
				ar.StatusCodes = append(ar.StatusCodes, s)
			}
		}
	}
	return ar
}

// statuses names every non-success status in m, message level first.
func statuses(m *dhcpv6.Message) []string {
	var out []string
	for st := range allStatuses(m, m.IANA, m.IAPD) {
		if st.Code != dhcpv6.StatusSuccess {
			out = append(out, st.Name())
		}
	}
	return out
}

// BestAttempt picks the attempt that worked best: among those whose
// DHCPv6 exchange delegated a large enough prefix, the one with the largest
// prefix, then the earliest (closest to the router's own settings). It
// returns 0 when none worked.
func BestAttempt(results []AttemptResult) int {
	best := -1
	for i, r := range results {
		if !r.PrefixOK {
			continue
		}
		if best < 0 || r.DelegatedPrefixLength < results[best].DelegatedPrefixLength {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	return results[best].Index
}

// finishAttempts is Finish for a live run with a strategy ladder: each
// attempt is analysed on its own; the first one's diagnosis is the run's
// (it is what the router's own client meets), the timeline holds every
// frame, the leases and servers of all attempts are listed, and the verdict
// names the best combination found. It returns nil when the run had no
// attempt windows.
func (a *Analyzer) finishAttempts() *Result {
	ws := a.facts.Attempts
	if len(ws) == 0 {
		return nil
	}
	for i := range a.events {
		a.events[i].Offset = a.offset(a.events[i].Time)
	}
	timeline := slices.Clone(a.events)
	results := make([]*Result, len(ws))
	attempts := make([]AttemptResult, len(ws))
	for i, w := range ws {
		sub, idx := a.scope(w, ws)
		results[i] = sub.Finish()
		attempts[i] = attemptResult(w, results[i], a.facts.WantedPrefixLength)
		for j, e := range results[i].Timeline {
			if isDHCPv6Event(e) {
				timeline[idx[j]].Ignored = e.Ignored
			}
		}
	}
	r := *results[0]
	r.Timeline = timeline
	r.Attempts = attempts
	r.BestAttempt = BestAttempt(attempts)
	r.Findings = append(slices.Clone(r.Findings), a.ladderFindings(r.Findings)...) // across attempts (checks_dhcpv6.go)
	for _, other := range results[1:] {
		r.Client.Solicits += other.Client.Solicits
		r.Client.Requests += other.Client.Requests
		r.Client.Releases += other.Client.Releases
		r.Servers = mergeServers(r.Servers, other.Servers)
		r.DelegatedPrefixes = mergeLeases(r.DelegatedPrefixes, other.DelegatedPrefixes)
		r.Addresses = mergeLeases(r.Addresses, other.Addresses)
		for _, d := range other.DNS {
			if !slices.Contains(r.DNS, d) {
				r.DNS = append(r.DNS, d)
			}
		}
	}
	if r.RouterClient != nil {
		rc := *r.RouterClient
		rc.Attempt = attempts[0].Index
		r.RouterClient = &rc
	}
	if r.Suggested != nil && r.Suggested.Attempt == 0 {
		// netifd's defaults, where the config runs no client: attempt 1
		// ran them.
		sg := *r.Suggested
		sg.Attempt = attempts[0].Index
		r.Suggested = &sg
	}
	a.routerVerdict(&r, ws, attempts)
	if r.BestAttempt == 0 || r.BestAttempt == attempts[0].Index || attempts[0].PrefixOK {
		return &r
	}
	bi := slices.IndexFunc(ws, func(w AttemptWindow) bool { return w.Index == r.BestAttempt })
	// The best attempt's own findings that the first attempt lacks (the
	// prefix it was delegated, its Release) are evidence too.
	for _, f := range results[bi].Findings {
		if !slices.ContainsFunc(r.Findings, func(g Finding) bool { return g.ID == f.ID }) {
			f.Summary = fmt.Sprintf("Attempt %d (%s): %s", ws[bi].Index, ws[bi].Label, f.Summary)
			r.Findings = append(r.Findings, f)
		}
	}
	return &r
}

// BetterConfig returns the index in attempts of the attempt whose
// arguments are a config the user can set and with which odhcp6c gets more
// than the router gets now (rc): a prefix where it gets none, or a larger
// one; the largest, then the earliest. -1 when none does.
func BetterConfig(rc *RouterClient, attempts []AttemptResult) int {
	best := -1
	for i, at := range attempts {
		if i == 0 || !at.Config || !at.RouterPrefix.IsValid() {
			continue
		}
		if rc != nil && rc.Got() && at.RouterPrefix.Bits() >= rc.Prefix.Bits() {
			continue
		}
		if best < 0 || at.RouterPrefix.Bits() < attempts[best].RouterPrefix.Bits() {
			best = i
		}
	}
	return best
}

// routerIdentityGets handles the line that answers only the router's own
// DUID-LL: v6diag's own DUID got nothing, but the attempt that sent the
// DUID-LL with the router's own arguments got a prefix, so the router's
// odhcp6c — which sends that DUID unless a clientid is set — gets it too.
// It rewrites r.RouterClient and reports whether it did.
func (a *Analyzer) routerIdentityGets(r *Result, ws []AttemptWindow, attempts []AttemptResult) bool {
	rc := r.RouterClient
	f := a.facts.RouterClient
	if rc == nil || rc.Got() || f == nil || len(f.Args.ClientID) > 0 {
		return false
	}
	for i, w := range ws {
		at := attempts[i]
		if !w.RouterDUID || w.ArgsText != ws[0].ArgsText || !at.RouterPrefix.IsValid() {
			continue
		}
		got := *rc
		got.Prefix, got.Address = at.RouterPrefix, at.RouterAddress
		got.Attempt = w.Index
		got.Explanation = fmt.Sprintf("The ISP answers only the router's own DUID-LL: v6diag's own DUID got nothing (attempt %d), but attempt %d, with the router's DUID-LL and arguments, got %s, as the router's odhcp6c does.",
			ws[0].Index, w.Index, at.RouterPrefix)
		r.RouterClient = &got
		return true
	}
	return false
}

// routerVerdict settles who must act for a live run, from what the
// router's own client gets (attempt 1, odhcp6c with the router's
// arguments) and what the other attempts prove: the user when a config
// they can set gets the router a prefix it lacks, or one as large as
// wanted; the ISP when no client setting gets what was wanted; nobody when
// the router already gets it.
func (a *Analyzer) routerVerdict(r *Result, ws []AttemptWindow, attempts []AttemptResult) {
	rc := r.RouterClient
	if !dhcpVerdict(r.Verdict.Code) || (rc != nil && rc.NotRunning) {
		return
	}
	if rc == nil {
		// No router client named: the best request shape speaks, and a
		// config change that got a prefix is the user's to make.
		if r.BestAttempt != 0 && r.BestAttempt != attempts[0].Index && !attempts[0].PrefixOK {
			i := slices.IndexFunc(attempts, func(at AttemptResult) bool { return at.Index == r.BestAttempt })
			r.Verdict.Summary += fmt.Sprintf(" %s. Attempt %d (%s) was delegated a /%d.", ws[i].Advice, ws[i].Index, ws[i].Label, attempts[i].DelegatedPrefixLength)
			if ws[i].AdviceIsConfig {
				r.Verdict.WhoMustAct = PartyUser
			}
		}
		return
	}
	want := a.facts.WantedPrefixLength
	enough := func(p netip.Prefix) bool { return p.IsValid() && (want == 0 || p.Bits() <= want) }
	if rc != nil && enough(rc.Prefix) {
		return
	}
	if a.routerIdentityGets(r, ws, attempts) {
		rc = r.RouterClient
		if enough(rc.Prefix) {
			r.Verdict = Verdict{CodeOK, "IPv6 works for the router: " + rc.Explanation, PartyNobody}
		} else if rc.Got() {
			r.Verdict = Verdict{CodePrefixSmallerThanRequested, fmt.Sprintf("The router gets %s, smaller than the /%d wanted: %s", rc.Prefix, want, rc.Explanation), PartyISP}
		}
		return
	}
	bi := BetterConfig(rc, attempts)
	if bi < 0 {
		// No config the ladder tried gets the router more. Where other
		// request shapes (Rapid Commit, the router's DUID) got a prefix,
		// the verdict names them; the ISP must act on them.
		if r.BestAttempt != 0 && r.BestAttempt != attempts[0].Index {
			i := slices.IndexFunc(attempts, func(at AttemptResult) bool { return at.Index == r.BestAttempt })
			r.Verdict.Summary += fmt.Sprintf(" %s. Attempt %d (%s) was delegated a /%d.", ws[i].Advice, ws[i].Index, ws[i].Label, attempts[i].DelegatedPrefixLength)
		}
		if len(attempts) > 1 && r.Verdict.WhoMustAct == PartyUser && r.Verdict.Code != CodeConfigBlocksPrefix {
			r.Verdict.WhoMustAct = PartyISP
		}
		return
	}
	w, at := ws[bi], attempts[bi]
	r.Verdict.Summary += fmt.Sprintf(" With %s, odhcp6c gets %s (attempt %d, %s).", w.Advice, at.RouterPrefix, w.Index, w.Label)
	r.Suggested = &Suggested{Attempt: w.Index, Advice: w.Advice, ArgsText: w.ArgsText, Prefix: at.RouterPrefix, Address: at.RouterAddress}
	if !enough(at.RouterPrefix) {
		r.Verdict.WhoMustAct = PartyISP
		return
	}
	r.Verdict.WhoMustAct = PartyUser
	if !rc.Got() && a.facts.RouterClient != nil && len(a.facts.RouterClient.Args.Prefixes) == 0 {
		// The router asks for no prefix (reqprefix 'no'); asking gets one.
		r.Verdict.Code = CodeConfigBlocksPrefix
		r.Verdict.Summary = "The ISP delegates a prefix, but the router's configuration does not ask for one (reqprefix 'no')." +
			strings.TrimPrefix(r.Verdict.Summary[strings.Index(r.Verdict.Summary, " With "):], "")
	}
}

func mergeServers(into, more []Server) []Server {
	for _, s := range more {
		i := slices.IndexFunc(into, func(t Server) bool { return t.ServerID.Equal(s.ServerID) })
		if i < 0 {
			into = append(into, s)
			continue
		}
		into[i].Messages += s.Messages
		for _, f := range s.Frames {
			if len(into[i].Frames) < maxProblemFrames {
				into[i].Frames = append(into[i].Frames, f)
			}
		}
	}
	return into
}

func mergeLeases(into, more []Lease) []Lease {
	for _, l := range more {
		if !slices.ContainsFunc(into, func(k Lease) bool { return k.Prefix == l.Prefix && k.Frame == l.Frame }) {
			into = append(into, l)
		}
	}
	return into
}
