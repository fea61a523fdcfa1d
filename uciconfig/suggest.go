package uciconfig

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Change is one statement a Suggestion changes or adds.
type Change struct {
	// Section is the section as uci(1) names it: "wan6", "@device[0]".
	Section string
	// Option is the option set; "" when the change adds the section.
	Option string
	// Old is the value before ("" when the option or section is new).
	Old string
	// New is the value after (the section type for a new section).
	New string
	// Why is the comment written on the changed line, after "v6diag: ".
	Why string
}

// Suggestion is the network config that acts on an Advice.
type Suggestion struct {
	// Changes lists what changed, in the order made.
	Changes []Change
	// Notes are what the user should know besides the changes: why
	// nothing changed, what else to check.
	Notes []string
	// NoConfigFix is true when the problem is the ISP's and no change of
	// the network config can fix it; then nothing changed.
	NoConfigFix bool

	original []byte
	file     *File
}

// Changed reports whether the suggestion differs from the current config.
func (s *Suggestion) Changed() bool { return len(s.Changes) > 0 }

// Bytes is the suggested file, secrets included: the file to copy to
// /etc/config/network. Every statement not in Changes is byte-identical
// to the current file.
func (s *Suggestion) Bytes() []byte {
	if !s.Changed() {
		return bytes.Clone(s.original)
	}
	return s.file.Bytes()
}

// Masked is Bytes with secrets masked, for a terminal.
func (s *Suggestion) Masked() []byte { return s.file.Masked() }

// Diff is the unified diff from the current file to the suggested one,
// with secret values masked on every line, so it can be shown and
// shared; nil when nothing changed.
func (s *Suggestion) Diff(oldName, newName string) []byte {
	if !s.Changed() {
		return nil
	}
	orig, err := Parse(s.original)
	if err != nil {
		// Suggest parsed the same bytes; this cannot happen.
		return nil
	}
	return UnifiedDiff(oldName, newName, orig.Masked(), s.file.Masked())
}

// pppProtos are the netifd protocols run by ppp.sh, whose 'ipv6' option
// (since LEDE 17.01) is "0" (off), "1" (IPv6CP only) or, by default,
// "auto": IPv6CP plus a DHCPv6 client, the dynamic interface NAME_6
// with device "@NAME", which takes no dhcpv6 options of its own.
var pppProtos = map[string]bool{"pppoe": true, "pppoa": true, "pptp": true, "ppp": true, "3g": true, "l2tp": true}

// suggester holds the state of one Suggest call.
type suggester struct {
	f  *File
	a  Advice
	sg *Suggestion
	// Which errors, if any, an edit made; edits use valid names, so this
	// stays nil unless the code is wrong.
	err error
	// adviseOnly turns edits into notes: a change that gets the router
	// nothing more from the ISP (the LAN's ip6assign alone) is said, not
	// written.
	adviseOnly bool
}

// Suggest applies an Advice to the network config current: it changes
// only the netifd options that matter — dhcpv6 options on wan6 (or the
// interface that runs the WAN's DHCPv6 client), 'ipv6' on a PPP wan,
// 'ip6assign' and 'ip6hint' on lan — and adds a wan6 when the WAN has no
// DHCPv6 client. Each changed line carries a "# v6diag: ..." comment.
// current is not modified.
//
// When no request shape obtained a prefix and the ISP must act, it
// changes nothing and says so: no config fixes a server that does not
// answer.
func Suggest(current []byte, a Advice) (*Suggestion, error) {
	f, err := Parse(current)
	if err != nil {
		return nil, fmt.Errorf("uciconfig: suggest: %w", err)
	}
	s := &suggester{f: f, a: a, sg: &Suggestion{original: bytes.Clone(current), file: f}}
	s.suggest()
	if s.err != nil {
		return nil, fmt.Errorf("uciconfig: suggest: %w", s.err)
	}
	return s.sg, nil
}

func (s *suggester) note(format string, args ...any) {
	s.sg.Notes = append(s.sg.Notes, fmt.Sprintf(format, args...))
}

// set changes one option and records why.
func (s *suggester) set(sec *Section, option, value, why string) {
	old, _ := sec.Option(option)
	if old == value {
		return
	}
	if s.adviseOnly {
		s.note("Consider %s '%s' on %s: %s.", option, value, sec.ref(), why)
		return
	}
	if err := sec.SetOption(option, value, "v6diag: "+why); err != nil && s.err == nil {
		s.err = err
	}
	s.sg.Changes = append(s.sg.Changes, Change{Section: sec.ref(), Option: option, Old: old, New: value, Why: why})
}

// interfaceSection is the last "config interface" section named name.
func (f *File) interfaceSection(name string) *Section {
	if s := f.Section(name); s != nil && s.Type == "interface" {
		return s
	}
	return nil
}

// deviceOption is the option an interface names its device with: the one
// it uses, else "device" from OpenWrt 21.02 on and "ifname" before, as
// the file shows.
func (f *File) deviceOption(sec *Section) string {
	if sec != nil {
		if _, ok := sec.Option("device"); ok {
			return "device"
		}
		if _, ok := sec.Option("ifname"); ok {
			return "ifname"
		}
	}
	for _, x := range f.sections {
		if x.Type == "interface" {
			if _, ok := x.Option("device"); ok {
				return "device"
			}
		}
	}
	for _, x := range f.sections {
		if x.Type == "switch_vlan" || x.Type == "switch" {
			return "ifname"
		}
		if x.Type == "interface" {
			if _, ok := x.Option("ifname"); ok {
				return "ifname"
			}
		}
	}
	return "device"
}

// dhcpv6Client finds the interface that runs the WAN's DHCPv6 client:
// wan6, else a wan that is itself dhcpv6, else another dhcpv6 interface
// on wan's device or "@wan".
func (s *suggester) dhcpv6Client(wan *Section) *Section {
	if w6 := s.f.interfaceSection("wan6"); w6 != nil && s.f.option("wan6", "proto") == "dhcpv6" {
		return w6
	}
	if wan != nil && s.f.option("wan", "proto") == "dhcpv6" {
		return wan
	}
	wanDev := strings.TrimSpace(s.f.device("wan"))
	for _, i := range s.f.Interfaces() {
		if i.Proto != "dhcpv6" {
			continue
		}
		if d := strings.TrimSpace(i.Device); d == "@wan" || (wanDev != "" && d == wanDev) {
			return i.Section
		}
	}
	return nil
}

// clientSettings reads what an interface's dhcpv6 options tell odhcp6c;
// values netifd would not accept read as its defaults.
func (s *suggester) clientSettings(sec *Section) ClientSettings {
	var c ClientSettings
	if sec == nil {
		return c
	}
	opt := func(name string) string { return s.f.option(sec.Name, name) }
	if sec.Name == "" {
		opt = func(name string) string { v, _ := sec.Option(name); return v }
	}
	c.ReqAddress, _ = ParseReqAddress(opt("reqaddress"))
	c.ReqPrefix, _ = ParseReqPrefix(opt("reqprefix"))
	c.NoClientFQDN = isTrue(opt("noclientfqdn"))
	c.NoAcceptReconfig = isTrue(opt("noacceptreconfig"))
	c.ForcePrefix = isTrue(opt("forceprefix"))
	c.ClientID = opt("clientid")
	return c
}

func isTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "yes", "on", "true", "enabled":
		return true
	}
	return false
}

// globalDUID is the dhcp_default_duid of the first globals section, which
// netifd uses when an interface has no clientid.
func (f *File) globalDUID() string {
	for _, sec := range f.sections {
		if sec.Type == "globals" {
			v, _ := sec.Option("dhcp_default_duid")
			return v
		}
	}
	return ""
}

func normalizeDUID(s string) string {
	return strings.ToLower(strings.NewReplacer(":", "", "-", "", " ", "").Replace(s))
}

// evidence names where a setting comes from, for the comments.
func (s *suggester) evidence() string {
	var b strings.Builder
	if s.a.Attempt > 0 {
		fmt.Fprintf(&b, "as in attempt %d", s.a.Attempt)
		if s.a.AttemptLabel != "" {
			fmt.Fprintf(&b, " (%s)", s.a.AttemptLabel)
		}
		if s.a.DelegatedPrefixLength > 0 {
			fmt.Fprintf(&b, ", which got a /%d", s.a.DelegatedPrefixLength)
		} else {
			b.WriteString(", which worked")
		}
		return b.String()
	}
	if s.a.DelegatedPrefixLength > 0 {
		return fmt.Sprintf("v6diag's run got a /%d", s.a.DelegatedPrefixLength)
	}
	return "as v6diag's run did"
}

func (s *suggester) suggest() {
	a := s.a
	wan := s.f.interfaceSection("wan")
	client := s.dhcpv6Client(wan)
	if wan == nil && client == nil {
		s.note("The config has no 'wan' interface and no DHCPv6 client interface; v6diag does not know which section to change, so it suggests nothing.")
		return
	}
	ppp := wan != nil && pppProtos[s.f.option("wan", "proto")]
	// A change is suggested only where an attempt proved that it gets the
	// router more than its config does now (issue 10): the settings of
	// that attempt (Working), or — when the router's own settings got a
	// prefix (DelegatedPrefixLength) — the wiring that makes the client
	// run at all: an enabled section, on the PPP session, a wan6 where
	// there is none.
	switch {
	case a.Working != nil:
		cur := s.clientSettings(client)
		if client == nil {
			// With no client section the client, if any, is a PPP wan's
			// automatic wan_6, which runs netifd's defaults.
			cur = ClientSettings{}
		}
		s.wire(wan, client, ppp, s.target(cur))
	case a.DelegatedPrefixLength > 0:
		s.wire(wan, client, ppp, s.clientSettings(client))
	}
	if !s.sg.Changed() {
		s.sg.NoConfigFix = a.ISPMustAct
		switch {
		case a.ISPMustAct:
			s.note("No change to the network config gets the router more on this line: the ISP must act (verdict %s). Send them the report.", a.Verdict)
		case a.DelegatedPrefixLength > 0:
			s.note("The router's config already gets what this line offers; nothing to change.")
		default:
			s.note("No change to the network config that v6diag tried gets the router a prefix (verdict %s).", a.Verdict)
		}
		// What the LAN needs from the prefix the router gets is said, not
		// written: it gets the router nothing more from the ISP.
		s.adviseOnly = true
	}
	if a.DelegatedPrefixLength > 0 {
		s.fitLAN(a.DelegatedPrefixLength)
	}
	s.adviseOnly = false
	if s.sg.Changed() && a.ISPMustAct {
		s.note("These changes get the router more than its config does now; the rest is the ISP's to fix (verdict %s).", a.Verdict)
	}
}

// wire makes the WAN's DHCPv6 client run with the settings want: on the
// existing client section (enabled, on the PPP session), else on a PPP
// wan's automatic client, else on a new wan6.
func (s *suggester) wire(wan, client *Section, ppp bool, want ClientSettings) {
	switch {
	case client != nil:
		s.fixClient(wan, client, ppp)
		s.apply(client, s.clientSettings(client), want)
	case s.f.Section("wan6") != nil:
		s.note("'wan6' exists with proto '%s', which v6diag leaves alone; it adds no DHCPv6 client beside it.", s.f.option("wan6", "proto"))
	case ppp:
		s.pppClient(wan, want)
	default:
		s.addClient(wan, want, "no DHCPv6 client was configured on the WAN; this one runs odhcp6c with the settings that got a prefix")
	}
}

// target is the client settings to suggest: exactly those of the attempt
// that got the router more (its arguments are the router's own with the
// change the ladder made).
func (s *suggester) target(cur ClientSettings) ClientSettings {
	w := s.a.Working
	want := *w
	want.ReqAddress = w.AddressMode()
	if w.ClientID == "" {
		want.ClientID = cur.ClientID
	}
	return want
}

// apply sets on sec the options where want differs from cur.
func (s *suggester) apply(sec *Section, cur, want ClientSettings) {
	ev := s.evidence()
	if want.AddressMode() != cur.AddressMode() {
		why := map[ReqAddress]string{
			ReqAddressNone:  "send no IA_NA (address), only IA_PD, " + ev,
			ReqAddressTry:   "'force' discards answers without an address; ask for one but go on without it, " + ev,
			ReqAddressForce: "require an address (IA_NA), " + ev,
		}[want.AddressMode()]
		s.set(sec, "reqaddress", string(want.AddressMode()), why)
	}
	if want.ReqPrefix != cur.ReqPrefix {
		var why string
		l := s.a.DelegatedPrefixLength
		switch {
		case want.ReqPrefix == ReqPrefixAuto:
			why = "ask with no prefix length hint, " + ev
		case cur.ReqPrefix == ReqPrefixAuto && l > 0:
			why = fmt.Sprintf("'auto' sends no length hint; asked for a /%d, the ISP delegated a /%d", want.ReqPrefix, l)
		case cur.ReqPrefix > 0 && l > int(cur.ReqPrefix):
			why = fmt.Sprintf("the ISP delegates a /%d, not the /%d asked for here; ask for what it gives", l, cur.ReqPrefix)
		default:
			why = fmt.Sprintf("ask for a /%d, %s", want.ReqPrefix, ev)
		}
		if s.a.Attempt > 0 && !strings.Contains(why, ev) {
			why += fmt.Sprintf(" (attempt %d)", s.a.Attempt)
		}
		s.set(sec, "reqprefix", want.ReqPrefix.String(), why)
	}
	if want.NoClientFQDN && !cur.NoClientFQDN {
		s.set(sec, "noclientfqdn", "1", "send no Client FQDN option, "+ev)
	}
	if want.NoAcceptReconfig && !cur.NoAcceptReconfig {
		s.set(sec, "noacceptreconfig", "1", "send no Reconfigure Accept option, "+ev)
	}
	if !want.ForcePrefix && cur.ForcePrefix {
		s.set(sec, "forceprefix", "0", "'1' discards every answer without a prefix, "+ev)
	}
	if want.ClientID != "" {
		have := cur.ClientID
		if have == "" {
			have = s.f.globalDUID()
		}
		if normalizeDUID(want.ClientID) != normalizeDUID(have) {
			s.set(sec, "clientid", want.ClientID, "send this DUID as the client identifier, "+ev)
		}
	}
}

// fixClient corrects how an existing client section is wired: enabled,
// and on a PPP wan running over the PPP session ("@wan") rather than the
// Ethernet device under it, without a second automatic client beside it.
func (s *suggester) fixClient(wan, client *Section, ppp bool) {
	if s.f.disabled(client.Name) {
		s.set(client, "disabled", "0", "this interface runs the WAN's DHCPv6 client")
	}
	if !ppp || client == wan {
		return
	}
	key := s.f.deviceOption(client)
	if dev := strings.TrimSpace(s.f.device(client.Name)); dev != "@wan" {
		s.set(client, key, "@wan", fmt.Sprintf("DHCPv6 must run over the PPP session (%s-wan), which '@wan' names, not the device under it", s.f.option("wan", "proto")))
	}
	switch v := s.f.option("wan", "ipv6"); v {
	case "", "auto":
		s.set(wan, "ipv6", "1", fmt.Sprintf("%s runs the DHCPv6 client; 'auto' would start a second one (wan_6) beside it", client.ref()))
	case "0":
		s.set(wan, "ipv6", "1", fmt.Sprintf("negotiate IPv6 on the PPP link, which %s needs", client.ref()))
	}
}

// pppClient gives a PPP wan without a client section what it needs: the
// automatic wan_6 when netifd's defaults do, else wan6 on "@wan" with the
// options, the automatic one turned off.
func (s *suggester) pppClient(wan *Section, want ClientSettings) {
	v := s.f.option("wan", "ipv6")
	auto := v == "" || v == "auto"
	switch {
	case want.isDefault() && auto:
		return
	case want.isDefault() && v == "0":
		s.set(wan, "ipv6", "auto", "negotiate IPv6 on the PPP link and start the DHCPv6 client wan_6 on it")
		return
	case auto:
		s.set(wan, "ipv6", "1", "wan6 below runs the DHCPv6 client with its options; 'auto' would start a second one (wan_6) without them")
	case v == "0":
		s.set(wan, "ipv6", "1", "negotiate IPv6 on the PPP link; wan6 below runs the DHCPv6 client on it")
	}
	s.addClient(wan, want, "the DHCPv6 client on the PPP session, with the options it needs")
}

// addClient adds "config interface 'wan6'" on "@wan" after wan, with the
// dhcpv6 options of want that are not netifd's defaults.
func (s *suggester) addClient(wan *Section, want ClientSettings, why string) {
	key := s.f.deviceOption(wan)
	w6, err := s.f.AddSection("interface", "wan6", "v6diag: "+why, wan)
	if err != nil {
		s.err = err
		return
	}
	s.sg.Changes = append(s.sg.Changes, Change{Section: "wan6", New: "interface", Why: why})
	link := "run on the link of interface wan"
	if proto := s.f.option("wan", "proto"); pppProtos[proto] {
		link = fmt.Sprintf("run over wan's PPP session (%s-wan), not the device under it", proto)
	}
	s.set(w6, key, "@wan", link)
	s.set(w6, "proto", "dhcpv6", "odhcp6c asks for the address and prefix")
	s.apply(w6, ClientSettings{}, want)
	s.note("v6diag added the interface wan6. OpenWrt's default /etc/config/firewall lists wan6 in the wan zone (list network 'wan' 'wan6'); check that yours does.")
}

// fitLAN makes lan's ip6assign fit in a delegated /l: netifd assigns lan
// a /ip6assign out of the delegated prefix, so ip6assign must be at least
// l, and ip6hint must name a subnet that exists.
func (s *suggester) fitLAN(l int) {
	lan := s.f.interfaceSection("lan")
	if lan == nil || s.f.option("lan", "proto") != "static" {
		return
	}
	if l > 64 {
		s.note("The ISP delegates a /%d, longer than /64: SLAAC on the LAN needs a /64, so the LAN gets no addresses from it. Ask the ISP for a /64 or shorter (e.g. /56).", l)
		return
	}
	// OpenWrt's default config sets ip6assign '60' on lan.
	assign := 60
	if v := strings.TrimSpace(s.f.option("lan", "ip6assign")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 128 {
			return
		}
		assign = n
	}
	if assign < l {
		s.set(lan, "ip6assign", "64", fmt.Sprintf("the ISP delegates a /%d; a /%d cannot be assigned from it", l, assign))
		assign = 64
	}
	s.noteCrowding(l, assign)
	hint := strings.TrimSpace(s.f.option("lan", "ip6hint"))
	if hint == "" {
		return
	}
	h, err := strconv.ParseUint(hint, 16, 64)
	if err != nil {
		return
	}
	if bits := assign - l; bits < 64 && h >= 1<<bits {
		why := fmt.Sprintf("the delegated /%d holds one /%d, subnet 0; ip6hint %s names none", l, assign, hint)
		if bits > 0 {
			why = fmt.Sprintf("the delegated /%d holds subnets 0-%x of /%d; ip6hint %s names none of them", l, uint64(1)<<bits-1, assign, hint)
		}
		s.set(lan, "ip6hint", "0", why)
	}
}

// noteCrowding says which other interfaces will get no prefix when their
// ip6assign, on top of lan's /lanAssign, asks for more than the delegated
// /l holds. It changes nothing: those are the user's networks to weigh.
func (s *suggester) noteCrowding(l, lanAssign int) {
	if lanAssign-l >= 32 {
		return // room for billions of subnets: no counting needed
	}
	free := uint64(1)<<(lanAssign-l) - 1 // in units of lan's size, after lan
	var starved []string
	for _, i := range s.f.Interfaces() {
		if i.Name == "lan" || s.f.disabled(i.Name) {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(s.f.option(i.Name, "ip6assign")))
		if err != nil || n <= 0 || n > 128 {
			continue
		}
		var need uint64 = 1
		if n < lanAssign {
			need = uint64(1) << min(lanAssign-n, 63)
		}
		if n < l || need > free {
			starved = append(starved, fmt.Sprintf("%s (ip6assign %d)", i.Name, n))
			continue
		}
		free -= need
	}
	if len(starved) > 0 {
		s.note("The delegated /%d has no room left after lan's /%d for %s: it gets no IPv6 prefix unless you give it a longer ip6assign or drop it.", l, lanAssign, strings.Join(starved, ", "))
	}
}
