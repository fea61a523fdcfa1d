package live

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/odhcp6c"
	"github.com/v6diag/v6diag/uciconfig"
)

// Strategy says how many request shapes a run tries (--strategy).
type Strategy string

// The strategies.
const (
	// StrategyAuto starts with the router's own shape and, until one works,
	// tries next what the last answers suggest, within --timeout.
	StrategyAuto Strategy = "auto"
	// StrategyFirst makes one attempt only.
	StrategyFirst Strategy = "first"
	// StrategyAll tries every rung, even after one worked.
	StrategyAll Strategy = "all"
)

// ParseStrategy reads a --strategy value.
func ParseStrategy(s string) (Strategy, error) {
	switch st := Strategy(s); st {
	case StrategyAuto, StrategyFirst, StrategyAll:
		return st, nil
	}
	return "", fmt.Errorf("live: unknown strategy %q (want auto, first or all)", s)
}

// Rung is one request shape of the ladder: odhcp6c with some arguments,
// which decide both what its Solicit asks for and how it treats the
// answers (odhcp6c.Policy), plus what odhcp6c cannot do: Rapid Commit, and
// the router's own DUID sent by v6diag.
type Rung struct {
	Args odhcp6c.Args
	// RapidCommit adds Rapid Commit to the Solicit, which odhcp6c never
	// sends: a question for the ISP, not a config.
	RapidCommit bool
	// RouterDUID sends the DUID-LL of the WAN MAC — the identity odhcp6c
	// uses by default — instead of v6diag's own DUID (ISPs that bind the
	// line to the CPE's MAC).
	RouterDUID bool
	// Why says what made the ladder try this rung.
	Why string
	// Skipped, when set, says why the rung was not run.
	Skipped string
}

// key identifies a rung's arguments and identity, whatever the reasons.
func (r Rung) key() string {
	return fmt.Sprintf("%s rc=%v ll=%v", r.Args, r.RapidCommit, r.RouterDUID)
}

// Shape is what the rung's Solicit asks for on host.
func (r Rung) Shape(h odhcp6c.Host) dhcpv6.RequestShape {
	s := r.Args.Shape(h)
	s.RapidCommit = r.RapidCommit
	return s
}

// Config reports whether the rung is a config the user can set on wan6:
// not with Rapid Commit, which odhcp6c cannot send, and not with the
// router's DUID sent under v6diag's own IAIDs.
func (r Rung) Config() bool { return !r.RapidCommit && !r.RouterDUID }

// Label says in words what the rung sends, e.g. "IA_PD alone with /56 hint,
// Client FQDN, Reconfigure Accept".
func (r Rung) Label() string {
	s := r.Shape(odhcp6c.Host{HostName: "x"})
	var b strings.Builder
	switch {
	case s.IANA && s.IAPD:
		b.WriteString("IA_NA + IA_PD")
	case s.IAPD:
		b.WriteString("IA_PD alone")
	default:
		b.WriteString("IA_NA alone")
	}
	if s.IAPD {
		if s.PrefixLength > 0 {
			fmt.Fprintf(&b, " with /%d hint", s.PrefixLength)
		} else {
			b.WriteString(" with no prefix hint")
		}
	}
	parts := []string{}
	if s.RapidCommit {
		parts = append(parts, "Rapid Commit")
	}
	if s.ClientFQDN != "" {
		parts = append(parts, "Client FQDN")
	} else {
		parts = append(parts, "no Client FQDN")
	}
	if s.ReconfigureAccept {
		parts = append(parts, "Reconfigure Accept")
	} else {
		parts = append(parts, "no Reconfigure Accept")
	}
	if r.RouterDUID {
		parts = append(parts, "DUID-LL of the WAN MAC")
	}
	return b.String() + ", " + strings.Join(parts, ", ")
}

// Netifd returns the settings of r; routerDUID is the DUID-LL of the WAN
// MAC, written out as clientid for a RouterDUID rung so the suggestion
// holds even where a global DUID was configured.
func (r Rung) Netifd(routerDUID dhcpv6.DUID) uciconfig.ClientSettings {
	a := r.Args
	n := uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddress(a.Addresses), ReqPrefix: uciconfig.ReqPrefixNo,
		NoClientFQDN: a.NoClientFQDN, NoAcceptReconfig: a.NoAcceptReconfig, ForcePrefix: a.ForcePrefix}
	if n.ReqAddress == "" {
		n.ReqAddress = uciconfig.ReqAddressTry
	}
	if len(a.Prefixes) > 0 {
		n.ReqPrefix = uciconfig.ReqPrefix(max(a.Prefixes[0].Length, 0))
	}
	switch {
	case r.RouterDUID:
		n.ClientID = routerDUID.String()
	case len(a.ClientID) > 0:
		n.ClientID = dhcpv6.DUID(a.ClientID).String()
	}
	return n
}

// Advice names the netifd settings of r that differ from those of the
// router's own arguments (base), as a phrase for the verdict ("reqaddress
// 'try' on wan6"), and whether they are a config change at all (Rapid
// Commit is not: odhcp6c cannot send it).
func (r Rung) Advice(base Rung, routerDUID dhcpv6.DUID) (string, bool) {
	if r.RapidCommit {
		return "The DHCPv6 server answers only a Solicit with Rapid Commit, which odhcp6c cannot send: the ISP must answer a plain Solicit", false
	}
	n, b := r.Netifd(routerDUID), base.Netifd(routerDUID)
	var opts []string
	if n.ReqAddress != b.ReqAddress {
		opts = append(opts, fmt.Sprintf("reqaddress '%s'", n.ReqAddress))
	}
	if n.ReqPrefix != b.ReqPrefix {
		opts = append(opts, fmt.Sprintf("reqprefix '%s'", n.ReqPrefix))
	}
	if n.NoClientFQDN != b.NoClientFQDN {
		opts = append(opts, fmt.Sprintf("noclientfqdn '%s'", bit(n.NoClientFQDN)))
	}
	if n.NoAcceptReconfig != b.NoAcceptReconfig {
		opts = append(opts, fmt.Sprintf("noacceptreconfig '%s'", bit(n.NoAcceptReconfig)))
	}
	if n.ForcePrefix != b.ForcePrefix {
		opts = append(opts, fmt.Sprintf("forceprefix '%s'", bit(n.ForcePrefix)))
	}
	if n.ClientID != b.ClientID {
		opts = append(opts, fmt.Sprintf("clientid '%s'", n.ClientID))
	}
	if len(opts) == 0 {
		if r.RouterDUID {
			return "the router's own DUID-LL (its odhcp6c's default identity)", false
		}
		return "the router's own wan6 settings", true
	}
	return strings.Join(opts, ", ") + " on wan6", r.Config()
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// The modifications a ladder applies to a rung, each one setting a user can
// make (or, for Rapid Commit, a fact the ISP must hear).
func pdOnly(r Rung) (Rung, bool) {
	if r.Args.Addresses == odhcp6c.AddressNone || len(r.Args.Prefixes) == 0 {
		return r, false
	}
	r.Args.Addresses = odhcp6c.AddressNone
	return r, true
}

// tryAddress lets odhcp6c go on without an address: -Nforce discards
// every Advertise that offers none.
func tryAddress(r Rung) (Rung, bool) {
	if r.Args.Addresses != odhcp6c.AddressForce {
		return r, false
	}
	r.Args.Addresses = odhcp6c.AddressTry
	return r, true
}

// noForcePrefix drops -F, which discards every Advertise without a prefix.
func noForcePrefix(r Rung) (Rung, bool) {
	if !r.Args.ForcePrefix {
		return r, false
	}
	r.Args.ForcePrefix = false
	return r, true
}

func naOnly(r Rung) (Rung, bool) {
	if len(r.Args.Prefixes) == 0 {
		return r, false
	}
	r.Args.Prefixes = nil
	r.Args.ForcePrefix = false
	if r.Args.Addresses == odhcp6c.AddressNone {
		r.Args.Addresses = odhcp6c.AddressTry
	}
	return r, true
}

// hint sets the first -P's length, adding a -P where the rung asks for no
// prefix (netifd's reqprefix 'no').
func hint(n int) func(Rung) (Rung, bool) {
	return func(r Rung) (Rung, bool) {
		if len(r.Args.Prefixes) == 0 {
			r.Args.Prefixes = []odhcp6c.PrefixRequest{{Length: n, IAID: [4]byte{0, 0, 0, 1}}}
			return r, true
		}
		if r.Args.Prefixes[0].Length == n {
			return r, false
		}
		ps := slices.Clone(r.Args.Prefixes)
		ps[0].Length = n
		r.Args.Prefixes = ps
		return r, true
	}
}

func rapidCommit(r Rung) (Rung, bool) {
	r.RapidCommit = !r.RapidCommit
	return r, true
}

func noFQDN(r Rung) (Rung, bool) {
	if r.Args.NoClientFQDN {
		return r, false
	}
	r.Args.NoClientFQDN = true
	return r, true
}

func noReconfigureAccept(r Rung) (Rung, bool) {
	if r.Args.NoAcceptReconfig {
		return r, false
	}
	r.Args.NoAcceptReconfig = true
	return r, true
}

func routerDUID(r Rung) (Rung, bool) {
	if r.RouterDUID {
		return r, false
	}
	r.RouterDUID = true
	return r, true
}

type modification struct {
	apply func(Rung) (Rung, bool)
	why   string
}

// everyRung is the fixed order of --strategy all, and the fallback order of
// auto once the evidence has no better idea.
var everyRung = []modification{
	{tryAddress, "go on without an address (netifd reqaddress 'try')"},
	{noForcePrefix, "go on without a prefix in the Advertise (no forceprefix)"},
	{hint(0), "IA_PD with no hint (netifd reqprefix 'auto')"},
	{pdOnly, "IA_PD alone (netifd reqaddress 'none')"},
	{hint(56), "a /56 hint"},
	{hint(60), "a /60 hint"},
	{naOnly, "IA_NA alone: is any prefix offered here?"},
	{rapidCommit, "Rapid Commit on/off"},
	{noFQDN, "without Client FQDN (netifd noclientfqdn)"},
	{noReconfigureAccept, "without Reconfigure Accept (netifd noacceptreconfig)"},
	{routerDUID, "the router's DUID-LL (netifd clientid)"},
}

// suggest lists what to try after an attempt that ran rung and got res,
// most promising first (issue 3's ladder, ordered by evidence).
func suggest(res diag.AttemptResult, rung Rung, wanted int) []modification {
	var out []modification
	if res.DelegatedPrefixLength > 0 && wanted > 0 && res.DelegatedPrefixLength > wanted && res.PrefixHint != wanted {
		out = append(out, modification{hint(wanted), fmt.Sprintf("a /%d came: ask for the /%d wanted", res.DelegatedPrefixLength, wanted)})
	}
	has := func(code string) bool {
		for _, c := range res.StatusCodes {
			if c == code {
				return true
			}
		}
		return false
	}
	if res.Answered && !res.PrefixOK {
		// What odhcp6c's own arguments refuse comes first: -Nforce drops
		// an offer without an address, -F one without a prefix, and
		// without -P it asks for no prefix at all.
		out = append(out,
			modification{tryAddress, "-Nforce refuses answers without an address: try reqaddress 'try'"},
			modification{noForcePrefix, "-F refuses answers without a prefix: try without forceprefix"})
		if len(rung.Args.Prefixes) == 0 {
			out = append(out, modification{hint(0), "the config asks for no prefix: try reqprefix 'auto'"})
		}
	}
	if !res.Answered {
		// Nothing answered: something in the Solicit made the server drop
		// it, or the server wants another identity.
		// Settings the user can make come first: a config that gets an
		// answer is the fix; Rapid Commit and the router's DUID are
		// questions for the ISP.
		return []modification{
			{pdOnly, "no answer: does the server drop Solicits with an IA_NA?"},
			{noFQDN, "no answer: does the server drop Solicits with a Client FQDN?"},
			{noReconfigureAccept, "no answer: does the server drop Solicits with Reconfigure Accept?"},
			{rapidCommit, "no answer: does the server answer only Rapid Commit?"},
			{routerDUID, "no answer: does the ISP bind the line to the router's MAC?"},
		}
	}
	if rung.Args.Addresses != odhcp6c.AddressNone && (has("NoAddrsAvail") || !res.AddressObtained) {
		out = append(out, modification{pdOnly, "NoAddrsAvail or no address for IA_NA: try IA_PD alone"})
	}
	switch {
	case res.DelegatedPrefixLength > 0 && res.PrefixHint > 0 && res.DelegatedPrefixLength > res.PrefixHint:
		out = append(out,
			modification{hint(res.DelegatedPrefixLength), fmt.Sprintf("a /%d came for a /%d hint: ask for what the ISP gives", res.DelegatedPrefixLength, res.PrefixHint)},
			modification{hint(0), "a smaller prefix than asked: try no hint"})
	case !res.PrefixInAnswer || has("NoPrefixAvail"):
		why := "no IA_PD in the answer"
		if has("NoPrefixAvail") {
			why = "NoPrefixAvail"
		}
		out = append(out,
			modification{hint(0), why + ": try IA_PD with no hint"},
			modification{hint(56), why + ": try a /56 hint"},
			modification{hint(60), why + ": try a /60 hint"},
			modification{naOnly, why + ": is anything but an address offered?"})
	}
	if res.Verdict.Code == diag.CodeRequestUnanswered {
		out = append(out,
			modification{rapidCommit, "the Request got no Reply: try Rapid Commit, which needs no Request"},
			modification{noFQDN, "the Request got no Reply: try without Client FQDN"},
			modification{noReconfigureAccept, "the Request got no Reply: try without Reconfigure Accept"})
	}
	return out
}

// score ranks an attempt's outcome for choosing the base of the next rungs:
// a large enough prefix, then any prefix, then an address or an offer, then
// any answer, then nothing.
func score(res diag.AttemptResult) int {
	switch {
	case res.PrefixOK:
		return 5
	case res.DelegatedPrefixLength > 0:
		return 4
	case res.AddressObtained || res.PrefixInAnswer:
		return 3
	case res.Answered:
		return 2
	}
	return 1
}

// Planner chooses the rungs of the ladder. It is pure: it sees only the
// per-attempt diagnoses it is given.
type Planner struct {
	strategy Strategy
	first    Rung
	// routerDUIDSkip, when set, is why the DUID-LL rung may not run.
	routerDUIDSkip string
	tried          map[string]bool
	done           bool
	// best is the rung whose outcome ranks highest so far (the first on
	// ties, since it is closest to the router's own settings).
	best      Rung
	bestRes   diag.AttemptResult
	bestScore int
	// wanted is the prefix length the user wants (--prefix-len).
	wanted int
}

// NewPlanner starts a ladder whose first rung is first. routerDUIDSkip,
// when not empty, keeps the DUID-LL rung from running and says why.
func NewPlanner(strategy Strategy, first Rung, routerDUIDSkip string, wanted int) *Planner {
	return &Planner{strategy: strategy, first: first, routerDUIDSkip: routerDUIDSkip,
		tried: map[string]bool{first.key(): true}, best: first, wanted: wanted}
}

// First is the rung of the first attempt.
func (p *Planner) First() Rung { return p.first }

// Record takes the diagnosis of the attempt that ran rung.
func (p *Planner) Record(rung Rung, res diag.AttemptResult) {
	p.tried[rung.key()] = true
	if s := score(res); s > p.bestScore {
		p.best, p.bestRes, p.bestScore = rung, res, s
	}
	if p.strategy == StrategyFirst || (p.strategy == StrategyAuto && res.PrefixOK) {
		p.done = true
	}
}

// Stop ends the ladder (no time left, a kept lease).
func (p *Planner) Stop() { p.done = true }

func (p *Planner) candidates() []Rung {
	if p.done {
		return nil
	}
	var mods []modification
	base := p.first
	if p.strategy == StrategyAuto {
		base = p.best
		if p.bestScore > 0 {
			mods = suggest(p.bestRes, p.best, p.wanted)
		}
	}
	mods = append(mods, everyRung...)
	var out []Rung
	for _, m := range mods {
		r, ok := m.apply(base)
		if !ok || p.tried[r.key()] {
			continue
		}
		r.Why = m.why
		if r.RouterDUID && p.routerDUIDSkip != "" {
			r.Skipped = p.routerDUIDSkip
		}
		out = append(out, r)
	}
	return out
}

// Next returns the next rung, which may be one to record as skipped (its
// Skipped says why); false ends the ladder.
func (p *Planner) Next() (Rung, bool) {
	c := p.candidates()
	if len(c) == 0 {
		return Rung{}, false
	}
	p.tried[c[0].key()] = true
	return c[0], true
}

// Pending counts the rungs the ladder would still run if nothing worked,
// to share the time left among them.
func (p *Planner) Pending() int {
	seen := map[string]bool{}
	n := 0
	for _, r := range p.candidates() {
		if r.Skipped == "" && !seen[r.key()] {
			seen[r.key()] = true
			n++
		}
	}
	return n
}

// Budget figures: a first attempt on a line that never answers must put at
// least four Solicits on the wire, at about 0, 1, 3 and 7 s (RFC 8415 §15:
// SOL_TIMEOUT 1 s doubling, ±10%, so the fourth goes out by 8.5 s at the
// latest), and wait a moment for an answer to the last; every later attempt
// gets at least time for three Solicits.
const (
	FirstAttemptMin = 10 * time.Second
	MinAttempt      = 3500 * time.Millisecond
)

// AttemptBudget returns how long attempt index (1-based) may run, given
// the whole --timeout total, the time left, and how many rungs may still
// follow it (pending, not counting this one); false means there is no time
// for it. The first attempt gets a third of the run, at least
// FirstAttemptMin, or all of it with --strategy first; later ones share what
// is left, each at least MinAttempt; an attempt after which less than
// MinAttempt would be left takes the rest.
func AttemptBudget(index int, strategy Strategy, total, left time.Duration, pending int) (time.Duration, bool) {
	if left <= 0 {
		return 0, false
	}
	var slot time.Duration
	switch {
	case index == 1 && (strategy == StrategyFirst || pending == 0):
		return left, true
	case index == 1:
		slot = max(FirstAttemptMin, total/3)
	case left < MinAttempt:
		return 0, false
	default:
		slot = max(MinAttempt, left/time.Duration(pending+1))
	}
	if left-slot < MinAttempt {
		// Too little would be left for another attempt: this one takes it,
		// so that the run still ends at --timeout.
		slot = left
	}
	return slot, true
}
