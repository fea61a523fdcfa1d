package diag

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
)

// ClockEvidence is what the run knows of dates beyond the capture: a live
// capture cannot be older than the router's kernel or this binary.
type ClockEvidence struct {
	// Started is the run's start, read when the capture holds no frame.
	Started time.Time
	// Live is set when this run made the capture, so that KernelBuilt and
	// Built (zero when unknown) bound its dates.
	Live               bool
	KernelBuilt, Built time.Time
}

// Clock says how far the capture's timestamps can be trusted.
type Clock struct {
	Suspect bool
	// BehindAtLeast is a lower bound, to the second, of how far the clock
	// that stamped the capture was behind; Note says it in one sentence.
	BehindAtLeast time.Duration
	Note          string
}

// duidEpoch is where DUID-LLT time counts from (RFC 8415 §11.2).
var duidEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// clockMark is one date the capture cannot precede.
type clockMark struct {
	at   time.Time
	what string
}

// CheckClock looks for plain evidence that the clock that stamped the
// capture was wrong: a live capture dated before the router's kernel or
// this binary was built, or any capture dated before a server created its
// DUID-LLT (which holds the server's time of creation). It gives a lower
// bound, never a guess.
func (r *Result) CheckClock(ev ClockEvidence) Clock {
	first := r.Stats.First
	if first.IsZero() {
		first = ev.Started
	}
	if first.IsZero() {
		return Clock{}
	}
	// Pointers, so the sort shares the pointer-shaped code already in the
	// binary (a struct-shaped instantiation cost 11 KB on mips).
	var marks []*clockMark
	if ev.Live && !ev.KernelBuilt.IsZero() {
		marks = append(marks, &clockMark{ev.KernelBuilt, "the router's kernel was built"})
	}
	if ev.Live && !ev.Built.IsZero() {
		marks = append(marks, &clockMark{ev.Built, "this v6diag was built"})
	}
	marks = append(marks, r.duidMarks()...)
	slices.SortFunc(marks, func(a, b *clockMark) int { return b.at.Compare(a.at) })
	for _, m := range marks {
		if first.Before(m.at) {
			behind := m.at.Sub(first)
			return Clock{Suspect: true, BehindAtLeast: behind.Round(time.Second),
				Note: fmt.Sprintf("The capture is dated %s, before %s (%s): the clock that stamped it is at least %s behind, so its times will not match the ISP's logs; set the router's clock (NTP) and run again.",
					first.UTC().Format(time.RFC3339), m.what, m.at.UTC().Format(time.RFC3339), roundHuman(behind))}
		}
	}
	return Clock{}
}

// duidMarks are the creation times in the servers' DUID-LLTs.
func (r *Result) duidMarks() []*clockMark {
	var marks []*clockMark
	seen := map[string]bool{}
	for _, s := range r.Servers {
		id := s.ServerID
		if id.Type() != dhcpv6.DUIDTypeLLT || len(id) < 8 || seen[id.String()] {
			continue
		}
		seen[id.String()] = true
		at := duidEpoch.Add(time.Duration(binary.BigEndian.Uint32(id[4:8])) * time.Second)
		marks = append(marks, &clockMark{at, "a DHCPv6 server created its DUID-LLT (by the server's clock)"})
	}
	return marks
}

func roundHuman(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return d.Round(time.Second).String()
}
