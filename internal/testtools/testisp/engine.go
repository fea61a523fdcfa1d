package testisp

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/ndp"
)

// Event names in the log.
const (
	EventReady    = "ready"
	EventReceived = "received"
	EventSent     = "sent"
	EventDropped  = "dropped"
	EventError    = "error"
)

// Entry is one line of the test ISP's JSON-lines log: something it heard
// or sent, so a test can check what the ISP really did.
type Entry struct {
	Time  time.Time `json:"time"`
	Event string    `json:"event"`
	// Actor is "router N" or "server N" (index in the scenario).
	Actor string `json:"actor,omitempty"`
	// Kind is "RS", "RA", or the DHCPv6 message type name.
	Kind            string     `json:"kind,omitempty"`
	XID             string     `json:"xid,omitempty"`
	SourceMAC       string     `json:"source_mac,omitempty"`
	Source          netip.Addr `json:"source,omitzero"`
	Destination     netip.Addr `json:"destination,omitzero"`
	SourcePort      uint16     `json:"source_port,omitempty"`
	DestinationPort uint16     `json:"destination_port,omitempty"`
	Size            int        `json:"size,omitempty"`
	Note            string     `json:"note,omitempty"`
}

// Send is one frame to put on the wire After a delay from now.
type Send struct {
	After time.Duration
	Frame []byte
	Entry Entry
}

// Engine turns received frames into the frames the scenario answers with.
// It does no I/O and reads no clock, so tests drive it with recorded
// frames; Run puts it on a socket.
type Engine struct {
	sc   Scenario
	link Link
	rnd  *rand.Rand
}

// NewEngine returns an engine for sc on a link whose own MAC and
// link-local address are l's.
func NewEngine(sc Scenario, l Link) *Engine {
	seed := sc.Seed
	if seed == 0 {
		seed = 1
	}
	return &Engine{sc: sc, link: l, rnd: rand.New(rand.NewPCG(uint64(seed), 0x7e57))}
}

// Scenario returns the scenario the engine runs.
func (e *Engine) Scenario() Scenario { return e.sc }

// Receive handles one captured Ethernet frame. It returns what was heard
// (ok false for frames the ISP does not care about) and what to send.
func (e *Engine) Receive(frame []byte) (heard Entry, sends []Send, ok bool) {
	p, err := capture.Decode(capture.Frame{LinkType: capture.LinkTypeEthernet, Data: frame})
	if err != nil || len(p.SourceMAC) == 0 {
		return Entry{}, nil, false
	}
	if e.ours(p.SourceMAC) {
		return Entry{}, nil, false
	}
	heard = Entry{Event: EventReceived, SourceMAC: p.SourceMAC.String(), Source: p.Source, Destination: p.Destination, Size: len(frame)}
	switch {
	case p.Transport == capture.TransportICMPv6 && len(p.ICMPv6) > 0 && p.ICMPv6[0] == ndp.TypeRouterSolicitation:
		heard.Kind = "RS"
		return heard, e.answerRS(), true
	case p.Transport == capture.TransportUDP && p.DestinationPort == 547:
		heard.SourcePort, heard.DestinationPort = p.SourcePort, p.DestinationPort
		msg, err := dhcpv6.Parse(p.UDPPayload)
		if msg == nil {
			heard.Kind = "DHCPv6"
			heard.Note = fmt.Sprintf("unparsable: %v", err)
			return heard, nil, true
		}
		heard.Kind = msg.Type.String()
		heard.XID = msg.TransactionID.String()
		if err != nil {
			heard.Note = err.Error()
			return heard, nil, true
		}
		return heard, e.answerDHCPv6(p, msg), true
	}
	return Entry{}, nil, false
}

// ours reports whether mac is one the scenario sends from, so that frames
// the ISP itself put on the wire are never answered.
func (e *Engine) ours(mac net.HardwareAddr) bool {
	if bytes.Equal(mac, e.link.MAC) {
		return true
	}
	for _, r := range e.sc.Routers {
		if bytes.Equal(mac, r.MAC) {
			return true
		}
	}
	for _, s := range e.sc.Servers {
		if bytes.Equal(mac, s.MAC) {
			return true
		}
	}
	return false
}

func (e *Engine) answerRS() []Send {
	var out []Send
	for i, r := range e.sc.Routers {
		if r.IgnoreRS {
			continue
		}
		s, err := e.RouterAdvertisement(i, false)
		if err != nil {
			out = append(out, Send{Entry: Entry{Event: EventError, Actor: s.Entry.Actor, Note: err.Error()}})
			continue
		}
		s.After = r.RSDelay.D()
		s.Entry.Note = "solicited"
		out = append(out, s)
	}
	return out
}

// RouterAdvertisement builds an unsolicited RA of router i to ff02::1 (or
// its Destination). With flood set, the router's RandomRouters and
// RandomPrefixes flood settings apply.
func (e *Engine) RouterAdvertisement(i int, flood bool) (Send, error) {
	r := e.sc.Routers[i]
	actor := fmt.Sprintf("router %d", i)
	if flood && r.Flood != nil {
		if r.Flood.RandomRouters {
			r.MAC = e.randomMAC()
			r.Source = linkLocalFromMAC(net.HardwareAddr(r.MAC))
		}
		if r.Flood.RandomPrefixes {
			r.Prefixes = []PrefixInfo{{Prefix: e.randomPrefix(), OnLink: true, Autonomous: true,
				Valid: Duration(time.Hour), Preferred: Duration(30 * time.Minute)}}
		}
	}
	dst := r.Destination
	if !dst.IsValid() {
		dst = allNodes
	}
	f, err := raFrame(r, e.link, dst, capture.MulticastMAC(dst))
	if err != nil {
		return Send{Entry: Entry{Actor: actor}}, err
	}
	mac, src := identity(r.MAC, r.Source, e.link)
	return Send{Frame: f, Entry: Entry{Event: EventSent, Actor: actor, Kind: "RA", SourceMAC: mac.String(),
		Source: src, Destination: dst, Size: len(f)}}, nil
}

func (e *Engine) randomMAC() MAC {
	m := make(MAC, 6)
	for i := range m {
		m[i] = byte(e.rnd.UintN(256))
	}
	m[0] = m[0]&^0x01 | 0x02 // unicast, locally administered
	return m
}

func (e *Engine) randomPrefix() netip.Prefix {
	a := [16]byte{0x20, 0x01, 0x0d, 0xb8}
	for i := 4; i < 8; i++ {
		a[i] = byte(e.rnd.UintN(256))
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), 64)
}

// Matches reports whether msg meets every condition set in m.
func (m Match) Matches(msg *dhcpv6.Message) bool {
	is := func(want *bool, got bool) bool { return want == nil || *want == got }
	if m.Type != "" && !strings.EqualFold(m.Type, msg.Type.String()) {
		return false
	}
	if !is(m.HasIANA, len(msg.IANA) > 0) || !is(m.HasIAPD, len(msg.IAPD) > 0) ||
		!is(m.RapidCommit, msg.RapidCommit) || !is(m.ReconfigureAccept, msg.ReconfigureAccept) ||
		!is(m.ClientFQDN, slices.Contains(msg.OptionCodes, optClientFQDN)) {
		return false
	}
	if m.HintLength != nil && *m.HintLength != hintLength(msg) {
		return false
	}
	if m.DUIDType != "" && !strings.EqualFold("DUID-"+m.DUIDType, msg.ClientID.TypeName()) {
		return false
	}
	return true
}

// hintLength is the prefix length the client hinted in its first IA_PD,
// 0 for none.
func hintLength(msg *dhcpv6.Message) int {
	if len(msg.IAPD) == 0 || len(msg.IAPD[0].Prefixes) == 0 {
		return 0
	}
	return msg.IAPD[0].Prefixes[0].Prefix.Bits()
}

// Rule returns the index of the first of s's rules msg matches, or -1.
func (s Server) Rule(msg *dhcpv6.Message) int {
	for i, r := range s.Rules {
		if r.Match.Matches(msg) {
			return i
		}
	}
	return -1
}

// ServerDUID is the Server ID s sends.
func (s Server) ServerDUID(l Link) []byte {
	if len(s.DUID) > 0 {
		return s.DUID
	}
	mac, _ := identity(s.MAC, s.Source, l)
	return dhcpv6.DUIDLL(mac)
}

// foreignClientID is the Client ID of a client that is not on this link.
var foreignClientID = []byte{0, 3, 0, 1, 0x02, 0, 0, 0, 0xbe, 0xef}

// Answer builds the DHCPv6 payload s sends for msg under action a, and
// its type and transaction id.
func (s Server) Answer(a Action, msg *dhcpv6.Message, l Link) ([]byte, dhcpv6.MessageType, dhcpv6.TransactionID) {
	typ := dhcpv6.MessageTypeReply
	rapid := false
	switch {
	case a.Reply != "":
		if strings.EqualFold(a.Reply, "Advertise") {
			typ = dhcpv6.MessageTypeAdvertise
		}
		rapid = a.RapidCommit && typ == dhcpv6.MessageTypeReply
	case msg.Type == dhcpv6.MessageTypeSolicit:
		typ = dhcpv6.MessageTypeAdvertise
		if a.RapidCommit && msg.RapidCommit {
			typ, rapid = dhcpv6.MessageTypeReply, true
		}
	}
	xid := msg.TransactionID
	if a.Faults.WrongTransactionID {
		xid = dhcpv6.TransactionID{xid[0] ^ 0xff, xid[1] ^ 0xff, xid[2] ^ 0xff}
	}
	b := []byte{byte(typ), xid[0], xid[1], xid[2]}
	f := a.Faults
	switch {
	case f.NoClientID:
	case len(f.ClientID) > 0:
		b = appendOption(b, optClientID, f.ClientID)
	case f.ForeignClientID:
		b = appendOption(b, optClientID, foreignClientID)
	default:
		b = appendOption(b, optClientID, msg.ClientID)
	}
	if !f.NoServerID {
		b = appendOption(b, optServerID, s.ServerDUID(l))
	}
	b = appendIAs(b, optIANA, a.IANA, msg.IANA, a.Unasked)
	b = appendIAs(b, optIAPD, a.IAPD, msg.IAPD, a.Unasked)
	pref := a.Preference
	if pref == nil && typ == dhcpv6.MessageTypeAdvertise {
		pref = s.Preference
	}
	if pref != nil {
		b = appendOption(b, optPreference, []byte{*pref})
	}
	if rapid {
		b = appendOption(b, optRapidCommit, nil)
	}
	if a.ServerUnicast.IsValid() {
		u := a.ServerUnicast.As16()
		b = appendOption(b, optUnicast, u[:])
	}
	b = statusOption(b, a.Status)
	if a.ReconfigureAccept {
		b = appendOption(b, optReconfAccept, nil)
	}
	if len(a.DNS) > 0 {
		var d []byte
		for _, ad := range a.DNS {
			x := ad.As16()
			d = append(d, x[:]...)
		}
		b = appendOption(b, optDNS, d)
	}
	if len(a.DomainSearch) > 0 {
		b = appendOption(b, optDomainList, domainNames(a.DomainSearch))
	}
	if a.SolMaxRT != nil {
		b = appendOption(b, optSolMaxRT, seconds32(nil, *a.SolMaxRT))
	}
	for range f.FillerOptions {
		b = appendOption(b, optFiller, nil)
	}
	b = append(b, f.RawOptions...)
	if need := f.PadTo - len(b) - 4; need >= 0 {
		b = appendOption(b, optFiller, make([]byte, need))
	}
	return b, typ, xid
}

// appendIAs answers the client's IAs of one kind with specs, keeping the
// client's IAIDs; with unasked, every spec is sent under IAID 1, 2, ….
func appendIAs(b []byte, code uint16, specs []IA, asked []dhcpv6.IA, unasked bool) []byte {
	if len(specs) == 0 {
		return b
	}
	if unasked {
		for i, ia := range specs {
			b = iaOption(b, code, [4]byte{0, 0, 0, byte(i + 1)}, ia)
		}
		return b
	}
	for i, c := range asked {
		b = iaOption(b, code, c.IAID, specs[min(i, len(specs)-1)])
	}
	return b
}

func (e *Engine) answerDHCPv6(p capture.Packet, msg *dhcpv6.Message) []Send {
	var out []Send
	for i, s := range e.sc.Servers {
		actor := fmt.Sprintf("server %d", i)
		if !s.AnyServerID && msg.ServerID != nil && !bytes.Equal(msg.ServerID, s.ServerDUID(e.link)) {
			out = append(out, Send{Entry: Entry{Event: EventDropped, Actor: actor, Kind: msg.Type.String(),
				XID: msg.TransactionID.String(), Note: "for another server"}})
			continue
		}
		ri := s.Rule(msg)
		if ri < 0 {
			out = append(out, Send{Entry: Entry{Event: EventDropped, Actor: actor, Kind: msg.Type.String(),
				XID: msg.TransactionID.String(), Note: "no rule matches"}})
			continue
		}
		a := s.Rules[ri].Action
		if a.Drop {
			out = append(out, Send{Entry: Entry{Event: EventDropped, Actor: actor, Kind: msg.Type.String(),
				XID: msg.TransactionID.String(), Note: fmt.Sprintf("rule %d drops", ri)}})
			continue
		}
		payload, typ, xid := s.Answer(a, msg, e.link)
		mac, src := identity(s.MAC, s.Source, e.link)
		dst, sport, dport := p.Source, uint16(547), p.SourcePort
		if a.Faults.Destination.IsValid() {
			dst = a.Faults.Destination
		}
		if a.Faults.SourcePort != 0 {
			sport = a.Faults.SourcePort
		}
		if a.Faults.DestinationPort != 0 {
			dport = a.Faults.DestinationPort
		}
		ip, err := capture.IPv6Packet{Source: src, Destination: dst, HopLimit: 64, Transport: capture.TransportUDP,
			SourcePort: sport, DestinationPort: dport, Payload: payload}.Marshal()
		if err != nil {
			out = append(out, Send{Entry: Entry{Event: EventError, Actor: actor, Note: err.Error()}})
			continue
		}
		dstMAC := p.SourceMAC
		if dst.IsMulticast() {
			dstMAC = capture.MulticastMAC(dst)
		}
		frame := ethernet(dstMAC, mac, ip)
		copies := max(a.Faults.Copies, 1)
		var gap time.Duration
		if a.Faults.PerSecond > 0 {
			gap = time.Second / time.Duration(a.Faults.PerSecond)
		}
		for c := range copies {
			out = append(out, Send{After: a.Delay.D() + time.Duration(c)*gap, Frame: frame, Entry: Entry{
				Event: EventSent, Actor: actor, Kind: typ.String(), XID: xid.String(), SourceMAC: mac.String(),
				Source: src, Destination: dst, SourcePort: sport, DestinationPort: dport, Size: len(frame),
				Note: fmt.Sprintf("rule %d", ri)}})
		}
	}
	return out
}
