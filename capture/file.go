package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"time"
)

// MaxFrameLength is the most bytes of one frame that v6diag keeps. Longer
// frames are truncated to it (the original length is still reported), so a
// lying length field can never make the reader allocate more than this.
const MaxFrameLength = 262144

// maxMetadataBlock bounds the pcapng blocks we read whole (section headers,
// interface descriptions); larger ones are skipped rather than buffered.
const maxMetadataBlock = 64 * 1024

// ErrNotCapture reports a file that is neither pcap nor pcapng.
var ErrNotCapture = errors.New("not a pcap or pcapng file")

// ErrMalformed reports a capture file whose structure is broken (a block
// length that lies, a record that cannot be resynchronised).
var ErrMalformed = errors.New("malformed capture file")

// CutShortError reports a file that ends inside a record: the copy was
// cut short (tcpdump killed, a disk full, a transfer broken). It wraps
// io.ErrUnexpectedEOF. Frame is what the file holds of the frame the cut
// fell in: its Number always; its Timestamp, LinkType and OriginalLength
// when the record's header was read; Data the bytes that are there,
// possibly none (a copy, not the Reader's buffer).
type CutShortError struct {
	Frame Frame
	// InFrame is false when the cut fell outside a frame's record (a
	// section or interface block, a block header whose type was not yet
	// read): no frame, or none that can be named, was lost.
	InFrame bool
	err     error
}

func (e *CutShortError) Error() string { return e.err.Error() }
func (e *CutShortError) Unwrap() error { return e.err }

// cutShort wraps err, which ended reading at the end of the file, in a
// CutShortError; other errors pass unchanged.
func cutShort(f Frame, inFrame bool, err error) error {
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	f.Data = append([]byte(nil), f.Data...)
	return &CutShortError{Frame: f, InFrame: inFrame, err: err}
}

// Frame is one captured link-layer frame.
type Frame struct {
	// Number counts frames from 1 in file order, as Wireshark numbers them.
	Number    int
	Timestamp time.Time
	LinkType  LinkType
	// Data holds the captured bytes. A Reader reuses it: it is valid until
	// the next call to Next.
	Data []byte
	// OriginalLength is the frame's length on the wire, which may exceed
	// len(Data) when the capture was cut by a snapshot length.
	OriginalLength int
}

// Format names a capture file format.
type Format string

// The file formats Reader understands.
const (
	FormatPcap   Format = "pcap"
	FormatPcapng Format = "pcapng"
)

const (
	pcapMagicMicro   = 0xa1b2c3d4
	pcapMagicNano    = 0xa1b23c4d
	ngBlockSection   = 0x0a0d0d0a
	ngBlockInterface = 0x00000001
	ngBlockPacket    = 0x00000002 // obsolete Packet Block
	ngBlockSimple    = 0x00000003
	ngBlockEnhanced  = 0x00000006
	ngByteOrderMagic = 0x1a2b3c4d
	ngOptionEnd      = 0
	ngOptionTSResol  = 9
)

type ngInterface struct {
	linkType LinkType
	snapLen  uint32
	// unitsPerSecond is the timestamp resolution (if_tsresol).
	unitsPerSecond uint64
}

// Reader streams frames out of a pcap or pcapng file with bounded memory.
type Reader struct {
	r      *bufio.Reader
	format Format
	order  binary.ByteOrder
	number int
	buf    []byte
	hdr    [32]byte

	// pcap
	linkType LinkType
	nanos    bool

	// pcapng
	interfaces []ngInterface

	// err is the first error other than io.EOF. Once a record is damaged
	// the stream position is unknown, so every later call returns it too
	// rather than decoding garbage as frames.
	err error
}

// NewReader detects the format from the first bytes of r.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	magic, err := br.Peek(4)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("capture: file too short for a capture header: %w", ErrNotCapture)
		}
		return nil, fmt.Errorf("capture: read header: %w", err)
	}
	rd := &Reader{r: br, buf: make([]byte, 0, 2048)}
	switch {
	case binary.BigEndian.Uint32(magic) == ngBlockSection:
		rd.format = FormatPcapng
		// The section header is read as an ordinary block by Next.
		return rd, nil
	case binary.LittleEndian.Uint32(magic) == pcapMagicMicro:
		rd.order = binary.LittleEndian
	case binary.BigEndian.Uint32(magic) == pcapMagicMicro:
		rd.order = binary.BigEndian
	case binary.LittleEndian.Uint32(magic) == pcapMagicNano:
		rd.order, rd.nanos = binary.LittleEndian, true
	case binary.BigEndian.Uint32(magic) == pcapMagicNano:
		rd.order, rd.nanos = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("capture: magic number %x: %w", magic, ErrNotCapture)
	}
	rd.format = FormatPcap
	var h [24]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return nil, fmt.Errorf("capture: pcap file header: %w", unexpectedEOF(err))
	}
	// The top bits of the link type field carry FCS information (pcap-savefile(5)).
	rd.linkType = LinkType(rd.order.Uint32(h[20:24]) & 0xffff)
	return rd, nil
}

// Format reports whether the file is pcap or pcapng.
func (r *Reader) Format() Format { return r.format }

// Next returns the next frame, or io.EOF after the last one. A file cut
// short in a record returns a *CutShortError (wrapping
// io.ErrUnexpectedEOF) with what it holds of the frame the cut fell in,
// and a damaged one an error wrapping ErrMalformed; frames before it are
// still good, and every later call returns the same error.
func (r *Reader) Next() (Frame, error) {
	if r.err != nil {
		return Frame{}, r.err
	}
	var (
		f   Frame
		err error
	)
	if r.format == FormatPcap {
		f, err = r.nextPcap()
	} else {
		f, err = r.nextPcapng()
	}
	if err != nil && err != io.EOF {
		r.err = err
	}
	return f, err
}

func (r *Reader) nextPcap() (Frame, error) {
	h := r.hdr[:16]
	if _, err := io.ReadFull(r.r, h); err != nil {
		if errors.Is(err, io.EOF) {
			return Frame{}, io.EOF
		}
		return Frame{}, cutShort(Frame{Number: r.number + 1}, true,
			fmt.Errorf("capture: frame %d record header: %w", r.number+1, unexpectedEOF(err)))
	}
	sec := int64(r.order.Uint32(h[0:4]))
	frac := int64(r.order.Uint32(h[4:8]))
	capLen := int64(r.order.Uint32(h[8:12]))
	origLen := int64(r.order.Uint32(h[12:16]))
	if capLen > MaxFrameLength {
		// A pcap record cannot be skipped safely without trusting the length:
		// past this point the file cannot be resynchronised.
		return Frame{}, fmt.Errorf("capture: frame %d claims %d captured bytes (limit %d): %w",
			r.number+1, capLen, MaxFrameLength, ErrMalformed)
	}
	nsec := frac * 1000
	if r.nanos {
		nsec = frac
	}
	r.number++
	data, err := r.read(int(capLen))
	f := Frame{
		Number:         r.number,
		Timestamp:      time.Unix(sec, nsec).UTC(),
		LinkType:       r.linkType,
		Data:           data,
		OriginalLength: clampInt(max(origLen, capLen)),
	}
	if err != nil {
		return Frame{}, cutShort(f, true, fmt.Errorf("capture: frame %d data: %w", r.number, unexpectedEOF(err)))
	}
	return f, nil
}

// read fills the reusable buffer with n bytes. On an error it returns the
// bytes that were read.
func (r *Reader) read(n int) ([]byte, error) {
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	b := r.buf[:n]
	k, err := io.ReadFull(r.r, b)
	return b[:k], err
}

func (r *Reader) discard(n int64) error {
	for n > 0 {
		step := min(n, 1<<30)
		k, err := r.r.Discard(int(step))
		n -= int64(k)
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *Reader) nextPcapng() (Frame, error) {
	for {
		h := r.hdr[:8]
		if _, err := io.ReadFull(r.r, h); err != nil {
			if errors.Is(err, io.EOF) {
				return Frame{}, io.EOF
			}
			return Frame{}, cutShort(Frame{Number: r.number + 1}, false,
				fmt.Errorf("capture: pcapng block header: %w", unexpectedEOF(err)))
		}
		blockType := binary.BigEndian.Uint32(h[0:4])
		if blockType == ngBlockSection {
			if err := r.readSectionHeader(h); err != nil {
				return Frame{}, cutShort(Frame{Number: r.number + 1}, false, err)
			}
			continue
		}
		if r.order == nil {
			return Frame{}, fmt.Errorf("capture: pcapng block before any section header: %w", ErrMalformed)
		}
		blockType = r.order.Uint32(h[0:4])
		total := int64(r.order.Uint32(h[4:8]))
		if total < 12 || total%4 != 0 {
			return Frame{}, fmt.Errorf("capture: pcapng block type %#x has length %d: %w", blockType, total, ErrMalformed)
		}
		body := total - 12
		switch blockType {
		case ngBlockInterface:
			if err := r.readInterface(body); err != nil {
				return Frame{}, cutShort(Frame{Number: r.number + 1}, false, err)
			}
		case ngBlockEnhanced, ngBlockPacket, ngBlockSimple:
			return r.readPacketBlock(blockType, body)
		default:
			if err := r.discard(body + 4); err != nil {
				return Frame{}, cutShort(Frame{Number: r.number + 1}, false,
					fmt.Errorf("capture: skip pcapng block type %#x: %w", blockType, unexpectedEOF(err)))
			}
		}
	}
}

func (r *Reader) readSectionHeader(h []byte) error {
	var bom [4]byte
	if _, err := io.ReadFull(r.r, bom[:]); err != nil {
		return fmt.Errorf("capture: pcapng section header: %w", unexpectedEOF(err))
	}
	switch {
	case binary.BigEndian.Uint32(bom[:]) == ngByteOrderMagic:
		r.order = binary.BigEndian
	case binary.LittleEndian.Uint32(bom[:]) == ngByteOrderMagic:
		r.order = binary.LittleEndian
	default:
		return fmt.Errorf("capture: pcapng section header byte-order magic %x: %w", bom, ErrMalformed)
	}
	total := int64(r.order.Uint32(h[4:8]))
	if total < 28 || total%4 != 0 {
		return fmt.Errorf("capture: pcapng section header length %d: %w", total, ErrMalformed)
	}
	// A new section starts a new list of interfaces.
	r.interfaces = r.interfaces[:0]
	if err := r.discard(total - 12); err != nil {
		return fmt.Errorf("capture: pcapng section header: %w", unexpectedEOF(err))
	}
	return nil
}

func (r *Reader) readInterface(body int64) error {
	if body < 8 {
		return fmt.Errorf("capture: pcapng interface block of %d bytes: %w", body, ErrMalformed)
	}
	keep := min(body, maxMetadataBlock)
	b, err := r.read(int(keep))
	if err != nil {
		return fmt.Errorf("capture: pcapng interface block: %w", unexpectedEOF(err))
	}
	ifc := ngInterface{
		linkType:       LinkType(r.order.Uint16(b[0:2])),
		snapLen:        r.order.Uint32(b[4:8]),
		unitsPerSecond: 1_000_000,
	}
	opts := b[8:]
	for len(opts) >= 4 {
		code := r.order.Uint16(opts[0:2])
		n := int(r.order.Uint16(opts[2:4]))
		if code == ngOptionEnd || 4+n > len(opts) {
			break
		}
		if code == ngOptionTSResol && n >= 1 {
			ifc.unitsPerSecond = tsResolution(opts[4])
		}
		opts = opts[min(len(opts), 4+(n+3)&^3):]
	}
	r.interfaces = append(r.interfaces, ifc)
	if err := r.discard(body - keep + 4); err != nil {
		return fmt.Errorf("capture: pcapng interface block: %w", unexpectedEOF(err))
	}
	return nil
}

// tsResolution decodes if_tsresol: 10^-n, or 2^-n when the top bit is set.
func tsResolution(v byte) uint64 {
	if v&0x80 != 0 {
		e := v & 0x7f
		if e > 63 {
			e = 63
		}
		return 1 << e
	}
	if v > 19 {
		v = 19
	}
	u := uint64(1)
	for range v {
		u *= 10
	}
	return u
}

func (r *Reader) readPacketBlock(blockType uint32, body int64) (Frame, error) {
	var fixed int64
	switch blockType {
	case ngBlockEnhanced, ngBlockPacket:
		fixed = 20
	case ngBlockSimple:
		fixed = 4
	}
	r.number++
	if body < fixed {
		return Frame{}, fmt.Errorf("capture: frame %d: pcapng packet block of %d bytes: %w", r.number, body, ErrMalformed)
	}
	h := r.hdr[:fixed]
	if _, err := io.ReadFull(r.r, h); err != nil {
		return Frame{}, cutShort(Frame{Number: r.number}, true, fmt.Errorf("capture: frame %d: %w", r.number, unexpectedEOF(err)))
	}
	var (
		ifIndex         int64
		ts              uint64
		capLen, origLen int64
	)
	switch blockType {
	case ngBlockEnhanced:
		ifIndex = int64(r.order.Uint32(h[0:4]))
		ts = uint64(r.order.Uint32(h[4:8]))<<32 | uint64(r.order.Uint32(h[8:12]))
		capLen = int64(r.order.Uint32(h[12:16]))
		origLen = int64(r.order.Uint32(h[16:20]))
	case ngBlockPacket:
		ifIndex = int64(r.order.Uint16(h[0:2]))
		ts = uint64(r.order.Uint32(h[4:8]))<<32 | uint64(r.order.Uint32(h[8:12]))
		capLen = int64(r.order.Uint32(h[12:16]))
		origLen = int64(r.order.Uint32(h[16:20]))
	case ngBlockSimple:
		origLen = int64(r.order.Uint32(h[0:4]))
		capLen = min(origLen, body-fixed)
		if len(r.interfaces) > 0 && r.interfaces[0].snapLen != 0 {
			capLen = min(capLen, int64(r.interfaces[0].snapLen))
		}
	}
	if ifIndex >= int64(len(r.interfaces)) {
		return Frame{}, fmt.Errorf("capture: frame %d names interface %d of %d: %w", r.number, ifIndex, len(r.interfaces), ErrMalformed)
	}
	if capLen > body-fixed {
		return Frame{}, fmt.Errorf("capture: frame %d: captured length %d exceeds its block (%d bytes): %w",
			r.number, capLen, body-fixed, ErrMalformed)
	}
	keep := min(capLen, MaxFrameLength)
	data, err := r.read(int(keep))
	ifc := r.interfaces[ifIndex]
	f := Frame{
		Number:         r.number,
		LinkType:       ifc.linkType,
		Data:           data,
		OriginalLength: clampInt(max(origLen, capLen)),
	}
	if blockType != ngBlockSimple {
		f.Timestamp = ngTime(ts, ifc.unitsPerSecond)
	}
	if err != nil {
		return Frame{}, cutShort(f, true, fmt.Errorf("capture: frame %d data: %w", r.number, unexpectedEOF(err)))
	}
	if err := r.discard(body - fixed - keep + 4); err != nil {
		// The frame's bytes are all there; only its options and the
		// block's trailing length were lost.
		return Frame{}, cutShort(f, true, fmt.Errorf("capture: frame %d trailer: %w", r.number, unexpectedEOF(err)))
	}
	return f, nil
}

func ngTime(ts, unitsPerSecond uint64) time.Time {
	if unitsPerSecond == 0 {
		unitsPerSecond = 1_000_000
	}
	sec := ts / unitsPerSecond
	rem := ts % unitsPerSecond
	hi, lo := bits.Mul64(rem, 1_000_000_000)
	nsec, _ := bits.Div64(hi, lo, unitsPerSecond)
	if sec > 1<<62 {
		sec = 1 << 62
	}
	return time.Unix(int64(sec), int64(nsec)).UTC()
}

// clampInt converts a 32-bit length field to int without going negative
// where int has 32 bits (mips, arm).
func clampInt(v int64) int {
	return int(min(v, math.MaxInt))
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
