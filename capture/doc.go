// Package capture gets link-layer frames on and off the wire and in and out
// of files: live capture on one interface through AF_PACKET with a BPF
// filter, raw IPv6 send, streaming pcap and pcapng reading, pcapng writing,
// and decoding a frame of any supported link type down to its ICMPv6 or UDP
// payload.
//
// The analyser never sees a socket: a live run writes every frame it sees to
// a pcapng file and hands diag the frame as the file holds it
// (PcapngWriter.Record), so the verdict is computed by the same code, from
// the same frames, as for a capture made with tcpdump.
package capture
