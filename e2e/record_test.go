package e2e

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// recordCaptures names the folder TestRecordRealCaptures writes into; the
// recordings are committed under diag/testdata/real and read by
// diag's TestRealCaptures (SOURCES.tsv there says how each was made).
var recordCaptures = flag.String("record-captures", "",
	"record OpenWrt's odhcp6c against Kea and radvd into `DIR` (../diag/testdata/real)")

// recording is one capture of the router's real DHCPv6 client, odhcp6c,
// against real servers on the testbed.
type recording struct {
	file    string
	radvd   testbed.RadvdConfig
	kea     *testbed.KeaConfig
	odhcp6c []string // arguments before the interface
	// filter is tcpdump's; snaplen 0 is tcpdump's default.
	filter  string
	snaplen int
	// bridge runs odhcp6c on a bridge over the CPE veth and captures on
	// every interface (tcpdump -i any), so each frame is seen twice.
	bridge bool
	// until is the odhcp6c script state that ends the recording, after
	// which linger more seconds are recorded; then, if stopKea, Kea is
	// stopped and the recording goes on for afterStop.
	until             string
	linger, afterStop time.Duration
	stopKea           bool
}

const controlFilter = "icmp6 or udp port 546 or udp port 547"

var (
	recPrefix = netip.MustParsePrefix("2001:db8:ffff::/64")
	recDNS    = []netip.Addr{netip.MustParseAddr("2001:db8:53::53")}
)

func recordings() []recording {
	managed := testbed.RadvdConfig{Managed: true, Other: true, Prefix: recPrefix}
	both := &testbed.KeaConfig{AddressPool: "2001:db8:1::100-2001:db8:1::1ff", PDPrefix: netip.MustParsePrefix("2001:db8:8000::/36"), PDDelegatedLen: 48, DNSServers: recDNS}
	short := *both
	short.Renew, short.Rebind, short.Preferred, short.Valid = 4*time.Second, 8*time.Second, 30*time.Second, 40*time.Second
	return []recording{
		{file: "odhcp6c-kea-ia-na-only.pcap", radvd: managed, kea: both, odhcp6c: []string{"-N", "force"}, filter: controlFilter, until: "bound", linger: time.Second},
		{file: "odhcp6c-kea-stateless.pcap", radvd: testbed.RadvdConfig{Other: true, Prefix: recPrefix}, kea: both, odhcp6c: []string{"-N", "none"}, filter: controlFilter, until: "informed", linger: time.Second},
		{file: "odhcp6c-kea-renew-rebind.pcap", radvd: managed, kea: &short, odhcp6c: []string{"-N", "try", "-P", "48"}, filter: controlFilter,
			until: "updated", linger: time.Second, stopKea: true, afterStop: 12 * time.Second},
		{file: "odhcp6c-kea-server-side.pcap", radvd: managed, kea: both, odhcp6c: []string{"-N", "try", "-P", "48"}, filter: "icmp6 or udp src port 547", until: "bound", linger: time.Second},
		{file: "odhcp6c-kea-snaplen-96.pcap", radvd: managed, kea: both, odhcp6c: []string{"-N", "try", "-P", "48"}, filter: controlFilter, snaplen: 96, until: "bound", linger: time.Second},
		{file: "odhcp6c-kea-bridge-any.pcap", radvd: managed, kea: both, odhcp6c: []string{"-N", "try", "-P", "48"}, filter: controlFilter, bridge: true, until: "bound", linger: time.Second},
	}
}

// TestRecordRealCaptures records what OpenWrt's own DHCPv6 client and Kea
// put on the wire in the situations issue 11 names, for diag's tests of
// real captures. It is a generator, run by hand as root:
//
//	go test ./e2e -run TestRecordRealCaptures -record-captures ../diag/testdata/real
func TestRecordRealCaptures(t *testing.T) {
	if *recordCaptures == "" {
		t.Skip("a generator: pass -record-captures DIR to record")
	}
	peers := testbed.NeedPeers(t)
	testbed.NeedBinary(t, "tcpdump", "apt-get install tcpdump")
	dir, err := filepath.Abs(*recordCaptures)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recordings() {
		t.Run(rec.file, func(t *testing.T) { record(t, peers, dir, rec) })
	}
}

func record(t *testing.T, peers testbed.Peers, dir string, rec recording) {
	b := testbed.New(t)
	b.StartRadvd(t, rec.radvd)
	kea := b.StartKea(t, *rec.kea)
	ifname := b.CPEIf
	if rec.bridge {
		ifname = "br-wan"
		for _, args := range [][]string{
			{"link", "add", ifname, "type", "bridge"},
			{"link", "set", b.CPEIf, "master", ifname},
			{"link", "set", ifname, "up"},
		} {
			if out, err := b.ExecCPE(context.Background(), "ip", args...).CombinedOutput(); err != nil {
				t.Fatalf("ip %v: %v\n%s", args, err, out)
			}
		}
		waitNoTentative(t, b, ifname)
	}
	pcap := filepath.Join(b.Dir, rec.file)
	args := []string{"-n", "-U", "-w", pcap}
	if rec.bridge {
		args = append(args, "-i", "any")
	} else {
		args = append(args, "-i", ifname)
	}
	if rec.snaplen > 0 {
		args = append(args, "-s", fmt.Sprint(rec.snaplen))
	}
	dump := b.Start(t, "tcpdump", b.ExecCPE(context.Background(), "tcpdump", append(args, rec.filter)...))
	if _, err := testbed.WaitFile(filepath.Join(b.Dir, "tcpdump.out"), "listening on", 10*time.Second); err != nil {
		t.Fatalf("tcpdump: %v", err)
	}

	events := filepath.Join(b.Dir, "odhcp6c.events")
	script := filepath.Join(b.Dir, "odhcp6c.script")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$2\" >> "+events+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cargs := append(append([]string{"-s", script, "-p", filepath.Join(b.Dir, "odhcp6c.pid"), "-e", "-v"}, rec.odhcp6c...), ifname)
	client := b.Start(t, "odhcp6c", b.ExecCPE(context.Background(), peers.Odhcp6c, cargs...))
	if _, err := testbed.WaitFile(events, "\n"+rec.until+"\n", 60*time.Second); err != nil {
		t.Fatalf("odhcp6c never reached %q: %v\nkea log:\n%s", rec.until, err, kea.Log())
	}
	time.Sleep(rec.linger)
	if rec.stopKea {
		kea.Proc.Stop(5 * time.Second)
		time.Sleep(rec.afterStop)
	}
	client.Stop(5 * time.Second) // odhcp6c sends its Release on the way out
	time.Sleep(500 * time.Millisecond)
	dump.Stop(5 * time.Second)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(pcap)
	if err != nil || len(data) < 100 {
		t.Fatalf("capture %s: %v (%d bytes)", pcap, err, len(data))
	}
	if err := os.WriteFile(filepath.Join(dir, rec.file), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s: %d bytes; odhcp6c events: %s", rec.file, len(data), readEvents(events))
}

func readEvents(path string) string {
	b, _ := os.ReadFile(path)
	return strings.Join(strings.Fields(string(b)), " ")
}

// waitNoTentative waits until ifname's link-local address has left DAD.
func waitNoTentative(t *testing.T, b *testbed.Bed, ifname string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, err := b.ExecCPE(context.Background(), "ip", "-6", "addr", "show", "dev", ifname, "scope", "link").CombinedOutput()
		if err == nil && strings.Contains(string(out), "fe80::") && !strings.Contains(string(out), "tentative") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: link-local address still tentative", ifname)
}
