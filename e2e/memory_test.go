package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
	"github.com/v6diag/v6diag/internal/testtools/testisp"
)

// Memory budgets of a live run (issue 4), peak resident set size as GNU
// time reports it for the native build.
const (
	healthyRSSBudgetKB = 16 * 1024
	floodRSSBudgetKB   = 32 * 1024
)

// liveCapture is report.json's capture block of a live run.
type liveCapture struct {
	Capture struct {
		Frames            int    `json:"frames"`
		Method            string `json:"method"`
		ReceiveBuffer     int    `json:"receive_buffer_bytes"`
		MaxFrames         int    `json:"max_frames"`
		FramesNotRecorded int    `json:"frames_not_recorded"`
		KernelDrops       *int   `json:"kernel_drops"`
	} `json:"capture"`
}

var maxRSSLine = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)

// runRSS runs the native v6diag under `/usr/bin/time -v` in the CPE
// namespace and returns the result, the live capture block and the peak
// RSS in KB. MEASURE_RSS_LOG, if set, names a file the figure is appended
// to (scripts/measure-rss.sh prints it).
func runRSS(t *testing.T, bed *testbed.Bed, label string, args ...string) (runResult, liveCapture, int) {
	t.Helper()
	gnuTime := testbed.NeedBinary(t, "/usr/bin/time", "apt-get install time")
	bin := testbed.BuildV6diag(t)
	timeOut := filepath.Join(bed.Dir, "time-v.txt")
	r, _ := runCommand(t, bed, []string{gnuTime, "-v", "-o", timeOut, bin}, args...)
	raw, err := os.ReadFile(timeOut)
	if err != nil {
		t.Fatalf("/usr/bin/time -v output: %v", err)
	}
	m := maxRSSLine.FindSubmatch(raw)
	if m == nil {
		t.Fatalf("no peak RSS in /usr/bin/time -v output:\n%s", raw)
	}
	kb, _ := strconv.Atoi(string(m[1]))
	var lc liveCapture
	js, err := os.ReadFile(filepath.Join(r.out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &lc); err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("%s: peak RSS %.1f MB (%d KB), wall %s, verdict %s, %d frames recorded, %d not recorded (cap %d), capture %q, output folder %s",
		label, float64(kb)/1024, kb, r.wall.Round(time.Millisecond), r.report.Verdict.Code,
		lc.Capture.Frames, lc.Capture.FramesNotRecorded, lc.Capture.MaxFrames, lc.Capture.Method, folderSizes(t, r.out))
	t.Log(line)
	if dir := os.Getenv("MEASURE_RSS_KEEP"); dir != "" {
		// Keep the capture for a look at the analysis alone (v6diag analyze).
		if b, err := os.ReadFile(filepath.Join(r.out, "capture.pcapng")); err == nil {
			_ = os.WriteFile(filepath.Join(dir, label+".pcapng"), b, 0o644)
		}
	}
	if p := os.Getenv("MEASURE_RSS_LOG"); p != "" {
		if f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, line)
			f.Close()
		}
	}
	return r, lc, kb
}

// On a healthy line (real radvd and Kea) a whole run — capture, exchange,
// release, analysis, reports — stays within 16 MB resident.
func TestMemoryHealthyLine(t *testing.T) {
	bed := testbed.New(t)
	healthyISP(t, bed, false)
	r, lc, kb := runRSS(t, bed, "healthy line", "--timeout", "10s")
	if r.report.Verdict.Code != "ok" {
		t.Fatalf("verdict %q (%s); want ok\n%s", r.report.Verdict.Code, r.report.Verdict.Summary, r.stderr)
	}
	if kb > healthyRSSBudgetKB {
		t.Errorf("peak RSS %d KB on a healthy line; budget %d KB", kb, healthyRSSBudgetKB)
	}
	if lc.Capture.MaxFrames <= 0 || lc.Capture.ReceiveBuffer <= 0 || lc.Capture.FramesNotRecorded != 0 {
		t.Errorf("capture block %+v; want the cap and buffer stated, nothing left unrecorded", lc.Capture)
	}
}

// Under a flood from the test ISP — thousands of RAs a second from ever new
// routers with ever new prefixes, and an Advertise flood, while the Reply
// is held back so the run lasts — the run stays within 32 MB resident,
// records no more frames than its cap, and the report says how many it
// left out.
func TestMemoryUnderFlood(t *testing.T) {
	bed := testbed.New(t)
	sc := testisp.Healthy()
	sc.Routers[0].Flood = &testisp.RAFlood{PerSecond: 3000, Duration: testisp.Duration(8 * time.Second),
		RandomRouters: true, RandomPrefixes: true}
	for i, rule := range sc.Servers[0].Rules {
		switch rule.Match.Type {
		case "Solicit":
			sc.Servers[0].Rules[i].Action.Faults.Copies = 3000
			sc.Servers[0].Rules[i].Action.Faults.PerSecond = 1500
		case "Request":
			sc.Servers[0].Rules[i].Action.Delay = testisp.Duration(7 * time.Second)
		}
	}
	testisp.Start(t, bed, sc)
	r, lc, kb := runRSS(t, bed, "RA and Advertise flood", "--timeout", "15s")
	if r.report.Verdict.Code == "" {
		t.Fatalf("no verdict\n%s", r.stderr)
	}
	if kb > floodRSSBudgetKB {
		t.Errorf("peak RSS %d KB under a flood; budget %d KB", kb, floodRSSBudgetKB)
	}
	// Past the cap live keeps room for the frames the verdict turns on
	// (its own and the Replies to it): a little over max_frames.
	c := lc.Capture
	if c.MaxFrames <= 0 || c.Frames > c.MaxFrames+c.MaxFrames/10 {
		t.Errorf("recorded %d frames with a cap of %d", c.Frames, c.MaxFrames)
	}
	if c.FramesNotRecorded == 0 || c.Frames < c.MaxFrames {
		t.Errorf("capture block %+v: the flood should have reached the cap and the report say how much was left out", c)
	}
	// The held-back Reply does come: the first attempt works, and the
	// flood of Advertise copies must not hide that from the ladder's
	// judge and send it on to needless rungs until --timeout.
	var lr ladderReport
	readReport(t, r.out, &lr)
	if r.report.Verdict.Code != "ok" || lr.BestAttempt != 1 || len(lr.Attempts) != 1 {
		t.Errorf("verdict %s, best attempt %d of %d; want ok from the one attempt that was needed", r.report.Verdict.Code, lr.BestAttempt, len(lr.Attempts))
	}
}

// folderSizes sums the files of an output folder and names the largest,
// for the output-space figures in README ("Small routers").
func folderSizes(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	var parts []string
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		total += info.Size()
		parts = append(parts, fmt.Sprintf("%s %d", e.Name(), info.Size()))
	}
	return fmt.Sprintf("%d bytes (%s)", total, strings.Join(parts, ", "))
}
