// Package dhcpv6 decodes the DHCPv6 messages v6diag sees on a WAN, builds
// the ones it sends, and runs the client side of the exchange as a pure
// state machine.
//
// Three parts, one per file group:
//
//   - Parse (message.go, options/) turns one UDP payload into a typed
//     Message. It checks the option TLV structure itself, with lengths in
//     int, before decoding any body, so no input can make it panic; faults
//     that break the framing are errors wrapping ErrMalformed, oddities a
//     diagnosis should mention (an empty DUID, a Preference of the wrong
//     length) land in Message.Problems instead.
//   - NewSolicit, NewRequest and NewRelease (build.go) build what we send
//     (RFC 8415 §18.2), encoding the options themselves (options/,
//     §21), so the binary carries no DHCP library; the shapes include what
//     insomniacslk/dhcp cannot make: PD-only Solicits and Requests, IA
//     Prefix hints, Releases. Tests decode every built message with
//     insomniacslk as an independent check.
//   - Client (client.go, timers.go) runs Solicit → Advertise → Request →
//     Reply → Release with the RFC 8415 §15 retransmission rules. It does
//     no I/O and reads no clock: the caller feeds it the time, the messages
//     it captured, and sends the payloads it returns.
//
// RFC 8415 was republished as RFC 9915; section numbers cited here are
// those of RFC 8415, which RFC 9915 keeps.
package dhcpv6
