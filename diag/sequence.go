package diag

import (
	"fmt"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// timingSlack absorbs capture timestamp and scheduling jitter.
const timingSlack = 25 * time.Millisecond

// rtWindow is the range RFC 8415 §15 allows for the gap before
// transmission n (n ≥ 2), given the previous gap (0 for n = 2):
//
//	RT = IRT + RAND*IRT          (first RT; RAND > 0 for a Solicit)
//	RT = 2*RTprev + RAND*RTprev  (later ones)
//	RT = MRT + RAND*MRT          (if RT would exceed MRT)
//
// with RAND in [-0.1, +0.1]. The client's previous RT is taken to be the
// gap it actually left.
func rtWindow(t dhcpv6.Timing, prevGap time.Duration) (lo, hi time.Duration) {
	if prevGap == 0 {
		// RFC 8415 §18.2.1 wants RAND > 0 for a Solicit's first RT; common
		// clients (odhcp6c among them) draw it from ±0.1 like every other,
		// which is harmless, so the window is the same for all.
		lo, hi = scale(t.IRT, 0.9), scale(t.IRT, 1.1)
	} else {
		lo, hi = scale(prevGap, 1.9), scale(prevGap, 2.1)
	}
	if t.MRT > 0 {
		lo = min(lo, scale(t.MRT, 0.9))
		hi = min(hi, scale(t.MRT, 1.1))
	}
	return lo - timingSlack, hi + timingSlack
}

func scale(d time.Duration, f float64) time.Duration { return time.Duration(float64(d) * f) }

// sequence lists the client's DHCPv6 exchange message by message with its
// timing. A server's SOL_MAX_RT option (RFC 8415 §21.24) raises or lowers
// the Solicit's MRT from the message on.
func (a *Analyzer) sequence(x *exchange) []Step {
	type txn struct {
		first, last time.Time
		sent        int
		gap         time.Duration
	}
	txns := map[dhcpv6.TransactionID]*txn{}
	solMaxRT := dhcpv6.SolMaxRT
	var steps []Step
	for i := range a.events {
		e := &a.events[i]
		m := e.DHCP
		if m == nil || e.copyOf > 0 {
			continue
		}
		opener, ours := x.xids[m.TransactionID]
		if !ours {
			continue
		}
		s := Step{Frame: e.Frame, Kind: e.Kind, Direction: e.Direction, TransactionID: e.TransactionID, Offset: e.Offset, Ignored: e.Ignored, GapOK: true}
		t := txns[m.TransactionID]
		if e.Direction == DirectionOut {
			if !sameDUID(m.ClientID, x.client.DUID) {
				continue
			}
			if t == nil {
				t = &txn{first: e.Time}
				txns[m.TransactionID] = t
			}
			t.sent++
			s.Transmission = t.sent
			if t.sent > 1 {
				s.Gap = e.Time.Sub(t.last)
				if tm, ok := dhcpv6.TimingOf(m.Type); ok && m.Type == opener.DHCP.Type {
					if m.Type == dhcpv6.MessageTypeSolicit {
						tm.MRT = solMaxRT
					}
					lo, hi := rtWindow(tm, t.gap)
					s.GapMin, s.GapMax = max(lo, 0), hi
					s.GapOK = s.Gap >= lo && s.Gap <= hi
				}
				t.gap = s.Gap
			}
			t.last = e.Time
		} else {
			if t == nil {
				continue
			}
			s.Latency = e.Time.Sub(t.last)
			s.SinceFirst = e.Time.Sub(t.first)
			if e.Ignored == "" && dhcpv6.UsableSolMaxRT(m.SolMaxRT) {
				solMaxRT = *m.SolMaxRT
			}
		}
		steps = append(steps, s)
	}
	return steps
}

// sequenceChecks judges the order and timing of the exchange.
func (a *Analyzer) sequenceChecks(r *Result, x *exchange) []Finding {
	fs := &findingSet{}
	add := fs.add

	// Retransmissions against RFC 8415 §15.
	type count struct {
		kind   Kind
		xid    string
		frames []int
		offs   []string
	}
	var counts []*count
	byXID := map[string]*count{}
	var offTiming []Step
	for _, s := range r.Sequence {
		if s.Direction != DirectionOut {
			continue
		}
		c := byXID[s.TransactionID]
		if c == nil {
			c = &count{kind: s.Kind, xid: s.TransactionID}
			byXID[s.TransactionID] = c
			counts = append(counts, c)
		}
		if len(c.frames) < maxProblemFrames {
			c.frames = append(c.frames, s.Frame)
		}
		c.offs = append(c.offs, fmt.Sprintf("+%.3fs", s.Offset.Seconds()))
		if !s.GapOK {
			offTiming = append(offTiming, s)
		}
	}
	for _, c := range counts {
		n := len(c.offs)
		switch {
		case c.kind == Kind(dhcpv6.MessageTypeRequest.String()) && n > dhcpv6.ReqMaxRC:
			add(Finding{ID: "dhcpv6-request-max-rc-exceeded", Severity: SeverityWarn, RFC: "RFC 8415 §18.2.2", Frames: c.frames,
				Summary: fmt.Sprintf("The client sent the Request (transaction %s) %d times; RFC 8415 stops after REQ_MAX_RC = %d and starts over with a Solicit.", c.xid, n, dhcpv6.ReqMaxRC)})
			fallthrough
		case c.kind == Kind(dhcpv6.MessageTypeRequest.String()) && n > 1:
			add(Finding{ID: "dhcpv6-request-retransmissions", Severity: SeverityInfo, RFC: "RFC 8415 §15", Frames: c.frames,
				Summary: fmt.Sprintf("The Request (transaction %s) went out %d times, at %s.", c.xid, n, joinOffsets(c.offs))})
		}
	}
	if len(offTiming) > 0 {
		var parts []string
		var fr []int
		for i, s := range offTiming {
			if i == 6 {
				parts = append(parts, "…")
				break
			}
			parts = append(parts, fmt.Sprintf("%s in frame %d came %.3f s after the previous one (RFC 8415 allows %.3f–%.3f s)",
				s.Kind, s.Frame, s.Gap.Seconds(), s.GapMin.Seconds(), s.GapMax.Seconds()))
		}
		for _, s := range offTiming {
			fr = append(fr, s.Frame)
		}
		add(Finding{ID: "dhcpv6-retransmission-timing", Severity: SeverityWarn, RFC: "RFC 8415 §15", Frames: mergeFrames(fr),
			Summary: fmt.Sprintf("The client's retransmissions do not follow RFC 8415's timers: %s.", strings.Join(parts, "; "))})
	}

	// Order: a Request follows an Advertise from the server it names, in a
	// transaction of its own (RFC 8415 §18.2.2).
	if len(x.solicits) > 0 {
		for _, rq := range x.requests {
			if x.xids[rq.DHCP.TransactionID] != rq {
				if o := x.xids[rq.DHCP.TransactionID]; o.DHCP.Type != dhcpv6.MessageTypeRequest {
					add(Finding{ID: "dhcpv6-sequence-out-of-order", Severity: SeverityWarn, RFC: "RFC 8415 §18.2.2", Frames: []int{o.Frame, rq.Frame},
						Summary: fmt.Sprintf("The Request in frame %d reuses the transaction id %s of the %s in frame %d; a Request opens a new transaction.", rq.Frame, rq.TransactionID, o.Kind, o.Frame)})
				}
				continue
			}
			seen := false
			for _, ad := range x.advertises {
				if ad.Frame < rq.Frame && sameDUID(ad.DHCP.ServerID, rq.DHCP.ServerID) {
					seen = true
					break
				}
			}
			if !seen {
				add(Finding{ID: "dhcpv6-sequence-out-of-order", Severity: SeverityWarn, RFC: "RFC 8415 §18.2.2", Frames: []int{rq.Frame},
					Summary: fmt.Sprintf("The Request in frame %d names server %s, from which no valid Advertise came before it.", rq.Frame, rq.DHCP.ServerID)})
			}
		}
	}

	// Slow servers: the first answer in a transaction, against the first
	// transmission (RFC 8415 §7.6: the client retransmits after 1 s).
	answered := map[string]bool{}
	for _, s := range r.Sequence {
		if s.Direction != DirectionIn || s.Ignored != "" || answered[s.TransactionID] {
			continue
		}
		answered[s.TransactionID] = true
		if s.SinceFirst > slowAnswer {
			c := byXID[s.TransactionID]
			add(Finding{ID: "dhcpv6-slow-server", Severity: SeverityWarn, RFC: "RFC 8415 §7.6", Frames: mergeFrames(c.frames[:1], []int{s.Frame}),
				Summary: fmt.Sprintf("The %s in frame %d came %.3f s after the first %s (%.3f s after the latest of %d); clients retransmit after 1 s, so a server this slow keeps them waiting.",
					s.Kind, s.Frame, s.SinceFirst.Seconds(), c.kind, s.Latency.Seconds(), len(c.offs)),
				ForISP: fmt.Sprintf("Please check the DHCPv6 server's load or the relay path: it took %.3f s to answer.", s.SinceFirst.Seconds())})
		}
	}
	return fs.list
}

func joinOffsets(offs []string) string {
	if len(offs) > 12 {
		offs = append(offs[:12:12], "…")
	}
	return strings.Join(offs, ", ")
}
