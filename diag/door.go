package diag

import (
	"errors"
	"io"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/linkinfo"
)

// This file is the one door into the analysis: run, analyze and
// run --passive all hand their frames to a Pass, so that each frame is
// decoded once and its DHCPv6 message parsed once, whoever else — a live
// run's reactions, the ladder's judge, the link's framing — looks at it.

// Decoded is one frame as the pass reads it: decoded once, and its DHCPv6
// message parsed on first need and kept for every later reader.
type Decoded struct {
	Frame capture.Frame
	// Packet and Err are capture.Decode's.
	Packet capture.Packet
	Err    error

	parsed bool
	msg    *dhcpv6.Message
	msgErr error
}

// Decode decodes f once for everyone who looks at it.
func Decode(f capture.Frame) *Decoded {
	d := new(Decoded)
	d.decode(f)
	return d
}

// decode fills d with frame f, decoded, forgetting what d held before.
func (d *Decoded) decode(f capture.Frame) {
	*d = Decoded{Frame: f}
	d.Packet, d.Err = capture.Decode(f)
}

// DHCPv6 is dhcpv6.Parse of the frame's UDP payload, parsed on the first
// call only: a live run's reactions and both of its analyses read the same
// message.
func (d *Decoded) DHCPv6() (*dhcpv6.Message, error) {
	if !d.parsed {
		d.msg, d.msgErr = dhcpv6.Parse(d.Packet.UDPPayload)
		d.parsed = true
	}
	return d.msg, d.msgErr
}

// FrameSource gives frames one at a time, io.EOF after the last; a
// *capture.Reader is one.
type FrameSource interface {
	Next() (capture.Frame, error)
}

// Analysis is the complete result of one pass over a capture.
type Analysis struct {
	Result *Result
	// Link is how the control frames were framed on the wire, observed in
	// the same pass.
	Link linkinfo.Link
}

// Pass is one analysis of frames given one at a time, in bounded memory.
// A live run adds what it records as it records it; AnalyzeFrames adds
// what a capture file holds.
type Pass struct {
	a    Analyzer
	link linkinfo.Observer
}

// NewPass starts a pass. The facts come at Finish: a live run learns some
// of them (its attempts, the firewall) only after its frames.
func NewPass() *Pass { return &Pass{} }

// Add analyses one frame, in file order. Neither the pass nor the
// analysis keeps d (only what they parsed from it).
func (p *Pass) Add(d *Decoded) {
	p.a.add(d, false)
	if d.Err == nil {
		p.link.AddPacket(d.Packet)
	}
}

// CutShort is Analyzer.CutShort: the file ends inside (or after) frame f.
func (p *Pass) CutShort(f capture.Frame, inFrame bool) { p.a.CutShort(f, inFrame) }

// Frames is how many frames were added.
func (p *Pass) Frames() int { return p.a.stats.Frames }

// Finish judges what was added with the run's facts.
func (p *Pass) Finish(facts Facts) Analysis {
	p.a.facts = facts
	return Analysis{Result: p.a.Finish(), Link: p.link.Link()}
}

// AnalyzeFrames analyses every frame src gives. It returns the analysis of
// what was read, and the error that ended reading early, if any: frames
// before damage count, and a file cut short is a finding of its own.
func AnalyzeFrames(src FrameSource, facts Facts) (Analysis, error) {
	p := NewPass()
	// One Decoded for every frame: nothing keeps it past Add, and a large
	// file is millions of frames that need no allocation each.
	var d Decoded
	for {
		fr, err := src.Next()
		if errors.Is(err, io.EOF) {
			return p.Finish(facts), nil
		}
		if err != nil {
			var cut *capture.CutShortError
			if errors.As(err, &cut) {
				p.CutShort(cut.Frame, cut.InFrame)
			}
			return p.Finish(facts), err
		}
		d.decode(fr)
		p.Add(&d)
	}
}
