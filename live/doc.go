// Package live runs the stimuli of `v6diag run` on one interface: it opens
// the capture first, writes every frame it sees to a pcapng file, sends
// Router Solicitations and drives the DHCPv6 client exchange from what it
// captures. It decides no verdict: the caller analyses the pcapng it wrote.
//
// Sending and receiving go through AF_PACKET, never a UDP socket, so a
// DHCPv6 client that already holds port 546 (odhcp6c) is neither disturbed
// nor robbed of its replies.
package live
