package report_test

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/report"
)

// TestHTMLLargeCapture: with 1500 messages the diagram is capped and says
// so, the timeline table is bounded, and the page stays small.
func TestHTMLLargeCapture(t *testing.T) {
	r := &diag.Result{}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := 1; i <= 1500; i++ {
		r.Timeline = append(r.Timeline, diag.Event{Frame: i, Time: start.Add(time.Duration(i) * time.Second), Offset: time.Duration(i) * time.Second,
			Direction: diag.DirectionIn, Kind: diag.KindRouterAdvertisement, Source: netip.MustParseAddr("fe80::1"), Dest: netip.MustParseAddr("ff02::1")})
	}
	var b bytes.Buffer
	if err := report.WriteHTML(&b, report.NewDocument(report.Run{Version: "test", Mode: "analyze"}, r)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(page, `<g class="arrow `); n != 150 {
		t.Errorf("%d arrows drawn, want the cap of 150", n)
	}
	if !strings.Contains(page, "The diagram shows the first 150 of 1500 messages") {
		t.Errorf("the page does not say the diagram is capped")
	}
	if !strings.Contains(page, "the first 200 are listed, report.json holds all") {
		t.Errorf("the page does not say the timeline is capped")
	}
	if len(page) > 2<<20 {
		t.Errorf("page is %d bytes", len(page))
	}
}

// TestHTMLSelfContained: no scripts, no external assets, and text from the
// capture is escaped.
func TestHTMLSelfContained(t *testing.T) {
	doc, _, _ := render(t, "radvd-no-dhcpv6", "radvd-no-dhcpv6.pcapng")
	doc.Notes = append(doc.Notes, `<script>alert("x")</script>`)
	var b bytes.Buffer
	if err := report.WriteHTML(&b, doc); err != nil {
		t.Fatal(err)
	}
	page := strings.ToLower(b.String())
	for _, bad := range []string{"<script", "src=", "href=", "@import", "url(http", "<link"} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}
	if !strings.Contains(b.String(), "&lt;script&gt;") {
		t.Errorf("the note was not escaped")
	}
}

// TestHTMLEscapesHostileText: names a router or an ISP controls (a DNSSL
// domain, an address text, a finding's fields) cannot open a tag or leave
// an attribute, in text, in the SVG's <title> and in attribute values.
func TestHTMLEscapesHostileText(t *testing.T) {
	doc, _, _ := render(t, "radvd-no-dhcpv6", "radvd-no-dhcpv6.pcapng")
	const evil = `<script>alert("x")</script>'"&`
	if len(doc.RA.Routers) == 0 || len(doc.Findings) == 0 || len(doc.Timeline) == 0 {
		t.Fatal("the capture has no router, finding or message to make hostile")
	}
	doc.RA.Routers[0].DNSSL = []string{evil + ".example"}
	doc.RA.Routers[0].Source = evil
	doc.Verdict.Summary = evil
	doc.Findings[0].Severity = `fail" onmouseover="alert(1)`
	doc.Timeline[0].Source = evil
	doc.Timeline[0].Detail = evil
	var b bytes.Buffer
	if err := report.WriteHTML(&b, doc); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", `" onmouseover="`, `alert("x")`, `'"&<`} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html contains %q unescaped", bad)
		}
	}
	const escaped = `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#39;&#34;&amp;`
	for what, want := range map[string]string{
		"DNSSL":                "DNSSL <code>" + escaped + ".example</code>",
		"summary":              "<p><strong>" + escaped + "</strong></p>",
		"class attribute":      `<li class="fail&#34; onmouseover=&#34;alert(1)">`,
		"timeline source":      `<td><code>` + escaped + "</code></td>",
		"ladder column header": `text-anchor="middle">` + escaped + "</text>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("%s: %q not in the page", what, want)
		}
	}
	arrow := page[strings.Index(page, `<g class="arrow `):]
	if title := arrow[:strings.Index(arrow, "</title>")]; !strings.Contains(title, escaped) {
		t.Errorf("the SVG title %q does not hold the escaped text", title)
	}
	if strings.Count(page, escaped) < 5 {
		t.Errorf("the hostile text appears escaped %d times, want at least 5", strings.Count(page, escaped))
	}
}
