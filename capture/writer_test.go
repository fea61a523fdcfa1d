package capture

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func writtenFrames(t *testing.T) []Frame {
	base := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	return []Frame{
		{Number: 1, Timestamp: base, LinkType: LinkTypeEthernet, Data: ether(etherTypeIPv6, routerSolicitation(t))},
		{Number: 2, Timestamp: base.Add(1), LinkType: LinkTypeEthernet, Data: ether(etherTypeIPv6, routerAdvertisement(t))},
		// Cut by a snapshot length: the original length survives.
		{Number: 3, Timestamp: base.Add(time.Second + 7), LinkType: LinkTypeEthernet, Data: ether(etherTypeIPv6, dhcpv6Solicit(t))[:60]},
		// Length not a multiple of 4, to exercise padding.
		{Number: 4, Timestamp: base.Add(time.Hour), LinkType: LinkTypeEthernet, Data: ether(etherTypeIPv6, dhcpv6Advertise(t))},
		{Number: 5, Timestamp: base.Add(2 * time.Hour), LinkType: LinkTypeEthernet, Data: []byte{}},
	}
}

func TestPcapngWriterRoundTrip(t *testing.T) {
	frames := writtenFrames(t)
	frames[2].OriginalLength = 1500
	var buf bytes.Buffer
	w, err := NewPcapngWriter(&buf, "eth0", LinkTypeEthernet, "v6diag test")
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		n, err := w.WriteFrame(f)
		if err != nil {
			t.Fatalf("WriteFrame %d: %v", i+1, err)
		}
		if n != i+1 {
			t.Errorf("WriteFrame returned number %d, want %d", n, i+1)
		}
		// Every frame is flushed: the bytes so far must already read back.
		got, err := readAll(buf.Bytes())
		if err != nil || len(got) != i+1 {
			t.Fatalf("after frame %d the file holds %d frames (%v)", i+1, len(got), err)
		}
	}
	if w.Frames() != len(frames) {
		t.Errorf("Frames() = %d, want %d", w.Frames(), len(frames))
	}

	r, err := NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if r.Format() != FormatPcapng {
		t.Errorf("Format() = %s", r.Format())
	}
	got, err := readAll(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := make([]Frame, len(frames))
	for i, f := range frames {
		f.OriginalLength = max(f.OriginalLength, len(f.Data))
		want[i] = f
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-written +read):\n%s", diff)
	}
}

// TestPcapngWriterTshark checks that Wireshark reads what we write: frame
// count, nanosecond timestamps and the frames' lengths.
func TestPcapngWriterTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	frames := writtenFrames(t)
	path := filepath.Join(t.TempDir(), "run.pcapng")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewPcapngWriter(f, "eth0", LinkTypeEthernet, "v6diag test")
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range frames {
		if _, err := w.WriteFrame(fr); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tshark, "-r", path, "-T", "fields",
		"-e", "frame.number", "-e", "frame.time_epoch", "-e", "frame.cap_len", "-e", "_ws.col.Protocol").Output()
	if err != nil {
		t.Fatalf("tshark -r: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(frames) {
		t.Fatalf("tshark read %d frames, want %d:\n%s", len(lines), len(frames), out)
	}
	wantProto := []string{"ICMPv6", "ICMPv6", "UDP", "DHCPv6"} // frame 3 is cut inside the UDP header
	for i, line := range lines[:4] {
		fields := strings.Split(line, "\t")
		if len(fields) != 4 {
			t.Fatalf("tshark line %q", line)
		}
		ts := frames[i].Timestamp
		if want := fmt.Sprintf("%d.%09d", ts.Unix(), ts.Nanosecond()); fields[1] != want {
			t.Errorf("frame %d: tshark time %s, want %s", i+1, fields[1], want)
		}
		if fields[2] != strconv.Itoa(len(frames[i].Data)) {
			t.Errorf("frame %d: tshark cap_len %s, want %d", i+1, fields[2], len(frames[i].Data))
		}
		if !strings.Contains(fields[3], wantProto[i]) {
			t.Errorf("frame %d: tshark protocol %s, want %s", i+1, fields[3], wantProto[i])
		}
	}
}

// Record returns each frame exactly as a Reader gives it back from the
// file — a live run analyses that frame instead of reading the capture
// back, so stamps (UTC, no monotonic reading), lengths and numbers must
// match to the bit.
func TestPcapngWriterRecord(t *testing.T) {
	frames := writtenFrames(t)
	frames[2].OriginalLength = 1500
	frames[0].Timestamp = time.Now() // local, with a monotonic reading, as v6diag's own frames
	frames[4].Timestamp = time.Time{}
	var buf bytes.Buffer
	w, err := NewPcapngWriter(&buf, "eth0", LinkTypeEthernet, "v6diag test")
	if err != nil {
		t.Fatal(err)
	}
	var recorded []Frame
	for _, f := range frames {
		f.Number = 0
		rec, err := w.Record(f)
		if err != nil {
			t.Fatal(err)
		}
		recorded = append(recorded, rec)
	}
	got, err := readAll(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(recorded, got) {
		t.Errorf("recorded (-Record +read back):\n%s", cmp.Diff(fmt.Sprintf("%#v", recorded), fmt.Sprintf("%#v", got)))
	}
}
