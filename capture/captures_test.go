package capture

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// realCaptures lists every file in ../../shared/captures with what tshark
// makes of it:
//
//	frames: tshark -r FILE | wc -l
//	found:  tshark -r FILE -Y '(ipv6 and (udp.port==546 or udp.port==547)) or
//	        icmpv6.type==133 or icmpv6.type==134' -T fields -e frame.number
//
// Decode must find exactly the found frames. hidden lists frames tshark
// finds only by looking inside a tunnel or IPv4, which Decode deliberately
// does not: v6diag diagnoses the access link, where DHCPv6 and RAs travel in
// plain IPv6 (possibly over VLAN/PPPoE), and a tunnelled RA is not an RA
// for the capturing host. Decode must not report them.
var realCaptures = []struct {
	file   string
	frames int
	found  []int
	hidden []int
	why    string
}{
	{file: "CESNET_ipfixprobe__tests_functional_inputs_mixed.pcap", frames: 205, found: []int{9, 15, 19, 64, 119, 120, 184, 185, 199, 201}},
	{file: "OISF_suricata-verify__tests_ipv6-evasion_ipv6-kill-router-gateway_kill_router6.pcap", frames: 21, found: []int{5, 6, 17, 20, 21}},
	{file: "OISF_suricata-verify__tests_smb2-ntlmssp-negotiateflags_input.pcap", frames: 1000, found: []int{2, 3, 4, 5, 6, 7, 9, 13, 16, 19, 23, 24, 29, 43, 61, 75, 76, 86, 87, 128, 141, 175, 275, 304, 313, 330, 381, 387, 394, 396, 453, 457, 462, 480, 491, 495, 512, 525, 539, 540, 560, 561, 598, 632, 656, 817, 818, 820, 821, 823, 828, 836, 845, 847, 849, 881, 883, 886, 889, 898, 929, 986, 987, 988, 991, 994, 998}},
	{file: "arkime_arkime__tests_pcap_arkime_synthetic.pcap", frames: 918, found: []int{620, 621, 908, 909, 910, 911, 912, 913}},
	{file: "arkime_arkime__tests_pcap_gtp-iphone.pcap", frames: 106, hidden: []int{3, 4}, why: "GTP-U: IPv6 inside IPv4 UDP 2152"},
	{file: "cisco_mercury__unit_tests_pcaps_pppoe_double_vlan_tagging.pcap", frames: 432, found: []int{3, 21, 30, 38, 52, 55, 56, 71, 72, 88, 94, 95, 97, 99, 107, 108, 113, 136, 145, 155, 190, 233, 236, 248, 249, 293, 314, 330, 340, 376, 388, 389}},
	{file: "nttcom_zeek-parser-DHCPv6-COM__testing_Traces_test.pcap", frames: 42, found: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42}},
	{file: "seladb_PcapPlusPlus__Tests_Packet++Test_PacketExamples_PPPoESession.pcap", frames: 2, found: []int{2}},
	{file: "seladb_PcapPlusPlus__Tests_Packet++Test_PacketExamples_dhcpv6.pcap", frames: 2, found: []int{1, 2}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcp6_reconf_asan.pcap", frames: 1, hidden: []int{1}, why: "DHCPv6 carried over IPv4 UDP"},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv4v6-rfc5970-rfc8572.pcap", frames: 14, found: []int{1, 2, 3, 4, 5, 10, 11, 12, 13, 14}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-AFTR-Name-RFC6334.pcap", frames: 4, found: []int{1, 2, 3, 4}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-domain-list.pcap", frames: 1, found: []int{1}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-ia-na.pcap", frames: 4, found: []int{1, 2, 3, 4}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-ia-pd.pcap", frames: 4, found: []int{1, 2, 3, 4}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-ia-ta.pcap", frames: 4, found: []int{1, 2, 3, 4}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-mud.pcap", frames: 5, found: []int{1, 2, 3, 4, 5}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-ntp-server.pcap", frames: 1, found: []int{1}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-rfc6355-duid-uuid.pcap", frames: 2, found: []int{1, 2}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-rfc8415-duid-type2.pcap", frames: 1, found: []int{1}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-sip-server-d.pcap", frames: 1, found: []int{1}},
	{file: "the-tcpdump-group_tcpdump__tests_dhcpv6-vendor-specific-information.pcap", frames: 1, found: []int{1}},
	{file: "the-tcpdump-group_tcpdump__tests_icmpv6-ra-pref64.pcap", frames: 4, found: []int{1, 2, 3, 4}},
	{file: "the-tcpdump-group_tcpdump__tests_icmpv6.pcap", frames: 5, found: []int{1}},
	{file: "the-tcpdump-group_tcpdump__tests_icmpv6_opt24.pcap", frames: 2, found: []int{1, 2}},
	{file: "the-tcpdump-group_tcpdump__tests_ip6-snmp-oid-unsigned.pcap", frames: 1, found: []int{1}},
	{file: "zeek_zeek__testing_btest_Traces_erspan.pcap", frames: 287, hidden: []int{9, 28, 61, 94}, why: "GRE (IPv4 proto 47, TEB) around an inner Ethernet frame"},
	{file: "zeek_zeek__testing_btest_Traces_icmp_icmp6-nd-options.pcap", frames: 20, found: []int{3, 10, 11, 13, 15}},
	{file: "zeek_zeek__testing_btest_Traces_icmp_icmp6-nd-short-options.pcap", frames: 16, found: []int{1, 2, 9, 13}},
	{file: "zeek_zeek__testing_btest_Traces_icmp_icmp6-router-advert.pcap", frames: 1, found: []int{1}},
	{file: "zeek_zeek__testing_btest_Traces_icmp_icmp6-router-solicit.pcap", frames: 1, found: []int{1}},
	{file: "zeek_zeek__testing_btest_Traces_icmp_nd_dnssl.pcap", frames: 2, found: []int{1, 2}},
	{file: "zeek_zeek__testing_btest_Traces_pppoe.pcap", frames: 65, found: []int{34, 35, 36, 37, 38, 39}},
	{file: "zeek_zeek__testing_btest_Traces_tunnels_Teredo.pcap", frames: 78, hidden: []int{6, 7}, why: "Teredo: IPv6 inside IPv4 UDP 3544"},
	{file: "zeek_zeek__testing_btest_Traces_tunnels_gtp_gtp7_ipv6.pcap", frames: 2, hidden: []int{2}, why: "GTP-U: IPv6 inside IPv4 UDP 2152"},
	{file: "lemontree55_packetgen__spec_header_dhcpv6.pcapng", frames: 6, found: []int{1, 2, 3, 4, 5, 6}},
}

// badChecksums lists the found frames whose ICMPv6/UDP checksum is wrong,
// as tshark -o udp.check_checksum:TRUE -V reports them ("Checksum Status:
// Bad"); every other found frame must pass UpperLayerChecksumOK.
var badChecksums = map[string][]int{
	"arkime_arkime__tests_pcap_arkime_synthetic.pcap":             {620, 621}, // 0xffff written by a generator
	"the-tcpdump-group_tcpdump__tests_ip6-snmp-oid-unsigned.pcap": {1},        // 0x2001, should be 0x5fe7
}

// wanted reports whether Decode delivered what v6diag analyses: a Router
// Solicitation or Advertisement, or UDP to or from a DHCPv6 port.
func wanted(p Packet) bool {
	switch p.Transport {
	case TransportICMPv6:
		return p.ICMPv6[0] == 133 || p.ICMPv6[0] == 134
	case TransportUDP:
		return p.SourcePort == 546 || p.SourcePort == 547 || p.DestinationPort == 546 || p.DestinationPort == 547
	}
	return false
}

// sourcesFrames reads the frame numbers SOURCES.tsv names in each file's
// content_summary ("N:summary|N:summary…", the first few only).
func sourcesFrames(t *testing.T, dir string) map[string][]int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "SOURCES.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	named := map[string][]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 8 || cols[0] == "file" {
			continue
		}
		for entry := range strings.SplitSeq(cols[7], "|") {
			n, err := strconv.Atoi(entry[:strings.IndexByte(entry, ':')])
			if err != nil {
				t.Fatalf("SOURCES.tsv %s: entry %q: %v", cols[0], entry, err)
			}
			named[cols[0]] = append(named[cols[0]], n)
		}
	}
	return named
}

func TestRealCaptures(t *testing.T) {
	dir := capturesDir(t)
	named := sourcesFrames(t, dir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var onDisk []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); ext == ".pcap" || ext == ".pcapng" {
			onDisk = append(onDisk, e.Name())
		}
	}
	var inTable []string
	for _, tc := range realCaptures {
		inTable = append(inTable, tc.file)
	}
	slices.Sort(onDisk)
	slices.Sort(inTable)
	if diff := cmp.Diff(onDisk, inTable); diff != "" {
		t.Errorf("captures on disk vs realCaptures table (-disk +table):\n%s", diff)
	}

	for _, tc := range realCaptures {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(f)
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			wantFormat := FormatPcap
			if filepath.Ext(tc.file) == ".pcapng" {
				wantFormat = FormatPcapng
			}
			if r.Format() != wantFormat {
				t.Errorf("Format() = %s, want %s", r.Format(), wantFormat)
			}
			var (
				n        int
				found    []int
				badCksum []int
			)
			for {
				fr, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("Next after frame %d: %v", n, err)
				}
				n++
				if fr.Number != n {
					t.Fatalf("frame %d numbered %d", n, fr.Number)
				}
				if !fr.LinkType.Supported() {
					t.Fatalf("frame %d: link type %s not supported", n, fr.LinkType)
				}
				if len(fr.Data) > MaxFrameLength || fr.OriginalLength < len(fr.Data) {
					t.Fatalf("frame %d: %d bytes, original length %d", n, len(fr.Data), fr.OriginalLength)
				}
				if fr.Timestamp.IsZero() {
					t.Fatalf("frame %d: no timestamp", n)
				}
				p, err := Decode(fr)
				if err != nil && !errors.Is(err, ErrNotIPv6) {
					t.Logf("frame %d: %v", n, err)
				}
				if err == nil && wanted(p) {
					found = append(found, n)
					if !p.UpperLayerChecksumOK() {
						badCksum = append(badCksum, n)
					}
				}
			}
			if n != tc.frames {
				t.Errorf("read %d frames, tshark counts %d", n, tc.frames)
			}
			if diff := cmp.Diff(tc.found, found); diff != "" {
				t.Errorf("frames with RS/RA/DHCPv6 (-tshark +Decode):\n%s", diff)
			}
			if diff := cmp.Diff(badChecksums[tc.file], badCksum); diff != "" {
				t.Errorf("frames failing UpperLayerChecksumOK (-tshark +got):\n%s", diff)
			}
			named, ok := named[tc.file]
			if !ok {
				t.Fatalf("%s not in SOURCES.tsv", tc.file)
			}
			for _, num := range named {
				if tc.why == "" && !slices.Contains(found, num) {
					t.Errorf("SOURCES.tsv names frame %d; Decode did not find it", num)
				}
				if tc.why != "" && slices.Contains(found, num) {
					t.Errorf("SOURCES.tsv frame %d is hidden (%s) but Decode reported it", num, tc.why)
				}
				if tc.why != "" && !slices.Contains(tc.hidden, num) {
					t.Errorf("SOURCES.tsv frame %d missing from hidden", num)
				}
			}
		})
	}
}

// TestRealCapturesTshark checks the hardcoded counts in realCaptures against
// the tshark installed here, when there is one.
func TestRealCapturesTshark(t *testing.T) {
	dir := capturesDir(t)
	if testing.Short() {
		t.Skip("runs tshark once per file")
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	for _, tc := range realCaptures {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command(tshark, "-r", filepath.Join(dir, tc.file)).Output()
			if err != nil {
				t.Fatalf("tshark -r %s: %v", tc.file, err)
			}
			if n := bytes.Count(out, []byte("\n")); n != tc.frames {
				t.Errorf("tshark -r %s | wc -l = %d, table says %d", tc.file, n, tc.frames)
			}
		})
	}
}
