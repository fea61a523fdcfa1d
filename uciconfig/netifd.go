package uciconfig

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/v6diag/v6diag/odhcp6c"
)

// DHCPv6Handler names the netifd protocol handler that turns a proto
// 'dhcpv6' interface into an odhcp6c command line. The two read some
// options differently (netifd_handler.go says where), so the mapping
// follows the one the router runs.
type DHCPv6Handler string

const (
	// HandlerShell is /lib/netifd/proto/dhcpv6.sh, the handler of every
	// OpenWrt release up to 25.12; the text modelled is 24.10's. netifd
	// converts the options to the types it declares (uci_to_blob in
	// libuci's blob.c) and the script starts odhcp6c with an unquoted
	// $opts, which the shell splits at white space.
	HandlerShell DHCPv6Handler = "dhcpv6.sh"
	// HandlerUcode is /lib/netifd/proto/dhcpv6.uc, which OpenWrt's main
	// branch moved to once netifd could run ucode protocol handlers
	// (netifd commit aaf5b19, "proto-ucode: add ucode protocol handler
	// infrastructure", February 2026; openwrt/openwrt PR 22751): it reads
	// the raw UCI values, parses booleans loosely, checks the client ID's
	// hex, and passes each argument as one word. No stable release ships
	// it yet, so it is chosen only when the router has it.
	HandlerUcode DHCPv6Handler = "dhcpv6.uc"
)

// HandlerForRelease returns the handler of an OpenWrt release as
// /etc/openwrt_release's DISTRIB_RELEASE names it ("24.10.1",
// "23.05.5"): HandlerShell for every numbered release up to 25.12. ok is
// false when the release says nothing about it ("SNAPSHOT", a later or
// unreadable version): then look for /lib/netifd/proto/dhcpv6.uc, or take
// the shell handler, the default.
func HandlerForRelease(distribRelease string) (h DHCPv6Handler, ok bool) {
	major, minor, found := strings.Cut(strings.TrimSpace(distribRelease), ".")
	y, err1 := strconv.Atoi(major)
	m, err2 := strconv.Atoi(strings.SplitN(minor, ".", 2)[0])
	if !found || err1 != nil || err2 != nil {
		return HandlerShell, false
	}
	if y < 25 || y == 25 && m <= 12 {
		return HandlerShell, true
	}
	return HandlerShell, false
}

// NetifdHost is what netifd's dhcpv6 handler reads from the router besides
// /etc/config/network. The caller reads the router; the mapping does no
// I/O.
type NetifdHost struct {
	// Handler is the dhcpv6 handler netifd runs; "" is HandlerShell.
	Handler DHCPv6Handler
	// DSLite is set when the dslite protocol handler is installed
	// (/lib/netifd/proto/dslite.sh), and MAP when map.sh is: the handler
	// then asks for the AFTR name (-r64) and the MAP containers (-r94
	// -r95 -r96), as "ubus call network get_proto_handlers" lists them.
	DSLite, MAP bool
}

func (h NetifdHost) handler() DHCPv6Handler {
	if h.Handler == "" {
		return HandlerShell
	}
	return h.Handler
}

// ScriptPath is the state script netifd gives odhcp6c with -s.
const ScriptPath = "/lib/netifd/dhcpv6.script"

// SourceDefaults is RouterClient.Source when no section gave the options.
const SourceDefaults = "netifd defaults"

// DefaultNetworkPath is where OpenWrt keeps the network config.
const DefaultNetworkPath = "/etc/config/network"

// RouterClient is the router's own DHCPv6 client on the WAN: the odhcp6c
// that netifd starts for the interface that runs it, with the arguments
// netifd derives from that interface's options.
type RouterClient struct {
	// Source is where the options come from: "PATH#SECTION", or
	// SourceDefaults when no section gave them (no config, no DHCPv6
	// interface, a PPP wan's automatic wan_6).
	Source string
	// Interface is the netifd interface: "wan6", or "wan_6" for the one a
	// PPP wan with ipv6 'auto' adds; "" when none runs.
	Interface string
	// Section is the UCI section the options come from; "" with
	// SourceDefaults.
	Section string
	// Device is the Linux device odhcp6c runs on ("wan", "eth0.2",
	// "pppoe-wan"); "" when the config does not say.
	Device string
	// Handler is the dhcpv6 handler that built the arguments.
	Handler DHCPv6Handler
	// Argv is the words netifd passes to odhcp6c between "-s ScriptPath"
	// and the device, exactly as the handler builds them.
	Argv []string
	// Args is Argv as odhcp6c reads it. When odhcp6c would refuse a
	// word, Args leaves that word out (and Runs is false).
	Args odhcp6c.Args
	// Runs is false when netifd starts no odhcp6c with Args with this
	// config: the interface is disabled or not started at boot, nothing
	// runs a DHCPv6 client on the WAN, or odhcp6c refuses Argv and exits.
	// Notes say which.
	Runs bool
	// Notes say what the reader should know: bad or ignored values, other
	// clients, why Runs is false.
	Notes []string
}

// CommandLine is the odhcp6c command line netifd runs, for a report.
func (rc RouterClient) CommandLine() string {
	words := append([]string{"odhcp6c", "-s", ScriptPath}, rc.Argv...)
	if rc.Device != "" {
		words = append(words, rc.Device)
	}
	return odhcp6c.JoinArgv(words)
}

func (rc *RouterClient) note(format string, args ...any) {
	rc.Notes = append(rc.Notes, fmt.Sprintf(format, args...))
}

// NetifdDefaults is the client netifd runs with no options of its own:
// "-P0 -t120", and what the installed dslite and map handlers add. It is
// what a PPP wan's automatic wan_6 runs, and the reading when there is no
// network config at all.
func NetifdDefaults(host NetifdHost) RouterClient { return defaultsWith(uciValue{}, host) }

// defaultsWith is NetifdDefaults with the globals section's
// dhcp_default_duid, which the handlers pass as -c to every client.
func defaultsWith(duid uciValue, host NetifdHost) RouterClient {
	rc := RouterClient{Source: SourceDefaults, Handler: host.handler(), Runs: true}
	rc.build(uciOptions{}, duid, host)
	return rc
}

// RouterClientFromConfig reads the network config at path (its bytes in
// config) and returns the router's DHCPv6 client. A file that does not
// parse gives netifd's defaults with a note saying why; it never fails.
func RouterClientFromConfig(path string, config []byte, host NetifdHost) RouterClient {
	f, err := Parse(config)
	if err != nil {
		rc := NetifdDefaults(host)
		rc.Runs = false
		rc.note("%s does not parse (%v); v6diag cannot tell what netifd runs and shows netifd's defaults", pathOrDefault(path), err)
		return rc
	}
	return f.RouterClient(path, host)
}

func pathOrDefault(path string) string {
	if path == "" {
		return DefaultNetworkPath
	}
	return path
}

// RouterClient returns the DHCPv6 client netifd runs on the WAN with this
// network config, read from path (for Source; "" means
// DefaultNetworkPath). It follows netifd: the interface with proto
// 'dhcpv6' on the WAN's device (device '@wan', the same device as wan,
// or wan itself), or a PPP wan's automatic wan_6 (ipv6 'auto', the
// default), with netifd's reading of 'disabled' and 'auto'. Several
// clients, none, or one netifd would not start are told in Notes.
func (f *File) RouterClient(path string, host NetifdHost) RouterClient {
	path = pathOrDefault(path)
	var notes []string
	chosen, others := f.wanClients(host, &notes)
	var rc RouterClient
	switch {
	case chosen != nil:
		rc = f.clientOf(path, chosen.Name, host)
		for _, o := range others {
			other := f.clientOf(path, o.Name, host)
			notes = append(notes, fmt.Sprintf("netifd also runs odhcp6c for %s on %s (%s); v6diag speaks for %s",
				o.Name, other.Device, odhcp6c.JoinArgv(other.Argv), chosen.Name))
		}
		if f.pppAutoClient(host) {
			notes = append(notes, fmt.Sprintf("wan's ipv6 'auto' also starts the automatic wan_6 with netifd's defaults on %s, a second DHCPv6 client beside %s", f.wanDevice(), chosen.Name))
		}
	case f.pppAutoClient(host):
		rc = defaultsWith(f.globalsDUID(), host)
		rc.Interface = "wan_6"
		rc.Device = f.wanDevice()
		notes = append(notes, fmt.Sprintf("wan is %s with ipv6 'auto': netifd adds the interface wan_6 on @wan, which runs odhcp6c with netifd's defaults", f.option("wan", "proto")))
	default:
		rc = defaultsWith(f.globalsDUID(), host)
		rc.Runs = false
		notes = append(notes, "no interface runs a DHCPv6 client on the WAN; the arguments shown are netifd's defaults, what a proto 'dhcpv6' interface without options runs")
	}
	rc.Notes = append(notes, rc.Notes...)
	return rc
}

// wanClients picks, among the interfaces with proto 'dhcpv6' that netifd
// brings up, the one that runs the WAN's client (wan6 first, then file
// order) and the others on the WAN, noting the ones it leaves out.
func (f *File) wanClients(host NetifdHost, notes *[]string) (chosen *Interface, others []Interface) {
	var onWAN, offWAN []Interface
	for _, i := range f.Interfaces() {
		if i.Proto != "dhcpv6" {
			continue
		}
		if f.netifdDisabled(i.Name, host, notes) {
			v, _ := f.values(i.Name).plain("disabled")
			*notes = append(*notes, fmt.Sprintf("%s has disabled '%s': netifd does not bring it up", i.Name, v))
			continue
		}
		if on, why := f.onWAN(i); on {
			if why != "" {
				*notes = append(*notes, why)
			}
			onWAN = append(onWAN, i)
		} else {
			offWAN = append(offWAN, i)
		}
	}
	if len(onWAN) == 0 {
		// A wan6 on another device is still the client the user meant.
		if i := slices.IndexFunc(offWAN, func(i Interface) bool { return i.Name == "wan6" }); i >= 0 {
			w6 := offWAN[i]
			*notes = append(*notes, fmt.Sprintf("wan6 runs on %s, not on wan's device %s", f.deviceName(w6.Name), f.wanDevice()))
			onWAN = append(onWAN, w6)
			offWAN = slices.Delete(offWAN, i, i+1)
		}
	}
	for _, i := range offWAN {
		*notes = append(*notes, fmt.Sprintf("%s (proto 'dhcpv6' on %s) is not on the WAN; v6diag leaves it out", i.Name, f.deviceName(i.Name)))
	}
	if len(onWAN) == 0 {
		return nil, nil
	}
	first := slices.IndexFunc(onWAN, func(i Interface) bool { return i.Name == "wan6" })
	if first < 0 {
		first = 0
	}
	c := onWAN[first]
	return &c, slices.Delete(onWAN, first, first+1)
}

// onWAN reports whether a dhcpv6 interface runs on the WAN: wan itself,
// "@wan", or wan's device; a client on the Ethernet device under a PPP
// wan counts, with a note, since that is where users put it by mistake.
func (f *File) onWAN(i Interface) (bool, string) {
	if !f.isInterface("wan") || i.Name == "wan" {
		return true, ""
	}
	dev := strings.TrimSpace(i.Device)
	if dev == "@wan" {
		return true, ""
	}
	wanL3, ok := f.l3Device("wan", 0)
	if mine, ok2 := f.l3Device(i.Name, 0); ok && ok2 && mine == wanL3 {
		return true, ""
	}
	if proto := f.option("wan", "proto"); pppProtos[proto] {
		if under := strings.Fields(f.device("wan")); len(under) > 0 && dev == under[0] {
			return true, fmt.Sprintf("%s runs on %s, the device under wan's %s session; DHCPv6 over PPP runs on %s ('@wan')", i.Name, dev, proto, wanL3)
		}
	}
	return false, ""
}

// pppAutoClient reports whether wan is a PPP protocol whose ipv6 option
// makes ppp6-up add the dynamic wan_6 (ppp.sh: "" and "auto"; "0" turns
// IPv6 off, anything else negotiates IPv6 without a client).
func (f *File) pppAutoClient(host NetifdHost) bool {
	if !f.isInterface("wan") || !pppProtos[f.option("wan", "proto")] || f.netifdDisabled("wan", host, nil) {
		return false
	}
	v := f.option("wan", "ipv6")
	return v == "" || v == "auto"
}

// wanDevice is the Linux device of wan, or "" when the config does not say.
func (f *File) wanDevice() string {
	d, _ := f.l3Device("wan", 0)
	return d
}

// deviceName is an interface's Linux device, or what its config names.
func (f *File) deviceName(name string) string {
	if d, ok := f.l3Device(name, 0); ok {
		return d
	}
	if d := strings.TrimSpace(f.device(name)); d != "" {
		return d
	}
	return "no device"
}

// netifdDisabled reads 'disabled' as netifd does (config.c,
// config_parse_interface): "1" disables; "true" only in the netifd that
// comes with the ucode handler (commit e97e36f of July 2026; older ones
// compare with "1" alone); anything else does not. A value netifd does
// not read as the user may have meant is noted in notes, when not nil.
func (f *File) netifdDisabled(name string, host NetifdHost, notes *[]string) bool {
	v, _ := f.values(name).plain("disabled")
	switch {
	case v == "1":
		return true
	case v == "true" && host.handler() == HandlerUcode:
		return true
	case v == "" || v == "0" || notes == nil:
		return false
	}
	*notes = append(*notes, fmt.Sprintf("%s has disabled '%s', which netifd does not read as disabled (only '1' is); it brings %s up", name, v, name))
	return false
}

// clientOf maps the interface name: its arguments and whether netifd
// starts it at boot.
func (f *File) clientOf(path, name string, host NetifdHost) RouterClient {
	rc := RouterClient{
		Source:    path + "#" + name,
		Interface: name,
		Section:   name,
		Handler:   host.handler(),
		Runs:      true,
	}
	rc.Device, _ = f.l3Device(name, 0)
	opts := f.values(name)
	rc.checkOptions(opts)
	rc.build(opts, f.globalsDUID(), host)
	// The interface attribute 'auto' is a boolean (uci_to_blob):
	// "0"/"false" keep netifd from starting it at boot.
	if v, ok := opts.plain("auto"); ok {
		switch b, known := blobBool(v); {
		case !known:
			rc.note("%s has auto '%s', which netifd does not read as a boolean ('0', '1', 'false', 'true'); it starts %s at boot", name, v, name)
		case !b:
			rc.Runs = false
			rc.note("%s has auto '%s': netifd starts it, and odhcp6c, only on 'ifup %s'", name, v, name)
		}
	}
	if alias, ok := strings.CutPrefix(strings.TrimSpace(f.device(name)), "@"); ok && f.isInterface(alias) && f.netifdDisabled(alias, host, nil) {
		rc.Runs, rc.Device = false, ""
		rc.note("%s runs on '@%s', which is disabled: it never gets a device, so odhcp6c does not start", name, alias)
	}
	return rc
}

// globalsDUID is the dhcp_default_duid of @globals[0], which both
// handlers use when an interface has no client ID.
func (f *File) globalsDUID() uciValue {
	for _, s := range f.sections {
		if s.Type == "globals" {
			return f.sectionValues(s)["dhcp_default_duid"]
		}
	}
	return uciValue{}
}

// build turns an interface's options into Argv and Args with the host's
// handler. A word odhcp6c refuses makes it exit at once: Runs is false,
// and Args leave the word out, so they show what fixing it would run.
func (rc *RouterClient) build(opts uciOptions, duid uciValue, host NetifdHost) {
	var notes []string
	rc.Argv = handlerArgv(rc.Handler, opts, duid, host, &notes)
	rc.Notes = append(rc.Notes, notes...)
	argv := slices.Clone(rc.Argv)
	for range len(rc.Argv) + 1 {
		args, iface, err := odhcp6c.ParseArgv(argv)
		var ae *odhcp6c.ArgError
		if err != nil && !errors.As(err, &ae) {
			rc.Runs = false
			rc.note("%v", err)
			return
		}
		if ae != nil {
			if errors.Is(err, odhcp6c.ErrRefused) {
				rc.Runs = false
				rc.note("odhcp6c refuses %s (%s) and exits: netifd runs no DHCPv6 client", ae.Arg, ae.Reason)
			} else {
				rc.note("v6diag leaves out %s: %s", ae.Arg, ae.Reason)
			}
			argv = slices.Delete(argv, ae.Word, ae.Word+ae.Words)
			continue
		}
		rc.Args = args
		if iface != "" {
			rc.Runs = false
			rc.note("odhcp6c takes %q, a stray word of the arguments, as its interface instead of the device and fails to start", iface)
		}
		for _, w := range args.Warnings() {
			rc.note("%s", w)
		}
		return
	}
}

// knownInterfaceOptions are the options netifd reads from an interface
// section besides its protocol's: the interface attributes (interface.c,
// iface_attrs), the device ones an interface may carry (device.c,
// dev_attrs), the static addressing ones (proto.c, proto_ip_attributes),
// and 'disabled' (config.c).
var knownInterfaceOptions = []string{
	"device", "proto", "ifname", "auto", "zone", "jail", "jail_device", "jail_ifname", "host_device",
	"defaultroute", "peerdns", "metric", "dns", "renew", "dns_search", "dns_metric", "interface",
	"ip6assign", "ip6hint", "ip4table", "ip6table", "ip6class", "delegate", "ip6ifaceid", "force_link",
	"ip6weight", "tags", "carrier_loss_delay", "disabled",
	"type", "mtu", "mtu6", "macaddr", "txqueuelen", "enabled", "ipv6", "ip6segmentrouting", "promisc",
	"rpfilter", "acceptlocal", "igmpversion", "mldversion", "neighreachabletime", "neighgcstaletime",
	"dadtransmits", "multicast_to_unicast", "multicast_router", "multicast_fast_leave", "multicast",
	"learning", "unicast_flood", "sendredirects", "neighlocktime", "isolate",
	"ipaddr", "ip6addr", "netmask", "broadcast", "ptpaddr", "gateway", "ip6gw", "ip6prefix", "ip6deprecated",
}

// dhcpv6Options are the options either dhcpv6 handler reads.
var dhcpv6Options = []string{
	"reqaddress", "reqprefix", "clientid", "reqopts", "defaultreqopts", "noslaaconly", "forceprefix",
	"extendprefix", "norelease", "strict_rfc7550", "noserverunicast", "noclientfqdn", "noacceptreconfig",
	"ip6prefix", "iface_dslite", "zone_dslite", "encaplimit_dslite", "mtu_dslite", "iface_map", "zone_map",
	"encaplimit_map", "iface_464xlat", "zone_464xlat", "zone", "ip6ifaceid", "ifaceid", "userclass",
	"vendorclass", "sendopts", "delegate", "skpriority", "soltimeout", "fakeroutes", "sourcefilter",
	"keep_ra_dnslifetime", "ra_holdoff", "verbose", "dynamic",
}

// checkOptions notes the options of a dhcpv6 interface that netifd does
// not know: a typo such as 'reqprefx' does nothing, silently, on the
// router.
func (rc *RouterClient) checkOptions(opts uciOptions) {
	for _, name := range opts.order {
		if !slices.Contains(dhcpv6Options, name) && !slices.Contains(knownInterfaceOptions, name) {
			rc.note("netifd knows no option '%s' on a dhcpv6 interface; it does nothing", name)
		}
	}
}
