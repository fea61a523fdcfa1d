package firewall

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// IP6Tables is the filter table of `ip6tables-save` (OpenWrt 21.02 and
// older, firewall3), parsed into chains and rules in order.
type IP6Tables struct {
	policies map[string]string // built-in chain → ACCEPT/DROP
	chains   map[string][]iptRule
}

type iptRule struct {
	text string
	args []string
}

// Kind implements Ruleset.
func (*IP6Tables) Kind() string { return "ip6tables" }

var errIPTSyntax = errors.New("firewall: ip6tables-save")

// ParseIP6TablesSave reads the *filter table of ip6tables-save output; the
// other tables do not filter packets to the router.
func ParseIP6TablesSave(b []byte) (*IP6Tables, error) {
	t := &IP6Tables{policies: map[string]string{}, chains: map[string][]iptRule{}}
	inFilter, seen := false, false
	for n, line := range strings.Split(string(b), "\n") {
		l := strings.TrimSpace(line)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "*"):
			inFilter = l == "*filter"
			seen = seen || inFilter
		case !inFilter:
		case l == "COMMIT":
			inFilter = false
		case strings.HasPrefix(l, ":"):
			f := strings.Fields(l[1:])
			if len(f) < 2 {
				return nil, fmt.Errorf("%w: line %d: chain %q", errIPTSyntax, n+1, l)
			}
			if f[1] != "-" {
				t.policies[f[0]] = f[1]
			}
			if _, ok := t.chains[f[0]]; !ok {
				t.chains[f[0]] = nil
			}
		case strings.HasPrefix(l, "-A "):
			args, err := shellWords(l)
			if err != nil || len(args) < 2 {
				return nil, fmt.Errorf("%w: line %d: %q", errIPTSyntax, n+1, l)
			}
			t.chains[args[1]] = append(t.chains[args[1]], iptRule{text: l, args: args[2:]})
		default:
			return nil, fmt.Errorf("%w: line %d: %q", errIPTSyntax, n+1, l)
		}
	}
	if !seen {
		return nil, fmt.Errorf("%w: no *filter table", errIPTSyntax)
	}
	return t, nil
}

// shellWords splits as iptables-save quotes: double quotes with \" inside.
func shellWords(l string) ([]string, error) {
	var out []string
	for i := 0; i < len(l); {
		if l[i] == ' ' {
			i++
			continue
		}
		var w strings.Builder
		for i < len(l) && l[i] != ' ' {
			if l[i] != '"' {
				w.WriteByte(l[i])
				i++
				continue
			}
			i++
			for i < len(l) && l[i] != '"' {
				if l[i] == '\\' && i+1 < len(l) {
					i++
				}
				w.WriteByte(l[i])
				i++
			}
			if i >= len(l) {
				return nil, errors.New("unterminated quote")
			}
			i++
		}
		out = append(out, w.String())
	}
	return out, nil
}

// Judge implements Ruleset: the packet walks INPUT from its first rule.
func (t *IP6Tables) Judge(p Packet) Decision {
	w := &iptWalk{t: t, p: p}
	e := w.chain("INPUT", 0)
	where := func(c string) string { return "ip6tables-save, table filter, chain " + c }
	switch e.kind {
	case "ACCEPT":
		return Decision{Outcome: Accepted, Rule: e.rule, Where: where(e.chain)}
	case "DROP":
		return Decision{Outcome: Dropped, Rule: e.rule, Where: where(e.chain), Missed: w.missed}
	case "REJECT":
		return Decision{Outcome: Rejected, Rule: e.rule, Where: where(e.chain), Missed: w.missed}
	case "unknown":
		return Decision{Outcome: Unknown, Rule: e.rule, Where: where(e.chain), Reason: e.reason}
	}
	policy := t.policies["INPUT"]
	d := Decision{Outcome: Decided(policy), Rule: "policy " + policy, Where: where("INPUT")}
	if d.Blocks() {
		d.Missed = w.missed
	}
	return d
}

type iptWalk struct {
	t      *IP6Tables
	p      Packet
	missed string
	calls  int
}

func (w *iptWalk) chain(name string, depth int) effect {
	for _, r := range w.t.chains[name] {
		e := w.rule(r)
		e.chain, e.rule = name, r.text
		switch e.kind {
		case "":
			continue
		case "RETURN":
			return effect{kind: "return", chain: name}
		case "ACCEPT", "DROP", "REJECT", "unknown":
			return e
		case "jump", "goto":
			w.calls++
			if _, ok := w.t.chains[e.target]; !ok || w.calls > maxCalls || depth > 16 {
				return effect{kind: "unknown", chain: name, rule: r.text, reason: fmt.Sprintf("target %s is not a chain of the listing, or the jumps do not end", e.target)}
			}
			sub := w.chain(e.target, depth+1)
			if sub.kind == "return" || sub.kind == "" {
				if e.kind == "goto" {
					return effect{kind: "return", chain: e.target}
				}
				continue
			}
			return sub
		}
	}
	return effect{kind: "return", chain: name}
}

// ruleMatch is what reading one -A line's matches found so far.
type ruleMatch struct {
	w *iptWalk
	// failed: a match does not hold; failedOnAddress and why say which,
	// for the first one that failed.
	failed, failedOnAddress bool
	why                     string
	// unknown is the first option that cannot be evaluated.
	unknown      string
	target, jump string
	// udp and dportOK: the rule is for UDP and the packet's destination
	// port, the shape of an Allow-DHCPv6 rule.
	udp, dportOK bool
}

func (m *ruleMatch) fail(addr bool, reason string) {
	if !m.failed {
		m.failedOnAddress, m.why = addr, reason
	}
	m.failed = true
}

// rule evaluates one -A line's matches and returns its target when they
// hold, "" when they do not, "unknown" when one cannot be evaluated.
func (w *iptWalk) rule(r iptRule) effect {
	a := r.args
	m := &ruleMatch{w: w}
	for i := 0; i < len(a); i++ {
		neg := false
		if a[i] == "!" {
			neg = true
			i++
			if i >= len(a) {
				break
			}
		}
		arg := func() string {
			i++
			if i < len(a) {
				return a[i]
			}
			return ""
		}
		m.option(a[i], neg, arg)
	}
	return m.effect(r)
}

// option reads one option of the line; arg takes its value.
func (m *ruleMatch) option(opt string, neg bool, arg func() string) {
	p := m.w.p
	switch opt {
	case "-i", "--in-interface":
		if ifaceMatch(arg(), p.Interface) == neg {
			m.fail(false, "interface")
		}
	case "-o", "--out-interface":
		arg()
		if !neg {
			m.fail(false, "an input packet has no output interface")
		}
	case "-s", "--source", "-d", "--destination":
		m.address(opt, arg(), neg)
	case "-p", "--protocol":
		v := strings.ToLower(arg())
		isUDP := v == "udp" || v == "17" || v == "all"
		if isUDP == neg {
			m.fail(false, "protocol")
		}
		m.udp = isUDP && !neg
	case "--sport", "--source-port", "--dport", "--destination-port", "--sports", "--dports":
		m.ports(opt, arg(), neg)
	case "--ctstate", "--state":
		state := "NEW"
		if p.Established {
			state = "ESTABLISHED"
		}
		if slices.Contains(strings.Split(arg(), ","), state) == neg {
			m.fail(false, "conntrack state")
		}
	case "-j", "--jump", "-g", "--goto":
		m.target, m.jump = arg(), opt
	case "-m", "--match", // the module's options follow and are read here
		"--comment", "--reject-with", "--log-prefix", "--log-level",
		"--limit", "--limit-burst": // passes packets under the rate: one answer is
		arg()
	case "--icmpv6-type":
		arg()
		m.fail(false, "ICMPv6")
	default:
		if m.unknown == "" {
			m.unknown = opt
		}
	}
}

// address reads -s or -d.
func (m *ruleMatch) address(opt, v string, neg bool) {
	addr, what := m.w.p.Source, "source"
	if opt == "-d" || opt == "--destination" {
		addr, what = m.w.p.Destination, "destination"
	}
	pfx, err := netip.ParsePrefix(v)
	if err != nil {
		a1, err2 := netip.ParseAddr(v)
		if err2 != nil {
			m.unknown = opt + " " + v
			return
		}
		pfx = netip.PrefixFrom(a1, 128)
	}
	if pfx.Contains(addr) == neg {
		m.fail(true, fmt.Sprintf("the packet's %s %s is not in %s", what, addr, v))
	}
}

// ports reads a source or destination port list or range.
func (m *ruleMatch) ports(opt, v string, neg bool) {
	isDst := opt == "--dport" || opt == "--dports" || opt == "--destination-port"
	port := m.w.p.SourcePort
	if isDst {
		port = m.w.p.DestinationPort
	}
	hit := false
	for _, part := range strings.Split(v, ",") {
		r, ok := parsePortRange(part, ":")
		if !ok {
			m.unknown = opt + " " + v
			break
		}
		hit = hit || r.has(port)
	}
	switch {
	case hit == neg && isDst:
		m.fail(false, "destination port")
	case hit == neg:
		m.fail(true, fmt.Sprintf("the packet's source port %d is not %s", port, v))
	case isDst:
		m.dportOK = true
	}
}

// effect is what the line does to the packet once all its options are
// read. A rule shaped like Allow-DHCPv6 that fails on an address is kept
// as the rule the packet missed.
func (m *ruleMatch) effect(r iptRule) effect {
	if m.failed {
		if m.failedOnAddress && m.udp && m.dportOK && m.target == "ACCEPT" && m.w.missed == "" {
			m.w.missed = fmt.Sprintf("%q (%s)", r.text, m.why)
		}
		return effect{}
	}
	target := m.target
	switch {
	case target == "":
		return effect{}
	case m.unknown != "":
		return effect{kind: "unknown", reason: fmt.Sprintf("cannot evaluate %q in %q", m.unknown, r.text)}
	case target == "ACCEPT" || target == "DROP" || target == "REJECT" || target == "RETURN":
		return effect{kind: target}
	case target == "LOG" || target == "MARK" || target == "CONNMARK" || target == "NOTRACK" || target == "CT":
		return effect{}
	case m.jump == "-g" || m.jump == "--goto":
		return effect{kind: "goto", target: target}
	}
	return effect{kind: "jump", target: target}
}
