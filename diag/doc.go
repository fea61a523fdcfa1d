// Package diag turns captured frames into a diagnosis: an ordered timeline
// of Router Solicitations, Router Advertisements and DHCPv6 messages, each
// tied to its frame number; findings with stable ids; and one verdict.
//
// Everything here is a pure function of the frames and a few facts the live
// run knew (the interface, the client's DUID). It does no I/O beyond the
// FrameSource it is handed, and it has one door (door.go): analyze gives
// AnalyzeFrames a capture reader, a live run (and run --passive) adds each
// frame it records to a Pass; either way each frame is decoded once, its
// DHCPv6 message parsed once, and the link's framing observed in the same
// pass.
//
// docs/FINDINGS.md lists every finding id with its condition, severity,
// verdict and RFC section, and the verdicts in precedence order; the
// checks live in finish.go and verdict.go (the verdict's facts),
// checks_ra.go, checks_dhcpv6.go, sequence.go (RFC 8415 timing) and
// checks_firewall.go (whether the router's own firewall lets the answers
// through to its client, on a live run).
package diag
