package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// maxTextTimeline bounds the timeline in report.txt; report.json and the
// pcapng hold everything.
const maxTextTimeline = 200

// WriteText writes report.txt: the verdict first, then the facts an ISP
// engineer asks for, the findings with their frames, and the timeline.
func WriteText(w io.Writer, d Document) error {
	var b strings.Builder
	fmt.Fprintf(&b, "v6diag %s — %s\n", d.Version, d.Mode)
	fmt.Fprintf(&b, "Verdict: %s\n  %s\n", d.Verdict.Code, d.Verdict.Summary)
	fmt.Fprintf(&b, "  Who must act: %s\n\n", d.Verdict.WhoMustAct)
	if d.Started != "" {
		fmt.Fprintf(&b, "When:      %s (UTC), %.3f s\n", d.Started, d.Duration)
	}
	if d.Source != "" {
		fmt.Fprintf(&b, "Capture:   %s\n", d.Source)
	}
	if i := d.Interface; i != nil {
		fmt.Fprintf(&b, "Interface: %s  MAC %s  link-local %s  MTU %d  carrier %v  (%s)\n",
			i.Name, dash(i.MAC), dash(i.LinkLocal), i.MTU, i.Carrier, i.LinkType)
	}
	if d.DUID != nil {
		fmt.Fprintf(&b, "DUID:      %s (%s)  IAIDs %s\n", d.DUID.Hex, d.DUID.Type, dash(strings.Join(d.DUID.IAIDs, ", ")))
	}
	if d.Port546 != "" {
		fmt.Fprintf(&b, "Port 546:  %s\n", d.Port546)
	}
	for _, n := range d.Notes {
		fmt.Fprintf(&b, "Note:      %s\n", n)
	}
	fmt.Fprintf(&b, "\nRouters heard: %d\n", len(d.RA.Routers))
	for _, r := range d.RA.Routers {
		fmt.Fprintf(&b, "  %s (%s): M=%v O=%v router lifetime %gs, preference %s, %d RA(s), frames %s\n",
			r.Source, dash(r.SourceMAC), r.Managed, r.Other, r.RouterLifetime, r.Preference, r.Advertisements, frameList(r.Frames))
		for _, p := range r.Prefixes {
			fmt.Fprintf(&b, "    prefix %s L=%v A=%v valid %gs preferred %gs\n", p.Prefix, p.OnLink, p.Autonomous, p.ValidLifetime, p.PreferredLifetime)
		}
		if len(r.RDNSS) > 0 {
			fmt.Fprintf(&b, "    RDNSS %s\n", strings.Join(r.RDNSS, ", "))
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
	for _, s := range x.Servers {
		pref := "none"
		if s.Preference != nil {
			pref = fmt.Sprint(*s.Preference)
		}
		fmt.Fprintf(&b, "  server %s (%s) Server ID %s (%s) preference %s, answered in %.3f s, frames %s\n",
			s.Address, dash(s.SourceMAC), s.ServerID, s.DUIDType, pref, s.Latency, frameList(s.Frames))
	}
	for _, p := range x.DelegatedPrefixes {
		fmt.Fprintf(&b, "  delegated prefix %s  T1 %gs T2 %gs preferred %gs valid %gs  (frame %d)\n", p.Prefix, p.T1, p.T2, p.PreferredLifetime, p.ValidLifetime, p.Frame)
	}
	for _, p := range x.Addresses {
		fmt.Fprintf(&b, "  address %s  preferred %gs valid %gs  (frame %d)\n", p.Prefix, p.PreferredLifetime, p.ValidLifetime, p.Frame)
	}
	if len(x.DNS) > 0 {
		fmt.Fprintf(&b, "  DNS %s\n", strings.Join(x.DNS, ", "))
	}
	fmt.Fprintf(&b, "\nFindings:\n")
	for _, f := range d.Findings {
		fmt.Fprintf(&b, "  [%s] %s: %s", f.Severity, f.ID, f.Summary)
		if len(f.Frames) > 0 {
			fmt.Fprintf(&b, " (frames %s)", frameList(f.Frames))
		}
		if f.RFC != "" {
			fmt.Fprintf(&b, " [%s]", f.RFC)
		}
		b.WriteString("\n")
		if f.ForISP != "" {
			fmt.Fprintf(&b, "      for the ISP: %s\n", f.ForISP)
		}
	}
	fmt.Fprintf(&b, "\nTimeline (%d control messages of %d frames):\n", len(d.Timeline), d.Capture.Frames)
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  frame\t+seconds\tdir\tkind\txid\tsource\tdestination\tnote")
	for i, e := range d.Timeline {
		if i == maxTextTimeline {
			fmt.Fprintf(tw, "  …\t%d more in report.json\t\t\t\t\t\t\n", len(d.Timeline)-i)
			break
		}
		note := e.Note
		if e.Ignored != "" {
			note = strings.TrimPrefix(note+"; ignored: "+e.Ignored, "; ")
		}
		fmt.Fprintf(tw, "  %d\t%.3f\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Frame, e.Offset, e.Direction, e.Kind, e.TransactionID, e.Source, e.Destination, note)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("report: lay out timeline: %w", err)
	}
	// tabwriter pads empty last cells; trailing blanks would make the
	// report (and its golden files) fragile under editors that strip them.
	for _, line := range strings.SplitAfter(table.String(), "\n") {
		b.WriteString(strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			b.WriteString("\n")
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: write text: %w", err)
	}
	return nil
}

// WriteSummary writes the few lines a terminal shows after a run.
func WriteSummary(w io.Writer, d Document, outDir string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s — %s\n", d.Verdict.Code, d.Verdict.Summary)
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
		if f.Severity != "fail" {
			continue
		}
		if len(f.Frames) > 0 {
			fmt.Fprintf(&b, "problem: %s (frames %s)\n", f.Summary, frameList(f.Frames))
		} else {
			fmt.Fprintf(&b, "problem: %s\n", f.Summary)
		}
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
