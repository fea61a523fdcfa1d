package diag

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/ndp"
)

// MaxEvents bounds the control messages kept for analysis, so that a flood
// cannot grow memory without limit; what is dropped is counted.
const MaxEvents = 20000

// maxProblemFrames bounds how many frames one finding cites.
const maxProblemFrames = 50

const (
	icmpRouterSolicitation  = 133
	icmpRouterAdvertisement = 134
	portClient              = 546
	portServer              = 547
)

// Facts are what a live run knows beyond the frames. An offline analysis
// leaves them zero.
type Facts struct {
	// Live marks a run that sent its own stimuli.
	Live bool
	// Carrier is false when the interface had no carrier (live only).
	Carrier bool
	// ClientDUID is the DUID the live client used; empty means "find the
	// client in the capture".
	ClientDUID dhcpv6.DUID
	// ClientMAC and ClientLinkLocal identify our side of the link.
	ClientMAC       net.HardwareAddr
	ClientLinkLocal netip.Addr
	// Passive marks a run that sent nothing.
	Passive bool
	// SolicitOnly marks a run that stopped after the Advertises by design.
	SolicitOnly bool
}

// Analyzer consumes frames one at a time; memory stays bounded whatever
// the number of frames.
type Analyzer struct {
	facts    Facts
	stats    Stats
	events   []Event
	problems []Finding
	// malformed counts frames whose control message did not parse.
	unsupported []int
}

// NewAnalyzer starts an analysis.
func NewAnalyzer(f Facts) *Analyzer {
	return &Analyzer{facts: f}
}

// Add decodes one frame. It never fails: a frame that does not decode is
// counted, and reported when it looks like control traffic.
func (a *Analyzer) Add(f capture.Frame) {
	a.stats.Frames++
	if a.stats.First.IsZero() || (!f.Timestamp.IsZero() && f.Timestamp.Before(a.stats.First)) {
		a.stats.First = f.Timestamp
	}
	if f.Timestamp.After(a.stats.Last) {
		a.stats.Last = f.Timestamp
	}
	p, err := capture.Decode(f)
	switch {
	case errors.Is(err, capture.ErrNotIPv6):
		return
	case errors.Is(err, capture.ErrUnsupportedLinkType):
		a.stats.UnsupportedFrames++
		if len(a.unsupported) < maxProblemFrames {
			a.unsupported = append(a.unsupported, f.Number)
		}
		return
	case err != nil:
		a.stats.DecodeErrors++
		return
	}
	// A later fragment carries no ICMPv6 header: p.ICMPv6 is empty then.
	isICMP := func(t byte) bool {
		return p.Transport == capture.TransportICMPv6 && len(p.ICMPv6) > 0 && p.ICMPv6[0] == t
	}
	switch {
	case isICMP(icmpRouterSolicitation):
		a.addRS(f, p)
	case isICMP(icmpRouterAdvertisement):
		a.addRA(f, p)
	case p.Transport == capture.TransportUDP && (p.DestinationPort == portClient || p.DestinationPort == portServer):
		a.addDHCPv6(f, p)
	}
}

func (a *Analyzer) keep(e Event) bool {
	a.stats.ControlFrames++
	if len(a.events) >= MaxEvents {
		a.stats.TimelineDropped++
		return false
	}
	a.events = append(a.events, e)
	return true
}

func baseEvent(f capture.Frame, p capture.Packet, k Kind) Event {
	return Event{
		Frame:     f.Number,
		Time:      f.Timestamp,
		Kind:      k,
		Source:    p.Source,
		Dest:      p.Destination,
		SourceMAC: cloneMAC(p.SourceMAC),
	}
}

func cloneMAC(m net.HardwareAddr) net.HardwareAddr {
	if m == nil {
		return nil
	}
	return append(net.HardwareAddr(nil), m...)
}

func (a *Analyzer) addRS(f capture.Frame, p capture.Packet) {
	e := baseEvent(f, p, KindRouterSolicitation)
	e.Direction = DirectionOut
	if p.Fragmented {
		e.Note = "fragmented"
	}
	a.keep(e)
}

func (a *Analyzer) addRA(f capture.Frame, p capture.Packet) {
	e := baseEvent(f, p, KindRouterAdvertisement)
	e.Direction = DirectionIn
	ra, err := ndp.ParseRouterAdvertisement(p.ICMPv6)
	problems := ndp.Validate(ndp.Envelope{
		HopLimit:   p.HopLimit,
		Source:     p.Source,
		Fragmented: p.Fragmented,
		ICMPCode:   p.ICMPv6[1],
		ICMPLength: len(p.ICMPv6),
	}, ra, err)
	if ra == nil {
		e.Note = "malformed Router Advertisement"
		a.problem(Finding{
			ID: "ra-malformed", Severity: SeverityWarn,
			Summary: fmt.Sprintf("A Router Advertisement from %s could not be read: %v.", p.Source, err),
			ForISP:  "Please check the router's Router Advertisement configuration; this packet is malformed.",
			RFC:     "RFC 4861 §4.2", Frames: []int{f.Number},
		})
		a.keep(e)
		return
	}
	e.RA = ra
	e.Note = raNote(ra)
	if !a.keep(e) {
		return
	}
	for _, pr := range problems {
		a.problem(Finding{ID: pr.ID, Severity: SeverityWarn, Summary: pr.Detail, RFC: pr.RFC, Frames: []int{f.Number},
			ForISP: "Please check the Router Advertisements on this line: hosts that follow RFC 4861 discard or misread them."})
	}
}

func raNote(ra *ndp.RouterAdvertisement) string {
	flags := ""
	if ra.ManagedConfiguration {
		flags += "M"
	}
	if ra.OtherConfiguration {
		flags += "O"
	}
	if flags == "" {
		flags = "none"
	}
	return fmt.Sprintf("flags %s, router lifetime %s", flags, ra.RouterLifetime)
}

func (a *Analyzer) addDHCPv6(f capture.Frame, p capture.Packet) {
	m, err := dhcpv6.Parse(p.UDPPayload)
	var e Event
	if m == nil {
		e = baseEvent(f, p, "DHCPv6")
		e.Direction = directionByPort(p)
		e.Note = "malformed DHCPv6 message"
		a.problem(Finding{
			ID: "dhcpv6-malformed", Severity: SeverityWarn,
			Summary: fmt.Sprintf("Frame %d: a DHCPv6 message from %s could not be read: %v.", f.Number, p.Source, err),
			ForISP:  "Please check the DHCPv6 server or relay: it sends malformed messages.",
			RFC:     "RFC 8415 §21", Frames: []int{f.Number},
		})
		a.keep(e)
		return
	}
	e = baseEvent(f, p, Kind(m.Type.String()))
	e.DHCP = m
	e.TransactionID = m.TransactionID.String()
	e.Direction = directionOf(m.Type)
	if err != nil {
		e.Note = "partly malformed: " + err.Error()
		a.problem(Finding{
			ID: "dhcpv6-malformed", Severity: SeverityWarn,
			Summary: fmt.Sprintf("Frame %d: %s from %s is partly malformed: %v.", f.Number, m.Type, p.Source, err),
			ForISP:  "Please check the DHCPv6 server or relay: it sends malformed options.",
			RFC:     "RFC 8415 §21", Frames: []int{f.Number},
		})
	}
	if e.Direction == DirectionIn && p.DestinationPort != portClient {
		e.Note = joinNote(e.Note, fmt.Sprintf("sent to port %d, not the client port 546", p.DestinationPort))
	}
	a.keep(e)
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func directionByPort(p capture.Packet) Direction {
	if p.DestinationPort == portServer {
		return DirectionOut
	}
	return DirectionIn
}

func directionOf(t dhcpv6.MessageType) Direction {
	switch t {
	case dhcpv6.MessageTypeAdvertise, dhcpv6.MessageTypeReply, dhcpv6.MessageTypeReconfigure, dhcpv6.MessageTypeRelayReply:
		return DirectionIn
	}
	return DirectionOut
}

func (a *Analyzer) problem(f Finding) {
	// Identical problems from many frames become one finding citing them all.
	for i := range a.problems {
		if a.problems[i].ID == f.ID && a.problems[i].Summary == f.Summary {
			if len(a.problems[i].Frames) < maxProblemFrames {
				a.problems[i].Frames = append(a.problems[i].Frames, f.Frames...)
			}
			return
		}
	}
	if len(a.problems) < 200 {
		a.problems = append(a.problems, f)
	}
}

func sameDUID(a, b dhcpv6.DUID) bool { return len(a) > 0 && bytes.Equal(a, b) }

// offset is a time relative to the first frame.
func (a *Analyzer) offset(t time.Time) time.Duration {
	if t.IsZero() || a.stats.First.IsZero() {
		return 0
	}
	return t.Sub(a.stats.First)
}
