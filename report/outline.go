package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The outline of a report: sections of paragraphs, lists and tables
// (sections, in sections.go, lists them in order), built once from the
// Document, so that which sections and rows a report shows, and in which
// order, is decided in one place; report.txt, report.md and report.html
// each only render it (the text, md and html methods).

// spanKind says how a piece of text is set.
type spanKind uint8

const (
	plain  spanKind = iota
	code            // an identifier (an address, a DUID, a prefix), then tail as text
	quoted          // text, then tail (text a server wrote) quoted, if any
	alert           // a warning word set strong, then tail as text
)

// span is a table cell or a piece of a paragraph. One span per cell keeps
// the rows flat: nested slices cost several KB of the mips binary.
type span struct {
	kind    spanKind
	s, tail string
}

func txt(s string) span { return span{plain, s, ""} }

// cd sets s as code; an empty s (no xid) is nothing, not an empty span.
func cd(s string) span {
	if s == "" {
		return txt("")
	}
	return span{code, s, ""}
}

// codes is a comma-separated list of code spans.
func codes(ss []string) []span {
	var out []span
	for i, s := range ss {
		if i > 0 {
			out = append(out, txt(", "))
		}
		out = append(out, cd(s))
	}
	return out
}

// block is a paragraph, a list or a table of a section.
type block interface {
	text(b *strings.Builder)
	md(b *strings.Builder)
	html(p *htmlPage)
}

// para is a paragraph; an empty one is left out.
type para []span

// table is a table with a heading; with no rows, empty is said instead
// ("" says nothing).
type table struct {
	heading string
	columns []string
	rows    [][]span
	empty   string
	// id names the HTML table.
	id string
	// listing lays the table out as aligned text in report.txt and
	// report.md however wide: a table too long to read row by row as
	// prose (the timeline).
	listing bool
	// best is the row (from 1) HTML marks as the best; 0 for none.
	best int
}

// section is a titled part of the report.
type section struct {
	title  string
	blocks []block
}

func (s section) text(b *strings.Builder) {
	b.WriteString("\n" + s.title + ":\n")
	for _, bl := range s.blocks {
		bl.text(b)
	}
}

func (s section) md(b *strings.Builder) {
	b.WriteString("## " + s.title + "\n\n")
	for _, bl := range s.blocks {
		bl.md(b)
	}
}

func (s section) html(p *htmlPage) {
	p.s("<h2>", s.title, "</h2>\n")
	for _, bl := range s.blocks {
		bl.html(p)
	}
	p.s("\n")
}

// plainText is spans as report.txt shows them.
func plainText(xs []span) string {
	var b strings.Builder
	for _, x := range xs {
		b.WriteString(x.s)
		switch {
		case x.kind == quoted && x.tail != "":
			b.WriteString(" " + strconv.Quote(x.tail))
		case x.kind == alert:
			b.WriteString(" " + x.tail)
		default:
			b.WriteString(x.tail)
		}
	}
	return b.String()
}

// mdSpan writes a span as markdown, safe inside a table cell.
func mdSpan(b *strings.Builder, x span) {
	switch {
	case x.kind == code:
		b.WriteString("`" + mdCode(x.s) + "`" + mdText(x.tail))
	case x.kind == quoted && x.tail != "":
		b.WriteString(mdText(x.s + " " + strconv.Quote(x.tail)))
	case x.kind == alert:
		b.WriteString("**" + mdText(x.s) + "** " + mdText(x.tail))
	default:
		b.WriteString(mdText(x.s))
	}
}

// span writes a span as HTML.
func (p *htmlPage) span(x span) {
	switch {
	case x.kind == code:
		p.code(x.s)
		p.t(x.tail)
	case x.kind == quoted && x.tail != "":
		p.t(x.s)
		p.s(" “")
		p.t(x.tail)
		p.s("”")
	case x.kind == alert:
		// The class the clock row has always had: the one alert there is.
		p.s("<span class=\"clock-suspect\">")
		p.t(x.s + " " + x.tail)
		p.s("</span>")
	default:
		p.t(x.s)
	}
}

func (x para) text(b *strings.Builder) {
	if len(x) > 0 {
		b.WriteString(wrap(plainText(x), "  ", "  ", textWidth))
	}
}

func (x para) md(b *strings.Builder) {
	if len(x) > 0 {
		for _, sp := range x {
			mdSpan(b, sp)
		}
		b.WriteString("\n\n")
	}
}

func (x para) html(p *htmlPage) {
	if len(x) > 0 {
		p.s("<p>")
		for _, sp := range x {
			p.span(sp)
		}
		p.s("</p>")
	}
	p.s("\n")
}

// text lays the table out in aligned columns when they fit textWidth, and
// otherwise as one wrapped line per row, each cell named by its column.
func (t table) text(b *strings.Builder) {
	if len(t.rows) == 0 {
		if t.empty != "" {
			para{txt(t.empty)}.text(b)
		}
		return
	}
	indent := "  "
	if t.heading != "" {
		b.WriteString("  " + t.heading + ":\n")
		indent = "    "
	}
	rows := [][]string{append([]string(nil), t.columns...)}
	var lines strings.Builder
	for _, row := range t.rows {
		cells := make([]string, len(row))
		var line []string
		for i, c := range row {
			cells[i] = plainText([]span{c})
			if t.columns[i] != "" {
				line = append(line, t.columns[i]+": "+cells[i])
			} else {
				line = append(line, cells[i])
			}
		}
		rows = append(rows, cells)
		lines.WriteString(wrap(strings.Join(line, "; "), indent+"- ", indent+"  ", textWidth))
	}
	for _, r := range rows {
		r[0] = indent + r[0]
	}
	aligned := alignColumns(rows)
	for _, l := range strings.Split(aligned, "\n") {
		if utf8.RuneCountInString(l) > textWidth && !t.listing {
			aligned = lines.String()
			break
		}
	}
	b.WriteString(aligned)
}

func (t table) md(b *strings.Builder) {
	if len(t.rows) == 0 {
		if t.empty != "" {
			b.WriteString(mdText(t.empty) + "\n\n")
		}
		return
	}
	if t.heading != "" {
		b.WriteString("### " + t.heading + "\n\n")
	}
	if t.listing {
		b.WriteString("```text\n")
		t.text(b)
		b.WriteString("```\n\n")
		return
	}
	b.WriteString("|")
	for _, c := range t.columns {
		if c != "" {
			b.WriteString(" " + c)
		}
		b.WriteString(" |")
	}
	b.WriteString("\n|" + strings.Repeat("---|", len(t.columns)) + "\n")
	for _, row := range t.rows {
		b.WriteString("|")
		for _, c := range row {
			b.WriteString(" ")
			mdSpan(b, c)
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func (t table) html(p *htmlPage) {
	switch {
	case len(t.rows) == 0 && t.empty != "":
		p.s("<p>")
		p.t(t.empty)
		p.s("</p>")
	case len(t.rows) > 0:
		if t.heading != "" {
			p.s("<h3>", t.heading, "</h3>\n")
		}
		p.s("<table")
		if t.id != "" {
			p.s(" id=\"", t.id, "\"")
		}
		p.s("><tr>")
		for _, c := range t.columns {
			p.s("<th>", c, "</th>")
		}
		p.s("</tr>\n")
		for i, row := range t.rows {
			p.s("<tr")
			if i+1 == t.best {
				p.s(" class=\"best\"")
			}
			p.s(">")
			for _, c := range row {
				p.s("<td>")
				p.span(c)
				p.s("</td>")
			}
			p.s("</tr>\n")
		}
		p.s("</table>")
	}
	p.s("\n")
}

// dhcpv6Section is the DHCPv6 part of every report: what the
// client sent, the Solicits' shapes, the servers, their status codes, the
// leases and the DNS servers.
func dhcpv6Section(d Document) section {
	x := d.DHCPv6
	s := section{title: "DHCPv6", blocks: []block{
		para{txt(fmt.Sprintf("%d Solicit, %d Request, %d Release sent.", x.Solicits, x.Requests, x.Releases))},
		shapesTable(x), serversTable(x), statusTable(x), leasesTable(x),
	}}
	var dns para
	if len(x.DNS) > 0 {
		dns = append(para{txt("DNS servers (option 23): ")}, codes(x.DNS)...)
	}
	s.blocks = append(s.blocks, dns)
	return s
}

func shapesTable(x jsonDHCPv6) table {
	t := table{heading: "What the Solicits asked for", columns: []string{"Frames", "IAs, hints and options"}}
	for _, s := range x.SolicitShapes {
		t.rows = append(t.rows, []span{txt(frameList(s.Frames)), txt(s.Summary)})
	}
	return t
}

func serversTable(x jsonDHCPv6) table {
	t := table{heading: "Servers that answered", columns: []string{"Address", "MAC", "Server ID", "Preference", "Answered in", "Frames"},
		empty: "No DHCPv6 server answered."}
	for _, s := range x.Servers {
		t.rows = append(t.rows, []span{cd(s.Address), cd(dash(s.SourceMAC)), {code, s.ServerID, " (" + s.DUIDType + ")"},
			txt(prefString(s.Preference)), txt(secondsText(s.Latency) + " s"), txt(frameList(s.Frames))})
	}
	return t
}

func statusTable(x jsonDHCPv6) table {
	t := table{heading: "Status codes received", columns: []string{"Frame", "Message", "For", "Status"}}
	for _, s := range x.StatusCodes {
		t.rows = append(t.rows, []span{txt(strconv.Itoa(s.Frame)), txt(s.Message), cd(s.Where),
			{quoted, fmt.Sprintf("%s (%d)", s.Name, s.Code), s.Text}})
	}
	return t
}

func leasesTable(x jsonDHCPv6) table {
	t := table{heading: "Leases", columns: []string{"", "Prefix / address", "IAID", "T1", "T2", "Preferred", "Valid", "Confirmed", "Frame"}}
	for _, l := range x.DelegatedPrefixes {
		t.rows = append(t.rows, leaseRow("delegated prefix", l))
	}
	for _, l := range x.Addresses {
		t.rows = append(t.rows, leaseRow("address", l))
	}
	return t
}

func leaseRow(what string, l jsonLease) []span {
	return []span{txt(what), cd(l.Prefix), txt(l.IAID), txt(gText(l.T1) + "s"), txt(gText(l.T2) + "s"),
		txt(gText(l.PreferredLifetime) + "s"), txt(gText(l.ValidLifetime) + "s"), txt(boolText(l.Confirmed)), txt(strconv.Itoa(l.Frame))}
}

// clientSeen says whether every report shows the row of the client as the
// capture saw it: when the capture shows its MAC or link-local address, in
// every mode. (A live run shows it beside the interface's own facts, which
// it may contradict; a row of two dashes would say nothing.)
func clientSeen(d Document) bool {
	return d.Link.ClientMAC != "" || d.Link.ClientLinkLocal != ""
}

// pppoe says whether the reports call the link PPPoE: the capture saw a
// PPPoE session, or the WAN interface is a PPP link.
func pppoe(d Document) bool {
	return d.Link.PPPoE || (d.Interface != nil && d.Interface.PPPoE)
}
