package diag

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/ndp"
)

// What each message on the timeline carried, in one line, for the
// reports: they show it and must not read the messages themselves.

// Detail says in one line what the event's message carried: flags, IAs,
// hints, prefixes, statuses, options; "" for an event without a message.
func (e *Event) Detail() string {
	switch {
	case e.DHCP != nil:
		return dhcpDetail(e.DHCP)
	case e.RA != nil:
		return raDetail(e.RA)
	}
	return ""
}

// ServerID is the Server ID of the event's DHCPv6 message, nil if none.
func (e *Event) ServerID() dhcpv6.DUID {
	if e.DHCP == nil {
		return nil
	}
	return e.DHCP.ServerID
}

// secs writes a lifetime the way the RFCs think of it: whole seconds, or
// "infinite" for 0xffffffff.
func secs(t time.Duration) string {
	if t == dhcpv6.Infinity {
		return "infinite"
	}
	return fmt.Sprintf("%gs", t.Seconds())
}

// optionList lists option codes as a report shows them: "23 DNS Servers,
// 67" (dhcpv6.OptionCode.Label).
func optionList(codes []dhcpv6.OptionCode) string {
	parts := make([]string, 0, len(codes))
	for _, c := range codes {
		parts = append(parts, c.Label())
	}
	return strings.Join(parts, ", ")
}

// dhcpDetail says in one line what a DHCPv6 message carried.
func dhcpDetail(m *dhcpv6.Message) string {
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	client := !m.Type.TowardClient()
	if m.Preference != nil {
		add("preference %d", *m.Preference)
	}
	if m.Status != nil {
		add("status %s", m.Status)
	}
	for _, ia := range m.IANA {
		add("IA_NA %s%s", hex.EncodeToString(ia.IAID[:]), iaBody(ia, client, false))
	}
	for _, ia := range m.IATA {
		add("IA_TA %s%s", hex.EncodeToString(ia.IAID[:]), iaBody(ia, client, false))
	}
	for _, ia := range m.IAPD {
		add("IA_PD %s%s", hex.EncodeToString(ia.IAID[:]), iaBody(ia, client, true))
	}
	if m.ReconfigureMessage != 0 {
		add("Reconfigure Message %s", m.ReconfigureMessage)
	}
	if au := m.Authentication; au != nil {
		switch au.ReconfigureKeyType() {
		case dhcpv6.ReconfigureKeyValue:
			add("Authentication: Reconfigure Key")
		case dhcpv6.ReconfigureKeyHMAC:
			add("Authentication: signed with the Reconfigure Key")
		default:
			add("Authentication protocol %d", au.Protocol)
		}
	}
	if m.RapidCommit {
		add("Rapid Commit")
	}
	if m.ReconfigureAccept {
		add("Reconfigure Accept")
	}
	if len(m.DNSServers) > 0 {
		var s []string
		for _, a := range m.DNSServers {
			s = append(s, a.String())
		}
		add("DNS %s", strings.Join(s, " "))
	}
	if len(m.DomainSearch) > 0 {
		add("domains %s", strings.Join(m.DomainSearch, " "))
	}
	if m.ServerUnicast.IsValid() {
		add("Server Unicast %s", m.ServerUnicast)
	}
	if m.SolMaxRT != nil {
		add("SOL_MAX_RT %s", secs(*m.SolMaxRT))
	}
	if len(m.RequestedOptions) > 0 {
		add("ORO [%s]", optionList(m.RequestedOptions))
	}
	if m.RelayHops > 0 {
		add("via %d relay(s), relay addresses and Interface-Id in the note", m.RelayHops)
	}
	add("options [%s]", optionList(m.OptionCodes))
	for _, p := range m.Problems {
		add("problem: %s", p)
	}
	return strings.Join(parts, "; ")
}

// iaBody describes an IA's content: a client's hints, or what a server
// gave with its timers and statuses.
func iaBody(ia dhcpv6.IA, client, pd bool) string {
	var parts []string
	if !client || ia.T1 != 0 || ia.T2 != 0 {
		parts = append(parts, fmt.Sprintf("T1 %s T2 %s", secs(ia.T1), secs(ia.T2)))
	}
	if ia.Status != nil {
		parts = append(parts, "status "+ia.Status.String())
	}
	for _, a := range ia.Addresses {
		s := a.Address.String()
		if !client || a.ValidLifetime != 0 {
			s += fmt.Sprintf(" preferred %s valid %s", secs(a.PreferredLifetime), secs(a.ValidLifetime))
		}
		if a.Status != nil {
			s += " status " + a.Status.String()
		}
		parts = append(parts, s)
	}
	for _, p := range ia.Prefixes {
		var s string
		if client {
			s = fmt.Sprintf("hint /%d", p.Prefix.Bits())
			if p.Prefix.Addr().IsValid() && !p.Prefix.Addr().IsUnspecified() {
				s = "hint " + p.Prefix.String()
			}
		} else {
			s = fmt.Sprintf("%s preferred %s valid %s", p.Prefix, secs(p.PreferredLifetime), secs(p.ValidLifetime))
		}
		if p.Status != nil {
			s += " status " + p.Status.String()
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		if client && pd {
			return " (no hint)"
		}
		if client {
			return ""
		}
		return " (empty)"
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// raDetail says in one line what a Router Advertisement carried.
func raDetail(ra *ndp.RouterAdvertisement) string {
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	add("M=%d O=%d", b(ra.ManagedConfiguration), b(ra.OtherConfiguration))
	add("router lifetime %gs", ra.RouterLifetime.Seconds())
	add("preference %s", ra.Preference)
	if ra.CurrentHopLimit > 0 {
		add("hop limit %d", ra.CurrentHopLimit)
	}
	if ra.ReachableTime > 0 {
		add("reachable %dms", ra.ReachableTime.Milliseconds())
	}
	if ra.RetransmitTimer > 0 {
		add("retransmit %dms", ra.RetransmitTimer.Milliseconds())
	}
	for _, p := range ra.Prefixes() {
		add("prefix %s L=%d A=%d valid %s preferred %s", p.Prefix, b(p.OnLink), b(p.Autonomous), secs(p.ValidLifetime), secs(p.PreferredLifetime))
	}
	for _, rt := range ra.Routes() {
		add("route %s", rt.String())
	}
	for _, r := range ra.RDNSS() {
		var s []string
		for _, a := range r.Servers {
			s = append(s, a.String())
		}
		add("RDNSS %s (lifetime %s)", strings.Join(s, " "), secs(r.Lifetime))
	}
	for _, r := range ra.DNSSL() {
		add("DNSSL %s", strings.Join(r.DomainNames, " "))
	}
	if mtu, ok := ra.MTU(); ok {
		add("MTU %d", mtu)
	}
	if m := ra.SourceLinkLayerAddress(); m != nil {
		add("source link-layer address %s", m)
	}
	return strings.Join(parts, "; ")
}
