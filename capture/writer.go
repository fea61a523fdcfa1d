package capture

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// liveFilter is the live filter (Filter) in tcpdump's words, recorded in
// the interface block so Wireshark shows what the capture kept. It is
// written from the same constants as Filter so the two cannot drift.
var liveFilter = fmt.Sprintf("icmp6 and (ip6[40] == %d or ip6[40] == %d) or udp port %d or udp port %d",
	ICMPv6RouterSolicitation, ICMPv6RouterAdvertisement, PortDHCPv6Client, PortDHCPv6Server)

// pcapng option codes (draft-ietf-opsawg-pcapng §4.2, §4.3).
const (
	ngOptionShbOS       = 3
	ngOptionShbUserAppl = 4
	ngOptionIfName      = 2
	ngOptionIfFilter    = 11
)

// PcapngWriter writes frames to a pcapng file as they arrive, one write per
// frame, so the file on disk is valid at every moment — a run cut short
// still leaves evidence behind.
//
// It is written here rather than taken from gopacket's pcapgo: importing
// gopacket's layers package costs about 7 MB of resident memory at start
// (its per-EtherType tables are filled in init), half of the run's budget
// on a 64 MB router, for three block types that fit on a page.
type PcapngWriter struct {
	w   io.Writer
	n   int
	buf []byte
	// linkType is the interface block's, which a Reader gives every frame.
	linkType LinkType
}

// NewPcapngWriter writes the section and interface headers for a capture
// on interface name with the given link type.
func NewPcapngWriter(w io.Writer, name string, lt LinkType, application string) (*PcapngWriter, error) {
	le := binary.LittleEndian
	// Section Header Block: byte-order magic, version 1.0, section length
	// unknown (-1), then the OS and the application that wrote it.
	shb := le.AppendUint32(nil, ngByteOrderMagic)
	shb = le.AppendUint16(shb, 1)
	shb = le.AppendUint16(shb, 0)
	shb = le.AppendUint64(shb, math.MaxUint64)
	shb = appendOption(shb, ngOptionShbOS, []byte("Linux"))
	shb = appendOption(shb, ngOptionShbUserAppl, []byte(application))
	shb = appendOption(shb, ngOptionEnd, nil)
	// Interface Description Block: link type, snap length, name, filter
	// (first byte 0: a libpcap filter string), nanosecond timestamps.
	idb := le.AppendUint16(nil, uint16(lt))
	idb = le.AppendUint16(idb, 0)
	idb = le.AppendUint32(idb, snapLength)
	idb = appendOption(idb, ngOptionIfName, []byte(name))
	idb = appendOption(idb, ngOptionIfFilter, append([]byte{0}, liveFilter...))
	idb = appendOption(idb, ngOptionTSResol, []byte{9})
	idb = appendOption(idb, ngOptionEnd, nil)
	head := appendBlock(nil, ngBlockSection, shb)
	head = appendBlock(head, ngBlockInterface, idb)
	if _, err := w.Write(head); err != nil {
		return nil, fmt.Errorf("capture: start pcapng: %w", err)
	}
	return &PcapngWriter{w: w, linkType: lt}, nil
}

// appendOption appends one pcapng option, padded to 32 bits.
func appendOption(b []byte, code uint16, value []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, code)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(value)))
	b = append(b, value...)
	return append(b, make([]byte, pad4(len(value)))...)
}

// appendBlock appends a block: type, total length, body, total length again.
func appendBlock(b []byte, blockType uint32, body []byte) []byte {
	total := uint32(12 + len(body))
	b = binary.LittleEndian.AppendUint32(b, blockType)
	b = binary.LittleEndian.AppendUint32(b, total)
	b = append(b, body...)
	return binary.LittleEndian.AppendUint32(b, total)
}

func pad4(n int) int { return (4 - n%4) % 4 }

// WriteFrame appends f as an Enhanced Packet Block and returns the frame
// number it has in the file.
func (w *PcapngWriter) WriteFrame(f Frame) (int, error) {
	rec, err := w.Record(f)
	return rec.Number, err
}

// Record is WriteFrame returning the frame as a Reader gives it back from
// the file (numbered, cut to the snapshot length, stamped in UTC
// nanoseconds), so that a run can analyse what it records as it records
// it and see exactly what an analysis of the file would.
func (w *PcapngWriter) Record(f Frame) (Frame, error) {
	data := f.Data
	if len(data) > snapLength {
		data = data[:snapLength]
	}
	orig := min(uint64(max(f.OriginalLength, len(f.Data))), math.MaxUint32)
	var ts uint64
	if !f.Timestamp.IsZero() && f.Timestamp.UnixNano() > 0 {
		ts = uint64(f.Timestamp.UnixNano())
	}
	le := binary.LittleEndian
	// The block is built in one reused buffer, header slot first, so one
	// Write puts it on disk whole.
	b := append(w.buf[:0], make([]byte, 8)...)
	b = le.AppendUint32(b, 0) // interface 0
	b = le.AppendUint32(b, uint32(ts>>32))
	b = le.AppendUint32(b, uint32(ts))
	b = le.AppendUint32(b, uint32(len(data)))
	b = le.AppendUint32(b, uint32(orig))
	b = append(b, data...)
	b = append(b, make([]byte, pad4(len(data)))...)
	total := uint32(len(b) + 4)
	le.PutUint32(b[0:], ngBlockEnhanced)
	le.PutUint32(b[4:], total)
	b = le.AppendUint32(b, total)
	w.buf = b
	if _, err := w.w.Write(b); err != nil {
		return Frame{}, fmt.Errorf("capture: write frame %d: %w", w.n+1, err)
	}
	w.n++
	// As Reader.Next reads the block just written (nanosecond resolution,
	// see NewPcapngWriter).
	return Frame{Number: w.n, Timestamp: ngTime(ts, 1_000_000_000), LinkType: w.linkType, Data: data,
		OriginalLength: clampInt(int64(max(orig, uint64(len(data)))))}, nil
}

// Frames reports how many frames were written.
func (w *PcapngWriter) Frames() int { return w.n }
