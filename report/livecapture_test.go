package report_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/report"
)

// A live run's capture block says which capture path was taken and states
// the bounds (buffer, frame cap, frames left out); kernel_drops is null
// where the kernel gives no count. An offline analysis has none of it.
func TestLiveCaptureBlock(t *testing.T) {
	res := diag.NewAnalyzer(diag.Facts{}).Finish()
	drops := 3
	for _, tc := range []struct {
		name string
		live *report.LiveCapture
		want map[string]any
	}{
		{"kernel filter", &report.LiveCapture{Method: "af_packet+bpf", ReceiveBufferBytes: 1 << 20, MaxFrames: 10000, FramesNotRecorded: 7, KernelDrops: &drops},
			map[string]any{"method": "af_packet+bpf", "receive_buffer_bytes": 1048576.0, "max_frames": 10000.0, "frames_not_recorded": 7.0, "kernel_drops": 3.0}},
		{"no drop count", &report.LiveCapture{Method: "af_packet, filter in user space", ReceiveBufferBytes: 1 << 20, MaxFrames: 10000},
			map[string]any{"method": "af_packet, filter in user space", "receive_buffer_bytes": 1048576.0, "max_frames": 10000.0, "frames_not_recorded": 0.0, "kernel_drops": nil}},
		{"offline", nil, map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.WriteJSON(&buf, report.NewDocument(report.Run{Tool: "v6diag", Mode: "run", Capture: tc.live}, res)); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Capture map[string]any `json:"capture"`
			}
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for _, k := range []string{"method", "receive_buffer_bytes", "max_frames", "frames_not_recorded", "kernel_drops"} {
				if v, ok := doc.Capture[k]; ok {
					got[k] = v
				}
			}
			if _, ok := doc.Capture["frames"]; !ok {
				t.Errorf("capture block lost its frames field: %v", doc.Capture)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("capture block (-want +got):\n%s", diff)
			}
		})
	}
}
