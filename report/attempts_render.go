package report

import (
	"fmt"
	"strings"
)

// attemptsSection is the table of what each attempt of the strategy ladder
// sent and got; nothing for a single attempt or an offline analysis.
func attemptsSection(d Document) optional {
	t := table{columns: []string{"#", "Sent", "Got", "Status codes", "Frames", "netifd (wan6)"}, id: "attempts"}
	for i, a := range d.Attempts {
		idx, got, frames := fmt.Sprint(a.Index), a.Verdict, "-"
		if a.Index == d.BestAttempt {
			idx += " (best)"
			t.best = i + 1
		}
		switch {
		case a.Skipped != "":
			got = "skipped: " + a.Skipped
		case a.DelegatedPrefixLength > 0:
			got = fmt.Sprintf("%s, /%d delegated", a.Verdict, a.DelegatedPrefixLength)
		}
		if a.FirstFrame > 0 {
			frames = fmt.Sprintf("%d-%d", a.FirstFrame, a.LastFrame)
		}
		t.rows = append(t.rows, []span{txt(idx), txt(a.Label), txt(got), txt(dash(strings.Join(a.StatusCodes, ", "))),
			txt(frames), cd(netifdText(a.Netifd))})
	}
	return optional{len(t.rows) > 1, section{"Attempts", []block{
		para{cd("--strategy " + d.Strategy), txt("; best: " + bestText(d.BestAttempt) + ".")}, t}}}
}
