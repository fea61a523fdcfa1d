package uciconfig

import (
	"fmt"
	"strconv"
	"strings"
)

// Advice is what a diagnosis found out that a network config can act on.
// The command fills it from report.json; Suggest turns it into changes.
type Advice struct {
	// Verdict is report.json's verdict.code, quoted in notes.
	Verdict string
	// ISPMustAct is true when verdict.who_must_act is "isp".
	ISPMustAct bool
	// Working holds the DHCPv6 client settings of the attempt that got
	// the router more than its own config (report.json's
	// router_client.suggestion names it; its netifd settings); nil when no
	// attempt did or no strategy ladder ran.
	Working *ClientSettings
	// Attempt and AttemptLabel name the attempt Working comes from, for
	// the comments ("attempt 3, IA_PD only"); 0 and "" without a ladder.
	Attempt      int
	AttemptLabel string
	// DelegatedPrefixLength is the length of the prefix odhcp6c gets
	// (with Working, when there is one; else with the router's own
	// config); 0 when none.
	DelegatedPrefixLength int
}

// ReqAddress is netifd's dhcpv6 'reqaddress' option: whether odhcp6c asks
// for an address (IA_NA, RFC 8415 section 21.4) besides the prefix.
type ReqAddress string

// The values of 'reqaddress'. "try" is netifd's default.
const (
	ReqAddressTry   ReqAddress = "try"   // ask for IA_NA, go on without one
	ReqAddressForce ReqAddress = "force" // ask for IA_NA, discard answers without one
	ReqAddressNone  ReqAddress = "none"  // send no IA_NA
)

// ParseReqAddress checks a 'reqaddress' value.
func ParseReqAddress(s string) (ReqAddress, error) {
	switch r := ReqAddress(s); r {
	case ReqAddressTry, ReqAddressForce, ReqAddressNone:
		return r, nil
	}
	return "", fmt.Errorf("uciconfig: reqaddress %q is not try, force or none", s)
}

// ReqPrefix is netifd's dhcpv6 'reqprefix' option: ReqPrefixAuto asks for
// a prefix with no length hint, ReqPrefixNo asks for none, and a positive
// value asks for that length (the IA Prefix hint, RFC 8415 section 18.2.1).
type ReqPrefix int

// The two non-length values of 'reqprefix'; "auto" is netifd's default.
const (
	ReqPrefixAuto ReqPrefix = 0
	ReqPrefixNo   ReqPrefix = -1
)

// ParseReqPrefix reads "auto", "no" or a prefix length from 1 to 128.
// netifd also takes "yes" and "" as "auto".
func ParseReqPrefix(s string) (ReqPrefix, error) {
	switch strings.TrimSpace(s) {
	case "", "auto", "yes":
		return ReqPrefixAuto, nil
	case "no":
		return ReqPrefixNo, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 128 {
		return 0, fmt.Errorf("uciconfig: reqprefix %q is not auto, no or a prefix length", s)
	}
	return ReqPrefix(n), nil
}

// String is the option's value as written in /etc/config/network.
func (r ReqPrefix) String() string {
	switch r {
	case ReqPrefixAuto:
		return "auto"
	case ReqPrefixNo:
		return "no"
	}
	return strconv.Itoa(int(r))
}

// ClientSettings are the netifd dhcpv6 options that shape what odhcp6c
// sends (netifd's proto/dhcpv6.sh). The zero value is netifd's default
// except ReqAddress, which is "" and read as "try".
type ClientSettings struct {
	ReqAddress ReqAddress
	ReqPrefix  ReqPrefix
	// NoClientFQDN leaves out the Client FQDN option (RFC 4704).
	NoClientFQDN bool
	// NoAcceptReconfig leaves out Reconfigure Accept (RFC 8415 section 21.20).
	NoAcceptReconfig bool
	// ForcePrefix is netifd's forceprefix: odhcp6c -F discards every
	// Advertise without a prefix.
	ForcePrefix bool
	// ClientID is the DUID to send, as hex; "" lets odhcp6c choose.
	ClientID string
}

// AddressMode is ReqAddress with netifd's default ("try") for an unset
// value.
func (c ClientSettings) AddressMode() ReqAddress {
	if c.ReqAddress == "" {
		return ReqAddressTry
	}
	return c.ReqAddress
}

// isDefault reports whether c is what netifd does with no options, which
// is what a PPPoE wan's automatic wan_6 runs.
func (c ClientSettings) isDefault() bool {
	return c.AddressMode() == ReqAddressTry && c.ReqPrefix == ReqPrefixAuto && !c.NoClientFQDN && !c.NoAcceptReconfig && !c.ForcePrefix && c.ClientID == ""
}
