package diag

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/capture"
)

// liveFeed reads a capture for AnalyzeFrames and hands each frame, decoded
// once, to a second Pass too, as a live run hands the frames it records.
type liveFeed struct {
	t    *testing.T
	rd   *capture.Reader
	pass *Pass
}

func (l *liveFeed) Next() (capture.Frame, error) {
	fr, err := l.rd.Next()
	if err != nil {
		return fr, err
	}
	live := fr
	live.Data = bytes.Clone(fr.Data) // a live frame is its own
	d := Decode(live)
	if d.Err == nil && d.Packet.Transport == capture.TransportUDP {
		// What live's reactions do first; the pass must reuse it.
		if m, _ := d.DHCPv6(); m != nil {
			if again, _ := d.DHCPv6(); again != m {
				l.t.Fatalf("frame %d: DHCPv6 parsed again", fr.Number)
			}
		}
	}
	l.pass.Add(d)
	return fr, nil
}

// A live run finishes its pass with facts learnt after the frames; that
// must be the very analysis of the file it wrote.
func TestPassIsAnalyzeFrames(t *testing.T) {
	raw, err := os.ReadFile("testdata/kea-healthy.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	rd, err := capture.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	facts := Facts{Live: true, Carrier: true}
	feed := &liveFeed{t: t, rd: rd, pass: NewPass()}
	want, err := AnalyzeFrames(feed, facts)
	if err != nil {
		t.Fatal(err)
	}
	got := feed.pass.Finish(facts)
	if feed.pass.Frames() != want.Result.Stats.Frames {
		t.Errorf("pass saw %d frames, the file holds %d", feed.pass.Frames(), want.Result.Stats.Frames)
	}
	if got.Result.Verdict != want.Result.Verdict {
		t.Errorf("verdict %+v, want %+v", got.Result.Verdict, want.Result.Verdict)
	}
	if diff := cmp.Diff(want.Link, got.Link); diff != "" {
		t.Errorf("link (-file +pass):\n%s", diff)
	}
	if got.Link.Client.Frames == 0 || got.Link.ISP.Frames == 0 {
		t.Errorf("link framing of %+v: no control frames seen", got.Link)
	}
}
