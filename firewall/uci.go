package firewall

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/v6diag/v6diag/uciconfig"
)

// Config is /etc/config/firewall as fw3 and fw4 read it, for judging when
// the loaded ruleset cannot be read: zones with their input policy, and the
// rules that filter traffic to the router itself, in file order.
type Config struct {
	// defaultInput is the defaults section's input policy: the policy of
	// a zone that sets none, and of traffic from no zone.
	defaultInput string
	zones        []uciZone
	rules        []uciRule
	// includes are scripts and nft files whose rules the config does not
	// show.
	includes []string
	// networks are the logical interfaces on the packet's device.
	networks []string
}

type uciZone struct {
	name              string
	networks, devices []string
	input             string
	ipv4Only          bool
	line              int
}

type uciRule struct {
	name, src, dest    string
	line               int
	ipv4Only, ipv6Only bool
	protos             []string
	srcIPs, destIPs    []string
	srcPorts, dstPorts []string
	target             string
	// unsupported are options the judgement cannot evaluate.
	unsupported []string
}

// Kind implements Ruleset.
func (*Config) Kind() string { return "uci" }

// ParseConfig reads /etc/config/firewall with uciconfig's parser.
// networks names the logical interfaces on the packet's device, so that
// zones listing them by 'network' are found.
func ParseConfig(b []byte, networks []string) (*Config, error) {
	f, err := uciconfig.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("firewall: /etc/config/firewall: %w", err)
	}
	// firewall4 (fw4.uc, parse_defaults and parse_zone): the defaults'
	// input policy defaults to drop, a zone's to the defaults'.
	c := &Config{defaultInput: "DROP", networks: networks}
	for _, s := range f.Sections() {
		opt := func(name string) string { v, _ := s.Option(name); return v }
		switch s.Type {
		case "defaults":
			if v := opt("input"); v != "" {
				c.defaultInput = strings.ToUpper(v)
			}
		case "zone":
			if !enabled(opt("enabled")) {
				continue
			}
			z := uciZone{name: opt("name"), networks: splitList(s.List("network")), devices: splitList(s.List("device")),
				input: strings.ToUpper(opt("input")), ipv4Only: opt("family") == "ipv4", line: s.Line}
			c.zones = append(c.zones, z)
		case "rule":
			if !enabled(opt("enabled")) {
				continue
			}
			r := uciRule{name: opt("name"), src: opt("src"), dest: opt("dest"), line: s.Line,
				protos:   splitList(s.List("proto")),
				srcIPs:   splitList(s.List("src_ip")),
				destIPs:  splitList(s.List("dest_ip")),
				srcPorts: splitList(s.List("src_port")),
				dstPorts: splitList(s.List("dest_port")),
				target:   strings.ToUpper(opt("target")),
			}
			switch opt("family") {
			case "ipv4":
				r.ipv4Only = true
			case "ipv6":
				r.ipv6Only = true
			}
			if r.name == "" {
				r.name = fmt.Sprintf("the rule at line %d", s.Line)
			}
			for _, o := range []string{"ipset", "src_mac", "mark", "extra", "helper", "device", "direction", "start_date", "stop_date", "start_time", "stop_time", "weekdays", "monthdays", "dscp"} {
				if len(s.List(o)) > 0 {
					r.unsupported = append(r.unsupported, o)
				}
			}
			c.rules = append(c.rules, r)
		case "include":
			if enabled(opt("enabled")) {
				c.includes = append(c.includes, opt("path"))
			}
		}
	}
	for i := range c.zones {
		if c.zones[i].input == "" {
			c.zones[i].input = c.defaultInput
		}
	}
	return c, nil
}

func enabled(v string) bool { return v != "0" && v != "false" && v != "no" && v != "off" }

// splitList splits UCI values that hold several words ("tcp udp",
// "546 547") as fw3 and fw4 do.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		out = append(out, strings.Fields(v)...)
	}
	return out
}

// zoneOf finds the zone the packet arrives in: the one listing its device,
// or one of the logical interfaces on it.
func (c *Config) zoneOf(p Packet) (*uciZone, string) {
	for i, z := range c.zones {
		for _, d := range z.devices {
			if ifaceMatch(d, p.Interface) {
				return &c.zones[i], fmt.Sprintf("zone %s lists device %s", z.name, d)
			}
		}
		for _, n := range z.networks {
			if slices.Contains(c.networks, n) {
				return &c.zones[i], fmt.Sprintf("zone %s lists network %s, which runs on %s", z.name, n, p.Interface)
			}
		}
	}
	return nil, ""
}

// Judge implements Ruleset, following the chains fw3 and fw4 build from
// the config: established flows first, then rules from any zone ('src *'),
// then the zone's rules in file order, then the zone's input policy.
func (c *Config) Judge(p Packet) Decision {
	where := "/etc/config/firewall"
	if p.Established {
		return Decision{Outcome: Accepted, Rule: "established flows are accepted before any rule", Where: where}
	}
	z, how := c.zoneOf(p)
	if z == nil {
		if len(c.networks) == 0 {
			return Decision{Outcome: Unknown, Where: where, Reason: fmt.Sprintf("which zone %s belongs to is not known (the network config was not read)", p.Interface)}
		}
		return Decision{Outcome: Decided(c.defaultInput), Rule: "no zone covers " + p.Interface + "; defaults input " + c.defaultInput, Where: where}
	}
	if z.ipv4Only {
		return Decision{Outcome: Accepted, Rule: fmt.Sprintf("zone %s is IPv4-only (family ipv4): it does not filter IPv6", z.name), Where: where}
	}
	var missed string
	for pass := 0; pass < 2; pass++ {
		for _, r := range c.rules {
			if r.dest != "" || (pass == 0) != (r.src == "*") || pass == 1 && r.src != z.name {
				continue
			}
			ok, why, unknown := r.matches(p)
			if !ok {
				if why != "" && missed == "" && r.target == "ACCEPT" {
					missed = fmt.Sprintf("rule '%s' (line %d) (%s)", r.name, r.line, why)
				}
				continue
			}
			desc := fmt.Sprintf("rule '%s' (line %d)", r.name, r.line)
			switch {
			case unknown != "":
				return Decision{Outcome: Unknown, Rule: desc, Where: where, Reason: fmt.Sprintf("%s uses option %s, which v6diag cannot evaluate", desc, unknown)}
			case r.target == "ACCEPT":
				return Decision{Outcome: Accepted, Rule: desc, Where: where}
			case r.target == "DROP" || r.target == "REJECT":
				return Decision{Outcome: Decided(r.target), Rule: desc, Where: where, Missed: missed}
			case r.target == "":
				return Decision{Outcome: Unknown, Rule: desc, Where: where, Reason: desc + " has no target"}
			}
			// MARK, NOTRACK, HELPER, DSCP: the packet goes on.
		}
	}
	d := Decision{Outcome: Decided(z.input), Rule: fmt.Sprintf("zone %s input policy %s (%s)", z.name, z.input, how), Where: where}
	if d.Blocks() {
		d.Missed = missed
	}
	if len(c.includes) > 0 && !d.Blocks() {
		d.Outcome, d.Reason = Unknown, "includes add rules the config does not show: "+strings.Join(c.includes, ", ")
	}
	return d
}

// matches reports whether r applies to p. why says, for a rule that would
// accept UDP to p's port but for an address or source port, which one
// failed; unknown names an option that cannot be evaluated.
func (r uciRule) matches(p Packet) (ok bool, why, unknown string) {
	if r.ipv4Only {
		return false, "", ""
	}
	if len(r.protos) == 0 {
		r.protos = []string{"tcpudp"} // fw4.uc parse_rule: proto defaults to tcpudp
	}
	if !slices.ContainsFunc(r.protos, func(v string) bool {
		v = strings.ToLower(v)
		return v == "udp" || v == "tcpudp" || v == "all" || v == "17"
	}) {
		return false, "", ""
	}
	if !portsMatch(r.dstPorts, p.DestinationPort) {
		return false, "", ""
	}
	for _, set := range []struct {
		vals []string
		addr netip.Addr
		what string
	}{{r.srcIPs, p.Source, "source"}, {r.destIPs, p.Destination, "destination"}} {
		hit, v6 := addrsMatch(set.vals, set.addr)
		if !v6 {
			return false, "", "" // IPv4 addresses only: an IPv4 rule
		}
		if !hit {
			return false, fmt.Sprintf("the packet's %s %s is not in %s", set.what, set.addr, strings.Join(set.vals, " ")), ""
		}
	}
	if !portsMatch(r.srcPorts, p.SourcePort) {
		return false, fmt.Sprintf("the packet's source port %d is not %s", p.SourcePort, strings.Join(r.srcPorts, " ")), ""
	}
	if len(r.unsupported) > 0 {
		return true, "", strings.Join(r.unsupported, ", ")
	}
	return true, "", ""
}

// addrsMatch: an empty list matches; entries may be negated with '!'.
// v6 is false when every entry is an IPv4 address (the rule is IPv4).
func addrsMatch(vals []string, a netip.Addr) (hit, v6 bool) {
	if len(vals) == 0 {
		return true, true
	}
	pos, anyPos := false, false
	for _, v := range vals {
		neg := strings.HasPrefix(v, "!")
		v = strings.TrimPrefix(v, "!")
		pfx, err := netip.ParsePrefix(v)
		if err != nil {
			addr, err := netip.ParseAddr(v)
			if err != nil {
				continue // a host name or set: fw4 resolves it; not matched here
			}
			pfx = netip.PrefixFrom(addr, addr.BitLen())
		}
		if pfx.Addr().Is4() {
			continue
		}
		v6 = true
		switch {
		case neg && pfx.Contains(a):
			return false, true
		case !neg:
			anyPos = true
			pos = pos || pfx.Contains(a)
		}
	}
	return pos || !anyPos, v6
}

// portsMatch: an empty list matches; entries are ports or ranges (a-b,
// a:b), negated with '!'.
func portsMatch(vals []string, port uint16) bool {
	if len(vals) == 0 {
		return true
	}
	pos, anyPos := false, false
	for _, v := range vals {
		neg := strings.HasPrefix(v, "!")
		v = strings.TrimPrefix(v, "!")
		r, ok := parsePortRange(strings.ReplaceAll(v, ":", "-"), "-")
		if !ok {
			continue
		}
		switch {
		case neg && r.has(port):
			return false
		case !neg:
			anyPos = true
			pos = pos || r.has(port)
		}
	}
	return pos || !anyPos
}
