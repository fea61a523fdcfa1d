package e2e

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
	"github.com/v6diag/v6diag/internal/testtools/testisp"
)

// oldDHCPv6Rule is the router firewall of an OpenWrt config carried
// forward from fw3 days, as nftables in the CPE namespace: ND allowed, UDP
// 546 accepted only from fe80::/10 (the old Allow-DHCPv6 rule), the rest
// dropped by the input policy.
const oldDHCPv6Rule = `table inet router {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		meta l4proto ipv6-icmp accept
		meta nfproto ipv6 ip6 saddr fe80::/10 ip6 daddr fe80::/10 udp dport 546 accept comment "Allow-DHCPv6"
	}
}
`

// globalServer answers from a global address, as some ISPs' servers and
// relays do (openwrt/openwrt#5066).
var globalServer = netip.MustParseAddr("2001:db8:5e::547")

// TestFirewallDropsGlobalAnswers: behind the old rule, the real odhcp6c
// gets no lease from a server answering from a global address — v6diag's
// raw socket still sees the answers, and the report must say the router's
// firewall drops them (firewall-drops-dhcpv6, who must act: user), citing
// the Advertise and the Reply. With the ruleset of OpenWrt 23.05's default
// (firewall/testdata) loaded instead, v6diag judges that the answers pass,
// and odhcp6c does get the prefix.
func TestFirewallDropsGlobalAnswers(t *testing.T) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft not installed")
	}
	peers := testbed.NeedPeers(t)
	bed := testbed.New(t)
	sc := testisp.Healthy()
	sc.Servers[0].Source = globalServer
	isp := testisp.Start(t, bed, sc)
	loadRuleset(t, bed, oldDHCPv6Rule)

	// The real client behind the old rule: the server answers, odhcp6c
	// never binds.
	if events := runOdhcp6c(t, bed, peers, "old-rule", 12*time.Second); strings.Contains(events, "bound") {
		t.Fatalf("odhcp6c bound behind a rule that drops the answers; events:\n%s", events)
	}
	if len(isp.Sent(t, "Advertise")) == 0 {
		t.Fatal("the test ISP sent no Advertise: the test proves nothing")
	}

	r := runV6diag(t, bed, "--strategy", "first", "--timeout", "8s")
	if r.report.Verdict.Code != "firewall-drops-dhcpv6" || r.report.Verdict.WhoMustAct != "user" {
		t.Errorf("verdict %s (%s), who %s; want firewall-drops-dhcpv6, user", r.report.Verdict.Code, r.report.Verdict.Summary, r.report.Verdict.WhoMustAct)
	}
	// The model of the router's odhcp6c must not claim it gets the prefix.
	if rc := r.report.RouterClient; rc.Prefix != "" || rc.Address != "" {
		t.Errorf("router_client says the router gets %s %s: %s", rc.Prefix, rc.Address, rc.Explanation)
	} else {
		t.Logf("router_client: %s", rc.Explanation)
	}
	wire := readWire(t, filepath.Join(r.out, "capture.pcapng"))
	checkFirewallFinding(t, r, wire, "firewall-drops-dhcpv6")
	raw, _ := os.ReadFile(filepath.Join(r.out, "report.json"))
	for _, want := range []string{"Allow-DHCPv6", "policy drop", "nftables", globalServer.String()} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("report.json does not say %q", want)
		}
	}

	// The current fw4 default: judged to accept, and odhcp6c binds.
	fw4, err := os.ReadFile("../firewall/testdata/fw4-23.05-default.nft")
	if err != nil {
		t.Fatal(err)
	}
	loadRuleset(t, bed, strings.ReplaceAll(string(fw4), `"eth1"`, `"`+bed.CPEIf+`"`))
	r = runV6diag(t, bed, "--strategy", "first", "--timeout", "8s")
	if r.report.Verdict.Code != "ok" || r.hasFinding("firewall-drops-dhcpv6") {
		t.Errorf("behind fw4's default: verdict %s (%s)", r.report.Verdict.Code, r.report.Verdict.Summary)
	}
	checkFirewallFinding(t, r, readWire(t, filepath.Join(r.out, "capture.pcapng")), "firewall-accepts-dhcpv6")
	// It returns once odhcp6c is bound; the long wait is for a machine
	// under load (the full e2e suite beside it once kept it from binding
	// within 12 s).
	if events := runOdhcp6c(t, bed, peers, "fw4-default", 40*time.Second); !strings.Contains(events, "bound") {
		log, _ := os.ReadFile(filepath.Join(bed.Dir, "odhcp6c-fw4-default.out"))
		t.Errorf("odhcp6c did not bind behind fw4's default ruleset (the test ISP sent %d Advertise, %d Reply); events:\n%s\nodhcp6c's log:\n%s",
			len(isp.Sent(t, "Advertise")), len(isp.Sent(t, "Reply")), events, log)
	}
}

// checkFirewallFinding: the finding cites the answers from the global
// server, every one of them an Advertise or a Reply.
func checkFirewallFinding(t *testing.T, r runResult, wire map[int]wireFrame, id string) {
	t.Helper()
	for _, f := range r.report.Findings {
		if f.ID != id {
			continue
		}
		kinds := map[string]bool{}
		for _, n := range f.Frames {
			w := wire[n]
			if w.msg == nil || !anyAnswer(w) || w.p.Source != globalServer {
				t.Errorf("%s cites frame %d, not an answer from %s: %s", id, n, globalServer, w)
				continue
			}
			kinds[w.msg.Type.String()] = true
		}
		if !kinds["Advertise"] || !kinds["Reply"] {
			t.Errorf("%s cites %v: want the Advertise and the Reply", id, f.Frames)
		}
		return
	}
	t.Errorf("no finding %s; findings %v", id, r.report.Findings)
}

// loadRuleset replaces the CPE namespace's nftables ruleset; the
// namespace's teardown takes it away.
func loadRuleset(t *testing.T, bed *testbed.Bed, ruleset string) {
	t.Helper()
	cmd := bed.ExecCPE(context.Background(), "nft", "-f", "-")
	cmd.Stdin = strings.NewReader("flush ruleset\n" + ruleset)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft -f in the CPE namespace: %v\n%s", err, out)
	}
}

// runOdhcp6c runs OpenWrt's odhcp6c on the CPE's WAN as netifd starts it
// by default (IA_NA and IA_PD, prefix hint /48) until its script reports
// "bound" or wait passes, and returns the script's events.
func runOdhcp6c(t *testing.T, bed *testbed.Bed, peers testbed.Peers, name string, wait time.Duration) string {
	t.Helper()
	events := filepath.Join(bed.Dir, "odhcp6c-"+name+".events")
	script := filepath.Join(bed.Dir, "odhcp6c-"+name+".sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$2 $PREFIXES\" >> "+events+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := bed.Start(t, "odhcp6c-"+name, bed.ExecCPE(context.Background(), peers.Odhcp6c,
		"-s", script, "-p", filepath.Join(bed.Dir, "odhcp6c-"+name+".pid"), "-P", "48", "-e", "-l", "7", bed.CPEIf))
	defer p.Stop(5 * time.Second)
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) && !p.Exited() {
		if b, _ := os.ReadFile(events); strings.Contains(string(b), "bound") {
			return string(b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(events)
	return string(b)
}
