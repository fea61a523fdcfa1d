package odhcp6c

import "net/netip"

// AddressMode is odhcp6c's -N: whether it asks for an address (IA_NA,
// RFC 8415 §21.4) and whether it insists on one (src/config.c,
// config_set_request_addresses).
type AddressMode string

// The -N modes. odhcp6c's default, without -N, is AddressTry.
const (
	// AddressTry asks for IA_NA and goes on without one: an Advertise with
	// no address makes odhcp6c solicit again without IA_NA.
	AddressTry AddressMode = "try"
	// AddressForce asks for IA_NA and discards every Advertise that offers
	// no address.
	AddressForce AddressMode = "force"
	// AddressNone sends no IA_NA.
	AddressNone AddressMode = "none"
)

// PrefixRequest is one -P: an IA_PD odhcp6c asks for (src/odhcp6c.c,
// main, case 'P'): "-P LEN", "-P ADDR/LEN", each optionally followed by
// ",IAID" (up to 4 raw bytes) or ":IAID" (hex).
type PrefixRequest struct {
	// Length is the IA Prefix hint; 0 sends the IA_PD with no IA Prefix
	// option (netifd's reqprefix 'auto').
	Length int
	// Hint is the address part of "-P ADDR/LEN"; invalid when absent.
	Hint netip.Addr
	// IAID is the IA_PD's IAID. Without an explicit one odhcp6c numbers
	// its -P options 1, 2, … in order.
	IAID [4]byte
	// ExplicitIAID is set when the argument named the IAID, so that String
	// writes it back.
	ExplicitIAID bool
}

// Args is an odhcp6c command line, the way netifd's dhcpv6 protocol
// handler builds it from a wan6 section. The zero value is odhcp6c run
// with no options at all (which asks for no prefix: netifd always adds
// -P unless reqprefix is 'no').
type Args struct {
	// Addresses is -N; "" means odhcp6c's default, AddressTry.
	Addresses AddressMode
	// Prefixes are the -P options in order.
	Prefixes []PrefixRequest
	// ForcePrefix is -F: discard every Advertise without a prefix.
	ForcePrefix bool
	// StatefulOnly is -D: discard Advertises with neither address nor
	// prefix.
	StatefulOnly bool
	// NoSLAACOnly is -S: do not settle for configuration by RA alone.
	NoSLAACOnly bool
	// ClientID is -c: the whole Client Identifier option body (the DUID,
	// type included); nil means the DUID-LL of the interface's MAC.
	ClientID []byte
	// StrictOptions is -R: request only the -r options.
	StrictOptions bool
	// RequestedOptions are the -r options in order.
	RequestedOptions []uint16
	// VendorClass is -V and UserClass -u, as given on the command line.
	VendorClass, UserClass string
	// SendOptions are the -x options as given ("CODE:VALUE").
	SendOptions []string
	// NoClientFQDN is -f, NoAcceptReconfig -a, NoServerUnicast -U,
	// NoRelease -k, StrictRFC7550 --strict-rfc7550.
	NoClientFQDN, NoAcceptReconfig, NoServerUnicast, NoRelease, StrictRFC7550 bool
	// KeepRADNSLifetime is -L.
	KeepRADNSLifetime bool
	// InterfaceID is -i (eui64, random or an address).
	InterfaceID string
	// SKPriority is -K (0 to 6), DSCP -C (0 to 63).
	SKPriority, DSCP int
	// SolicitMaxRT is -t in seconds, the largest gap between Solicits; 0
	// means odhcp6c's default of 120.
	SolicitMaxRT int
	// RAHoldoff is -m in seconds; 0 means the default of 3.
	RAHoldoff int
	// LogLevel is -l; 0 means the default. Verbose is the deprecated -v.
	LogLevel int
	Verbose  bool
}
