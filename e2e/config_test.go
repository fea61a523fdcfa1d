package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// The suggested /etc/config/network, end to end: the real binary reads a
// corpus config with --config, writes network.suggested and network.diff
// into its output folder and never touches the config; `v6diag config
// --from report.json` prints the same diff again.

// corpusConfig copies uciconfig/testdata/NAME into dir and returns the
// copy's path and hash.
func corpusConfig(t *testing.T, dir, name string) (string, [32]byte) {
	t.Helper()
	root, err := testbed.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "uciconfig", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "network")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, sha256.Sum256(b)
}

func unchanged(t *testing.T, path string, want [32]byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(b) != want {
		t.Errorf("%s changed: v6diag must never write the config", path)
	}
}

// checkSuggestion asserts the two files are 0600, that every line the
// diff adds says why, that the diff applied by patch(1) to the config
// gives network.suggested, and that `v6diag config --from` prints the
// diff again. It returns the diff.
//
// With secrets in the config the diff masks them in its context lines,
// so it no longer applies to the file itself; patched is then false.
func checkSuggestion(t *testing.T, bin, out, config string, patched bool) string {
	t.Helper()
	for _, name := range []string{"network.suggested", "network.diff", "network.uci"} {
		st, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %o, want 600", name, st.Mode().Perm())
		}
	}
	suggested, _ := os.ReadFile(filepath.Join(out, "network.suggested"))
	diff, _ := os.ReadFile(filepath.Join(out, "network.diff"))
	for _, l := range strings.Split(string(diff), "\n") {
		if strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++") && strings.TrimSpace(l[1:]) != "" && !strings.Contains(l, "# v6diag: ") {
			t.Errorf("added line without a why comment: %q", l)
		}
	}
	if patch, err := exec.LookPath("patch"); err == nil && patched {
		patched := filepath.Join(t.TempDir(), "patched")
		if msg, err := exec.Command(patch, "--fuzz=0", "--batch", "-o", patched, "-i", filepath.Join(out, "network.diff"), config).CombinedOutput(); err != nil {
			t.Fatalf("patch: %v\n%s", err, msg)
		}
		if got, _ := os.ReadFile(patched); !bytes.Equal(got, suggested) {
			t.Errorf("the config patched with network.diff is not network.suggested:\n%s", got)
		}
	} else if patched {
		t.Log("patch not installed; network.diff not applied")
	}
	code, stdout, stderr := runCmd(t, exec.Command(bin, "config", "--from", filepath.Join(out, "report.json"), "--config", config))
	if code != 0 || stdout != string(diff) {
		t.Errorf("config --from: exit %d, stderr %q; printed diff differs from network.diff:\n%s", code, stderr, stdout)
	}
	checkUCIBatch(t, out, config)
	return string(diff)
}

// checkUCIBatch applies network.uci with OpenWrt's real uci to a copy of
// the config and commits it: `uci show network` must then be that of
// network.suggested. report.txt must say how to apply it.
func checkUCIBatch(t *testing.T, out, config string) {
	t.Helper()
	peers := testbed.NeedPeers(t)
	orig, _ := os.ReadFile(config)
	batch, _ := os.ReadFile(filepath.Join(out, "network.uci"))
	suggested, _ := os.ReadFile(filepath.Join(out, "network.suggested"))
	if got, want := peers.UCIShow(t, orig, batch), peers.UCIShow(t, suggested, nil); got != want {
		t.Errorf("uci show after network.uci:\n%s\nuci show of network.suggested:\n%s\nnetwork.uci:\n%s", got, want, batch)
	}
	txt, _ := os.ReadFile(filepath.Join(out, "report.txt"))
	if !bytes.Contains(bytes.Join(bytes.Fields(txt), []byte(" ")), []byte("uci batch < network.uci && uci commit network && ifup ")) {
		t.Errorf("report.txt does not say how to apply network.uci:\n%s", txt)
	}
}

// A live run against Kea delegating only /64s, with a 19.07 swconfig
// config: the router gets the /64 with its own wan6, and no setting gets
// it more, so nothing is written (issue 10); that lan's ip6assign '60'
// cannot come out of a /64 is said, with the setting to use, and the
// config is never touched.
func TestConfigSuggestionLive(t *testing.T) {
	bed := testbed.New(t)
	bed.StartRadvd(t, testbed.RadvdConfig{
		Managed: true, Other: true,
		Prefix: netip.MustParsePrefix("2001:db8:1::/64"), NoAutonomous: true,
		MinInterval: 30 * time.Second, MaxInterval: 60 * time.Second,
	})
	bed.StartKea(t, testbed.KeaConfig{
		AddressPool: "2001:db8:1::100-2001:db8:1::1ff",
		PDPrefix:    netip.MustParsePrefix("2001:db8:8000::/48"), PDDelegatedLen: 64,
	})
	config, hash := corpusConfig(t, bed.Dir, "openwrt_19.07_swconfig.network")
	out := filepath.Join(bed.Dir, "out-config")
	r, _ := runV6diagArgs(t, bed, out, "-i", bed.CPEIf, "--config", config, "--timeout", "10s")
	unchanged(t, config, hash)
	if r.exit == 2 {
		t.Fatalf("v6diag could not run: %s", r.stderr)
	}
	if rc := r.report.RouterClient; !strings.HasSuffix(rc.Prefix, "/64") || rc.Suggestion != nil || !strings.HasSuffix(rc.Config, "#wan6") {
		t.Fatalf("router_client %+v; want the /64 from the config's wan6 and no suggestion", rc)
	}
	if r.report.Verdict.Code != "prefix-smaller-than-requested" || r.report.Verdict.WhoMustAct != "isp" {
		t.Errorf("verdict %s/%s; want prefix-smaller-than-requested for the ISP", r.report.Verdict.Code, r.report.Verdict.WhoMustAct)
	}
	for _, name := range []string{"network.suggested", "network.diff"} {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Errorf("%s written, though no setting gets the router more", name)
		}
	}
	if !strings.Contains(r.stdout, "Consider ip6assign '64' on lan") {
		t.Errorf("stdout does not say what lan needs from a /64:\n%s", r.stdout)
	}
	unchanged(t, config, hash)
}

// An ISP that never answers DHCPv6: no config change can fix that, so no
// network.suggested or network.diff is written, and the run says so.
func TestConfigSuggestionISPSilent(t *testing.T) {
	bed := testbed.New(t)
	bed.StartRadvd(t, testbed.RadvdConfig{Managed: true, Other: true, Prefix: netip.MustParsePrefix("2001:db8:1::/64")})
	config, hash := corpusConfig(t, bed.Dir, "chaos_calmer_15.05.network")
	out := filepath.Join(bed.Dir, "out-silent")
	r, _ := runV6diagArgs(t, bed, out, "-i", bed.CPEIf, "--config", config, "--timeout", "5s")
	unchanged(t, config, hash)
	if r.exit != 1 || r.report.Verdict.Code != "no-dhcpv6-reply" {
		t.Fatalf("exit %d verdict %q; want 1 no-dhcpv6-reply\n%s", r.exit, r.report.Verdict.Code, r.stderr)
	}
	for _, name := range []string{"network.suggested", "network.diff", "network.uci"} {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Errorf("%s written, though the problem is the ISP's", name)
		}
	}
	if !strings.Contains(r.stdout, "No change to the network config gets the router more") {
		t.Errorf("stdout does not say no config change helps:\n%s", r.stdout)
	}
}

// analyze with --config on a hand-kept config without wan6 and a secret:
// the suggestion adds wan6 with the old 'ifname' syntax the file uses,
// masks the secret everywhere it prints, and keeps it in
// network.suggested. No namespaces needed.
func TestConfigSuggestionAnalyze(t *testing.T) {
	capFile := filepath.Join("..", "..", "shared", "captures", "zeek_zeek__testing_btest_Traces_pppoe.pcap")
	if _, err := os.Stat(capFile); err != nil {
		t.Skipf("shared capture: %v", err)
	}
	bin := testbed.BuildV6diag(t)
	dir := t.TempDir()
	config, _ := corpusConfig(t, dir, "commented_lists.network")
	// A WireGuard interface after wan, so the diff's context reaches it.
	const key = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
	b, _ := os.ReadFile(config)
	b = bytes.Replace(b, []byte("\nconfig switch\n"), []byte("\nconfig interface 'vpn'\n\toption proto 'wireguard'\n\toption private_key '"+key+"'\n\nconfig switch\n"), 1)
	if err := os.WriteFile(config, b, 0o644); err != nil {
		t.Fatal(err)
	}
	hash := sha256.Sum256(b)
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, stdout, stderr := runCmd(t, exec.CommandContext(ctx, bin, "analyze", "--out", out, "--config", config, capFile))
	// The config runs no DHCPv6 client while the ISP offers a prefix: the
	// config blocks it (exit 1), and adding a client fixes it.
	if code != 1 || !strings.Contains(stdout, "config-blocks-prefix") {
		t.Fatalf("exit %d: %s\n%s", code, stdout, stderr)
	}
	unchanged(t, config, hash)
	diff := checkSuggestion(t, bin, out, config, false)
	want := "+config interface 'wan6' # v6diag: no DHCPv6 client was configured on the WAN; this one runs odhcp6c with the settings that got a prefix\n" +
		"+\toption ifname '@wan' # v6diag: run on the link of interface wan\n" +
		"+\toption proto 'dhcpv6' # v6diag: odhcp6c asks for the address and prefix\n"
	if !strings.Contains(diff, want) {
		t.Errorf("network.diff does not add wan6 as expected:\n%s", diff)
	}
	suggested, _ := os.ReadFile(filepath.Join(out, "network.suggested"))
	if !bytes.Contains(suggested, []byte(key)) {
		t.Error("network.suggested lost the key: it must be the whole file")
	}
	batch, _ := os.ReadFile(filepath.Join(out, "network.uci"))
	for what, s := range map[string]string{"network.diff": diff, "network.uci": string(batch), "stdout": stdout, "stderr": stderr} {
		if strings.Contains(s, key) {
			t.Errorf("%s shows the WireGuard key", what)
		}
	}
	_, full, _ := runCmd(t, exec.Command(bin, "config", "--from", filepath.Join(out, "report.json"), "--config", config, "--full"))
	if strings.Contains(full, key) || !strings.Contains(full, "config interface 'wan6'") {
		t.Errorf("config --full must print the whole file, key masked:\n%s", full)
	}
	unchanged(t, config, hash)
}
