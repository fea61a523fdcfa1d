package diag

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"github.com/v6diag/v6diag/dhcpv6"
)

// A capture taken between a relay and the server holds Relay-forw and
// Relay-repl messages (RFC 8415 §19): Parse unwraps them, the exchange is
// judged on the client's and server's messages inside, and the relay
// layers are shown and checked here.

// relayNote describes the relay layers of m for the timeline, innermost
// (the relay nearest the client) last, e.g. "via Relay-forw hop 0,
// link-address 2001:db8:1::1, peer-address fe80::1, Interface-Id
// \"eth0.7\"".
func relayNote(m *dhcpv6.Message) string {
	if len(m.Relays) == 0 {
		return ""
	}
	var parts []string
	for _, r := range m.Relays {
		parts = append(parts, relayText(r))
	}
	return "via " + strings.Join(parts, "; ")
}

func relayText(r dhcpv6.Relay) string {
	s := fmt.Sprintf("%s hop %d, link-address %s, peer-address %s", r.Type, r.HopCount, r.LinkAddress, r.PeerAddress)
	if r.InterfaceID != nil {
		s += ", Interface-Id " + interfaceID(r.InterfaceID)
	}
	if r.RemoteID != nil {
		s += fmt.Sprintf(", Remote-ID %d:%x", r.RemoteIDEnterprise, r.RemoteID)
	}
	return s
}

// interfaceID shows an Interface-Id as text when it is printable (relays
// often use the interface's name), else as hex.
func interfaceID(b []byte) string {
	printable := len(b) > 0
	for _, c := range b {
		if c < ' ' || c > '~' {
			printable = false
			break
		}
	}
	if printable {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("0x%x", b)
}

// innermostRelay is the relay nearest the client, whose peer-address is
// the client's own address.
func innermostRelay(m *dhcpv6.Message) (dhcpv6.Relay, bool) {
	if len(m.Relays) == 0 {
		return dhcpv6.Relay{}, false
	}
	return m.Relays[len(m.Relays)-1], true
}

// relayKey names one relay serving one client link.
type relayKey struct {
	source, link, peer netip.Addr
	interfaceID        string
}

// relayChecks reports the relays the client's exchange went through, and
// Relay-repl messages the relay could not deliver: RFC 8415 §19.3 has the
// server copy the Relay-forw's peer-address and Interface-Id into its
// Relay-repl, and the relay uses them to find the client (§19.2).
func (a *Analyzer) relayChecks(x *exchange) []Finding {
	fs := &findingSet{}
	type relaySeen struct {
		key        relayKey
		forw, repl int
		frames     []int
		hops       int
	}
	var relays []*relaySeen
	index := map[relayKey]*relaySeen{}
	forwards := map[dhcpv6.TransactionID]*Event{}
	relayed, plain := 0, 0
	for i := range a.events {
		e := &a.events[i]
		m := e.DHCP
		if m == nil || e.copyOf > 0 || !a.ofSubject(x, e) {
			continue
		}
		r, ok := innermostRelay(m)
		if !ok {
			plain++
			continue
		}
		relayed++
		k := relayKey{link: r.LinkAddress, peer: r.PeerAddress, interfaceID: string(r.InterfaceID)}
		if e.Direction == DirectionOut {
			k.source = e.Source
			if _, seen := forwards[m.TransactionID]; !seen {
				forwards[m.TransactionID] = e
			}
		} else {
			k.source = e.Dest
		}
		rs := index[k]
		if rs == nil {
			rs = &relaySeen{key: k, hops: len(m.Relays)}
			index[k] = rs
			relays = append(relays, rs)
		}
		if e.Direction == DirectionOut {
			rs.forw++
		} else {
			rs.repl++
		}
		if len(rs.frames) < maxProblemFrames {
			rs.frames = append(rs.frames, e.Frame)
		}
		if e.Direction != DirectionIn {
			continue
		}
		if f := forwards[m.TransactionID]; f != nil {
			if want, _ := innermostRelay(f.DHCP); want.PeerAddress != r.PeerAddress || !bytes.Equal(want.InterfaceID, r.InterfaceID) {
				fs.add(Finding{ID: "dhcpv6-relay-reply-mismatch", Severity: SeverityWarn, RFC: "RFC 8415 §19.3", Frames: []int{f.Frame, e.Frame},
					Summary: fmt.Sprintf("The Relay-repl in frame %d does not carry what the Relay-forw in frame %d did (peer-address %s, Interface-Id %s; it has %s, %s): the relay cannot tell which client and link it is for, and drops it.",
						e.Frame, f.Frame, want.PeerAddress, optionalID(want.InterfaceID), r.PeerAddress, optionalID(r.InterfaceID)),
					ForISP: "Please check the DHCPv6 server's relay handling: a Relay-repl must copy the Relay-forw's peer-address and Interface-Id (RFC 8415 §19.3)."})
			}
		}
	}
	for _, rs := range relays {
		k := rs.key
		s := fmt.Sprintf("The client's DHCPv6 messages pass relay %s (link-address %s, client peer-address %s", k.source, k.link, k.peer)
		if k.interfaceID != "" {
			s += ", Interface-Id " + interfaceID([]byte(k.interfaceID))
		}
		s += fmt.Sprintf("): %d Relay-forw to the server, %d Relay-repl back", rs.forw, rs.repl)
		if rs.hops > 1 {
			s += fmt.Sprintf(", through %d relays in all", rs.hops)
		}
		s += "."
		if plain == 0 {
			s += " The capture was taken between the relay and the server: it shows what the relay forwards, not what reaches the client's own link."
		}
		f := Finding{ID: "dhcpv6-relayed", Severity: SeverityInfo, RFC: "RFC 8415 §19", Frames: rs.frames, Summary: s}
		if rs.forw > 0 && rs.repl == 0 && relayed > 0 && len(x.advertises)+len(x.replies) == 0 {
			f.Summary += " The server never answered the relay."
			f.ForISP = fmt.Sprintf("Please check the DHCPv6 server: it does not answer the Relay-forw messages of relay %s for link %s.", k.source, k.link)
		}
		fs.add(f)
	}
	return fs.list
}

func optionalID(b []byte) string {
	if b == nil {
		return "none"
	}
	return interfaceID(b)
}

// ofSubject reports whether e belongs to the client under diagnosis: its
// own message, or a server's answer naming it or answering one of its
// transactions.
func (a *Analyzer) ofSubject(x *exchange, e *Event) bool {
	m := e.DHCP
	if m == nil {
		return false
	}
	if sameDUID(m.ClientID, x.client.DUID) {
		return true
	}
	_, ours := x.xids[m.TransactionID]
	return ours && e.Direction == DirectionIn && len(m.ClientID) == 0
}
