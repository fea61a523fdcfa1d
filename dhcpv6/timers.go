package dhcpv6

import "time"

// Transmission and retransmission parameters of RFC 8415 §7.6 (unchanged
// in RFC 9915) for the exchanges v6diag runs.
const (
	SolTimeout = 1 * time.Second    // SOL_TIMEOUT: initial Solicit timeout
	SolMaxRT   = 3600 * time.Second // SOL_MAX_RT: max Solicit timeout
	ReqTimeout = 1 * time.Second    // REQ_TIMEOUT: initial Request timeout
	ReqMaxRT   = 30 * time.Second   // REQ_MAX_RT: max Request timeout
	ReqMaxRC   = 10                 // REQ_MAX_RC: max Request transmissions
	RelTimeout = 1 * time.Second    // REL_TIMEOUT: initial Release timeout
	// RelMaxRC is REL_MAX_RC. RFC 3315 had 5; RFC 8415 §7.6 lowered it to 4.
	RelMaxRC = 4
)

// Timing is one client message's transmission parameters (RFC 8415 §7.6,
// §15): the initial and the maximum retransmission time (MRT 0: none) and
// the maximum transmission count (MRC 0: unlimited).
type Timing struct {
	IRT, MRT time.Duration
	MRC      int
}

// TimingOf returns RFC 8415 §7.6's parameters for a message a client
// retransmits, so that the client here and a diagnosis of someone else's
// client hold the exchange to one table; ok is false for other types. A
// Solicit's MRT is the default SOL_MAX_RT, which a server may change
// (UsableSolMaxRT).
func TimingOf(t MessageType) (tm Timing, ok bool) {
	switch t {
	case MessageTypeSolicit:
		return Timing{SolTimeout, SolMaxRT, 0}, true
	case MessageTypeRequest:
		return Timing{ReqTimeout, ReqMaxRT, ReqMaxRC}, true
	case MessageTypeConfirm: // CNF_TIMEOUT, CNF_MAX_RT; CNF_MAX_RD bounds it
		return Timing{1 * time.Second, 4 * time.Second, 0}, true
	case MessageTypeRenew: // REN_TIMEOUT, REN_MAX_RT; T2 ends it
		return Timing{10 * time.Second, 600 * time.Second, 0}, true
	case MessageTypeRebind: // REB_TIMEOUT, REB_MAX_RT; the valid lifetimes end it
		return Timing{10 * time.Second, 600 * time.Second, 0}, true
	case MessageTypeRelease:
		return Timing{RelTimeout, 0, RelMaxRC}, true
	case MessageTypeDecline: // DEC_TIMEOUT, DEC_MAX_RC (RFC 3315 had 5)
		return Timing{1 * time.Second, 0, 4}, true
	case MessageTypeInformationRequest: // INF_TIMEOUT, INF_MAX_RT
		return Timing{1 * time.Second, 3600 * time.Second, 0}, true
	}
	return Timing{}, false
}

// Bounds a server's SOL_MAX_RT option must respect to be used
// (RFC 8415 §21.24).
const (
	minServerSolMaxRT = 60 * time.Second
	maxServerSolMaxRT = 86400 * time.Second
)

// UsableSolMaxRT reports whether a server's SOL_MAX_RT option (nil:
// absent) lies within RFC 8415 §21.24's bounds, so that a client takes it.
func UsableSolMaxRT(d *time.Duration) bool {
	return d != nil && *d >= minServerSolMaxRT && *d <= maxServerSolMaxRT
}

// randFactor maps u, uniform in [0,1), to RAND, uniform in [-0.1,+0.1)
// (RFC 8415 §15). For the first Solicit timeout RAND must be strictly
// positive (RFC 8415 §18.2.1), so there u maps to (0,+0.1).
func randFactor(u float64, positive bool) float64 {
	u = min(max(u, 0), 1)
	if positive {
		return 0.1 * max(u, 1e-6)
	}
	return 0.2*u - 0.1
}

// RetransmissionTimeout is RFC 8415 §15's RT for the next transmission.
// prev is the previous RT (0 for the first transmission), irt the initial
// and mrt the maximum retransmission time (0: no maximum), rand a sample
// uniform in [0,1) that becomes RAND in [-0.1,+0.1), and first reports the
// first RT of a Solicit, whose RAND must be greater than 0 (§18.2.1):
//
//	RT = IRT + RAND*IRT          (first transmission)
//	RT = 2*RTprev + RAND*RTprev  (later ones)
//	RT = MRT + RAND*MRT          (if RT would exceed MRT)
func RetransmissionTimeout(prev, irt, mrt time.Duration, rand float64, first bool) time.Duration {
	r := randFactor(rand, first && prev <= 0)
	var rt float64
	if prev <= 0 {
		rt = float64(irt) + r*float64(irt)
	} else {
		rt = 2*float64(prev) + r*float64(prev)
	}
	if mrt > 0 && rt > float64(mrt) {
		rt = float64(mrt) + r*float64(mrt)
	}
	return time.Duration(rt)
}

// retransmitter tracks one client-initiated exchange (RFC 8415 §15): when
// it started, how often the message went out, and when it goes out next.
type retransmitter struct {
	irt, mrt time.Duration
	mrc      int // 0: unlimited
	solicit  bool
	start    time.Time
	rt       time.Duration
	sent     int
	next     time.Time
}

// begin records the first transmission at now.
func (r *retransmitter) begin(now time.Time, irt, mrt time.Duration, mrc int, solicit bool, rand float64) {
	*r = retransmitter{irt: irt, mrt: mrt, mrc: mrc, solicit: solicit, start: now}
	r.transmit(now, rand)
}

// transmit records one transmission at now and schedules the next.
func (r *retransmitter) transmit(now time.Time, rand float64) {
	r.rt = RetransmissionTimeout(r.rt, r.irt, r.mrt, rand, r.solicit)
	r.sent++
	r.next = now.Add(r.rt)
}

// exhausted reports whether MRC transmissions went out: the exchange fails
// when the last one's RT expires (RFC 8415 §15).
func (r *retransmitter) exhausted() bool { return r.mrc > 0 && r.sent >= r.mrc }

// elapsed is the Elapsed Time for a transmission at now (RFC 8415 §21.9).
func (r *retransmitter) elapsed(now time.Time) time.Duration { return now.Sub(r.start) }
