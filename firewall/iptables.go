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

// rule evaluates one -A line's matches and returns its target when they
// hold, "" when they do not, "unknown" when one cannot be evaluated.
func (w *iptWalk) rule(r iptRule) effect {
	a := r.args
	failed, unknown, target, jump := false, "", "", ""
	failedOnAddress, why := false, ""
	fail := func(addr bool, reason string) {
		if !failed {
			failedOnAddress, why = addr, reason
		}
		failed = true
	}
	udp := false
	dportOK := false
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
		switch opt := a[i]; opt {
		case "-i", "--in-interface":
			v := arg()
			if ifaceMatch(v, w.p.Interface) == neg {
				fail(false, "interface")
			}
		case "-o", "--out-interface":
			arg()
			if !neg {
				fail(false, "an input packet has no output interface")
			}
		case "-s", "--source", "-d", "--destination":
			v := arg()
			addr, what := w.p.Source, "source"
			if opt == "-d" || opt == "--destination" {
				addr, what = w.p.Destination, "destination"
			}
			pfx, err := netip.ParsePrefix(v)
			if err != nil {
				a1, err2 := netip.ParseAddr(v)
				if err2 != nil {
					unknown = opt + " " + v
					break
				}
				pfx = netip.PrefixFrom(a1, 128)
			}
			if pfx.Contains(addr) == neg {
				fail(true, fmt.Sprintf("the packet's %s %s is not in %s", what, addr, v))
			}
		case "-p", "--protocol":
			v := strings.ToLower(arg())
			isUDP := v == "udp" || v == "17" || v == "all"
			if isUDP == neg {
				fail(false, "protocol")
			}
			udp = isUDP && !neg
		case "-m", "--match":
			arg() // the module's options follow and are read below
		case "--sport", "--source-port", "--dport", "--destination-port", "--sports", "--dports":
			v := arg()
			isDst := opt == "--dport" || opt == "--dports" || opt == "--destination-port"
			port := w.p.SourcePort
			if isDst {
				port = w.p.DestinationPort
			}
			hit := false
			for _, part := range strings.Split(v, ",") {
				r, ok := parsePortRange(part, ":")
				if !ok {
					unknown = opt + " " + v
					break
				}
				hit = hit || r.has(port)
			}
			switch {
			case hit == neg && isDst:
				fail(false, "destination port")
			case hit == neg:
				fail(true, fmt.Sprintf("the packet's source port %d is not %s", port, v))
			case isDst:
				dportOK = true
			}
		case "--comment":
			arg()
		case "--ctstate", "--state":
			states := strings.Split(arg(), ",")
			state := "NEW"
			if w.p.Established {
				state = "ESTABLISHED"
			}
			if slices.Contains(states, state) == neg {
				fail(false, "conntrack state")
			}
		case "--limit", "--limit-burst":
			arg() // passes packets under the rate: one answer is
		case "-j", "--jump", "-g", "--goto":
			target = arg()
			jump = opt
		case "--reject-with", "--log-prefix", "--log-level":
			arg()
		case "--icmpv6-type":
			arg()
			fail(false, "ICMPv6")
		default:
			if unknown == "" {
				unknown = opt
			}
		}
	}
	if failed {
		if failedOnAddress && udp && dportOK && target == "ACCEPT" && w.missed == "" {
			w.missed = fmt.Sprintf("%q (%s)", r.text, why)
		}
		return effect{}
	}
	switch {
	case target == "":
		return effect{}
	case unknown != "":
		return effect{kind: "unknown", reason: fmt.Sprintf("cannot evaluate %q in %q", unknown, r.text)}
	case target == "ACCEPT" || target == "DROP" || target == "REJECT" || target == "RETURN":
		return effect{kind: target}
	case target == "LOG" || target == "MARK" || target == "CONNMARK" || target == "NOTRACK" || target == "CT":
		return effect{}
	case jump == "-g" || jump == "--goto":
		return effect{kind: "goto", target: target}
	}
	return effect{kind: "jump", target: target}
}
