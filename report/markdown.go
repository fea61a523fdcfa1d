package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/v6diag/v6diag/diag"
)

// WriteMarkdown writes report.md: headings, tables and code blocks that
// paste cleanly into a ticket, a GitHub issue or the OpenWrt forum.
func WriteMarkdown(w io.Writer, d Document) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# v6diag report: `%s`\n\n", d.Verdict.Code)
	if rl := routerClientLines(d); rl.Client != "" {
		p("## Your router's DHCPv6 client\n\n| | |\n|---|---|\n| Client | `%s` |\n| It gets | %s |\n| Why | %s |\n",
			mdCode(rl.Client), mdText(rl.Gets), mdText(rl.Why))
		if rl.Suggestion != "" {
			p("| A config that gets more | %s |\n", mdText(rl.Suggestion))
		}
		for _, n := range rl.Notes {
			p("| Note | %s |\n", mdText(n))
		}
		p("\n")
	}
	p("**Verdict:** %s  \n**Who must act:** %s\n\n", mdText(d.Verdict.Summary), mdText(string(d.Verdict.WhoMustAct)))
	if d.Verdict.ForISP != "" {
		p("## For the ISP's support staff\n\n> %s\n\n", mdText(d.Verdict.ForISP))
	}

	for _, bl := range sections(d) {
		bl.md(&b)
	}
	p("<sub>%s %s, report schema %d</sub>\n", d.Tool, mdText(d.Version), d.Schema)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: write markdown: %w", err)
	}
	return nil
}

// mdText makes free text safe inside a table cell or a paragraph: no
// newlines, no table pipes, no HTML, no accidental emphasis.
func mdText(s string) string {
	r := strings.NewReplacer("\r", " ", "\n", " ", "|", "\\|", "<", "&lt;", ">", "&gt;", "*", "\\*", "`", "'")
	return r.Replace(s)
}

// mdCode makes text safe inside a `code span` in a table cell.
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "|", "\\|", "\n", " ").Replace(s)
}

func severityMark(s diag.Severity) string {
	switch s {
	case diag.SeverityFail:
		return "❌ fail"
	case diag.SeverityWarn:
		return "⚠️ warn"
	case diag.SeverityPass:
		return "✅ pass"
	}
	return "ℹ️ " + string(s)
}

func prefString(p *int) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}

func intervalString(f *float64) string {
	if f == nil {
		return "-"
	}
	return trimFloat(*f) + "s"
}

// findingsMarkdown writes report.md's findings table.
func findingsMarkdown(b *strings.Builder, d Document) {
	b.WriteString("## Findings\n\n| Severity | Finding | Frames | RFC |\n|---|---|---|---|\n")
	for _, f := range d.Findings {
		text := mdText(f.Summary)
		if f.ForISP != "" {
			text += "<br>*For the ISP:* " + mdText(f.ForISP)
		}
		fmt.Fprintf(b, "| %s | **%s**: %s | %s | %s |\n", severityMark(f.Severity), f.ID, text, frameList(f.Frames), mdText(f.RFC))
	}
	b.WriteString("\n")
}
