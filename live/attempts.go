package live

import (
	"fmt"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/odhcp6c"
	"github.com/v6diag/v6diag/uciconfig"
)

// Attempt is one rung of the ladder as the run went: what it sent, where
// its frames are, and — for the ladder's own choices — how the analysis
// judged it while the run went on. The report's per-attempt verdicts come
// from the analysis of the whole capture with these windows.
type Attempt struct {
	Index int
	Rung  Rung
	// Label says in words what the attempt sent.
	Label string
	// Netifd are the settings that make odhcp6c send this shape.
	Netifd uciconfig.ClientSettings
	// Advice is the verdict's sentence should this attempt be the best.
	Advice         string
	AdviceIsConfig bool
	Identity       dhcpv6.Identity
	// Skipped, when set, says why the attempt did not run; the fields
	// below are then zero.
	Skipped        string
	Started, Ended time.Time
	// Window is what the analysis needs to tell this attempt's frames.
	Window diag.AttemptWindow
	Client dhcpv6.ClientResult
	// Judged is the analysis of the attempt when it ended.
	Judged diag.AttemptResult
	// ReleasedAtEnd is set when the attempt ran out of time holding (or
	// possibly holding) a lease, and the ladder released it.
	ReleasedAtEnd bool
}

// ladderConfig is what a ladder needs from the run.
type ladderConfig struct {
	Strategy Strategy
	// Client holds what all attempts share: v6diag's own DUID (the IAIDs
	// and shape come from each rung's arguments), and the Solicit-only,
	// no-release, randomness and transaction id settings.
	Client dhcpv6.ClientConfig
	// RouterArgs are the odhcp6c arguments the router's config gives:
	// the first rung. Host is what odhcp6c reads from the router (WAN
	// device, host name).
	RouterArgs odhcp6c.Args
	Host       odhcp6c.Host
	// Wanted is the prefix length the user wants (--prefix-len).
	Wanted int
	// RouterIdentity is the identity of a RouterDUID rung: the DUID-LL of
	// the WAN MAC. An empty DUID keeps such rungs from running.
	RouterIdentity dhcpv6.Identity
	// RouterDUIDSkip, when set, says why the DUID-LL rung may not run.
	RouterDUIDSkip string
	Start, End     time.Time
	// Judge analyses attempt w from the frames captured so far.
	Judge func(w diag.AttemptWindow, all []diag.AttemptWindow) diag.AttemptResult
	// Frames returns how many frames were captured so far.
	Frames func() int
}

// ladder runs the attempts one after the other as a sans-IO state machine,
// as dhcpv6.Client does for one exchange: the caller passes the time in,
// sends what it returns, hands in each DHCPv6 message it captures and calls
// Tick at Deadline. Every attempt is a fresh Client with its own
// transaction ids, and what an attempt obtained is released before the next
// starts.
type ladder struct {
	cfg      ladderConfig
	planner  *Planner
	attempts []Attempt
	cur      *Attempt
	client   *dhcpv6.Client
	// until is when the running attempt must end.
	until time.Time
	// closing is set while the ladder waits for the Reply to a Release it
	// sent itself for an attempt that ran out of time; closeBy bounds it.
	closing    bool
	closeBy    time.Time
	releaseXID dhcpv6.TransactionID
	finished   bool
}

// releaseGrace bounds the wait for the Reply to a Release the ladder or an
// interrupted run sends: short, since the run must go on or end.
const releaseGrace = 700 * time.Millisecond

func newLadder(cfg ladderConfig) *ladder {
	first := Rung{Args: cfg.RouterArgs}
	skip := cfg.RouterDUIDSkip
	if skip == "" && len(cfg.RouterIdentity.DUID) == 0 {
		skip = "the WAN has no MAC address to build a DUID-LL from"
	}
	if skip == "" && cfg.RouterIdentity.DUID.Equal(cfg.Client.Identity.DUID) {
		skip = "the first attempt already used the DUID-LL"
	}
	return &ladder{cfg: cfg, planner: NewPlanner(cfg.Strategy, first, skip, cfg.Wanted)}
}

// Start runs the first attempt.
func (l *ladder) Start(now time.Time) []dhcpv6.Outgoing {
	return l.startAttempt(now, l.planner.First())
}

// Done reports that no attempt runs and none will.
func (l *ladder) Done() bool { return l.finished }

// Attempts returns every attempt so far, skipped ones included.
func (l *ladder) Attempts() []Attempt { return l.attempts }

// Client is the running attempt's client, nil between attempts.
func (l *ladder) Client() *dhcpv6.Client {
	if l.cur == nil {
		return nil
	}
	return l.client
}

// Deadline is when Tick must next be called; zero when done.
func (l *ladder) Deadline() time.Time {
	if l.finished || l.cur == nil {
		return time.Time{}
	}
	if l.closing {
		return l.closeBy
	}
	d := l.until
	if c := l.client.Deadline(); !c.IsZero() && c.Before(d) {
		d = c
	}
	return d
}

// Tick drives the running attempt's timers and ends it when it is over.
func (l *ladder) Tick(now time.Time) []dhcpv6.Outgoing {
	if l.finished || l.cur == nil {
		return nil
	}
	if l.closing {
		if now.Before(l.closeBy) {
			return nil
		}
		return l.endAttempt(now)
	}
	var out []dhcpv6.Outgoing
	if d := l.client.Deadline(); !d.IsZero() && !now.Before(d) {
		out = l.track(l.client.Tick(now))
	}
	if l.client.Phase() == dhcpv6.PhaseDone || !now.Before(l.until) {
		out = append(out, l.close(now)...)
	}
	return out
}

// Receive hands a captured DHCPv6 message to the running attempt.
func (l *ladder) Receive(now time.Time, m *dhcpv6.Message) []dhcpv6.Outgoing {
	if l.finished || l.cur == nil || m == nil {
		return nil
	}
	if l.closing {
		if m.Type == dhcpv6.MessageTypeReply && m.TransactionID == l.releaseXID {
			if l.client.Phase() == dhcpv6.PhaseReleasing {
				l.client.Receive(now, m) // the client's own Release: it records the Reply
			}
			return l.endAttempt(now)
		}
		return nil
	}
	out := l.track(l.client.Receive(now, m))
	if l.client.Phase() == dhcpv6.PhaseDone {
		out = append(out, l.close(now)...)
	}
	return out
}

// Interrupt ends the ladder at once. It returns the Release for what the
// running attempt may hold (nil if nothing), and whether a Release is out
// whose Reply (transaction id xid) the caller should wait for briefly.
func (l *ladder) Interrupt(now time.Time) (out []dhcpv6.Outgoing, xid dhcpv6.TransactionID, wait bool) {
	if l.finished || l.cur == nil {
		l.finished = true
		return nil, xid, false
	}
	switch {
	case l.closing:
		wait = true
	case l.client.Phase() == dhcpv6.PhaseReleasing:
		l.releaseXID, wait = l.lastXID(), true
	default:
		out = l.releaseHeld()
		wait = len(out) > 0
	}
	xid = l.releaseXID
	l.planner.Stop()
	l.finishAttempt(now)
	l.finished = true
	return out, xid, wait
}

// lastXID is the transaction id of the running attempt's latest message.
func (l *ladder) lastXID() dhcpv6.TransactionID {
	xs := l.cur.Window.TransactionIDs
	if len(xs) == 0 {
		return dhcpv6.TransactionID{}
	}
	return xs[len(xs)-1]
}

// owns reports whether x is the transaction id of a message an attempt
// sent.
func (l *ladder) owns(x dhcpv6.TransactionID) bool {
	for i := range l.attempts {
		for _, y := range l.attempts[i].Window.TransactionIDs {
			if x == y {
				return true
			}
		}
	}
	return false
}

// track records the transaction ids of what the running attempt sends.
func (l *ladder) track(out []dhcpv6.Outgoing) []dhcpv6.Outgoing {
	for _, o := range out {
		w := &l.cur.Window
		if len(w.TransactionIDs) == 0 || w.TransactionIDs[len(w.TransactionIDs)-1] != o.TransactionID {
			w.TransactionIDs = append(w.TransactionIDs, o.TransactionID)
		}
	}
	return out
}

// identity is who an attempt claims to be: v6diag's own DUID with the
// IAIDs odhcp6c would use with the rung's arguments, or, for a RouterDUID
// rung, the router's DUID-LL with v6diag's own IAIDs, so that a server
// binding per DUID and IAID keeps that attempt apart from the router's own
// lease.
func (l *ladder) identity(r Rung) dhcpv6.Identity {
	if r.RouterDUID {
		return l.cfg.RouterIdentity
	}
	return r.Args.Identity(l.cfg.Client.Identity.DUID, l.cfg.Host)
}

// advice is what the verdict says should r be the best rung.
func (l *ladder) advice(r Rung) (string, bool) {
	return r.Advice(l.planner.First(), l.cfg.RouterIdentity.DUID)
}

func (l *ladder) startAttempt(now time.Time, r Rung) []dhcpv6.Outgoing {
	index := len(l.attempts) + 1
	budget, ok := AttemptBudget(index, l.cfg.Strategy, l.cfg.End.Sub(l.cfg.Start), l.cfg.End.Sub(now), l.planner.Pending())
	if !ok {
		l.skipRest(r, fmt.Sprintf("no time left in --timeout (%s)", l.cfg.End.Sub(l.cfg.Start).Round(time.Second)))
		return nil
	}
	advice, isConfig := l.advice(r)
	a := Attempt{Index: index, Rung: r, Label: r.Label(), Netifd: r.Netifd(l.cfg.RouterIdentity.DUID),
		Advice: advice, AdviceIsConfig: isConfig, Identity: l.identity(r), Started: now}
	if index == 1 {
		a.Label += " (the router's odhcp6c)"
	}
	a.Window = diag.AttemptWindow{Index: index, Label: a.Label, Advice: advice, AdviceIsConfig: isConfig,
		DUID: a.Identity.DUID, FirstFrame: l.cfg.Frames() + 1,
		Args: r.Args, ArgsText: r.Args.String(), Config: r.Config(), RouterDUID: r.RouterDUID}
	l.attempts = append(l.attempts, a)
	l.cur = &l.attempts[len(l.attempts)-1]
	cc := l.cfg.Client
	cc.Identity, cc.Shape = a.Identity, r.Shape(l.cfg.Host)
	cc.Policy = odhcp6c.NewPolicy(r.Args, l.cfg.Host)
	l.client = dhcpv6.NewClient(cc)
	l.until = now.Add(budget)
	l.closing = false
	return l.track(l.client.Start(now))
}

// skipRest records r, the rung that was due next, as skipped for why, and
// ends the ladder.
func (l *ladder) skipRest(r Rung, why string) {
	if r.Skipped == "" {
		r.Skipped = why
	}
	l.recordSkipped(r)
	l.planner.Stop()
	l.finished = true
}

func (l *ladder) recordSkipped(r Rung) {
	advice, isConfig := l.advice(r)
	l.attempts = append(l.attempts, Attempt{Index: len(l.attempts) + 1, Rung: r, Label: r.Label(),
		Netifd: r.Netifd(l.cfg.RouterIdentity.DUID), Advice: advice, AdviceIsConfig: isConfig,
		Identity: l.identity(r), Skipped: r.Skipped})
}

// close ends the running attempt, first releasing what it may hold, or
// waiting briefly for the Reply to the client's own Release.
func (l *ladder) close(now time.Time) []dhcpv6.Outgoing {
	if l.client.Phase() == dhcpv6.PhaseReleasing {
		l.releaseXID = l.lastXID()
		l.closing, l.closeBy = true, now.Add(releaseGrace)
		return nil
	}
	out := l.releaseHeld()
	if len(out) == 0 {
		return l.endAttempt(now)
	}
	l.cur.ReleasedAtEnd = true
	l.closing, l.closeBy = true, now.Add(releaseGrace)
	return out
}

// releaseHeld builds a Release for what the running attempt holds or may
// hold: the leases a Reply bound and the client has not released, or what
// the chosen Advertise offered when the Request is out unanswered (the
// server may have bound it already). It returns nil when nothing is held,
// or when the client's own Release is already out.
func (l *ladder) releaseHeld() []dhcpv6.Outgoing {
	cc := l.cfg.Client
	if cc.SolicitOnly {
		return nil
	}
	res := l.client.Result()
	phase := l.client.Phase()
	if res.Outcome == dhcpv6.OutcomeReleased || phase == dhcpv6.PhaseReleasing {
		return nil
	}
	if res.Outcome == dhcpv6.OutcomeObtained && cc.NoRelease {
		return nil // kept, as --no-release asks
	}
	na, pd := res.ObtainedNA, res.ObtainedPD
	server := res.Reply
	if len(na)+len(pd) == 0 && res.Chosen != nil && phase == dhcpv6.PhaseRequesting {
		na, pd = res.RequestedNA, res.RequestedPD
		server = res.Chosen
	}
	if server == nil || len(na)+len(pd) == 0 {
		return nil
	}
	xid := randomXID()
	if cc.NewTransactionID != nil {
		xid = cc.NewTransactionID()
	}
	payload, err := dhcpv6.NewRelease(l.cur.Identity, xid, 0, server.ServerID, na, pd)
	if err != nil {
		return nil
	}
	l.releaseXID = xid
	return l.track([]dhcpv6.Outgoing{{Type: dhcpv6.MessageTypeRelease, TransactionID: xid, Payload: payload}})
}

func (l *ladder) finishAttempt(now time.Time) {
	a := l.cur
	a.Ended = now
	a.Client = l.client.Result()
	a.Window.LastFrame = l.cfg.Frames()
	a.Judged = l.cfg.Judge(a.Window, l.windows())
	if a.Rung.RapidCommit && !a.Judged.RapidCommit {
		// The server answered with a plain Advertise: Rapid Commit was not
		// what made the difference, so the advice must not say it was.
		plain := a.Rung
		plain.RapidCommit = false
		a.Advice, a.AdviceIsConfig = l.advice(plain)
		a.Window.Advice, a.Window.AdviceIsConfig = a.Advice, a.AdviceIsConfig
	}
	l.planner.Record(a.Rung, a.Judged)
	l.cur, l.closing = nil, false
}

// windows lists the windows of the attempts that ran.
func (l *ladder) windows() []diag.AttemptWindow {
	var ws []diag.AttemptWindow
	for _, a := range l.attempts {
		if a.Skipped == "" {
			ws = append(ws, a.Window)
		}
	}
	return ws
}

// endAttempt judges the attempt that just ended and starts the next rung,
// recording the skipped ones on the way.
func (l *ladder) endAttempt(now time.Time) []dhcpv6.Outgoing {
	kept := l.client.Result().Outcome == dhcpv6.OutcomeObtained
	index := l.cur.Index
	l.finishAttempt(now)
	for {
		r, ok := l.planner.Next()
		switch {
		case !ok:
			l.finished = true
			return nil
		case kept:
			l.skipRest(r, fmt.Sprintf("--no-release keeps the lease of attempt %d", index))
			return nil
		case r.Skipped != "":
			l.recordSkipped(r)
			continue
		}
		return l.startAttempt(now, r)
	}
}
