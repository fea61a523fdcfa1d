package odhcp6c

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/internal/cnum"
	"net/netip"
	"path"
	"strconv"
	"strings"
)

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
	// option (netifd's reqprefix 'auto'). odhcp6c keeps it in 8 bits, so
	// "-P300" asks for a /44; Parse stores what odhcp6c keeps.
	Length int
	// Hint is the address part of "-P ADDR/LEN"; invalid when absent.
	Hint netip.Addr
	// IAID is the IA_PD's IAID. Without an explicit one odhcp6c numbers
	// its -P options 1, 2, … in order, big-endian.
	IAID [4]byte
	// ExplicitIAID is set when the argument named the IAID, so that String
	// writes it back.
	ExplicitIAID bool
}

// IntArg is a numeric argument (-K, -C, -t, -m, -l) as odhcp6c reads it:
// with C's atoi, so "-tabc" is -t0 and "-K 7x" is -K7.
type IntArg struct {
	// Value is what atoi makes of the argument.
	Value int
	// Given is set when the option is on the command line: -t0 (no upper
	// bound on the Solicit interval) is not the absent -t (120 s).
	Given bool
}

// DefaultSolicitMaxRT is odhcp6c's largest gap between Solicits without -t,
// in seconds (SOL_MAX_RT, RFC 8415 §7.6; src/config.c, config_dhcp_reset).
const DefaultSolicitMaxRT = 120

// Args is an odhcp6c command line, the way netifd's dhcpv6 protocol
// handler builds it from a wan6 section. The zero value is odhcp6c run
// with no options at all (which asks for no prefix: netifd always adds
// -P unless reqprefix is 'no').
//
// Args keeps what decides odhcp6c's DHCPv6 exchange and what netifd
// writes; the invocation options (-s, -p, -e, -d, -E) are read and
// dropped. Equal Args mean the same DHCPv6 behaviour, and String writes
// them back in netifd's order.
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
	// -Nforce implies it (config_set_request_addresses); Parse sets it
	// when a later -N undoes the force, because odhcp6c keeps it then.
	NoSLAACOnly bool
	// ClientID is -c: the whole Client Identifier option body (the DUID,
	// type included); nil means the DUID-LL of the interface's MAC.
	ClientID []byte
	// StrictOptions is -R: request only the -r options.
	StrictOptions bool
	// RequestedOptions are the -r options in order, each as odhcp6c keeps
	// it (16 bits).
	RequestedOptions []uint16
	// VendorClass is -V and UserClass -u, as given on the command line:
	// -V is the whole Vendor Class option body in hex, -u a list of
	// classes separated by ' ', ',' or tab. ExtraOptions encodes them.
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
	// SKPriority is -K (0 to 6), DSCP -C (0 to 63); odhcp6c logs and
	// ignores other values (Warnings says so).
	SKPriority, DSCP IntArg
	// SolicitMaxRT is -t in seconds, the largest gap between Solicits
	// (SolicitMaxRTSeconds reads it as odhcp6c does).
	SolicitMaxRT IntArg
	// RAHoldoff is -m in seconds (odhcp6c's default is 3).
	RAHoldoff IntArg
	// LogLevel is -l (syslog level, odhcp6c's default 4). Verbose is the
	// deprecated -v, which netifd's shell handler still passes.
	LogLevel IntArg
	Verbose  bool
}

// ErrRefused is wrapped by an ArgError for an argument odhcp6c refuses:
// it prints its usage (or an error) and exits without sending anything.
var ErrRefused = errors.New("odhcp6c refuses it and exits")

// ErrUnsupported is wrapped by an ArgError for an argument odhcp6c takes
// but v6diag does not model.
var ErrUnsupported = errors.New("v6diag does not model it")

// ArgError is one argument of a command line that Parse cannot turn into
// Args.
type ArgError struct {
	// Arg is the option and its value as written, e.g. "-N bogus".
	Arg string
	// Word is the index in argv of the word that holds the option, and
	// Words how many words it takes (2 when its value is the next word).
	Word, Words int
	// Reason says what is wrong with it.
	Reason string
	// Err is ErrRefused or ErrUnsupported.
	Err error
}

func (e *ArgError) Error() string {
	return fmt.Sprintf("odhcp6c: argument %s: %s (%v)", e.Arg, e.Reason, e.Err)
}

func (e *ArgError) Unwrap() error { return e.Err }

// ParseArgs reads an odhcp6c command line written as one string, e.g.
// "-Nforce -P48 -t120" or "-N force -P 48 wan", splitting it into words
// as a POSIX shell does (white space; '…', "…" and \ quoting; no
// expansions). A leading program word ending in "odhcp6c" is skipped, so a
// line copied from ps reads too. See ParseArgv.
func ParseArgs(cmdline string) (Args, string, error) {
	words, err := splitWords(cmdline)
	if err != nil {
		return Args{}, "", fmt.Errorf("odhcp6c: command line %q: %w", cmdline, err)
	}
	if len(words) > 0 && path.Base(words[0]) == "odhcp6c" {
		words = words[1:]
	}
	return ParseArgv(words)
}

// ParseArgv reads odhcp6c's arguments as its main does: getopt_long with
// its option string (src/odhcp6c.c, main), so options may be grouped
// ("-kf"), take their value attached or as the next word, and come after
// the interface name (GNU getopt permutes; "--" ends the options). It
// returns the Args and the interface name, the first word that is not an
// option ("" when there is none: v6diag reads command lines without one).
// odhcp6c only looks at that one; further words are ignored, as it
// ignores them.
//
// An argument odhcp6c refuses (a bad -N, -P, -c, -V, -u or -x, -h, an
// unknown option, a missing value) is an *ArgError wrapping ErrRefused;
// arguments it logs and ignores (-K 9, -i bogus) parse, and Warnings lists
// them.
func ParseArgv(argv []string) (Args, string, error) {
	p := argParser{}
	var ifaces []string
	for i := 0; i < len(argv); i++ {
		w := argv[i]
		switch {
		case w == "--":
			ifaces = append(ifaces, argv[i+1:]...)
			i = len(argv)
		case strings.HasPrefix(w, "--"):
			if err := p.long(w, i); err != nil {
				return p.a, "", err
			}
		case len(w) < 2 || w[0] != '-':
			ifaces = append(ifaces, w)
		default:
			next, err := p.shorts(argv, i)
			if err != nil {
				return p.a, "", err
			}
			i = next
		}
	}
	var iface string
	if len(ifaces) > 0 {
		iface = ifaces[0]
	}
	return p.a, iface, nil
}

// optionString is odhcp6c's getopt option string (src/odhcp6c.c, main):
// a letter followed by ':' takes a value.
const optionString = "SDN:V:P:FB:c:i:r:Ru:Ux:s:EkK:t:C:m:Lhedp:favl:"

// longStrictRFC7550 is odhcp6c's one long option.
const longStrictRFC7550 = "strict-rfc7550"

// argParser holds what odhcp6c's main keeps while reading the arguments.
type argParser struct {
	a Args
	// prefixIndex numbers the -P options without an IAID (ia_pd_iaid_index).
	prefixIndex uint32
	forced      bool                // a -Nforce was seen
	clientID    bool                // a -c was seen
	optionCodes []dhcpv6.OptionCode // codes of -V, -u and -x so far
	optionBytes int                 // their size in odhcp6c's state buffer
}

func refused(arg string, word int, format string, args ...any) *ArgError {
	return &ArgError{Arg: arg, Word: word, Words: 1, Reason: fmt.Sprintf(format, args...), Err: ErrRefused}
}

// long reads a "--name" word: getopt_long takes any unambiguous prefix of
// a long option's name, and refuses a value for one that takes none.
func (p *argParser) long(w string, word int) error {
	name, _, hasValue := strings.Cut(w[2:], "=")
	if !strings.HasPrefix(longStrictRFC7550, name) {
		return refused(w, word, "unknown option")
	}
	if hasValue {
		return refused(w, word, "--%s takes no value", longStrictRFC7550)
	}
	p.a.StrictRFC7550 = true
	return nil
}

// shorts reads the group of short options in argv[i] and returns the index
// of the last word it used (i, or i+1 when the last option's value is the
// next word).
func (p *argParser) shorts(argv []string, i int) (int, error) {
	w := argv[i]
	for j := 1; j < len(w); j++ {
		c := w[j]
		k := strings.IndexByte(optionString, c)
		if k < 0 || c == ':' {
			return i, refused("-"+w[j:j+1], i, "unknown option")
		}
		if k+1 >= len(optionString) || optionString[k+1] != ':' {
			if err := p.flag(c, i); err != nil {
				return i, err
			}
			continue
		}
		value, arg := w[j+1:], w
		if value == "" {
			if i+1 >= len(argv) {
				return i, refused("-"+w[j:j+1], i, "needs a value")
			}
			value, arg = argv[i+1], "-"+w[j:j+1]+" "+argv[i+1]
			if err := p.option(c, value, arg, i); err != nil {
				var ae *ArgError
				if errors.As(err, &ae) {
					ae.Words = 2
				}
				return i, err
			}
			return i + 1, nil
		}
		return i, p.option(c, value, arg, i)
	}
	return i, nil
}

// flag applies an option that takes no value.
func (p *argParser) flag(c byte, word int) error {
	a := &p.a
	switch c {
	case 'S':
		a.NoSLAACOnly = true
	case 'D':
		a.StatefulOnly = true
	case 'F':
		a.ForcePrefix = true
	case 'R':
		a.StrictOptions = true
	case 'U':
		a.NoServerUnicast = true
	case 'k':
		a.NoRelease = true
	case 'L':
		a.KeepRADNSLifetime = true
	case 'f':
		a.NoClientFQDN = true
	case 'a':
		a.NoAcceptReconfig = true
	case 'v':
		a.Verbose = true
	case 'e', 'd', 'E':
		// Logging to stderr, daemonizing, ubus events instead of the
		// script: nothing a DHCPv6 server sees.
	case 'h':
		return refused("-h", word, "prints the usage")
	}
	return nil
}

// option applies an option with its value; arg is how it was written, for
// errors.
func (p *argParser) option(c byte, value, arg string, word int) error {
	a := &p.a
	switch c {
	case 'N':
		// config_set_request_addresses: -Nforce also turns off
		// allow_slaac_only, and nothing turns it back on.
		switch m := AddressMode(value); m {
		case AddressTry, AddressNone:
			a.Addresses = m
			a.NoSLAACOnly = a.NoSLAACOnly || p.forced
		case AddressForce:
			a.Addresses = m
			p.forced = true
		default:
			return refused(arg, word, "not try, force or none")
		}
	case 'P':
		if len(a.Prefixes) == maxPrefixRequests {
			return refused(arg, word, "more than %d -P options do not fit odhcp6c's state", maxPrefixRequests)
		}
		pr, err := p.prefix(value)
		if err != nil {
			return refused(arg, word, "%v", err)
		}
		a.Prefixes = append(a.Prefixes, pr)
	case 'c':
		b, ok := unhexlify(value, maxClientIDBytes)
		if !ok || len(b) == 0 {
			return refused(arg, word, "not a client ID in hex")
		}
		if p.clientID {
			return &ArgError{Arg: arg, Word: word, Words: 1, Err: ErrUnsupported,
				Reason: "a second -c makes odhcp6c send two Client Identifier options"}
		}
		p.clientID = true
		a.ClientID = b
	case 'V', 'u', 'x':
		return p.extraOption(c, value, arg, word)
	case 'r':
		codes := requestedOptions(value)
		if len(a.RequestedOptions)+len(codes) > maxRequestedOptions {
			return refused(arg, word, "more than %d requested options do not fit odhcp6c's state", maxRequestedOptions)
		}
		a.RequestedOptions = append(a.RequestedOptions, codes...)
	case 'i':
		a.InterfaceID = value
	case 'K':
		a.SKPriority = IntArg{Value: int(cnum.Atoi(value)), Given: true}
	case 't':
		a.SolicitMaxRT = IntArg{Value: int(cnum.Atoi(value)), Given: true}
	case 'C':
		a.DSCP = IntArg{Value: int(cnum.Atoi(value)), Given: true}
	case 'm':
		a.RAHoldoff = IntArg{Value: int(cnum.Atoi(value)), Given: true}
	case 'l':
		a.LogLevel = IntArg{Value: int(cnum.Atoi(value)), Given: true}
	case 's', 'p':
		// The state script and the pid file.
	case 'B':
		// In the option string, but main has no case for it.
		return refused(arg, word, "odhcp6c has no -B (its main prints the usage)")
	}
	return nil
}

// prefix reads a -P value as main's case 'P' does: an optional "ADDR/",
// the length (strtoul, kept in 8 bits), then nothing, ",RAW" (up to four
// bytes of the text itself) or ":HEX".
func (p *argParser) prefix(value string) (PrefixRequest, error) {
	var pr PrefixRequest
	rest := value
	if addr, after, ok := strings.Cut(value, "/"); ok {
		a, err := netip.ParseAddr(addr)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return pr, fmt.Errorf("%q is not an IPv6 address", addr)
		}
		pr.Hint, rest = a, after
	}
	n, tail := cnum.Strtoul(rest, 10)
	pr.Length = int(uint8(n))
	switch {
	case tail == "" || tail == ",":
		p.prefixIndex++
		binary.BigEndian.PutUint32(pr.IAID[:], p.prefixIndex)
	case tail[0] == ',':
		copy(pr.IAID[:], tail[1:])
		pr.ExplicitIAID = true
	case tail[0] == ':':
		v, _ := cnum.Strtoul(tail[1:], 16)
		binary.BigEndian.PutUint32(pr.IAID[:], uint32(v))
		pr.ExplicitIAID = true
	default:
		return pr, errors.New("not [ADDR/]LEN[,IAID|:HEXIAID]")
	}
	return pr, nil
}

// requestedOptions reads a -r value as main's case 'r' does: a number
// (strtoul, kept in 16 bits), one separator byte of any kind, the next
// number, …, stopping silently at the first place without digits.
func requestedOptions(value string) []uint16 {
	var codes []uint16
	for value != "" {
		v, rest := cnum.Strtoul(value, 10)
		if rest == value {
			break
		}
		codes = append(codes, uint16(v))
		if rest != "" {
			rest = rest[1:]
		}
		value = rest
	}
	return codes
}

// extraOption checks a -V, -u or -x as odhcp6c does when it adds the
// option to its list: a value it can encode, an option not set before, a
// list that fits its state buffer.
func (p *argParser) extraOption(c byte, value, arg string, word int) error {
	if c == 'u' && value == "" {
		return &ArgError{Arg: arg, Word: word, Words: 1, Err: ErrUnsupported,
			Reason: "an empty -u sends a User Class holding one empty class"}
	}
	o, err := encodeExtraOption(c, value)
	if err != nil {
		return refused(arg, word, "%v", err)
	}
	for _, have := range p.optionCodes {
		if have == o.Code {
			return refused(arg, word, "option %d is set already", o.Code)
		}
	}
	p.optionBytes += 4 + len(o.Body)
	if p.optionBytes > maxStateBytes {
		return refused(arg, word, "the options to send pass odhcp6c's %d-byte state", maxStateBytes)
	}
	p.optionCodes = append(p.optionCodes, o.Code)
	switch c {
	case 'V':
		p.a.VendorClass = value
	case 'u':
		p.a.UserClass = value
	case 'x':
		p.a.SendOptions = append(p.a.SendOptions, value)
	}
	return nil
}

// Argv writes the arguments as netifd's dhcpv6 protocol handler writes
// them (OpenWrt's /lib/netifd/proto/dhcpv6.sh: -N, -P, -c, -R, -S, -F,
// -k, -U, -f, -a, -i, -V, -u, -L, -K, -m, -v, the -x, the -r, -t, each
// option's value attached), with --strict-rfc7550 and -l where the ucode
// handler puts them and the options netifd never writes (-D, -C) last.
// The state script and the interface are left out.
func (a Args) Argv() []string {
	var w []string
	add := func(ok bool, word string) {
		if ok {
			w = append(w, word)
		}
	}
	num := func(opt string, n IntArg) {
		add(n.Given, opt+strconv.Itoa(n.Value))
	}
	add(a.Addresses != "", "-N"+string(a.Addresses))
	for _, p := range a.Prefixes {
		w = append(w, "-P"+p.arg())
	}
	add(len(a.ClientID) > 0, "-c"+hex.EncodeToString(a.ClientID))
	add(a.StrictOptions, "-R")
	add(a.NoSLAACOnly, "-S")
	add(a.ForcePrefix, "-F")
	add(a.NoRelease, "-k")
	add(a.StrictRFC7550, "--"+longStrictRFC7550)
	add(a.NoServerUnicast, "-U")
	add(a.NoClientFQDN, "-f")
	add(a.NoAcceptReconfig, "-a")
	add(a.InterfaceID != "", "-i"+a.InterfaceID)
	add(a.VendorClass != "", "-V"+a.VendorClass)
	add(a.UserClass != "", "-u"+a.UserClass)
	add(a.KeepRADNSLifetime, "-L")
	num("-K", a.SKPriority)
	num("-m", a.RAHoldoff)
	add(a.Verbose, "-v")
	num("-l", a.LogLevel)
	for _, x := range a.SendOptions {
		w = append(w, "-x"+x)
	}
	for _, r := range a.RequestedOptions {
		w = append(w, "-r"+strconv.Itoa(int(r)))
	}
	num("-t", a.SolicitMaxRT)
	add(a.StatefulOnly, "-D")
	num("-C", a.DSCP)
	return w
}

// arg is the value of the -P that asks for p.
func (p PrefixRequest) arg() string {
	var s string
	if p.Hint.IsValid() {
		s = p.Hint.String() + "/"
	}
	s += strconv.Itoa(p.Length)
	if p.ExplicitIAID {
		s += ":" + strconv.FormatUint(uint64(binary.BigEndian.Uint32(p.IAID[:])), 16)
	}
	return s
}

// String is Argv as one line, each word quoted for a shell where it needs
// it, e.g. "-Ntry -P0 -t120"; ParseArgs reads it back to the same Args.
func (a Args) String() string { return JoinArgv(a.Argv()) }

// SolicitMaxRTSeconds is the largest gap between Solicits odhcp6c uses
// with these arguments: -t when it is 0 to 65535 (0: no upper bound,
// RFC 8415 §15), else DefaultSolicitMaxRT (src/config.c,
// config_set_rtx_timeout_max refuses larger values and main ignores the
// refusal).
func (a Args) SolicitMaxRTSeconds() int {
	if a.SolicitMaxRT.Given && uint32(a.SolicitMaxRT.Value) <= 0xffff {
		return a.SolicitMaxRT.Value
	}
	return DefaultSolicitMaxRT
}

// Warnings lists the arguments odhcp6c logs as invalid and then ignores,
// keeping its default, and values it takes that no server will honour.
func (a Args) Warnings() []string {
	var out []string
	if n := a.SKPriority; n.Given && uint32(n.Value) > 6 {
		out = append(out, fmt.Sprintf("-K%d: odhcp6c logs \"Invalid SK priority value\" and keeps socket priority 0 (it takes 0 to 6)", n.Value))
	}
	if n := a.DSCP; n.Given && uint32(n.Value) > 63 {
		out = append(out, fmt.Sprintf("-C%d: odhcp6c logs \"Invalid DSCP value\" and keeps DSCP 0 (it takes 0 to 63)", n.Value))
	}
	if n := a.SolicitMaxRT; n.Given && uint32(n.Value) > 0xffff {
		out = append(out, fmt.Sprintf("-t%d: odhcp6c logs \"Invalid retransmission Maximum Timeout value\" and keeps %d s (it takes 0 to 65535)", n.Value, DefaultSolicitMaxRT))
	}
	if id := a.InterfaceID; id != "" && id != "eui64" && id != "random" {
		if addr, err := netip.ParseAddr(id); err != nil || !addr.Is6() || addr.Zone() != "" {
			out = append(out, fmt.Sprintf("-i%s: odhcp6c logs \"Invalid interface-ID\" and keeps its default", id))
		}
	}
	for _, p := range a.Prefixes {
		if p.Length > 128 {
			out = append(out, fmt.Sprintf("-P%s: odhcp6c sends a prefix length hint of %d, which is no IPv6 prefix length", p.arg(), p.Length))
		}
	}
	return out
}
