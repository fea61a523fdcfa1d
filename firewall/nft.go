package firewall

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// NftRuleset is `nft list ruleset` (OpenWrt 22.03 and later, firewall4;
// also any other table a package or the user loaded), parsed into what a
// packet's walk needs: tables, named sets, chains and their rules in order.
type NftRuleset struct {
	tables []*nftTable
}

type nftTable struct {
	family, name string
	chains       map[string]*nftChain
	// sets holds the elements of named sets (@name), as written.
	sets map[string][]string
}

type nftChain struct {
	name     string
	hook     string // "" for a regular chain
	priority int
	policy   string // "accept" or "drop"; base chains only
	rules    []nftRule
}

type nftRule struct {
	text   string
	tokens []nftToken
}

// nftToken is a word, a quoted string, or a {…} set of elements.
type nftToken struct {
	word   string
	quoted bool
	set    []string // elements of {…}, trimmed; nil unless a set
	isSet  bool
}

// Kind implements Ruleset.
func (*NftRuleset) Kind() string { return "nftables" }

// errNftSyntax marks a listing that is not `nft list ruleset` output.
var errNftSyntax = errors.New("firewall: nft ruleset")

// ParseNft reads `nft list ruleset` output. Anything inside a table but
// outside chains and sets (flowtables, ct helpers, counters, maps) is
// skipped; rules are kept as written and tokenized.
func ParseNft(b []byte) (*NftRuleset, error) {
	rs := &NftRuleset{}
	var (
		table *nftTable
		chain *nftChain
		set   string // named set being read
		setIn bool   // inside its "elements = {" list
		skip  int    // depth of a block being skipped
	)
	for n, line := range strings.Split(string(b), "\n") {
		l := strings.TrimSpace(line)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lineErr := func(msg string) error { return fmt.Errorf("%w: line %d: %s: %q", errNftSyntax, n+1, msg, l) }
		switch {
		case skip > 0:
			skip += strings.Count(l, "{") - strings.Count(l, "}")
		case setIn:
			rs.addElements(table, set, l)
			if strings.Contains(l, "}") {
				setIn = false
			}
		case set != "":
			if l == "}" {
				set = ""
				continue
			}
			if rest, ok := strings.CutPrefix(l, "elements = {"); ok {
				rs.addElements(table, set, rest)
				setIn = !strings.Contains(rest, "}")
			}
		case chain != nil:
			if l == "}" {
				chain = nil
				continue
			}
			if strings.HasPrefix(l, "type ") {
				if err := chain.parseBase(l); err != nil {
					return nil, lineErr(err.Error())
				}
				continue
			}
			toks, err := tokenize(l)
			if err != nil {
				return nil, lineErr(err.Error())
			}
			chain.rules = append(chain.rules, nftRule{text: l, tokens: toks})
		case table != nil:
			f := strings.Fields(l)
			switch {
			case l == "}":
				table = nil
			case len(f) == 3 && f[0] == "chain" && f[2] == "{":
				chain = &nftChain{name: f[1]}
				table.chains[chain.name] = chain
			case len(f) == 3 && (f[0] == "set" || f[0] == "map") && f[2] == "{":
				set = f[1]
				table.sets[set] = []string{}
			case strings.HasSuffix(l, "{"):
				skip = 1
			}
		default:
			f := strings.Fields(l)
			if len(f) != 4 || f[0] != "table" || f[3] != "{" {
				return nil, lineErr("want 'table FAMILY NAME {'")
			}
			table = &nftTable{family: f[1], name: f[2], chains: map[string]*nftChain{}, sets: map[string][]string{}}
			rs.tables = append(rs.tables, table)
		}
	}
	if table != nil || chain != nil {
		return nil, fmt.Errorf("%w: the listing ends inside a table", errNftSyntax)
	}
	return rs, nil
}

func (rs *NftRuleset) addElements(t *nftTable, set, text string) {
	text, _, _ = strings.Cut(text, "}")
	for _, e := range strings.Split(text, ",") {
		if e = strings.TrimSpace(e); e != "" {
			t.sets[set] = append(t.sets[set], e)
		}
	}
}

// parseBase reads "type filter hook input priority filter; policy drop;".
func (c *nftChain) parseBase(l string) error {
	for _, part := range strings.Split(l, ";") {
		f := strings.Fields(part)
		switch {
		case len(f) >= 6 && f[0] == "type" && f[2] == "hook" && f[4] == "priority":
			c.hook = f[3]
			p, err := nftPriority(f[5:])
			if err != nil {
				return err
			}
			c.priority = p
		case len(f) >= 4 && f[0] == "type" && f[2] == "hook":
			c.hook = f[3] // "hook ingress device eth0 priority …": not judged
		case len(f) == 2 && f[0] == "policy":
			c.policy = f[1]
		}
	}
	if c.hook == "" {
		return errors.New("base chain without a hook")
	}
	if c.policy == "" {
		c.policy = "accept"
	}
	return nil
}

// nftPriority reads a priority: a number, or a standard name with an
// optional offset ("filter", "mangle - 5").
func nftPriority(f []string) (int, error) {
	names := map[string]int{"raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100}
	base, ok := names[f[0]]
	if !ok {
		n, err := strconv.Atoi(f[0])
		if err != nil {
			return 0, fmt.Errorf("priority %q", f[0])
		}
		base = n
	}
	if len(f) == 3 && (f[1] == "+" || f[1] == "-") {
		off, err := strconv.Atoi(f[2])
		if err != nil {
			return 0, fmt.Errorf("priority offset %q", f[2])
		}
		if f[1] == "-" {
			off = -off
		}
		base += off
	}
	return base, nil
}

// tokenize splits a rule into words, quoted strings and {…} sets.
func tokenize(l string) ([]nftToken, error) {
	var toks []nftToken
	for i := 0; i < len(l); {
		switch c := l[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			j := strings.IndexByte(l[i+1:], '"')
			if j < 0 {
				return nil, errors.New("unterminated string")
			}
			toks = append(toks, nftToken{word: l[i+1 : i+1+j], quoted: true})
			i += j + 2
		case c == '{':
			depth, j := 0, i
			for ; j < len(l); j++ {
				if l[j] == '{' {
					depth++
				}
				if l[j] == '}' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j == len(l) {
				return nil, errors.New("unterminated set")
			}
			var elems []string
			for _, e := range strings.Split(l[i+1:j], ",") {
				elems = append(elems, strings.Trim(strings.TrimSpace(e), `"`))
			}
			toks = append(toks, nftToken{set: elems, isSet: true})
			i = j + 1
		default:
			j := i
			for j < len(l) && l[j] != ' ' && l[j] != '\t' {
				j++
			}
			toks = append(toks, nftToken{word: l[i:j]})
			i = j
		}
	}
	return toks, nil
}

// hooksInput reports whether any chain filters packets to the router
// itself; a listing without one (no firewall loaded) says nothing.
func (rs *NftRuleset) hooksInput() bool {
	for _, t := range rs.tables {
		if !t.seesIPv6() {
			continue
		}
		for _, c := range t.chains {
			if c.hook == "input" {
				return true
			}
		}
	}
	return false
}

func (t *nftTable) seesIPv6() bool { return t.family == "inet" || t.family == "ip6" }

// Judge implements Ruleset: the packet passes every base chain of the
// prerouting and input hooks of the inet and ip6 tables, in hook then
// priority order (netfilter's order); a drop or reject in any ends it.
func (rs *NftRuleset) Judge(p Packet) Decision {
	type base struct {
		t *nftTable
		c *nftChain
	}
	var bases []base
	for _, t := range rs.tables {
		if !t.seesIPv6() {
			continue
		}
		for _, c := range t.chains {
			if (c.hook == "prerouting" || c.hook == "input") && c.hook != "" {
				bases = append(bases, base{t, c})
			}
		}
	}
	// Netfilter's order: prerouting before input, then by priority. An
	// insertion sort: a ruleset has a handful of base chains.
	order := func(b base) int {
		if b.c.hook == "prerouting" {
			return b.c.priority - 1<<20
		}
		return b.c.priority
	}
	for i := 1; i < len(bases); i++ {
		for j := i; j > 0 && order(bases[j]) < order(bases[j-1]); j-- {
			bases[j], bases[j-1] = bases[j-1], bases[j]
		}
	}
	last := Decision{Outcome: Accepted, Where: "nft list ruleset", Rule: "no chain of the input hook filters IPv6"}
	var missed string
	for _, b := range bases {
		w := &nftWalk{t: b.t, p: p}
		d := w.base(b.c)
		if missed == "" {
			missed = w.missed
		}
		if d.Outcome != Accepted {
			if d.Blocks() {
				d.Missed = missed
			}
			return d
		}
		if b.c.hook == "input" {
			last = d
		}
	}
	return last
}

// nftWalk is one packet's walk through one table.
type nftWalk struct {
	t      *nftTable
	p      Packet
	missed string
	calls  int
}

// effect is what a rule or chain does with the packet.
type effect struct {
	kind   string // "", "accept", "drop", "reject", "jump", "goto", "return", "unknown"
	target string // chain of a jump or goto
	rule   string
	chain  string
	reason string
}

func (w *nftWalk) where(chain string) string {
	return fmt.Sprintf("nft list ruleset, table %s %s, chain %s", w.t.family, w.t.name, chain)
}

func (w *nftWalk) base(c *nftChain) Decision {
	e := w.chain(c, 0)
	switch e.kind {
	case "accept":
		return Decision{Outcome: Accepted, Rule: e.rule, Where: w.where(e.chain)}
	case "drop":
		return Decision{Outcome: Dropped, Rule: e.rule, Where: w.where(e.chain)}
	case "reject":
		return Decision{Outcome: Rejected, Rule: e.rule, Where: w.where(e.chain)}
	case "unknown":
		return Decision{Outcome: Unknown, Rule: e.rule, Where: w.where(e.chain), Reason: e.reason}
	}
	// The end of the base chain, or a goto's chain, or a return: policy.
	out := Decided(c.policy)
	return Decision{Outcome: out, Rule: "policy " + c.policy, Where: w.where(c.name)}
}

// Decided maps a policy word to its outcome.
func Decided(policy string) Outcome {
	switch strings.ToLower(policy) {
	case "drop":
		return Dropped
	case "reject":
		return Rejected
	}
	return Accepted
}

// maxCalls bounds jumps on one walk: a listing with a jump loop (which nft
// refuses to load) must not hang the analysis.
const maxCalls = 64

func (w *nftWalk) chain(c *nftChain, depth int) effect {
	for _, r := range c.rules {
		e := w.rule(r)
		e.chain, e.rule = c.name, r.text
		switch e.kind {
		case "":
			continue
		case "jump", "goto":
			w.calls++
			next, ok := w.t.chains[e.target]
			if !ok || w.calls > maxCalls || depth > 16 {
				return effect{kind: "unknown", chain: c.name, rule: r.text, reason: fmt.Sprintf("chain %s is not in the listing, or the jumps do not end", e.target)}
			}
			sub := w.chain(next, depth+1)
			switch {
			case sub.kind == "return" || sub.kind == "":
				if e.kind == "goto" {
					return effect{kind: "return", chain: next.name}
				}
				continue
			default:
				return sub
			}
		default:
			return e
		}
	}
	return effect{kind: "return", chain: c.name}
}

// rule decides whether r matches the packet and, if so, what it does.
// A rule whose known conditions all hold but which holds something this
// package cannot evaluate is "unknown"; one whose known conditions fail
// does not match, whatever else it holds.
func (w *nftWalk) rule(r nftRule) effect {
	m := &nftMatch{w: w, toks: r.tokens}
	e := m.run()
	if m.failed {
		if m.failedOnAddress && w.missed == "" && acceptsPort(r.tokens, w.p.DestinationPort) {
			w.missed = fmt.Sprintf("%q (%s)", r.text, m.failedWhy)
		}
		return effect{}
	}
	if m.unknown != "" {
		if e.kind == "" && !hasVerdict(r.tokens) {
			return effect{} // nothing it could do changes the packet's fate
		}
		return effect{kind: "unknown", reason: fmt.Sprintf("cannot evaluate %q in %q", m.unknown, r.text)}
	}
	return e
}

// hasVerdict reports whether a rule can end or divert the packet's walk.
func hasVerdict(toks []nftToken) bool {
	return slices.ContainsFunc(toks, func(t nftToken) bool {
		return !t.quoted && slices.Contains([]string{"accept", "drop", "reject", "jump", "goto", "return", "queue", "vmap"}, t.word)
	})
}

// acceptsPort reports whether a rule ends in accept and names UDP
// destination port port: an Allow-DHCPv6 rule, whatever else it requires.
func acceptsPort(toks []nftToken, port uint16) bool {
	if !slices.ContainsFunc(toks, func(t nftToken) bool { return t.word == "accept" && !t.quoted }) {
		return false
	}
	for i := 0; i+2 < len(toks); i++ {
		if (toks[i].word == "udp" || toks[i].word == "th") && toks[i+1].word == "dport" {
			v := toks[i+2]
			vals := v.set
			if !v.isSet {
				vals = []string{v.word}
			}
			for _, x := range vals {
				if r, ok := parsePortRange(x, "-"); ok && r.has(port) {
					return true
				}
			}
		}
	}
	return false
}

// nftMatch walks one rule's tokens.
type nftMatch struct {
	w    *nftWalk
	toks []nftToken
	i    int
	// failed: a condition does not hold. unknown: the first expression
	// that could not be evaluated.
	failed  bool
	unknown string
	// For Decision.Missed: the condition failed on an address or the
	// source port.
	failedOnAddress bool
	failedWhy       string
}

func (m *nftMatch) next() (nftToken, bool) {
	if m.i >= len(m.toks) {
		return nftToken{}, false
	}
	t := m.toks[m.i]
	m.i++
	return t, true
}

func (m *nftMatch) peek() string {
	if m.i >= len(m.toks) {
		return ""
	}
	return m.toks[m.i].word
}

func (m *nftMatch) fail(onAddress bool, why string) {
	if !m.failed {
		m.failedOnAddress, m.failedWhy = onAddress, why
	}
	m.failed = true
}

func (m *nftMatch) unknownAt(what string) effect {
	if m.unknown == "" {
		m.unknown = what
	}
	return effect{}
}

// run evaluates the rule's tokens in order and returns its verdict, if it
// has one; conditions set m.failed or m.unknown.
func (m *nftMatch) run() effect {
	for !m.failed && m.unknown == "" {
		t, ok := m.next()
		if !ok {
			return effect{}
		}
		switch t.word {
		case "accept", "drop", "return", "continue":
			return effect{kind: t.word}
		case "reject":
			return effect{kind: "reject"}
		case "jump", "goto":
			target, ok := m.next()
			if !ok {
				return m.unknownAt(t.word)
			}
			return effect{kind: t.word, target: target.word}
		case "counter":
			if m.peek() == "packets" {
				m.i += 4
			}
		case "comment":
			m.i++
		case "log":
			for slices.Contains([]string{"prefix", "level", "flags", "group", "snaplen"}, m.peek()) {
				m.i += 2
			}
		case "limit":
			// "limit rate N/second [burst N packets]" passes packets
			// under the rate: a DHCPv6 answer is one packet. "over"
			// passes only the excess: unknown.
			if m.i+1 < len(m.toks) && m.toks[m.i+1].word == "over" {
				return m.unknownAt("limit rate over")
			}
			m.i += 2
			if m.peek() == "burst" {
				m.i += 3
			}
		case "flow":
			m.i += 2 // flow add|offload @ft
		case "notrack":
		case "meta":
			m.meta()
		case "iifname", "iif":
			m.selector(t.word, m.matchInterface)
		case "oifname", "oif":
			m.fail(false, "an input packet has no output interface")
		case "ip6":
			m.ip6()
		case "ip", "icmp", "igmp":
			m.fail(false, "IPv4 only")
		case "tcp", "icmpv6", "sctp", "dccp", "esp", "ah", "udplite":
			m.fail(false, t.word+" is not UDP")
		case "udp", "th":
			m.ports(t.word)
		case "ct":
			if e := m.ct(); e.kind != "" {
				return e
			}
		default:
			return m.unknownAt(t.word)
		}
	}
	return effect{}
}

// op reads an optional "!=" or "==" and reports negation.
func (m *nftMatch) op() bool {
	switch m.peek() {
	case "!=":
		m.i++
		return true
	case "==":
		m.i++
	}
	return false
}

// values returns the token's values: a set's elements, a named set's, or
// the one word.
func (m *nftMatch) values(t nftToken) ([]string, bool) {
	switch {
	case t.isSet:
		return t.set, true
	case strings.HasPrefix(t.word, "@"):
		els, ok := m.w.t.sets[t.word[1:]]
		return els, ok
	}
	return []string{t.word}, true
}

// selector evaluates "KEY [op] VALUE" with match deciding each value.
func (m *nftMatch) selector(key string, match func(v string) (bool, bool)) {
	neg := m.op()
	t, ok := m.next()
	if !ok {
		m.unknownAt(key)
		return
	}
	if t.word == "vmap" && !t.quoted {
		m.unknownAt(key + " vmap")
		return
	}
	vals, ok := m.values(t)
	if !ok {
		m.unknownAt(key + " " + t.word)
		return
	}
	any := false
	for _, v := range vals {
		hit, known := match(v)
		if !known {
			m.unknownAt(key + " " + v)
			return
		}
		any = any || hit
	}
	if any == neg {
		m.fail(false, key)
	}
}

func (m *nftMatch) matchInterface(v string) (bool, bool) {
	if v == "lo" {
		return m.w.p.Interface == "lo", true
	}
	return ifaceMatch(v, m.w.p.Interface), true
}

func (m *nftMatch) meta() {
	key, ok := m.next()
	if !ok {
		m.unknownAt("meta")
		return
	}
	if m.peek() == "set" {
		m.i += 2 // a statement: meta mark set …, meta nftrace set 1
		return
	}
	switch key.word {
	case "nfproto":
		m.selector("meta nfproto", func(v string) (bool, bool) { return v == "ipv6", v == "ipv6" || v == "ipv4" })
	case "l4proto":
		m.selector("meta l4proto", func(v string) (bool, bool) { return v == "udp" || v == "17", true })
	case "iifname", "iif":
		m.selector("meta "+key.word, m.matchInterface)
	case "oifname", "oif":
		m.fail(false, "an input packet has no output interface")
	default:
		m.unknownAt("meta " + key.word)
	}
}

func (m *nftMatch) ip6() {
	key, ok := m.next()
	if !ok {
		m.unknownAt("ip6")
		return
	}
	var addr netip.Addr
	switch key.word {
	case "saddr":
		addr = m.w.p.Source
	case "daddr":
		addr = m.w.p.Destination
	case "nexthdr":
		m.selector("ip6 nexthdr", func(v string) (bool, bool) { return v == "udp" || v == "17", true })
		return
	default:
		m.unknownAt("ip6 " + key.word)
		return
	}
	before := m.failed
	m.selector("ip6 "+key.word, func(v string) (bool, bool) {
		if p, err := netip.ParsePrefix(v); err == nil {
			return p.Contains(addr), true
		}
		if a, err := netip.ParseAddr(v); err == nil {
			return a == addr, true
		}
		if lo, hi, ok := strings.Cut(v, "-"); ok {
			l, err1 := netip.ParseAddr(lo)
			h, err2 := netip.ParseAddr(hi)
			return err1 == nil && err2 == nil && l.Compare(addr) <= 0 && addr.Compare(h) <= 0, err1 == nil && err2 == nil
		}
		return false, false
	})
	if m.failed && !before {
		m.failedOnAddress, m.failedWhy = true, fmt.Sprintf("the packet's %s %s is not in %s", map[string]string{"saddr": "source", "daddr": "destination"}[key.word], addr, m.toks[m.i-1].String())
	}
}

func (t nftToken) String() string {
	if t.isSet {
		return "{ " + strings.Join(t.set, ", ") + " }"
	}
	return t.word
}

func (m *nftMatch) ports(proto string) {
	key, ok := m.next()
	if !ok {
		m.unknownAt(proto)
		return
	}
	var port uint16
	switch key.word {
	case "sport":
		port = m.w.p.SourcePort
	case "dport":
		port = m.w.p.DestinationPort
	default:
		m.unknownAt(proto + " " + key.word)
		return
	}
	before := m.failed
	m.selector(proto+" "+key.word, func(v string) (bool, bool) {
		r, ok := parsePortRange(v, "-")
		return ok && r.has(port), ok
	})
	if key.word == "sport" && m.failed && !before {
		m.failedOnAddress, m.failedWhy = true, fmt.Sprintf("the packet's source port %d is not %s", port, m.toks[m.i-1].String())
	}
}

// parsePortRange reads "546", "546-547" (nft) or "546:547" (iptables, UCI).
func parsePortRange(v, sep string) (portRange, bool) {
	lo, hi, isRange := strings.Cut(v, sep)
	l, err := strconv.ParseUint(lo, 10, 16)
	if err != nil {
		if p, ok := namedPorts[lo]; ok && !isRange {
			return portRange{p, p}, true
		}
		return portRange{}, false
	}
	h := l
	if isRange {
		if h, err = strconv.ParseUint(hi, 10, 16); err != nil {
			return portRange{}, false
		}
	}
	return portRange{uint16(l), uint16(h)}, true
}

// namedPorts are the service names nft and iptables print for the ports
// that matter here (/etc/services).
var namedPorts = map[string]uint16{"dhcpv6-client": 546, "dhcpv6-server": 547}

// ct evaluates "ct state …", "ct state vmap {…}" and "ct status …".
func (m *nftMatch) ct() effect {
	key, ok := m.next()
	if !ok {
		return m.unknownAt("ct")
	}
	state := "new"
	if m.w.p.Established {
		state = "established"
	}
	switch key.word {
	case "state":
		if m.peek() == "vmap" {
			m.i++
			t, ok := m.next()
			if !ok || !t.isSet {
				return m.unknownAt("ct state vmap")
			}
			for _, e := range t.set {
				k, v, _ := strings.Cut(e, ":")
				if strings.TrimSpace(k) == state {
					f := strings.Fields(v)
					if len(f) == 0 {
						return m.unknownAt("ct state vmap")
					}
					if len(f) == 2 {
						return effect{kind: f[0], target: f[1]}
					}
					return effect{kind: f[0]}
				}
			}
			m.fail(false, "ct state")
			return effect{}
		}
		neg := m.op()
		t, ok := m.next()
		if !ok {
			return m.unknownAt("ct state")
		}
		vals := t.set
		if !t.isSet {
			vals = strings.Split(t.word, ",")
		}
		if slices.Contains(vals, state) == neg {
			m.fail(false, "ct state")
		}
	case "status":
		neg := m.op()
		if _, ok := m.next(); !ok {
			return m.unknownAt("ct status")
		}
		if !neg { // a DHCPv6 answer is not DNATed
			m.fail(false, "ct status")
		}
	case "helper", "mark":
		if m.peek() == "set" {
			m.i += 2
			return effect{}
		}
		return m.unknownAt("ct " + key.word)
	default:
		return m.unknownAt("ct " + key.word)
	}
	return effect{}
}
