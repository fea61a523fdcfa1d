package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/v6diag/v6diag/hostinfo"
	"github.com/v6diag/v6diag/report"
)

// recordedRouterState reads the router state from outputs recorded on
// OpenWrt routers (hostinfo/testdata/routerstate, README.md there says
// where each is from). replace substitutes text in each recording first,
// to give the redaction test identifiers where the pasters hid theirs.
func recordedRouterState(t *testing.T, replace ...string) *hostinfo.RouterState {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "hostinfo", "testdata", "routerstate", name))
		if err != nil {
			t.Fatal(err)
		}
		return []byte(strings.NewReplacer(replace...).Replace(string(b)))
	}
	st := &hostinfo.RouterState{Notes: []string{"router state: netifd's status of wan_6 not read: ubus: exit status 4: Command failed: Not found"}}
	for _, r := range []struct{ name, file string }{{"wan", "ifstatus-wan-dhcp.json"}, {"wan6", "ubus-wan6-status-renew-failure.json"}} {
		i, err := hostinfo.ParseNetifdStatus(r.name, read(r.file))
		if err != nil {
			t.Fatal(err)
		}
		st.Interfaces = append(st.Interfaces, i)
	}
	st.Odhcp6cLog = hostinfo.Odhcp6cLines(append(read("logread-renew-failure.txt"), read("logread-25.12-rc1-pppoe.txt")...), []string{"wan6"}, 30)
	return st
}

// TestRouterStateGolden renders the router's state, as recorded on real
// routers, in every format: report.json's router_state and the section of
// report.txt, report.md and report.html.
func TestRouterStateGolden(t *testing.T) {
	run := fixedRun("kea-healthy.pcapng")
	run.RouterState = recordedRouterState(t)
	doc := report.NewDocument(run, analyze(t, "kea-healthy.pcapng"))
	for format, text := range renderAll(t, doc) {
		golden(t, filepath.Join("testdata", "router-state."+format+".golden"), []byte(text))
	}
	var js struct {
		RouterState *struct {
			Interfaces []struct {
				Name         string `json:"name"`
				IPv6Prefixes []struct {
					Assigned []struct {
						Interface string `json:"interface"`
					} `json:"assigned"`
				} `json:"ipv6_prefixes"`
				Data []struct{ Key, Value string } `json:"data"`
			} `json:"interfaces"`
			Odhcp6cLog []string `json:"odhcp6c_log"`
			Notes      []string `json:"notes"`
		} `json:"router_state"`
	}
	var b bytes.Buffer
	if err := report.WriteJSON(&b, doc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b.Bytes(), &js); err != nil {
		t.Fatal(err)
	}
	rs := js.RouterState
	if rs == nil || len(rs.Interfaces) != 2 || rs.Interfaces[1].Name != "wan6" || rs.Interfaces[1].IPv6Prefixes[0].Assigned[0].Interface != "lan" ||
		rs.Interfaces[1].Data[0].Key != "passthru" || len(rs.Odhcp6cLog) != 15 || len(rs.Notes) != 1 {
		t.Errorf("router_state read back as %+v", rs)
	}
	// An analysis of a capture (no router state) has no router_state.
	b.Reset()
	if err := report.WriteJSON(&b, report.NewDocument(fixedRun("kea-healthy.pcapng"), analyze(t, "kea-healthy.pcapng"))); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte("router_state")) {
		t.Error("router_state written without a router state")
	}
}

// TestRedactRouterState: with --redact, no address, prefix, DUID-bearing
// hex or public IPv4 address of the router's state survives in any
// format, while the unredacted reports show each of them.
func TestRedactRouterState(t *testing.T) {
	run := fixedRun("kea-healthy.pcapng")
	run.RouterState = recordedRouterState(t,
		"<old /128 address, hidden for privacy>", "2a02:8071:b84:7a00::1234",
		"<new /64 address, hidden for privacy>", "2a02:8071:b84:7b00:4a21:bff:fe12:3456",
		"<old /64 prefix, hidden for privacy>", "2a02:8071:b84:7a00::",
		"<new /64 prefix, hidden for privacy>", "2a02:8071:b84:7b00::",
		"2a00:xxxx:xxxx:xxxx::/56", "2a00:6020:1000:4200::/56",
		"192.168.2.162", "81.2.69.160",
	)
	doc := report.NewDocument(run, analyze(t, "kea-healthy.pcapng"))
	vals := []string{
		"2a02:8071:b84:7a00::1234", "2a02:8071:b84:7b00:4a21:bff:fe12:3456", "4a21:bff:fe12:3456", "2a02:8071:b84:7a00::", "2a02:8071:b84:7b00::",
		"2a00:6020:1000:4200::/56", "81.2.69.160", "223.5.5.5", "202.99.160.68",
		// odhcp6c's passthru holds the ISP's DNS server addresses in hex.
		"000600160015001600170018001f003800400043005e005f0060",
	}
	plain := renderAll(t, doc)
	red := renderAll(t, report.NewRedactor(testKey).Document(doc))
	for format := range plain {
		for _, v := range vals {
			if !strings.Contains(plain[format], v) {
				t.Errorf("unredacted %s does not show %q: the test proves nothing for it", format, v)
			}
			if strings.Contains(red[format], v) {
				t.Errorf("redacted %s still holds %q", format, v)
			}
		}
	}
	// Private and link-local addresses stay; a public one becomes
	// 192.0.2.N, the same N everywhere.
	if !strings.Contains(red["txt"], "fe80::1") || !strings.Contains(red["txt"], "192.0.2.") {
		t.Errorf("redacted text lost the router state's shape:\n%s", red["txt"])
	}
}
