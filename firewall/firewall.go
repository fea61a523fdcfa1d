// Package firewall judges whether the router's own firewall lets a DHCPv6
// server's answer through to its DHCPv6 client.
//
// v6diag captures on a raw socket, before the firewall: it sees an
// Advertise or Reply that netfilter then drops on its way to odhcp6c's UDP
// socket. OpenWrt's fw3 releases shipped an Allow-DHCPv6 rule restricted to
// link-local (fe80::/10) and later ULA-or-link-local (fc00::/6) source and
// destination addresses, and configs carried forward by sysupgrade keep it
// under fw4 too; an ISP whose server answers from a global address is then
// silent to the router (openwrt/openwrt issues 5066 and 11707;
// docs/FINDINGS.md names the releases). This package reads the ruleset as
// loaded — `nft list ruleset` (fw4), `ip6tables-save` (fw3) — or, failing
// that, /etc/config/firewall, and walks a packet through it the way
// netfilter would. What it cannot follow (sets it cannot see, marks, rate
// limits that may be over, extensions) makes the answer Unknown with the
// reason, never a guess.
//
// Everything here is a pure function of the texts given; hostinfo reads
// them from the router.
package firewall

import (
	"fmt"
	"net/netip"
	"strings"
)

// Packet is a DHCPv6 server's answer as it reaches the router: UDP, from
// Source:SourcePort to Destination:DestinationPort, arriving on Interface.
type Packet struct {
	Source, Destination         netip.Addr
	SourcePort, DestinationPort uint16
	// Interface is the Linux device it arrives on, e.g. "eth0.2".
	Interface string
	// Established is set when conntrack knows the flow: the answer comes
	// from the address the client's own message went to by unicast (a
	// Renew to a Server Unicast address). An answer to a message sent to
	// ff02::1:2 — every Solicit, and Requests without Server Unicast — is
	// a new flow to conntrack, which does not pair multicast with unicast.
	Established bool
}

func (p Packet) String() string {
	return fmt.Sprintf("UDP [%s]:%d → [%s]:%d on %s", p.Source, p.SourcePort, p.Destination, p.DestinationPort, p.Interface)
}

// Outcome is what the firewall does with a packet.
type Outcome string

// Outcomes.
const (
	Accepted Outcome = "accept"
	Dropped  Outcome = "drop"
	Rejected Outcome = "reject"
	// Unknown: the ruleset holds something this package cannot follow on
	// the packet's path; Decision.Reason says what.
	Unknown Outcome = "unknown"
)

// Decision is the firewall's fate for one packet and what decided it.
type Decision struct {
	Outcome Outcome
	// Rule is the rule (or chain policy) that decided, as its source
	// writes it.
	Rule string
	// Where names the source and place: "nft list ruleset, table inet fw4,
	// chain input_wan".
	Where string
	// Reason says why the ruleset could not be judged (Unknown).
	Reason string
	// Missed is, for a drop, the nearest rule that would have accepted UDP
	// to the packet's port but did not match it, with the condition that
	// failed: usually the Allow-DHCPv6 rule's address restriction.
	Missed string
}

// Blocks reports whether the packet does not reach the client.
func (d Decision) Blocks() bool { return d.Outcome == Dropped || d.Outcome == Rejected }

// Ruleset is one readable form of the router's firewall.
type Ruleset interface {
	// Judge walks p through the ruleset.
	Judge(p Packet) Decision
	// Kind names the form: "nftables", "ip6tables", "uci".
	Kind() string
}

// Firewall is what could be read of the router's firewall: the ruleset as
// loaded (Live), else the configuration it is made from (Config).
type Firewall struct {
	Live   Ruleset
	Config *Config
	// Notes say what could not be read, and why.
	Notes []string
}

// Judge decides with the loaded ruleset when there is one — it is what
// netfilter runs, includes and other packages' tables too — else with the
// configuration.
func (f *Firewall) Judge(p Packet) Decision {
	switch {
	case f == nil:
		return Decision{Outcome: Unknown, Reason: "the router's firewall was not read"}
	case f.Live != nil:
		return f.Live.Judge(p)
	case f.Config != nil:
		return f.Config.Judge(p)
	}
	return Decision{Outcome: Unknown, Reason: "neither the loaded ruleset nor /etc/config/firewall could be read: " + strings.Join(f.Notes, "; ")}
}

// Empty reports whether nothing at all was read.
func (f *Firewall) Empty() bool { return f == nil || f.Live == nil && f.Config == nil }

// Sources are the texts read from the router; empty means not available.
type Sources struct {
	// NftRuleset is the output of `nft list ruleset`.
	NftRuleset []byte
	// IP6TablesSave is the output of `ip6tables-save`.
	IP6TablesSave []byte
	// Config is /etc/config/firewall.
	Config []byte
	// Networks are the logical interfaces (network config section names,
	// e.g. "wan", "wan6") that run on the packet's device, for matching
	// zones by their 'network' lists.
	Networks []string
	// Notes say what could not be read.
	Notes []string
}

// Load parses what was read. A source that does not parse is left out
// with a note; Load fails only when nothing parses.
func Load(s Sources) (*Firewall, error) {
	f := &Firewall{Notes: append([]string(nil), s.Notes...)}
	if len(s.Config) > 0 {
		c, err := ParseConfig(s.Config, s.Networks)
		if err != nil {
			f.Notes = append(f.Notes, err.Error())
		} else {
			f.Config = c
		}
	}
	if len(s.NftRuleset) > 0 {
		rs, err := ParseNft(s.NftRuleset)
		switch {
		case err != nil:
			f.Notes = append(f.Notes, err.Error())
		case rs.hooksInput():
			f.Live = rs
		}
	}
	if f.Live == nil && len(s.IP6TablesSave) > 0 {
		rs, err := ParseIP6TablesSave(s.IP6TablesSave)
		if err != nil {
			f.Notes = append(f.Notes, err.Error())
		} else {
			f.Live = rs
		}
	}
	if f.Empty() && (len(s.Config) > 0 || len(s.NftRuleset) > 0 || len(s.IP6TablesSave) > 0) {
		return f, fmt.Errorf("firewall: nothing that was read could be parsed: %s", strings.Join(f.Notes, "; "))
	}
	return f, nil
}

// portRange is an inclusive range of ports.
type portRange struct{ lo, hi uint16 }

func (r portRange) has(p uint16) bool { return r.lo <= p && p <= r.hi }

// ifaceMatch reports whether a device name matches a pattern as the
// firewalls write them: exact, or a prefix ending in '*' (nft) or '+'
// (iptables, UCI).
func ifaceMatch(pattern, name string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, prefix)
	}
	if prefix, ok := strings.CutSuffix(pattern, "+"); ok {
		return strings.HasPrefix(name, prefix)
	}
	return pattern == name
}
