package dhcpv6

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/v6diag/v6diag/dhcpv6/options"
)

// OdhcpcRequestedOptions is the ORO odhcp6c puts in a Solicit by default
// (its built-in list without -R, plus the SOL_MAX_RT it always asks for in
// a Solicit): SIP domain and address (21, 22), DNS servers and search list
// (23, 24), SNTP (31), NTP (56), AFTR name (64), PD exclude (67), the
// MAP-E, MAP-T and lw4o6 containers (94, 95, 96) and SOL_MAX_RT (82). A
// strategy ladder that wants its first attempt to look like the router's own
// client sends this list.
var OdhcpcRequestedOptions = []OptionCode{OptionSIPDomains, OptionSIPServers, OptionDNSServers, OptionDomainList,
	OptionSNTPServers, OptionNTPServer, OptionAFTRName, OptionPDExclude, OptionS46MapE, OptionS46MapT, OptionS46LW4over6,
	OptionSolMaxRT}

// ExtraOption is one option an ISP profile needs in every Solicit and
// Request, carried as its code and body: the typed hook for what some ISPs
// demand beyond the common shapes (vendor class, user class, option 11
// authentication, code 11, whose keys a profile would have to supply).
// Build the common ones with VendorClass and UserClass.
type ExtraOption struct {
	Code OptionCode
	Body []byte
}

// managedOptions are the options the builders own; an ExtraOption may not
// repeat them, or the message would carry two conflicting copies.
var managedOptions = []OptionCode{OptionClientID, OptionServerID, OptionIANA, OptionORO, OptionElapsedTime,
	OptionRapidCommit, OptionReconfAccept, OptionIAPD, OptionClientFQDN}

// VendorClass returns a Vendor Class option (RFC 8415 §21.16): the vendor's
// IANA enterprise number, then each class as a 16-bit length and its bytes.
func VendorClass(enterprise uint32, classes ...[]byte) ExtraOption {
	b := binary.BigEndian.AppendUint32(nil, enterprise)
	return ExtraOption{Code: OptionVendorClass, Body: appendClasses(b, classes)}
}

// UserClass returns a User Class option (RFC 8415 §21.15): each class as a
// 16-bit length and its bytes.
func UserClass(classes ...[]byte) ExtraOption {
	return ExtraOption{Code: OptionUserClass, Body: appendClasses(nil, classes)}
}

func appendClasses(b []byte, classes [][]byte) []byte {
	for _, c := range classes {
		b = binary.BigEndian.AppendUint16(b, uint16(min(len(c), 0xffff)))
		b = append(b, c[:min(len(c), 0xffff)]...)
	}
	return b
}

// clientFQDNBody is the Client FQDN option body (RFC 4704 §4) as odhcp6c
// sends it: flags 0 (the client updates its own AAAA record, §4.1) and the
// host name fully qualified (dn_comp appends the root label).
func clientFQDNBody(name string) ([]byte, error) {
	b, err := options.AppendName([]byte{0}, name)
	if err != nil {
		return nil, fmt.Errorf("dhcpv6: Client FQDN %q: %w", name, err)
	}
	return b, nil
}

// validateClientOptions checks what addClientOptions will encode, so that
// building a message fails before anything is sent.
func (s RequestShape) validateClientOptions() error {
	if s.ClientFQDN != "" {
		if _, err := clientFQDNBody(s.ClientFQDN); err != nil {
			return err
		}
	}
	for _, o := range s.Extra {
		if slices.Contains(managedOptions, o.Code) {
			return fmt.Errorf("dhcpv6: extra option %d is one v6diag builds itself", o.Code)
		}
		if len(o.Body) > options.MaxLen {
			return fmt.Errorf("dhcpv6: extra option %d: %w", o.Code, options.ErrTooLong)
		}
	}
	return nil
}

// addClientFQDN appends the Client FQDN to a Solicit or Request. The
// shape was validated first.
func addClientFQDN(e *options.Encoder, s RequestShape) {
	if s.ClientFQDN != "" {
		if b, err := clientFQDNBody(s.ClientFQDN); err == nil {
			e.Option(uint16(OptionClientFQDN), b)
		}
	}
}
