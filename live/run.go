package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/ndp"
	"github.com/v6diag/v6diag/odhcp6c"
)

// RFC 4861 §10: hosts retransmit Router Solicitations every
// RTR_SOLICITATION_INTERVAL. We keep soliciting until an RA arrives or the
// run ends, since a missing RA is exactly what is being diagnosed.
const rtrSolicitationInterval = 4 * time.Second

// maxJudgedFrames bounds the frames kept in memory for judging attempts
// during the run, whatever a server floods us with. v6diag's own messages
// and the Replies to them are judged past it (see reserved): a flood of
// Advertise copies must not make a working attempt look unanswered and
// send the ladder on to needless rungs.
const maxJudgedFrames = 2000

// MaxFrames caps the frames a run records, so that a flood cannot fill
// /tmp (RAM on OpenWrt) or memory; the report states it when reached. Twice
// diag.MaxEvents: the analysis keeps no more control messages than that.
const MaxFrames = 10000

// Config says what a run does.
type Config struct {
	Interface capture.Interface
	// Capture receives the pcapng as it is written.
	Capture io.Writer
	// Timeout bounds the whole run.
	Timeout time.Duration
	// Client holds what every attempt shares: v6diag's own DUID, and the
	// Solicit-only, no release and randomness settings.
	Client dhcpv6.ClientConfig
	// RouterArgs are the odhcp6c arguments of the router's own client
	// (netifd's mapping of its wan6 section): the first attempt sends and
	// decides as odhcp6c does with them. Host is what odhcp6c reads from
	// the router (WAN device name, host name).
	RouterArgs odhcp6c.Args
	Host       odhcp6c.Host
	// WantedPrefixLength is the prefix size the user wants
	// (--prefix-len): the ladder goes on until a shape gets one as large.
	WantedPrefixLength int
	// Strategy says how many attempts the run makes (ladder.go); empty
	// means StrategyFirst, a single exchange.
	Strategy Strategy
	// RouterIdentity is the identity of the DUID-LL rung: the DUID-LL of the
	// WAN MAC and the IAID to use with it. Empty: no such rung.
	RouterIdentity dhcpv6.Identity
	// RouterDUIDSkip, when set, keeps the DUID-LL rung from running and
	// says why (the router's own client may hold a lease under it).
	RouterDUIDSkip string
	// Passive sends nothing; it records for Timeout.
	Passive bool
	// NoDHCPv6 sends Router Solicitations only.
	NoDHCPv6 bool
	// Progress, if set, receives one-line descriptions of what happens.
	Progress func(string)
	// Status, if set, receives the same progress as values (see Status).
	Status func(Status)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Application names the tool in the pcapng header.
	Application string
	// MaxFrames lowers the cap on recorded frames below MaxFrames, for an
	// output folder with less room (cmd/v6diag's room check); 0 means
	// MaxFrames.
	MaxFrames int
	// Analysis, if set, is given every frame the run records, as the file
	// holds it, decoded once (the frame the run itself reacted to): the
	// run's report comes from it without reading the capture back. After
	// a write to Capture failed (Outcome.CaptureWriteFailed) it misses what
	// the file holds, and the file is the one to analyse.
	Analysis *diag.Pass
}

// Outcome is what the run did (the verdict comes from the capture).
type Outcome struct {
	Started, Ended time.Time
	Frames         int
	FramesCapped   int
	RSSent         int
	RASeen         int
	// Client is the first attempt's exchange.
	Client dhcpv6.ClientResult
	// Attempts are the attempts of the strategy ladder, skipped ones
	// included, in order.
	Attempts    []Attempt
	KernelDrops uint32
	// KernelDropsUnknown is set when the kernel gave no drop count
	// (capture.ErrNoStats, e.g. under qemu-user).
	KernelDropsUnknown bool
	// CaptureMethod is the path the capture took (capture.Method).
	CaptureMethod capture.Method
	// Interrupted is set when the context was cancelled before the end.
	Interrupted bool
	// ReleasedOnInterrupt is set when an interrupted run sent a Release for
	// what it held.
	ReleasedOnInterrupt bool
	// SendErrors counts stimuli the kernel refused to send.
	SendErrors int
	LastError  error
	// CaptureWriteFailed is set when a frame could not be written to the
	// capture: Config.Analysis then lacks what the file holds.
	CaptureWriteFailed bool
}

// ErrNoLinkLocal reports an interface without a usable link-local address.
var ErrNoLinkLocal = errors.New("no usable IPv6 link-local address")

var (
	allRouters          = netip.MustParseAddr("ff02::2")
	allDHCPRelayServers = netip.MustParseAddr("ff02::1:2")
)

type runner struct {
	cfg Config
	now func() time.Time
	cap *capture.Live
	// sent are packets v6diag sent and recorded itself, awaiting the
	// capture socket's copy (recordSent, ownCopy).
	sent   []sentPacket
	pcap   *capture.PcapngWriter
	ladder *ladder
	// analyzer holds the DHCPv6 frames so far, for judging each attempt
	// with the same analysis the report uses.
	analyzer *diag.Analyzer
	// announced counts the attempts progress has reported.
	announced int
	// judged counts the frames given to analyzer.
	judged   int
	out      Outcome
	nextRS   time.Time
	gotRA    bool
	deadline time.Time
}

// Run performs one live run. It returns an error only when the run could
// not start (permissions, interface); problems on the wire are for the
// analysis of the capture.
func Run(ctx context.Context, cfg Config) (*Outcome, error) {
	r := &runner{cfg: cfg, now: cfg.Now}
	if r.now == nil {
		r.now = time.Now
	}
	ifc := cfg.Interface
	if !cfg.Passive && !ifc.LinkLocal.IsValid() {
		if ifc.LinkLocalTentative {
			return nil, fmt.Errorf("live: %s: link-local address still in duplicate address detection: %w", ifc.Name, ErrNoLinkLocal)
		}
		return nil, fmt.Errorf("live: %s: %w", ifc.Name, ErrNoLinkLocal)
	}
	var err error
	if r.cap, err = capture.OpenLive(ifc); err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	defer r.cap.Close()
	r.out.CaptureMethod = r.cap.Method()
	if r.pcap, err = capture.NewPcapngWriter(cfg.Capture, ifc.Name, r.cap.LinkType(), cfg.Application); err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	r.out.Started = r.now()
	r.deadline = r.out.Started.Add(cfg.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(r.deadline) {
		r.deadline = dl
	}
	if !cfg.Passive {
		r.sendRS()
		if !cfg.NoDHCPv6 {
			r.startLadder()
		}
	}
	r.loop(ctx)
	r.endLadder()
	if _, drops, err := r.cap.Stats(); err == nil {
		r.out.KernelDrops = drops
	} else {
		r.out.KernelDropsUnknown = true
	}
	r.out.Ended = r.now()
	return &r.out, nil
}

func (r *runner) progress(format string, args ...any) {
	if r.cfg.Status != nil {
		r.cfg.Status(Status{Event: fmt.Sprintf(format, args...), Awaiting: r.awaiting(), Deadline: r.deadline})
	}
	if r.cfg.Progress != nil {
		left := max(time.Until(r.deadline), 0).Round(time.Second)
		r.cfg.Progress(fmt.Sprintf("[%s left] ", left) + fmt.Sprintf(format, args...))
	}
}

func (r *runner) startLadder() {
	strategy := r.cfg.Strategy
	if strategy == "" {
		strategy = StrategyFirst
	}
	ifc := r.cfg.Interface
	r.analyzer = diag.NewAnalyzer(diag.Facts{Live: true, Carrier: true, ClientMAC: ifc.MAC,
		ClientLinkLocal: ifc.LinkLocal, SolicitOnly: r.cfg.Client.SolicitOnly,
		RouterClient:       &diag.RouterClientFacts{Args: r.cfg.RouterArgs, ArgsText: r.cfg.RouterArgs.String(), Host: r.cfg.Host},
		WantedPrefixLength: r.cfg.WantedPrefixLength})
	r.ladder = newLadder(ladderConfig{
		Strategy: strategy, Client: r.cfg.Client, RouterArgs: r.cfg.RouterArgs, Host: r.cfg.Host,
		Wanted:         r.cfg.WantedPrefixLength,
		RouterIdentity: r.cfg.RouterIdentity, RouterDUIDSkip: r.cfg.RouterDUIDSkip,
		Start: r.out.Started, End: r.deadline,
		Judge:  r.analyzer.Attempt,
		Frames: r.pcap.Frames,
	})
	r.sendDHCPv6(r.ladder.Start(r.now()))
}

// endLadder gives back what the running attempt may still hold when the
// run ends — interrupted, or at --timeout — with one Release and a short
// wait for its Reply (the capture records both), and collects the attempts.
func (r *runner) endLadder() {
	if r.ladder == nil {
		return
	}
	out, xid, wait := r.ladder.Interrupt(r.now())
	if len(out) > 0 {
		r.sendDHCPv6(out)
		r.out.ReleasedOnInterrupt = r.out.Interrupted
	}
	if wait {
		grace := releaseGrace
		if r.out.Interrupted {
			grace = interruptReleaseGrace
		}
		r.awaitReply(xid, r.now().Add(grace))
	}
	r.out.Attempts = r.ladder.Attempts()
	for _, a := range r.out.Attempts {
		if a.Skipped == "" {
			r.out.Client = a.Client
			break
		}
	}
}

// interruptReleaseGrace is the wait for the Reply to the Release sent on
// SIGINT or SIGTERM: the whole exit, report included, must take under a
// second, and a server on the link answers in milliseconds.
const interruptReleaseGrace = 300 * time.Millisecond

// awaitReply records frames until the Reply with transaction id xid comes
// or until passes.
func (r *runner) awaitReply(xid dhcpv6.TransactionID, until time.Time) {
	for r.now().Before(until) {
		f, err := r.cap.ReadFrame(until)
		if err != nil {
			return
		}
		d := r.receive(f)
		if d == nil || d.Err != nil || d.Packet.Transport != capture.TransportUDP || d.Packet.DestinationPort != capture.PortDHCPv6Client {
			continue
		}
		if m, _ := d.DHCPv6(); m != nil && m.Type == dhcpv6.MessageTypeReply && m.TransactionID == xid {
			return
		}
	}
}

func (r *runner) done() bool {
	if r.cfg.Passive {
		return false
	}
	return (r.ladder == nil || r.ladder.Done()) && r.gotRA
}

func (r *runner) loop(ctx context.Context) {
	for !r.done() {
		now := r.now()
		if ctx.Err() != nil {
			r.out.Interrupted = true
			return
		}
		if !now.Before(r.deadline) {
			return
		}
		// Wake for the next timer, the end of the run, or at least every
		// 200 ms to notice cancellation.
		wake := now.Add(200 * time.Millisecond)
		if r.deadline.Before(wake) {
			wake = r.deadline
		}
		if !r.cfg.Passive && !r.gotRA && r.nextRS.Before(wake) {
			wake = r.nextRS
		}
		if r.ladder != nil {
			if d := r.ladder.Deadline(); !d.IsZero() && d.Before(wake) {
				wake = d
			}
		}
		if wake.After(now) {
			f, err := r.cap.ReadFrame(wake)
			switch {
			case err == nil:
				r.receive(f) // a frame that does not decode is recorded and counted
			case errors.Is(err, os.ErrDeadlineExceeded):
			default:
				r.out.LastError = err
				// A vanished interface ends the run; the report says so.
				if errors.Is(err, os.ErrClosed) || isLinkGone(err) {
					return
				}
			}
		}
		now = r.now()
		if !r.cfg.Passive && !r.gotRA && !now.Before(r.nextRS) {
			r.sendRS()
		}
		if r.ladder != nil {
			if d := r.ladder.Deadline(); !d.IsZero() && !now.Before(d) {
				r.sendDHCPv6(r.ladder.Tick(now))
			}
		}
	}
}

func isLinkGone(err error) bool {
	return errors.Is(err, syscall.ENETDOWN) || errors.Is(err, syscall.ENODEV) || errors.Is(err, syscall.ENXIO)
}

// receive decodes a captured frame once and handles it, unless it is the
// capture socket's copy of a packet recordSent already handled (then it
// returns nil, the copy not even decoded).
func (r *runner) receive(f capture.Frame) *diag.Decoded {
	if r.ownCopy(f) {
		return nil
	}
	d := diag.Decode(f)
	r.handle(d)
	return d
}

// handle records frame d, hands it to the analyses, and acts on it.
func (r *runner) handle(d *diag.Decoded) {
	n := r.record(d)
	if d.Err != nil {
		return
	}
	p := d.Packet
	if r.analyzer != nil && n > 0 && (r.judged < maxJudgedFrames || r.reserved(d)) && p.Transport == capture.TransportUDP &&
		(p.DestinationPort == capture.PortDHCPv6Client || p.DestinationPort == capture.PortDHCPv6Server) && len(p.UDPPayload) >= 4 &&
		r.ladder.owns(dhcpv6.TransactionID(p.UDPPayload[1:4])) {
		// Only the attempts' own DHCPv6 messages are kept for judging them:
		// the ladder goes by its exchanges, and a flood of RAs or foreign
		// DHCPv6 must not sway its judgement or grow its memory.
		r.analyzer.AddFrame(d)
		r.judged++
	}
	switch {
	case p.Transport == capture.TransportICMPv6 && len(p.ICMPv6) > 0 && p.ICMPv6[0] == capture.ICMPv6RouterAdvertisement:
		r.out.RASeen++
		first := !r.gotRA
		r.gotRA = true // before progress, which says what is still awaited
		if first {
			r.progress("Router Advertisement from %s (frame %d)", p.Source, n)
		}
	case p.Transport == capture.TransportUDP && p.DestinationPort == capture.PortDHCPv6Client && r.ladder != nil && !r.out.Interrupted:
		m, err := d.DHCPv6()
		if m == nil || err != nil && m.Type == 0 {
			return
		}
		r.progress("%s from %s (frame %d)", m.Type, p.Source, n)
		r.sendDHCPv6(r.ladder.Receive(r.now(), m))
	}
}

// record writes frame d to the capture, unless past the cap, and gives
// it to the run's analysis as the file holds it; it returns its frame
// number, 0 when it was not recorded.
func (r *runner) record(d *diag.Decoded) int {
	limit := MaxFrames
	if r.cfg.MaxFrames > 0 {
		limit = min(r.cfg.MaxFrames, MaxFrames)
	}
	if r.pcap.Frames() >= limit && (d.Err != nil || !r.reserved(d) || r.pcap.Frames() >= limit+MaxReservedFrames) {
		// Past the cap the frame is not recorded, but still acted on: a
		// flood must not stop the exchange it floods.
		r.out.FramesCapped++
		d.Frame.Number = 0
		return 0
	}
	rec, err := r.pcap.Record(d.Frame)
	if err != nil {
		r.out.LastError = err
		r.out.CaptureWriteFailed = true
		d.Frame.Number = 0
		return 0
	}
	r.out.Frames = rec.Number
	d.Frame = rec
	if r.cfg.Analysis != nil {
		r.cfg.Analysis.Add(d)
	}
	return rec.Number
}

// MaxReservedFrames is room past MaxFrames for the frames the verdict
// turns on (see reserved), so that a flood that filled the capture first
// cannot hide the end of the exchange from the analysis.
const MaxReservedFrames = 1000

// reserved reports whether a frame is one the analysis needs even past
// the cap: one v6diag sent, or a DHCPv6 Reply for its DUID.
func (r *runner) reserved(d *diag.Decoded) bool {
	p := d.Packet
	if p.Source == r.cfg.Interface.LinkLocal {
		return true
	}
	if p.Transport != capture.TransportUDP || p.DestinationPort != capture.PortDHCPv6Client {
		return false
	}
	m, _ := d.DHCPv6()
	// A Reply to any attempt counts, the DUID-LL rung's included.
	return m != nil && m.Type == dhcpv6.MessageTypeReply &&
		(m.ClientID.Equal(r.cfg.Client.Identity.DUID) || r.ladder != nil && r.ladder.owns(m.TransactionID))
}

func (r *runner) sendRS() {
	r.nextRS = r.now().Add(rtrSolicitationInterval)
	ifc := r.cfg.Interface
	rs := ndp.MarshalRouterSolicitation(ndp.RouterSolicitation{SourceLinkLayerAddress: ifc.MAC})
	pkt, err := capture.IPv6Packet{Source: ifc.LinkLocal, Destination: allRouters, HopLimit: 255,
		Transport: capture.TransportICMPv6, Payload: rs}.Marshal()
	if err == nil {
		err = r.cap.Send(capture.MulticastMAC(allRouters), pkt)
	}
	if err != nil {
		r.out.SendErrors++
		r.out.LastError = err
		return
	}
	r.recordSent(capture.MulticastMAC(allRouters), pkt)
	r.out.RSSent++
	r.progress("Router Solicitation %d sent", r.out.RSSent)
}

// announce reports the attempts the ladder started or skipped since the
// last call.
func (r *runner) announce() {
	if r.ladder == nil {
		return
	}
	as := r.ladder.Attempts()
	for ; r.announced < len(as); r.announced++ {
		a := as[r.announced]
		if a.Skipped != "" {
			r.progress("attempt %d skipped (%s): %s", a.Index, a.Label, a.Skipped)
		} else {
			r.progress("attempt %d: %s", a.Index, a.Label)
		}
	}
}

func (r *runner) sendDHCPv6(out []dhcpv6.Outgoing) {
	r.announce()
	ifc := r.cfg.Interface
	for _, o := range out {
		// Hop limit 1: the message is for this link only (RFC 8415 §7.1).
		pkt, err := capture.IPv6Packet{Source: ifc.LinkLocal, Destination: allDHCPRelayServers, HopLimit: 1,
			Transport: capture.TransportUDP, SourcePort: capture.PortDHCPv6Client, DestinationPort: capture.PortDHCPv6Server, Payload: o.Payload}.Marshal()
		if err == nil {
			err = r.cap.Send(capture.MulticastMAC(allDHCPRelayServers), pkt)
		}
		if err != nil {
			r.out.SendErrors++
			r.out.LastError = err
			continue
		}
		r.recordSent(capture.MulticastMAC(allDHCPRelayServers), pkt)
		r.progress("%s sent (xid %s)", o.Type, o.TransactionID)
	}
}

// The capture socket sees v6diag's own packets only if the kernel keeps up:
// under a flood it drops them with everything else, and a Request missing
// from the capture would make the analysis call a working line broken. So
// v6diag records what it sends itself, when it sends it, and skips the
// copy the capture socket delivers later.

// sentCopyWindow is how long a sent packet waits for its captured copy.
const sentCopyWindow = 2 * time.Second

// maxSentAwaiting bounds the sent packets waiting for their copy.
const maxSentAwaiting = 64

// sentPacket is a packet v6diag sent, by its IPv6 bytes as the kernel
// put them on the wire: DHCPv6 payloads differ by transaction id and
// elapsed time; identical Router Solicitations are matched one copy each.
type sentPacket struct {
	ipv6 []byte
	at   time.Time
}

// recordSent writes a packet v6diag just sent to the capture, framed as the
// capture socket would have seen it, and analyses it like a captured one.
func (r *runner) recordSent(dst net.HardwareAddr, pkt []byte) {
	now := r.now()
	data := pkt
	if r.cap.LinkType() == capture.LinkTypeEthernet {
		src := r.cfg.Interface.MAC
		if len(src) != 6 {
			src = make(net.HardwareAddr, 6) // lo: no address, zeros on the wire
		}
		data = make([]byte, 0, 14+len(pkt))
		data = append(data, dst...)
		data = append(data, src...)
		data = append(data, 0x86, 0xdd)
		data = append(data, pkt...)
	}
	if len(r.sent) == maxSentAwaiting {
		r.sent = r.sent[1:]
	}
	r.sent = append(r.sent, sentPacket{ipv6: pkt, at: now})
	f := capture.Frame{Timestamp: now, LinkType: r.cap.LinkType(), Data: data, OriginalLength: len(data)}
	r.handle(diag.Decode(f))
}

// ownCopy reports whether f is the capture socket's copy of a packet
// recordSent already recorded, consuming that record. It compares bytes,
// before any decoding: the copy is the very packet v6diag sent (Send
// leaves it as given; the kernel adds only the link header), and a copy
// is dropped without being decoded a second time.
func (r *runner) ownCopy(f capture.Frame) bool {
	if len(r.sent) == 0 {
		return false
	}
	cutoff := f.Timestamp.Add(-sentCopyWindow)
	for len(r.sent) > 0 && r.sent[0].at.Before(cutoff) {
		r.sent = r.sent[1:]
	}
	for i, s := range r.sent {
		if bytes.HasSuffix(f.Data, s.ipv6) {
			r.sent = append(r.sent[:i], r.sent[i+1:]...)
			return true
		}
	}
	return false
}
