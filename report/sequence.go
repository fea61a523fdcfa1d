package report

import "github.com/v6diag/v6diag/diag"

// jsonStep is one DHCPv6 message of the client's exchange with its timing
// against RFC 8415's timers (diag.Step).
type jsonStep struct {
	Frame         int            `json:"frame"`
	Kind          diag.Kind      `json:"kind"`
	Direction     diag.Direction `json:"direction"`
	TransactionID string         `json:"transaction_id"`
	// Offset is the time since the first frame of the capture.
	Offset float64 `json:"offset_seconds"`
	// Transmission numbers a client message within its transaction (1 the
	// first); 0 for server messages.
	Transmission int `json:"transmission"`
	// Gap is the time since the previous transmission; GapMin and GapMax
	// the window RFC 8415 §15 allows (both 0 where none applies).
	Gap    float64 `json:"gap_seconds"`
	GapMin float64 `json:"gap_min_seconds"`
	GapMax float64 `json:"gap_max_seconds"`
	GapOK  bool    `json:"gap_ok"`
	// Latency is a server message's delay since the latest client
	// transmission it answers; SinceFirst since the first one.
	Latency    float64 `json:"latency_seconds"`
	SinceFirst float64 `json:"since_first_seconds"`
	Ignored    string  `json:"ignored"`
}

func sequenceJSON(steps []diag.Step) []jsonStep {
	out := []jsonStep{}
	for _, s := range steps {
		out = append(out, jsonStep{Frame: s.Frame, Kind: s.Kind, Direction: s.Direction, TransactionID: s.TransactionID,
			Offset: seconds(s.Offset), Transmission: s.Transmission, Gap: seconds(s.Gap), GapMin: seconds(s.GapMin), GapMax: seconds(s.GapMax),
			GapOK: s.GapOK, Latency: seconds(s.Latency), SinceFirst: seconds(s.SinceFirst), Ignored: s.Ignored})
	}
	return out
}
