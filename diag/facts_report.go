package diag

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// Facts the reports show that the verdict does not need: how the client's
// Solicits were shaped, how often routers advertise, which messages got an
// answer, what Advertises offered. They are derived here, from the result,
// so that the report package only lays them out.

// SolicitShape is one distinct shape of the Solicits the client sent.
type SolicitShape struct {
	Frames []int
	// IANA are the IAIDs of its IA_NAs, IAPD its IA_PDs with their hints.
	IANA              [][4]byte
	IAPD              []IAPDAsk
	RapidCommit       bool
	ReconfigureAccept bool
	RequestedOptions  []dhcpv6.OptionCode
	Options           []dhcpv6.OptionCode
	// Summary says it all in one line; Solicits with the same summary
	// share a shape.
	Summary string
}

// IAPDAsk is one IA_PD a Solicit asked for.
type IAPDAsk struct {
	IAID [4]byte
	// Hint is the IA Prefix length asked for, 0 when none.
	Hint int
}

// clientSolicits are the timeline's Solicits from the client under
// diagnosis.
func (r *Result) clientSolicits() []*Event {
	var out []*Event
	for i := range r.Timeline {
		e := &r.Timeline[i]
		if m := e.DHCP; m != nil && m.Type == dhcpv6.MessageTypeSolicit && len(r.Client.DUID) > 0 && r.Client.DUID.Equal(m.ClientID) {
			out = append(out, e)
		}
	}
	return out
}

// SolicitShapes groups the client's Solicits by what they asked for.
func (r *Result) SolicitShapes() []SolicitShape {
	shapes := []SolicitShape{}
	for _, e := range r.clientSolicits() {
		s := solicitShape(e.DHCP)
		i := 0
		for i < len(shapes) && shapes[i].Summary != s.Summary {
			i++
		}
		if i == len(shapes) {
			shapes = append(shapes, s)
		}
		shapes[i].Frames = append(shapes[i].Frames, e.Frame)
	}
	return shapes
}

// solicitShape reads one Solicit's shape, Frames left empty.
func solicitShape(m *dhcpv6.Message) SolicitShape {
	s := SolicitShape{RapidCommit: m.RapidCommit, ReconfigureAccept: m.ReconfigureAccept,
		RequestedOptions: m.RequestedOptions, Options: m.OptionCodes}
	var sum []string
	for _, ia := range m.IANA {
		s.IANA = append(s.IANA, ia.IAID)
		sum = append(sum, "IA_NA "+hex.EncodeToString(ia.IAID[:]))
	}
	for _, ia := range m.IAPD {
		ask := IAPDAsk{IAID: ia.IAID}
		for _, p := range ia.Prefixes {
			ask.Hint = p.Prefix.Bits()
		}
		s.IAPD = append(s.IAPD, ask)
		if ask.Hint > 0 {
			sum = append(sum, fmt.Sprintf("IA_PD %x with a /%d hint", ask.IAID[:], ask.Hint))
		} else {
			sum = append(sum, fmt.Sprintf("IA_PD %x without a hint", ask.IAID[:]))
		}
	}
	if len(m.IANA)+len(m.IAPD) == 0 {
		sum = append(sum, "no IA")
	}
	if m.RapidCommit {
		sum = append(sum, "Rapid Commit")
	}
	if m.ReconfigureAccept {
		sum = append(sum, "Reconfigure Accept")
	}
	if len(m.RequestedOptions) > 0 {
		sum = append(sum, "ORO ["+optionList(m.RequestedOptions)+"]")
	}
	s.Summary = strings.Join(append(sum, "options ["+optionList(m.OptionCodes)+"]"), "; ")
	return s
}

// SolicitTimes are when the client's Solicits went out, in order.
func (r *Result) SolicitTimes() []time.Time {
	var t []time.Time
	for _, e := range r.clientSolicits() {
		t = append(t, e.Time)
	}
	return t
}

// RAInterval is the median gap between the accepted RAs from src, rounded
// to the millisecond; false with fewer than two.
func (r *Result) RAInterval(src netip.Addr) (time.Duration, bool) {
	var at []time.Duration
	for _, e := range r.Timeline {
		if e.Kind == KindRouterAdvertisement && e.RA != nil && e.Source == src && e.Ignored == "" {
			at = append(at, e.Offset)
		}
	}
	if len(at) < 2 {
		return 0, false
	}
	gaps := make([]float64, 0, len(at)-1)
	for i := 1; i < len(at); i++ {
		gaps = append(gaps, (at[i] - at[i-1]).Seconds())
	}
	// sort.Slice shares one implementation with the binary's other sorts.
	sort.Slice(gaps, func(i, j int) bool { return gaps[i] < gaps[j] })
	m := gaps[len(gaps)/2]
	if len(gaps)%2 == 0 {
		m = (gaps[len(gaps)/2-1] + gaps[len(gaps)/2]) / 2
	}
	return time.Duration(m * float64(time.Second)).Round(time.Millisecond), true
}

// answerTimeout is how long an RS waits for an RA before it counts as
// unanswered, in seconds.
const answerTimeout = 4.0

// Answered says, for each event of the timeline, whether a client message
// got an answer: a DHCPv6 message any accepted message of its transaction
// came back to, an RS an accepted RA followed within answerTimeout. It is
// false for the messages the client received.
func (r *Result) Answered() []bool {
	xids := map[string]bool{}
	for _, e := range r.Timeline {
		if e.Direction == DirectionIn && e.TransactionID != "" && e.Ignored == "" {
			xids[e.TransactionID] = true
		}
	}
	out := make([]bool, len(r.Timeline))
	for i, e := range r.Timeline {
		switch {
		case e.Direction != DirectionOut:
		case e.Kind == KindRouterSolicitation:
			out[i] = r.raFollows(i)
		default:
			out[i] = xids[e.TransactionID]
		}
	}
	return out
}

// raFollows reports whether an accepted RA arrives within answerTimeout
// of the event at index i.
func (r *Result) raFollows(i int) bool {
	// In float seconds, as the reports always compared them.
	t0 := r.Timeline[i].Offset.Seconds()
	for _, e := range r.Timeline[i+1:] {
		if e.Offset.Seconds()-t0 > answerTimeout {
			return false
		}
		if e.Kind == KindRouterAdvertisement && e.Direction == DirectionIn && e.Ignored == "" {
			return true
		}
	}
	return false
}

// Offer is a usable prefix an accepted Advertise offered.
type Offer struct {
	Prefix netip.Prefix
	Frame  int
}

// Offers lists the usable prefixes accepted Advertises offered, in
// timeline order.
func (r *Result) Offers() []Offer {
	var out []Offer
	for _, e := range r.Timeline {
		if e.DHCP == nil || e.DHCP.Type != dhcpv6.MessageTypeAdvertise || e.Ignored != "" {
			continue
		}
		for _, ia := range e.DHCP.IAPD {
			for _, p := range ia.Prefixes {
				if p.ValidLifetime > 0 && (p.Status == nil || p.Status.Code == 0) && p.Prefix.IsValid() {
					out = append(out, Offer{p.Prefix, e.Frame})
				}
			}
		}
	}
	return out
}

// Count is how many events of kind k the timeline holds.
func (r *Result) Count(k Kind) int {
	n := 0
	for _, e := range r.Timeline {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// HasDHCPv6 says whether the timeline holds any DHCPv6 message.
func (r *Result) HasDHCPv6() bool {
	for _, e := range r.Timeline {
		if e.DHCP != nil {
			return true
		}
	}
	return false
}
