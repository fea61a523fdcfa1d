package capture

import (
	"testing"

	"golang.org/x/net/bpf"
)

// filterVM assembles Filter(lt) into the x/net/bpf interpreter, which runs
// classic BPF the way the kernel does (an out-of-range load drops).
func filterVM(t testing.TB, lt LinkType) *bpf.VM {
	t.Helper()
	raw, err := Filter(lt)
	if err != nil {
		t.Fatalf("Filter(%s): %v", lt, err)
	}
	insts, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatalf("Filter(%s): program does not disassemble: %v", lt, insts)
	}
	vm, err := bpf.NewVM(insts)
	if err != nil {
		t.Fatalf("Filter(%s): %v", lt, err)
	}
	return vm
}

func TestFilter(t *testing.T) {
	ra := routerAdvertisement(t)
	rs := routerSolicitation(t)
	ns := neighborSolicitation(t)
	solicit := dhcpv6Solicit(t)
	advertise := dhcpv6Advertise(t)
	dns := dnsQuery(t)
	arp := ether(0x0806, []byte{0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 2, 192, 0, 2, 2, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1})

	const accept, drop = MaxFrameLength, 0
	tests := []struct {
		name  string
		lt    LinkType
		frame []byte
		want  int
	}{
		{"ethernet RS", LinkTypeEthernet, ether(etherTypeIPv6, rs), accept},
		{"ethernet RA", LinkTypeEthernet, ether(etherTypeIPv6, ra), accept},
		{"ethernet NS", LinkTypeEthernet, ether(etherTypeIPv6, ns), drop},
		{"ethernet DHCPv6 to 547", LinkTypeEthernet, ether(etherTypeIPv6, solicit), accept},
		{"ethernet DHCPv6 from 547", LinkTypeEthernet, ether(etherTypeIPv6, advertise), accept},
		{"ethernet DNS", LinkTypeEthernet, ether(etherTypeIPv6, dns), drop},
		{"ethernet IPv4 UDP 546→547", LinkTypeEthernet, ether(etherTypeIPv4, ipv4UDP()), drop},
		{"ethernet ARP", LinkTypeEthernet, arp, drop},
		{"802.1Q RA", LinkTypeEthernet, ether(etherTypeIPv6, ra, etherTypeVLAN, 0x2007), accept},
		{"802.1Q DHCPv6", LinkTypeEthernet, ether(etherTypeIPv6, advertise, etherTypeVLAN, 7), accept},
		{"802.1ad RA", LinkTypeEthernet, ether(etherTypeIPv6, ra, etherTypeQinQ, 100), accept},
		{"802.1Q NS", LinkTypeEthernet, ether(etherTypeIPv6, ns, etherTypeVLAN, 7), drop},
		{"802.1Q IPv4", LinkTypeEthernet, ether(etherTypeIPv4, ipv4UDP(), etherTypeVLAN, 7), drop},
		{"ethernet Hop-by-Hop first", LinkTypeEthernet, ether(etherTypeIPv6, withHopByHop(rs)), accept},
		{"ethernet Fragment first", LinkTypeEthernet, ether(etherTypeIPv6, withFragment(ra, 0)), accept},
		{"ethernet header only", LinkTypeEthernet, ether(etherTypeIPv6, nil), drop},
		{"ethernet RA cut before the ICMPv6 type", LinkTypeEthernet, ether(etherTypeIPv6, ra[:ipv6HeaderLen]), drop},
		{"empty frame", LinkTypeEthernet, nil, drop},

		{"raw RS", LinkTypeRaw, rs, accept},
		{"raw RA", LinkTypeRaw, ra, accept},
		{"raw NS", LinkTypeRaw, ns, drop},
		{"raw DHCPv6 to 547", LinkTypeRaw, solicit, accept},
		{"raw DHCPv6 from 547", LinkTypeRaw, advertise, accept},
		{"raw DNS", LinkTypeRaw, dns, drop},
		{"raw IPv4", LinkTypeRaw, ipv4UDP(), drop},
		{"raw Hop-by-Hop first", LinkTypeRaw, withHopByHop(ra), accept},
		{"raw empty", LinkTypeRaw, nil, drop},
	}
	vms := map[LinkType]*bpf.VM{
		LinkTypeEthernet: filterVM(t, LinkTypeEthernet),
		LinkTypeRaw:      filterVM(t, LinkTypeRaw),
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := vms[tc.lt].Run(tc.frame)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got != tc.want {
				t.Errorf("filter returned %d, want %d", got, tc.want)
			}
			checkUserFilter(t, tc.lt, tc.frame)
		})
	}
}

func TestFilterUnsupportedLinkType(t *testing.T) {
	for _, lt := range []LinkType{LinkTypePPP, LinkTypeLinuxSLL, LinkTypeNull} {
		if _, err := Filter(lt); err == nil {
			t.Errorf("Filter(%s) succeeded; there is no live capture on that link type", lt)
		}
	}
}

// TestFilterAgreesWithDecode runs the Ethernet filter over every Ethernet
// frame of the real captures: it must accept every frame Decode finds an
// RS, RA or DHCPv6 message in, except where the filter is knowingly
// narrower (PPPoE, two VLAN tags: see below).
func TestFilterAgreesWithDecode(t *testing.T) {
	dir := capturesDir(t)
	vm := filterVM(t, LinkTypeEthernet)
	for _, tc := range realCaptures {
		frames := readFile(t, dir, tc.file)
		for _, f := range frames {
			if f.LinkType != LinkTypeEthernet {
				continue
			}
			p, err := Decode(f)
			if err != nil || !wanted(p) {
				continue
			}
			// A live capture runs on the PPPoE session's own interface
			// (ppp0, raw IP) and on the VLAN interface, where the kernel
			// has removed the tags, so the Ethernet filter does not look
			// through PPPoE or a second tag.
			if p.PPPoE || len(p.VLANs) > 1 {
				continue
			}
			got, err := vm.Run(f.Data)
			if err != nil {
				t.Fatal(err)
			}
			checkUserFilter(t, LinkTypeEthernet, f.Data)
			if got != MaxFrameLength {
				t.Errorf("%s frame %d: Decode finds %d/%d but the filter drops it", tc.file, f.Number, p.Transport, p.DestinationPort)
			}
		}
	}
}

// checkUserFilter runs frame through the user-space filter and through
// x/net/bpf's interpreter, the oracle: they must keep the same bytes (the
// oracle returns the ret value uncut; the socket keeps at most the frame).
func checkUserFilter(t testing.TB, lt LinkType, frame []byte) {
	t.Helper()
	raw, err := Filter(lt)
	if err != nil {
		t.Fatal(err)
	}
	uf, err := newUserFilter(raw)
	if err != nil {
		t.Fatal(err)
	}
	want, err := filterVM(t, lt).Run(frame)
	if err != nil {
		want = 0
	}
	if got := uf.run(frame); got != min(want, len(frame)) {
		t.Errorf("%s frame % x: user-space filter keeps %d bytes, x/net/bpf %d", lt, frame, got, min(want, len(frame)))
	}
}

// The program Filter writes by hand is what x/net/bpf's assembler makes
// of the same instructions, read back by its disassembler: every opcode
// means to the oracle what the user-space filter takes it to mean.
func TestFilterAssemblesAsXNetBPF(t *testing.T) {
	for _, lt := range []LinkType{LinkTypeEthernet, LinkTypeRaw} {
		raw, err := Filter(lt)
		if err != nil {
			t.Fatal(err)
		}
		insts, ok := bpf.Disassemble(raw)
		if !ok {
			t.Fatalf("%s: x/net/bpf cannot read the program: %v", lt, insts)
		}
		again, err := bpf.Assemble(insts)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != len(raw) {
			t.Fatalf("%s: %d instructions assemble to %d", lt, len(raw), len(again))
		}
		for i := range raw {
			if raw[i] != again[i] {
				t.Errorf("%s instruction %d: %+v, x/net/bpf assembles %v as %+v", lt, i, raw[i], insts[i], again[i])
			}
		}
	}
	if _, err := newUserFilter([]bpf.RawInstruction{{Op: 0x20}}); err == nil {
		t.Error("the user-space filter took an opcode it does not run (ld [k], 32 bit)")
	}
	if _, err := newUserFilter([]bpf.RawInstruction{jumpIfEqual(1, 3, 0), ret(0)}); err == nil {
		t.Error("the user-space filter took a jump past the program's end")
	}
}

// FuzzUserFilter: on any frame, the user-space filter and x/net/bpf's
// interpreter keep the same bytes, for both link types.
func FuzzUserFilter(f *testing.F) {
	f.Add(true, []byte{})
	f.Add(false, []byte{0x60, 0, 0, 0, 0, 8, 17, 64})
	f.Fuzz(func(t *testing.T, ethernet bool, frame []byte) {
		lt := LinkTypeRaw
		if ethernet {
			lt = LinkTypeEthernet
		}
		checkUserFilter(t, lt, frame)
	})
}
