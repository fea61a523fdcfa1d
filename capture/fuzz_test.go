package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateCorpus = flag.Bool("update-corpus", false,
	"rewrite testdata/fuzz/FuzzReader/capture-* and FuzzDecode/capture-* from ../../shared/captures")

// FuzzReader feeds arbitrary bytes to the Reader: it must never panic,
// never return a frame longer than MaxFrameLength, number frames 1, 2, 3…,
// end (every call consumes at least 12 bytes) and keep returning its first
// error. The seeds are the real captures (testdata/fuzz/FuzzReader, cut to
// 12 KiB of whole records to keep the corpus small; 32 KiB when
// ../../shared/captures is there) and the malformed files of
// TestReaderMalformed.
func FuzzReader(f *testing.F) {
	_, cases := malformedFiles(f)
	for _, tc := range cases {
		f.Add(tc.file)
	}
	f.Add(pcapngFile(LinkTypeLinuxSLL2, append(sll2Header(etherTypeIPv6, 4), routerSolicitation(f)...)))
	if dir, ok := sharedCaptures(); ok {
		for _, name := range captureFiles(f, dir) {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				f.Fatal(err)
			}
			// Larger seeds only slow the fuzzer (minimizing a 100 KiB
			// input takes its whole -fuzzminimizetime) without adding
			// structure the first records lack.
			f.Add(wholeRecords(b, 32<<10))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		limit := len(b)/12 + 1
		for n := 1; ; n++ {
			fr, err := r.Next()
			if err != nil {
				if again, err2 := r.Next(); err2 != err {
					t.Fatalf("Next after %v returned frame %d, %v", err, again.Number, err2)
				}
				return
			}
			if n > limit {
				t.Fatalf("%d frames out of %d bytes", n, len(b))
			}
			if fr.Number != n {
				t.Fatalf("frame %d numbered %d", n, fr.Number)
			}
			if len(fr.Data) > MaxFrameLength || fr.OriginalLength < len(fr.Data) {
				t.Fatalf("frame %d: %d bytes, original length %d", n, len(fr.Data), fr.OriginalLength)
			}
			_, _ = Decode(fr)
		}
	})
}

// FuzzDecode decodes arbitrary bytes as a frame of an arbitrary link type.
// Besides never panicking, what it returns must lie inside the frame, and a
// plain ICMPv6 message it finds must survive being rebuilt with Marshal.
func FuzzDecode(f *testing.F) {
	addDecodeSeeds(f)
	f.Fuzz(func(t *testing.T, lt uint16, b []byte) {
		p, err := Decode(Frame{Number: 1, LinkType: LinkType(lt), Data: b})
		_ = p.UpperLayerChecksumOK()
		if err != nil {
			return
		}
		if len(p.ICMPv6) > len(b) || len(p.UDPPayload) > len(b) {
			t.Fatalf("payload longer than the frame")
		}
		if p.Transport == TransportICMPv6 && p.ICMPv6 != nil && len(p.ICMPv6) < 4 {
			t.Fatalf("ICMPv6 message of %d bytes", len(p.ICMPv6))
		}
		if p.Transport != TransportICMPv6 || p.ICMPv6 == nil || len(p.ICMPv6) > 0xffff ||
			p.Source.Is4In6() || p.Destination.Is4In6() {
			return
		}
		rebuilt, err := IPv6Packet{Source: p.Source, Destination: p.Destination, HopLimit: p.HopLimit,
			Transport: TransportICMPv6, Payload: p.ICMPv6}.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a decoded message: %v", err)
		}
		q, err := Decode(Frame{LinkType: LinkTypeRaw, Data: rebuilt})
		if err != nil {
			t.Fatalf("Decode of a rebuilt message: %v", err)
		}
		if !q.UpperLayerChecksumOK() {
			t.Fatalf("rebuilt message fails its checksum")
		}
		if !bytes.Equal(q.ICMPv6[4:], p.ICMPv6[4:]) || q.ICMPv6[0] != p.ICMPv6[0] || q.ICMPv6[1] != p.ICMPv6[1] {
			t.Fatalf("rebuilt message differs")
		}
	})
}

// addDecodeSeeds gives a frame fuzz target (link type, bytes) frames of
// every link type and header Decode reads, and the control frames of the
// real captures when they are there.
func addDecodeSeeds(f *testing.F) {
	ra, rs, solicit := routerAdvertisement(f), routerSolicitation(f), dhcpv6Solicit(f)
	for _, seed := range []struct {
		lt   LinkType
		data []byte
	}{
		{LinkTypeEthernet, ether(etherTypeIPv6, ra)},
		{LinkTypeEthernet, ether(etherTypeIPv6, solicit, etherTypeQinQ, 100, etherTypeVLAN, 7)},
		{LinkTypeEthernet, ether(etherTypePPPoES, pppoeSession(1, pppProtoIPv6, solicit))},
		{LinkTypeEthernet, ether(etherTypeIPv6, withHopByHop(rs))},
		{LinkTypeEthernet, ether(etherTypeIPv6, withFragment(ra, 0))},
		{LinkTypeEthernet, ether(etherTypeIPv4, ipv4UDP())},
		{LinkTypeLinuxSLL, append(sllHeader(4, etherTypeIPv6), rs...)},
		{LinkTypeLinuxSLL, append(append(sllHeader(0, etherTypeVLAN), 0x20, 0x07, 0x86, 0xdd), ra...)},
		{LinkTypeLinuxSLL2, append(sll2Header(etherTypeIPv6, 4), solicit...)},
		{LinkTypeRaw, ra},
		{LinkTypeIPv6, withFragment(solicit, 3)},
		{LinkTypePPP, append([]byte{0xff, 0x03, 0x00, 0x57}, ra...)},
		{LinkTypePPP, append([]byte{0x57}, rs...)},
		{LinkTypePPPoE, pppoeSession(1, pppProtoIPv6, ra)},
		{LinkTypeNull, append([]byte{0, 0, 0, 28}, solicit...)},
	} {
		f.Add(uint16(seed.lt), seed.data)
	}
	if dir, ok := sharedCaptures(); ok {
		for _, name := range captureFiles(f, dir) {
			for _, fr := range readFile(f, dir, name) {
				if p, err := Decode(fr); err == nil && wanted(p) {
					f.Add(uint16(fr.LinkType), fr.Data)
				}
			}
		}
	}
}

// sharedCaptures is capturesDir without a testing.TB, for fuzz seeding.
func sharedCaptures() (string, bool) {
	dir := filepath.Join("..", "..", "shared", "captures")
	_, err := os.Stat(filepath.Join(dir, "SOURCES.tsv"))
	return dir, err == nil
}

func captureFiles(t testing.TB, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); ext == ".pcap" || ext == ".pcapng" {
			names = append(names, e.Name())
		}
	}
	return names
}

// wholeRecords returns the longest prefix of a capture file no longer than
// budget that ends on a record (pcap) or block (pcapng) boundary.
func wholeRecords(b []byte, budget int) []byte {
	if len(b) <= budget {
		return b
	}
	var order binary.ByteOrder
	off := 0
	switch {
	case binary.LittleEndian.Uint32(b) == pcapMagicMicro || binary.LittleEndian.Uint32(b) == pcapMagicNano:
		order, off = binary.LittleEndian, 24
	case binary.BigEndian.Uint32(b) == pcapMagicMicro || binary.BigEndian.Uint32(b) == pcapMagicNano:
		order, off = binary.BigEndian, 24
	default:
		// pcapng: blocks in the byte order of the section header.
		order = binary.LittleEndian
		if binary.BigEndian.Uint32(b[8:]) == ngByteOrderMagic {
			order = binary.BigEndian
		}
		for off+8 <= len(b) {
			next := off + int(order.Uint32(b[off+4:]))
			if next > budget || next <= off {
				break
			}
			off = next
		}
		return b[:off]
	}
	for off+16 <= len(b) {
		next := off + 16 + int(order.Uint32(b[off+8:]))
		if next > budget {
			break
		}
		off = next
	}
	return b[:off]
}

// corpusEntry is the testing/fuzz corpus file format.
func corpusEntry(values ...any) []byte {
	var sb strings.Builder
	sb.WriteString("go test fuzz v1\n")
	for _, v := range values {
		switch v := v.(type) {
		case []byte:
			fmt.Fprintf(&sb, "[]byte(%q)\n", v)
		case uint16:
			fmt.Fprintf(&sb, "uint16(%d)\n", v)
		}
	}
	return []byte(sb.String())
}

// TestUpdateFuzzCorpus writes the real captures into the seed corpus:
//
//	go test ./capture -run TestUpdateFuzzCorpus -update-corpus
//
// Files above 12 KiB are cut to their first whole records so that the
// corpus stays under a megabyte; FuzzDecode gets every RS, RA and DHCPv6
// frame from a distinct file and link-layer stack.
func TestUpdateFuzzCorpus(t *testing.T) {
	if !*updateCorpus {
		t.Skip("run with -update-corpus to rewrite the seed corpus")
	}
	dir := capturesDir(t)
	readerDir := filepath.Join("testdata", "fuzz", "FuzzReader")
	decodeDir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	for _, d := range []string{readerDir, decodeDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(d, "capture-*"))
		for _, o := range old {
			if err := os.Remove(o); err != nil {
				t.Fatal(err)
			}
		}
	}
	total := 0
	write := func(path string, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		total += len(b)
	}
	for _, name := range captureFiles(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(readerDir, "capture-"+name), corpusEntry(wholeRecords(b, 12<<10)))

		// One frame per link-layer shape and message kind in each file.
		seen := map[string]bool{}
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for {
			fr, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			p, err := Decode(fr)
			if err != nil || !wanted(p) {
				continue
			}
			kind := fmt.Sprintf("%d/%d/%v/%d/%d/%d", fr.LinkType, len(p.VLANs), p.PPPoE, p.Transport, p.SourcePort, p.ExtensionHeaders)
			if p.Transport == TransportICMPv6 {
				kind += fmt.Sprint(p.ICMPv6[0])
			}
			if seen[kind] {
				continue
			}
			seen[kind] = true
			write(filepath.Join(decodeDir, fmt.Sprintf("capture-%s-frame%d", name, fr.Number)),
				corpusEntry(uint16(fr.LinkType), bytes.Clone(fr.Data)))
		}
	}
	t.Logf("wrote %d bytes of seed corpus", total)
	if total > 1<<20 {
		t.Errorf("seed corpus of %d bytes; keep it under 1 MiB", total)
	}
}

var updateHostile = flag.Bool("update-hostile", false, "rewrite testdata/fuzz/FuzzDecode/hostile-* from TestHostileDecode")

// extChain puts n extension headers of type next (0 Hop-by-Hop, 60
// Destination Options, each 8 octets of PadN) before an IPv6 packet's
// upper layer.
func extChain(ipv6 []byte, n int, typ byte) []byte {
	out := bytes.Clone(ipv6[:ipv6HeaderLen])
	upper := out[6]
	if n > 0 {
		out[6] = typ
	}
	for i := range n {
		nh := typ
		if i == n-1 {
			nh = upper
		}
		out = append(out, nh, 0, 1, 4, 0, 0, 0, 0)
	}
	out = append(out, ipv6[ipv6HeaderLen:]...)
	binary.BigEndian.PutUint16(out[4:6], uint16(len(out)-ipv6HeaderLen))
	return out
}

// TestHostileDecode: link and IPv6 headers built to break decoders end in
// the right error (so the analysis reports the frame) or decode to what
// they carry; none panics. They seed FuzzDecode (testdata/fuzz/FuzzDecode/
// hostile-*, rewritten with -update-hostile).
func TestHostileDecode(t *testing.T) {
	ra := routerAdvertisement(t)
	hugeHBH := func() []byte { // one Hop-by-Hop header of 2048 octets of Pad1 options
		out := bytes.Clone(ra[:ipv6HeaderLen])
		upper := out[6]
		out[6] = 0
		out = append(out, upper, 255)
		out = append(out, make([]byte, 2046)...)
		out = append(out, ra[ipv6HeaderLen:]...)
		binary.BigEndian.PutUint16(out[4:6], uint16(len(out)-ipv6HeaderLen))
		return out
	}
	tests := []struct {
		name       string
		lt         LinkType
		data       []byte
		err        error // nil: decodes
		fragmented bool
	}{
		{"RA behind Hop-by-Hop", LinkTypeEthernet, ether(etherTypeIPv6, withHopByHop(ra)), nil, false},
		{"RA behind 2048 octets of Hop-by-Hop padding", LinkTypeEthernet, ether(etherTypeIPv6, hugeHBH()), nil, false},
		{"RA behind 8 Destination Options headers", LinkTypeRaw, extChain(ra, 8, 60), nil, false},
		{"RA behind 9 Destination Options headers", LinkTypeRaw, extChain(ra, 9, 60), ErrExtensionChain, false},
		{"RA in a first fragment (RFC 6980)", LinkTypeEthernet, ether(etherTypeIPv6, withFragment(ra, 0)), nil, true},
		{"Hop-by-Hop cut after 6 octets", LinkTypeRaw, withHopByHop(ra)[:ipv6HeaderLen+6], ErrTruncated, false},
		{"Hop-by-Hop claiming 2048 octets", LinkTypeRaw, func() []byte {
			b := withHopByHop(ra)
			b[ipv6HeaderLen+1] = 255
			return b
		}(), ErrTruncated, false},
		{"fragment header cut", LinkTypeRaw, withFragment(ra, 0)[:ipv6HeaderLen+5], ErrTruncated, false},
		{"IPv6 payload length 0xFFFF", LinkTypeRaw, func() []byte {
			b := bytes.Clone(ra)
			b[4], b[5] = 0xff, 0xff
			return b
		}(), nil, false},
		{"PPPoE session length past the frame", LinkTypeEthernet, func() []byte {
			b := ether(etherTypePPPoES, pppoeSession(1, pppProtoIPv6, ra))
			b[14+4], b[14+5] = 0xff, 0xff
			return b
		}(), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Decode(Frame{Number: 1, LinkType: tc.lt, Data: tc.data})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Decode: %v; want %v", err, tc.err)
				}
			} else if err != nil {
				t.Fatalf("Decode: %v", err)
			} else if p.Transport != TransportICMPv6 || len(p.ICMPv6) < 1 || p.ICMPv6[0] != 134 || p.Fragmented != tc.fragmented {
				t.Errorf("decoded transport %d, ICMPv6 % x, fragmented %v; want an RA, fragmented %v", p.Transport, p.ICMPv6, p.Fragmented, tc.fragmented)
			}
			if *updateHostile {
				name := "hostile-" + strings.ReplaceAll(strings.NewReplacer("(", "", ")", "").Replace(tc.name), " ", "-")
				if err := os.WriteFile(filepath.Join("testdata", "fuzz", "FuzzDecode", name), corpusEntry(uint16(tc.lt), tc.data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
