package testisp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
	"github.com/v6diag/v6diag/internal/testtools/testisp"
)

type report struct {
	Verdict struct {
		Code    string `json:"code"`
		Summary string `json:"summary"`
	} `json:"verdict"`
	RA struct {
		Routers []struct {
			Source string `json:"source"`
		} `json:"routers"`
	} `json:"ra"`
	DHCPv6 struct {
		DelegatedPrefixes []struct {
			Prefix    string `json:"prefix"`
			Confirmed bool   `json:"confirmed"`
		} `json:"delegated_prefixes"`
	} `json:"dhcpv6"`
	Findings []struct {
		ID string `json:"id"`
	} `json:"findings"`
}

func runV6diag(t *testing.T, bed *testbed.Bed, name string, args ...string) (report, int) {
	t.Helper()
	bin := testbed.BuildV6diag(t)
	out := filepath.Join(bed.Dir, "out-"+name)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	full := append([]string{"run", "--out", out, "-i", bed.CPEIf, "--config", os.DevNull}, args...)
	cmd := bed.ExecCPE(ctx, bin, full...)
	var se bytes.Buffer
	cmd.Stderr = &se
	err := cmd.Run()
	exit := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		exit = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("v6diag: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("report.json: %v\n%s", err, se.String())
	}
	var r report
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	t.Logf("v6diag exit %d: %s %s", exit, r.Verdict.Code, r.Verdict.Summary)
	return r, exit
}

// v6diag against the healthy scenario: verdict ok, the test ISP's /48
// delegated and confirmed, and the ISP's log shows the whole exchange.
func TestHealthyScenario(t *testing.T) {
	bed := testbed.New(t)
	isp := testisp.Start(t, bed, testisp.Healthy())
	r, exit := runV6diag(t, bed, "healthy", "--timeout", "10s")
	if exit != 0 || r.Verdict.Code != "ok" {
		t.Fatalf("exit %d verdict %q (%s); want 0 ok\nISP log: %+v", exit, r.Verdict.Code, r.Verdict.Summary, isp.Log(t))
	}
	if len(r.DHCPv6.DelegatedPrefixes) != 1 || r.DHCPv6.DelegatedPrefixes[0].Prefix != testisp.HealthyDelegated.String() ||
		!r.DHCPv6.DelegatedPrefixes[0].Confirmed {
		t.Errorf("delegated %+v; want %s confirmed", r.DHCPv6.DelegatedPrefixes, testisp.HealthyDelegated)
	}
	if len(r.RA.Routers) != 1 || r.RA.Routers[0].Source != bed.ISPLinkLocal.String() {
		t.Errorf("routers %+v; want the ISP's link-local %s", r.RA.Routers, bed.ISPLinkLocal)
	}
	for _, k := range []string{"RS", "Solicit", "Request", "Release"} {
		if len(isp.Received(t, k)) == 0 {
			t.Errorf("the test ISP heard no %s", k)
		}
	}
	for _, k := range []string{"RA", "Advertise", "Reply"} {
		if len(isp.Sent(t, k)) == 0 {
			t.Errorf("the test ISP sent no %s", k)
		}
	}
}

// A flood of RAs from random routers with random prefixes, next to the
// healthy router and server: the ISP really sends the flood (the log
// counts it) and v6diag still finishes within its timeout with a report.
func TestRAFlood(t *testing.T) {
	bed := testbed.New(t)
	sc := testisp.Healthy()
	sc.Routers = append(sc.Routers, testisp.Router{
		IgnoreRS: true, RouterLifetime: testisp.Duration(time.Hour),
		Flood: &testisp.RAFlood{PerSecond: 200, Duration: testisp.Duration(3 * time.Second), RandomRouters: true, RandomPrefixes: true},
	})
	isp := testisp.Start(t, bed, sc)
	start := time.Now()
	// --passive: a healthy line's run ends within a tenth of a second,
	// before much of the flood; listening for the flood's length sees it.
	r, _ := runV6diag(t, bed, "flood", "--passive", "--timeout", "3s")
	if wall := time.Since(start); wall > 12*time.Second {
		t.Errorf("v6diag took %s under the flood; want it to end near --timeout", wall)
	}
	// Let the flood end, then count it and time it.
	deadline := start.Add(8 * time.Second)
	for time.Now().Before(deadline) && len(isp.Sent(t, "RA")) < 600 {
		time.Sleep(100 * time.Millisecond)
	}
	var floods []testisp.Entry
	for _, e := range isp.Sent(t, "RA") {
		if e.Note == "flood" {
			floods = append(floods, e)
		}
	}
	if len(floods) != 600 {
		t.Fatalf("the ISP logged %d flood RAs; want 600 (200/s for 3 s)", len(floods))
	}
	if span := floods[len(floods)-1].Time.Sub(floods[0].Time); span < 2900*time.Millisecond || span > 4*time.Second {
		t.Errorf("flood lasted %s; want 3 s", span)
	}
	if floods[0].SourceMAC == floods[1].SourceMAC {
		t.Errorf("two flood RAs from %s; want random routers", floods[0].SourceMAC)
	}
	if len(r.RA.Routers) < 10 {
		t.Errorf("report lists %d routers; want the flood's many", len(r.RA.Routers))
	}
	if r.Verdict.Code == "" {
		t.Error("no verdict")
	}
}
