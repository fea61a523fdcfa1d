package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/v6diag/v6diag/diag"
)

// maxTextTimeline bounds the timeline in report.txt; report.json and the
// pcapng hold everything.
const maxTextTimeline = 200

// textWidth is the column prose in report.txt wraps at: the file is read
// in a terminal or pasted into a plain-text ticket, where 80 columns is
// the safe width. Tables (the timeline) are left wider rather than broken.
const textWidth = 80

// WriteText writes report.txt: the verdict first, then the facts an ISP
// engineer asks for, the findings with their frames, and the timeline.
// It is plain text: no colour or terminal codes, whatever the output.
func WriteText(w io.Writer, d Document) error {
	var b strings.Builder
	// put writes one wrapped paragraph: first is the label column, rest
	// indents the continuation lines.
	put := func(first, rest, format string, args ...any) {
		b.WriteString(wrap(fmt.Sprintf(format, args...), first, rest, textWidth))
	}
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
	fmt.Fprintf(&b, "  Who must act: %s\n\n", d.Verdict.WhoMustAct)
	if d.Verdict.ForISP != "" {
		b.WriteString("For the ISP's support staff:\n")
		b.WriteString(wrap(d.Verdict.ForISP, "  ", "  ", textWidth))
		b.WriteString("\n")
	}
	if d.Started != "" {
		fmt.Fprintf(&b, "When:      %s (UTC), %.3f s\n", d.Started, d.Duration)
	}
	if d.Capture.First != "" {
		put("Frames:    ", "           ", "%s – %s (UTC)", d.Capture.First, d.Capture.Last)
	}
	if d.Clock.Suspect {
		b.WriteString(wrap(d.Clock.Note, "Clock:     ", "           ", textWidth))
	}
	if d.Source != "" {
		put("Capture:   ", "           ", "%s", d.Source)
	}
	if h := d.Router; h != nil {
		var parts []string
		for _, s := range []string{h.Model, h.BoardName, h.Release, h.Target} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		if h.Kernel != "" {
			parts = append(parts, "kernel "+h.Kernel)
		}
		b.WriteString(wrap(strings.Join(parts, ", "), "Router:    ", "           ", textWidth))
	}
	if i := d.Interface; i != nil {
		put("Interface: ", "           ", "%s, MAC %s, link-local %s, MTU %d, carrier %v (%s)",
			i.Name, dash(i.MAC), dash(i.LinkLocal), i.MTU, i.Carrier, i.LinkType)
		if v := i.VLAN; v != nil {
			fmt.Fprintf(&b, "VLAN:      id %d, priority %d, on %s\n", v.ID, v.Priority, dash(v.Parent))
		}
	}
	if clientSeen(d) {
		put("Client:    ", "           ", "MAC %s, link-local %s (as seen in the capture)", dash(d.Link.ClientMAC), dash(d.Link.ClientLinkLocal))
	}
	if f := d.Link.ClientFraming; len(f.VLANs) > 0 || f.PPPoE || len(d.Link.ISPFraming.VLANs) > 0 {
		put("Framing:   ", "           ", "client frames %s; ISP frames %s (as captured)", framingText(f), framingText(d.Link.ISPFraming))
	}
	if pppoe(d) {
		fmt.Fprintf(&b, "PPPoE:     yes\n")
	}
	if d.DUID != nil {
		put("DUID:      ", "           ", "%s (%s), IAIDs %s", d.DUID.Hex, d.DUID.Type, dash(strings.Join(d.DUID.IAIDs, ", ")))
	}
	if d.Port546 != "" {
		put("Port 546:  ", "           ", "%s", d.Port546)
	}
	for _, n := range d.Notes {
		b.WriteString(wrap(n, "Note:      ", "           ", textWidth))
	}
	fmt.Fprintf(&b, "\nRouters heard: %d\n", len(d.RA.Routers))
	for _, r := range d.RA.Routers {
		put("  ", "      ", "%s (%s): M=%v O=%v router lifetime %gs, preference %s, %d RA(s), interval %s, frames %s",
			r.Source, dash(r.SourceMAC), r.Managed, r.Other, r.RouterLifetime, r.Preference, r.Advertisements, intervalString(r.Interval), frameList(r.Frames))
		for _, p := range r.Prefixes {
			put("    ", "      ", "prefix %s L=%v A=%v valid %gs preferred %gs", p.Prefix, p.OnLink, p.Autonomous, p.ValidLifetime, p.PreferredLifetime)
		}
		if len(r.RDNSS) > 0 {
			put("    ", "      ", "RDNSS %s", strings.Join(r.RDNSS, ", "))
		}
		if len(r.DNSSL) > 0 {
			put("    ", "      ", "DNSSL %s", strings.Join(r.DNSSL, ", "))
		}
		if r.MTU > 0 {
			fmt.Fprintf(&b, "    MTU %d\n", r.MTU)
		}
	}
	x := d.DHCPv6
	hint := "none"
	if x.PrefixHint > 0 {
		hint = fmt.Sprintf("/%d", x.PrefixHint)
	}
	fmt.Fprintf(&b, "\nDHCPv6: %d Solicit, %d Request, %d Release sent; prefix hint %s\n", x.Solicits, x.Requests, x.Releases, hint)
	for _, s := range x.SolicitShapes {
		b.WriteString(wrap(fmt.Sprintf("Solicit (frames %s): %s", frameList(s.Frames), s.Summary), "  ", "      ", textWidth))
	}
	for _, s := range x.Servers {
		pref := "none"
		if s.Preference != nil {
			pref = fmt.Sprint(*s.Preference)
		}
		put("  ", "      ", "server %s (%s) Server ID %s (%s) preference %s, answered in %.3f s, frames %s",
			s.Address, dash(s.SourceMAC), s.ServerID, s.DUIDType, pref, s.Latency, frameList(s.Frames))
	}
	for _, s := range x.StatusCodes {
		put("  ", "      ", "status %s (%d)%s in %s, for %s (frame %d)", s.Name, s.Code, quoteText(s.Text), s.Message, s.Where, s.Frame)
	}
	for _, p := range x.DelegatedPrefixes {
		put("  ", "      ", "delegated prefix %s, T1 %gs T2 %gs preferred %gs valid %gs (frame %d)", p.Prefix, p.T1, p.T2, p.PreferredLifetime, p.ValidLifetime, p.Frame)
	}
	for _, p := range x.Addresses {
		put("  ", "      ", "address %s, preferred %gs valid %gs (frame %d)", p.Prefix, p.PreferredLifetime, p.ValidLifetime, p.Frame)
	}
	if len(x.DNS) > 0 {
		put("  ", "      ", "DNS %s", strings.Join(x.DNS, ", "))
	}
	if err := writeAttempts(&b, d); err != nil {
		return err
	}
	writeRouterStateText(&b, d)
	if lines, more := said(d); len(lines) > 0 {
		fmt.Fprintf(&b, "\nWhat the routers and servers said:\n")
		for _, l := range lines {
			put("  ", "      ", "%s", l)
		}
		if more > 0 {
			fmt.Fprintf(&b, "  … %d more in report.json\n", more)
		}
	}
	fmt.Fprintf(&b, "\nFindings:\n")
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
	fmt.Fprintf(&b, "\nTimeline (%d control messages of %d frames):\n", len(d.Timeline), d.Capture.Frames)
	b.WriteString(timelineText(d, maxTextTimeline))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: write text: %w", err)
	}
	return nil
}

// timelineText lays the timeline out as an aligned table of at most max
// rows, saying how many more report.json holds.
func timelineText(d Document, max int) string {
	table := [][]string{{"  frame", "+seconds", "dir", "kind", "xid", "source", "destination", "note"}}
	for i, e := range d.Timeline {
		if i == max {
			table = append(table, []string{"  …", fmt.Sprintf("%d more in report.json", len(d.Timeline)-i), "", "", "", "", "", ""})
			break
		}
		note := e.Note
		if e.Ignored != "" {
			note = strings.TrimPrefix(note+"; ignored: "+e.Ignored, "; ")
		}
		table = append(table, []string{fmt.Sprintf("  %d", e.Frame), fmt.Sprintf("%.3f", e.Offset), string(e.Direction), string(e.Kind), e.TransactionID, e.Source, e.Destination, note})
	}
	return alignColumns(table)
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

func quoteText(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" %q", s)
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
