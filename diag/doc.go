// Package diag turns captured frames into a diagnosis: an ordered timeline
// of Router Solicitations, Router Advertisements and DHCPv6 messages, each
// tied to its frame number; findings with stable ids; and one verdict.
//
// Everything here is a pure function of the frames and a few facts the live
// run knew (the interface, the client's DUID). It does no I/O, so the same
// analysis serves `v6diag run` and `v6diag analyze`.
package diag
