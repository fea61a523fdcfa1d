package diag

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/v6diag/v6diag/capture"
)

// A capture can be damaged in ways that make frames look like protocol
// faults: a file cut inside its last record, a snapshot length that cut
// messages, frames out of time order (files merged, several interfaces),
// and every frame twice (tcpdump -i any on a bridge and its port). Each is
// a finding of its own, and none may become a failure of the line: what a
// cut took away proves nothing, a copy is not a retransmission.

// duplicateWindow is how close in time two identical control packets must
// be to count as one packet captured twice. The copies of a bridge and its
// port are microseconds apart; a real retransmission is at least
// hundreds of milliseconds after the first (RFC 8415 §15, RFC 4861
// §6.3.7), and a DHCPv6 one differs in its Elapsed Time anyway.
const duplicateWindow = 100 * time.Millisecond

// recentPackets is how many control packets the duplicate check
// remembers: enough for the copies of one packet on a few interfaces.
const recentPackets = 8

// damage is what the analysis noticed about the capture itself.
type damage struct {
	// recent are the last control packets, for the duplicate check.
	recent [recentPackets]seenPacket
	next   int
	// duplicates are frames left out as copies; originals the frame each
	// copies (first few).
	duplicates, originals []int
	duplicateCount        int
	// previous is the timestamp of the previous frame; backwards counts
	// frames stamped before it, the first few in backFrames, the largest
	// step back in maxBack.
	previous   time.Time
	backwards  int
	backFrames []int
	maxBack    time.Duration
	backAt     [2]int // the frames of the largest step back
	// controlBackwards is set when a control message is among them.
	controlBackwards bool
	// snapCut are control frames the snapshot length cut short.
	snapCut      []int
	snapCutCount int
	snapLen      int // the shortest captured length among them
	// cut is set when the file ends inside a record.
	cut *cutShort
}

// cutShort is where a file that ends inside a record was cut.
type cutShort struct {
	frame   int       // the frame the cut fell in
	at      time.Time // its timestamp; zero if its header was lost
	inFrame bool
	// kind is what the captured part of the frame shows it was (e.g.
	// "Reply"), "" when too little is left to tell.
	kind string
}

type seenPacket struct {
	// hash is the IPv6 packet's, whole the frame's with its link header.
	hash, whole uint64
	at          time.Time
	frame       int
	linkType    capture.LinkType
	vlans       []uint16
}

// sameLink reports whether two VLAN stacks (outermost first) can be one
// link seen at two layers: a VLAN device strips the outer tags its parent
// shows, so one stack ends with the other. The same router's packet on
// VLAN 10 and on VLAN 75 is two packets on two links, not a copy.
func sameLink(a, b []uint16) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	return slices.Equal(a[len(a)-len(b):], b)
}

func vlanIDs(p capture.Packet) []uint16 {
	var ids []uint16
	for _, v := range p.VLANs {
		ids = append(ids, v.ID)
	}
	return ids
}

// CutShort tells the analysis that the file ends inside a record (a
// capture.CutShortError): f is what the file holds of the frame the cut
// fell in, inFrame false when the cut fell outside a frame's record. What
// f's captured bytes show is added to the timeline like any frame, marked
// as cut; call it after the last Add.
func (a *Analyzer) CutShort(f capture.Frame, inFrame bool) {
	a.damage.cut = &cutShort{frame: f.Number, at: f.Timestamp, inFrame: inFrame}
	if !inFrame || len(f.Data) == 0 {
		return
	}
	// The record's own lengths promise more than the file holds.
	f.OriginalLength = max(f.OriginalLength, len(f.Data)+1)
	before := len(a.events)
	a.add(Decode(f), true)
	if len(a.events) > before {
		a.damage.cut.kind = string(a.events[len(a.events)-1].Kind)
	}
}

// checkOrder notes a frame stamped before the one before it.
func (d *damage) checkOrder(f capture.Frame, last int) {
	if f.Timestamp.IsZero() {
		return
	}
	if !d.previous.IsZero() && f.Timestamp.Before(d.previous) {
		d.backwards++
		if len(d.backFrames) < maxProblemFrames {
			d.backFrames = append(d.backFrames, f.Number)
		}
		if back := d.previous.Sub(f.Timestamp); back > d.maxBack {
			d.maxBack, d.backAt = back, [2]int{last, f.Number}
		}
	}
	d.previous = f.Timestamp
}

// copyOf returns the frame that f, a control packet p, is a copy of: the
// same IPv6 packet seen within duplicateWindow on another interface or
// VLAN — the copies of a bridge and its port differ in their link header
// (a VLAN tag, the cooked header's interface), or not at all in a Linux
// cooked capture of every interface (tcpdump -i any); an identical frame
// with the very same stamp is a copy too (a mirror port that sends every
// frame twice, a file merged with itself). An identical frame stamped
// later on the same Ethernet link is a packet sent again (a flood).
// It returns 0 for a packet not seen before, and remembers it.
func (d *damage) copyOf(f capture.Frame, p capture.Packet) int {
	src, dst := p.Source.As16(), p.Destination.As16()
	sum := fnv64a(fnvOffset, src[:], dst[:],
		[]byte{p.HopLimit, byte(p.Transport), byte(p.SourcePort >> 8), byte(p.SourcePort), byte(p.DestinationPort >> 8), byte(p.DestinationPort)},
		p.ICMPv6, p.UDPPayload)
	whole := fnv64a(fnvOffset, f.Data)
	cooked := f.LinkType == capture.LinkTypeLinuxSLL || f.LinkType == capture.LinkTypeLinuxSLL2
	vlans := vlanIDs(p)
	for _, s := range d.recent {
		identical := s.whole == whole && s.linkType == f.LinkType && !cooked
		if s.frame == 0 || s.hash != sum || (identical && !f.Timestamp.Equal(s.at)) || !sameLink(s.vlans, vlans) {
			continue
		}
		gap := f.Timestamp.Sub(s.at)
		if gap < 0 {
			gap = -gap
		}
		if gap <= duplicateWindow {
			d.duplicateCount++
			if len(d.duplicates) < maxProblemFrames {
				d.duplicates = append(d.duplicates, f.Number)
				d.originals = append(d.originals, s.frame)
			}
			return s.frame
		}
	}
	d.recent[d.next] = seenPacket{hash: sum, whole: whole, at: f.Timestamp, frame: f.Number, linkType: f.LinkType, vlans: vlans}
	d.next = (d.next + 1) % recentPackets
	return 0
}

// fnv64a is the 64-bit FNV-1a hash of the parts, from h (hash/fnv's
// algorithm, without its interface and encoding methods in the binary).
func fnv64a(h uint64, parts ...[]byte) uint64 {
	for _, b := range parts {
		for _, c := range b {
			h = (h ^ uint64(c)) * fnvPrime
		}
	}
	return h
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// contentCut says why a control frame's content is incomplete: cut by
// the file's end, or by the snapshot length; "" when it is whole. It
// counts the snapshot cuts.
func (d *damage) contentCut(f capture.Frame, p capture.Packet, atEOF bool) string {
	switch {
	case atEOF:
		return fmt.Sprintf("cut short: the file ends inside this frame (%d bytes of it are there)", len(f.Data))
	case f.OriginalLength > len(f.Data) && p.Truncated:
		d.snapCutCount++
		if len(d.snapCut) < maxProblemFrames {
			d.snapCut = append(d.snapCut, f.Number)
		}
		if d.snapLen == 0 || len(f.Data) < d.snapLen {
			d.snapLen = len(f.Data)
		}
		return fmt.Sprintf("cut by the capture's snapshot length at %d of %d bytes", len(f.Data), f.OriginalLength)
	}
	return ""
}

// damageFindings are the findings about the capture itself. Timing checks
// read the frames in file order; when control messages are out of time
// order their results are noise, so they are taken out of fs.
func (a *Analyzer) damageFindings(fs []Finding) []Finding {
	d := &a.damage
	var out []Finding
	if d.duplicateCount > 0 {
		all := ""
		if 2*d.duplicateCount >= a.stats.ControlFrames {
			all = " Every control message is there twice: the capture was taken on a bridge and its port at once (tcpdump -i any), or merged from two captures of the same link."
		}
		out = append(out, Finding{ID: "capture-duplicate-frames", Severity: SeverityInfo, Frames: slices.Clone(d.duplicates),
			Summary: fmt.Sprintf("%d control frames are copies of one captured just before on another interface or VLAN (frame %d copies frame %d: the same IPv6 packet within %s); the copies were left out of the analysis, so they are not read as retransmissions.%s",
				d.duplicateCount, d.duplicates[0], d.originals[0], duplicateWindow, all)})
	}
	if d.backwards > 0 {
		var skipped []string
		if d.controlBackwards {
			fs = slices.DeleteFunc(fs, func(f Finding) bool {
				if f.ID == "dhcpv6-retransmission-timing" || f.ID == "dhcpv6-slow-server" {
					if !slices.Contains(skipped, f.ID) {
						skipped = append(skipped, f.ID)
					}
					return true
				}
				return false
			})
		}
		f := Finding{ID: "capture-out-of-order", Severity: SeverityWarn, Frames: slices.Clone(d.backFrames),
			Summary: fmt.Sprintf("%d frames are stamped earlier than the frame before them (frame %d is %s before frame %d): the file was merged from several captures, or its clock stepped back. Frame numbers follow the file, times follow the stamps.",
				d.backwards, d.backAt[1], d.maxBack.Round(time.Microsecond), d.backAt[0])}
		if len(skipped) > 0 {
			f.Summary += fmt.Sprintf(" Control messages are among them, so the timing checks that read the frames in order (%s) were left out.", strings.Join(skipped, ", "))
		}
		out = append(out, f)
	}
	if d.snapCutCount > 0 {
		out = append(out, Finding{ID: "capture-snaplen-cut", Severity: SeverityWarn, Frames: slices.Clone(d.snapCut),
			Summary: fmt.Sprintf("%d control messages were cut by the capture's snapshot length (%d bytes kept of the shortest): what lies past the cut is lost, so a missing option there proves nothing. Capture with tcpdump -s 0.",
				d.snapCutCount, d.snapLen)})
	}
	if c := d.cut; c != nil {
		out = append(out, a.cutFinding(c))
	}
	return append(fs, out...)
}

func (a *Analyzer) cutFinding(c *cutShort) Finding {
	f := Finding{ID: "capture-cut-short", Severity: SeverityWarn}
	switch {
	case !c.inFrame:
		f.Summary = fmt.Sprintf("The file ends inside a pcapng block after frame %d: it was cut short (tcpdump stopped hard, a full disk, a broken copy). Everything before the cut was analysed.", c.frame-1)
	case c.kind != "":
		f.Frames = []int{c.frame}
		f.Summary = fmt.Sprintf("The file ends inside frame %d, a %s (Wireshark does not show it): it was cut short, and the rest of that message is lost. Everything before the cut was analysed.", c.frame, c.kind)
	default:
		f.Summary = fmt.Sprintf("The file ends inside frame %d (Wireshark does not show it): it was cut short, so what that frame was is lost. Everything before the cut was analysed.", c.frame)
	}
	return f
}

// lostToCut reports whether an answer to e may be in what the file lost:
// the file was cut in a frame no earlier than e's answer could come, and
// no later than a slow server's answer would (so a message long left
// unanswered before the cut still counts as unanswered).
func (a *Analyzer) lostToCut(e *Event) bool {
	c := a.damage.cut
	if c == nil || e == nil {
		return false
	}
	at := c.at
	if at.IsZero() {
		at = a.stats.Last
	}
	return !at.Before(e.Time) && at.Sub(e.Time) <= maxAnswerWait
}

// maxAnswerWait is how long after a client's message its answer may still
// come: a slow server (dhcpv6-slow-server starts at 1 s), the Reply to a
// Request, or an RA to an RS (MAX_RA_DELAY_TIME 0.5 s, RFC 4861 §6.2.6).
const maxAnswerWait = 4 * time.Second
