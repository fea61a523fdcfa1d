package gencap

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/diag"
)

// The generated file reads back frame for frame, its control messages
// decode as what Stats says was written, and the analysis of it finds the
// sprinkled exchanges: a delegated /48 confirmed by a Reply, and an RA.
func TestWriteReadsBack(t *testing.T) {
	const frames = 20_000
	var buf bytes.Buffer
	st, err := Write(&buf, Config{Frames: frames, ControlEvery: 100, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != frames || st.Bytes != int64(buf.Len()) {
		t.Fatalf("stats %+v for a %d-byte file", st, buf.Len())
	}
	if want := frames / 100 / 5; st.RAs != want || st.Exchanges != want || st.DHCPv6 != 4*want {
		t.Errorf("stats %+v; want %d RAs and exchanges", st, want)
	}
	rd, err := capture.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	a := diag.NewAnalyzer(diag.Facts{})
	n, ras, dhcp, v4 := 0, 0, 0, 0
	for {
		f, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		a.Add(f)
		p, err := capture.Decode(f)
		if errors.Is(err, capture.ErrNotIPv6) {
			v4++
			continue
		}
		if err != nil {
			t.Fatalf("frame %d: %v", f.Number, err)
		}
		switch {
		case p.Transport == capture.TransportICMPv6 && p.ICMPv6[0] == 134:
			ras++
		case p.Transport == capture.TransportUDP && (p.DestinationPort == 546 || p.DestinationPort == 547):
			if !p.UpperLayerChecksumOK() {
				t.Errorf("frame %d: DHCPv6 with a bad UDP checksum", f.Number)
			}
			dhcp++
		}
	}
	if n != frames || ras != st.RAs || dhcp != st.DHCPv6 {
		t.Errorf("read %d frames, %d RAs, %d DHCPv6; wrote %+v", n, ras, dhcp, st)
	}
	if v4 < frames/5 {
		t.Errorf("only %d of %d frames are not IPv6; want ordinary IPv4 traffic too", v4, frames)
	}
	res := a.Finish()
	if res.Stats.ControlFrames != st.RAs+st.DHCPv6 {
		t.Errorf("analysis counts %d control frames; wrote %d", res.Stats.ControlFrames, st.RAs+st.DHCPv6)
	}
	if len(res.DelegatedPrefixes) == 0 || res.DelegatedPrefixes[0].Prefix != delegated || !res.DelegatedPrefixes[0].Confirmed {
		t.Errorf("delegated %+v; want %s confirmed", res.DelegatedPrefixes, delegated)
	}
	if len(res.Routers) != 1 {
		t.Errorf("routers %+v; want one", res.Routers)
	}
}

// The same config writes the same bytes: benchmarks can be rerun.
func TestWriteDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	for _, w := range []*bytes.Buffer{&a, &b} {
		if _, err := Write(w, Config{Frames: 3000, Seed: 3}); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two runs with one config differ")
	}
}
