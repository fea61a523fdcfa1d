package live

import (
	"strings"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// Status is a live run's progress as values, for a status line: what just
// happened, what the run still waits for, and when it gives up.
type Status struct {
	// Event is what just happened, e.g. "Solicit sent (xid 1a2b3c)".
	Event string
	// Awaiting lists what the run still waits for, e.g. "Advertise",
	// "Router Advertisement"; empty when nothing (the run is ending).
	Awaiting []string
	// Deadline is when the run ends at the latest (--timeout).
	Deadline time.Time
}

// String renders the status as one line without the time left, which the
// caller adds as it counts down.
func (s Status) String() string {
	if len(s.Awaiting) == 0 {
		return s.Event
	}
	return s.Event + "; awaiting " + strings.Join(s.Awaiting, ", ")
}

// awaiting names what the run waits for now.
func (r *runner) awaiting() []string {
	var w []string
	if r.cfg.Passive {
		return []string{"the router's own RS, RA and DHCPv6 (passive)"}
	}
	if !r.gotRA {
		w = append(w, "Router Advertisement")
	}
	if c := r.currentClient(); c != nil {
		switch c.Phase() {
		case dhcpv6.PhaseSoliciting:
			w = append(w, "Advertise")
		case dhcpv6.PhaseRequesting:
			w = append(w, "Reply to Request")
		case dhcpv6.PhaseReleasing:
			w = append(w, "Reply to Release")
		}
	}
	return w
}

// currentClient is the running attempt's client, nil between attempts.
func (r *runner) currentClient() *dhcpv6.Client {
	if r.ladder == nil {
		return nil
	}
	return r.ladder.Client()
}
