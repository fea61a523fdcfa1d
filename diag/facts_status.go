package diag

import (
	"encoding/hex"
	"iter"

	"github.com/v6diag/v6diag/dhcpv6"
)

// The one walk over a DHCPv6 message's Status Code options (RFC 8415
// §21.13): the checks read the statuses, the reports also where each sat.

// statusPlace says where a Status Code option sat: in the message itself
// (ia nil), in an IA of the list with index list, or in one of its
// addresses or prefixes.
type statusPlace struct {
	list   int
	ia     *dhcpv6.IA
	addr   *dhcpv6.IAAddress
	prefix *dhcpv6.IAPrefix
}

// statusPlaces yields m's message-level status, then, for each IA in each
// of iaLists, the IA's status and those of its addresses and prefixes,
// each with its place; absent ones are skipped.
func statusPlaces(m *dhcpv6.Message, iaLists ...[]dhcpv6.IA) iter.Seq2[statusPlace, *dhcpv6.Status] {
	return func(yield func(statusPlace, *dhcpv6.Status) bool) {
		if m.Status != nil && !yield(statusPlace{list: -1}, m.Status) {
			return
		}
		for l, ias := range iaLists {
			for i := range ias {
				ia := &ias[i]
				if ia.Status != nil && !yield(statusPlace{list: l, ia: ia}, ia.Status) {
					return
				}
				for j := range ia.Addresses {
					if st := ia.Addresses[j].Status; st != nil && !yield(statusPlace{list: l, ia: ia, addr: &ia.Addresses[j]}, st) {
						return
					}
				}
				for j := range ia.Prefixes {
					if st := ia.Prefixes[j].Status; st != nil && !yield(statusPlace{list: l, ia: ia, prefix: &ia.Prefixes[j]}, st) {
						return
					}
				}
			}
		}
	}
}

// allStatuses is statusPlaces without the places.
func allStatuses(m *dhcpv6.Message, iaLists ...[]dhcpv6.IA) iter.Seq[*dhcpv6.Status] {
	return func(yield func(*dhcpv6.Status) bool) {
		for _, st := range statusPlaces(m, iaLists...) {
			if !yield(st) {
				return
			}
		}
	}
}

// StatusAt is one Status Code option a server sent, with where it sat.
type StatusAt struct {
	Frame   int
	Message dhcpv6.MessageType
	// Where is "message", "IA_NA <iaid>" (IA_TA, IA_PD), or the address
	// or prefix it was attached to.
	Where  string
	Status *dhcpv6.Status
}

// iaListNames names the IA lists statusPlaces walks for StatusCodes, in order.
var iaListNames = [...]string{"IA_NA", "IA_TA", "IA_PD"}

// StatusCodes lists every Status Code option servers sent, at every level,
// in timeline order.
func (r *Result) StatusCodes() []StatusAt {
	out := []StatusAt{}
	for _, e := range r.Timeline {
		m := e.DHCP
		if m == nil || e.Direction != DirectionIn {
			continue
		}
		for at, st := range statusPlaces(m, m.IANA, m.IATA, m.IAPD) {
			out = append(out, StatusAt{Frame: e.Frame, Message: m.Type, Where: at.where(), Status: st})
		}
	}
	return out
}

// where names the place as report.json's status_codes say it.
func (p statusPlace) where() string {
	switch {
	case p.addr != nil:
		return p.addr.Address.String()
	case p.prefix != nil:
		return p.prefix.Prefix.String()
	case p.ia != nil:
		return iaListNames[p.list] + " " + hex.EncodeToString(p.ia.IAID[:])
	}
	return "message"
}
