package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/v6diag/v6diag/diag"
)

// textWidth is the column prose in report.txt wraps at: the file is read
// in a terminal or pasted into a plain-text ticket, where 80 columns is
// the safe width. Tables (the timeline) are left wider rather than broken.
const textWidth = 80

// WriteText writes report.txt: the verdict first, then the sections every
// report shows (sections), as aligned "name: value" lines and tables. It
// is plain text: no colour or terminal codes, whatever the output.
func WriteText(w io.Writer, d Document) error {
	var b strings.Builder
	fmt.Fprintf(&b, "v6diag %s — %s\n", d.Version, d.Mode)
	if rl := routerClientLines(d); rl.Client != "" {
		b.WriteString(wrap(rl.Client, "Your router's DHCPv6 client: ", "  ", textWidth))
		b.WriteString(wrap(rl.Gets, "  It gets: ", "    ", textWidth))
		b.WriteString(wrap(rl.Why, "  ", "  ", textWidth))
		if rl.Suggestion != "" {
			b.WriteString(wrap(rl.Suggestion, "  ", "  ", textWidth))
		}
		for _, n := range rl.Notes {
			b.WriteString(wrap(n, "  Note: ", "    ", textWidth))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Verdict: %s\n", d.Verdict.Code)
	b.WriteString(wrap(d.Verdict.Summary, "  ", "  ", textWidth))
	fmt.Fprintf(&b, "  Who must act: %s\n", d.Verdict.WhoMustAct)
	if d.Verdict.ForISP != "" {
		b.WriteString("\nFor the ISP's support staff:\n")
		b.WriteString(wrap(d.Verdict.ForISP, "  ", "  ", textWidth))
	}
	for _, bl := range sections(d) {
		bl.text(&b)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: write text: %w", err)
	}
	return nil
}

// wrap breaks s into lines of at most width columns (counting runes), the
// first prefixed with first, the rest with rest. Words longer than a line
// (addresses, DUIDs) stand alone rather than being cut.
func wrap(s, first, rest string, width int) string {
	var b strings.Builder
	line := first
	empty := true
	if strings.TrimSpace(first) != "" && !strings.HasSuffix(first, " ") {
		empty = false
	}
	for _, word := range strings.Fields(s) {
		if !empty && len([]rune(line))+1+len([]rune(word)) > width {
			b.WriteString(line + "\n")
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	b.WriteString(line + "\n")
	return b.String()
}

// Style is how WriteSummary decorates for a terminal.
type Style struct {
	// Color marks the verdict with ANSI colour; only for a terminal that
	// wants it (not NO_COLOR, not TERM=dumb).
	Color bool
}

// WriteSummary writes the few lines a terminal shows after a run, plain.
func WriteSummary(w io.Writer, d Document, outDir string) error {
	return WriteSummaryStyle(w, d, outDir, Style{})
}

// WriteSummaryStyle is WriteSummary with terminal decoration.
func WriteSummaryStyle(w io.Writer, d Document, outDir string, st Style) error {
	var b strings.Builder
	code := string(d.Verdict.Code)
	if st.Color {
		colour := "31" // red: a problem
		if d.Verdict.Code == diag.CodeOK {
			colour = "32"
		}
		code = "\033[1;" + colour + "m" + code + "\033[0m"
	}
	fmt.Fprintf(&b, "verdict: %s — %s\n", code, d.Verdict.Summary)
	fmt.Fprintf(&b, "routers heard: %d", len(d.RA.Routers))
	for _, r := range d.RA.Routers {
		fmt.Fprintf(&b, "  [%s M=%v O=%v lifetime %gs]", r.Source, r.Managed, r.Other, r.RouterLifetime)
	}
	b.WriteString("\n")
	if len(d.DHCPv6.DelegatedPrefixes) > 0 {
		var ps []string
		for _, p := range d.DHCPv6.DelegatedPrefixes {
			ps = append(ps, p.Prefix)
		}
		fmt.Fprintf(&b, "prefix delegated: %s\n", strings.Join(ps, ", "))
	} else {
		fmt.Fprintf(&b, "prefix delegated: none (%d Solicit sent, %d server(s) answered)\n", d.DHCPv6.Solicits, len(d.DHCPv6.Servers))
	}
	for _, f := range d.Findings {
		if f.Severity != diag.SeverityFail {
			continue
		}
		if len(f.Frames) > 0 {
			fmt.Fprintf(&b, "problem: %s (frames %s)\n", f.Summary, frameList(f.Frames))
		} else {
			fmt.Fprintf(&b, "problem: %s\n", f.Summary)
		}
	}
	if d.Clock.Suspect {
		fmt.Fprintf(&b, "clock: %s\n", d.Clock.Note)
	}
	fmt.Fprintf(&b, "who must act: %s\n", d.Verdict.WhoMustAct)
	if outDir != "" {
		fmt.Fprintf(&b, "report: %s\n", outDir)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func frameList(fs []int) string {
	if len(fs) == 0 {
		return "-"
	}
	var parts []string
	for i, f := range fs {
		if i == 20 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprint(f))
	}
	return strings.Join(parts, ",")
}

// findingsText writes report.txt's findings: one wrapped line each, the
// ISP's part indented under it.
func findingsText(b *strings.Builder, d Document) {
	b.WriteString("\nFindings:\n")
	for _, f := range d.Findings {
		line := fmt.Sprintf("[%s] %s: %s", f.Severity, f.ID, f.Summary)
		if len(f.Frames) > 0 {
			line += fmt.Sprintf(" (frames %s)", frameList(f.Frames))
		}
		if f.RFC != "" {
			line += fmt.Sprintf(" [%s]", f.RFC)
		}
		b.WriteString(wrap(line, "  ", "      ", textWidth))
		if f.ForISP != "" {
			b.WriteString(wrap("for the ISP: "+f.ForISP, "      ", "        ", textWidth))
		}
	}
}
