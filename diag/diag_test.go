package diag

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
)

// analyzeFile runs the analysis on a capture file, as `v6diag analyze` does.
func analyzeFile(t *testing.T, path string, facts Facts) *Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := capture.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// Through the door the CLI uses; a damaged tail ends the reading and
	// what came before is analysed.
	an, _ := AnalyzeFrames(rd, facts)
	return an.Result
}

func sharedCaptures(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "captures")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared captures not found at %s: %v", dir, err)
	}
	return dir
}

func findingIDs(r *Result) []string {
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.ID)
	}
	return ids
}

func prefixes(ls []Lease) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Prefix.String())
	}
	return out
}

func finding(r *Result, id string) *Finding {
	for i := range r.Findings {
		if r.Findings[i].ID == id {
			return &r.Findings[i]
		}
	}
	return nil
}

// The recorded captures under testdata were written by `v6diag run` in the
// namespaces testbed against Kea and radvd (see the README).
func TestRecordedLiveRuns(t *testing.T) {
	tests := []struct {
		file         string
		facts        Facts
		code         Code
		delegated    []string
		solicits     int
		wantFindings []string
		// frames of the finding named first in wantFindings
		frames []int
	}{
		{
			file: "kea-healthy.pcapng", facts: Facts{Live: true, Carrier: true},
			code: CodeOK, delegated: []string{"2001:db8:8000::/48"}, solicits: 1,
			wantFindings: []string{"dhcpv6-release-confirmed", "ra-received", "dhcpv6-advertise-received", "dhcpv6-prefix-delegated"},
			frames:       []int{7, 8},
		},
		{
			file: "radvd-no-dhcpv6.pcapng", facts: Facts{Live: true, Carrier: true},
			code: CodeNoDHCPv6Reply, solicits: 4,
			wantFindings: []string{"dhcpv6-no-reply", "ra-received", "dhcpv6-solicit-retransmissions"},
			frames:       []int{2, 4, 5, 6},
		},
		{
			file: "kea-solicit-only.pcapng", facts: Facts{Live: true, Carrier: true, SolicitOnly: true},
			code: CodeOK, delegated: []string{"2001:db8:8001::/48"}, solicits: 1,
			wantFindings: []string{"dhcpv6-prefix-delegated"},
		},
		{
			file: "kea-hint-40.pcapng", facts: Facts{Live: true, Carrier: true},
			code: CodePrefixSmallerThanRequested, delegated: []string{"2001:db8:8002::/48"}, solicits: 1,
			wantFindings: []string{"dhcpv6-prefix-smaller-than-hint"},
		},
		{
			// The same healthy capture without a carrier fact: link-down wins.
			file: "kea-healthy.pcapng", facts: Facts{Live: true, Carrier: false},
			code: CodeLinkDown, delegated: []string{"2001:db8:8000::/48"}, solicits: 1,
			wantFindings: []string{"link-no-carrier"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+string(tt.code), func(t *testing.T) {
			r := analyzeFile(t, filepath.Join("testdata", tt.file), tt.facts)
			if r.Verdict.Code != tt.code {
				t.Errorf("verdict %s (%s), want %s", r.Verdict.Code, r.Verdict.Summary, tt.code)
			}
			if diff := cmp.Diff(tt.delegated, prefixes(r.DelegatedPrefixes)); diff != "" {
				t.Errorf("delegated prefixes (-want +got):\n%s", diff)
			}
			if r.Client.Solicits != tt.solicits {
				t.Errorf("solicits %d, want %d", r.Client.Solicits, tt.solicits)
			}
			for _, id := range tt.wantFindings {
				if finding(r, id) == nil {
					t.Errorf("finding %s missing; have %v", id, findingIDs(r))
				}
			}
			if tt.frames != nil {
				if diff := cmp.Diff(tt.frames, finding(r, tt.wantFindings[0]).Frames); diff != "" {
					t.Errorf("frames of %s (-want +got):\n%s", tt.wantFindings[0], diff)
				}
			}
		})
	}
}

// A live run that names its DUID analyses only its own exchange: a capture
// whose client is someone else shows no Solicit of ours.
func TestClientDUIDSelectsExchange(t *testing.T) {
	r := analyzeFile(t, filepath.Join("testdata", "kea-healthy.pcapng"), Facts{Live: true, Carrier: true, ClientDUID: dhcpv6.DUID{0, 3, 0, 1, 1, 2, 3, 4, 5, 6}})
	if r.Client.Solicits != 0 || len(r.DelegatedPrefixes) != 0 {
		t.Fatalf("foreign DUID: solicits %d, prefixes %v; want none", r.Client.Solicits, prefixes(r.DelegatedPrefixes))
	}
	if r.Verdict.Code == CodeOK {
		t.Fatalf("verdict ok for a client that sent nothing")
	}
}

// Real captures from public projects: the analysis must not fail on any,
// and its verdicts must follow from what is in them.
func TestSharedCaptures(t *testing.T) {
	dir := sharedCaptures(t)
	tests := []struct {
		file      string
		code      Code
		delegated []string
		routers   int
	}{
		// DHCPv6 only, no RS or RA: the delegation works, the routers
		// cannot be judged.
		{"the-tcpdump-group_tcpdump__tests_dhcpv6-ia-pd.pcap", CodeCaptureIncomplete, []string{"2a00:1:1:100::/56"}, 0},
		{"zeek_zeek__testing_btest_Traces_pppoe.pcap", CodeOK, []string{"fc00:0:2:100::/56"}, 1},
		{"lemontree55_packetgen__spec_header_dhcpv6.pcapng", CodeCaptureIncomplete, []string{"2001:0:0:fe00::/64"}, 0},
		{"the-tcpdump-group_tcpdump__tests_icmpv6.pcap", CodeSLAACOnly, nil, 1},
		{"the-tcpdump-group_tcpdump__tests_icmpv6_opt24.pcap", CodeNoRouterAdvertisement, nil, 1},
		{"the-tcpdump-group_tcpdump__tests_icmpv6-ra-pref64.pcap", CodeNoDHCPv6Reply, nil, 1},
		// A Router Solicitation and nothing back: no router answered.
		{"zeek_zeek__testing_btest_Traces_icmp_icmp6-router-solicit.pcap", CodeNoRouterAdvertisement, nil, 0},
		// Solicits and nothing back, no RS or RA in the file.
		{"nttcom_zeek-parser-DHCPv6-COM__testing_Traces_test.pcap", CodeNoDHCPv6Reply, nil, 0},
		{"cisco_mercury__unit_tests_pcaps_pppoe_double_vlan_tagging.pcap", CodeNoDHCPv6Reply, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := analyzeFile(t, filepath.Join(dir, tt.file), Facts{})
			if r.Verdict.Code != tt.code {
				t.Errorf("verdict %s (%s), want %s", r.Verdict.Code, r.Verdict.Summary, tt.code)
			}
			if diff := cmp.Diff(tt.delegated, prefixes(r.DelegatedPrefixes)); diff != "" {
				t.Errorf("delegated (-want +got):\n%s", diff)
			}
			if len(r.Routers) != tt.routers {
				t.Errorf("routers %d, want %d", len(r.Routers), tt.routers)
			}
		})
	}
	// And no file makes the analysis fail or panic.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if slices.Contains([]string{".tsv", ".md"}, filepath.Ext(e.Name())) {
			continue
		}
		r := analyzeFile(t, filepath.Join(dir, e.Name()), Facts{})
		if r.Verdict.Code == "" {
			t.Errorf("%s: empty verdict", e.Name())
		}
	}
}

func TestPickClientPrefersFurthestExchange(t *testing.T) {
	dir := sharedCaptures(t)
	// Two clients: the first only solicits, the second completes.
	r := analyzeFile(t, filepath.Join(dir, "the-tcpdump-group_tcpdump__tests_dhcpv4v6-rfc5970-rfc8572.pcap"), Facts{})
	if r.Client.DUID.String() != "0001000129d08193000001010000" && r.Client.DUID.String() != "0001000129d47f66000001010000" {
		t.Fatalf("client %s", r.Client.DUID)
	}
	if len(r.Addresses) == 0 {
		t.Errorf("no address found for the client that completed its exchange")
	}
	if got := netip.MustParseAddr("1234:5678::4"); len(r.Addresses) > 0 && r.Addresses[0].Prefix.Addr() != got {
		t.Errorf("address %s, want %s", r.Addresses[0].Prefix, got)
	}
}
