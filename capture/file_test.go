package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// orderedBlock builds a pcapng block in the given byte order.
func orderedBlock(o binary.AppendByteOrder, blockType uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	n := uint32(12 + len(body))
	b := o.AppendUint32(nil, blockType)
	b = o.AppendUint32(b, n)
	b = append(b, body...)
	return o.AppendUint32(b, n)
}

func orderedSection(o binary.AppendByteOrder) []byte {
	body := o.AppendUint32(nil, ngByteOrderMagic)
	body = o.AppendUint16(body, 1)
	body = o.AppendUint16(body, 0)
	body = o.AppendUint64(body, ^uint64(0))
	return orderedBlock(o, ngBlockSection, body)
}

// orderedInterface is an IDB with an optional if_tsresol option.
func orderedInterface(o binary.AppendByteOrder, lt LinkType, tsresol ...byte) []byte {
	body := o.AppendUint16(nil, uint16(lt))
	body = append(body, 0, 0)
	body = o.AppendUint32(body, 0)
	// An if_name option first, so that if_tsresol is not the first option.
	body = o.AppendUint16(body, 2)
	body = o.AppendUint16(body, 5)
	body = append(body, 'e', 't', 'h', '0', 0, 0, 0, 0)
	if len(tsresol) > 0 {
		body = o.AppendUint16(body, ngOptionTSResol)
		body = o.AppendUint16(body, 1)
		body = append(body, tsresol[0], 0, 0, 0)
	}
	body = o.AppendUint32(body, 0) // opt_endofopt
	return orderedBlock(o, ngBlockInterface, body)
}

func orderedEnhanced(o binary.AppendByteOrder, ifIndex uint32, ts uint64, origLen uint32, data []byte) []byte {
	body := o.AppendUint32(nil, ifIndex)
	body = o.AppendUint32(body, uint32(ts>>32))
	body = o.AppendUint32(body, uint32(ts))
	body = o.AppendUint32(body, uint32(len(data)))
	body = o.AppendUint32(body, origLen)
	body = append(body, data...)
	// An opt_comment after the data, which the reader must skip.
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	body = o.AppendUint16(body, 1)
	body = o.AppendUint16(body, 2)
	body = append(body, 'h', 'i', 0, 0)
	body = o.AppendUint32(body, 0)
	return orderedBlock(o, ngBlockEnhanced, body)
}

func TestReaderFormats(t *testing.T) {
	ra := ether(etherTypeIPv6, routerAdvertisement(t))
	rs := ether(etherTypeIPv6, routerSolicitation(t))
	le, be := binary.LittleEndian, binary.BigEndian
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	pcapHeader := func(o binary.AppendByteOrder, magic uint32, linkField uint32) []byte {
		b := o.AppendUint32(nil, magic)
		b = o.AppendUint16(b, 2)
		b = o.AppendUint16(b, 4)
		b = append(b, make([]byte, 8)...)
		b = o.AppendUint32(b, 65535)
		return o.AppendUint32(b, linkField)
	}
	pcapRec := func(o binary.AppendByteOrder, sec, frac uint32, origLen uint32, data []byte) []byte {
		b := o.AppendUint32(nil, sec)
		b = o.AppendUint32(b, frac)
		b = o.AppendUint32(b, uint32(len(data)))
		b = o.AppendUint32(b, origLen)
		return append(b, data...)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	sec := uint32(t0.Unix())
	usec := uint64(t0.UnixMicro())

	// simple is a Simple Packet Block: original length then data.
	simple := func(o binary.AppendByteOrder, origLen uint32, data []byte) []byte {
		return orderedBlock(o, ngBlockSimple, append(o.AppendUint32(nil, origLen), data...))
	}
	// obsolete is a Packet Block (type 2): interface, drops, timestamp, lengths.
	obsolete := func(o binary.AppendByteOrder, ts uint64, data []byte) []byte {
		body := o.AppendUint16(nil, 0)
		body = o.AppendUint16(body, 0)
		body = o.AppendUint32(body, uint32(ts>>32))
		body = o.AppendUint32(body, uint32(ts))
		body = o.AppendUint32(body, uint32(len(data)))
		body = o.AppendUint32(body, uint32(len(data)))
		return orderedBlock(o, ngBlockPacket, append(body, data...))
	}

	tests := []struct {
		name   string
		file   []byte
		format Format
		want   []Frame
	}{
		{
			name:   "pcap little-endian microseconds",
			file:   cat(pcapHeader(le, pcapMagicMicro, 1), pcapRec(le, sec, 123456, uint32(len(ra)), ra), pcapRec(le, sec+1, 999999, 1500, rs)),
			format: FormatPcap,
			want: []Frame{
				{Number: 1, Timestamp: t0.Add(123456 * time.Microsecond), LinkType: LinkTypeEthernet, Data: ra, OriginalLength: len(ra)},
				{Number: 2, Timestamp: t0.Add(time.Second + 999999*time.Microsecond), LinkType: LinkTypeEthernet, Data: rs, OriginalLength: 1500},
			},
		},
		{
			name:   "pcap big-endian nanoseconds, FCS bits in the link type",
			file:   cat(pcapHeader(be, pcapMagicNano, 0x1000_0000|113), pcapRec(be, sec, 123456789, 0, ra)),
			format: FormatPcap,
			// An original length below the captured one is a lie; the
			// captured length wins.
			want: []Frame{{Number: 1, Timestamp: t0.Add(123456789), LinkType: LinkTypeLinuxSLL, Data: ra, OriginalLength: len(ra)}},
		},
		{
			name:   "pcap with no records",
			file:   pcapHeader(le, pcapMagicMicro, 101),
			format: FormatPcap,
		},
		{
			name: "pcapng little-endian, default microseconds, unknown block skipped",
			file: cat(orderedSection(le), orderedInterface(le, LinkTypeEthernet),
				orderedBlock(le, 0x0bad, []byte{1, 2, 3, 4, 5}),
				orderedEnhanced(le, 0, usec+42, uint32(len(ra)), ra)),
			format: FormatPcapng,
			want:   []Frame{{Number: 1, Timestamp: t0.Add(42 * time.Microsecond), LinkType: LinkTypeEthernet, Data: ra, OriginalLength: len(ra)}},
		},
		{
			name: "pcapng big-endian, nanosecond and 2^-10 resolutions on two interfaces",
			file: cat(orderedSection(be),
				orderedInterface(be, LinkTypeEthernet, 9), orderedInterface(be, LinkTypeRaw, 0x80|10),
				orderedEnhanced(be, 0, uint64(t0.UnixNano())+7, 2000, ra),
				orderedEnhanced(be, 1, uint64(t0.Unix())<<10|512, uint32(len(rs)-14), rs[14:])),
			format: FormatPcapng,
			want: []Frame{
				{Number: 1, Timestamp: t0.Add(7), LinkType: LinkTypeEthernet, Data: ra, OriginalLength: 2000},
				{Number: 2, Timestamp: t0.Add(time.Second / 2), LinkType: LinkTypeRaw, Data: rs[14:], OriginalLength: len(rs) - 14},
			},
		},
		{
			name: "pcapng simple and obsolete packet blocks",
			file: cat(orderedSection(le), orderedInterface(le, LinkTypeEthernet),
				simple(le, uint32(len(rs)), rs), obsolete(le, usec, ra)),
			format: FormatPcapng,
			want: []Frame{
				{Number: 1, LinkType: LinkTypeEthernet, Data: rs, OriginalLength: len(rs)},
				{Number: 2, Timestamp: t0, LinkType: LinkTypeEthernet, Data: ra, OriginalLength: len(ra)},
			},
		},
		{
			name: "pcapng second section restarts the interface list",
			file: cat(orderedSection(le), orderedInterface(le, LinkTypeEthernet), orderedEnhanced(le, 0, usec, uint32(len(ra)), ra),
				orderedSection(be), orderedInterface(be, LinkTypeRaw, 9), orderedEnhanced(be, 0, uint64(t0.UnixNano()), uint32(len(rs)-14), rs[14:])),
			format: FormatPcapng,
			want: []Frame{
				{Number: 1, Timestamp: t0, LinkType: LinkTypeEthernet, Data: ra, OriginalLength: len(ra)},
				{Number: 2, Timestamp: t0, LinkType: LinkTypeRaw, Data: rs[14:], OriginalLength: len(rs) - 14},
			},
		},
		{
			name: "pcapng frame longer than MaxFrameLength is cut to it",
			file: cat(orderedSection(le), orderedInterface(le, LinkTypeEthernet),
				orderedEnhanced(le, 0, usec, MaxFrameLength+100, bytes.Repeat([]byte{0xaa}, MaxFrameLength+100))),
			format: FormatPcapng,
			want: []Frame{{Number: 1, Timestamp: t0, LinkType: LinkTypeEthernet,
				Data: bytes.Repeat([]byte{0xaa}, MaxFrameLength), OriginalLength: MaxFrameLength + 100}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if r.Format() != tc.format {
				t.Errorf("Format() = %s, want %s", r.Format(), tc.format)
			}
			got, err := readAll(tc.file)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("frames (-want +got):\n%s", diff)
			}
		})
	}
}

// malformedCase is a damaged file, the good frames in it before the damage
// (each a copy of the RA frame), and the error that must end the reading.
type malformedCase struct {
	name   string
	file   []byte
	frames int
	want   error
}

func malformedFiles(t testing.TB) (ra []byte, cases []malformedCase) {
	ra = ether(etherTypeIPv6, routerAdvertisement(t))
	good := pcapngFile(LinkTypeEthernet, ra)
	goodPcap := pcapFile(LinkTypeEthernet, ra)
	le := binary.LittleEndian

	epb := func(capLen, blockLen uint32, data []byte) []byte {
		b := le.AppendUint32(nil, ngBlockEnhanced)
		b = le.AppendUint32(b, blockLen)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint64(b, 0)
		b = le.AppendUint32(b, capLen)
		b = le.AppendUint32(b, capLen)
		b = append(b, data...)
		return le.AppendUint32(b, blockLen)
	}
	return ra, []malformedCase{
		{"empty file", nil, 0, ErrNotCapture},
		{"three bytes", []byte{0xd4, 0xc3, 0xb2}, 0, ErrNotCapture},
		{"text file", []byte("frame 1: 86 bytes on wire\nEthernet II, Src: 02:00:00:00:00:01\n"), 0, ErrNotCapture},
		{"pcap file header cut", goodPcap[:10], 0, io.ErrUnexpectedEOF},
		{"pcap incl_len 0xFFFFFFFF", append(bytes.Clone(goodPcap), pcapRecord(nil, 1, 0, 0xffffffff, 60)...), 1, ErrMalformed},
		{"pcap incl_len just above the limit", append(bytes.Clone(goodPcap), pcapRecord(nil, 1, 0, MaxFrameLength+1, 60)...), 1, ErrMalformed},
		{"pcap record header cut", append(bytes.Clone(goodPcap), pcapRecord(nil, 1, 0, 60, 60)[:9]...), 1, io.ErrUnexpectedEOF},
		{"pcap record data cut", goodPcap[:len(goodPcap)-1], 0, io.ErrUnexpectedEOF},
		{"pcap incl_len promises more than the file", append(bytes.Clone(goodPcap), pcapRecord(nil, 1, 0, MaxFrameLength, MaxFrameLength)...), 1, io.ErrUnexpectedEOF},

		{"pcapng section header cut", good[:10], 0, io.ErrUnexpectedEOF},
		{"pcapng byte-order magic wrong", func() []byte {
			b := bytes.Clone(good)
			b[8] = 0
			return b
		}(), 0, ErrMalformed},
		{"pcapng section length 12", func() []byte {
			b := bytes.Clone(good)
			le.PutUint32(b[4:8], 12)
			return b
		}(), 0, ErrMalformed},
		{"pcapng block length 0xFFFFFFFF", append(bytes.Clone(good), epb(60, 0xffffffff, make([]byte, 60))...), 1, ErrMalformed},
		{"pcapng block length 0xFFFFFFFC", append(bytes.Clone(good), epb(60, 0xfffffffc, make([]byte, 60))...), 1, io.ErrUnexpectedEOF},
		{"pcapng block length 8", append(bytes.Clone(good), epb(60, 8, make([]byte, 60))...), 1, ErrMalformed},
		{"pcapng block length not a multiple of 4", append(bytes.Clone(good), epb(60, 94, make([]byte, 60))...), 1, ErrMalformed},
		{"pcapng EPB captured length 0xFFFFFFFF", append(bytes.Clone(good), epb(0xffffffff, 92, make([]byte, 60))...), 1, ErrMalformed},
		{"pcapng EPB captured length exceeds its block", append(bytes.Clone(good), epb(61, 92, make([]byte, 60))...), 1, ErrMalformed},
		{"pcapng EPB shorter than its fixed fields", append(bytes.Clone(good), ngBlock(ngBlockEnhanced, make([]byte, 16))...), 1, ErrMalformed},
		{"pcapng EPB on an undeclared interface", append(bytes.Clone(good), func() []byte {
			b := epb(60, 92, make([]byte, 60))
			le.PutUint32(b[8:12], 3)
			return b
		}()...), 1, ErrMalformed},
		{"pcapng packet before any interface", append(ngSection(), ngEnhanced(0, ra)...), 0, ErrMalformed},
		{"pcapng interface block too short", append(ngSection(), ngBlock(ngBlockInterface, []byte{1, 0, 0, 0})...), 0, ErrMalformed},
		{"pcapng interface block cut", append(ngSection(), ngInterfaceBlock(LinkTypeEthernet)[:12]...), 0, io.ErrUnexpectedEOF},
		{"pcapng block header cut", good[:len(good)-len(ngEnhanced(0, ra))+5], 0, io.ErrUnexpectedEOF},
		{"pcapng EPB data cut", good[:len(good)-10], 0, io.ErrUnexpectedEOF},
		{"pcapng EPB trailer cut", good[:len(good)-1], 0, io.ErrUnexpectedEOF},
		{"pcapng unknown block cut", append(bytes.Clone(good), ngBlock(0x0bad, make([]byte, 100))[:50]...), 1, io.ErrUnexpectedEOF},
	}
}

func TestReaderMalformed(t *testing.T) {
	ra, tests := malformedFiles(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			frames, err := readAll(tc.file)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "capture: ") {
				t.Errorf("error %q does not start with the package name", err)
			}
			if len(frames) != tc.frames {
				t.Errorf("%d frames before the error, want %d", len(frames), tc.frames)
			}
			for i, f := range frames {
				if !bytes.Equal(f.Data, ra) {
					t.Errorf("frame %d: data differs from what was written", i+1)
				}
			}
			// The bufio buffer (64 KiB) and at most one MaxFrameLength buffer.
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				t.Errorf("reading allocated %d bytes", n)
			}
		})
	}
}

// TestReaderErrorSticks checks that after a damaged record every call
// returns the same error instead of reading garbage as frames.
func TestReaderErrorSticks(t *testing.T) {
	ra := ether(etherTypeIPv6, routerAdvertisement(t))
	file := append(pcapFile(LinkTypeEthernet, ra), pcapRecord(nil, 1, 0, 0xffffffff, 60)...)
	// What follows looks like a perfectly good record.
	file = append(pcapRecord(file, 2, 0, uint32(len(ra)), uint32(len(ra))), ra...)
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, first := r.Next()
	if !errors.Is(first, ErrMalformed) {
		t.Fatalf("second Next: %v, want ErrMalformed", first)
	}
	for range 3 {
		if f, err := r.Next(); err != first {
			t.Fatalf("Next after the error returned frame %d, %v; want the first error again", f.Number, err)
		}
	}
}

func TestTimestampResolution(t *testing.T) {
	for _, tc := range []struct {
		tsresol byte
		want    uint64
	}{
		{0, 1},
		{6, 1_000_000},
		{9, 1_000_000_000},
		{19, 10_000_000_000_000_000_000},
		{127, 10_000_000_000_000_000_000}, // clamped: 10^127 does not fit
		{0x80 | 10, 1024},
		{0x80 | 63, 1 << 63},
		{0xff, 1 << 63},
	} {
		if got := tsResolution(tc.tsresol); got != tc.want {
			t.Errorf("tsResolution(%#x) = %d, want %d", tc.tsresol, got, tc.want)
		}
	}
	// A zero resolution (2^-0 is 1, but a hand-built struct may hold 0)
	// must not divide by zero.
	_ = ngTime(12345, 0)
	if got := ngTime(^uint64(0), 1); got.IsZero() {
		t.Error("ngTime of the largest timestamp is zero")
	}
}

// TestOriginalLengthNeverNegative: a 0xFFFFFFFF original length must not
// wrap to a negative int where int has 32 bits (mips, arm routers).
func TestOriginalLengthNeverNegative(t *testing.T) {
	file := append(pcapFile(LinkTypeEthernet), pcapRecord(nil, 1, 0, 4, 0xffffffff)...)
	file = append(file, 1, 2, 3, 4)
	frames, err := readAll(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 1 || frames[0].OriginalLength < 4 {
		t.Errorf("frames %+v", frames)
	}
}

// TestReaderCutShort: a file that ends inside a record says which frame
// the cut fell in and hands over what it holds of it, for pcap and pcapng;
// a cut outside a frame's record names no frame.
func TestReaderCutShort(t *testing.T) {
	ra := ether(etherTypeIPv6, routerAdvertisement(t))
	two := [][]byte{ra, ra}
	pcap := pcapFile(LinkTypeEthernet, two...)
	ng := pcapngFile(LinkTypeEthernet, two...)
	recordEnd := len(ng) - len(ngEnhanced(0, ra)) // where frame 2's block starts
	tests := []struct {
		name    string
		file    []byte
		inFrame bool
		data    int  // bytes of frame 2 handed over
		stamped bool // frame 2's time was read
	}{
		{"pcap record header cut", pcap[:len(pcap)-len(ra)-5], true, 0, false},
		{"pcap data cut", pcap[:len(pcap)-10], true, len(ra) - 10, true},
		{"pcap data cut at its first byte", pcap[:len(pcap)-len(ra)], true, 0, true},
		{"pcapng block header cut", ng[:recordEnd+5], false, 0, false},
		{"pcapng EPB fields cut", ng[:recordEnd+16], true, 0, false},
		{"pcapng EPB data cut", ng[:len(ng)-20], true, len(ra) - 20 + 4 + (4-len(ra)%4)%4, true},
		{"pcapng EPB trailer cut", ng[:len(ng)-1], true, len(ra), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			frames, err := readAll(tc.file)
			var cut *CutShortError
			if !errors.As(err, &cut) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("error %v, want a CutShortError wrapping io.ErrUnexpectedEOF", err)
			}
			if len(frames) != 1 || cut.InFrame != tc.inFrame || cut.Frame.Number != 2 {
				t.Fatalf("%d frames, cut in frame %v number %d", len(frames), cut.InFrame, cut.Frame.Number)
			}
			if len(cut.Frame.Data) != tc.data || !bytes.Equal(cut.Frame.Data, ra[:len(cut.Frame.Data)]) {
				t.Errorf("cut frame holds %d bytes, want the first %d of the frame", len(cut.Frame.Data), tc.data)
			}
			if !cut.Frame.Timestamp.IsZero() != tc.stamped {
				t.Errorf("timestamp %v, stamped %v", cut.Frame.Timestamp, tc.stamped)
			}
			if tc.stamped && cut.Frame.OriginalLength != len(ra) {
				t.Errorf("original length %d, want %d", cut.Frame.OriginalLength, len(ra))
			}
		})
	}
}
