package report

import (
	"fmt"
	"strings"
)

// attemptRow is one attempt as report.md and report.html show it.
type attemptRow struct {
	Index                         int
	Best                          bool
	Sent, Got, Status, Frames, Nf string
}

// attemptRows lays out the strategy ladder; nil for a single attempt or an
// offline analysis, as in report.txt.
func attemptRows(d Document) []attemptRow {
	if len(d.Attempts) < 2 {
		return nil
	}
	var rows []attemptRow
	for _, a := range d.Attempts {
		got, frames := a.Verdict, "-"
		switch {
		case a.Skipped != "":
			got = "skipped: " + a.Skipped
		case a.DelegatedPrefixLength > 0:
			got = fmt.Sprintf("%s, /%d delegated", a.Verdict, a.DelegatedPrefixLength)
		}
		if a.FirstFrame > 0 {
			frames = fmt.Sprintf("%d-%d", a.FirstFrame, a.LastFrame)
		}
		rows = append(rows, attemptRow{Index: a.Index, Best: a.Index == d.BestAttempt, Sent: a.Label, Got: got,
			Status: dash(strings.Join(a.StatusCodes, ", ")), Frames: frames, Nf: netifdText(a.Netifd)})
	}
	return rows
}

// writeAttemptsMarkdown adds the attempts table to report.md.
func writeAttemptsMarkdown(b *strings.Builder, d Document) {
	rows := attemptRows(d)
	if rows == nil {
		return
	}
	fmt.Fprintf(b, "## Attempts\n\n`--strategy %s`; best: **%s**.\n\n| # | Sent | Got | Status codes | Frames | netifd (wan6) |\n|---|---|---|---|---|---|\n",
		mdCode(d.Strategy), bestText(d.BestAttempt))
	for _, r := range rows {
		idx := fmt.Sprint(r.Index)
		if r.Best {
			idx = "**" + idx + " (best)**"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | `%s` |\n", idx, mdText(r.Sent), mdText(r.Got), mdText(r.Status), r.Frames, mdCode(r.Nf))
	}
	b.WriteString("\n")
}
