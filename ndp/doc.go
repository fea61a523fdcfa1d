// Package ndp parses Router Advertisements and builds Router Solicitations,
// the two Neighbor Discovery messages (RFC 4861 §4.1, §4.2) that decide
// whether native IPv6 comes up on a WAN link.
//
// The package works on ICMPv6 message bytes: the slice starts at the ICMPv6
// type byte (checksum included) and runs to the end of the IPv6 payload, as
// found after the IPv6 header and any extension headers. It does no I/O and
// does not verify the checksum, which needs the IPv6 pseudo-header; the IPv6
// layer fills it in on send and checks it on receive.
//
// Options are typed values behind the closed [Option] interface:
// [LinkLayerAddress], [MTU], [PrefixInformation] (RFC 4861 §4.6),
// [RouteInformation] (RFC 4191), [RecursiveDNSServer] and [DNSSearchList]
// (RFC 8106). An option of any other type becomes a [RawOption], and so does
// a known option whose body is malformed but whose length field still lets
// the parser step over it.
//
// A diagnostic tool must not lose evidence, so a malformed option does not
// make a Router Advertisement vanish: [ParseRouterAdvertisement] returns the
// message with every option that parsed together with an error describing
// the first bad one ([ErrMalformedOption], [*OptionError]). [Validate] turns
// the parse error and what the IPv6 layer saw ([Envelope]) into [Problem]
// values with stable IDs, citing RFC 4861 §6.1.2, RFC 6980 and friends.
//
// Lifetimes are [time.Duration]. The all-ones lifetime 0xffffffff, which the
// RFCs define as "infinity", is the constant [Infinity]; it is exactly
// 0xffffffff seconds, so it round-trips without special cases.
package ndp
