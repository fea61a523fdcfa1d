package odhcp6c

import (
	"fmt"
	"sort"
	"strings"

	"github.com/v6diag/v6diag/dhcpv6"
)

// Mode is how odhcp6c treats one kind of IA (src/odhcp6c.h, enum
// odhcp6c_ia_mode): not asked for, asked for, or insisted on.
type Mode int

// The IA modes.
const (
	ModeNone Mode = iota
	ModeTry
	ModeForce
)

func (m Mode) String() string {
	switch m {
	case ModeNone:
		return "none"
	case ModeTry:
		return "try"
	case ModeForce:
		return "force"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// addressMode is -N as odhcp6c reads it: try unless told otherwise
// (src/config.c, config_dhcp_reset).
func (a Args) addressMode() Mode {
	switch a.Addresses {
	case AddressNone:
		return ModeNone
	case AddressForce:
		return ModeForce
	}
	return ModeTry
}

// prefixMode is the IA_PD mode: none without -P, try with it, force with
// -F (src/odhcp6c.c case 'P' and case 'F'; src/config.c,
// config_set_force_prefix). -F without -P insists on a prefix it never
// asks for, so every Advertise is discarded.
func (a Args) prefixMode() Mode {
	switch {
	case a.ForcePrefix:
		return ModeForce
	case len(a.Prefixes) > 0:
		return ModeTry
	}
	return ModeNone
}

// State is what odhcp6c's decisions depend on: the IA modes (which its
// fallbacks change), -D, --strict-rfc7550, and its IA_NA's IAID.
type State struct {
	NA, PD       Mode
	StatefulOnly bool
	Strict       bool
	NAIAID       [4]byte
}

// State is the state odhcp6c starts every exchange in (src/dhcpv6.c,
// init_dhcpv6, runs again after each restart).
func (a Args) State(h Host) State {
	return State{NA: a.addressMode(), PD: a.prefixMode(), StatefulOnly: a.StatefulOnly,
		Strict: a.StrictRFC7550, NAIAID: NAIAID(h.IfName)}
}

// Offer is odhcp6c's reading of one Advertise (src/dhcpv6.c,
// dhcpv6_handle_advert).
type Offer struct {
	// Discard says why odhcp6c drops the Advertise ("it offers no
	// address"); "" makes it a candidate. DiscardFlag is the argument
	// that makes it so ("-Nforce").
	Discard, DiscardFlag string
	// Preference is odhcp6c's rank: the Preference option, -1000 when an
	// address was asked for and none offered, +2000+(128-length) when a
	// prefix was asked for and offered, -2000 when not.
	Preference int
	// HasAddress and PrefixLength are what the Advertise offers at all
	// (have_na and have_pd: any IA Address in an IA_NA; the length of the
	// last IA Prefix of an IA_PD, 0 for none).
	HasAddress   bool
	PrefixLength int
	// NoAddrsAvail is set when an address was asked for and none offered.
	NoAddrsAvail bool
	// NA and PD are the entries odhcp6c keeps (dhcpv6_parse_ia): what its
	// Request carries.
	NA, PD []dhcpv6.IA
	// Now: odhcp6c requests at once (a Preference of 255 with a positive
	// rank, or any Advertise after a retransmission) rather than
	// collecting until the end of the first retransmission timeout.
	Now bool
}

// messageFault is why odhcp6c's validation drops a message whatever its
// contents (src/dhcpv6.c, dhcpv6_response_is_valid): IA Address, IA Prefix
// or PD Exclude options at the top level, or two Authentication options.
func messageFault(m *dhcpv6.Message) string {
	auth := 0
	for _, c := range m.OptionCodes {
		switch c {
		case dhcpv6.OptionIAAddr, dhcpv6.OptionIAPrefix, dhcpv6.OptionPDExclude:
			return fmt.Sprintf("it carries option %d outside an IA, which odhcp6c's validation rejects", c)
		case dhcpv6.OptionAuth:
			auth++
		}
	}
	if auth > 1 {
		return "it carries two Authentication options"
	}
	return ""
}

// JudgeAdvertise reads an Advertise (or a Reply to a Solicit, which
// odhcp6c handles the same way) in state st. retransmitted is set when the
// Solicit it answers had been sent more than once.
func JudgeAdvertise(st State, m *dhcpv6.Message, retransmitted bool) Offer {
	var o Offer
	if f := messageFault(m); f != "" {
		o.Discard = f
		return o
	}
	for _, ia := range m.IANA {
		if len(ia.Addresses) > 0 {
			o.HasAddress = true
		}
	}
	for _, ia := range m.IAPD {
		for _, p := range ia.Prefixes {
			o.PrefixLength = p.Prefix.Bits()
		}
	}
	switch {
	case st.StatefulOnly && !o.HasAddress && o.PrefixLength == 0:
		o.Discard, o.DiscardFlag = "it offers neither an address nor a prefix", "-D"
		return o
	case !o.HasAddress && st.NA == ModeForce:
		o.Discard, o.DiscardFlag = "it offers no address", "-Nforce"
		return o
	case o.PrefixLength == 0 && st.PD == ModeForce:
		o.Discard, o.DiscardFlag = "it offers no prefix", "-F"
		return o
	}
	if st.NA != ModeNone {
		o.NA = addressEntries(st.NAIAID, m.IANA)
	}
	if st.PD != ModeNone {
		o.PD = prefixEntries(m.IAPD)
	}
	pref := 0
	if m.Preference != nil {
		pref = int(*m.Preference)
	}
	o.Preference = pref
	if st.NA != ModeNone && !o.HasAddress {
		o.NoAddrsAvail = true
		o.Preference -= 1000
	}
	if st.PD != ModeNone {
		if o.PrefixLength > 0 {
			o.Preference += 2000 + (128 - o.PrefixLength)
		} else {
			o.Preference -= 2000
		}
	}
	o.Now = retransmitted || (pref == 255 && o.Preference > 0)
	return o
}

// iaUsable is dhcpv6_parse_ia's first test: an IA whose T1 is greater
// than its T2, both non-zero, is discarded whole (RFC 8415 §21.4, §21.21).
func iaUsable(ia dhcpv6.IA) bool {
	return !(ia.T1 > ia.T2 && ia.T1 > 0 && ia.T2 > 0)
}

// addressEntries are the addresses odhcp6c keeps from IA_NAs, under its
// own IAID (its Request's IA_NA always carries that one): preferred
// lifetime no longer than valid, no error status.
func addressEntries(iaid [4]byte, ias []dhcpv6.IA) []dhcpv6.IA {
	out := dhcpv6.IA{IAID: iaid}
	for _, ia := range ias {
		if !iaUsable(ia) {
			continue
		}
		for _, a := range ia.Addresses {
			if a.PreferredLifetime > a.ValidLifetime || !statusOK(a.Status) {
				continue
			}
			out.Addresses = append(out.Addresses, a)
		}
	}
	if len(out.Addresses) == 0 {
		return nil
	}
	return []dhcpv6.IA{out}
}

// prefixEntries are the prefixes odhcp6c keeps from IA_PDs, grouped by
// the IAID the server used: preferred lifetime no longer than valid. A
// status inside an IA Prefix does not drop it from an Advertise.
func prefixEntries(ias []dhcpv6.IA) []dhcpv6.IA {
	var out []dhcpv6.IA
	for _, ia := range ias {
		if !iaUsable(ia) {
			continue
		}
		kept := dhcpv6.IA{IAID: ia.IAID}
		for _, p := range ia.Prefixes {
			if p.PreferredLifetime > p.ValidLifetime {
				continue
			}
			kept.Prefixes = append(kept.Prefixes, p)
		}
		if len(kept.Prefixes) > 0 {
			out = append(out, kept)
		}
	}
	return out
}

func statusOK(s *dhcpv6.Status) bool { return s == nil || s.Code == dhcpv6.StatusSuccess }

// Ranked returns the indexes of the candidate offers in the order odhcp6c
// keeps them (dhcpv6_add_server_cand): highest Preference first, equal
// ones in arrival order. A later Advertise from the same server replaces
// the earlier one; callers pass one offer per server.
func Ranked(offers []Offer) []int {
	var idx []int
	for i, o := range offers {
		if o.Discard == "" {
			idx = append(idx, i)
		}
	}
	// Stable by position; sort.Slice shares one implementation with the
	// binary's other sorts where a generic one would add its own.
	sort.Slice(idx, func(i, j int) bool {
		pi, pj := offers[idx[i]].Preference, offers[idx[j]].Preference
		if pi != pj {
			return pi > pj
		}
		return idx[i] < idx[j]
	})
	return idx
}

// Promotion is what odhcp6c does with its best candidate when Advertise
// collection ends (src/dhcpv6.c, dhcpv6_promote_server_cand).
type Promotion struct {
	// Next is the state odhcp6c goes on in: the same, or with IA_NA and/or
	// IA_PD dropped.
	Next State
	// Dropped names the IA kinds it drops ("IA_NA", "IA_PD") and Missing
	// what the Advertise lacked for each ("no address", "no prefix").
	Dropped, Missing []string
	// Resolicit is set when it drops an IA kind and solicits again in the
	// same transaction instead of requesting.
	Resolicit bool
	// Stateless is set when both kinds are dropped: odhcp6c then sends
	// only Information-Requests (dhcpv6_get_ia_mode), and gets neither
	// address nor prefix.
	Stateless bool
	// Request is set when it requests from the candidate.
	Request bool
	// Restart is set when the candidate holds nothing odhcp6c would put in
	// a Request: it starts over with a fresh Solicit.
	Restart bool
}

// Why says the fallback in words: "drops IA_NA and solicits again".
func (p Promotion) Why() string {
	switch {
	case p.Stateless:
		return "drops " + strings.Join(p.Dropped, " and ") + " and asks only for other configuration (Information-Request)"
	case p.Resolicit:
		return "drops " + strings.Join(p.Dropped, " and ") + " and solicits again"
	case p.Restart:
		return "keeps nothing from the Advertise (lifetimes or T1/T2 it must discard) and starts over"
	}
	return "requests from it"
}

// Promote applies odhcp6c's fallbacks to its best candidate: without
// --strict-rfc7550, an Advertise with no address makes it drop IA_NA
// (-Ntry) and one with no prefix makes it drop IA_PD (-P without -F), and
// it solicits again; with it, only an Advertise with neither does both.
func Promote(st State, best Offer) Promotion {
	p := Promotion{Next: st}
	if st.Strict {
		if len(best.PD) == 0 && best.NoAddrsAvail {
			if st.NA == ModeTry {
				p.Next.NA = ModeNone
			}
			if st.PD == ModeTry {
				p.Next.PD = ModeNone
			}
		}
	} else {
		if best.NoAddrsAvail && st.NA == ModeTry {
			p.Next.NA = ModeNone
		}
		if len(best.PD) == 0 && st.PD == ModeTry {
			p.Next.PD = ModeNone
		}
	}
	if p.Next.NA != st.NA {
		p.Dropped = append(p.Dropped, "IA_NA")
		p.Missing = append(p.Missing, "no address")
	}
	if p.Next.PD != st.PD {
		p.Dropped = append(p.Dropped, "IA_PD")
		p.Missing = append(p.Missing, "no prefix")
	}
	switch {
	case len(p.Dropped) > 0 && p.Next.NA == ModeNone && p.Next.PD == ModeNone:
		p.Stateless = true
	case len(p.Dropped) > 0:
		p.Resolicit = true
	case (len(best.NA) > 0 && st.NA != ModeNone) || (len(best.PD) > 0 && st.PD != ModeNone):
		p.Request = true
	default:
		p.Restart = true
	}
	return p
}

// Binding is what a Reply to odhcp6c's Request gives it (src/dhcpv6.c,
// dhcpv6_handle_reply, dhcpv6_handle_status_code,
// dhcpv6_handle_ia_status_code, dhcpv6_parse_ia).
type Binding struct {
	// NA and PD are the leases it binds (valid lifetime above 0: a lease
	// with valid lifetime 0 is passed on as withdrawn).
	NA, PD []dhcpv6.IA
	// Refused says why the Reply gives it nothing; it then tries its next
	// candidate server, or starts over.
	Refused string
}

// JudgeReply reads the Reply to a Request sent to server, in state st.
func JudgeReply(st State, server dhcpv6.DUID, m *dhcpv6.Message) Binding {
	if f := messageFault(m); f != "" {
		return Binding{Refused: "odhcp6c drops the Reply: " + f}
	}
	if !m.ServerID.Equal(server) {
		return Binding{Refused: fmt.Sprintf("odhcp6c drops the Reply: its Server ID %s is not the one it requested from", m.ServerID)}
	}
	if s := m.Status; s != nil {
		switch s.Code {
		case dhcpv6.StatusUnspecFail, dhcpv6.StatusUseMulticast, dhcpv6.StatusNoAddrsAvail, dhcpv6.StatusNoPrefixAvail:
			return Binding{Refused: fmt.Sprintf("the Reply carries the message status %s", s)}
		}
	}
	var b Binding
	fail := ""
	take := func(ia dhcpv6.IA, kind string) bool {
		if ia.Status == nil || ia.Status.Code == dhcpv6.StatusSuccess {
			return true
		}
		switch ia.Status.Code {
		case dhcpv6.StatusNoAddrsAvail, dhcpv6.StatusNoPrefixAvail:
		default:
			if fail == "" {
				fail = fmt.Sprintf("the Reply's %s carries status %s", kind, ia.Status)
			}
		}
		return false
	}
	if st.NA != ModeNone {
		for _, ia := range m.IANA {
			if ia.IAID != st.NAIAID || !take(ia, "IA_NA") || !iaUsable(ia) {
				continue
			}
			kept := dhcpv6.IA{IAID: ia.IAID, T1: ia.T1, T2: ia.T2}
			for _, a := range ia.Addresses {
				if a.PreferredLifetime > a.ValidLifetime {
					continue
				}
				if !statusOK(a.Status) {
					if fail == "" {
						fail = fmt.Sprintf("the Reply's address %s carries status %s", a.Address, a.Status)
					}
					continue
				}
				if a.ValidLifetime > 0 {
					kept.Addresses = append(kept.Addresses, a)
				}
			}
			if len(kept.Addresses) > 0 {
				b.NA = append(b.NA, kept)
			}
		}
	}
	if st.PD != ModeNone {
		for _, ia := range m.IAPD {
			if !take(ia, "IA_PD") || !iaUsable(ia) {
				continue
			}
			kept := dhcpv6.IA{IAID: ia.IAID, T1: ia.T1, T2: ia.T2}
			for _, p := range ia.Prefixes {
				if p.PreferredLifetime > p.ValidLifetime {
					continue
				}
				if !statusOK(p.Status) && fail == "" {
					fail = fmt.Sprintf("the Reply's prefix %s carries status %s", p.Prefix, p.Status)
				}
				if p.ValidLifetime > 0 {
					kept.Prefixes = append(kept.Prefixes, p)
				}
			}
			if len(kept.Prefixes) > 0 {
				b.PD = append(b.PD, kept)
			}
		}
	}
	switch {
	case fail != "":
		return Binding{Refused: fail}
	case len(b.NA) == 0 && len(b.PD) == 0:
		b.Refused = "the Reply binds no address or prefix odhcp6c keeps" + replyWhy(st, m)
	}
	return b
}

// replyWhy names the status that explains an empty Reply, if one does.
func replyWhy(st State, m *dhcpv6.Message) string {
	for _, ia := range m.IAPD {
		if ia.Status != nil && ia.Status.Code != dhcpv6.StatusSuccess && st.PD != ModeNone {
			return fmt.Sprintf(" (IA_PD: %s)", ia.Status)
		}
	}
	for _, ia := range m.IANA {
		if ia.Status != nil && ia.Status.Code != dhcpv6.StatusSuccess && st.NA != ModeNone {
			return fmt.Sprintf(" (IA_NA: %s)", ia.Status)
		}
	}
	return ""
}
