package odhcp6c

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// Seen is one DHCPv6 message between the client under diagnosis and the
// servers, in capture order, as the caller decoded it.
type Seen struct {
	Frame      int
	FromClient bool
	Message    *dhcpv6.Message
	// Ignored is set when the message fails RFC 8415 §16 validation for
	// this client (wrong Client ID, no Server ID…): odhcp6c drops it too.
	Ignored bool
}

// Lease is an address or prefix odhcp6c ends up with.
type Lease struct {
	Prefix             netip.Prefix // an address is a /128
	Preferred, Valid   time.Duration
	IAID               [4]byte
	Frame              int
	ConfirmedByReply   bool
	OfferedInAdvertise int // the frame of the Advertise it was offered in
}

// Result is what odhcp6c gets on the line the messages show.
type Result struct {
	// Prefixes and Addresses are what it binds (or, when Predicted, what
	// the Advertise it would request from offers).
	Prefixes, Addresses []Lease
	// Predicted is set when the capture holds no Reply to the Request
	// odhcp6c would send: the leases are those offered, not bound.
	Predicted bool
	// Incomplete is set when the capture lacks the answer to a message
	// odhcp6c would send (it would solicit with another shape than the
	// capture's client did, and the answers to that client stand in; or
	// it would request from a server the capture's client did not).
	Incomplete bool
	// Stateless is set when odhcp6c falls back to Information-Requests.
	Stateless bool
	// Discarded is set when odhcp6c discards every answer for what its
	// arguments insist on (-Nforce, -F, -D).
	Discarded bool
	// Explanation is one sentence, with frame numbers.
	Explanation string
	// Steps are the decisions, in order, each a sentence with frames.
	Steps []string
	// Frames are the frames the explanation rests on.
	Frames []int
}

// Got reports whether odhcp6c ends up with a prefix.
func (r Result) Got() bool { return len(r.Prefixes) > 0 }

// LargestPrefix is the shortest prefix it gets; the zero Prefix if none.
func (r Result) LargestPrefix() netip.Prefix {
	var best netip.Prefix
	for _, l := range r.Prefixes {
		if !best.IsValid() || l.Prefix.Bits() < best.Bits() {
			best = l.Prefix
		}
	}
	return best
}

// maxSteps bounds the fallbacks a simulation follows (odhcp6c drops at
// most IA_NA and IA_PD, once each, before it requests or goes stateless).
const maxSteps = 4

// solicitShape is what a Solicit asked for.
type solicitShape struct{ na, pd bool }

func shapeOf(m *dhcpv6.Message) solicitShape {
	return solicitShape{na: len(m.IANA) > 0, pd: len(m.IAPD) > 0}
}

func (s solicitShape) String() string {
	switch {
	case s.na && s.pd:
		return "an address and a prefix"
	case s.pd:
		return "a prefix alone"
	case s.na:
		return "an address alone"
	}
	return "neither address nor prefix"
}

// Simulate says what odhcp6c with arguments a gets from the servers whose
// answers the messages show: it follows odhcp6c's decisions (which
// Advertise it discards, which server it prefers, when it drops IA_NA or
// IA_PD and asks again, which Reply it takes) over the answers to the
// Solicits and Requests in the capture that have the shape odhcp6c would
// send at each step. The client in the capture need not be odhcp6c: where
// it did not send what odhcp6c would, the result says so (Incomplete).
func Simulate(a Args, h Host, msgs []Seen) Result {
	st := a.State(h)
	// The IA_NA's IAID is the one the capture's client used, so that a
	// Reply to another client's name is judged by its own IAID.
	for _, s := range msgs {
		if s.FromClient && s.Message.Type == dhcpv6.MessageTypeSolicit && len(s.Message.IANA) > 0 {
			st.NAIAID = s.Message.IANA[0].IAID
			break
		}
	}
	sim := simulation{args: a, msgs: msgs, opener: openers(msgs)}
	return sim.run(st)
}

type simulation struct {
	args Args
	msgs []Seen
	// opener maps each message index to the index of the client message
	// it answers (by transaction id, the latest before it), or -1.
	opener []int
	// dropped are the fallbacks taken so far, in words.
	dropped []string
	// standIn, when set, says whose answers stood in for those to a
	// Solicit odhcp6c would send and the capture lacks.
	standIn string
	res     Result
}

func openers(msgs []Seen) []int {
	out := make([]int, len(msgs))
	last := map[dhcpv6.TransactionID]int{}
	for i, s := range msgs {
		out[i] = -1
		if s.FromClient {
			last[s.Message.TransactionID] = i
			continue
		}
		if j, ok := last[s.Message.TransactionID]; ok {
			out[i] = j
		}
	}
	return out
}

func (s *simulation) step(frames []int, format string, args ...any) {
	s.res.Steps = append(s.res.Steps, fmt.Sprintf(format, args...))
	s.res.Frames = append(s.res.Frames, frames...)
}

func (s *simulation) finish(format string, args ...any) Result {
	s.res.Explanation = fmt.Sprintf(format, args...)
	if s.standIn != "" {
		s.res.Explanation += " Predicted: " + s.standIn + "."
	}
	return s.res
}

// candidate is a judged answer to one of the Solicits odhcp6c would send.
type candidate struct {
	idx   int
	offer Offer
}

func (s *simulation) run(st State) Result {
	var solicitFrames []int
	for _, m := range s.msgs {
		if m.FromClient && m.Message.Type == dhcpv6.MessageTypeSolicit {
			solicitFrames = append(solicitFrames, m.Frame)
		}
	}
	if len(solicitFrames) == 0 {
		s.res.Incomplete = true
		return s.finish("The capture holds no Solicit, so it does not show what odhcp6c would get.")
	}
	from := -1
	for range maxSteps {
		if st.NA == ModeNone && st.PD == ModeNone {
			s.res.Stateless = true
			return s.finish("%s asks for neither address nor prefix: it gets only other configuration (Information-Request).", s.args.who("N", "P"))
		}
		// The IA_PD stays in every Solicit while -P is given, even once
		// odhcp6c no longer wants a prefix (src/dhcpv6.c, dhcpv6_send):
		// only IA_NA is left out.
		want := solicitShape{na: st.NA != ModeNone, pd: len(s.args.Prefixes) > 0}
		var sols []int
		for i, m := range s.msgs {
			if m.FromClient && m.Message.Type == dhcpv6.MessageTypeSolicit && shapeOf(m.Message) == want {
				sols = append(sols, i)
			}
		}
		if len(sols) == 0 {
			// The capture's client asked otherwise: its answers stand in
			// for those to odhcp6c's Solicit, and the result says so.
			for i, m := range s.msgs {
				if m.FromClient && m.Message.Type == dhcpv6.MessageTypeSolicit {
					sols = append(sols, i)
				}
			}
			s.res.Incomplete = true
			s.standIn = fmt.Sprintf("the capture holds no Solicit for %s, as odhcp6c would send; the answers to the client's other Solicits stand in", want)
			s.step(nil, "%s.", s.standIn)
		}
		cands, discarded, roundEnd := s.judgeAnswers(st, sols, from)
		if len(cands) == 0 && len(discarded) == 0 && from >= 0 {
			// Nothing answers after odhcp6c changed its mind: the answers
			// of the earlier rounds stand in.
			cands, discarded, roundEnd = s.judgeAnswers(st, sols, -1)
			if s.standIn == "" {
				s.standIn = "the capture holds no answer after odhcp6c's fallback; the earlier answers stand in"
			}
			s.res.Incomplete = true
		}
		if len(cands) == 0 && len(discarded) == 0 {
			frames := s.framesOf(sols)
			return s.finish("No DHCPv6 server answered the %d Solicits for %s (frames %s): odhcp6c gets nothing.",
				len(sols), want, frameList(frames))
		}
		if len(cands) == 0 {
			s.res.Discarded = true
			d := discarded[0]
			frames := []int{s.msgs[d.idx].Frame}
			s.res.Frames = append(s.res.Frames, frames...)
			if len(discarded) > 1 {
				return s.finish("odhcp6c %s discards every Advertise (frames %s): %s.", d.offer.DiscardFlag,
					frameList(s.framesOf(indexes(discarded))), d.offer.Discard)
			}
			return s.finish("odhcp6c %s discards the Advertise in frame %d: %s.", d.offer.DiscardFlag,
				s.msgs[d.idx].Frame, d.offer.Discard)
		}
		offers := make([]Offer, len(cands))
		for i, c := range cands {
			offers[i] = c.offer
		}
		order := Ranked(offers)
		best := cands[order[0]]
		pr := Promote(st, best.offer)
		frame := s.msgs[best.idx].Frame
		dropped := fmt.Sprintf("%s (the Advertise in frame %d offers %s)", strings.Join(pr.Dropped, " and "), frame, strings.Join(pr.Missing, " and "))
		switch {
		case pr.Stateless:
			s.res.Stateless = true
			s.step([]int{frame}, "odhcp6c drops %s and asks only for other configuration.", dropped)
			return s.finish("%s drops %s and asks only for other configuration (Information-Request): it gets neither address nor prefix.",
				s.args.who("N", "P"), dropped)
		case pr.Resolicit:
			s.step([]int{frame}, "odhcp6c drops %s and solicits again.", dropped)
			s.dropped = append(s.dropped, dropped)
			st = pr.Next
			from = roundEnd - 1
			continue
		case pr.Restart:
			s.res.Frames = append(s.res.Frames, frame)
			return s.finish("odhcp6c %s after the Advertise in frame %d: it gets nothing.", pr.Why(), frame)
		}
		return s.request(st, cands, order)
	}
	return s.finish("odhcp6c keeps changing what it asks for; the capture does not show it settle.")
}

// judgeAnswers judges the answers to the Solicits sols that come after
// the message at index from, in one round of odhcp6c's collection: from
// the first answer until the client solicits again (odhcp6c decides when
// its retransmission timer ends the round, and its next Solicit goes out
// at once). A later Advertise from the same server replaces an earlier
// one, as in odhcp6c's candidate list. roundEnd is the index of the
// Solicit that ended the round, or len(msgs).
func (s *simulation) judgeAnswers(st State, sols []int, from int) (cands, discarded []candidate, roundEnd int) {
	sent := map[dhcpv6.TransactionID]int{}
	isSol := map[int]bool{}
	for _, i := range sols {
		isSol[i] = true
	}
	first := -1
	for i, m := range s.msgs {
		if m.FromClient {
			if isSol[i] {
				sent[m.Message.TransactionID]++
				if first >= 0 && i > from {
					return cands, discarded, i
				}
			}
			continue
		}
		op := s.opener[i]
		if i <= from || op < 0 || !isSol[op] || m.Ignored {
			continue
		}
		t := m.Message.Type
		if t != dhcpv6.MessageTypeAdvertise && t != dhcpv6.MessageTypeReply {
			continue
		}
		if first < 0 {
			first = i
		}
		o := JudgeAdvertise(st, m.Message, sent[m.Message.TransactionID] > 1)
		c := candidate{idx: i, offer: o}
		if o.Discard != "" {
			discarded = append(discarded, c)
			continue
		}
		replaced := false
		for k := range cands {
			if s.msgs[cands[k].idx].Message.ServerID.Equal(m.Message.ServerID) {
				cands[k] = c
				replaced = true
			}
		}
		if !replaced {
			cands = append(cands, c)
		}
	}
	return cands, discarded, len(s.msgs)
}

// request follows odhcp6c from its best candidate: the Request to that
// server and the Reply, then the next candidate when a Reply refuses.
func (s *simulation) request(st State, cands []candidate, order []int) Result {
	var refusals []string
	for _, k := range order {
		c := cands[k]
		adv := s.msgs[c.idx]
		server := adv.Message.ServerID
		reqs, replies := s.requestsTo(server, c.idx)
		if len(reqs) == 0 {
			s.res.Predicted = true
			s.res.Incomplete = true
			s.res.Frames = append(s.res.Frames, adv.Frame)
			s.leasesFrom(c.offer.NA, c.offer.PD, adv.Frame, false)
			return s.finish("odhcp6c would request %s from the server whose Advertise is frame %d; the capture holds no Request to it, so that is what it is offered, not confirmed.",
				s.leaseWords(), adv.Frame)
		}
		if len(replies) == 0 {
			frames := s.framesOf(reqs)
			s.res.Frames = append(s.res.Frames, frames...)
			refusals = append(refusals, fmt.Sprintf("the Requests in frames %s got no Reply", frameList(frames)))
			continue
		}
		for _, r := range replies {
			b := JudgeReply(st, server, s.msgs[r].Message)
			frame := s.msgs[r].Frame
			s.res.Frames = append(s.res.Frames, frame)
			if b.Refused != "" {
				refusals = append(refusals, fmt.Sprintf("the Reply in frame %d: %s", frame, b.Refused))
				continue
			}
			s.leasesFrom(b.NA, b.PD, frame, true)
			how := ""
			if len(s.dropped) > 0 {
				how = ", once it has dropped " + strings.Join(s.dropped, " and then ") + " and solicited again"
			}
			return s.finish("%s gets %s from the Reply in frame %d%s.", s.args.who("N", "P"), s.leaseWords(), frame, how)
		}
	}
	return s.finish("odhcp6c gets nothing: %s.", strings.Join(refusals, "; "))
}

// requestsTo returns the client's Requests to server sent after the
// Advertise at index after, and the indexes of the Replies to them.
func (s *simulation) requestsTo(server dhcpv6.DUID, after int) (reqs, replies []int) {
	isReq := map[int]bool{}
	for i := after + 1; i < len(s.msgs); i++ {
		m := s.msgs[i]
		if m.FromClient {
			if m.Message.Type == dhcpv6.MessageTypeRequest && m.Message.ServerID.Equal(server) {
				reqs = append(reqs, i)
				isReq[i] = true
			}
			continue
		}
		if isReq[s.opener[i]] && !m.Ignored && m.Message.Type == dhcpv6.MessageTypeReply {
			replies = append(replies, i)
		}
	}
	return reqs, replies
}

func (s *simulation) leasesFrom(na, pd []dhcpv6.IA, frame int, confirmed bool) {
	for _, ia := range pd {
		for _, p := range ia.Prefixes {
			s.res.Prefixes = append(s.res.Prefixes, Lease{Prefix: p.Prefix.Masked(), Preferred: p.PreferredLifetime,
				Valid: p.ValidLifetime, IAID: ia.IAID, Frame: frame, ConfirmedByReply: confirmed})
		}
	}
	for _, ia := range na {
		for _, a := range ia.Addresses {
			s.res.Addresses = append(s.res.Addresses, Lease{Prefix: netip.PrefixFrom(a.Address, 128), Preferred: a.PreferredLifetime,
				Valid: a.ValidLifetime, IAID: ia.IAID, Frame: frame, ConfirmedByReply: confirmed})
		}
	}
}

// leaseWords names what was obtained: "2001:db8::/48 and 2001:db8:1::5".
func (s *simulation) leaseWords() string {
	var parts []string
	for _, l := range s.res.Prefixes {
		parts = append(parts, l.Prefix.String())
	}
	for _, l := range s.res.Addresses {
		parts = append(parts, l.Prefix.Addr().String())
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " and ")
}

func (s *simulation) framesOf(idx []int) []int {
	out := make([]int, len(idx))
	for i, k := range idx {
		out[i] = s.msgs[k].Frame
	}
	return out
}

// frameList writes frame numbers for a sentence, at most eight of them.
func frameList(frames []int) string {
	var parts []string
	for i, f := range frames {
		if i == 8 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprint(f))
	}
	return strings.Join(parts, ", ")
}

func indexes(cs []candidate) []int {
	out := make([]int, len(cs))
	for i, c := range cs {
		out[i] = c.idx
	}
	return out
}

// who names odhcp6c with the arguments among names that a sentence about
// its decision needs: "odhcp6c -Nforce -P48", or "odhcp6c".
func (a Args) who(names ...string) string {
	parts := []string{"odhcp6c"}
	for _, n := range names {
		switch n {
		case "N":
			if a.Addresses != "" {
				parts = append(parts, "-N"+string(a.Addresses))
			}
		case "P":
			for _, p := range a.Prefixes {
				parts = append(parts, fmt.Sprintf("-P%d", p.Length))
			}
		}
	}
	return strings.Join(parts, " ")
}
