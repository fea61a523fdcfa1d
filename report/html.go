package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/v6diag/v6diag/diag"
)

// report.html is written by plain code rather than html/template: the
// template package calls methods by reflection, which keeps the linker from
// dropping any exported method in the binary and cost about 1.5 MB of the
// 4.5 MB flash budget on mips (issue 4). Every value from the capture, the
// router or the config goes through esc; only the constant markup is raw.

// htmlPage accumulates the page.
type htmlPage struct{ strings.Builder }

// The writers are kept out of line: inlined at each of the few hundred
// call sites they cost about 70 KB on mips.

// s writes constant markup.
//
//go:noinline
func (p *htmlPage) s(parts ...string) {
	for _, x := range parts {
		p.WriteString(x)
	}
}

// t writes text or a double-quoted attribute value, escaped.
//
//go:noinline
func (p *htmlPage) t(x string) { p.WriteString(htmlEscape(x)) }

// n writes an integer.
//
//go:noinline
func (p *htmlPage) n(i int) { p.WriteString(strconv.Itoa(i)) }

// htmlEscape makes s safe in HTML text, in RCDATA (<title>) and in a
// double- or single-quoted attribute value. It escapes the same set as
// html/template did (& < > " ' + and NUL), so pages and goldens are
// unchanged; '+' is escaped because UTF-7 sniffing browsers once read
// "+ADw-" as '<'.
func htmlEscape(s string) string {
	i := strings.IndexAny(s, "&<>\"'+\x00")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		// Bytes of multi-byte UTF-8 sequences are all >= 0x80, so a
		// byte-wise scan never splits a rune.
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		case '+':
			b.WriteString("&#43;")
		case 0:
			b.WriteString("\uFFFD")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func gText(f float64) string { return fmt.Sprintf("%g", f) }

func secondsText(f float64) string { return fmt.Sprintf("%.3f", f) }

// WriteHTML writes report.html: one self-contained page (inline CSS and
// SVG, no scripts, no external assets) with the verdict, then the sections
// every report shows, the findings beside the ladder diagram of the
// exchange.
func WriteHTML(w io.Writer, d Document) error {
	var p htmlPage
	p.head(d)
	for _, bl := range sections(d) {
		bl.html(&p)
	}
	p.footer(d)
	if _, err := io.WriteString(w, p.String()); err != nil {
		return fmt.Errorf("report: write html: %w", err)
	}
	return nil
}

func (p *htmlPage) head(d Document) {
	p.s("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>v6diag: ")
	p.t(string(d.Verdict.Code))
	p.s("</title>\n", htmlStyle, "</head>\n<body>\n<main>\n<h1>v6diag report</h1>\n")
	if rl := routerClientLines(d); rl.Client != "" {
		p.s("<section class=\"router-client\" id=\"router-client\">\n<h2>Your router's DHCPv6 client</h2>\n<p><code>")
		p.t(rl.Client)
		p.s("</code></p>\n<p>It gets: <strong>")
		p.t(rl.Gets)
		p.s("</strong></p>\n<p>")
		p.t(rl.Why)
		p.s("</p>\n")
		if rl.Suggestion != "" {
			p.s("<p>")
			p.t(rl.Suggestion)
			p.s("</p>\n")
		}
		for _, n := range rl.Notes {
			p.s("<p class=\"note\">")
			p.t(n)
			p.s("</p>\n")
		}
		p.s("</section>\n")
	}
	p.s("<section class=\"verdict")
	if d.Verdict.Code == diag.CodeOK {
		p.s(" ok")
	}
	p.s("\" id=\"verdict\">\n<p>Verdict: <span class=\"code\">")
	p.t(string(d.Verdict.Code))
	p.s("</span></p>\n<p><strong>")
	p.t(d.Verdict.Summary)
	p.s("</strong></p>\n<p>Who must act: <strong>")
	p.t(string(d.Verdict.WhoMustAct))
	p.s("</strong></p>\n</section>\n")
	if d.Verdict.ForISP != "" {
		p.s("<h2>For the ISP's support staff</h2>\n<p class=\"isp\" id=\"for-isp\">")
		p.t(d.Verdict.ForISP)
		p.s("</p>")
	}
	p.s("\n\n")
}

// exchange writes the ladder diagram and the findings beside it.
func (p *htmlPage) exchange(d Document) {
	l := newLadder(d)
	p.s("<div class=\"layout\">\n<section>\n<h2>Exchange</h2>\n<p class=\"note\">Client on the left; each arrow is one message ",
		"with its frame number in capture.pcapng and its time since the first frame. Dashed red arrows ending in ✕ got no answer; ",
		"grey dashed arrows were ignored by the client.")
	if l.Shown < l.Total {
		p.s(" <strong id=\"ladder-capped\">The diagram shows the first ")
		p.n(l.Shown)
		p.s(" of ")
		p.n(l.Total)
		p.s(" messages; the timeline below and report.json list more.</strong>")
	}
	p.s("</p>\n<div class=\"diagram\">\n<svg id=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
	p.n(l.Width)
	p.s(" ")
	p.n(l.Height)
	p.s("\" role=\"img\" aria-label=\"Message sequence diagram\">\n<defs>\n")
	for _, m := range [...]struct{ id, fill string }{{"out", "#1f5fa8"}, {"in", "#1b6e2c"}, {"ignored", "#8a8f96"}} {
		p.s("<marker id=\"head-", m.id, "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" ",
			"orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"", m.fill, "\"/></marker>\n")
	}
	p.s("</defs>\n<text class=\"gut\" x=\"8\" y=\"22\">frame · time</text>\n")
	for _, c := range l.Columns {
		p.s("<g class=\"column")
		if c.Placeholder {
			p.s(" placeholder")
		}
		p.s("\">\n<text class=\"head\" x=\"")
		p.n(c.X)
		p.s("\" y=\"22\" text-anchor=\"middle\">")
		p.t(c.Title)
		p.s("</text>\n<text class=\"headsub\" x=\"")
		p.n(c.X)
		p.s("\" y=\"40\" text-anchor=\"middle\">")
		p.t(c.Sub)
		p.s("</text>\n<line class=\"lifeline\" x1=\"")
		p.n(c.X)
		p.s("\" y1=\"50\" x2=\"")
		p.n(c.X)
		p.s("\" y2=\"")
		p.n(l.Height)
		p.s("\"/>\n</g>\n")
	}
	for _, a := range l.Arrows {
		p.arrow(a)
	}
	p.s("</svg>\n</div>\n</section>\n<section>\n<h2>Findings</h2>\n<ul class=\"findings\" id=\"findings\">\n")
	for _, f := range d.Findings {
		p.s("<li class=\"")
		p.t(string(f.Severity))
		p.s("\"><span class=\"sev\">")
		p.t(string(f.Severity))
		p.s("</span><code>")
		p.t(f.ID)
		p.s("</code><br>")
		p.t(f.Summary)
		p.s("\n")
		if f.ForISP != "" {
			p.s("<br><em>For the ISP:</em> ")
			p.t(f.ForISP)
		}
		p.s("\n<div class=\"meta\">")
		if len(f.Frames) > 0 {
			p.s("frames ")
			p.t(frameList(f.Frames))
		}
		if f.RFC != "" {
			p.s(" · ")
			p.t(f.RFC)
		}
		p.s("</div></li>\n")
	}
	p.s("</ul>\n</section>\n</div>\n\n")
}

func (p *htmlPage) arrow(a ladderArrow) {
	p.s("<g class=\"arrow ")
	p.t(a.Class)
	p.s("\" data-frame=\"")
	p.n(a.Frame)
	p.s("\"><title>")
	p.t(a.Title)
	p.s("</title>\n<text class=\"gut\" x=\"8\" y=\"")
	p.n(a.Y)
	p.s("\">")
	p.t(a.Meta)
	p.s("</text>\n<line x1=\"")
	p.n(a.X1)
	p.s("\" y1=\"")
	p.n(a.Y)
	p.s("\" x2=\"")
	p.n(a.X2)
	p.s("\" y2=\"")
	p.n(a.Y)
	p.s("\"")
	switch {
	case a.CrossX != 0:
	case a.Class == "in ignored":
		p.s(" marker-end=\"url(#head-ignored)\"")
	case a.Class == "in":
		p.s(" marker-end=\"url(#head-in)\"")
	default:
		p.s(" marker-end=\"url(#head-out)\"")
	}
	p.s("/>\n")
	if a.CrossX != 0 {
		p.s("<path class=\"cross\" d=\"M")
		p.n(a.CrossX - 7)
		p.s(",")
		p.n(a.Y - 7)
		p.s(" l14,14 M")
		p.n(a.CrossX - 7)
		p.s(",")
		p.n(a.Y + 7)
		p.s(" l14,-14\"/>")
	}
	p.s("\n<text class=\"lbl\" x=\"")
	p.n(a.LabelX)
	p.s("\" y=\"")
	p.n(a.Y - 7)
	p.s("\" text-anchor=\"middle\">")
	p.t(a.Label)
	p.s("</text>\n")
	if a.Extra != "" {
		p.s("<text class=\"extra\" x=\"")
		p.n(a.LabelX)
		p.s("\" y=\"")
		p.n(a.Y + 15)
		p.s("\" text-anchor=\"middle\">")
		p.t(a.Extra)
		p.s("</text>")
	}
	p.s("\n</g>\n")
}

func (p *htmlPage) code(s string) {
	p.s("<code>")
	p.t(s)
	p.s("</code>")
}

// footer ends the page with what wrote it.
func (p *htmlPage) footer(d Document) {
	p.s("<p class=\"meta\">")
	p.t(d.Tool)
	p.s(" ")
	p.t(d.Version)
	p.s(" · report schema ")
	p.n(d.Schema)
	p.s("</p>\n</main>\n</body>\n</html>\n")
}
