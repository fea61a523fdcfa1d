package dhcpv6

import "strconv"

// OptionCode is a DHCPv6 option code (RFC 8415 §21.1, the IANA "DHCPv6
// Option Codes" registry).
type OptionCode uint16

// The option codes v6diag decodes, builds or names.
const (
	OptionClientID       OptionCode = 1   // RFC 8415 §21.2
	OptionServerID       OptionCode = 2   // §21.3
	OptionIANA           OptionCode = 3   // §21.4
	OptionIATA           OptionCode = 4   // §21.5
	OptionIAAddr         OptionCode = 5   // §21.6
	OptionORO            OptionCode = 6   // §21.7
	OptionPreference     OptionCode = 7   // §21.8
	OptionElapsedTime    OptionCode = 8   // §21.9
	OptionRelayMsg       OptionCode = 9   // §21.10
	OptionAuth           OptionCode = 11  // §21.11
	OptionUnicast        OptionCode = 12  // §21.12
	OptionStatusCode     OptionCode = 13  // §21.13
	OptionRapidCommit    OptionCode = 14  // §21.14
	OptionUserClass      OptionCode = 15  // §21.15
	OptionVendorClass    OptionCode = 16  // §21.16
	OptionVendorOpts     OptionCode = 17  // §21.17
	OptionInterfaceID    OptionCode = 18  // §21.18
	OptionReconfMsg      OptionCode = 19  // §21.19
	OptionReconfAccept   OptionCode = 20  // §21.20
	OptionSIPDomains     OptionCode = 21  // RFC 3319 §3.1
	OptionSIPServers     OptionCode = 22  // RFC 3319 §3.2
	OptionDNSServers     OptionCode = 23  // RFC 3646 §3
	OptionDomainList     OptionCode = 24  // RFC 3646 §4
	OptionIAPD           OptionCode = 25  // RFC 8415 §21.21
	OptionIAPrefix       OptionCode = 26  // §21.22
	OptionSNTPServers    OptionCode = 31  // RFC 4075 §4
	OptionInfRefreshTime OptionCode = 32  // RFC 8415 §21.23
	OptionRemoteID       OptionCode = 37  // RFC 4649 §3
	OptionClientFQDN     OptionCode = 39  // RFC 4704 §4
	OptionNTPServer      OptionCode = 56  // RFC 5908 §4
	OptionAFTRName       OptionCode = 64  // RFC 6334 §3
	OptionPDExclude      OptionCode = 67  // RFC 6603 §4.2
	OptionSolMaxRT       OptionCode = 82  // RFC 8415 §21.24
	OptionInfMaxRT       OptionCode = 83  // RFC 8415 §21.25
	OptionS46MapE        OptionCode = 94  // RFC 7598 §4.1
	OptionS46MapT        OptionCode = 95  // RFC 7598 §4.1
	OptionS46LW4over6    OptionCode = 96  // RFC 7598 §4.1
	OptionCaptivePortal  OptionCode = 103 // RFC 8910 §2.2
)

// optionUse says where an option's name is shown and what Parse knows of
// it. The report lists and the framing errors name different sets of
// options, as they always have; the golden reports pin both, so widening
// either is a visible change of its own.
type optionUse uint8

const (
	listed  optionUse = 1 << iota // a report's option and ORO lists name it
	framing                       // a framing error or a cut names it
	once                          // at most once at the top level (RFC 8415 Appendix B)
)

// optionNames is the one table of option names, indexed by code: the
// IANA registry's names as a report lists them.
var optionNames = [...]struct {
	name string
	use  optionUse
}{
	OptionClientID:       {"Client ID", listed | framing | once},
	OptionServerID:       {"Server ID", listed | framing | once},
	OptionIANA:           {"IA_NA", listed | framing},
	OptionIATA:           {"IA_TA", listed | framing},
	OptionIAAddr:         {"IA Address", framing},
	OptionORO:            {"ORO", listed | framing | once},
	OptionPreference:     {"Preference", listed | framing | once},
	OptionElapsedTime:    {"Elapsed Time", listed | framing | once},
	OptionRelayMsg:       {"Relay Message", framing},
	OptionAuth:           {"Authentication", listed | once},
	OptionUnicast:        {"Server Unicast", listed | framing | once},
	OptionStatusCode:     {"Status Code", listed | framing | once},
	OptionRapidCommit:    {"Rapid Commit", listed | framing | once},
	OptionUserClass:      {"User Class", listed},
	OptionVendorClass:    {"Vendor Class", listed},
	OptionVendorOpts:     {"Vendor Options", listed},
	OptionInterfaceID:    {"Interface-Id", 0},
	OptionReconfMsg:      {"Reconfigure Message", once},
	OptionReconfAccept:   {"Reconfigure Accept", listed | framing | once},
	OptionSIPDomains:     {"SIP Domains", listed},
	OptionSIPServers:     {"SIP Servers", listed},
	OptionDNSServers:     {"DNS Servers", listed | framing | once},
	OptionDomainList:     {"Domain List", listed | framing | once},
	OptionIAPD:           {"IA_PD", listed | framing},
	OptionIAPrefix:       {"IA Prefix", framing},
	OptionSNTPServers:    {"SNTP Servers", listed},
	OptionInfRefreshTime: {"Information Refresh Time", listed},
	OptionRemoteID:       {"Remote-Id", 0},
	OptionClientFQDN:     {"Client FQDN", listed | framing},
	OptionNTPServer:      {"NTP Server", listed},
	OptionAFTRName:       {"AFTR-Name", listed},
	OptionPDExclude:      {"PD Exclude", framing},
	OptionSolMaxRT:       {"SOL_MAX_RT", listed | framing | once},
	OptionInfMaxRT:       {"INF_MAX_RT", listed},
	OptionS46MapE:        {"S46 MAP-E", listed},
	OptionS46MapT:        {"S46 MAP-T", listed},
	OptionS46LW4over6:    {"S46 Lightweight 4over6", listed},
	OptionCaptivePortal:  {"Captive Portal", framing},
}

func (c OptionCode) entry() (name string, use optionUse) {
	if int(c) < len(optionNames) {
		e := optionNames[c]
		return e.name, e.use
	}
	return "", 0
}

// String returns the option's name, e.g. "IA_PD", or "OptionCode(N)" for
// a code without one here.
func (c OptionCode) String() string {
	if name, _ := c.entry(); name != "" {
		return name
	}
	return "OptionCode(" + strconv.Itoa(int(c)) + ")"
}

// Label is how a report lists the option: its code and name, e.g.
// "25 IA_PD", or the code alone for an option reports do not name.
func (c OptionCode) Label() string {
	if name, use := c.entry(); use&listed != 0 {
		return strconv.Itoa(int(c)) + " " + name
	}
	return strconv.Itoa(int(c))
}

// title is the option's name in a sentence about its bytes. Parse's
// messages give RFC 3646's option titles for DNS and the domain list, as
// the problems and errors a user may search for always said.
func (c OptionCode) title() string {
	switch c {
	case OptionDNSServers:
		return "DNS Recursive Name Server"
	case OptionDomainList:
		return "Domain Search List"
	}
	return c.String()
}

// phrase names the option in a framing error: "IA_PD option 25", or
// "option 94" for one such errors do not name.
func (c OptionCode) phrase() string {
	return c.namePrefix() + "option " + strconv.Itoa(int(c))
}

// namePrefix is what a framing error puts before "option N": the title and
// a space, or nothing for an option such errors name by code alone.
func (c OptionCode) namePrefix() string {
	if _, use := c.entry(); use&framing != 0 {
		return c.title() + " "
	}
	return ""
}

// single reports whether the option may appear only once at the top level
// of a message (RFC 8415 Appendix B): Parse uses the first and notes the
// repeat.
func (c OptionCode) single() bool {
	_, use := c.entry()
	return use&once != 0
}
