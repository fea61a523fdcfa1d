package dhcpv6

import (
	"testing"
	"time"
)

func TestRetransmissionTimeout(t *testing.T) {
	s := time.Second
	tests := []struct {
		name           string
		prev, irt, mrt time.Duration
		rand           float64
		first          bool
		want           time.Duration
	}{
		{"first Solicit, RAND +0.05", 0, s, SolMaxRT, 0.5, true, 1050 * time.Millisecond},
		{"first Solicit, rand 0 still above IRT", 0, s, SolMaxRT, 0, true, s + 100},
		{"first Solicit, rand 0.999", 0, s, SolMaxRT, 0.999, true, 1099900 * time.Microsecond},
		{"first Request, RAND -0.1", 0, s, ReqMaxRT, 0, false, 900 * time.Millisecond},
		{"first Request, RAND 0", 0, s, ReqMaxRT, 0.5, false, s},
		{"first Request, RAND ~+0.1", 0, s, ReqMaxRT, 0.999, false, 1099800 * time.Microsecond},
		{"doubling, RAND 0", s, s, ReqMaxRT, 0.5, false, 2 * s},
		{"doubling, RAND -0.1", s, s, ReqMaxRT, 0, false, 1900 * time.Millisecond},
		{"doubling, not first any more", 1050 * time.Millisecond, s, SolMaxRT, 0.5, true, 2100 * time.Millisecond},
		{"capped at MRT, RAND 0", 3000 * s, s, SolMaxRT, 0.5, false, 3600 * s},
		{"capped at MRT, RAND -0.1", 3000 * s, s, SolMaxRT, 0, false, 3240 * s},
		{"capped at REQ_MAX_RT", 16 * s, s, ReqMaxRT, 0.5, false, 30 * s},
		{"no MRT for Release", 16 * s, s, 0, 0.5, false, 32 * s},
		{"rand out of range is clamped", 0, s, 0, 7, false, 1100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RetransmissionTimeout(tt.prev, tt.irt, tt.mrt, tt.rand, tt.first)
			if d := got - tt.want; d < -time.Microsecond || d > time.Microsecond {
				t.Errorf("RetransmissionTimeout = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestFirstSolicitRTAboveIRT checks RFC 8415 §18.2.1 over the whole range
// of rand: the first Solicit RT is strictly greater than SOL_TIMEOUT.
func TestFirstSolicitRTAboveIRT(t *testing.T) {
	for i := range 1000 {
		u := float64(i) / 1000
		if rt := RetransmissionTimeout(0, SolTimeout, SolMaxRT, u, true); rt <= SolTimeout || rt > 1100*time.Millisecond {
			t.Fatalf("rand %v: first Solicit RT %v, want in (1s, 1.1s]", u, rt)
		}
	}
}

// TestTimingOf pins the RFC 8415 §7.6 table that the client and diag's
// retransmission check share.
func TestTimingOf(t *testing.T) {
	for _, tc := range []struct {
		t    MessageType
		want Timing
		ok   bool
	}{
		{MessageTypeSolicit, Timing{time.Second, 3600 * time.Second, 0}, true},
		{MessageTypeRequest, Timing{time.Second, 30 * time.Second, 10}, true},
		{MessageTypeRenew, Timing{10 * time.Second, 600 * time.Second, 0}, true},
		{MessageTypeRelease, Timing{time.Second, 0, 4}, true},
		{MessageTypeReply, Timing{}, false},
	} {
		if got, ok := TimingOf(tc.t); got != tc.want || ok != tc.ok {
			t.Errorf("TimingOf(%s) = %+v, %v; want %+v, %v", tc.t, got, ok, tc.want, tc.ok)
		}
	}
}
