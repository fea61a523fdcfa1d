package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/v6diag/v6diag/diag"
)

// maxMarkdownTimeline bounds the timeline in report.md: forum posts and
// tickets have length limits; report.json and the pcapng hold everything.
const maxMarkdownTimeline = 200

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

	p("## When\n\nAll times are UTC.\n\n| | |\n|---|---|\n")
	if d.Started != "" {
		p("| Run started | %s (%.3f s, %s) |\n", d.Started, d.Duration, mdText(d.Mode))
	}
	p("| Capture | %s – %s, %d frames, %d control messages |\n", dash(d.Capture.First), dash(d.Capture.Last), d.Capture.Frames, d.Capture.ControlFrames)
	if d.Clock.Suspect {
		p("| Clock | **suspect:** %s |\n", mdText(d.Clock.Note))
	} else {
		p("| Clock | no sign of a wrong clock |\n")
	}
	p("\n")

	if h := d.Router; h != nil {
		p("## Router\n\n| | |\n|---|---|\n")
		for _, kv := range [][2]string{{"Model", h.Model}, {"Board", h.BoardName}, {"OpenWrt", h.Release}, {"Target", h.Target},
			{"Architecture", h.Arch}, {"Kernel", h.Kernel}, {"Kernel built", h.KernelBuilt}} {
			if kv[1] != "" {
				p("| %s | %s |\n", kv[0], mdText(kv[1]))
			}
		}
		p("\n")
	}

	p("## WAN interface\n\n| | |\n|---|---|\n")
	if i := d.Interface; i != nil {
		p("| Name | `%s` (%s, facts from %s) |\n", mdCode(i.Name), mdText(i.LinkType), mdText(i.Source))
		p("| MAC | `%s` |\n| Link-local | `%s` |\n| MTU | %d |\n| Carrier | %v |\n", dash(i.MAC), dash(i.LinkLocal), i.MTU, i.Carrier)
		if v := i.VLAN; v != nil {
			p("| VLAN | id %d, priority %d, on `%s` |\n", v.ID, v.Priority, mdCode(v.Parent))
		}
	}
	if clientSeen(d) {
		p("| Client MAC (from the capture) | `%s` |\n| Client link-local | `%s` |\n", dash(d.Link.ClientMAC), dash(d.Link.ClientLinkLocal))
	}
	p("| PPPoE | %v |\n", pppoe(d))
	p("| Framing in the capture | client: %s; ISP: %s |\n", framingText(d.Link.ClientFraming), framingText(d.Link.ISPFraming))
	if d.DUID != nil {
		p("| DUID | `%s` (%s) |\n| IAIDs | %s |\n", d.DUID.Hex, d.DUID.Type, mdCodes(d.DUID.IAIDs))
	}
	if d.Port546 != "" {
		p("| UDP port 546 | %s |\n", mdText(d.Port546))
	}
	p("\n")

	dhcpv6Section(d).md(&b)

	p("## Routers\n\n")
	if len(d.RA.Routers) == 0 {
		p("No Router Advertisement was seen.\n\n")
	} else {
		p("| Router | MAC | M | O | Router lifetime | Preference | Interval | RAs | Frames |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, r := range d.RA.Routers {
			p("| `%s` | `%s` | %d | %d | %gs | %s | %s | %d | %s |\n", r.Source, dash(r.SourceMAC), b2i(r.Managed), b2i(r.Other),
				r.RouterLifetime, r.Preference, intervalString(r.Interval), r.Advertisements, frameList(r.Frames))
		}
		p("\n")
		for _, r := range d.RA.Routers {
			var opts []string
			for _, px := range r.Prefixes {
				opts = append(opts, fmt.Sprintf("prefix `%s` L=%d A=%d valid %gs preferred %gs", px.Prefix, b2i(px.OnLink), b2i(px.Autonomous), px.ValidLifetime, px.PreferredLifetime))
			}
			if len(r.RDNSS) > 0 {
				opts = append(opts, "RDNSS "+mdCodes(r.RDNSS))
			}
			if len(r.DNSSL) > 0 {
				opts = append(opts, "DNSSL "+mdCodes(r.DNSSL))
			}
			if r.MTU > 0 {
				opts = append(opts, fmt.Sprintf("MTU %d", r.MTU))
			}
			if len(opts) > 0 {
				p("- `%s`: %s\n", r.Source, strings.Join(opts, "; "))
			}
		}
		p("\n")
	}

	if lines, more := said(d); len(lines) > 0 {
		p("## What the routers and servers said\n\n")
		for _, l := range lines {
			p("- %s\n", mdText(l))
		}
		if more > 0 {
			p("- … %d more in report.json\n", more)
		}
		p("\n")
	}

	writeAttemptsMarkdown(&b, d)
	writeRouterStateMarkdown(&b, d)

	p("## Findings\n\n| Severity | Finding | Frames | RFC |\n|---|---|---|---|\n")
	for _, f := range d.Findings {
		text := mdText(f.Summary)
		if f.ForISP != "" {
			text += "<br>*For the ISP:* " + mdText(f.ForISP)
		}
		p("| %s | **%s**: %s | %s | %s |\n", severityMark(f.Severity), f.ID, text, frameList(f.Frames), mdText(f.RFC))
	}
	p("\n")

	p("## Timeline\n\nFrame numbers are the ones Wireshark shows for `capture.pcapng`.\n\n```text\n")
	p("%s", timelineText(d, maxMarkdownTimeline))
	p("```\n")
	if len(d.Notes) > 0 {
		p("\n## Notes\n\n")
		for _, n := range d.Notes {
			p("- %s\n", mdText(n))
		}
	}
	p("\n<sub>%s %s, report schema %d</sub>\n", d.Tool, mdText(d.Version), d.Schema)
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

func mdCodes(ss []string) string {
	if len(ss) == 0 {
		return "-"
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = "`" + mdCode(s) + "`"
	}
	return strings.Join(parts, ", ")
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
