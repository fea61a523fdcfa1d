package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/ndp"
)

// RFC 4861 §10: hosts retransmit Router Solicitations every
// RTR_SOLICITATION_INTERVAL. We keep soliciting until an RA arrives or the
// run ends, since a missing RA is exactly what is being diagnosed.
const rtrSolicitationInterval = 4 * time.Second

// MaxFrames caps the frames a run records, so that a flood cannot fill
// /tmp or memory; the report states it when reached.
const MaxFrames = 50000

// Config says what a run does.
type Config struct {
	Interface capture.Interface
	// Capture receives the pcapng as it is written.
	Capture io.Writer
	// Timeout bounds the whole run.
	Timeout time.Duration
	Client  dhcpv6.ClientConfig
	// Passive sends nothing; it records for Timeout.
	Passive bool
	// NoDHCPv6 sends Router Solicitations only.
	NoDHCPv6 bool
	// Progress, if set, receives one-line descriptions of what happens.
	Progress func(string)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Application names the tool in the pcapng header.
	Application string
}

// Outcome is what the run did (the verdict comes from the capture).
type Outcome struct {
	Started, Ended time.Time
	Frames         int
	FramesCapped   int
	RSSent         int
	RASeen         int
	Client         dhcpv6.ClientResult
	KernelDrops    uint32
	// Interrupted is set when the context was cancelled before the end.
	Interrupted bool
	// ReleasedOnInterrupt is set when an interrupted run sent a Release for
	// what it held.
	ReleasedOnInterrupt bool
	// SendErrors counts stimuli the kernel refused to send.
	SendErrors int
	LastError  error
}

// ErrNoLinkLocal reports an interface without a usable link-local address.
var ErrNoLinkLocal = errors.New("no usable IPv6 link-local address")

var (
	allRouters          = netip.MustParseAddr("ff02::2")
	allDHCPRelayServers = netip.MustParseAddr("ff02::1:2")
)

type runner struct {
	cfg      Config
	now      func() time.Time
	cap      *capture.Live
	pcap     *capture.PcapngWriter
	client   *dhcpv6.Client
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
			r.client = dhcpv6.NewClient(cfg.Client)
			r.sendDHCPv6(r.client.Start(r.now()))
		}
	}
	r.loop(ctx)
	if r.out.Interrupted {
		r.releaseOnInterrupt()
	}
	if r.client != nil {
		r.out.Client = r.client.Result()
	}
	if _, drops, err := r.cap.Stats(); err == nil {
		r.out.KernelDrops = drops
	}
	r.out.Ended = r.now()
	return &r.out, nil
}

func (r *runner) progress(format string, args ...any) {
	if r.cfg.Progress != nil {
		left := max(time.Until(r.deadline), 0).Round(time.Second)
		r.cfg.Progress(fmt.Sprintf("[%s left] ", left) + fmt.Sprintf(format, args...))
	}
}

// releaseGrace bounds the wait for the Reply to a Release sent because the
// run was interrupted: the user asked to stop, so it must be quick.
const releaseGrace = 700 * time.Millisecond

// releaseOnInterrupt gives back what the interrupted exchange may hold: the
// leases a Reply bound, or — when the Request was out but unanswered — what
// the chosen Advertise offered, since the server may have bound it already.
// One Release, one short wait for its Reply; the capture records both.
func (r *runner) releaseOnInterrupt() {
	if r.client == nil || r.cfg.Client.NoRelease || r.cfg.Client.SolicitOnly {
		return
	}
	res := r.client.Result()
	if res.Outcome == dhcpv6.OutcomeReleased || res.Outcome == dhcpv6.OutcomeObtained {
		return
	}
	na, pd := res.ObtainedNA, res.ObtainedPD
	server := res.Chosen
	if res.Reply != nil {
		server = res.Reply
	}
	if len(na) == 0 && len(pd) == 0 && res.Chosen != nil && r.client.Phase() == dhcpv6.PhaseRequesting {
		na, pd = dhcpv6.Offered(res.Chosen, r.cfg.Client.Identity, r.cfg.Client.Shape)
	}
	if server == nil || len(na)+len(pd) == 0 || r.client.Phase() == dhcpv6.PhaseReleasing {
		// Nothing held — or the client's own Release is already out.
		return
	}
	xid := dhcpv6.TransactionID{}
	if r.cfg.Client.NewTransactionID != nil {
		xid = r.cfg.Client.NewTransactionID()
	} else {
		xid = randomXID()
	}
	payload, err := dhcpv6.NewRelease(r.cfg.Client.Identity, xid, 0, server.ServerID, na, pd)
	if err != nil {
		r.out.LastError = err
		return
	}
	r.sendDHCPv6([]dhcpv6.Outgoing{{Type: dhcpv6.MessageTypeRelease, TransactionID: xid, Payload: payload}})
	r.out.ReleasedOnInterrupt = true
	until := r.now().Add(releaseGrace)
	for r.now().Before(until) {
		f, err := r.cap.ReadFrame(until)
		if err != nil {
			return
		}
		r.handle(f)
		p, err := capture.Decode(f)
		if err != nil || p.Transport != capture.TransportUDP || p.DestinationPort != 546 {
			continue
		}
		if m, _ := dhcpv6.Parse(p.UDPPayload); m != nil && m.Type == dhcpv6.MessageTypeReply && m.TransactionID == xid {
			return
		}
	}
}

func (r *runner) done() bool {
	if r.cfg.Passive {
		return false
	}
	clientDone := r.client == nil || r.client.Phase() == dhcpv6.PhaseDone
	return clientDone && r.gotRA
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
		if r.client != nil {
			if d := r.client.Deadline(); !d.IsZero() && d.Before(wake) {
				wake = d
			}
		}
		if wake.After(now) {
			f, err := r.cap.ReadFrame(wake)
			switch {
			case err == nil:
				r.handle(f)
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
		if r.client != nil {
			if d := r.client.Deadline(); !d.IsZero() && !now.Before(d) {
				r.sendDHCPv6(r.client.Tick(now))
			}
		}
	}
}

func isLinkGone(err error) bool {
	return errors.Is(err, syscall.ENETDOWN) || errors.Is(err, syscall.ENODEV) || errors.Is(err, syscall.ENXIO)
}

func (r *runner) handle(f capture.Frame) {
	if r.pcap.Frames() >= MaxFrames {
		r.out.FramesCapped++
		return
	}
	n, err := r.pcap.WriteFrame(f)
	if err != nil {
		r.out.LastError = err
		return
	}
	r.out.Frames = n
	f.Number = n
	p, err := capture.Decode(f)
	if err != nil {
		return
	}
	switch {
	case p.Transport == capture.TransportICMPv6 && p.ICMPv6[0] == 134:
		r.out.RASeen++
		if !r.gotRA {
			r.progress("Router Advertisement from %s (frame %d)", p.Source, n)
		}
		r.gotRA = true
	case p.Transport == capture.TransportUDP && p.DestinationPort == 546 && r.client != nil && !r.out.Interrupted:
		m, err := dhcpv6.Parse(p.UDPPayload)
		if m == nil || err != nil && m.Type == 0 {
			return
		}
		r.progress("%s from %s (frame %d)", m.Type, p.Source, n)
		r.sendDHCPv6(r.client.Receive(r.now(), m))
	}
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
	r.out.RSSent++
	r.progress("Router Solicitation %d sent", r.out.RSSent)
}

func (r *runner) sendDHCPv6(out []dhcpv6.Outgoing) {
	ifc := r.cfg.Interface
	for _, o := range out {
		// Hop limit 1: the message is for this link only (RFC 8415 §7.1).
		pkt, err := capture.IPv6Packet{Source: ifc.LinkLocal, Destination: allDHCPRelayServers, HopLimit: 1,
			Transport: capture.TransportUDP, SourcePort: 546, DestinationPort: 547, Payload: o.Payload}.Marshal()
		if err == nil {
			err = r.cap.Send(capture.MulticastMAC(allDHCPRelayServers), pkt)
		}
		if err != nil {
			r.out.SendErrors++
			r.out.LastError = err
			continue
		}
		r.progress("%s sent (xid %s)", o.Type, o.TransactionID)
	}
}
