package testbed

import (
	"bufio"
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestRadvdReachesCPE(t *testing.T) {
	t.Parallel()
	b := New(t)
	NeedBinary(t, "tcpdump", "apt-get install tcpdump")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Capture the first Router Advertisement on the CPE's WAN.
	capture := b.ExecCPE(ctx, "tcpdump", "-l", "-n", "-v", "-i", b.CPEIf, "-c", "1",
		"icmp6 and ip6[40] == 134")
	stdout, err := capture.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderrPath := filepath.Join(b.Dir, "tcpdump.err")
	errFile, err := os.Create(stderrPath)
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	capture.Stderr = errFile
	if err := capture.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := WaitFile(stderrPath, "listening on", 10*time.Second); err != nil {
		t.Fatal(err)
	}

	prefix := netip.MustParsePrefix("2001:db8:1::/64")
	b.StartRadvd(t, RadvdConfig{Managed: true, Other: true, Prefix: prefix,
		RDNSS: []netip.Addr{netip.MustParseAddr("2001:db8:1::53")}})

	var lines []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := capture.Wait(); err != nil {
		t.Fatalf("tcpdump: %v\n%s", err, strings.Join(lines, "\n"))
	}
	got := strings.Join(lines, "\n")
	t.Logf("captured:\n%s", got)
	for _, want := range []string{"router advertisement", "managed", "other stateful", "router lifetime 1800s",
		"prefix info option", "Flags [onlink, auto]", "2001:db8:1::/64", "rdnss", "2001:db8:1::53",
		b.ISPLinkLocal.String() + " > ff02::1"} {
		if !strings.Contains(got, want) {
			t.Errorf("RA capture lacks %q", want)
		}
	}

	// The CPE's kernel took the RA: a default route via the ISP's link-local
	// address, and a SLAAC address in the prefix.
	deadline := time.Now().Add(10 * time.Second)
	for {
		route, _ := exec.Command("ip", "-n", b.CPE, "-6", "route", "show", "default").Output()
		addr, _ := exec.Command("ip", "-n", b.CPE, "-6", "addr", "show", "dev", b.CPEIf, "scope", "global").Output()
		if strings.Contains(string(route), "via "+b.ISPLinkLocal.String()) && strings.Contains(string(addr), "2001:db8:1:") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CPE did not configure from the RA:\nroute: %s\naddr: %s", route, addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestKeaDelegatesAndReleasesPrefix(t *testing.T) {
	t.Parallel()
	b := New(t)
	pdPool := netip.MustParsePrefix("2001:db8:8000::/36")
	kea := b.StartKea(t, KeaConfig{
		AddressPool:    "2001:db8:1::100-2001:db8:1::1ff",
		PDPrefix:       pdPool,
		PDDelegatedLen: 48,
		RapidCommit:    true,
	})
	d := b.NewDhcpcd(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := b.Start(t, "dhcpcd", d.Command(ctx, "-6", "-B", "-d", b.CPEIf))

	// Wait for the delegated /48 in Kea's lease file.
	var pd KeaLease
	deadline := time.Now().Add(20 * time.Second)
	for pd.PrefixLen == 0 {
		leases, err := kea.Leases()
		if err == nil {
			for _, l := range CurrentLeases(leases) {
				if l.Type == LeasePD && !l.Released() {
					pd = l
				}
			}
		}
		if client.Exited() {
			t.Fatalf("dhcpcd exited early: %v\n%s\nKea log:\n%s", client.Wait(), d.Log(), kea.Log())
		}
		if time.Now().After(deadline) {
			t.Fatalf("no PD lease after 20s (err %v)\ndhcpcd log:\n%s\nKea log:\n%s", err, d.Log(), kea.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if pd.PrefixLen != 48 || !pdPool.Contains(pd.Address) || pd.Prefix().Masked() != pd.Prefix() {
		t.Errorf("delegated %v, want an aligned /48 inside %v", pd.Prefix(), pdPool)
	}
	if pd.IAID != 1 || pd.DUID == "" || pd.ValidLifetime != 4000 || pd.PreferredLifetime != 3000 {
		t.Errorf("PD lease = %+v, want iaid 1, a DUID, lifetimes 3000/4000", pd)
	}
	t.Logf("delegated %v to DUID %s", pd.Prefix(), pd.DUID)
	// The DUID dhcpcd stored privately is the one Kea saw.
	duid, err := os.ReadFile(filepath.Join(d.DBDir, "duid"))
	if err != nil {
		t.Errorf("dhcpcd did not keep its DUID in the private dir: %v", err)
	} else if got := strings.TrimSpace(string(duid)); got != pd.DUID {
		t.Errorf("dhcpcd's DUID file = %s, Kea lease DUID = %s", got, pd.DUID)
	}
	// dhcpcd waits for the reply to its Release before it exits.
	if out, err := d.Command(ctx, "-6", "-k", b.CPEIf).CombinedOutput(); err != nil {
		t.Fatalf("dhcpcd -k: %v\n%s", err, out)
	}
	log := kea.WaitLog(t, "DHCP6_RELEASE_PD", 10*time.Second)
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "DHCP6_RELEASE_PD") {
			t.Logf("Kea: %s", line)
			if !strings.Contains(line, "released properly") || !strings.Contains(line, pd.Prefix().String()) {
				t.Errorf("unexpected release line: %s", line)
			}
		}
	}

	// What memfile wrote for the release: the same prefix, valid lifetime 0.
	leases, err := kea.Leases()
	if err != nil {
		t.Fatal(err)
	}
	var last KeaLease
	for _, l := range CurrentLeases(leases) {
		if l.Type == LeasePD && l.Prefix() == pd.Prefix() {
			last = l
		}
	}
	if !last.Released() {
		t.Errorf("after Release the last line for %v = %+v, want valid_lifetime 0", pd.Prefix(), last)
	}
	raw, _ := os.ReadFile(kea.LeasePath)
	t.Logf("lease file:\n%s", raw)
	t.Logf("dhcpcd log:\n%s", d.Log())

	select {
	case <-client.Done():
	case <-time.After(10 * time.Second):
		t.Errorf("dhcpcd still running after -k")
	}
}

func TestParseKeaLeases6(t *testing.T) {
	const file = `address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source
2001:db8:8000::,00:03:00:01:aa:bb:cc:dd:ee:ff,4000,1700004000,1,3000,2,1,48,0,0,,aa:bb:cc:dd:ee:ff,0,,1,2
2001:db8:1::100,00:03:00:01:aa:bb:cc:dd:ee:ff,4000,1700004000,1,3000,0,1,128,0,0,,aa:bb:cc:dd:ee:ff,0,,1,2
2001:db8:8000::,00:03:00:01:aa:bb:cc:dd:ee:ff,0,1700000100,1,0,2,1,48,0,0,,aa:bb:cc:dd:ee:ff,0,,1,2
`
	lines, err := ParseKeaLeases6([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []KeaLease{
		{Address: netip.MustParseAddr("2001:db8:8000::"), PrefixLen: 48, DUID: "00:03:00:01:aa:bb:cc:dd:ee:ff", IAID: 1, Type: LeasePD,
			ValidLifetime: 4000, PreferredLifetime: 3000, Expire: time.Unix(1700004000, 0), SubnetID: 1, HWAddr: "aa:bb:cc:dd:ee:ff"},
		{Address: netip.MustParseAddr("2001:db8:1::100"), PrefixLen: 128, DUID: "00:03:00:01:aa:bb:cc:dd:ee:ff", IAID: 1, Type: LeaseNA,
			ValidLifetime: 4000, PreferredLifetime: 3000, Expire: time.Unix(1700004000, 0), SubnetID: 1, HWAddr: "aa:bb:cc:dd:ee:ff"},
		{Address: netip.MustParseAddr("2001:db8:8000::"), PrefixLen: 48, DUID: "00:03:00:01:aa:bb:cc:dd:ee:ff", IAID: 1, Type: LeasePD,
			ValidLifetime: 0, PreferredLifetime: 0, Expire: time.Unix(1700000100, 0), SubnetID: 1, HWAddr: "aa:bb:cc:dd:ee:ff"},
	}
	if diff := cmp.Diff(want, lines, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Errorf("ParseKeaLeases6 (-want +got):\n%s", diff)
	}
	cur := CurrentLeases(lines)
	if diff := cmp.Diff([]KeaLease{want[2], want[1]}, cur, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Errorf("CurrentLeases (-want +got):\n%s", diff)
	}
	if !cur[0].Released() || cur[1].Released() {
		t.Errorf("Released() wrong: %v %v", cur[0].Released(), cur[1].Released())
	}
}

func TestRadvdConf(t *testing.T) {
	got := RadvdConf("isp0", RadvdConfig{Managed: true, ZeroRouterLifetime: true, MaxInterval: 10 * time.Second,
		Prefix: netip.MustParsePrefix("2001:db8:1::/64"), NoAutonomous: true})
	want := `interface isp0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 10;
	AdvManagedFlag on;
	AdvOtherConfigFlag off;
	AdvDefaultLifetime 0;
	prefix 2001:db8:1::/64 {
		AdvOnLink on;
		AdvAutonomous off;
	};
};
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RadvdConf (-want +got):\n%s", diff)
	}
}

func TestGoBuild(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "cmd", "hello"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/hello\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"
	if err := os.WriteFile(filepath.Join(root, "cmd", "hello", "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := goBuild(root, "./cmd/hello", filepath.Join(t.TempDir(), "hello"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin).Output()
	if err != nil || string(out) != "hello\n" {
		t.Fatalf("built binary printed %q, %v", out, err)
	}
}

func TestBuildV6diag(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("RepoRoot() = %s without go.mod", root)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "v6diag")); err != nil {
		t.Skip("cmd/v6diag does not exist yet")
	}
	bin := BuildV6diag(t)
	if again := BuildV6diag(t); again != bin {
		t.Errorf("second Build = %s, want the cached %s", again, bin)
	}
	if st, err := os.Stat(bin); err != nil || st.Mode()&0o111 == 0 {
		t.Errorf("built binary %s: %v", bin, err)
	}
}
