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

// shellFlags are dhcpv6.sh's boolean options that it declares as strings
// ('noclientfqdn:bool') and so compares with "1" as written: 'true' or
// 'yes' there does nothing.
var shellFlags = []struct{ option, flag string }{
	{"noslaaconly", "-S"}, {"forceprefix", "-F"}, {"norelease", "-k"},
	{"noserverunicast", "-U"}, {"noclientfqdn", "-f"}, {"noacceptreconfig", "-a"},
}

// shellArgv builds the words OpenWrt 24.10's /lib/netifd/proto/dhcpv6.sh
// passes to odhcp6c (proto_dhcpv6_setup), from the options netifd hands it
// after uci_to_blob: its string options as written (a list there is
// dropped), its booleans and integers converted (a value that does not
// convert is dropped), its arrays split at spaces and tabs. The script
// appends everything to one string and starts odhcp6c with it unquoted,
// so the shell splits it at white space: a value with a space becomes two
// words.
func shellArgv(o uciOptions, duid uciValue, host NetifdHost, notes *[]string) []string {
	var opts []string
	add := func(w string) { opts = append(opts, w) }
	note := func(format string, args ...any) { *notes = append(*notes, fmt.Sprintf(format, args...)) }
	str := func(name string) string {
		v := o.get(name)
		if v.isList {
			note("%s is a list; netifd passes dhcpv6.sh a list option only as a plain value, so it does nothing", name)
			return ""
		}
		return v.value
	}
	boolean := func(name string) bool {
		v, ok := o.plain(name)
		b, known := blobBool(v)
		if ok && !known {
			note("%s '%s' does nothing: netifd reads only '1', 'true', '0' and 'false' there", name, v)
		}
		return b
	}
	integer := func(name string) (string, bool) {
		v, ok := o.plain(name)
		if !ok {
			return "", false
		}
		n, valid := blobInt(v)
		if !valid {
			note("%s '%s' does nothing: netifd drops a value that is not an integer", name, v)
			return "", false
		}
		return strconv.Itoa(int(n)), true
	}

	opts = addressAndPrefix(str("reqaddress"), str("reqprefix"), notes)
	clientID := str("clientid")
	if clientID == "" {
		clientID = duid.words()
	}
	if clientID != "" {
		add("-c" + clientID)
	}
	switch v := str("defaultreqopts"); v {
	case "", "1":
	case "0":
		add("-R")
	default:
		note("defaultreqopts '%s' does nothing: dhcpv6.sh compares it with '0'", v)
	}
	for _, fl := range shellFlags {
		switch v := str(fl.option); v {
		case "", "0":
		case "1":
			add(fl.flag)
		default:
			note("%s '%s' does nothing: dhcpv6.sh compares it with '1' (netifd passes the text as written)", fl.option, v)
		}
	}
	if _, ok := o.plain("strict_rfc7550"); ok {
		note("strict_rfc7550 does nothing with dhcpv6.sh; only the ucode handler passes --strict-rfc7550")
	}
	ifaceID := str("ip6ifaceid")
	if _, ok := o.plain("ifaceid"); ok && ifaceID == "" {
		note("ifaceid does nothing with dhcpv6.sh, which reads ip6ifaceid (odhcp6c's first-boot script renames the option)")
	}
	if ifaceID != "" {
		add("-i" + ifaceID)
	}
	if v := str("vendorclass"); v != "" {
		add("-V" + v)
	}
	if v := str("userclass"); v != "" {
		add("-u" + v)
	}
	if boolean("keep_ra_dnslifetime") {
		add("-L")
	}
	if n, ok := integer("skpriority"); ok {
		add("-K" + n)
	}
	if n, ok := integer("ra_holdoff"); ok {
		add("-m" + n)
	}
	if boolean("verbose") {
		add("-v")
	}
	for _, x := range blobArray(o.get("sendopts")) {
		add("-x" + x)
	}
	// "for opt in $reqopts": split at white space like $opts below.
	reqopts := strings.Join(append([]string{str("reqopts")}, protoOROs(host)...), " ")
	for _, r := range strings.FieldsFunc(reqopts, isIFS) {
		add("-r" + r)
	}
	timeout := "120"
	if n, ok := integer("soltimeout"); ok {
		timeout = n
	}
	add("-t" + timeout)

	argv := strings.FieldsFunc(strings.Join(opts, " "), isIFS)
	if len(argv) != len(opts) {
		note("dhcpv6.sh passes its options unquoted, so the shell splits a value with white space into several words")
	}
	for _, w := range argv {
		if strings.ContainsAny(w, "*?[") {
			note("the shell would also expand %q as a file name pattern; v6diag assumes it matches no file", w)
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
	var items []string
	if v.isList {
		items = v.list
	} else {
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

// ucodeFlags are dhcpv6.uc's boolean options in the order it writes them.
var ucodeFlags = []struct{ option, flag string }{
	{"noslaaconly", "-S"}, {"forceprefix", "-F"}, {"norelease", "-k"},
	{"strict_rfc7550", "--strict-rfc7550"}, {"noserverunicast", "-U"}, {"noclientfqdn", "-f"},
	{"noacceptreconfig", "-a"}, {"keep_ra_dnslifetime", "-L"},
}

// ucodeArgv builds the words of OpenWrt main's dhcpv6.uc (its setup
// function) from the raw UCI values (ctx.data): options as written, each
// argument one word, booleans through its bool(), the client IDs through
// its validate_hex, '*' for "no client ID of this section".
func ucodeArgv(o uciOptions, duid uciValue, host NetifdHost, notes *[]string) []string {
	var argv []string
	add := func(w string) { argv = append(argv, w) }
	note := func(format string, args ...any) { *notes = append(*notes, fmt.Sprintf(format, args...)) }
	// str is a plain value. The handler would write a list's text
	// representation into the argument; v6diag drops it instead, and says
	// so.
	str := func(name string) string {
		v := o.get(name)
		if v.isList {
			note("%s is a list where dhcpv6.uc expects one value; v6diag leaves it out", name)
			return ""
		}
		return v.value
	}

	argv = addressAndPrefix(str("reqaddress"), str("reqprefix"), notes)
	clientID := str("clientid")
	if clientID == "*" {
		clientID = ""
	} else if clientID != "" {
		hex, ok := ucodeHex(clientID)
		if !ok {
			note("clientid '%s' is not hex; dhcpv6.uc ignores it", clientID)
		}
		clientID = hex
	}
	if clientID == "" && duid.set {
		hex, ok := ucodeHex(duid.words())
		if !ok {
			note("globals' dhcp_default_duid '%s' is not hex; dhcpv6.uc ignores it", duid.words())
		}
		clientID = hex
	}
	if clientID != "" {
		add("-c" + clientID)
	}
	if v, ok := o.plain("defaultreqopts"); ok {
		if b, known := ucodeBool(v); known && !b {
			add("-R")
		} else if !known {
			note("defaultreqopts '%s' is not a boolean; dhcpv6.uc ignores it", v)
		}
	}
	for _, fl := range ucodeFlags {
		v, ok := o.plain(fl.option)
		if !ok {
			continue
		}
		switch b, known := ucodeBool(v); {
		case !known:
			note("%s '%s' is not a boolean; dhcpv6.uc ignores it", fl.option, v)
		case b:
			add(fl.flag)
		}
	}
	ifaceID := str("ip6ifaceid")
	if ifaceID == "" {
		ifaceID = str("ifaceid")
	}
	for _, opt := range []struct{ name, flag string }{
		{"", "-i"}, {"vendorclass", "-V"}, {"userclass", "-u"},
		{"skpriority", "-K"}, {"ra_holdoff", "-m"}, {"verbose", "-l"},
	} {
		v := ifaceID
		if opt.name != "" {
			v = str(opt.name)
		}
		if v != "" {
			add(opt.flag + v)
		}
	}
	// A plain sendopts is one -x, spaces and all; a list is one each.
	send := o.get("sendopts")
	items := send.list
	if !send.isList && send.set {
		items = []string{send.value}
		if strings.ContainsAny(send.value, " \t") {
			note("sendopts '%s' is one -x to dhcpv6.uc, spaces and all (dhcpv6.sh splits it); use a list for several options", send.value)
		}
	}
	for _, x := range items {
		if x != "" {
			add("-x" + x)
		}
	}
	// A plain reqopts splits at white space; a list's items stay whole
	// (odhcp6c's -r reads "23 24" as two codes anyway).
	req := o.get("reqopts")
	reqs := req.list
	if !req.isList {
		reqs = strings.FieldsFunc(req.value, func(r rune) bool { return r < 0x80 && cnum.IsSpace(byte(r)) })
	}
	for _, r := range append(reqs, protoOROs(host)...) {
		if r != "" {
			add("-r" + r)
		}
	}
	timeout := str("soltimeout")
	if timeout == "" {
		timeout = "120"
	}
	add("-t" + timeout)
	return argv
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
