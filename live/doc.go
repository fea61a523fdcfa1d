// Package live runs the stimuli of `v6diag run` on one interface: it opens
// the capture first, writes every frame it sees to a pcapng file, sends
// Router Solicitations and drives the DHCPv6 exchanges from what it
// captures. It decides no verdict: each frame it records is decoded once
// (diag.Decode) and handed, as the file holds it, to the caller's
// diag.Pass, which the caller finishes into the report's analysis.
//
// The DHCPv6 side is a strategy ladder (ladder.go, attempts.go): the first
// attempt sends what odhcp6c sends; until one works (or, with
// StrategyAll, for every rung) further attempts vary the request shape in
// the order the evidence suggests, within the run's --timeout. Each attempt
// is a fresh dhcpv6.Client with its own transaction ids, is judged by the
// same diag analysis that writes the report (restricted to its own
// messages), and gives back what it obtained before the next one starts.
//
// Sending and receiving go through AF_PACKET, never a UDP socket, so a
// DHCPv6 client that already holds port 546 (odhcp6c) is neither disturbed
// nor robbed of its replies.
package live
