// Package linkinfo records how the WAN's control frames were framed on the
// wire: the 802.1Q/802.1ad tags (VLAN id and priority) and the PPPoE
// session, for each direction. A capture made with tcpdump on the parent
// device shows tags that the VLAN device (eth0.7) strips, and ISPs that
// demand a VLAN priority (PCP) on DHCPv6 are diagnosed from exactly this.
package linkinfo

import (
	"slices"

	"github.com/v6diag/v6diag/capture"
)

// Framing is what the control frames of one direction carried.
type Framing struct {
	// Frames counts the control frames seen in this direction.
	Frames int
	// VLANs is the tag stack of the first such frame, outermost first.
	VLANs []capture.VLAN
	// PPPoE is set when the frame came in a PPPoE session, Session its id.
	PPPoE   bool
	Session uint16
	// Mixed is set when later frames had another tag stack or session.
	Mixed bool
}

// Link is the framing of the client's frames (RS, DHCPv6 to port 547) and
// of the ISP's (RA, DHCPv6 to port 546).
type Link struct {
	Client, ISP Framing
}

// Observer gathers a Link from packets, one at a time, in bounded memory.
// It decodes nothing itself: the analysis pass (diag.Pass) hands it each
// packet it decoded, so no frame is decoded twice for the framing.
type Observer struct {
	link Link
}

// AddPacket notes how a decoded packet was framed; packets that are not
// RS/RA/DHCPv6 are ignored.
func (o *Observer) AddPacket(p capture.Packet) {
	var side *Framing
	switch {
	case p.Transport == capture.TransportICMPv6 && len(p.ICMPv6) > 0 && p.ICMPv6[0] == capture.ICMPv6RouterSolicitation,
		p.Transport == capture.TransportUDP && p.DestinationPort == capture.PortDHCPv6Server:
		side = &o.link.Client
	case p.Transport == capture.TransportICMPv6 && len(p.ICMPv6) > 0 && p.ICMPv6[0] == capture.ICMPv6RouterAdvertisement,
		p.Transport == capture.TransportUDP && p.DestinationPort == capture.PortDHCPv6Client:
		side = &o.link.ISP
	default:
		return
	}
	side.Frames++
	if side.Frames == 1 {
		side.VLANs = slices.Clone(p.VLANs)
		side.PPPoE, side.Session = p.PPPoE, p.PPPoESession
		return
	}
	if !slices.Equal(side.VLANs, p.VLANs) || side.PPPoE != p.PPPoE || side.Session != p.PPPoESession {
		side.Mixed = true
	}
}

// Link returns what was seen.
func (o *Observer) Link() Link { return o.link }
