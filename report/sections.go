package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// kv is a table of named facts: each row is the name, then the spans of
// its value. Rows are flat (name first) for the same reason spans are.
type kv [][]span

// row adds a fact.
func (x *kv) row(name string, value ...span) {
	*x = append(*x, append([]span{txt(name)}, value...))
}

// text is one aligned "name: value" line per fact, wrapped at textWidth with
// the continuation lines under the value.
func (x kv) text(b *strings.Builder) {
	w := 0
	for _, r := range x {
		w = max(w, utf8.RuneCountInString(r[0].s))
	}
	for _, r := range x {
		first := "  " + r[0].s + ":" + strings.Repeat(" ", w-utf8.RuneCountInString(r[0].s)+1)
		b.WriteString(wrap(plainText(r[1:]), first, strings.Repeat(" ", w+4), textWidth))
	}
}

func (x kv) md(b *strings.Builder) {
	b.WriteString("| | |\n|---|---|\n")
	for _, r := range x {
		b.WriteString("| " + mdText(r[0].s) + " | ")
		for _, sp := range r[1:] {
			mdSpan(b, sp)
		}
		b.WriteString(" |\n")
	}
	b.WriteString("\n")
}

func (x kv) html(p *htmlPage) {
	p.s("<table class=\"kv\">\n")
	for _, r := range x {
		p.s("<tr><th>")
		p.t(r[0].s)
		p.s("</th><td>")
		for _, sp := range r[1:] {
			p.span(sp)
		}
		p.s("</td></tr>\n")
	}
	p.s("</table>\n")
}

// list is a bulleted list, one item's spans each; an empty one is left out.
type list [][]span

func (x list) text(b *strings.Builder) {
	for _, it := range x {
		b.WriteString(wrap(plainText(it), "  - ", "    ", textWidth))
	}
}

func (x list) md(b *strings.Builder) {
	for _, it := range x {
		b.WriteString("- ")
		for _, sp := range it {
			mdSpan(b, sp)
		}
		b.WriteString("\n")
	}
	if len(x) > 0 {
		b.WriteString("\n")
	}
}

func (x list) html(p *htmlPage) {
	if len(x) > 0 {
		p.s("<ul>")
		for _, it := range x {
			p.s("<li>")
			for _, sp := range it {
				p.span(sp)
			}
			p.s("</li>")
		}
		p.s("</ul>\n")
	}
}

// factSections are the sections of facts every report shows, in the order
// each shows them: when, which router, its WAN interface, DHCPv6 and the
// Router Advertisements.
func factSections(d Document) []section {
	ss := []section{whenSection(d)}
	if d.Router != nil {
		ss = append(ss, routerSection(d.Router))
	}
	return append(ss, wanSection(d), dhcpv6Section(d), routersSection(d))
}

func whenSection(d Document) section {
	var x kv
	if d.Started != "" {
		x.row("Run started", txt(fmt.Sprintf("%s (%s s, %s)", d.Started, secondsText(d.Duration), d.Mode)))
	}
	x.row("Capture", txt(fmt.Sprintf("%s – %s; %d frames, %d control messages", dash(d.Capture.First), dash(d.Capture.Last),
		d.Capture.Frames, d.Capture.ControlFrames)))
	if d.Source != "" {
		x.row("Capture file", txt(d.Source))
	}
	clock := txt("no sign of a wrong clock")
	if d.Clock.Suspect {
		clock = span{alert, "suspect:", d.Clock.Note}
	}
	x.row("Clock", clock)
	return section{"When", []block{para{txt("All times are UTC.")}, x}}
}

func routerSection(h *jsonHost) section {
	var x kv
	for _, f := range [...][2]string{{"Model", h.Model}, {"Board", h.BoardName}, {"OpenWrt", h.Release}, {"Target", h.Target},
		{"Architecture", h.Arch}, {"Kernel", h.Kernel}, {"Kernel built", h.KernelBuilt}} {
		if f[1] != "" {
			x.row(f[0], txt(f[1]))
		}
	}
	return section{"Router", []block{x}}
}

func wanSection(d Document) section {
	var x kv
	if i := d.Interface; i != nil {
		x.row("Name", span{code, i.Name, " (" + i.LinkType + ", facts from " + i.Source + ")"})
		x.row("MAC", cd(dash(i.MAC)))
		x.row("Link-local", cd(dash(i.LinkLocal)))
		x.row("MTU", txt(strconv.Itoa(i.MTU)))
		x.row("Carrier", txt(boolText(i.Carrier)))
		if v := i.VLAN; v != nil {
			x.row("VLAN", txt(fmt.Sprintf("id %d, priority %d, on ", v.ID, v.Priority)), cd(v.Parent))
		}
	}
	if clientSeen(d) {
		x.row("Client in the capture", txt("MAC "), span{code, dash(d.Link.ClientMAC), ", link-local "}, cd(dash(d.Link.ClientLinkLocal)))
	}
	x.row("Framing in the capture", txt("client: "+framingText(d.Link.ClientFraming)+"; ISP: "+framingText(d.Link.ISPFraming)))
	x.row("PPPoE", txt(yesNo(pppoe(d))))
	if u := d.DUID; u != nil {
		x.row("DUID", span{code, u.Hex, " (" + u.Type + ")"})
		iaids := codes(u.IAIDs)
		if len(iaids) == 0 {
			iaids = []span{txt("-")}
		}
		x.row("IAIDs", iaids...)
	}
	if d.Port546 != "" {
		x.row("UDP port 546", txt(d.Port546))
	}
	return section{"WAN interface", []block{x}}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// routersSection is the Router Advertisements heard: one row per router,
// then each router's options.
func routersSection(d Document) section {
	t := table{columns: []string{"Router", "MAC", "M", "O", "Router lifetime", "Preference", "Interval", "RAs", "Frames"},
		empty: "No Router Advertisement was seen."}
	var opts list
	for _, r := range d.RA.Routers {
		t.rows = append(t.rows, []span{cd(r.Source), cd(dash(r.SourceMAC)), txt(strconv.Itoa(b2i(r.Managed))),
			txt(strconv.Itoa(b2i(r.Other))), txt(gText(r.RouterLifetime) + "s"), txt(r.Preference), txt(intervalString(r.Interval)),
			txt(strconv.Itoa(r.Advertisements)), txt(frameList(r.Frames))})
		if o := routerOptions(r); len(o) > 0 {
			opts = append(opts, append([]span{{code, r.Source, ": "}}, o...))
		}
	}
	return section{"Routers", []block{t, opts}}
}

// routerOptions is what a router's advertisements carried besides flags:
// prefixes, DNS servers and domains, MTU, separated by semicolons.
func routerOptions(r jsonRouter) []span {
	var o []span
	sep := func() {
		if len(o) > 0 {
			o = append(o, txt("; "))
		}
	}
	for _, px := range r.Prefixes {
		sep()
		o = append(o, txt("prefix "), span{code, px.Prefix, fmt.Sprintf(" L=%d A=%d valid %gs preferred %gs",
			b2i(px.OnLink), b2i(px.Autonomous), px.ValidLifetime, px.PreferredLifetime)})
	}
	for _, opt := range [...]struct {
		name string
		vals []string
	}{{"RDNSS ", r.RDNSS}, {"DNSSL ", r.DNSSL}} {
		if len(opt.vals) > 0 {
			sep()
			o = append(o, txt(opt.name))
			o = append(o, codes(opt.vals)...)
		}
	}
	if r.MTU > 0 {
		sep()
		o = append(o, txt(fmt.Sprintf("MTU %d", r.MTU)))
	}
	return o
}

// notesSection is what the run noted about its inputs (which interface,
// which config), last in every report; none when there are none.
func notesSection(d Document) optional {
	var x list
	for _, n := range d.Notes {
		x = append(x, []span{txt(n)})
	}
	return optional{len(x) > 0, section{"Notes", []block{x}}}
}

// optional is a section shown only when it has something to say.
type optional struct {
	show bool
	section
}

func (o optional) text(b *strings.Builder) {
	if o.show {
		o.section.text(b)
	}
}

func (o optional) md(b *strings.Builder) {
	if o.show {
		o.section.md(b)
	}
}

func (o optional) html(p *htmlPage) {
	if o.show {
		o.section.html(p)
	}
}

// maxTimeline bounds the timeline in every report: forum posts and tickets
// have length limits; report.json and the pcapng hold everything.
const maxTimeline = 200

// sections are every part of a report after its verdict, in the one order
// all three formats show them: the findings that explain the verdict, the
// attempts, the facts, the router's own state, what the routers and
// servers said, the timeline and the notes.
func sections(d Document) []block {
	bs := []block{
		own{d, findingsText, findingsMarkdown, (*htmlPage).exchange},
		attemptsSection(d),
	}
	for _, s := range factSections(d) {
		bs = append(bs, s)
	}
	return append(bs, own{d, writeRouterStateText, writeRouterStateMarkdown, (*htmlPage).routerState},
		saidSection(d), timelineSection(d), notesSection(d))
}

// own is a part each format lays out in its own way (HTML draws the
// findings beside its diagram of the exchange); where it goes in the
// report is still decided by sections.
type own struct {
	d     Document
	toTxt func(*strings.Builder, Document)
	toMd  func(*strings.Builder, Document)
	toHTM func(*htmlPage, Document)
}

func (o own) text(b *strings.Builder) { o.toTxt(b, o.d) }
func (o own) md(b *strings.Builder)   { o.toMd(b, o.d) }
func (o own) html(p *htmlPage)        { o.toHTM(p, o.d) }

// saidSection lists what each message from a router or server carried.
func saidSection(d Document) optional {
	lines, more := said(d)
	var x list
	for _, l := range lines {
		x = append(x, []span{txt(l)})
	}
	if more > 0 {
		x = append(x, []span{txt(fmt.Sprintf("… %d more in report.json", more))})
	}
	return optional{len(x) > 0, section{"What the routers and servers said", []block{x}}}
}

// timelineSection is every control message, at most maxTimeline, one row
// each.
func timelineSection(d Document) section {
	intro := fmt.Sprintf("%d control messages of %d frames", len(d.Timeline), d.Capture.Frames)
	if n := len(d.Timeline); n > maxTimeline {
		intro += fmt.Sprintf("; the first %d are listed, report.json holds all", maxTimeline)
	}
	t := table{columns: []string{"Frame", "+s", "Dir", "Kind", "xid", "Source", "Destination", "Note"}, id: "timeline", listing: true}
	for i, e := range d.Timeline {
		if i == maxTimeline {
			break
		}
		note := e.Note
		if e.Ignored != "" {
			note = strings.TrimPrefix(note+"; ignored: "+e.Ignored, "; ")
		}
		t.rows = append(t.rows, []span{txt(strconv.Itoa(e.Frame)), txt(secondsText(e.Offset)), txt(string(e.Direction)),
			txt(string(e.Kind)), cd(e.TransactionID), cd(e.Source), cd(e.Destination), txt(note)})
	}
	return section{"Timeline", []block{
		para{txt(intro + ". Frame numbers are the ones Wireshark shows for "), cd("capture.pcapng"), txt(".")}, t}}
}
