package e2e

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// plantedPassword stands for a PPPoE password in the router's config: it
// must never reach a report file or the bundle.
const plantedPassword = "Pl4nted-PPPoE-Secret-7781"

// tarMembers reads report.tar.gz: member name → content, checking each is
// a regular file with mode 0600.
func tarMembers(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tr := tar.NewReader(zr)
	m := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return m
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Typeflag != tar.TypeReg || h.Mode != 0o600 || strings.Contains(h.Name, "/") {
			t.Errorf("%s: member %s type %c mode %o; want a flat regular file, mode 0600", path, h.Name, h.Typeflag, h.Mode)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		m[h.Name] = b
	}
}

// outputFiles reads every file v6diag wrote, but network.suggested (the
// whole config, for the user's eyes only).
func outputFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, e := range entries {
		if e.Name() == "network.suggested" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = b
	}
	return m
}

// TestReportFiles runs the real binary against Kea and radvd three times —
// plain, --redact, --redact --redact-keep-pcap — with a network config
// holding a PPPoE password, and checks the output folder and the bundle:
// every report format, mode 0600, the members of report.tar.gz, no
// password anywhere, and no MAC, DUID, EUI-64 id or prefix of the line in
// the redacted files.
func TestReportFiles(t *testing.T) {
	bed := testbed.New(t)
	healthyISP(t, bed, false)
	cfg := filepath.Join(bed.Dir, "network")
	config := "config interface 'wan'\n\toption device '" + bed.CPEIf + "'\n\toption proto 'pppoe'\n\toption username 'user@isp'\n\toption password '" +
		plantedPassword + "'\n\toption ipv6 'auto'\n\nconfig interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n"
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(name string, extra ...string) (runResult, string) {
		out := filepath.Join(bed.Dir, "out-"+name)
		r, _ := runV6diagArgs(t, bed, out, append([]string{"-i", bed.CPEIf, "--config", cfg, "--timeout", "10s"}, extra...)...)
		if r.exit != 0 || r.report.Verdict.Code != "ok" {
			t.Fatalf("%s: exit %d verdict %s\n%s\n%s", name, r.exit, r.report.Verdict.Code, r.stdout, r.stderr)
		}
		return r, out
	}

	plain, out := run("plain")
	for _, name := range []string{"report.txt", "report.json", "report.md", "report.html", "report.tar.gz", "capture.pcapng"} {
		st, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Errorf("%s missing: %v", name, err)
			continue
		}
		if st.Mode().Perm() != 0o600 || st.Size() == 0 {
			t.Errorf("%s: mode %v size %d; want 0600, not empty", name, st.Mode().Perm(), st.Size())
		}
	}
	files := outputFiles(t, out)
	members := tarMembers(t, filepath.Join(out, "report.tar.gz"))
	var names []string
	for n := range members {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"capture.pcapng", "report.html", "report.json", "report.md", "report.txt"}
	if _, ok := files["network.diff"]; ok {
		want = append([]string{"capture.pcapng", "network.diff", "network.uci"}, want[1:]...)
	}
	if !slices.Equal(names, want) {
		t.Errorf("report.tar.gz holds %v, want %v", names, want)
	}
	for _, n := range []string{"report.txt", "report.json", "report.md", "report.html", "capture.pcapng"} {
		if string(members[n]) != string(files[n]) {
			t.Errorf("bundled %s differs from the file in the folder", n)
		}
	}
	if !strings.Contains(string(files["report.html"]), "<svg") || !strings.Contains(string(files["report.md"]), "## For the ISP") {
		t.Errorf("report.html or report.md lacks its diagram or ISP paragraph")
	}
	noSecret := func(where string, m map[string][]byte) {
		for n, b := range m {
			if strings.Contains(string(b), plantedPassword) {
				t.Errorf("%s %s holds the config's password", where, n)
			}
		}
	}
	noSecret("file", files)
	noSecret("bundle member", members)

	// The identifiers of this line, as the plain report names them.
	var doc struct {
		Link struct {
			ClientMAC       string `json:"client_mac"`
			ClientLinkLocal string `json:"client_link_local"`
		} `json:"link"`
	}
	if err := json.Unmarshal(files["report.json"], &doc); err != nil {
		t.Fatal(err)
	}
	secrets := []string{plain.report.DUID.Hex, plain.report.Interface.MAC, plain.report.Interface.LinkLocal, doc.Link.ClientMAC,
		doc.Link.ClientLinkLocal, "2001:db8:1::53", "2001:db8:1::/64"}
	for _, s := range plain.report.DHCPv6.Servers {
		secrets = append(secrets, s.ServerID)
	}
	for _, r := range plain.report.RA.Routers {
		secrets = append(secrets, r.SourceMAC, r.Source)
	}
	for _, p := range plain.report.DHCPv6.DelegatedPrefixes {
		secrets = append(secrets, p.Prefix)
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatalf("the plain report lacks an identifier: %q", secrets)
		}
	}

	_, rout := run("redact", "--redact")
	rfiles := outputFiles(t, rout)
	rmembers := tarMembers(t, filepath.Join(rout, "report.tar.gz"))
	if _, ok := rmembers["capture.pcapng"]; ok {
		t.Errorf("--redact bundled the unredacted capture")
	}
	if _, ok := rmembers["report.html"]; !ok {
		t.Errorf("--redact bundle lacks report.html: %v", rmembers)
	}
	delete(rfiles, "capture.pcapng") // the raw capture stays in the folder, unredacted by design
	noSecret("redacted file", rfiles)
	noSecret("redacted bundle member", rmembers)
	for where, m := range map[string]map[string][]byte{"file": rfiles, "bundle member": rmembers} {
		for n, b := range m {
			low := strings.ToLower(string(b))
			for _, s := range secrets {
				if strings.Contains(low, strings.ToLower(s)) {
					t.Errorf("redacted %s %s holds %q", where, n, s)
				}
			}
		}
	}
	if !strings.Contains(string(rfiles["report.txt"]), "xx:xx:") {
		t.Errorf("redacted report.txt shows no masked MAC")
	}

	_, kout := run("redact-keep", "--redact", "--redact-keep-pcap")
	if _, ok := tarMembers(t, filepath.Join(kout, "report.tar.gz"))["capture.pcapng"]; !ok {
		t.Errorf("--redact-keep-pcap left the capture out of the bundle")
	}
}

// TestReportBundleWithDiff: a line that delegates prefixes but no
// addresses, and a wan6 with reqaddress 'force', whose odhcp6c discards
// every offer: v6diag suggests reqaddress 'try', proven by an attempt;
// network.diff goes into the bundle with the PPPoE password of the
// neighbouring lines masked, and network.suggested never does.
func TestReportBundleWithDiff(t *testing.T) {
	bed := testbed.New(t)
	bed.StartRadvd(t, testbed.RadvdConfig{Managed: true, Other: true, Prefix: netip.MustParsePrefix("2001:db8:1::/64"), NoAutonomous: true})
	bed.StartKea(t, testbed.KeaConfig{PDPrefix: netip.MustParsePrefix("2001:db8:8000::/36"), PDDelegatedLen: 48})
	cfg := filepath.Join(bed.Dir, "network")
	config := "config interface 'wan'\n\toption device '" + bed.CPEIf + "'\n\toption proto 'dhcp'\n\toption password '" + plantedPassword +
		"'\n\nconfig interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n\toption password '" + plantedPassword +
		"'\n\toption reqaddress 'force'\n\toption reqprefix '48'\n\nconfig interface 'lan'\n\toption proto 'static'\n\toption ip6assign '48'\n"
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(bed.Dir, "out")
	r, _ := runV6diagArgs(t, bed, out, "-i", bed.CPEIf, "--config", cfg, "--timeout", "14s")
	if r.report.Verdict.Code != "config-blocks-prefix" || r.report.RouterClient.Suggestion == nil {
		t.Fatalf("verdict %s, suggestion %+v; want config-blocks-prefix with one\n%s\n%s", r.report.Verdict.Code, r.report.RouterClient.Suggestion, r.stdout, r.stderr)
	}
	files := outputFiles(t, out)
	members := tarMembers(t, filepath.Join(out, "report.tar.gz"))
	if _, ok := files["network.diff"]; !ok {
		t.Fatalf("no network.diff written for a reqaddress 'force' wan6 on a prefix-only line; files: %v", len(files))
	}
	if string(members["network.diff"]) == "" {
		t.Errorf("network.diff is not in the bundle")
	}
	t.Logf("network.diff in the bundle:\n%s", members["network.diff"])
	if !strings.Contains(string(members["network.uci"]), "set network.wan6.reqaddress=") {
		t.Errorf("network.uci is not in the bundle, or sets no reqaddress:\n%s", members["network.uci"])
	}
	if _, ok := members["network.suggested"]; ok {
		t.Errorf("network.suggested is in the bundle")
	}
	for where, m := range map[string]map[string][]byte{"file": files, "bundle member": members} {
		for n, b := range m {
			if strings.Contains(string(b), plantedPassword) {
				t.Errorf("%s %s holds the config's password", where, n)
			}
		}
	}
}
