package capture

import (
	"fmt"
	"io"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// PcapngWriter writes frames to a pcapng file as they arrive, flushing each
// one so the file on disk is valid at every moment — a run cut short still
// leaves evidence behind.
type PcapngWriter struct {
	ng *pcapgo.NgWriter
	n  int
}

// NewPcapngWriter writes the section and interface headers for a capture
// on interface name with the given link type.
func NewPcapngWriter(w io.Writer, name string, lt LinkType, application string) (*PcapngWriter, error) {
	ng, err := pcapgo.NewNgWriterInterface(w, pcapgo.NgInterface{
		Name:                name,
		LinkType:            layers.LinkType(lt),
		SnapLength:          snapLength,
		TimestampResolution: 9, // nanoseconds
		Filter:              "icmp6 and (ip6[40] == 133 or ip6[40] == 134) or udp port 546 or udp port 547",
	}, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: application, OS: "Linux"}})
	if err != nil {
		return nil, fmt.Errorf("capture: start pcapng: %w", err)
	}
	if err := ng.Flush(); err != nil {
		return nil, fmt.Errorf("capture: start pcapng: %w", err)
	}
	return &PcapngWriter{ng: ng}, nil
}

// WriteFrame appends f and returns the frame number it has in the file.
func (w *PcapngWriter) WriteFrame(f Frame) (int, error) {
	ci := gopacket.CaptureInfo{Timestamp: f.Timestamp, CaptureLength: len(f.Data), Length: max(f.OriginalLength, len(f.Data))}
	if err := w.ng.WritePacket(ci, f.Data); err != nil {
		return 0, fmt.Errorf("capture: write frame %d: %w", w.n+1, err)
	}
	if err := w.ng.Flush(); err != nil {
		return 0, fmt.Errorf("capture: flush frame %d: %w", w.n+1, err)
	}
	w.n++
	return w.n, nil
}

// Frames reports how many frames were written.
func (w *PcapngWriter) Frames() int { return w.n }
