package report

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/linkinfo"
	"github.com/v6diag/v6diag/ndp"
)

// jsonHost is report.json's "router": what the router says about itself.
type jsonHost struct {
	Model       string `json:"model"`
	BoardName   string `json:"board_name"`
	Release     string `json:"release"`
	Target      string `json:"target"`
	Arch        string `json:"arch"`
	Kernel      string `json:"kernel"`
	KernelBuilt string `json:"kernel_built"`
}

type jsonVLAN struct {
	ID       int    `json:"id"`
	Priority int    `json:"priority"`
	Parent   string `json:"parent"`
}

// jsonLink is what the capture shows of the client's side of the link, in
// every mode (analyze too).
type jsonLink struct {
	ClientMAC       string `json:"client_mac"`
	ClientLinkLocal string `json:"client_link_local"`
	// PPPoE is set when the control frames came in a PPPoE session.
	PPPoE bool `json:"pppoe"`
	// ClientFraming and ISPFraming say how the client's and the ISP's
	// control frames were tagged in the capture.
	ClientFraming jsonFraming `json:"client_framing"`
	ISPFraming    jsonFraming `json:"isp_framing"`
}

type jsonFraming struct {
	Frames       int            `json:"frames"`
	VLANs        []jsonWireVLAN `json:"vlans"`
	PPPoE        bool           `json:"pppoe"`
	PPPoESession int            `json:"pppoe_session"`
	Mixed        bool           `json:"mixed"`
}

type jsonWireVLAN struct {
	ID       int    `json:"id"`
	Priority int    `json:"priority"`
	TPID     string `json:"tpid"`
}

func framingJSON(f linkinfo.Framing) jsonFraming {
	j := jsonFraming{Frames: f.Frames, VLANs: []jsonWireVLAN{}, Mixed: f.Mixed}
	for _, v := range f.VLANs {
		j.VLANs = append(j.VLANs, jsonWireVLAN{ID: int(v.ID), Priority: int(v.Priority), TPID: fmt.Sprintf("0x%04x", v.TPID)})
	}
	j.PPPoE, j.PPPoESession = f.PPPoE, int(f.Session)
	return j
}

// framingText says in a few words how one direction was framed.
func framingText(f jsonFraming) string {
	if f.Frames == 0 {
		return "none seen"
	}
	var parts []string
	for _, v := range f.VLANs {
		parts = append(parts, fmt.Sprintf("VLAN %d priority %d", v.ID, v.Priority))
	}
	if len(parts) == 0 {
		parts = append(parts, "untagged")
	}
	if f.PPPoE {
		parts = append(parts, fmt.Sprintf("PPPoE session 0x%04x", f.PPPoESession))
	}
	s := strings.Join(parts, ", ")
	if f.Mixed {
		s += " (others differ)"
	}
	return s
}

// jsonClock says how far the timestamps can be trusted.
type jsonClock struct {
	// Zone is always "UTC": every time in the report is UTC.
	Zone    string `json:"zone"`
	Suspect bool   `json:"suspect"`
	// Note explains a suspect clock in one sentence, "" otherwise.
	Note string `json:"note"`
	// BehindAtLeast is a lower bound of how far the clock that stamped the
	// capture was behind, when evidence gives one.
	BehindAtLeast float64 `json:"behind_at_least_seconds"`
}

// jsonSolicitShape is one distinct shape of the Solicits the client sent.
type jsonSolicitShape struct {
	Frames            []int         `json:"frames"`
	IANA              []string      `json:"ia_na"` // IAIDs
	IAPD              []jsonIAPDAsk `json:"ia_pd"`
	RapidCommit       bool          `json:"rapid_commit"`
	ReconfigureAccept bool          `json:"reconfigure_accept"`
	RequestedOptions  []int         `json:"requested_options"`
	Options           []int         `json:"options"`
	Summary           string        `json:"summary"`
}

type jsonIAPDAsk struct {
	IAID string `json:"iaid"`
	// Hint is the IA Prefix length asked for, 0 when none.
	Hint int `json:"hint"`
}

// jsonStatusCode is one Status Code option a server sent (RFC 8415 §21.13).
type jsonStatusCode struct {
	Frame   int    `json:"frame"`
	Message string `json:"message"`
	// Where is "message", "IA_NA <iaid>", "IA_PD <iaid>", or the address or
	// prefix it was attached to.
	Where string `json:"where"`
	Code  int    `json:"code"`
	Name  string `json:"name"`
	Text  string `json:"text"`
}

// addFacts fills what NewDocument's first pass leaves out: the router,
// link, per-message details, Solicit shapes, status codes, RA intervals,
// the clock check and the paragraph for the ISP.
func (d *Document) addFacts(run Run, r *diag.Result) {
	if h := run.Host; h != nil && !h.Empty() {
		d.Router = &jsonHost{Model: h.Model, BoardName: h.BoardName, Release: h.Release, Target: h.Target, Arch: h.Arch,
			Kernel: h.Kernel, KernelBuilt: stamp(h.KernelBuilt)}
	}
	if i := run.Interface; i != nil && d.Interface != nil {
		if v := i.VLAN; v != nil {
			d.Interface.VLAN = &jsonVLAN{ID: v.ID, Priority: v.Priority, Parent: v.Parent}
		}
		d.Interface.PPPoE = i.PPPoE
	}
	d.Link = jsonLink{ClientMAC: mac(r.Client.SourceMAC), ClientLinkLocal: addr(r.Client.Address)}
	if f := run.Framing; f != nil {
		d.Link.ClientFraming, d.Link.ISPFraming = framingJSON(f.Client), framingJSON(f.ISP)
		d.Link.PPPoE = f.Client.PPPoE || f.ISP.PPPoE
	} else {
		d.Link.ClientFraming, d.Link.ISPFraming = framingJSON(linkinfo.Framing{}), framingJSON(linkinfo.Framing{})
	}
	for _, rt := range r.Routers {
		d.Link.PPPoE = d.Link.PPPoE || rt.PPPoE
	}
	for i := range r.Timeline {
		if i >= len(d.Timeline) {
			break
		}
		e := &r.Timeline[i]
		switch {
		case e.DHCP != nil:
			d.Timeline[i].ServerID = e.DHCP.ServerID.String()
			d.Timeline[i].Detail = dhcpDetail(e.DHCP)
		case e.RA != nil:
			d.Timeline[i].Detail = raDetail(e.RA)
		}
	}
	d.DHCPv6.SolicitShapes = solicitShapes(r)
	d.DHCPv6.StatusCodes = statusCodes(r)
	for i := range d.RA.Routers {
		if i < len(r.Routers) {
			d.RA.Routers[i].Interval = raInterval(r, r.Routers[i].Source)
		}
	}
	d.Clock = checkClock(run, r)
	d.Verdict.ForISP = ispParagraph(d, r)
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
	client := directionOfType(m.Type) == diag.DirectionOut
	if m.Preference != nil {
		add("preference %d", *m.Preference)
	}
	if m.Status != nil {
		add("status %s", m.Status)
	}
	for _, ia := range m.IANA {
		add("IA_NA %s%s", iaid(ia.IAID), iaBody(ia, client, false))
	}
	for _, ia := range m.IATA {
		add("IA_TA %s%s", iaid(ia.IAID), iaBody(ia, client, false))
	}
	for _, ia := range m.IAPD {
		add("IA_PD %s%s", iaid(ia.IAID), iaBody(ia, client, true))
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

func directionOfType(t dhcpv6.MessageType) diag.Direction {
	if t.TowardClient() {
		return diag.DirectionIn
	}
	return diag.DirectionOut
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

// solicitShapes groups the client's Solicits by what they asked for.
func solicitShapes(r *diag.Result) []jsonSolicitShape {
	shapes := []jsonSolicitShape{}
	for _, e := range r.Timeline {
		m := e.DHCP
		if m == nil || m.Type != dhcpv6.MessageTypeSolicit || len(r.Client.DUID) == 0 || !r.Client.DUID.Equal(m.ClientID) {
			continue
		}
		s := jsonSolicitShape{IANA: []string{}, IAPD: []jsonIAPDAsk{}, RapidCommit: m.RapidCommit, ReconfigureAccept: m.ReconfigureAccept,
			RequestedOptions: []int{}, Options: []int{}}
		var sum []string
		for _, ia := range m.IANA {
			s.IANA = append(s.IANA, iaid(ia.IAID))
			sum = append(sum, "IA_NA "+iaid(ia.IAID))
		}
		for _, ia := range m.IAPD {
			ask := jsonIAPDAsk{IAID: iaid(ia.IAID)}
			for _, p := range ia.Prefixes {
				ask.Hint = p.Prefix.Bits()
			}
			s.IAPD = append(s.IAPD, ask)
			if ask.Hint > 0 {
				sum = append(sum, fmt.Sprintf("IA_PD %s with a /%d hint", ask.IAID, ask.Hint))
			} else {
				sum = append(sum, fmt.Sprintf("IA_PD %s without a hint", ask.IAID))
			}
		}
		if len(m.IANA)+len(m.IAPD) == 0 {
			sum = append(sum, "no IA")
		}
		if m.RapidCommit {
			sum = append(sum, "Rapid Commit")
		}
		if m.ReconfigureAccept {
			sum = append(sum, "Reconfigure Accept")
		}
		for _, c := range m.RequestedOptions {
			s.RequestedOptions = append(s.RequestedOptions, int(c))
		}
		if len(m.RequestedOptions) > 0 {
			sum = append(sum, "ORO ["+optionList(m.RequestedOptions)+"]")
		}
		for _, c := range m.OptionCodes {
			s.Options = append(s.Options, int(c))
		}
		sum = append(sum, "options ["+optionList(m.OptionCodes)+"]")
		s.Summary = strings.Join(sum, "; ")
		found := false
		for i := range shapes {
			if shapes[i].Summary == s.Summary {
				shapes[i].Frames = append(shapes[i].Frames, e.Frame)
				found = true
				break
			}
		}
		if !found {
			s.Frames = []int{e.Frame}
			shapes = append(shapes, s)
		}
	}
	return shapes
}

// statusCodes lists every Status Code option servers sent, at every level.
func statusCodes(r *diag.Result) []jsonStatusCode {
	out := []jsonStatusCode{}
	for _, e := range r.Timeline {
		m := e.DHCP
		if m == nil || e.Direction != diag.DirectionIn {
			continue
		}
		add := func(where string, s *dhcpv6.Status) {
			if s != nil {
				out = append(out, jsonStatusCode{Frame: e.Frame, Message: m.Type.String(), Where: where, Code: int(s.Code), Name: s.Name(), Text: s.Message})
			}
		}
		add("message", m.Status)
		for _, kind := range []struct {
			name string
			ias  []dhcpv6.IA
		}{{"IA_NA", m.IANA}, {"IA_TA", m.IATA}, {"IA_PD", m.IAPD}} {
			for _, ia := range kind.ias {
				add(kind.name+" "+iaid(ia.IAID), ia.Status)
				for _, a := range ia.Addresses {
					add(a.Address.String(), a.Status)
				}
				for _, p := range ia.Prefixes {
					add(p.Prefix.String(), p.Status)
				}
			}
		}
	}
	return out
}

// raInterval is the median gap between a router's accepted RAs.
func raInterval(r *diag.Result, src netip.Addr) *float64 {
	var at []time.Duration
	for _, e := range r.Timeline {
		if e.Kind == diag.KindRouterAdvertisement && e.RA != nil && e.Source == src && e.Ignored == "" {
			at = append(at, e.Offset)
		}
	}
	if len(at) < 2 {
		return nil
	}
	gaps := make([]float64, 0, len(at)-1)
	for i := 1; i < len(at); i++ {
		gaps = append(gaps, (at[i] - at[i-1]).Seconds())
	}
	// sort.Slice shares one implementation with the binary's other sorts.
	sort.Slice(gaps, func(i, j int) bool { return gaps[i] < gaps[j] })
	m := gaps[len(gaps)/2]
	if len(gaps)%2 == 0 {
		m = (gaps[len(gaps)/2-1] + gaps[len(gaps)/2]) / 2
	}
	m = float64(time.Duration(m * float64(time.Second)).Round(time.Millisecond).Seconds())
	return &m
}

// duidEpoch is where DUID-LLT time counts from (RFC 8415 §11.2).
var duidEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// checkClock looks for plain evidence that the clock that stamped the
// capture was wrong: a live capture dated before the router's kernel or
// this binary was built, or any capture dated before a server created its
// DUID-LLT (which holds the server's time of creation). It gives a lower
// bound, never a guess.
func checkClock(run Run, r *diag.Result) jsonClock {
	c := jsonClock{Zone: "UTC"}
	first := r.Stats.First
	if first.IsZero() {
		first = run.Started
	}
	if first.IsZero() {
		return c
	}
	type evidence struct {
		at   time.Time
		what string
	}
	// Pointers, so the sort shares the pointer-shaped code already in the
	// binary (a struct-shaped instantiation cost 11 KB on mips).
	var ev []*evidence
	live := strings.HasPrefix(run.Mode, "run")
	if live && run.Host != nil && !run.Host.KernelBuilt.IsZero() {
		ev = append(ev, &evidence{run.Host.KernelBuilt, "the router's kernel was built"})
	}
	if live && !run.Built.IsZero() {
		ev = append(ev, &evidence{run.Built, "this v6diag was built"})
	}
	seen := map[string]bool{}
	for _, s := range r.Servers {
		id := s.ServerID
		if id.Type() != dhcpv6.DUIDTypeLLT || len(id) < 8 || seen[id.String()] {
			continue
		}
		seen[id.String()] = true
		at := duidEpoch.Add(time.Duration(binary.BigEndian.Uint32(id[4:8])) * time.Second)
		ev = append(ev, &evidence{at, "a DHCPv6 server created its DUID-LLT (by the server's clock)"})
	}
	slices.SortFunc(ev, func(a, b *evidence) int { return b.at.Compare(a.at) })
	for _, e := range ev {
		if first.Before(e.at) {
			behind := e.at.Sub(first)
			c.Suspect = true
			c.BehindAtLeast = behind.Round(time.Second).Seconds()
			c.Note = fmt.Sprintf("The capture is dated %s, before %s (%s): the clock that stamped it is at least %s behind, so its times will not match the ISP's logs; set the router's clock (NTP) and run again.",
				first.UTC().Format(time.RFC3339), e.what, e.at.UTC().Format(time.RFC3339), roundHuman(behind))
			break
		}
	}
	return c
}

func roundHuman(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return d.Round(time.Second).String()
}

// maxSaid bounds the list of what the ISP side said in report.txt and
// report.md; report.json's timeline has every message's detail.
const maxSaid = 50

// said lists the messages from routers and servers with what each
// carried, at most maxSaid, and how many more there were.
func said(d Document) (lines []string, more int) {
	for _, e := range d.Timeline {
		if e.Direction != "in" || e.Detail == "" {
			continue
		}
		if len(lines) == maxSaid {
			more++
			continue
		}
		l := fmt.Sprintf("frame %d, %s from %s: %s", e.Frame, e.Kind, e.Source, e.Detail)
		if e.Ignored != "" {
			l += " (ignored: " + e.Ignored + ")"
		}
		lines = append(lines, l)
	}
	return lines, more
}
