package report_test

import (
	"bytes"
	"github.com/v6diag/v6diag/uciconfig"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/hostinfo"
	"github.com/v6diag/v6diag/report"
)

// TestISPParagraph: the paragraph for the ISP's support staff carries the
// facts of each recorded run, with frame numbers, and the request that
// fits the verdict.
func TestISPParagraph(t *testing.T) {
	for _, tc := range []struct {
		capture string
		want    []string
		not     []string
	}{
		{"radvd-no-dhcpv6.pcapng", []string{"between 14:19:04 and 14:19:11 UTC", "WAN MAC 2a:eb:7c:4d:16:37",
			"Router Advertisements from fe80::880a:20ff:fe54:f69c (MAC 8a:0a:20:54:f6:9c)", "so the line is up",
			"We sent 4 DHCPv6 Solicits between 14:19:04.120 and 14:19:11.588 with DUID 000483ff071ca6ec8350af5d5e6b18581f15 (DUID-UUID)",
			"IA_PD 4c0b8a81 with a /48 hint", "(frames 2,4,5,6)", "Please check the DHCPv6 server or relay for this port: 4 Solicits from MAC 2a:eb:7c:4d:16:37",
			"got no Advertise back", "capture.pcapng"}, []string{"Everything needed worked", "No Advertise came back"}},
		{"kea-healthy.pcapng", []string{"Prefix 2001:db8:8000::/48 was delegated and confirmed by a Reply (frame 6",
			"Server ID 00010001329707ea8a0a2054f69c, DUID-LLT", "no action is needed"}, []string{"No Advertise"}},
		{"kea-hint-40.pcapng", []string{"with a /40 hint", "2001:db8:8002::/48", "we asked for a /40"}, nil},
		{"kea-solicit-only.pcapng", []string{"Its Advertise offered prefix", "(frames 4)"}, []string{"No Advertise"}},
	} {
		t.Run(tc.capture, func(t *testing.T) {
			d := report.NewDocument(fixedRun(tc.capture), analyze(t, tc.capture))
			p := d.Verdict.ForISP
			for _, w := range tc.want {
				if !strings.Contains(p, w) {
					t.Errorf("paragraph lacks %q:\n%s", w, p)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(p, w) {
					t.Errorf("paragraph holds %q:\n%s", w, p)
				}
			}
			if strings.Contains(p, "\n") {
				t.Errorf("paragraph has line breaks")
			}
		})
	}
}

// TestClock: a live capture dated before the router's kernel was built is
// flagged with a lower bound; so is any capture dated before a server made
// its DUID-LLT; an honest clock is not flagged, and analyze ignores the
// local kernel.
func TestClock(t *testing.T) {
	res := analyze(t, "kea-healthy.pcapng")
	first := res.Stats.First
	run := fixedRun("kea-healthy.pcapng")
	if d := report.NewDocument(run, res); d.Clock.Suspect || d.Clock.Zone != "UTC" {
		t.Errorf("honest clock flagged: %+v", d.Clock)
	}
	run.Host = &hostinfo.Host{Kernel: "5.15", KernelBuilt: first.Add(30 * 24 * time.Hour)}
	d := report.NewDocument(run, res)
	if !d.Clock.Suspect || d.Clock.BehindAtLeast < 30*24*3600-1 || !strings.Contains(d.Clock.Note, "kernel") || !strings.Contains(d.Clock.Note, "30 days") {
		t.Errorf("kernel built after the capture: %+v", d.Clock)
	}
	if !strings.Contains(d.Verdict.ForISP, "clock looks wrong") {
		t.Errorf("the ISP paragraph does not warn about the clock")
	}
	run.Mode = "analyze"
	if d := report.NewDocument(run, res); d.Clock.Suspect {
		t.Errorf("analyze judged a foreign capture by the local kernel: %+v", d.Clock)
	}
	// Kea made its DUID-LLT at 2026-11-23 14:1x (server time): a capture
	// stamped in 2020 is before it.
	old := *res
	old.Stats.First = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	d = report.NewDocument(report.Run{Mode: "analyze"}, &old)
	if !d.Clock.Suspect || !strings.Contains(d.Clock.Note, "DUID-LLT") {
		t.Errorf("capture before the server's DUID-LLT: %+v", d.Clock)
	}
}

// TestRouterAndVLAN: the router's facts and the WAN VLAN reach every
// format.
func TestRouterAndVLAN(t *testing.T) {
	run := fixedRun("kea-healthy.pcapng")
	run.Host = &hostinfo.Host{Model: "TP-Link Archer C7 v5", Release: "OpenWrt 23.05.3 r23809-234f1a2efa", Kernel: "5.15.150"}
	run.Interface.VLAN = &hostinfo.VLAN{ID: 7, Priority: 1, Parent: "eth0"}
	doc := report.NewDocument(run, analyze(t, "kea-healthy.pcapng"))
	for format, text := range renderAll(t, doc) {
		for _, w := range []string{"TP-Link Archer C7 v5", "OpenWrt 23.05.3", "5.15.150"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", format, w)
			}
		}
		if format != "json" && !strings.Contains(text, "id 7, priority 1") {
			t.Errorf("%s lacks the VLAN", format)
		}
	}
	if !strings.Contains(doc.Verdict.ForISP, "(VLAN 7, priority 1)") {
		t.Errorf("ISP paragraph lacks the VLAN: %s", doc.Verdict.ForISP)
	}
}

// TestShapesAndStatus: what the Solicits asked and every status code.
func TestShapesAndStatus(t *testing.T) {
	d := report.NewDocument(fixedRun("radvd-no-dhcpv6.pcapng"), analyze(t, "radvd-no-dhcpv6.pcapng"))
	s := d.DHCPv6.SolicitShapes
	if len(s) != 1 || len(s[0].Frames) != 4 || len(s[0].IANA) != 1 || len(s[0].IAPD) != 1 || s[0].IAPD[0].Hint != 48 {
		t.Errorf("solicit shapes %+v", s)
	}
	d = report.NewDocument(fixedRun("kea-healthy.pcapng"), analyze(t, "kea-healthy.pcapng"))
	if n := len(d.DHCPv6.StatusCodes); n != 3 {
		t.Errorf("%d status codes, want Kea's 3 in the Release's Reply: %+v", n, d.DHCPv6.StatusCodes)
	}
	for _, e := range d.Timeline {
		if e.Kind == "Reply" && (e.ServerID == "" || !strings.Contains(e.Detail, "IA_PD")) {
			t.Errorf("Reply frame %d: server_id %q detail %q", e.Frame, e.ServerID, e.Detail)
		}
		if e.Kind == "RA" && !strings.Contains(e.Detail, "M=1 O=1; router lifetime 300s") {
			t.Errorf("RA detail %q", e.Detail)
		}
	}
}

// TestTextWidth: report.txt's prose fits 80 columns (the timeline table
// and single unbreakable words aside), and holds no terminal codes.
func TestTextWidth(t *testing.T) {
	for _, tc := range cases {
		_, txt, _ := render(t, tc.name, tc.capture)
		if bytes.Contains(txt, []byte("\033")) {
			t.Errorf("%s: report.txt holds escape codes", tc.name)
		}
		head, _, _ := strings.Cut(string(txt), "\nTimeline:")
		for _, line := range strings.Split(head, "\n") {
			if len([]rune(line)) > 80 && len(strings.Fields(line)) > 2 {
				t.Errorf("%s: %d columns: %s", tc.name, len([]rune(line)), line)
			}
		}
	}
}

// TestSummaryColour: colour only when asked (a terminal that wants it).
func TestSummaryColour(t *testing.T) {
	doc, _, _ := render(t, "radvd-no-dhcpv6", "radvd-no-dhcpv6.pcapng")
	var plain, col bytes.Buffer
	report.WriteSummaryStyle(&plain, doc, "", report.Style{})
	report.WriteSummaryStyle(&col, doc, "", report.Style{Color: true})
	if bytes.Contains(plain.Bytes(), []byte("\033")) || !bytes.Contains(col.Bytes(), []byte("\033[1;31mno-dhcpv6-reply\033[0m")) {
		t.Errorf("plain %q\ncolour %q", plain.String(), col.String())
	}
}

// TestAttemptsRendered: the strategy ladder's table reaches report.md and
// report.html when a run made several attempts.
func TestAttemptsRendered(t *testing.T) {
	run := fixedRun("kea-healthy.pcapng")
	run.Strategy = "all"
	run.Attempts = []report.AttemptPlan{
		{Index: 1, Label: "IA_NA+IA_PD, /48 hint", Netifd: uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 48}},
		{Index: 2, Label: "IA_PD only, no hint", Netifd: uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressNone, ReqPrefix: uciconfig.ReqPrefixAuto}},
	}
	res := analyze(t, "kea-healthy.pcapng")
	res.Attempts = []diag.AttemptResult{{Index: 1, Verdict: diag.Verdict{Code: diag.CodeNoPrefixOffered}, StatusCodes: []string{"NoPrefixAvail"}, FirstFrame: 1, LastFrame: 4},
		{Index: 2, Verdict: diag.Verdict{Code: diag.CodeOK}, DelegatedPrefixLength: 48, FirstFrame: 5, LastFrame: 8}}
	res.BestAttempt = 2
	doc := report.NewDocument(run, res)
	out := renderAll(t, doc)
	for _, w := range []string{"## Attempts", "| 2 (best) |", "IA_PD only, no hint", "ok, /48 delegated", "NoPrefixAvail", "reqaddress none, reqprefix auto"} {
		if !strings.Contains(out["md"], w) {
			t.Errorf("report.md lacks %q", w)
		}
	}
	for _, w := range []string{`id="attempts"`, `<tr class="best"><td>2 (best)</td>`, "reqaddress none, reqprefix auto"} {
		if !strings.Contains(out["html"], w) {
			t.Errorf("report.html lacks %q", w)
		}
	}
}

// analyzeShared runs the offline analysis (v6diag analyze) on a capture of
// ../../shared/captures, skipping when the folder is not there.
func analyzeShared(t *testing.T, name string) *diag.Result {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "captures", name)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("shared capture: %v", err)
	}
	defer f.Close()
	rd, err := capture.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	a := diag.NewAnalyzer(diag.Facts{})
	for {
		fr, err := rd.Next()
		if err != nil {
			break
		}
		a.Add(fr)
	}
	return a.Finish()
}

// TestISPParagraphSaysWhatTheCaptureShows: the paragraph of a capture
// made elsewhere opens with what the file holds, never with "RA and
// DHCPv6 prefix delegation" when it shows neither.
func TestISPParagraphSaysWhatTheCaptureShows(t *testing.T) {
	for _, tc := range []struct{ capture, opens, then string }{
		{"the-tcpdump-group_tcpdump__tests_dhcpv6-ia-na.pcap", "a capture of the router with WAN MAC 00:01:02:03:04:05 shows a DHCPv6 exchange for an address, without prefix delegation.",
			"The capture holds no Router Solicitation or Advertisement"},
		{"zeek_zeek__testing_btest_Traces_icmp_icmp6-router-solicit.pcap", "shows Router Solicitations and no Router Advertisement.",
			"sent 1 Router Solicitation and no Router Advertisement came back"},
		{"the-tcpdump-group_tcpdump__tests_dhcpv6-domain-list.pcap", "shows only the DHCPv6 server's messages.", ""},
		{"the-tcpdump-group_tcpdump__tests_dhcpv6-mud.pcap", "shows a DHCPv6 exchange for an address, without prefix delegation, relayed.", ""},
		{"zeek_zeek__testing_btest_Traces_pppoe.pcap", "shows Router Advertisements and a DHCPv6 exchange for a delegated prefix.", ""},
	} {
		t.Run(tc.capture, func(t *testing.T) {
			run := fixedRun(tc.capture)
			run.Mode = "analyze"
			p := report.NewDocument(run, analyzeShared(t, tc.capture)).Verdict.ForISP
			if !strings.Contains(p, tc.opens) || !strings.Contains(p, tc.then) {
				t.Errorf("paragraph:\n%s\nwant %q and %q", p, tc.opens, tc.then)
			}
			if strings.Contains(p, "prefix delegation) on") || strings.Contains(p, "we tested") {
				t.Errorf("paragraph claims a test the capture does not show:\n%s", p)
			}
		})
	}
}
