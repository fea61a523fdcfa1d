package uciconfig

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/v6diag/v6diag/internal/cnum"
)

// uciValue is one option as libuci holds it once a file is loaded: a plain
// value or a list; set is false when the option is absent.
type uciValue struct {
	value  string
	list   []string
	isList bool
	set    bool
}

// words is the value as text: a list's items joined by spaces, as
// "uci get" prints them.
func (v uciValue) words() string {
	if v.isList {
		return strings.Join(v.list, " ")
	}
	return v.value
}

// uciOptions are the options of one section, in the order first set.
type uciOptions struct {
	byName map[string]uciValue
	order  []string
}

func (o uciOptions) get(name string) uciValue { return o.byName[name] }

// plain returns a plain option's value; a list or an absent option is "".
func (o uciOptions) plain(name string) (string, bool) {
	v := o.byName[name]
	if !v.set || v.isList {
		return "", false
	}
	return v.value, true
}

// values returns the options of the section named name, merged across
// repeated "config … 'name'" statements as libuci merges them: the
// statements replayed in file order (see Section.state).
func (f *File) values(name string) uciOptions {
	var secs []*Section
	for _, s := range f.sections {
		if s.Name == name && name != "" {
			secs = append(secs, s)
		}
	}
	return valuesOf(secs...)
}

func (f *File) sectionValues(s *Section) map[string]uciValue { return valuesOf(s).byName }

func valuesOf(secs ...*Section) uciOptions {
	o := uciOptions{byName: map[string]uciValue{}}
	for _, s := range secs {
		for _, n := range s.body {
			v, seen := o.byName[n.name]
			if n.kind == kindOption && n.value == "" {
				continue
			}
			if !seen {
				o.order = append(o.order, n.name)
			}
			switch n.kind {
			case kindOption:
				v = uciValue{value: n.value, set: true}
			case kindList:
				if v.set && !v.isList {
					v.list = []string{v.value}
				}
				v = uciValue{list: append(v.list, n.value), isList: true, set: true}
			}
			o.byName[n.name] = v
		}
	}
	return o
}

// blobBool reads a boolean as netifd's uci_to_blob does (libuci blob.c,
// uci_attr_to_blob): "1" and "true", "0" and "false"; known is false for
// anything else, which netifd drops as if the option were absent.
func blobBool(v string) (b, known bool) {
	switch v {
	case "1", "true":
		return true, true
	case "0", "false":
		return false, true
	}
	return false, false
}

// blobInt reads an integer as uci_to_blob does: strtol with base 0
// (so 0x10 is 16 and 010 is 8) over the whole value, kept in 32 bits;
// ok is false when anything follows the number.
func blobInt(v string) (int32, bool) {
	n, rest := cnum.Strtol(v, 0)
	if rest != "" {
		return 0, false
	}
	return int32(n), true
}

// ucodeBool is the dhcpv6.uc handler's bool(): trimmed, any case, 1, on,
// true, yes, enabled and their opposites; known is false for the rest.
func ucodeBool(v string) (b, known bool) {
	switch strings.ToLower(strings.TrimFunc(v, func(r rune) bool { return r < 0x80 && cnum.IsSpace(byte(r)) })) {
	case "1", "on", "true", "yes", "enabled":
		return true, true
	case "0", "off", "false", "no", "disabled":
		return false, true
	}
	return false, false
}

// ucodeHex is the dhcpv6.uc handler's validate_hex: pairs of hex digits,
// any case, separated by nothing, one '-' or ':', or a run of white space,
// with white space around; it returns the digits alone, lower case.
func ucodeHex(v string) (string, bool) {
	s := strings.ToLower(strings.TrimFunc(v, func(r rune) bool { return r < 0x80 && cnum.IsSpace(byte(r)) }))
	var out strings.Builder
	i := 0
	pair := func() bool {
		if i+2 > len(s) || cnum.HexValue(s[i]) < 0 || cnum.HexValue(s[i+1]) < 0 {
			return false
		}
		out.WriteString(s[i : i+2])
		i += 2
		return true
	}
	if !pair() {
		return "", false
	}
	for i < len(s) {
		switch {
		case cnum.IsSpace(s[i]):
			for i < len(s) && cnum.IsSpace(s[i]) {
				i++
			}
		case s[i] == '-' || s[i] == ':':
			i++
		}
		if !pair() {
			return "", false
		}
	}
	return out.String(), true
}

// protoOROs are the options the handler asks for because other protocol
// handlers are installed (both handlers: "ubus call network
// get_proto_handlers"): the AFTR name for dslite, the MAP-E, MAP-T and
// lw4o6 containers for map.
func protoOROs(host NetifdHost) []string {
	var out []string
	if host.DSLite {
		out = append(out, "64")
	}
	if host.MAP {
		out = append(out, "94", "95", "96")
	}
	return out
}

// argKind is how a handler turns one option into an argument.
type argKind uint8

const (
	// argText passes the value after the flag, as written.
	argText argKind = iota
	// argOn passes the flag when the option is true: compared with "1"
	// by dhcpv6.sh for the options it declares as strings
	// ('noclientfqdn:bool'), through its bool() by dhcpv6.uc.
	argOn
	// argBlobOn passes the flag when netifd's uci_to_blob reads the
	// option as true (dhcpv6.sh's proto_config_add_boolean options).
	argBlobOn
	// argOff passes the flag when the option is false (defaultreqopts:
	// "0" for dhcpv6.sh, bool() for dhcpv6.uc).
	argOff
	// argInt passes the value after the flag as netifd's uci_to_blob
	// converts an integer (proto_config_add_int); dhcpv6.uc passes the
	// text as written.
	argInt
)

// handlerArg is one option a handler turns into an argument.
type handlerArg struct {
	option, flag string
	kind         argKind
}

// shellArgs are the options dhcpv6.sh (OpenWrt 24.10) writes between -c
// and the -x, in its order.
var shellArgs = []handlerArg{
	{"defaultreqopts", "-R", argOff},
	{"noslaaconly", "-S", argOn}, {"forceprefix", "-F", argOn}, {"norelease", "-k", argOn},
	{"noserverunicast", "-U", argOn}, {"noclientfqdn", "-f", argOn}, {"noacceptreconfig", "-a", argOn},
	{"ip6ifaceid", "-i", argText}, {"vendorclass", "-V", argText}, {"userclass", "-u", argText},
	{"keep_ra_dnslifetime", "-L", argBlobOn}, {"skpriority", "-K", argInt}, {"ra_holdoff", "-m", argInt},
	{"verbose", "-v", argBlobOn},
}

// ucodeArgs are the same for dhcpv6.uc (OpenWrt main): its booleans come
// first, and verbose is -l with the value.
var ucodeArgs = []handlerArg{
	{"defaultreqopts", "-R", argOff},
	{"noslaaconly", "-S", argOn}, {"forceprefix", "-F", argOn}, {"norelease", "-k", argOn},
	{"strict_rfc7550", "--strict-rfc7550", argOn}, {"noserverunicast", "-U", argOn},
	{"noclientfqdn", "-f", argOn}, {"noacceptreconfig", "-a", argOn}, {"keep_ra_dnslifetime", "-L", argOn},
	{"ip6ifaceid", "-i", argText}, {"vendorclass", "-V", argText}, {"userclass", "-u", argText},
	{"skpriority", "-K", argText}, {"ra_holdoff", "-m", argText}, {"verbose", "-l", argText},
}

// handlerReader reads a section's options as one handler does and notes
// what it does not take as the user may have meant.
type handlerReader struct {
	ucode bool
	o     uciOptions
	notes *[]string
}

func (r handlerReader) note(format string, args ...any) {
	*r.notes = append(*r.notes, fmt.Sprintf(format, args...))
}

// text is an option the handler reads as one value. netifd hands
// dhcpv6.sh a list there as nothing; dhcpv6.uc would write the list's
// text into the argument, which v6diag leaves out instead. Both say so.
func (r handlerReader) text(name string) string {
	v := r.o.get(name)
	if v.isList {
		r.note("%s is a list where the dhcpv6 handler takes one value; it is left out", name)
		return ""
	}
	if name == "ip6ifaceid" && v.value == "" {
		// dhcpv6.uc falls back to the old name; dhcpv6.sh's fallback
		// reads an attribute netifd never fills.
		if old := r.text("ifaceid"); old != "" && r.ucode {
			return old
		} else if old != "" {
			r.note("ifaceid does nothing with dhcpv6.sh, which reads ip6ifaceid (odhcp6c's first-boot script renames the option)")
		}
	}
	return v.value
}

// arg is the argument for one option, or "".
func (r handlerReader) arg(a handlerArg) string {
	v := r.text(a.option)
	if v == "" {
		return ""
	}
	var on, known bool
	switch {
	case a.kind == argText:
		return a.flag + v
	case a.kind == argInt:
		n, ok := blobInt(v)
		if !ok {
			r.note("%s '%s' does nothing: netifd drops a value that is not an integer", a.option, v)
			return ""
		}
		return a.flag + strconv.Itoa(int(n))
	case r.ucode:
		on, known = ucodeBool(v)
	case a.kind == argBlobOn:
		on, known = blobBool(v)
	default:
		// dhcpv6.sh compares the text.
		on, known = v == "1", v == "1" || v == "0"
	}
	switch {
	case !known:
		r.note("%s '%s' does nothing: the dhcpv6 handler reads only %s there", a.option, v, r.booleans(a.kind))
	case on == (a.kind != argOff):
		return a.flag
	}
	return ""
}

// booleans says which values a handler reads as booleans, for notes.
func (r handlerReader) booleans(k argKind) string {
	switch {
	case r.ucode:
		return "1/0, on/off, true/false, yes/no, enabled/disabled"
	case k == argBlobOn:
		return "'1', 'true', '0' and 'false'"
	}
	return "'1' and '0'"
}

// clientID is -c: the section's clientid, else the globals' DUID;
// dhcpv6.uc also takes '*' for "not this section's" and checks the hex.
func (r handlerReader) clientID(duid uciValue) string {
	id := r.text("clientid")
	if r.ucode && id == "*" {
		id = ""
	} else if r.ucode && id != "" {
		hex, ok := ucodeHex(id)
		if !ok {
			r.note("clientid '%s' is not hex; dhcpv6.uc ignores it", id)
		}
		id = hex
	}
	if id != "" || !duid.set {
		return id
	}
	if !r.ucode {
		return duid.words()
	}
	hex, ok := ucodeHex(duid.words())
	if !ok {
		r.note("globals' dhcp_default_duid '%s' is not hex; dhcpv6.uc ignores it", duid.words())
	}
	return hex
}

// sendOptions are the -x values: an array to dhcpv6.sh (a plain value
// split at spaces and tabs); to dhcpv6.uc a plain value is one -x,
// spaces and all.
func (r handlerReader) sendOptions() []string {
	v := r.o.get("sendopts")
	if !r.ucode || v.isList {
		return blobArray(v)
	}
	if strings.ContainsAny(v.value, " \t") {
		r.note("sendopts '%s' is one -x to dhcpv6.uc, spaces and all; use a list for several options", v.value)
	}
	return blobArray(uciValue{list: []string{v.value}, isList: true})
}

// requestedOptions are the -r values: reqopts split at white space (a
// list is nothing to dhcpv6.sh; dhcpv6.uc keeps each item whole, and
// odhcp6c's -r reads "23 24" as two codes anyway), then what the
// installed protocol handlers add.
func (r handlerReader) requestedOptions(host NetifdHost) []string {
	v := r.o.get("reqopts")
	var codes []string
	switch {
	case v.isList && r.ucode:
		codes = v.list
	default:
		codes = strings.FieldsFunc(r.text("reqopts"), func(c rune) bool { return c < 0x80 && cnum.IsSpace(byte(c)) })
	}
	return append(codes, protoOROs(host)...)
}

// handlerArgv builds the words the host's dhcpv6 handler passes to odhcp6c
// for a section's options (proto_dhcpv6_setup in OpenWrt 24.10's
// /lib/netifd/proto/dhcpv6.sh; setup in main's dhcpv6.uc).
//
// dhcpv6.sh gets the options after netifd's uci_to_blob has typed them
// (libuci blob.c): its string options as written, a list there dropped;
// its booleans and integers converted, a value that does not convert
// dropped; its arrays split at spaces and tabs. It appends every argument
// to one string and starts odhcp6c with it unquoted, so the shell splits
// it at white space: a value with a space becomes two words.
//
// dhcpv6.uc reads the raw UCI values, parses booleans loosely, checks the
// client IDs' hex, and passes each argument as one word.
func handlerArgv(h DHCPv6Handler, o uciOptions, duid uciValue, host NetifdHost, notes *[]string) []string {
	r := handlerReader{ucode: h == HandlerUcode, o: o, notes: notes}
	args := shellArgs
	if r.ucode {
		args = ucodeArgs
	} else if _, ok := o.plain("strict_rfc7550"); ok {
		r.note("strict_rfc7550 does nothing with dhcpv6.sh; only the ucode handler passes --strict-rfc7550")
	}
	words := addressAndPrefix(r.text("reqaddress"), r.text("reqprefix"), notes)
	if id := r.clientID(duid); id != "" {
		words = append(words, "-c"+id)
	}
	for _, a := range args {
		if w := r.arg(a); w != "" {
			words = append(words, w)
		}
	}
	for _, x := range r.sendOptions() {
		words = append(words, "-x"+x)
	}
	for _, c := range r.requestedOptions(host) {
		if c != "" {
			words = append(words, "-r"+c)
		}
	}
	timeout := r.text("soltimeout")
	if !r.ucode && timeout != "" {
		timeout = strings.TrimPrefix(r.arg(handlerArg{"soltimeout", "-t", argInt}), "-t")
	}
	if timeout == "" {
		timeout = "120"
	}
	words = append(words, "-t"+timeout)
	if r.ucode {
		return words
	}
	argv := strings.FieldsFunc(strings.Join(words, " "), isIFS)
	if len(argv) != len(words) {
		r.note("dhcpv6.sh passes its options unquoted, so the shell splits a value with white space into several words")
	}
	for _, w := range argv {
		if strings.ContainsAny(w, "*?[") {
			r.note("the shell would also expand %q as a file name pattern; v6diag assumes it matches no file", w)
		}
	}
	return argv
}

// isIFS reports the shell's default field separators.
func isIFS(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }

// blobArray reads an array option as uci_to_blob does: a list's items, or
// a plain value split at spaces and tabs; empty items are left out, as the
// handlers skip them.
func blobArray(v uciValue) []string {
	items := v.list
	if !v.isList {
		items = strings.FieldsFunc(v.value, func(r rune) bool { return r == ' ' || r == '\t' })
	}
	var out []string
	for _, it := range items {
		if it != "" {
			out = append(out, it)
		}
	}
	return out
}

// addressAndPrefix is how both handlers begin: -N with reqaddress as
// written, then -P with reqprefix as written ('auto' or none is 0, 'no'
// leaves -P out).
func addressAndPrefix(reqaddress, reqprefix string, notes *[]string) []string {
	var words []string
	if reqaddress != "" {
		words = append(words, "-N"+reqaddress)
	}
	if reqprefix == "" || reqprefix == "auto" {
		reqprefix = "0"
	}
	if reqprefix != "no" {
		noteReqPrefix(reqprefix, notes)
		words = append(words, "-P"+reqprefix)
	}
	return words
}

// noteReqPrefix says what happens to a reqprefix length outside the
// 0-64 that the handlers declare ('reqprefix:or("auto","no",range(0,
// 64))'). netifd does not enforce that declaration: handler.c
// (netifd_handler_parse_config) keeps the text after ':' only to publish
// it in "ubus call network get_proto_handlers", for LuCI to check its
// forms; the value reaches odhcp6c as written, and odhcp6c keeps the
// length in 8 bits.
func noteReqPrefix(v string, notes *[]string) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n <= 64 {
		return
	}
	msg := fmt.Sprintf("reqprefix '%s' is outside the 0-64 LuCI accepts; netifd does not enforce that range and passes -P%s", v, v)
	kept := uint8(n)
	if uint64(kept) != n {
		msg += fmt.Sprintf(", and odhcp6c keeps the length in 8 bits (%d)", kept)
	}
	switch {
	case kept == 0:
		msg += ": it asks for a prefix with no length hint"
	case kept <= 128:
		msg += fmt.Sprintf(": it asks for a /%d", kept)
	}
	*notes = append(*notes, msg)
}
