package uciconfig

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/v6diag/v6diag/odhcp6c"
)

// OptionChange is one option of a dhcpv6 interface section to change so
// that netifd starts odhcp6c with other arguments.
type OptionChange struct {
	// Option is the netifd option, e.g. "reqaddress".
	Option string
	// Old is its value now, "" when it is not set; New the value to set,
	// "" to remove the option.
	Old, New string
}

// ErrNotExpressible is wrapped by OptionsFor's error when netifd cannot
// start odhcp6c with the wanted arguments, whatever the options.
var ErrNotExpressible = errors.New("netifd cannot pass these arguments")

// reverseOption is one netifd option and the part of odhcp6c's arguments
// it decides.
type reverseOption struct {
	name string
	// field is the part of the arguments the option decides, as text, to
	// tell whether it must change.
	field func(a odhcp6c.Args) string
	// value is the option's value for want ("" removes it), or an error
	// when no value gives it.
	value func(want odhcp6c.Args, h DHCPv6Handler, c reverseContext) (string, error)
}

// reverseContext is what some options' values depend on besides the
// wanted arguments.
type reverseContext struct {
	globalsDUID []byte // what dhcp_default_duid gives every client, decoded
	protoOROs   []uint16
}

func flagOption(name string, get func(odhcp6c.Args) bool, value string) reverseOption {
	return reverseOption{
		name:  name,
		field: func(a odhcp6c.Args) string { return strconv.FormatBool(get(a)) },
		value: func(w odhcp6c.Args, _ DHCPv6Handler, _ reverseContext) (string, error) {
			if get(w) {
				return value, nil
			}
			return "", nil
		},
	}
}

func textOption(name string, get func(odhcp6c.Args) string) reverseOption {
	return reverseOption{
		name:  name,
		field: get,
		value: func(w odhcp6c.Args, _ DHCPv6Handler, _ reverseContext) (string, error) { return get(w), nil },
	}
}

func numberOption(name string, get func(odhcp6c.Args) odhcp6c.IntArg) reverseOption {
	return reverseOption{
		name:  name,
		field: func(a odhcp6c.Args) string { return fmt.Sprint(get(a)) },
		value: func(w odhcp6c.Args, _ DHCPv6Handler, _ reverseContext) (string, error) {
			if n := get(w); n.Given {
				return strconv.Itoa(n.Value), nil
			}
			return "", nil
		},
	}
}

// reverseOptions are the options OptionsFor may change, in the order the
// handlers read them.
var reverseOptions = []reverseOption{
	{
		name:  "reqaddress",
		field: func(a odhcp6c.Args) string { return string(a.Addresses) },
		value: func(w odhcp6c.Args, _ DHCPv6Handler, _ reverseContext) (string, error) {
			if w.Addresses == "" {
				return "", nil
			}
			r, err := ParseReqAddress(string(w.Addresses))
			return string(r), err
		},
	},
	{
		name:  "reqprefix",
		field: func(a odhcp6c.Args) string { return fmt.Sprint(a.Prefixes) },
		value: func(w odhcp6c.Args, _ DHCPv6Handler, _ reverseContext) (string, error) {
			switch len(w.Prefixes) {
			case 0:
				return ReqPrefixNo.String(), nil
			case 1:
			default:
				return "", fmt.Errorf("%d -P options: reqprefix gives one", len(w.Prefixes))
			}
			p := w.Prefixes[0]
			if !p.Hint.IsValid() && !p.ExplicitIAID {
				return ReqPrefix(p.Length).String(), nil
			}
			// A hint or an IAID: reqprefix passes the text after -P as
			// it is.
			for _, word := range w.Argv() {
				if v, ok := strings.CutPrefix(word, "-P"); ok {
					return v, nil
				}
			}
			return "", nil
		},
	},
	{
		name:  "clientid",
		field: func(a odhcp6c.Args) string { return hex.EncodeToString(a.ClientID) },
		value: func(w odhcp6c.Args, _ DHCPv6Handler, c reverseContext) (string, error) {
			switch {
			case len(w.ClientID) > 0:
				return hex.EncodeToString(w.ClientID), nil
			case len(c.globalsDUID) > 0:
				return "", errors.New("no -c: the globals section's dhcp_default_duid gives every client one")
			}
			return "", nil
		},
	},
	{
		name:  "defaultreqopts",
		field: func(a odhcp6c.Args) string { return strconv.FormatBool(a.StrictOptions) },
		value: func(w odhcp6c.Args, _ DHCPv6Handler, _ reverseContext) (string, error) {
			if w.StrictOptions {
				return "0", nil
			}
			return "", nil
		},
	},
	flagOption("noslaaconly", func(a odhcp6c.Args) bool { return a.NoSLAACOnly }, "1"),
	flagOption("forceprefix", func(a odhcp6c.Args) bool { return a.ForcePrefix }, "1"),
	flagOption("norelease", func(a odhcp6c.Args) bool { return a.NoRelease }, "1"),
	{
		name:  "strict_rfc7550",
		field: func(a odhcp6c.Args) string { return strconv.FormatBool(a.StrictRFC7550) },
		value: func(w odhcp6c.Args, h DHCPv6Handler, _ reverseContext) (string, error) {
			switch {
			case !w.StrictRFC7550:
				return "", nil
			case h != HandlerUcode:
				return "", errors.New("--strict-rfc7550: only the ucode handler passes it")
			}
			return "1", nil
		},
	},
	flagOption("noserverunicast", func(a odhcp6c.Args) bool { return a.NoServerUnicast }, "1"),
	flagOption("noclientfqdn", func(a odhcp6c.Args) bool { return a.NoClientFQDN }, "1"),
	flagOption("noacceptreconfig", func(a odhcp6c.Args) bool { return a.NoAcceptReconfig }, "1"),
	flagOption("keep_ra_dnslifetime", func(a odhcp6c.Args) bool { return a.KeepRADNSLifetime }, "1"),
	textOption("ip6ifaceid", func(a odhcp6c.Args) string { return a.InterfaceID }),
	textOption("vendorclass", func(a odhcp6c.Args) string { return a.VendorClass }),
	textOption("userclass", func(a odhcp6c.Args) string { return a.UserClass }),
	numberOption("skpriority", func(a odhcp6c.Args) odhcp6c.IntArg { return a.SKPriority }),
	numberOption("ra_holdoff", func(a odhcp6c.Args) odhcp6c.IntArg { return a.RAHoldoff }),
	{
		// verbose is -v to the shell handler and -l VALUE to the ucode one.
		name:  "verbose",
		field: func(a odhcp6c.Args) string { return fmt.Sprint(a.Verbose, a.LogLevel) },
		value: func(w odhcp6c.Args, h DHCPv6Handler, _ reverseContext) (string, error) {
			switch {
			case h == HandlerUcode && w.Verbose:
				return "", errors.New("-v: the ucode handler passes -l instead")
			case h == HandlerUcode && w.LogLevel.Given:
				return strconv.Itoa(w.LogLevel.Value), nil
			case w.LogLevel.Given:
				return "", errors.New("-l: the shell handler passes -v instead")
			case w.Verbose:
				return "1", nil
			}
			return "", nil
		},
	},
	{
		name:  "sendopts",
		field: func(a odhcp6c.Args) string { return strings.Join(a.SendOptions, "\x00") },
		value: func(w odhcp6c.Args, h DHCPv6Handler, _ reverseContext) (string, error) {
			// One plain value: the shell handler splits it at spaces, the
			// ucode one takes it whole.
			switch {
			case len(w.SendOptions) > 1 && h == HandlerUcode:
				return "", errors.New("several -x need a list sendopts, which v6diag does not write")
			case slices.ContainsFunc(w.SendOptions, func(x string) bool { return strings.ContainsAny(x, " \t") }):
				return "", errors.New("-x with a space: the shell handler would split it")
			}
			return strings.Join(w.SendOptions, " "), nil
		},
	},
	{
		name:  "reqopts",
		field: func(a odhcp6c.Args) string { return fmt.Sprint(a.RequestedOptions) },
		value: func(w odhcp6c.Args, _ DHCPv6Handler, c reverseContext) (string, error) {
			codes := w.RequestedOptions
			if n := len(c.protoOROs); n > 0 {
				if len(codes) < n || !slices.Equal(codes[len(codes)-n:], c.protoOROs) {
					return "", fmt.Errorf("-r %v: the handler always ends the list with %v, for the installed dslite and map handlers", codes, c.protoOROs)
				}
				codes = codes[:len(codes)-n]
			}
			words := make([]string, len(codes))
			for i, r := range codes {
				words[i] = strconv.Itoa(int(r))
			}
			return strings.Join(words, " "), nil
		},
	},
	{
		name:  "soltimeout",
		field: func(a odhcp6c.Args) string { return fmt.Sprint(a.SolicitMaxRT) },
		value: func(w odhcp6c.Args, _ DHCPv6Handler, _ reverseContext) (string, error) {
			if !w.SolicitMaxRT.Given {
				return "", errors.New("no -t: the handlers always pass one")
			}
			return strconv.Itoa(w.SolicitMaxRT.Value), nil
		},
	},
}

// OptionsFor returns the options to change on rc's section so that
// netifd starts odhcp6c with want instead of rc.Args, and proves it: the
// section with the changes, mapped again, gives exactly want (the same
// Argv). rc comes from this File's RouterClient with the same host; when
// it has no section (netifd's defaults), the options are those of a new
// proto 'dhcpv6' section. Arguments netifd cannot pass (-D, -C, several
// -P, …) are an error wrapping ErrNotExpressible.
func (f *File) OptionsFor(rc RouterClient, want odhcp6c.Args, host NetifdHost) ([]OptionChange, error) {
	for _, a := range []struct {
		given bool
		arg   string
	}{{want.StatefulOnly, "-D"}, {want.DSCP.Given, "-C"}} {
		if a.given {
			return nil, fmt.Errorf("uciconfig: %s: no netifd option passes it: %w", a.arg, ErrNotExpressible)
		}
	}
	var current uciOptions
	if rc.Section != "" {
		current = f.values(rc.Section)
	}
	ctx := reverseContext{}
	for _, r := range protoOROs(host) {
		n, _ := strconv.Atoi(r)
		ctx.protoOROs = append(ctx.protoOROs, uint16(n))
	}
	if base := defaultsWith(f.globalsDUID(), host); len(base.Args.ClientID) > 0 {
		ctx.globalsDUID = base.Args.ClientID
	}
	var changes []OptionChange
	for _, o := range reverseOptions {
		if o.field(rc.Args) == o.field(want) {
			continue
		}
		v, err := o.value(want, host.handler(), ctx)
		if err != nil {
			return nil, fmt.Errorf("uciconfig: %s: %v: %w", o.name, err, ErrNotExpressible)
		}
		old := current.get(o.name).words()
		if old != v {
			changes = append(changes, OptionChange{Option: o.name, Old: old, New: v})
		}
		// dhcpv6.uc falls back to the old name ifaceid.
		if alt := current.get("ifaceid"); o.name == "ip6ifaceid" && alt.set {
			changes = append(changes, OptionChange{Option: "ifaceid", Old: alt.words()})
		}
	}
	if err := f.checkOptions(rc, want, host, changes); err != nil {
		return nil, err
	}
	return changes, nil
}

// checkOptions applies changes to a copy of the file and maps the section
// again: it must give want's exact command line.
func (f *File) checkOptions(rc RouterClient, want odhcp6c.Args, host NetifdHost, changes []OptionChange) error {
	cp, err := Parse(f.Bytes())
	if err != nil {
		return fmt.Errorf("uciconfig: check the changed options: %w", err)
	}
	name := rc.Section
	if name == "" {
		name = "v6diag_check"
		for cp.Section(name) != nil {
			name += "_"
		}
		sec, err := cp.AddSection("interface", name, "", nil)
		if err != nil {
			return fmt.Errorf("uciconfig: check the changed options: %w", err)
		}
		if err := sec.SetOption("proto", "dhcpv6", ""); err != nil {
			return fmt.Errorf("uciconfig: check the changed options: %w", err)
		}
	}
	for _, c := range changes {
		for _, s := range cp.sections {
			if s.Name != name {
				continue
			}
			s.DeleteOption(c.Option)
		}
		if c.New != "" {
			if err := cp.Section(name).SetOption(c.Option, c.New, ""); err != nil {
				return fmt.Errorf("uciconfig: check the changed options: %w", err)
			}
		}
	}
	got := cp.clientOf(DefaultNetworkPath, name, host)
	_, stray, refusal := odhcp6c.ParseArgv(got.Argv)
	switch {
	case refusal != nil:
		return fmt.Errorf("uciconfig: with the changed options %w: %w", refusal, ErrNotExpressible)
	case stray != "":
		return fmt.Errorf("uciconfig: with the changed options odhcp6c takes the stray word %q as its interface: %w", stray, ErrNotExpressible)
	case !slices.Equal(got.Args.Argv(), want.Argv()):
		return fmt.Errorf("uciconfig: the changed options give %q, not %q: %w", got.Args.String(), want.String(), ErrNotExpressible)
	}
	return nil
}
