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

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// reportJSON is the part of report.json the tests read: the contract.
type reportJSON struct {
	Verdict struct {
		Code       string `json:"code"`
		Summary    string `json:"summary"`
		WhoMustAct string `json:"who_must_act"`
	} `json:"verdict"`
	RouterClient routerClientReport `json:"router_client"`
	Interface    struct {
		Name      string `json:"name"`
		MAC       string `json:"mac"`
		LinkLocal string `json:"link_local"`
	} `json:"interface"`
	DUID struct {
		Hex  string `json:"hex"`
		Type string `json:"type"`
	} `json:"duid"`
	Port546 string `json:"port_546"`
	RA      struct {
		Routers []struct {
			Source         string  `json:"source"`
			SourceMAC      string  `json:"source_mac"`
			Managed        bool    `json:"managed"`
			Other          bool    `json:"other"`
			RouterLifetime float64 `json:"router_lifetime_seconds"`
			Frames         []int   `json:"frames"`
		} `json:"routers"`
	} `json:"ra"`
	DHCPv6 struct {
		Solicits int `json:"solicits_sent"`
		Servers  []struct {
			ServerID string `json:"server_id"`
			Address  string `json:"address"`
		} `json:"servers"`
		DelegatedPrefixes []struct {
			Prefix    string `json:"prefix"`
			Confirmed bool   `json:"confirmed"`
		} `json:"delegated_prefixes"`
		Addresses []struct {
			Prefix string `json:"prefix"`
		} `json:"addresses"`
		DNS []string `json:"dns"`
	} `json:"dhcpv6"`
	Timeline []struct {
		Frame         int     `json:"frame"`
		Offset        float64 `json:"offset_seconds"`
		Direction     string  `json:"direction"`
		Kind          string  `json:"kind"`
		TransactionID string  `json:"transaction_id"`
	} `json:"timeline"`
	Findings []struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
		Frames   []int  `json:"frames"`
	} `json:"findings"`
	Capture struct {
		Frames int `json:"frames"`
	} `json:"capture"`
}

type runResult struct {
	exit   int
	stdout string
	stderr string
	out    string
	report reportJSON
	wall   time.Duration
}

// runV6diag runs `v6diag run -i <CPE veth>` in the CPE namespace, with no
// network config, and reads its report.
func runV6diag(t *testing.T, bed *testbed.Bed, args ...string) runResult {
	t.Helper()
	out := filepath.Join(bed.Dir, "out-"+strings.ReplaceAll(t.Name(), "/", "_"))
	full := append([]string{"-i", bed.CPEIf, "--config", os.DevNull}, args...)
	r, _ := runV6diagArgs(t, bed, out, full...)
	return r
}

// runV6diagArgs runs `v6diag run --out out args...` in the CPE namespace
// (no -i unless args has one) and returns the result and report.json.
func runV6diagArgs(t *testing.T, bed *testbed.Bed, out string, args ...string) (runResult, []byte) {
	t.Helper()
	bin := bed.Build(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := runExec(t, bed.ExecCPE(ctx, bin, append([]string{"run", "--out", out}, args...)...))
	r := runResult{exit: e.exit, stdout: e.stdout, stderr: e.stderr, out: out, wall: e.wall}
	raw, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("report.json: %v\nexit %d\nstdout:\n%s\nstderr:\n%s", err, r.exit, r.stdout, r.stderr)
	}
	if err := json.Unmarshal(raw, &r.report); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	t.Logf("v6diag exit %d in %s: %s", r.exit, r.wall, r.report.Verdict.Summary)
	return r, raw
}

func (r runResult) kinds() []string {
	var ks []string
	for _, e := range r.report.Timeline {
		ks = append(ks, e.Direction+":"+e.Kind)
	}
	return ks
}

func (r runResult) hasFinding(id string) bool {
	for _, f := range r.report.Findings {
		if f.ID == id {
			return true
		}
	}
	return false
}

// tsharkFrames lists what tshark reads in the capture, one line a frame, so
// tests can check the pcapng is valid and its frame numbers mean what the
// report says.
func tsharkFrames(t *testing.T, path string) []string {
	t.Helper()
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Log("tshark not installed; pcapng not cross-checked")
		return nil
	}
	out, err := exec.Command(tshark, "-r", path, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info").Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v", path, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

func healthyISP(t *testing.T, bed *testbed.Bed, rapid bool) *testbed.Kea {
	bed.StartRadvd(t, testbed.RadvdConfig{
		Managed: true, Other: true,
		Prefix: netip.MustParsePrefix("2001:db8:1::/64"), NoAutonomous: true,
		RDNSS:       []netip.Addr{netip.MustParseAddr("2001:db8:1::53")},
		MinInterval: 30 * time.Second, MaxInterval: 60 * time.Second,
	})
	return bed.StartKea(t, testbed.KeaConfig{
		AddressPool: "2001:db8:1::100-2001:db8:1::1ff",
		PDPrefix:    netip.MustParsePrefix("2001:db8:8000::/36"), PDDelegatedLen: 48,
		DNSServers:  []netip.Addr{netip.MustParseAddr("2001:db8:1::53")},
		RapidCommit: rapid,
	})
}

// A healthy line: RA with M and O, Kea delegating /48s. The run ends in
// "ok" with the /48 and the address in report.json, and Kea's log and lease
// file show that what v6diag obtained was released.
func TestHealthyLine(t *testing.T) {
	bed := testbed.New(t)
	kea := healthyISP(t, bed, false)
	r := runV6diag(t, bed, "--timeout", "10s")

	if r.exit != 0 || r.report.Verdict.Code != "ok" {
		t.Fatalf("exit %d verdict %q (%s); want 0 ok\nstdout:\n%s\nstderr:\n%s", r.exit, r.report.Verdict.Code, r.report.Verdict.Summary, r.stdout, r.stderr)
	}
	d := r.report.DHCPv6
	if len(d.DelegatedPrefixes) != 1 || !d.DelegatedPrefixes[0].Confirmed {
		t.Fatalf("delegated prefixes %+v; want one confirmed /48", d.DelegatedPrefixes)
	}
	pd := netip.MustParsePrefix(d.DelegatedPrefixes[0].Prefix)
	if pd.Bits() != 48 || !netip.MustParsePrefix("2001:db8:8000::/36").Contains(pd.Addr()) {
		t.Errorf("delegated %s, want a /48 from Kea's pool 2001:db8:8000::/36", pd)
	}
	if len(d.Addresses) != 1 || !strings.HasPrefix(d.Addresses[0].Prefix, "2001:db8:1::1") {
		t.Errorf("addresses %+v; want one from 2001:db8:1::100-1ff", d.Addresses)
	}
	if len(d.DNS) != 1 || d.DNS[0] != "2001:db8:1::53" {
		t.Errorf("dns %v", d.DNS)
	}
	if got := r.report.Interface; got.Name != bed.CPEIf || got.MAC != bed.CPEMAC.String() || got.LinkLocal != bed.CPELinkLocal.String() {
		t.Errorf("interface %+v; want %s %s %s", got, bed.CPEIf, bed.CPEMAC, bed.CPELinkLocal)
	}
	if r.report.DUID.Type != "DUID-UUID" {
		t.Errorf("DUID type %q; want v6diag's own DUID-UUID", r.report.DUID.Type)
	}
	if len(r.report.RA.Routers) != 1 || r.report.RA.Routers[0].Source != bed.ISPLinkLocal.String() ||
		!r.report.RA.Routers[0].Managed || !r.report.RA.Routers[0].Other {
		t.Errorf("routers %+v; want %s with M and O", r.report.RA.Routers, bed.ISPLinkLocal)
	}
	want := []string{"out:RS", "out:Solicit", "in:Advertise", "out:Request", "in:Reply", "out:Release", "in:Reply"}
	got := r.kinds()
	for _, k := range want {
		i := indexOf(got, k)
		if i < 0 {
			t.Fatalf("timeline %v lacks %s", got, k)
		}
		got = got[i+1:]
	}
	if !r.hasFinding("dhcpv6-release-confirmed") {
		t.Errorf("no dhcpv6-release-confirmed finding")
	}
	// Kea's own evidence of the Release.
	log := kea.WaitLog(t, "DHCP6_RELEASE_PD", 3*time.Second)
	if !strings.Contains(log, "prefix "+pd.String()) || !strings.Contains(log, "released properly") {
		t.Errorf("Kea log does not show %s released properly", pd)
	}
	leases, err := kea.Leases()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range testbed.CurrentLeases(leases) {
		if strings.ReplaceAll(l.DUID, ":", "") == r.report.DUID.Hex && !l.Released() {
			t.Errorf("Kea still holds %s for v6diag's DUID", l.Prefix())
		}
	}
	// The pcapng is valid and numbered as the report says.
	frames := tsharkFrames(t, filepath.Join(r.out, "capture.pcapng"))
	if frames != nil && len(frames) != r.report.Capture.Frames {
		t.Errorf("tshark reads %d frames, report says %d", len(frames), r.report.Capture.Frames)
	}
	for _, e := range r.report.Timeline {
		if frames != nil && e.Kind == "Release" && !strings.Contains(frames[e.Frame-1], "Release") {
			t.Errorf("report's frame %d is a Release; tshark says %q", e.Frame, frames[e.Frame-1])
		}
	}
}

// An ISP that sends RAs asking for DHCPv6 but runs no server: the run ends
// at --timeout with no-dhcpv6-reply, and the Solicits on the wire follow
// RFC 8415's SOL_TIMEOUT doubling with ±10% jitter.
func TestNoDHCPv6Server(t *testing.T) {
	bed := testbed.New(t)
	bed.StartRadvd(t, testbed.RadvdConfig{Managed: true, Other: true, Prefix: netip.MustParsePrefix("2001:db8:1::/64")})
	r := runV6diag(t, bed, "--timeout", "8s")
	if r.exit != 1 || r.report.Verdict.Code != "no-dhcpv6-reply" {
		t.Fatalf("exit %d verdict %q; want 1 no-dhcpv6-reply\n%s", r.exit, r.report.Verdict.Code, r.stderr)
	}
	var times []float64
	for _, e := range r.report.Timeline {
		if e.Kind == "Solicit" {
			times = append(times, e.Offset)
		}
	}
	// Solicits at ~0, ~1 (0.9–1.1), ~3 (RT 1.8–2.2 later), ~7 (RT 3.6–4.4 later).
	if len(times) < 3 {
		t.Fatalf("%d Solicits on the wire in 8 s; want at least 3", len(times))
	}
	first := times[1] - times[0]
	if first < 0.9 || first > 1.12 {
		t.Errorf("first retransmission after %.3fs; want 1s ±10%%", first)
	}
	second := times[2] - times[1]
	if second < 2*first-0.1*first-0.05 || second > 2*first+0.1*first+0.05 {
		t.Errorf("second gap %.3fs after first %.3fs; want 2×RT ± 10%%", second, first)
	}
	if r.report.DHCPv6.Solicits != len(times) {
		t.Errorf("solicits_sent %d, timeline has %d", r.report.DHCPv6.Solicits, len(times))
	}
	if !r.hasFinding("dhcpv6-no-reply") {
		t.Error("no dhcpv6-no-reply finding")
	}
	if r.wall < 7*time.Second || r.wall > 12*time.Second {
		t.Errorf("run took %s; want it to end near --timeout 8s", r.wall)
	}
}

// --solicit-only takes no lease: no Request, no Release, nothing in Kea for
// v6diag's DUID, and the offered prefix is reported unconfirmed.
func TestSolicitOnly(t *testing.T) {
	bed := testbed.New(t)
	kea := healthyISP(t, bed, false)
	r := runV6diag(t, bed, "--timeout", "10s", "--solicit-only")
	if r.exit != 0 || r.report.Verdict.Code != "ok" {
		t.Fatalf("exit %d verdict %q (%s)", r.exit, r.report.Verdict.Code, r.report.Verdict.Summary)
	}
	for _, k := range r.kinds() {
		if k == "out:Request" || k == "out:Release" {
			t.Errorf("--solicit-only sent %s", k)
		}
	}
	if len(r.report.DHCPv6.DelegatedPrefixes) != 1 || r.report.DHCPv6.DelegatedPrefixes[0].Confirmed {
		t.Errorf("delegated %+v; want one unconfirmed offer", r.report.DHCPv6.DelegatedPrefixes)
	}
	leases, err := kea.Leases()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leases {
		if strings.ReplaceAll(l.DUID, ":", "") == r.report.DUID.Hex {
			t.Errorf("Kea leased %s to v6diag in --solicit-only", l.Prefix())
		}
	}
}

// Another DHCPv6 client (dhcpcd) holds UDP port 546 and a lease on the same
// interface: v6diag still gets its answer, reports that the port was held,
// and dhcpcd's lease is neither released nor replaced.
func TestCoexistsWithClientOnPort546(t *testing.T) {
	bed := testbed.New(t)
	kea := healthyISP(t, bed, false)
	dc := bed.NewDhcpcd(t, testbed.DhcpcdPDConfig(bed.CPEIf))
	bed.Start(t, "dhcpcd", dc.Command(context.Background(), "-6", "-B", "-d", bed.CPEIf))
	kea.WaitLog(t, "DHCP6_PD_LEASE_ALLOC", 10*time.Second)
	before := clientLeases(t, kea, "")

	r := runV6diag(t, bed, "--timeout", "10s")
	if r.exit != 0 || r.report.Verdict.Code != "ok" {
		t.Fatalf("exit %d verdict %q (%s)\n%s", r.exit, r.report.Verdict.Code, r.report.Verdict.Summary, r.stderr)
	}
	if !strings.Contains(r.report.Port546, "held") {
		t.Errorf("port_546 %q; want it to say another client held the port", r.report.Port546)
	}
	after := clientLeases(t, kea, r.report.DUID.Hex)
	if len(before) == 0 {
		t.Fatal("dhcpcd obtained no lease before the run")
	}
	for p := range before {
		if !after[p] {
			t.Errorf("dhcpcd's lease %s is gone after the v6diag run", p)
		}
	}
}

// clientLeases returns the live leases Kea holds for DUIDs other than skip.
func clientLeases(t *testing.T, kea *testbed.Kea, skip string) map[netip.Prefix]bool {
	t.Helper()
	leases, err := kea.Leases()
	if err != nil {
		t.Fatal(err)
	}
	out := map[netip.Prefix]bool{}
	for _, l := range testbed.CurrentLeases(leases) {
		if !l.Released() && strings.ReplaceAll(l.DUID, ":", "") != skip {
			out[l.Prefix()] = true
		}
	}
	return out
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
