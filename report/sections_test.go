package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestSameRowsEverywhere: issue 12's rule that the three reports show the
// same rows of the same sections in the same order. Each writer's output
// is reduced to the row names it shows, in order, and the three lists must
// be equal.
func TestSameRowsEverywhere(t *testing.T) {
	d := ladderDoc()
	d.Router = &jsonHost{Model: "Example Router", BoardName: "example,board", Release: "OpenWrt 23.05.5",
		Target: "ath79/generic", Arch: "mips_24kc", Kernel: "5.15.167", KernelBuilt: "2024-09-23"}
	d.Interface = &jsonInterface{Name: "wan", MAC: "02:00:00:00:00:01", MTU: 1500, LinkType: "Ethernet", Source: "/sys/class/net", PPPoE: true}
	d.Link.ClientMAC = "02:00:00:00:00:01"
	d.Clock.Suspect, d.Clock.Note = true, "the clock is behind"
	d.Notes = []string{"a note"}

	var txt, md, html bytes.Buffer
	for _, w := range []struct {
		write func(*bytes.Buffer, Document) error
		b     *bytes.Buffer
	}{{func(b *bytes.Buffer, d Document) error { return WriteText(b, d) }, &txt},
		{func(b *bytes.Buffer, d Document) error { return WriteMarkdown(b, d) }, &md},
		{func(b *bytes.Buffer, d Document) error { return WriteHTML(b, d) }, &html}} {
		if err := w.write(w.b, d); err != nil {
			t.Fatal(err)
		}
	}
	// The named facts start with the When section.
	from := func(b bytes.Buffer, heading string) string {
		_, after, _ := strings.Cut(b.String(), heading)
		return after
	}
	names := map[string][]string{
		"report.txt":  find(`(?m)^  ([A-Z][A-Za-z0-9 ()-]*?):  *\S`, from(txt, "\nWhen:\n")),
		"report.md":   find(`(?m)^\| ([A-Z][A-Za-z0-9 ()-]*?) \| .* \|$`, from(md, "## When")),
		"report.html": find(`<tr><th>([^<]*)</th><td>`, from(html, "<h2>When</h2>")),
	}
	want := []string{"Capture", "Clock", "Model", "Board", "OpenWrt", "Target", "Architecture", "Kernel", "Kernel built",
		"Name", "MAC", "Link-local", "MTU", "Carrier", "Client in the capture", "Framing in the capture", "PPPoE"}
	for file, got := range names {
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("%s shows the rows\n%q\nwant\n%q", file, got, want)
		}
	}
	for file, page := range map[string]string{"report.txt": txt.String(), "report.md": md.String(), "report.html": html.String()} {
		for _, s := range []string{"yes", "the clock is behind", "a note"} {
			if !strings.Contains(page, s) {
				t.Errorf("%s lacks %q", file, s)
			}
		}
	}
}

// find returns the first group of each match of re in s.
func find(re, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}
