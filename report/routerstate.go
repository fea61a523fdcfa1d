package report

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/v6diag/v6diag/hostinfo"
)

// router_state in report.json: what the router itself held on its WAN
// during the run (netifd's status of the WAN's interfaces, odhcp6c's last
// log lines), beside what v6diag saw on the wire. Live runs only.
type jsonRouterState struct {
	Interfaces []jsonNetifdInterface `json:"interfaces"`
	Odhcp6cLog []string              `json:"odhcp6c_log"`
	Notes      []string              `json:"notes"`
}

type jsonNetifdInterface struct {
	Name          string                `json:"name"`
	Up            bool                  `json:"up"`
	Pending       bool                  `json:"pending"`
	Available     bool                  `json:"available"`
	Autostart     bool                  `json:"autostart"`
	Dynamic       bool                  `json:"dynamic"`
	Uptime        int64                 `json:"uptime_seconds"`
	Proto         string                `json:"proto"`
	Device        string                `json:"device"`
	L3Device      string                `json:"l3_device"`
	IPv4Addresses []jsonNetifdAddress   `json:"ipv4_addresses"`
	IPv6Addresses []jsonNetifdAddress   `json:"ipv6_addresses"`
	IPv6Prefixes  []jsonNetifdPrefix    `json:"ipv6_prefixes"`
	Routes        []jsonNetifdRoute     `json:"routes"`
	DNSServers    []string              `json:"dns_servers"`
	DNSSearch     []string              `json:"dns_search"`
	Errors        []jsonNetifdError     `json:"errors"`
	Data          []jsonNetifdDataValue `json:"data"`
}

type jsonNetifdAddress struct {
	Address   string `json:"address"`
	Mask      int    `json:"mask"`
	Preferred *int64 `json:"preferred_seconds"`
	Valid     *int64 `json:"valid_seconds"`
}

type jsonNetifdPrefix struct {
	Address   string                 `json:"address"`
	Mask      int                    `json:"mask"`
	Preferred *int64                 `json:"preferred_seconds"`
	Valid     *int64                 `json:"valid_seconds"`
	Class     string                 `json:"class"`
	Assigned  []jsonPrefixAssignment `json:"assigned"`
}

type jsonPrefixAssignment struct {
	Interface string `json:"interface"`
	Address   string `json:"address"`
	Mask      int    `json:"mask"`
}

type jsonNetifdRoute struct {
	Target  string `json:"target"`
	Mask    int    `json:"mask"`
	Nexthop string `json:"nexthop"`
	Metric  *int64 `json:"metric"`
	Valid   *int64 `json:"valid_seconds"`
	Source  string `json:"source"`
}

type jsonNetifdError struct {
	Subsystem string   `json:"subsystem"`
	Code      string   `json:"code"`
	Data      []string `json:"data"`
}

type jsonNetifdDataValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// routerStateDoc lays the router's state out for report.json; nil when
// the run did not read it (analyze).
func routerStateDoc(st *hostinfo.RouterState) *jsonRouterState {
	if st == nil {
		return nil
	}
	out := &jsonRouterState{Interfaces: []jsonNetifdInterface{}, Odhcp6cLog: orEmpty(st.Odhcp6cLog), Notes: orEmpty(st.Notes)}
	addrs := func(as []hostinfo.NetifdAddress) []jsonNetifdAddress {
		out := []jsonNetifdAddress{}
		for _, a := range as {
			out = append(out, jsonNetifdAddress{Address: a.Address, Mask: a.Mask, Preferred: a.Preferred, Valid: a.Valid})
		}
		return out
	}
	for _, i := range st.Interfaces {
		j := jsonNetifdInterface{Name: i.Name, Up: i.Up, Pending: i.Pending, Available: i.Available, Autostart: i.Autostart,
			Dynamic: i.Dynamic, Uptime: i.UptimeSeconds, Proto: i.Proto, Device: i.Device, L3Device: i.L3Device,
			IPv4Addresses: addrs(i.IPv4Addresses), IPv6Addresses: addrs(i.IPv6Addresses), IPv6Prefixes: []jsonNetifdPrefix{},
			Routes: []jsonNetifdRoute{}, DNSServers: orEmpty(i.DNSServers), DNSSearch: orEmpty(i.DNSSearch),
			Errors: []jsonNetifdError{}, Data: []jsonNetifdDataValue{}}
		for _, p := range i.IPv6Prefixes {
			jp := jsonNetifdPrefix{Address: p.Address, Mask: p.Mask, Preferred: p.Preferred, Valid: p.Valid, Class: p.Class, Assigned: []jsonPrefixAssignment{}}
			for _, a := range p.Assigned {
				jp.Assigned = append(jp.Assigned, jsonPrefixAssignment{Interface: a.Interface, Address: a.Address, Mask: a.Mask})
			}
			j.IPv6Prefixes = append(j.IPv6Prefixes, jp)
		}
		for _, r := range i.Routes {
			j.Routes = append(j.Routes, jsonNetifdRoute{Target: r.Target, Mask: r.Mask, Nexthop: r.Nexthop, Metric: r.Metric, Valid: r.Valid, Source: r.Source})
		}
		for _, e := range i.Errors {
			j.Errors = append(j.Errors, jsonNetifdError{Subsystem: e.Subsystem, Code: e.Code, Data: orEmpty(e.Data)})
		}
		for _, kv := range i.Data {
			j.Data = append(j.Data, jsonNetifdDataValue{Key: kv.Key, Value: kv.Value})
		}
		out.Interfaces = append(out.Interfaces, j)
	}
	return out
}

// routerStateHeading introduces the section in every format.
const routerStateHeading = "The router's own state"

// routerStateIntro says what the section is, in every format.
const routerStateIntro = "What netifd and odhcp6c on the router held when v6diag finished, to compare with v6diag's own exchange above."

// netifdLines describes one interface as the reports list it: a headline
// and one line per address, prefix, route, DNS server, error and datum.
func netifdLines(i jsonNetifdInterface) (head string, lines []string) {
	state := "down"
	switch {
	case i.Up:
		state = fmt.Sprintf("up %d s", i.Uptime)
	case i.Pending:
		state = "setting up (pending)"
	}
	if !i.Available {
		state += ", device not available"
	}
	dev := i.Device
	if i.L3Device != "" && i.L3Device != i.Device {
		dev += " (l3 " + i.L3Device + ")"
	}
	head = fmt.Sprintf("%s: %s on %s, %s", i.Name, dash(i.Proto), dash(dev), state)
	if i.Dynamic {
		head += ", dynamic"
	}
	for _, a := range i.IPv4Addresses {
		lines = append(lines, fmt.Sprintf("address %s/%d%s", a.Address, a.Mask, lifetimes(a.Preferred, a.Valid)))
	}
	for _, a := range i.IPv6Addresses {
		lines = append(lines, fmt.Sprintf("address %s/%d%s", a.Address, a.Mask, lifetimes(a.Preferred, a.Valid)))
	}
	for _, p := range i.IPv6Prefixes {
		l := fmt.Sprintf("delegated prefix %s/%d%s", p.Address, p.Mask, lifetimes(p.Preferred, p.Valid))
		if p.Class != "" {
			l += ", class " + p.Class
		}
		var to []string
		for _, a := range p.Assigned {
			to = append(to, fmt.Sprintf("%s %s/%d", a.Interface, a.Address, a.Mask))
		}
		if len(to) > 0 {
			l += "; assigned to " + strings.Join(to, ", ")
		}
		lines = append(lines, l)
	}
	for _, r := range i.Routes {
		l := fmt.Sprintf("route %s/%d via %s", r.Target, r.Mask, dash(r.Nexthop))
		if r.Source != "" {
			l += " from " + r.Source
		}
		if r.Metric != nil {
			l += fmt.Sprintf(" metric %d", *r.Metric)
		}
		if r.Valid != nil {
			l += fmt.Sprintf(" valid %d s", *r.Valid)
		}
		lines = append(lines, l)
	}
	if len(i.DNSServers) > 0 {
		lines = append(lines, "DNS "+strings.Join(i.DNSServers, ", "))
	}
	if len(i.DNSSearch) > 0 {
		lines = append(lines, "DNS search "+strings.Join(i.DNSSearch, ", "))
	}
	for _, e := range i.Errors {
		l := fmt.Sprintf("error %s %s", e.Subsystem, e.Code)
		if len(e.Data) > 0 {
			l += " (" + strings.Join(e.Data, ", ") + ")"
		}
		lines = append(lines, l)
	}
	for _, kv := range i.Data {
		lines = append(lines, fmt.Sprintf("%s data %s: %s", i.Proto, kv.Key, kv.Value))
	}
	return head, lines
}

func lifetimes(preferred, valid *int64) string {
	var s string
	if preferred != nil {
		s += fmt.Sprintf(" preferred %d s", *preferred)
	}
	if valid != nil {
		s += fmt.Sprintf(" valid %d s", *valid)
	}
	return s
}

// writeRouterStateText adds the section to report.txt.
func writeRouterStateText(b *strings.Builder, d Document) {
	st := d.RouterState
	if st == nil {
		return
	}
	fmt.Fprintf(b, "\n%s (netifd, odhcp6c):\n", routerStateHeading)
	b.WriteString(wrap(routerStateIntro, "  ", "  ", textWidth))
	for _, i := range st.Interfaces {
		head, lines := netifdLines(i)
		b.WriteString(wrap(head, "  ", "      ", textWidth))
		for _, l := range lines {
			b.WriteString(wrap(l, "    ", "      ", textWidth))
		}
	}
	if len(st.Odhcp6cLog) > 0 {
		fmt.Fprintf(b, "  odhcp6c's last %d log lines:\n", len(st.Odhcp6cLog))
		for _, l := range st.Odhcp6cLog {
			fmt.Fprintf(b, "    %s\n", l)
		}
	}
	for _, n := range st.Notes {
		b.WriteString(wrap(n, "  Note: ", "        ", textWidth))
	}
}

// writeRouterStateMarkdown adds the section to report.md.
func writeRouterStateMarkdown(b *strings.Builder, d Document) {
	st := d.RouterState
	if st == nil {
		return
	}
	fmt.Fprintf(b, "## %s\n\n%s\n\n", routerStateHeading, mdText(routerStateIntro))
	for _, i := range st.Interfaces {
		head, lines := netifdLines(i)
		fmt.Fprintf(b, "- **%s**\n", mdText(head))
		for _, l := range lines {
			fmt.Fprintf(b, "  - %s\n", mdText(l))
		}
	}
	if len(st.Interfaces) > 0 {
		b.WriteString("\n")
	}
	if len(st.Odhcp6cLog) > 0 {
		fmt.Fprintf(b, "odhcp6c's last %d log lines:\n\n```\n", len(st.Odhcp6cLog))
		for _, l := range st.Odhcp6cLog {
			fmt.Fprintf(b, "%s\n", strings.ReplaceAll(l, "```", "'''"))
		}
		b.WriteString("```\n\n")
	}
	for _, n := range st.Notes {
		fmt.Fprintf(b, "> %s\n\n", mdText(n))
	}
}

// routerState adds the section to report.html.
func (p *htmlPage) routerState(d Document) {
	st := d.RouterState
	if st == nil {
		return
	}
	p.s("<h2>", routerStateHeading, "</h2>\n<p>")
	p.t(routerStateIntro)
	p.s("</p>\n")
	for _, i := range st.Interfaces {
		head, lines := netifdLines(i)
		p.s("<h3>")
		p.t(head)
		p.s("</h3>\n<ul style=\"overflow-wrap: anywhere\">\n")
		for _, l := range lines {
			p.s("<li>")
			p.t(l)
			p.s("</li>\n")
		}
		p.s("</ul>\n")
	}
	if len(st.Odhcp6cLog) > 0 {
		p.s("<p>odhcp6c's last ")
		p.n(len(st.Odhcp6cLog))
		// Inline style, not the page's stylesheet: long log lines wrap
		// instead of widening the page (browser_test checks 700 px).
		p.s(" log lines:</p>\n<pre style=\"white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid var(--line); padding: .5rem .7rem\">")
		for _, l := range st.Odhcp6cLog {
			p.t(l)
			p.s("\n")
		}
		p.s("</pre>\n")
	}
	for _, n := range st.Notes {
		p.s("<p class=\"note\">")
		p.t(n)
		p.s("</p>\n")
	}
	p.s("\n")
}

// routerState redacts what the Redactor's text rules leave in the
// section: public IPv4 addresses (the WAN address, the ISP's DNS
// servers), which identify a line as much as its IPv6 prefix. Private,
// shared (RFC 6598), loopback and link-local ones stay: they name no
// line. Each public address maps to one of 192.0.2.0/24 (RFC 5737),
// numbered in order of appearance.
func (r *Redactor) routerState(st *jsonRouterState) {
	if st == nil {
		return
	}
	for i := range st.Interfaces {
		in := &st.Interfaces[i]
		for j := range in.IPv4Addresses {
			in.IPv4Addresses[j].Address = r.ipv4Text(in.IPv4Addresses[j].Address)
		}
		for j := range in.Routes {
			rt := &in.Routes[j]
			rt.Target, rt.Nexthop, rt.Source = r.ipv4Text(rt.Target), r.ipv4Text(rt.Nexthop), r.ipv4Text(rt.Source)
		}
		for j := range in.DNSServers {
			in.DNSServers[j] = r.ipv4Text(in.DNSServers[j])
		}
		for j := range in.Data {
			in.Data[j].Value = r.ipv4Text(in.Data[j].Value)
		}
	}
	for j := range st.Odhcp6cLog {
		st.Odhcp6cLog[j] = r.ipv4Text(st.Odhcp6cLog[j])
	}
}

// ipv4Text replaces every public dotted-quad IPv4 address in s.
func (r *Redactor) ipv4Text(s string) string {
	var b strings.Builder
	done := 0
	for i := 0; i < len(s); {
		if !isDigit(s[i]) || (i > 0 && (isDigit(s[i-1]) || s[i-1] == '.')) {
			i++
			continue
		}
		j := i
		for j < len(s) && (isDigit(s[j]) || s[j] == '.') {
			j++
		}
		a, err := netip.ParseAddr(strings.TrimRight(s[i:j], "."))
		if err != nil || !a.Is4() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() ||
			netip.MustParsePrefix("100.64.0.0/10").Contains(a) || netip.MustParsePrefix("192.0.2.0/24").Contains(a) {
			i = j
			continue
		}
		b.WriteString(s[done:i])
		b.WriteString(r.ipv4(a).String())
		done, i = i+len(a.String()), j
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// ipv4 numbers public IPv4 addresses into 192.0.2.1 and up, the same
// address always to the same number within a report.
func (r *Redactor) ipv4(a netip.Addr) netip.Addr {
	if r.ipv4s == nil {
		r.ipv4s = map[netip.Addr]netip.Addr{}
	}
	if m, ok := r.ipv4s[a]; ok {
		return m
	}
	n := len(r.ipv4s)%254 + 1
	m := netip.AddrFrom4([4]byte{192, 0, 2, byte(n)})
	r.ipv4s[a] = m
	return m
}
