package dhcpv6

import (
	"fmt"
	"github.com/v6diag/v6diag/internal/entropy"
	mrand "math/rand/v2"
	"time"
)

// DefaultCollectWindow is how long the Client keeps collecting Advertises
// after the first one when ClientConfig.CollectWindow is 0. RFC 8415
// §18.2.1 has a client wait out its first retransmission timeout (odhcp6c
// does: 1 to 1.1 s); a diagnostic only needs the servers on the link, which
// answer within milliseconds, and must finish well before the router's own
// client would (issue 10: at most a fifth of odhcp6c's time to bound). An
// Advertise that arrives later is still in the capture, and the analysis
// judges it with the others.
const DefaultCollectWindow = 30 * time.Millisecond

// ClientConfig configures a Client. Time and randomness are injected so the
// exchange is testable without sleeping.
type ClientConfig struct {
	Identity Identity
	Shape    RequestShape
	// SolicitOnly stops after collecting Advertises: nothing is requested.
	SolicitOnly bool
	// NoRelease keeps what was obtained instead of releasing it.
	NoRelease bool
	// CollectWindow is how long to keep collecting Advertises after the
	// first (default DefaultCollectWindow). An Advertise with preference 255
	// ends collection at once (RFC 8415 §18.2.1).
	CollectWindow time.Duration
	// Rand returns samples uniform in [0,1), used for RAND (RFC 8415 §15).
	// nil means math/rand/v2.
	Rand func() float64
	// NewTransactionID returns a fresh transaction id for each exchange.
	// nil means crypto/rand.
	NewTransactionID func() TransactionID
	// Policy makes the client's decisions (which Advertise to request
	// from, when to solicit again with another shape, what a Reply binds);
	// nil means RFC 8415's rules (policy.go).
	Policy Policy
}

// Outgoing is one UDP payload for the caller to send from
// [link-local]:546 to [ff02::1:2]:547.
type Outgoing struct {
	Type          MessageType
	TransactionID TransactionID
	Payload       []byte
}

// Phase is where a Client is in the exchange.
type Phase int

// The phases of a Client.
const (
	PhaseIdle       Phase = iota // before Start
	PhaseSoliciting              // Solicit sent, collecting Advertises
	PhaseRequesting              // Request sent, awaiting Reply
	PhaseReleasing               // Release sent, awaiting Reply
	PhaseDone                    // nothing more to send
)

func (p Phase) String() string {
	switch p {
	case PhaseIdle:
		return "idle"
	case PhaseSoliciting:
		return "soliciting"
	case PhaseRequesting:
		return "requesting"
	case PhaseReleasing:
		return "releasing"
	case PhaseDone:
		return "done"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// Outcome says how a finished exchange ended. It is empty while the Client
// is still running.
type Outcome string

// The outcomes of a Client.
const (
	// OutcomeSolicitOnly: SolicitOnly was set; Advertises were collected.
	OutcomeSolicitOnly Outcome = "solicit-only"
	// OutcomeNoUsableAdvertise: the collect window closed and no Advertise
	// offered an address or prefix for what we asked (all carried
	// NoAddrsAvail/NoPrefixAvail or empty IAs). RFC 8415 §18.2.9 would keep
	// soliciting; a diagnostic stops and reports.
	OutcomeNoUsableAdvertise Outcome = "no-usable-advertise"
	// OutcomeRequestUnanswered: REQ_MAX_RC Requests went unanswered.
	OutcomeRequestUnanswered Outcome = "request-unanswered"
	// OutcomeNothingObtained: a Reply came, but bound no address or prefix.
	OutcomeNothingObtained Outcome = "nothing-obtained"
	// OutcomeObtained: leases obtained and kept (NoRelease).
	OutcomeObtained Outcome = "obtained"
	// OutcomeReleased: leases obtained, released, and the release answered.
	OutcomeReleased Outcome = "released"
	// OutcomeReleaseUnanswered: leases obtained and released, but REL_MAX_RC
	// Releases went unanswered.
	OutcomeReleaseUnanswered Outcome = "release-unanswered"
	// OutcomeFailed: a message could not be built; see ClientResult.Err.
	OutcomeFailed Outcome = "failed"
	// OutcomeStateless: the Policy gave up asking for addresses and
	// prefixes (odhcp6c falls back to Information-Requests).
	OutcomeStateless Outcome = "stateless"
)

// IgnoredMessage is a received message the Client discarded, and why
// (RFC 8415 §16 validation, or not fitting the exchange's state).
type IgnoredMessage struct {
	Message *Message
	Reason  string
}

// ClientResult is the whole conversation so far. It is meaningful at any
// time, not only in PhaseDone: partial results travel with failures.
type ClientResult struct {
	Outcome    Outcome
	Advertises []*Message // valid Advertises, usable or not, in arrival order
	Chosen     *Message   // the Advertise the Request was built from
	// RequestedNA and RequestedPD are what the Request asked for: what
	// the server may have bound even if its Reply never arrives.
	RequestedNA, RequestedPD []IA
	// Why says what the Policy decided last, when it said: why no Request
	// went out, why the client solicited again, why a Reply bound nothing.
	Why string
	// Resolicits counts the times the Policy made the client solicit again
	// with another shape.
	Resolicits   int
	Reply        *Message // the Reply to the Request (or the Rapid Commit Reply)
	RapidCommit  bool     // Reply answered the Solicit with Rapid Commit
	ReleaseReply *Message
	ObtainedNA   []IA // IA_NAs the Reply bound, only leases with valid lifetime > 0
	ObtainedPD   []IA // IA_PDs the Reply bound, likewise
	Ignored      []IgnoredMessage
	SolicitsSent int
	RequestsSent int
	ReleasesSent int
	// Err is why a message could not be built (Outcome "failed").
	Err error
	// Dropped counts Advertises and ignored messages past MaxKept each,
	// neither kept nor acted on.
	Dropped int
}

// MaxKept bounds the Advertises and the ignored messages a Client keeps:
// a flood of them must not grow memory for as long as the run lasts.
const MaxKept = 1000

// Client runs the client side of Solicit → Advertise → Request → Reply →
// Release (RFC 8415 §18.2) as a sans-IO state machine: it never reads a
// clock, sleeps, starts goroutines or touches the network. The caller
// passes the time into every call, sends the Outgoing payloads, hands in
// each DHCPv6 message it captures, and calls Tick at Deadline.
//
// Solicits have no retransmission count (RFC 8415 §18.2.1): with no
// Advertise at all the Client solicits for ever, RT capped at SOL_MAX_RT
// (or the server's valid SOL_MAX_RT option), so the caller bounds the run
// and reads Result, which holds everything seen so far.
type Client struct {
	cfg ClientConfig
	// shape is what the Solicits and the Request ask for now: the
	// configured shape until the Policy changes it.
	shape  RequestShape
	policy Policy
	// offers are the Advertises collected in this round, as the Policy
	// read them; chosen is the one the Request went to.
	offers []Offer
	chosen Offer
	// discardedRound is set when an answer to the current Solicit was
	// discarded; discardedRounds counts such rounds in a row.
	discardedRound  bool
	discardedRounds int
	phase           Phase
	xid             TransactionID
	sending         MessageType
	timer           retransmitter
	solMaxRT        time.Duration
	// collectUntil is when Advertise collection ends; zero before the
	// first Advertise.
	collectUntil time.Time
	// releaseTo is the Server ID of the Reply that bound our leases.
	releaseTo DUID
	res       ClientResult
}

// NewClient returns a Client in PhaseIdle.
func NewClient(cfg ClientConfig) *Client {
	if cfg.CollectWindow <= 0 {
		cfg.CollectWindow = DefaultCollectWindow
	}
	if cfg.Rand == nil {
		cfg.Rand = mrand.Float64
	}
	if cfg.NewTransactionID == nil {
		cfg.NewTransactionID = randomTransactionID
	}
	policy := cfg.Policy
	if policy == nil {
		policy = rfcPolicy{id: cfg.Identity}
	}
	return &Client{cfg: cfg, shape: cfg.Shape, policy: policy, solMaxRT: SolMaxRT}
}

// Shape is what the client asks for now: the configured shape, or the one
// its Policy switched to.
func (c *Client) Shape() RequestShape { return c.shape }

func randomTransactionID() TransactionID {
	var x TransactionID
	_ = entropy.Read(x[:]) // getrandom(2) fails only on kernels older than 3.17
	return x
}

// Phase reports where the Client is.
func (c *Client) Phase() Phase { return c.phase }

// Result returns the conversation so far.
func (c *Client) Result() ClientResult { return c.res }

// Start sends the first Solicit at once: a diagnostic tool skips the
// SOL_MAX_DELAY wait of RFC 8415 §18.2.1. It does nothing unless idle.
func (c *Client) Start(now time.Time) []Outgoing {
	if c.phase != PhaseIdle {
		return nil
	}
	c.phase = PhaseSoliciting
	c.xid = c.cfg.NewTransactionID()
	c.sending = MessageTypeSolicit
	c.timer.begin(now, SolTimeout, c.solMaxRT, 0, true, c.cfg.Rand())
	return c.send(now)
}

// Deadline is when Tick must next be called; zero when idle or done.
func (c *Client) Deadline() time.Time {
	switch c.phase {
	case PhaseIdle, PhaseDone:
		return time.Time{}
	case PhaseSoliciting:
		if !c.collectUntil.IsZero() {
			return c.collectUntil
		}
	}
	return c.timer.next
}

// Tick retransmits, gives up, or ends Advertise collection, whichever is
// due at now. Calling it early is harmless.
func (c *Client) Tick(now time.Time) []Outgoing {
	if c.phase == PhaseIdle || c.phase == PhaseDone {
		return nil
	}
	if c.phase == PhaseSoliciting && !c.collectUntil.IsZero() {
		if now.Before(c.collectUntil) {
			return nil
		}
		return c.endCollection(now)
	}
	if now.Before(c.timer.next) {
		return nil
	}
	if c.timer.exhausted() {
		switch c.phase {
		case PhaseRequesting:
			c.finish(OutcomeRequestUnanswered)
		case PhaseReleasing:
			c.finish(OutcomeReleaseUnanswered)
		}
		return nil
	}
	if c.phase == PhaseSoliciting && c.discardedRound {
		// Every answer to this Solicit was discarded, as to the one
		// before: the servers answer the same each time, and a client
		// that discards them (odhcp6c -Nforce) solicits for ever. A
		// diagnostic has seen enough.
		c.discardedRounds++
		c.discardedRound = false
		if c.discardedRounds >= discardedRoundsEnough {
			c.res.Why = "every Advertise was discarded, round after round"
			c.finish(OutcomeNoUsableAdvertise)
			return nil
		}
	}
	c.timer.transmit(now, c.cfg.Rand())
	return c.send(now)
}

// discardedRoundsEnough is how many Solicit rounds answered only by
// discarded Advertises end the exchange.
const discardedRoundsEnough = 2

// Receive handles one decoded message. What fails RFC 8415 §16 validation
// or does not fit the exchange is recorded in Result().Ignored with the
// reason, and changes nothing else.
func (c *Client) Receive(now time.Time, m *Message) []Outgoing {
	if m == nil {
		return nil
	}
	if reason := c.check(m); reason != "" {
		c.ignore(m, reason)
		return nil
	}
	c.learnSolMaxRT(m)
	switch {
	case m.Type == MessageTypeAdvertise:
		return c.advertise(now, m)
	case c.phase == PhaseSoliciting: // Rapid Commit Reply
		c.res.RapidCommit = true
		c.res.Reply = m
		c.chosen = c.policy.JudgeAdvertise(c.shape, m, c.timer.sent > 1)
		return c.bound(now, m)
	case c.phase == PhaseRequesting:
		c.res.Reply = m
		return c.bound(now, m)
	default: // PhaseReleasing
		c.res.ReleaseReply = m
		c.finish(OutcomeReleased)
		return nil
	}
}

// check returns why m must be ignored, or "" if it answers what we sent.
func (c *Client) check(m *Message) string {
	switch {
	case c.phase == PhaseIdle:
		return "client not started"
	case c.phase == PhaseDone:
		return "exchange already finished"
	case m.RelayHops > 0:
		return fmt.Sprintf("relayed %s (%d relay layers) is not addressed to a client", m.Type, m.RelayHops)
	case m.Type != MessageTypeAdvertise && m.Type != MessageTypeReply:
		return fmt.Sprintf("%s is not a message a client accepts", m.Type)
	case m.TransactionID != c.xid:
		return fmt.Sprintf("transaction id %s does not match our %s %s", m.TransactionID, c.sending, c.xid)
	case m.ClientID == nil:
		return fmt.Sprintf("%s has no Client ID", m.Type)
	case !m.ClientID.Equal(c.cfg.Identity.DUID):
		return fmt.Sprintf("%s Client ID %s is not ours (%s)", m.Type, m.ClientID, c.cfg.Identity.DUID)
	case len(m.ServerID) == 0:
		return fmt.Sprintf("%s has no Server ID", m.Type)
	}
	switch c.phase {
	case PhaseSoliciting:
		if m.Type == MessageTypeReply {
			if !m.RapidCommit {
				return "Reply to Solicit without Rapid Commit option"
			}
			if !c.shape.RapidCommit {
				return "Rapid Commit Reply to a Solicit that did not ask for Rapid Commit"
			}
		}
	case PhaseRequesting, PhaseReleasing:
		if m.Type == MessageTypeAdvertise {
			return fmt.Sprintf("Advertise while awaiting the Reply to our %s", c.sending)
		}
	}
	return ""
}

// learnSolMaxRT adopts a server's SOL_MAX_RT option if it is within the
// bounds of RFC 8415 §21.24.
func (c *Client) learnSolMaxRT(m *Message) {
	if !UsableSolMaxRT(m.SolMaxRT) {
		return
	}
	c.solMaxRT = *m.SolMaxRT
	if c.phase == PhaseSoliciting {
		c.timer.mrt = c.solMaxRT
	}
}

func (c *Client) advertise(now time.Time, m *Message) []Outgoing {
	if len(c.res.Advertises) >= MaxKept {
		c.res.Dropped++
		return nil
	}
	c.res.Advertises = append(c.res.Advertises, m)
	o := c.policy.JudgeAdvertise(c.shape, m, c.timer.sent > 1)
	if o.Discard != "" {
		c.ignore(m, o.Discard)
		c.discardedRound = true
		return nil
	}
	c.offers = append(c.offers, o)
	if c.collectUntil.IsZero() {
		c.collectUntil = now.Add(c.cfg.CollectWindow)
	}
	if o.Now && (c.cfg.SolicitOnly || o.Rank >= 0) {
		return c.endCollection(now)
	}
	return nil
}

func (c *Client) ignore(m *Message, reason string) {
	if len(c.res.Ignored) >= MaxKept {
		c.res.Dropped++
		return
	}
	c.res.Ignored = append(c.res.Ignored, IgnoredMessage{Message: m, Reason: reason})
}

// endCollection closes the Advertise window: the Policy picks the offer to
// request from, or has the client solicit again with another shape.
func (c *Client) endCollection(now time.Time) []Outgoing {
	c.collectUntil = time.Time{}
	if c.cfg.SolicitOnly {
		c.finish(OutcomeSolicitOnly)
		return nil
	}
	ch := c.policy.Choose(c.shape, c.offers)
	if ch.Why != "" {
		c.res.Why = ch.Why
	}
	switch {
	case ch.Stateless:
		c.finish(OutcomeStateless)
		return nil
	case ch.Resolicit != nil:
		// The same transaction goes on with the new shape, at once: the
		// next transmission is a retransmission (RFC 8415 §15), and
		// Advertises to the old shape no longer count.
		c.shape = *ch.Resolicit
		c.offers = nil
		c.res.Resolicits++
		c.timer.transmit(now, c.cfg.Rand())
		return c.send(now)
	case ch.Request < 0 || ch.Request >= len(c.offers):
		c.finish(OutcomeNoUsableAdvertise)
		return nil
	}
	return c.request(now, ch.Request)
}

// request sends the Request for offers[i] and drops it from the offers, so
// that a refused Reply can move on to the next.
func (c *Client) request(now time.Time, i int) []Outgoing {
	c.chosen = c.offers[i]
	c.offers = append(c.offers[:i:i], c.offers[i+1:]...)
	c.res.Chosen = c.chosen.Message
	c.res.RequestedNA, c.res.RequestedPD = c.chosen.NA, c.chosen.PD
	c.phase = PhaseRequesting
	c.xid = c.cfg.NewTransactionID()
	c.sending = MessageTypeRequest
	c.timer.begin(now, ReqTimeout, ReqMaxRT, ReqMaxRC, false, c.cfg.Rand())
	return c.send(now)
}

// bound takes the leases the Policy says a Reply binds and releases them,
// keeps them, or ends the exchange if there are none.
func (c *Client) bound(now time.Time, m *Message) []Outgoing {
	b := c.policy.JudgeReply(c.shape, c.chosen, m)
	c.res.ObtainedNA, c.res.ObtainedPD = b.NA, b.PD
	switch {
	case len(c.res.ObtainedNA) == 0 && len(c.res.ObtainedPD) == 0:
		c.res.Why = b.Refused
		c.finish(OutcomeNothingObtained)
		return nil
	case c.cfg.NoRelease:
		c.finish(OutcomeObtained)
		return nil
	}
	c.phase = PhaseReleasing
	c.xid = c.cfg.NewTransactionID()
	c.sending = MessageTypeRelease
	c.releaseTo = m.ServerID
	c.timer.begin(now, RelTimeout, 0, RelMaxRC, false, c.cfg.Rand())
	return c.send(now)
}

func (c *Client) finish(o Outcome) {
	c.phase = PhaseDone
	c.res.Outcome = o
	c.collectUntil = time.Time{}
}

// send builds the current message afresh (Elapsed Time changes with every
// retransmission) and counts it.
func (c *Client) send(now time.Time) []Outgoing {
	id, shape, elapsed := c.cfg.Identity, c.shape, c.timer.elapsed(now)
	var b []byte
	var err error
	var count *int
	switch c.sending {
	case MessageTypeSolicit:
		b, err = NewSolicit(id, shape, c.xid, elapsed)
		count = &c.res.SolicitsSent
	case MessageTypeRequest:
		b, err = NewRequestFor(id, shape, c.xid, elapsed, c.chosen.Message.ServerID, c.chosen.NA, c.chosen.PD)
		count = &c.res.RequestsSent
	case MessageTypeRelease:
		b, err = NewRelease(id, c.xid, elapsed, c.releaseTo, c.res.ObtainedNA, c.res.ObtainedPD)
		count = &c.res.ReleasesSent
	}
	if err != nil {
		c.res.Err = fmt.Errorf("dhcpv6: build %s: %w", c.sending, err)
		c.finish(OutcomeFailed)
		return nil
	}
	*count++
	return []Outgoing{{Type: c.sending, TransactionID: c.xid, Payload: b}}
}
