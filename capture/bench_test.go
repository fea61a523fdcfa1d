package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"slices"
	"testing"
)

// benchmarkPcap is a pcap of n Ethernet frames: IPv6 TCP segments of a
// bulk transfer, with a Router Advertisement every 1000th frame.
func benchmarkPcap(tb testing.TB, n int) []byte {
	ra := ether(etherTypeIPv6, routerAdvertisement(tb))
	// IPv6 + a 20-byte TCP header (ACK) + 1200 bytes of data.
	tcp := make([]byte, ipv6HeaderLen+20+1200)
	tcp[0] = 0x60
	binary.BigEndian.PutUint16(tcp[4:6], uint16(len(tcp)-ipv6HeaderLen))
	tcp[6], tcp[7] = 6, 64
	src, dst := netip.MustParseAddr("2001:db8::1").As16(), netip.MustParseAddr("2001:db8::2").As16()
	copy(tcp[8:24], src[:])
	copy(tcp[24:40], dst[:])
	binary.BigEndian.PutUint16(tcp[40:], 443)
	binary.BigEndian.PutUint16(tcp[42:], 50000)
	tcp[52] = 5 << 4
	tcp[53] = 0x10
	tcpFrame := ether(etherTypeIPv6, tcp)

	b := pcapFile(LinkTypeEthernet)
	b = slices.Grow(b, n*(16+len(tcpFrame)))
	for i := range n {
		f := tcpFrame
		if i%1000 == 999 {
			f = ra
		}
		b = pcapRecord(b, uint32(1700000000+i/1000), uint32(i%1000*1000), uint32(len(f)), uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

// BenchmarkReadDecode reads and decodes a 100k-frame pcap from memory: one
// op is the whole file. ns/frame and allocs/frame are the figures to watch;
// bufio's 64 KiB buffer and the Reader are the only per-file allocations.
func BenchmarkReadDecode(b *testing.B) {
	const frames = 100_000
	file := benchmarkPcap(b, frames)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(file))
		if err != nil {
			b.Fatal(err)
		}
		n, ras := 0, 0
		for {
			f, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
			p, err := Decode(f)
			if err != nil {
				b.Fatal(err)
			}
			if p.Transport == TransportICMPv6 && p.ICMPv6[0] == 134 {
				ras++
			}
		}
		if n != frames || ras != frames/1000 {
			b.Fatalf("%d frames, %d RAs", n, ras)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/frames, "ns/frame")
}

// TestReadDecodeAllocations pins the per-frame cost: reading and decoding
// a frame allocates nothing.
func TestReadDecodeAllocations(t *testing.T) {
	file := benchmarkPcap(t, 2000)
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		f, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(f); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per frame, want 0", allocs)
	}
}
