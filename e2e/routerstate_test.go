package e2e

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// The router's own state, end to end: the real binary, on a line with
// radvd and Kea, finds ubus and logread on its PATH and puts what they
// print into every report. ubus does not run here, so these two answer
// with outputs recorded on OpenWrt routers (hostinfo/testdata/routerstate,
// README.md there says where each is from), as the real ones would: by
// the same command lines, with ubus's own failure for an interface netifd
// does not know.
func TestRouterStateLive(t *testing.T) {
	bed := testbed.New(t)
	bed.StartRadvd(t, testbed.RadvdConfig{Managed: true, Other: true, Prefix: netip.MustParsePrefix("2001:db8:1::/64")})
	bed.StartKea(t, testbed.KeaConfig{AddressPool: "2001:db8:1::100-2001:db8:1::1ff",
		PDPrefix: netip.MustParsePrefix("2001:db8:8000::/48"), PDDelegatedLen: 56})
	root, err := testbed.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(root, "hostinfo", "testdata", "routerstate")
	fake := filepath.Join(bed.Dir, "openwrt-bin")
	if err := os.Mkdir(fake, 0o755); err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{
		"ubus": `#!/bin/sh
case "$*" in
"call network.interface.wan status") cat "` + rec + `/ifstatus-wan-dhcp.json" ;;
"call network.interface.wan6 status") cat "` + rec + `/ubus-wan6-status-renew-failure.json" ;;
*) echo "Command failed: Not found" >&2; exit 4 ;;
esac
`,
		"logread": "#!/bin/sh\ncat \"" + rec + "/logread-renew-failure.txt\" \"" + rec + "/logread-25.12-rc1-pppoe.txt\"\n",
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(fake, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	config := filepath.Join(bed.Dir, "network")
	cfg := "config interface 'wan'\n\toption device '" + bed.CPEIf + "'\n\toption proto 'dhcp'\n\n" +
		"config interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n"
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(bed.Dir, "out-router-state")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := bed.ExecCPE(ctx, bed.Build(t), "run", "--out", out, "--config", config, "--timeout", "10s")
	cmd.Env = append(os.Environ(), "PATH="+fake+":"+os.Getenv("PATH"))
	e := runExec(t, cmd)
	if e.exit == 2 {
		t.Fatalf("v6diag could not run: %s", e.stderr)
	}
	var r struct {
		Verdict struct {
			Code string `json:"code"`
		} `json:"verdict"`
		RouterState *struct {
			Interfaces []struct {
				Name         string `json:"name"`
				Proto        string `json:"proto"`
				IPv6Prefixes []struct {
					Mask     int `json:"mask"`
					Assigned []struct {
						Interface string `json:"interface"`
					} `json:"assigned"`
				} `json:"ipv6_prefixes"`
			} `json:"interfaces"`
			Odhcp6cLog []string `json:"odhcp6c_log"`
			Notes      []string `json:"notes"`
		} `json:"router_state"`
	}
	readReport(t, out, &r)
	rs := r.RouterState
	if rs == nil {
		t.Fatal("report.json has no router_state")
	}
	if len(rs.Interfaces) != 2 || rs.Interfaces[0].Name != "wan" || rs.Interfaces[1].Name != "wan6" || rs.Interfaces[1].Proto != "dhcpv6" ||
		len(rs.Interfaces[1].IPv6Prefixes) != 1 || rs.Interfaces[1].IPv6Prefixes[0].Assigned[0].Interface != "lan" {
		t.Errorf("router_state.interfaces = %+v", rs.Interfaces)
	}
	if len(rs.Odhcp6cLog) != 15 || !strings.Contains(rs.Odhcp6cLog[0], "odhcp6c[29169]: Server returned IA_PD status 'No Binding '") {
		t.Errorf("router_state.odhcp6c_log = %q", rs.Odhcp6cLog)
	}
	for _, name := range []string{"report.txt", "report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "The router") || !strings.Contains(string(b), "class wan6") || !strings.Contains(string(b), "Not On Link") {
			t.Errorf("%s lacks the router's state", name)
		}
	}

	// The same run without ubus and logread (not OpenWrt): a note, and
	// the run goes on as before.
	out2 := filepath.Join(bed.Dir, "out-no-ubus")
	cmd = bed.ExecCPE(ctx, bed.Build(t), "run", "--out", out2, "--config", config, "--timeout", "10s")
	cmd.Env = append(os.Environ(), "PATH=/usr/sbin:/usr/bin:/sbin:/bin")
	e2 := runExec(t, cmd)
	if e2.exit != e.exit {
		t.Errorf("exit %d without ubus, %d with it", e2.exit, e.exit)
	}
	var js map[string]json.RawMessage
	readReport(t, out2, &js)
	var st struct {
		Interfaces []json.RawMessage `json:"interfaces"`
		Notes      []string          `json:"notes"`
	}
	if err := json.Unmarshal(js["router_state"], &st); err != nil || len(st.Interfaces) != 0 || len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "not OpenWrt") {
		t.Errorf("router_state without ubus: %s (%v)", js["router_state"], err)
	}
}
