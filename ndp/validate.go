package ndp

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
)

// Envelope is what the IPv6 layer saw of a Router Advertisement: the facts
// RFC 4861 §6.1.2 and RFC 6980 judge that are not in the ICMPv6 bytes
// themselves. Validate takes every field literally, so fill them all in.
type Envelope struct {
	HopLimit   uint8      // IPv6 Hop Limit
	Source     netip.Addr // IPv6 source address
	Fragmented bool       // the message arrived in IPv6 fragments
	ICMPCode   uint8      // ICMPv6 code
	ICMPLength int        // ICMPv6 length in octets, derived from the IPv6 payload length
}

// Problem is one thing wrong with a Router Advertisement, as data: the
// wording lives here, severity and presentation are the caller's.
type Problem struct {
	ID     string // stable, kebab-case, e.g. "ra-hop-limit-not-255"
	Detail string // one plain English sentence with the numbers
	RFC    string // the section that says so, e.g. "RFC 4861 §6.1.2"
	// Discards is true when a host following the RFCs silently discards
	// the whole Router Advertisement, not only one option of it.
	Discards bool
}

// Problem IDs returned by Validate.
const (
	ProblemHopLimit           = "ra-hop-limit-not-255"
	ProblemSourceNotLinkLocal = "ra-source-not-link-local"
	ProblemICMPCode           = "ra-icmp-code-nonzero"
	ProblemTooShort           = "ra-too-short"
	ProblemFragmented         = "ra-fragmented"
	ProblemNotRA              = "ra-not-router-advertisement"
	ProblemParse              = "ra-parse-error"
	ProblemOptionLengthZero   = "ra-option-length-zero"
	ProblemOptionTruncated    = "ra-option-truncated"
	ProblemOptionMalformed    = "ra-option-malformed"
	ProblemPreferenceReserved = "ra-preference-reserved"
	ProblemPreferredExceeds   = "ra-prefix-preferred-exceeds-valid"
	ProblemPrefixLinkLocal    = "ra-prefix-link-local"
	ProblemPrefixSLAACNot64   = "ra-prefix-autonomous-not-64"
	ProblemMTUBelow1280       = "ra-mtu-below-1280"
	ProblemRoutePrefReserved  = "ra-route-preference-reserved"
)

const (
	minIPv6MTU            = 1280 // RFC 8200 §5
	slaacPrefixBits       = 64   // RFC 4291 §2.5.1 interface identifiers
	validHopLimit   uint8 = 255  // RFC 4861 §6.1.2
)

// Validate checks a Router Advertisement against RFC 4861 §6.1.2 and
// RFC 6980 §5 (the tests that make a host discard it) and then its options
// against the rules that make a host ignore them (RFC 4862 §5.5.3,
// RFC 4191, RFC 8200 §5). env is what the IPv6 layer saw; ra and parseErr
// are what ParseRouterAdvertisement returned (ra may be nil). Problems come
// in a fixed order: envelope, parse error, then options in message order.
// It returns nil when nothing is wrong.
func Validate(env Envelope, ra *RouterAdvertisement, parseErr error) []Problem {
	var ps []Problem
	add := func(id, rfc string, discards bool, format string, args ...any) {
		ps = append(ps, Problem{ID: id, Detail: fmt.Sprintf(format, args...), RFC: rfc, Discards: discards})
	}

	if env.HopLimit != validHopLimit {
		add(ProblemHopLimit, "RFC 4861 §6.1.2", true,
			"The IPv6 hop limit is %d, not 255, so the RA may have come from off the link.", env.HopLimit)
	}
	if !env.Source.IsLinkLocalUnicast() {
		add(ProblemSourceNotLinkLocal, "RFC 4861 §6.1.2", true,
			"The IPv6 source address %s is not a link-local address (fe80::/10).", addrString(env.Source))
	}
	if env.ICMPCode != 0 {
		add(ProblemICMPCode, "RFC 4861 §6.1.2", true, "The ICMPv6 code is %d, not 0.", env.ICMPCode)
	}
	headerTruncated := ra == nil && errors.Is(parseErr, io.ErrUnexpectedEOF)
	switch {
	case env.ICMPLength < raHeaderLen:
		add(ProblemTooShort, "RFC 4861 §6.1.2", true,
			"The ICMPv6 message is %d octets long, shorter than the %d-octet Router Advertisement header.",
			env.ICMPLength, raHeaderLen)
	case headerTruncated:
		add(ProblemTooShort, "RFC 4861 §6.1.2", true,
			"The Router Advertisement header is cut short in the capture: %v.", parseErr)
	}
	if env.Fragmented {
		add(ProblemFragmented, "RFC 6980 §5", true,
			"The RA arrived in IPv6 fragments, which hosts must silently ignore.")
	}

	var oe *OptionError
	switch {
	case parseErr == nil || headerTruncated:
	case errors.As(parseErr, &oe):
		name := optionName(oe.Type)
		switch {
		case errors.Is(oe.Err, errOptionLengthZero):
			add(ProblemOptionLengthZero, "RFC 4861 §4.6", true,
				"Option %d (type %d, %s) at offset %d has length 0, so the whole RA must be discarded.",
				oe.Index, oe.Type, name, oe.Offset)
		case errors.Is(oe.Err, errOptionPastEnd):
			add(ProblemOptionTruncated, "RFC 4861 §4.6", true,
				"Option %d (type %d, %s) at offset %d runs past the end of the RA (%v).",
				oe.Index, oe.Type, name, oe.Offset, oe.Err)
		default:
			add(ProblemOptionMalformed, optionRFC(oe.Type), false,
				"Option %d (type %d, %s) at offset %d is malformed: %v.",
				oe.Index, oe.Type, name, oe.Offset, oe.Err)
		}
	case errors.Is(parseErr, errWrongType):
		add(ProblemNotRA, "RFC 4861 §4.2", true, "The message is not a Router Advertisement: %v.", parseErr)
	default:
		add(ProblemParse, "RFC 4861 §4.2", true, "The Router Advertisement could not be parsed: %v.", parseErr)
	}

	if ra == nil {
		return ps
	}
	if ra.Preference == PreferenceReserved {
		add(ProblemPreferenceReserved, "RFC 4191 §2.2", false,
			"The default router preference is the reserved value 2 (binary 10), which hosts treat as medium.")
	}
	for i, o := range ra.Options {
		switch o := o.(type) {
		case *PrefixInformation:
			if o.Prefix.Addr().IsLinkLocalUnicast() {
				add(ProblemPrefixLinkLocal, "RFC 4862 §5.5.3", false,
					"Prefix information option %d carries the link-local prefix %s, which hosts ignore.", i, o.Prefix)
			}
			if o.PreferredLifetime > o.ValidLifetime {
				add(ProblemPreferredExceeds, "RFC 4862 §5.5.3", false,
					"Prefix %s has a preferred lifetime of %s, longer than its valid lifetime of %s, so hosts ignore the option.",
					o.Prefix, lifetimeString(o.PreferredLifetime), lifetimeString(o.ValidLifetime))
			}
			if o.Autonomous && o.Prefix.Bits() != slaacPrefixBits {
				add(ProblemPrefixSLAACNot64, "RFC 4862 §5.5.3", false,
					"Prefix %s has the autonomous flag but is a /%d, and SLAAC only forms addresses from a /64.",
					o.Prefix, o.Prefix.Bits())
			}
		case *MTU:
			if *o < minIPv6MTU {
				add(ProblemMTUBelow1280, "RFC 8200 §5", false,
					"The MTU option says %d octets, below the IPv6 minimum of 1280, so hosts ignore it.", uint32(*o))
			}
		case *RouteInformation:
			if o.Preference == PreferenceReserved {
				add(ProblemRoutePrefReserved, "RFC 4191 §2.3", false,
					"The route information for %s has the reserved preference value 2 (binary 10), so hosts ignore it.", o.Prefix)
			}
		}
	}
	return ps
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return "(unknown)"
	}
	return a.String()
}
