package diag

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/firewall"
	"github.com/v6diag/v6diag/ndp"
)

// MaxEvents bounds the control messages kept for analysis, so that a flood
// cannot grow memory without limit; what is dropped is counted. Each kept
// message costs about 2 KB parsed, and several KB more while the report
// formats and the bundle lay it out: at 20000 an analysis peaked near
// 100 MB, at 5000 near 45 MB, at 2000 under the 32 MB budget of issue 4
// (scripts/bench-analyze.sh, e2e TestMemoryUnderFlood). A real line's
// exchange is a few dozen messages.
const MaxEvents = 2000

// maxProblemFrames bounds how many frames one finding cites.
const maxProblemFrames = 50

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
	// Attempts are the attempts of a live run's strategy ladder; each is
	// analysed on its own (attempts.go). Empty: one exchange, as before.
	Attempts []AttemptWindow
	// RouterClient names the router's own DHCPv6 client and its
	// arguments, so the verdict speaks for it (routerclient.go).
	RouterClient *RouterClientFacts
	// WantedPrefixLength is the prefix size the user wants (--prefix-len);
	// 0 falls back to the hint in the capture.
	WantedPrefixLength int
	// Firewall is the router's firewall as a live run read it, and
	// Interface the WAN device the server's answers arrive on; nil when
	// it was not read (analyze): then no firewall finding is made
	// (checks_firewall.go).
	Firewall  *firewall.Firewall
	Interface string
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
	// undecodable are frames whose IPv6 headers are broken (cut inside an
	// extension header, say): the first few and the first error, so a
	// broken frame is never dropped silently.
	undecodable      []int
	firstDecodeError error
	// firewallBlocked are the frames of answers the router's firewall
	// drops (checks_firewall.go), set anew by each Finish.
	firewallBlocked map[int]bool
	// answers are the (transaction, server) pairs whose first Advertise has
	// been seen, at most maxReservedEvents of them.
	answers map[answerKey]struct{}
	// damage is what the capture itself suffered (damage.go).
	damage damage
	// runningGets is, in the Finish under way, what netifd's defaults get
	// the router when its config runs no DHCPv6 client (routerclient.go).
	runningGets *Suggested
}

// NewAnalyzer starts an analysis.
func NewAnalyzer(f Facts) *Analyzer {
	return &Analyzer{facts: f}
}

// Add decodes one frame. It never fails: a frame that does not decode is
// counted, and reported when it looks like control traffic.
func (a *Analyzer) Add(f capture.Frame) {
	a.add(Decode(f), false)
}

// AddFrame is Add for a frame decoded once for others too (door.go): its
// DHCPv6 message is parsed once, whoever reads it first.
func (a *Analyzer) AddFrame(d *Decoded) {
	a.add(d, false)
}

// add is AddFrame; atEOF marks the frame a file ends inside (CutShort),
// which Wireshark does not count.
func (a *Analyzer) add(d *Decoded, atEOF bool) {
	f, p, err := d.Frame, d.Packet, d.Err
	if !atEOF {
		a.stats.Frames++
		a.damage.checkOrder(f, a.stats.Frames-1)
	}
	if a.stats.First.IsZero() || (!f.Timestamp.IsZero() && f.Timestamp.Before(a.stats.First)) {
		a.stats.First = f.Timestamp
	}
	if f.Timestamp.After(a.stats.Last) {
		a.stats.Last = f.Timestamp
	}
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
		if len(a.undecodable) < maxProblemFrames {
			a.undecodable = append(a.undecodable, f.Number)
		}
		if a.firstDecodeError == nil {
			a.firstDecodeError = err
		}
		return
	}
	// A later fragment carries no ICMPv6 header: p.ICMPv6 is empty then.
	isICMP := func(t byte) bool {
		return p.Transport == capture.TransportICMPv6 && len(p.ICMPv6) > 0 && p.ICMPv6[0] == t
	}
	rs, ra := isICMP(capture.ICMPv6RouterSolicitation), isICMP(capture.ICMPv6RouterAdvertisement)
	// A server's message to a wrong port is still DHCPv6, from port 547.
	dhcp := p.Transport == capture.TransportUDP && (p.DestinationPort == capture.PortDHCPv6Client || p.DestinationPort == capture.PortDHCPv6Server || p.SourcePort == capture.PortDHCPv6Server)
	if !rs && !ra && !dhcp {
		return
	}
	original := a.damage.copyOf(f, p)
	if a.damage.backwards > 0 && len(a.damage.backFrames) > 0 && a.damage.backFrames[len(a.damage.backFrames)-1] == f.Number {
		a.damage.controlBackwards = true
	}
	cut := a.damage.contentCut(f, p, atEOF)
	kept := len(a.events)
	switch {
	case rs:
		a.addRS(f, p)
	case ra:
		a.addRA(f, p, cut)
	default:
		a.addDHCPv6(d, cut)
	}
	if original > 0 && len(a.events) > kept {
		// On the timeline, left out of the analysis (damage.go).
		e := &a.events[len(a.events)-1]
		e.copyOf, e.Ignored = original, fmt.Sprintf("a copy of frame %d (the capture saw it twice)", original)
	}
}

// maxReservedEvents is room kept past MaxEvents for the messages the
// verdict turns on — the client's own and the Replies — so that a flood of
// RAs or Advertises before them cannot push them out of the analysis and
// turn an "ok" into "request-unanswered". A flood of Replies fills it too,
// so it is bounded as well.
const maxReservedEvents = 1000

// answerKey names one server's answer to one transaction.
type answerKey struct {
	xid    dhcpv6.TransactionID
	server string
}

func (a *Analyzer) keep(e Event) bool {
	a.stats.ControlFrames++
	// The first Advertise of each server for each transaction is reserved
	// too: a flood of copies from many servers must not push out the one
	// the client chose, or its Request would look like an answer to nothing.
	firstAnswer := false
	if e.DHCP != nil && e.DHCP.Type == dhcpv6.MessageTypeAdvertise && len(a.answers) < maxReservedEvents {
		k := answerKey{xid: e.DHCP.TransactionID, server: string(e.DHCP.ServerID)}
		if _, seen := a.answers[k]; !seen {
			if a.answers == nil {
				a.answers = map[answerKey]struct{}{}
			}
			a.answers[k] = struct{}{}
			firstAnswer = true
		}
	}
	if len(a.events) >= MaxEvents {
		reserved := firstAnswer || e.Direction == DirectionOut || e.DHCP != nil && e.DHCP.Type == dhcpv6.MessageTypeReply
		if !reserved || len(a.events) >= MaxEvents+maxReservedEvents {
			a.stats.TimelineDropped++
			return false
		}
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

func (a *Analyzer) addRA(f capture.Frame, p capture.Packet, cut string) {
	e := baseEvent(f, p, KindRouterAdvertisement)
	e.Direction = DirectionIn
	e.pppoe = p.PPPoE
	e.cut = cut
	ra, err := ndp.ParseRouterAdvertisement(p.ICMPv6)
	problems := ndp.Validate(ndp.Envelope{
		HopLimit:   p.HopLimit,
		Source:     p.Source,
		Fragmented: p.Fragmented,
		ICMPCode:   p.ICMPv6[1],
		ICMPLength: len(p.ICMPv6),
	}, ra, err)
	if cut != "" {
		// What the capture cut off is not the router's fault (damage.go).
		kept := problems[:0]
		for _, pr := range problems {
			if pr.ID != ndp.ProblemTooShort && pr.ID != ndp.ProblemOptionTruncated {
				kept = append(kept, pr)
			}
		}
		problems = kept
		if ra == nil {
			e.Note, e.Ignored = cut, cut+", before the Router Advertisement header ends"
			a.keep(e)
			return
		}
	}
	// RFC 4861 §6.1.2: a host silently discards an RA that fails these
	// tests, so it must not count as a router; the timeline keeps it with
	// the reason.
	for _, pr := range problems {
		if pr.Discards {
			e.Ignored = strings.TrimSuffix(pr.Detail, ".")
			break
		}
	}
	if ra == nil {
		e.Note = "malformed Router Advertisement"
		if e.Ignored == "" {
			e.Ignored = "malformed Router Advertisement"
		}
		a.problem(Finding{
			ID: "ra-malformed", Severity: SeverityWarn,
			Summary: fmt.Sprintf("Frame %d: a Router Advertisement from %s could not be read: %s.", f.Number, p.Source, strings.TrimPrefix(fmt.Sprint(err), "ndp: ")),
			ForISP:  "Please check the router's Router Advertisement configuration; this packet is malformed.",
			RFC:     "RFC 4861 §4.2", Frames: []int{f.Number},
		})
		a.keep(e)
		return
	}
	e.RA = ra
	e.Note = joinNote(raNote(ra), cut)
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

func (a *Analyzer) addDHCPv6(d *Decoded, cut string) {
	f, p := d.Frame, d.Packet
	var m *dhcpv6.Message
	var err error
	if cut == "" {
		m, err = d.DHCPv6()
	} else {
		// Decode what the capture kept; the lost part proves nothing.
		m, err = dhcpv6.ParsePartial(p.UDPPayload)
		if errors.Is(err, dhcpv6.ErrCut) {
			err = nil
		}
	}
	var e Event
	if m == nil && cut != "" {
		e = baseEvent(f, p, "DHCPv6")
		e.Direction = directionByPort(p)
		e.Note, e.cut = cut, cut
		e.srcPort, e.dstPort = p.SourcePort, p.DestinationPort
		a.keep(e)
		return
	}
	if m == nil {
		e = baseEvent(f, p, "DHCPv6")
		e.Direction = directionByPort(p)
		e.Note = "malformed DHCPv6 message"
		e.srcPort, e.dstPort = p.SourcePort, p.DestinationPort
		a.problem(Finding{
			ID: "dhcpv6-malformed", Severity: SeverityWarn,
			Summary: fmt.Sprintf("Frame %d: a DHCPv6 message from %s could not be read: %s.", f.Number, p.Source, parseFault(err)),
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
	e.srcPort, e.dstPort = p.SourcePort, p.DestinationPort
	e.cut = cut
	e.Note = joinNote(relayNote(m), cut)
	if err != nil {
		e.malformed = parseFault(err)
		e.Note = joinNote(e.Note, "partly malformed: "+e.malformed)
		a.problem(Finding{
			ID: "dhcpv6-malformed", Severity: SeverityWarn,
			Summary: fmt.Sprintf("Frame %d: %s from %s is malformed: %s.", f.Number, m.Type, p.Source, e.malformed),
			ForISP:  "Please check the DHCPv6 server or relay: it sends malformed options.",
			RFC:     "RFC 8415 §21", Frames: []int{f.Number},
		})
	}
	if err == nil && len(m.Problems) > 0 {
		// The framing holds but options are wrong (a DUID of length 0, a
		// fixed-size option of the wrong size): the message is still used,
		// as most clients do, and the fault is named.
		e.Note = joinNote(e.Note, "malformed options")
		a.problem(Finding{
			ID: "dhcpv6-malformed", Severity: SeverityWarn,
			Summary: fmt.Sprintf("Frame %d: %s from %s has malformed options: %s.", f.Number, m.Type, p.Source, strings.Join(m.Problems, "; ")),
			ForISP:  "Please check the DHCPv6 server or relay: it sends malformed options.",
			RFC:     "RFC 8415 §21", Frames: []int{f.Number},
		})
	}
	if e.Direction == DirectionIn && p.DestinationPort != capture.PortDHCPv6Client {
		e.Note = joinNote(e.Note, fmt.Sprintf("sent to port %d, not the client port 546", p.DestinationPort))
	}
	a.keep(e)
}

// parseFault is a parse error without the package's generic prefix, for a
// sentence such as "Frame 12: Advertise from fe80::1 is malformed: IA_PD
// option length 8 shorter than 12".
func parseFault(err error) string {
	if err == nil {
		return ""
	}
	return strings.TrimPrefix(err.Error(), dhcpv6.ErrMalformed.Error()+": ")
}

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

func directionByPort(p capture.Packet) Direction {
	if p.DestinationPort == capture.PortDHCPv6Server {
		return DirectionOut
	}
	return DirectionIn
}

func directionOf(t dhcpv6.MessageType) Direction {
	if t.TowardClient() {
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
