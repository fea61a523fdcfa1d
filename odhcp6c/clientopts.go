package odhcp6c

import (
	"errors"
	"fmt"
	"github.com/v6diag/v6diag/internal/cnum"
	"net/netip"
	"slices"
	"strings"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/dhcpv6/options"
)

// How odhcp6c encodes the value of an option it is told to send: the
// OPT_U8, OPT_IP6, OPT_STR, OPT_DNS_STR and OPT_USER_CLASS flags of its
// option table (src/odhcp6c.h, enum odhcp6c_opt_flags).
type valueKind uint8

const (
	kindHex       valueKind = iota // hex digits (script_unhexlify)
	kindIPv6                       // IPv6 addresses, 16 bytes each
	kindString                     // the bytes as given
	kindDomain                     // a domain name in wire form (dn_comp)
	kindUserClass                  // 16-bit length + bytes per class
)

// sendable is an option of odhcp6c's table that -x may name or number
// (src/odhcp6c.c, the opts table: the entries without OPT_INTERNAL).
type sendable struct {
	code  uint16
	name  string
	kind  valueKind
	array bool // OPT_ARRAY: several values separated by ' ', ',' or tab
}

var sendableOptions = []sendable{
	{11, "authentication", kindHex, false},
	{15, "userclass", kindUserClass, true},
	{16, "vendorclass", kindHex, false},
	{21, "sipserver_d", kindDomain, false},
	{22, "sipserver_a", kindIPv6, true},
	{23, "dns", kindIPv6, true},
	{24, "search", kindDomain, false},
	{31, "sntpservers", kindIPv6, true},
	{56, "ntpserver", kindHex, false},
	{68, "vss", kindHex, false},
	{112, "mud_url_v6", kindString, false},
}

// internalOptions are the codes odhcp6c's table marks OPT_INTERNAL: the
// ones it builds itself or never sends, which -x refuses
// (src/config.c, config_parse_opt).
var internalOptions = []uint16{1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 18, 19, 20, 25, 26, 32, 37, 38, 39,
	43, 44, 45, 46, 47, 48, 53, 61, 64, 66, 67, 79, 80, 81, 82, 83, 87, 89, 90, 91, 92, 93, 94, 95, 96,
	100, 101, 102, 105, 106, 107, 108, 109, 110, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124,
	125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135}

// Limits of odhcp6c's state buffers (src/odhcp6c.c, odhcp6c_resize_state:
// 1024 bytes each). A command line past them makes odhcp6c log "Failed
// to add …" and exit.
const (
	maxStateBytes = 1024
	// maxPrefixRequests is how many struct odhcp6c_request_prefix (24
	// bytes: IAID, length, padding, address) fit.
	maxPrefixRequests = maxStateBytes / 24
	// maxRequestedOptions is how many 16-bit -r codes fit.
	maxRequestedOptions = maxStateBytes / 2
	// maxClientIDBytes is what -c decodes into (a 134-byte buffer less
	// the 4-byte option header).
	maxClientIDBytes = 130
)

var (
	errNoSeparator = errors.New("not CODE:VALUE")
	errInternal    = errors.New("odhcp6c builds this option itself and refuses it in -x")
)

// ExtraOptions are the options odhcp6c adds to every Solicit and Request
// because of -V, -u and -x (its STATE_OPTS), encoded as it encodes them
// (src/config.c, config_parse_opt and config_parse_opt_data). odhcp6c keeps
// them in command-line order; Args keeps -V, -u and then the -x options in
// their order, which is the order netifd writes them in. Args from Parse
// always encode; the errors are for Args built by hand.
func (a Args) ExtraOptions() ([]dhcpv6.ExtraOption, error) {
	type given struct {
		flag  byte
		value string
	}
	var list []given
	if a.VendorClass != "" {
		list = append(list, given{'V', a.VendorClass})
	}
	if a.UserClass != "" {
		list = append(list, given{'u', a.UserClass})
	}
	for _, x := range a.SendOptions {
		list = append(list, given{'x', x})
	}
	var out []dhcpv6.ExtraOption
	total := 0
	for _, g := range list {
		o, err := encodeExtraOption(g.flag, g.value)
		if err != nil {
			return out, fmt.Errorf("odhcp6c: -%c %q: %w", g.flag, g.value, err)
		}
		for _, have := range out {
			if have.Code == o.Code {
				return out, fmt.Errorf("odhcp6c: -%c %q: option %d is set already", g.flag, g.value, o.Code)
			}
		}
		if total += 4 + len(o.Body); total > maxStateBytes {
			return out, fmt.Errorf("odhcp6c: -%c %q: the options to send pass its %d-byte state", g.flag, g.value, maxStateBytes)
		}
		out = append(out, o)
	}
	return out, nil
}

// encodeExtraOption encodes the option of one -V (the Vendor Class body
// in hex), -u (User Class: classes separated by ' ', ',' or tab) or -x.
func encodeExtraOption(flag byte, value string) (dhcpv6.ExtraOption, error) {
	switch flag {
	case 'V':
		body, err := encodeValue(value, kindHex, false)
		return dhcpv6.ExtraOption{Code: dhcpv6.OptionVendorClass, Body: body}, err
	case 'u':
		body, err := encodeValue(value, kindUserClass, true)
		return dhcpv6.ExtraOption{Code: dhcpv6.OptionUserClass, Body: body}, err
	}
	return parseSendOption(value)
}

// parseSendOption reads one -x argument, "NAME:VALUE" or "CODE:VALUE", as
// config_parse_opt does: a name from the table, else a number in C's
// notation (0x1f4, 0755, 15) up to 65535; a known option's value in its
// table kind, an unknown one's as hex or, quoted in ' or ", as a string.
func parseSendOption(arg string) (dhcpv6.ExtraOption, error) {
	name, data, ok := strings.Cut(arg, ":")
	if !ok || name == "" || data == "" {
		return dhcpv6.ExtraOption{}, errNoSeparator
	}
	var known *sendable
	var code uint16
	if i := slices.IndexFunc(sendableOptions, func(s sendable) bool { return s.name == name }); i >= 0 {
		known = &sendableOptions[i]
		code = known.code
	} else {
		v, rest := cnum.Strtoul(name, 0)
		// odhcp6c stores the number in a uint32_t before the range check.
		if rest != "" || uint32(v) > 0xffff {
			return dhcpv6.ExtraOption{}, fmt.Errorf("%q is neither an option name odhcp6c knows nor a code up to 65535", name)
		}
		code = uint16(uint32(v))
		if i := slices.IndexFunc(sendableOptions, func(s sendable) bool { return s.code == code }); i >= 0 {
			known = &sendableOptions[i]
		}
	}
	if slices.Contains(internalOptions, code) {
		return dhcpv6.ExtraOption{}, errInternal
	}
	kind, array := kindHex, false
	switch {
	case known != nil:
		kind, array = known.kind, known.array
	case (data[0] == '"' || data[0] == '\'') && len(data) > 1 && strings.LastIndexByte(data[1:], data[0]) == len(data)-2:
		kind, data = kindString, data[1:len(data)-1]
	}
	body, err := encodeValue(data, kind, array)
	if err != nil {
		return dhcpv6.ExtraOption{}, err
	}
	return dhcpv6.ExtraOption{Code: dhcpv6.OptionCode(code), Body: body}, nil
}

// arraySeparators split the values of an OPT_ARRAY option (src/config.c,
// ARRAY_SEP). Every separator ends a value, so two in a row make an empty
// one.
const arraySeparators = " ,\t"

// encodeValue encodes an option value of the given kind as
// config_parse_opt_data does; an empty result is an error, as odhcp6c
// refuses it.
func encodeValue(data string, kind valueKind, array bool) ([]byte, error) {
	if kind == kindHex {
		b, ok := unhexlify(data, len(data))
		if !ok || len(b) == 0 {
			return nil, errors.New("not hex digits")
		}
		return b, nil
	}
	values := []string{data}
	if strings.ContainsAny(data, arraySeparators) {
		if !array {
			return nil, errors.New("holds a separator (' ', ',' or tab) but takes one value")
		}
		values = splitEvery(data, arraySeparators)
	}
	var out []byte
	for _, v := range values {
		switch kind {
		case kindString:
			out = append(out, v...)
		case kindIPv6:
			a, err := netip.ParseAddr(v)
			if err != nil || !a.Is6() || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not an IPv6 address", v)
			}
			b := a.As16()
			out = append(out, b[:]...)
		case kindDomain:
			// dn_comp also reads backslash escapes, which this does not.
			var err error
			if out, err = options.AppendName(out, v); err != nil {
				return nil, err
			}
		case kindUserClass:
			out = append(out, byte(len(v)>>8), byte(len(v)))
			out = append(out, v...)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("empty value")
	}
	return out, nil
}

// splitEvery splits s at every byte of seps, keeping empty pieces.
func splitEvery(s, seps string) []string {
	var out []string
	for {
		i := strings.IndexAny(s, seps)
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}

// unhexlify decodes hex as odhcp6c's script_unhexlify (src/script.c)
// does: pairs of hex digits, each pair followed by any number of other
// bytes (separators such as ':' or ' ', but also anything else), at most
// max bytes, a lone trailing digit ignored. A pair with a non-hex byte
// fails, as does text that starts with a separator; ok is false then.
func unhexlify(s string, max int) (out []byte, ok bool) {
	for len(out) < max && len(s) >= 2 {
		hi, lo := cnum.HexValue(s[0]), cnum.HexValue(s[1])
		if hi < 0 || lo < 0 {
			return out, false
		}
		out = append(out, byte(hi<<4|lo))
		s = s[2:]
		for len(s) > 0 && cnum.HexValue(s[0]) < 0 {
			s = s[1:]
		}
	}
	return out, true
}
