package e2e

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
	"github.com/v6diag/v6diag/internal/testtools/testbed/lines"
)

// The classic troubleshooting workflow of issue 10, with the real client:
// a tcpdump taken while `odhcp6c -Nforce -P48 -t120 WAN` runs, read by
// `v6diag analyze --client-args`; `v6diag run --passive` while odhcp6c
// starts; and `v6diag run` beside an odhcp6c that holds a lease.

// analyzeCapture runs `v6diag analyze` on the host (no namespace needed)
// and reads report.json.
func analyzeCapture(t *testing.T, bin, capture string, args ...string) (int, reportJSON, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	full := append(append([]string{"analyze", "--out", out}, args...), capture)
	code, stdout, stderr := runCmd(t, exec.Command(bin, full...))
	raw, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("analyze %v: exit %d, no report.json: %v\n%s\n%s", full, code, err, stdout, stderr)
	}
	var rep reportJSON
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	return code, rep, stdout
}

// A capture of the real odhcp6c with reqaddress 'force' on a line that
// delegates prefixes but has no addresses: odhcp6c discards every
// Advertise; analyze with its arguments says so, with the frame, and puts
// the blame on the config; with odhcp6c's default arguments on a capture
// of the default client, it says what that client got.
func TestAnalyzeClassicCapture(t *testing.T) {
	t.Parallel()
	testbed.NeedPeers(t)
	cfgs := lines.Configs()
	var force, def lines.Config
	for _, c := range cfgs {
		switch c.Name {
		case lines.ConfigForce48:
			force = c
		case lines.ConfigDefault:
			def = c
		}
	}
	pdOnly, _ := lines.Lookup(lines.KeaPrefixOnly)
	cells := []lines.Cell{{Line: pdOnly, Config: force}, {Line: pdOnly, Config: def}}
	lines.RunCells(t, cells, 2, func(t *testing.T, c lines.Cell) {
		bed := testbed.New(t)
		c.Line.Setup(t, bed)
		truth := lines.RunOdhcp6c(t, bed, c.Config, lines.NothingWait)
		bin := bed.Build(t)
		code, rep, stdout := analyzeCapture(t, bin, truth.CapturePath, "--client-args", c.Config.ArgString())
		rc := rep.RouterClient
		if rc.Config != "--client-args" || rc.Args != c.Config.ArgString() {
			t.Errorf("router_client config %q args %q", rc.Config, rc.Args)
		}
		switch c.Config.Name {
		case lines.ConfigForce48:
			if truth.Bound {
				t.Fatalf("the real odhcp6c -Nforce bound on a prefix-only line: %s", truth.Outcome())
			}
			if rc.Prefix != "" || code != 1 || rep.Verdict.Code != "config-blocks-prefix" || rep.Verdict.WhoMustAct != "user" {
				t.Errorf("exit %d, verdict %s/%s, router prefix %q: want 1, config-blocks-prefix for the user, none\n%s", code, rep.Verdict.Code, rep.Verdict.WhoMustAct, rc.Prefix, stdout)
			}
			if !strings.Contains(rc.Explanation, "odhcp6c -Nforce discards") || !strings.Contains(rc.Explanation, "it offers no address") {
				t.Errorf("explanation %q; want odhcp6c -Nforce discarding the Advertise for lack of an address", rc.Explanation)
			}
			// The same capture read with the default arguments: odhcp6c
			// would drop IA_NA and ask again — a Solicit this capture
			// lacks, so the prefix is a prediction.
			_, rep2, _ := analyzeCapture(t, bin, truth.CapturePath, "--client-args", "-P0 -t120")
			if rep2.RouterClient.Prefix == "" || !rep2.RouterClient.Predicted && !rep2.RouterClient.Incomplete {
				t.Errorf("with -P0: router_client %+v; want the offered prefix, marked predicted", rep2.RouterClient)
			}
		case lines.ConfigDefault:
			if got, want := prefixLen(t, rc.Prefix), truth.Prefix().Bits(); !truth.Prefix().IsValid() || got != want || rc.Predicted {
				t.Errorf("router_client prefix %q predicted %v; the real odhcp6c got %s", rc.Prefix, rc.Predicted, truth.Outcome())
			}
			if code != 0 || rep.Verdict.Code != "ok" {
				t.Errorf("exit %d verdict %s: %s", code, rep.Verdict.Code, rep.Verdict.Summary)
			}
		}
	})
}

// `v6diag run --passive` records what the router's own odhcp6c and the
// ISP exchange while it starts, and says what odhcp6c got: the same prefix
// the real odhcp6c reports to netifd.
func TestPassiveWhileOdhcp6cStarts(t *testing.T) {
	t.Parallel()
	testbed.NeedPeers(t)
	bed := testbed.New(t)
	l, _ := lines.Lookup(lines.KeaPrefixOnly)
	l.Setup(t, bed)
	cfg := lines.Configs()[0]
	cfgPath := filepath.Join(t.TempDir(), "network")
	if err := os.WriteFile(cfgPath, []byte(wan6Config(bed, cfg)), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := bed.Build(t)
	out := filepath.Join(bed.Dir, "passive")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := bed.ExecCPE(ctx, bin, "run", "--passive", "--timeout", "9s", "-i", bed.CPEIf, "--config", cfgPath, "--out", out, "--quiet")
	done := make(chan execResult, 1)
	go func() { done <- runExec(t, cmd) }()
	// v6diag opens its capture within a few hundred ms; odhcp6c's first
	// Solicit comes 0–1 s after it starts.
	time.Sleep(500 * time.Millisecond)
	o := bed.StartOdhcp6c(t, cfg.Args...)
	rec, ok, err := o.WaitEvent(lines.NothingWait+12*time.Second, testbed.Odhcp6cBound)
	if err != nil || !ok || len(rec.Prefixes) == 0 {
		t.Fatalf("the real odhcp6c did not bind a prefix (%v)\n%s", err, o.Log())
	}
	res := <-done
	var rep reportJSON
	readReport(t, out, &rep)
	rc := rep.RouterClient
	got, want := prefixLen(t, rc.Prefix), rec.Prefixes[0].Prefix.Bits()
	if rc.Prefix == "" || got != want || rc.Predicted {
		t.Fatalf("exit %d: router_client %+v; the real odhcp6c bound %s", res.exit, rc, rec.Prefixes[0].Prefix)
	}
	if p := netip.MustParsePrefix(rc.Prefix); p != rec.Prefixes[0].Prefix {
		t.Errorf("router_client.prefix %s, odhcp6c holds %s: the passive run must report the router's own lease", p, rec.Prefixes[0].Prefix)
	}
	if rep.DUID.Type != "DUID-LL" {
		t.Errorf("the passive report's client is %s; want odhcp6c's DUID-LL", rep.DUID.Type)
	}
	if !strings.Contains(rc.Explanation, "once it has dropped IA_NA") {
		t.Errorf("explanation %q; want the re-Solicit without IA_NA the real odhcp6c made", rc.Explanation)
	}
}

// With the real odhcp6c holding a lease on the WAN, `v6diag run` leaves it
// alone: no Release names odhcp6c's DUID, Kea still holds its prefix, and
// odhcp6c keeps it (no "unbound"; a renew afterwards is answered with the
// same prefix).
func TestRunLeavesOdhcp6cLeaseAlone(t *testing.T) {
	t.Parallel()
	testbed.NeedPeers(t)
	bed := testbed.New(t)
	l, _ := lines.Lookup(lines.KeaAddressesAndPrefix)
	isp := l.Setup(t, bed)
	cfg := lines.Configs()[0]
	o := bed.StartOdhcp6c(t, cfg.Args...)
	rec, ok, err := o.WaitEvent(lines.NothingWait+12*time.Second, testbed.Odhcp6cBound)
	if err != nil || !ok || len(rec.Prefixes) == 0 {
		t.Fatalf("odhcp6c did not bind (%v)\n%s", err, o.Log())
	}
	held := rec.Prefixes[0].Prefix
	routerDUID := dhcpv6.DUIDLL(bed.CPEMAC)
	cfgPath := filepath.Join(t.TempDir(), "network")
	if err := os.WriteFile(cfgPath, []byte(wan6Config(bed, cfg)), 0o644); err != nil {
		t.Fatal(err)
	}
	r, _ := runV6diagArgs(t, bed, filepath.Join(bed.Dir, "beside"), "-i", bed.CPEIf, "--config", cfgPath, "--timeout", "10s")
	if r.report.Verdict.Code != "ok" {
		t.Errorf("v6diag beside odhcp6c: %s %s", r.report.Verdict.Code, r.report.Verdict.Summary)
	}
	forEachDHCPv6(t, filepath.Join(r.out, "capture.pcapng"), func(m *dhcpv6.Message, _ int) {
		if m.ClientID.Equal(routerDUID) && (m.Type == dhcpv6.MessageTypeRelease || m.Type == dhcpv6.MessageTypeDecline) {
			t.Errorf("v6diag's capture holds a %s with the router's DUID %s", m.Type, routerDUID)
		}
	})
	if !keaHolds(t, isp.Kea, colonHex(routerDUID.String()), held) {
		t.Errorf("Kea no longer holds odhcp6c's %s after v6diag's run", held)
	}
	recs, err := o.Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Event == testbed.Odhcp6cUnbound || r.Event == testbed.Odhcp6cStopped {
			t.Errorf("odhcp6c went %q during v6diag's run", r.Event)
		}
	}
	if err := o.Renew(); err != nil {
		t.Fatal(err)
	}
	up, ok, err := o.WaitEvent(15*time.Second, testbed.Odhcp6cUpdated)
	if err != nil || !ok || len(up.Prefixes) == 0 || up.Prefixes[0].Prefix != held {
		t.Errorf("after v6diag's run, odhcp6c's renew: %+v (%v); want %s kept", up.Prefixes, err, held)
	}
}
