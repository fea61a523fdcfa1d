package e2e

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// A PPPoE WAN as OpenWrt configures it: wan is proto pppoe on the Ethernet
// device, wan6 is DHCPv6 on "@wan", so IPv6 runs on pppoe-wan, a PPP
// device with no MAC and no link header. v6diag, given only the config,
// picks pppoe-wan, captures raw IPv6 on it, derives its DUID from the
// Ethernet device's MAC, and gets a /48 from Kea across the PPP link.
func TestPPPoEHealthyLine(t *testing.T) {
	bed := testbed.New(t)
	start := time.Now()
	ppp := bed.StartPPPoE(t)
	t.Logf("PPPoE up in %s", time.Since(start))

	radvdOnPPP(t, bed, ppp.ISPIf, testbed.RadvdConfig{
		Managed: true, Other: true,
		Prefix: netip.MustParsePrefix("2001:db8:1::/64"), NoAutonomous: true,
		MinInterval: 30 * time.Second, MaxInterval: 60 * time.Second,
	})
	pdPool := netip.MustParsePrefix("2001:db8:8000::/36")
	kea := bed.StartKea(t, testbed.KeaConfig{
		AddressPool: "2001:db8:1::100-2001:db8:1::1ff",
		PDPrefix:    pdPool, PDDelegatedLen: 48,
		DNSServers: []netip.Addr{netip.MustParseAddr("2001:db8:1::53")},
		// On ppp0, not the veth: Kea listens there, and a client whose
		// source is link-local is placed in the subnet by interface.
		Mutate: func(dhcp6 map[string]any) {
			dhcp6["interfaces-config"] = map[string]any{"interfaces": []string{ppp.ISPIf}}
			for _, s := range dhcp6["subnet6"].([]any) {
				s.(map[string]any)["interface"] = ppp.ISPIf
			}
		},
	})

	config := filepath.Join(bed.Dir, "network")
	uci := "config interface 'wan'\n\toption device '" + bed.CPEIf + "'\n\toption proto 'pppoe'\n\toption username 'test'\n\toption password 'test'\n\n" +
		"config interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n"
	if err := os.WriteFile(config, []byte(uci), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(bed.Dir, "out-pppoe")
	r, raw := runV6diagArgs(t, bed, out, "--config", config, "--timeout", "10s")

	if r.exit != 0 || r.report.Verdict.Code != "ok" {
		t.Fatalf("exit %d verdict %q (%s); want 0 ok\nstdout:\n%s\nstderr:\n%s\nKea log:\n%s",
			r.exit, r.report.Verdict.Code, r.report.Verdict.Summary, r.stdout, r.stderr, kea.Log())
	}
	var extra struct {
		Interface struct {
			LinkType string `json:"link_type"`
			MTU      int    `json:"mtu"`
		} `json:"interface"`
	}
	if err := json.Unmarshal(raw, &extra); err != nil {
		t.Fatal(err)
	}
	if got := r.report.Interface; got.Name != "pppoe-wan" || got.MAC != "" || got.LinkLocal != ppp.CPELinkLocal.String() {
		t.Errorf("interface %+v; want pppoe-wan, no MAC, link-local %s", got, ppp.CPELinkLocal)
	}
	if extra.Interface.LinkType != "raw" || extra.Interface.MTU != ppp.MTU {
		t.Errorf("interface link_type %q mtu %d; want raw %d", extra.Interface.LinkType, extra.Interface.MTU, ppp.MTU)
	}
	// The DUID comes from wan's device (the veth under the PPPoE session),
	// not from a name-and-machine-id seed.
	if want := hex.EncodeToString(dhcpv6.StableDUID(bed.CPEMAC)); r.report.DUID.Hex != want || r.report.DUID.Type != "DUID-UUID" {
		t.Errorf("duid %s (%s); want StableDUID(%s) = %s", r.report.DUID.Hex, r.report.DUID.Type, bed.CPEMAC, want)
	}
	if !strings.Contains(r.stdout+string(raw), "DUID derived from "+bed.CPEIf+"'s MAC") {
		t.Errorf("the report does not say the DUID came from %s's MAC", bed.CPEIf)
	}

	d := r.report.DHCPv6
	if len(d.DelegatedPrefixes) != 1 || !d.DelegatedPrefixes[0].Confirmed {
		t.Fatalf("delegated prefixes %+v; want one confirmed /48", d.DelegatedPrefixes)
	}
	pd := netip.MustParsePrefix(d.DelegatedPrefixes[0].Prefix)
	if pd.Bits() != 48 || !pdPool.Contains(pd.Addr()) {
		t.Errorf("delegated %s, want a /48 from Kea's pool %s", pd, pdPool)
	}
	// Everything came over the PPP link: the router and the server speak
	// from ppp0's link-local address, and no frame has a MAC.
	if len(r.report.RA.Routers) != 1 || r.report.RA.Routers[0].Source != ppp.ISPLinkLocal.String() ||
		r.report.RA.Routers[0].SourceMAC != "" || !r.report.RA.Routers[0].Managed {
		t.Errorf("routers %+v; want %s (ppp0) with M, no MAC", r.report.RA.Routers, ppp.ISPLinkLocal)
	}
	if len(d.Servers) != 1 || d.Servers[0].Address != ppp.ISPLinkLocal.String() {
		t.Errorf("servers %+v; want one at %s", d.Servers, ppp.ISPLinkLocal)
	}
	// v6diag solicits at once, without waiting for the RA.
	want := []string{"out:RS", "out:Solicit", "in:Advertise", "out:Request", "in:Reply", "out:Release", "in:Reply"}
	got := r.kinds()
	if indexOf(got, "in:RA") < 0 {
		t.Errorf("timeline %v has no RA", got)
	}
	rest := got
	for _, k := range want {
		i := indexOf(rest, k)
		if i < 0 {
			t.Fatalf("timeline %v lacks %s in order %v", got, k, want)
		}
		rest = rest[i+1:]
	}

	// Without --no-release, v6diag releases what it got: Kea says so.
	log := kea.WaitLog(t, "DHCP6_RELEASE_PD", 3*time.Second)
	released := false
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "DHCP6_RELEASE_PD") && strings.Contains(line, "prefix "+pd.String()) &&
			strings.Contains(line, "released properly") {
			released = true
			t.Logf("Kea: %s", line)
		}
	}
	if !released {
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

	// The pcapng (link type raw) is valid and numbered as the report says.
	frames := tsharkFrames(t, filepath.Join(out, "capture.pcapng"))
	if frames != nil && len(frames) != r.report.Capture.Frames {
		t.Errorf("tshark reads %d frames, report says %d", len(frames), r.report.Capture.Frames)
	} else if frames != nil {
		t.Logf("tshark reads the same %d frames", len(frames))
	}
	for _, e := range r.report.Timeline {
		if frames != nil && e.Kind == "Release" && !strings.Contains(frames[e.Frame-1], "Release") {
			t.Errorf("report's frame %d is a Release; tshark says %q", e.Frame, frames[e.Frame-1])
		}
	}
	t.Logf("v6diag on pppoe-wan: %d frames, timeline %v, wall %s", r.report.Capture.Frames, got, r.wall)
}

// radvdOnPPP runs radvd for ifname in the ISP namespace (StartRadvd serves
// the veth only), with its files under bed.Dir, until the test ends.
func radvdOnPPP(t *testing.T, bed *testbed.Bed, ifname string, cfg testbed.RadvdConfig) {
	t.Helper()
	testbed.NeedBinary(t, "radvd", "apt-get install radvd")
	conf := filepath.Join(bed.Dir, "radvd-"+ifname+".conf")
	logPath := filepath.Join(bed.Dir, "radvd-"+ifname+".log")
	pidPath := filepath.Join(bed.Dir, "radvd-"+ifname+".pid")
	if err := os.WriteFile(conf, []byte(testbed.RadvdConf(ifname, cfg)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := bed.ExecISP(context.Background(), "radvd", "-c", "-C", conf).CombinedOutput(); err != nil {
		t.Fatalf("radvd rejected its config: %v\n%s", err, out)
	}
	proc := bed.Start(t, "radvd-"+ifname, bed.ExecISP(context.Background(), "radvd", "-n", "-d", "1",
		"-C", conf, "-p", pidPath, "-m", "logfile", "-l", logPath))
	t.Cleanup(func() { proc.Stop(5 * time.Second) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if proc.Exited() {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("radvd exited: %v\n%s", proc.Wait(), log)
		}
		if data, err := os.ReadFile(pidPath); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 && syscall.Kill(pid, 0) == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("radvd did not start on %s within 10s\n%s", ifname, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
