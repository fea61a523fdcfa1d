package e2e

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// emulatedReport is what the emulation tests compare between builds, beyond
// reportJSON: which capture path the tool took.
type emulatedReport struct {
	Capture struct {
		Method string `json:"method"`
		// KernelDrops is null where the kernel gives no count: qemu-user
		// does not translate PACKET_STATISTICS.
		KernelDrops *int `json:"kernel_drops"`
	} `json:"capture"`
}

// runEmulated runs `v6diag run` built for target under its qemu-user
// emulator in the CPE namespace, like runV6diag does for the native build.
// The native build runs through the same function with a zero Target.
func runEmulated(t *testing.T, bed *testbed.Bed, target testbed.Target, bin string, args ...string) (runResult, emulatedReport) {
	t.Helper()
	command := []string{bin}
	if target.Qemu != "" {
		command = []string{target.Qemu, bin}
	}
	r, extra := runCommand(t, bed, command, args...)
	drops := "unknown"
	if d := extra.Capture.KernelDrops; d != nil {
		drops = strconv.Itoa(*d)
	}
	t.Logf("v6diag (%s) exit %d in %s, capture %q, kernel drops %s: %s", orNative(target.Name), r.exit, r.wall,
		extra.Capture.Method, drops, r.report.Verdict.Summary)
	return r, extra
}

// runCommand runs `command... run --out DIR -i <CPE veth> args...` in the
// CPE namespace, where command is the v6diag binary, perhaps behind an
// emulator or /usr/bin/time, and reads report.json.
func runCommand(t *testing.T, bed *testbed.Bed, command []string, args ...string) (runResult, emulatedReport) {
	t.Helper()
	out := filepath.Join(bed.Dir, "out-"+strings.ReplaceAll(t.Name(), "/", "_"))
	full := append(append(command[1:len(command):len(command)], "run", "--out", out, "-i", bed.CPEIf,
		"--config", os.DevNull), args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := runExec(t, bed.ExecCPE(ctx, command[0], full...))
	r := runResult{exit: e.exit, stdout: e.stdout, stderr: e.stderr, out: out, wall: e.wall}
	raw, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("report.json: %v\nexit %d\nstdout:\n%s\nstderr:\n%s", err, r.exit, r.stdout, r.stderr)
	}
	var extra emulatedReport
	if err := json.Unmarshal(raw, &r.report); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	if err := json.Unmarshal(raw, &extra); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	return r, extra
}

func orNative(name string) string {
	if name == "" {
		return "native"
	}
	return name
}

// emulatedFacts are the facts of a run that must not depend on the
// architecture v6diag was built for.
type emulatedFacts struct {
	exit      int
	verdict   string
	solicits  int
	delegated []string // prefix lengths of confirmed prefixes, e.g. "/48"
	routers   int
	managed   bool
}

func factsOf(r runResult) emulatedFacts {
	f := emulatedFacts{exit: r.exit, verdict: r.report.Verdict.Code, solicits: r.report.DHCPv6.Solicits,
		routers: len(r.report.RA.Routers)}
	for _, p := range r.report.DHCPv6.DelegatedPrefixes {
		if p.Confirmed {
			f.delegated = append(f.delegated, "/"+strings.SplitN(p.Prefix, "/", 2)[1])
		}
	}
	if f.routers > 0 {
		f.managed = r.report.RA.Routers[0].Managed
	}
	return f
}

// The mips (big-endian, soft float) and arm (GOARMv7) builds, run under
// qemu-user in the CPE namespace against real radvd and Kea, reach the same
// verdict and the same key facts as the native build: on the healthy line
// "ok" with one confirmed /48 from Kea's pool after one Solicit, and without a
// DHCPv6 server "no-dhcpv6-reply" with the Solicits RFC 8415's schedule
// sends in the timeout. The report names the capture path each took.
func TestEmulatedRouters(t *testing.T) {
	if testing.Short() {
		t.Skip("emulated runs take a while; skipped with -short")
	}
	scenarios := []struct {
		name  string
		want  string // verdict code
		setup func(t *testing.T, bed *testbed.Bed)
		args  []string
		check func(t *testing.T, r runResult)
	}{
		{
			name:  "healthy",
			want:  "ok",
			setup: func(t *testing.T, bed *testbed.Bed) { healthyISP(t, bed, false) },
			args:  []string{"--timeout", "20s"},
			check: func(t *testing.T, r runResult) {
				d := r.report.DHCPv6
				if len(d.DelegatedPrefixes) != 1 {
					t.Fatalf("delegated %+v; want one /48", d.DelegatedPrefixes)
				}
				pd := netip.MustParsePrefix(d.DelegatedPrefixes[0].Prefix)
				if pd.Bits() != 48 || !netip.MustParsePrefix("2001:db8:8000::/36").Contains(pd.Addr()) {
					t.Errorf("delegated %s, want a /48 from Kea's pool 2001:db8:8000::/36", pd)
				}
				if !r.hasFinding("dhcpv6-release-confirmed") {
					t.Errorf("no dhcpv6-release-confirmed finding")
				}
			},
		},
		{
			name: "no-dhcpv6",
			want: "no-dhcpv6-reply",
			setup: func(t *testing.T, bed *testbed.Bed) {
				bed.StartRadvd(t, testbed.RadvdConfig{Managed: true, Other: true, Prefix: netip.MustParsePrefix("2001:db8:1::/64")})
			},
			args: []string{"--timeout", "8s"},
			check: func(t *testing.T, r runResult) {
				if !r.hasFinding("dhcpv6-no-reply") {
					t.Error("no dhcpv6-no-reply finding")
				}
			},
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			var native emulatedFacts
			for _, target := range append([]testbed.Target{{}}, testbed.Targets...) {
				ok := t.Run(orNative(target.Name), func(t *testing.T) {
					// Built before the testbed exists: a cold cross build
					// takes minutes on a busy machine.
					bin := testbed.BuildV6diag(t)
					if target.Qemu != "" {
						bin = testbed.BuildV6diagFor(t, target)
					}
					bed := testbed.New(t)
					sc.setup(t, bed)
					r, extra := runEmulated(t, bed, target, bin, sc.args...)
					if extra.Capture.Method == "" {
						t.Errorf("report.json names no capture method")
					}
					if r.report.Verdict.Code != sc.want {
						t.Fatalf("verdict %q (%s); want %q\nstderr:\n%s", r.report.Verdict.Code, r.report.Verdict.Summary, sc.want, r.stderr)
					}
					sc.check(t, r)
					got := factsOf(r)
					if target.Qemu == "" {
						native = got
						return
					}
					if got.exit != native.exit || got.verdict != native.verdict || got.routers != native.routers ||
						got.managed != native.managed || strings.Join(got.delegated, ",") != strings.Join(native.delegated, ",") {
						t.Errorf("%s facts %+v; native %+v", target.Name, got, native)
					}
					// Solicits follow the clock, and the emulated run starts
					// later: allow one fewer in the no-server case.
					if got.solicits != native.solicits && (sc.name == "healthy" || got.solicits < native.solicits-1 || got.solicits > native.solicits) {
						t.Errorf("%s sent %d Solicits; native %d", target.Name, got.solicits, native.solicits)
					}
				})
				if !ok && target.Qemu == "" {
					t.Fatal("native run failed: nothing to compare with")
				}
			}
		})
	}
}
