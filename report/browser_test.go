package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/report"
)

// chromium finds Debian's headless browser; the test skips only when it
// is not installed (CI installs it: .ci/run).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("V6DIAG_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("chromium is not installed (apt-get install chromium); the rendered-page checks of report.html did not run")
	return ""
}

// runChromium runs headless Chromium with a fresh profile and no network
// services of its own, and returns its stdout.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// measureScript runs inside a test copy of report.html and writes what the
// page shows into <pre id="measure">, which --dump-dom returns.
const measureScript = `<script>
(function () {
  var vw = document.documentElement.clientWidth;
  var r = {viewport: vw, scrollWidth: document.documentElement.scrollWidth, arrows: 0, visibleArrows: 0,
           unanswered: 0, noAnswerLabels: 0, overflow: [], clipped: [], verdictVisible: false, verdictText: ""};
  var svg = document.getElementById("ladder");
  var sb = svg.getBoundingClientRect();
  document.querySelectorAll("#ladder g.arrow").forEach(function (a) {
    r.arrows++;
    var line = a.querySelector("line").getBoundingClientRect();
    if (line.width > 20 && line.left >= sb.left - 1 && line.right <= sb.right + 1 && line.right <= vw + 1) r.visibleArrows++;
    if (a.classList.contains("unanswered")) r.unanswered++;
  });
  document.querySelectorAll("#ladder text").forEach(function (t) {
    var b = t.getBoundingClientRect();
    if (b.left < sb.left - 1 || b.right > sb.right + 1) r.clipped.push(t.textContent);
    if (t.textContent.indexOf("no answer") >= 0 && b.width > 0) r.noAnswerLabels++;
  });
  var v = document.getElementById("verdict");
  var vb = v.getBoundingClientRect();
  r.verdictVisible = vb.width > 0 && vb.height > 0 && vb.right <= vw + 1 && getComputedStyle(v).visibility !== "hidden";
  r.verdictText = v.innerText;
  var c = document.getElementById("ladder-capped");
  r.cappedNote = c !== null && c.getBoundingClientRect().height > 0;
  document.querySelectorAll("body *").forEach(function (el) {
    var b = el.getBoundingClientRect();
    if (b.right > vw + 1 && el.closest("svg") === null) r.overflow.push(el.tagName + (el.id ? "#" + el.id : ""));
    if (el.tagName === "TD" && el.scrollWidth > el.clientWidth + 1) r.overflow.push("TD overflowing: " + el.textContent.slice(0, 40));
  });
  var pre = document.createElement("pre");
  pre.id = "measure";
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
})();
</script>`

type measurement struct {
	Viewport       int      `json:"viewport"`
	ScrollWidth    int      `json:"scrollWidth"`
	Arrows         int      `json:"arrows"`
	VisibleArrows  int      `json:"visibleArrows"`
	Unanswered     int      `json:"unanswered"`
	NoAnswerLabels int      `json:"noAnswerLabels"`
	Overflow       []string `json:"overflow"`
	Clipped        []string `json:"clipped"`
	VerdictVisible bool     `json:"verdictVisible"`
	VerdictText    string   `json:"verdictText"`
	CappedNote     bool     `json:"cappedNote"`
}

var measureOut = regexp.MustCompile(`(?s)<pre id="measure">(.*?)</pre>`)

// artifactDir is where the screenshots go: $V6DIAG_TEST_ARTIFACTS, else
// a fixed folder under the system temp dir, so a CI job can collect them.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("V6DIAG_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "v6diag-test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHTMLInBrowser renders report.html of a healthy and a broken recorded
// run in headless Chromium and checks the page as drawn: every arrow of
// the ladder is visible inside the diagram, unanswered Solicits are drawn
// as such, the verdict shows, and nothing overflows at desktop and narrow
// widths. Screenshots are kept (see artifactDir).
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	for _, tc := range []struct {
		name, capture string
		arrows        int // arrows drawn
		unanswered    int
		widths        []int
	}{
		{"kea-healthy", "kea-healthy.pcapng", 8, 0, []int{1280, 700}},
		{"radvd-no-dhcpv6", "radvd-no-dhcpv6.pcapng", 6, 4, []int{1280, 700}},
		// 1500 messages: the diagram is capped, and says so.
		{"large", "", 150, 150, []int{1280}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc report.Document
			if tc.capture != "" {
				doc, _, _ = render(t, tc.name, tc.capture)
				if len(doc.Timeline) != tc.arrows {
					t.Fatalf("capture has %d messages, the test expects %d", len(doc.Timeline), tc.arrows)
				}
			} else {
				doc = largeDocument()
			}
			var page bytes.Buffer
			if err := report.WriteHTML(&page, doc); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			plain := filepath.Join(dir, "report.html")
			if err := os.WriteFile(plain, page.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			measured := filepath.Join(dir, "measured.html")
			withScript := strings.Replace(page.String(), "</body>", measureScript+"</body>", 1)
			if err := os.WriteFile(measured, []byte(withScript), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, width := range tc.widths {
				out := runChromium(t, bin, "--virtual-time-budget=3000", "--window-size="+itoa(width)+",1000", "--dump-dom", "file://"+measured)
				m := measureOut.FindSubmatch(out)
				if m == nil {
					t.Fatalf("width %d: no measurement in the dumped DOM (%d bytes)", width, len(out))
				}
				var got measurement
				if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &got); err != nil {
					t.Fatalf("width %d: %v: %s", width, err, m[1])
				}
				if got.Arrows != tc.arrows || got.VisibleArrows != tc.arrows {
					t.Errorf("width %d: %d arrows drawn, %d visible; want %d", width, got.Arrows, got.VisibleArrows, tc.arrows)
				}
				if got.Unanswered != tc.unanswered || (tc.unanswered > 0 && got.NoAnswerLabels == 0) {
					t.Errorf("width %d: %d unanswered arrows, %d 'no answer' labels; want %d", width, got.Unanswered, got.NoAnswerLabels, tc.unanswered)
				}
				if !got.VerdictVisible || !strings.Contains(got.VerdictText, string(doc.Verdict.Code)) || !strings.Contains(got.VerdictText, doc.Verdict.Summary[:min(30, len(doc.Verdict.Summary))]) {
					t.Errorf("width %d: verdict visible=%v text %q", width, got.VerdictVisible, got.VerdictText)
				}
				if got.ScrollWidth > got.Viewport || len(got.Overflow) > 0 {
					t.Errorf("width %d: page %d px wide in a %d px viewport; overflowing: %v", width, got.ScrollWidth, got.Viewport, got.Overflow)
				}
				if tc.capture == "" && !got.CappedNote {
					t.Errorf("width %d: the note that the diagram is capped is not visible", width)
				}
				if len(got.Clipped) > 0 {
					t.Errorf("width %d: diagram labels cut at the edge: %q", width, got.Clipped)
				}
			}
			shot := filepath.Join(artifactDir(t), "report-"+tc.name+".png")
			runChromium(t, bin, "--window-size=1280,1400", "--screenshot="+shot, "file://"+plain)
			if st, err := os.Stat(shot); err != nil || st.Size() < 10000 {
				t.Errorf("screenshot %s: %v (size %v)", shot, err, st)
			}
			t.Logf("screenshot: %s", shot)
		})
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// largeDocument is a run with 1500 Solicits that no server answers.
func largeDocument() report.Document {
	r := &diag.Result{}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := 1; i <= 1500; i++ {
		r.Timeline = append(r.Timeline, diag.Event{Frame: i, Time: start.Add(time.Duration(i) * time.Second), Offset: time.Duration(i) * time.Second,
			Direction: diag.DirectionOut, Kind: "Solicit", TransactionID: "0x0a0b0c",
			Source: netip.MustParseAddr("fe80::1"), Dest: netip.MustParseAddr("ff02::1:2")})
	}
	return report.NewDocument(report.Run{Tool: "v6diag", Version: "test", Mode: "analyze"}, r)
}
