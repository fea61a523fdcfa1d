package uciconfig

import "strings"

// Interface is one named "config interface" section of
// /etc/config/network: a logical network that netifd brings up with a
// protocol handler on a device.
type Interface struct {
	// Name is the section name, e.g. "wan", "wan6", "lan".
	Name string
	// Proto is the protocol handler: "dhcp", "dhcpv6", "pppoe", "static"...
	Proto string
	// Device is the 'device' option (OpenWrt 21.02 and later) or, when that
	// is absent, the 'ifname' option of older releases, as written: a Linux
	// device ("eth0.2", "wan", "br-lan"), an alias of another interface
	// ("@wan"), or before 21.02 a space-separated list of bridge ports.
	Device string
	// Section is the interface's section (the last one, if the name is
	// repeated).
	Section *Section
}

// protoDevicePrefix lists the protocol handlers that create their own
// Linux device, named prefix + interface name by their netifd scripts
// (ppp.sh: "${proto}-${config}"; 6in4.sh: "6in4-$cfg"; dslite.sh:
// "ds-$cfg"; ...). Such an interface's IPv6 traffic runs on that device,
// not on the one its 'device' option names.
var protoDevicePrefix = map[string]string{
	"pppoe":  "pppoe-",
	"pppoa":  "pppoa-",
	"pptp":   "pptp-",
	"l2tp":   "l2tp-",
	"ppp":    "ppp-",
	"3g":     "3g-",
	"6in4":   "6in4-",
	"6rd":    "6rd-",
	"6to4":   "6to4-",
	"dslite": "ds-",
	"map":    "map-",
}

// Interfaces returns the named interface sections in file order, one per
// name: as libuci does, a repeated section name merges into one interface
// whose later options win.
func (f *File) Interfaces() []Interface {
	var out []Interface
	seen := make(map[string]bool)
	for _, s := range f.sections {
		if s.Type != "interface" || s.Name == "" || seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		out = append(out, Interface{
			Name:    s.Name,
			Proto:   f.option(s.Name, "proto"),
			Device:  f.device(s.Name),
			Section: f.Section(s.Name),
		})
	}
	return out
}

// WANDevice returns the Linux device that carries the WAN's IPv6 traffic
// and the interface it was found through: "wan6" if it exists and is not
// disabled, else "wan". It follows what netifd would do:
//   - an "@wan" alias (wan6 on OpenWrt's default config) resolves to the
//     device of the interface it names;
//   - protocols that make their own device name it after the interface:
//     proto pppoe on "wan" is "pppoe-wan", whatever 'device' says;
//   - 'device' (21.02+, "wan" or "eth0.2" or an 802.1Q "eth0.7" from a
//     "config device" section of type 8021q) and the older 'ifname'
//     ("eth0.2" on swconfig releases) both name a Linux device;
//   - a pre-21.02 interface with "option type 'bridge'" is "br-NAME".
//
// ok is false when neither interface exists or names a device.
func (f *File) WANDevice() (device string, iface string, ok bool) {
	for _, name := range []string{"wan6", "wan"} {
		if !f.isInterface(name) || f.disabled(name) {
			continue
		}
		if dev, ok := f.l3Device(name, 0); ok {
			return dev, name, true
		}
	}
	return "", "", false
}

// l3Device resolves the device of interface name; depth bounds a chain
// of aliases, which a broken config can make circular.
func (f *File) l3Device(name string, depth int) (string, bool) {
	const maxAliasDepth = 8
	if depth > maxAliasDepth || !f.isInterface(name) {
		return "", false
	}
	proto := f.option(name, "proto")
	if prefix, ok := protoDevicePrefix[proto]; ok {
		return prefix + name, true
	}
	if proto == "wireguard" {
		return name, true
	}
	dev := strings.TrimSpace(f.device(name))
	if alias, ok := strings.CutPrefix(dev, "@"); ok {
		return f.l3Device(alias, depth+1)
	}
	if f.option(name, "type") == "bridge" {
		return "br-" + name, true
	}
	// An 802.1Q device ("config device" with type 8021q) is named by its
	// 'name' option, which is what 'device' refers to; the name is the
	// Linux device, so it needs no translation.
	if fields := strings.Fields(dev); len(fields) > 0 {
		return fields[0], true
	}
	return "", false
}

// DHCPv6ClientID returns the DHCPv6 client identifier (a DUID, RFC 8415
// section 11, as hex digits as written in the config) that odhcp6c is
// told to send: the 'clientid' option of a proto dhcpv6 interface (wan6
// first, then wan, then the others in file order), or else the
// dhcp_default_duid option of the first "config globals" section, which
// netifd's dhcpv6.sh falls back to. ok is false when neither is set, and
// odhcp6c makes its own DUID from a MAC address.
func (f *File) DHCPv6ClientID() (duidHex string, ok bool) {
	names := []string{"wan6", "wan"}
	for _, i := range f.Interfaces() {
		names = append(names, i.Name)
	}
	for _, name := range names {
		if !f.isInterface(name) || f.disabled(name) || f.option(name, "proto") != "dhcpv6" {
			continue
		}
		if id := strings.TrimSpace(f.option(name, "clientid")); id != "" {
			return id, true
		}
	}
	for _, s := range f.sections {
		if s.Type != "globals" {
			continue
		}
		if id, _ := s.Option("dhcp_default_duid"); strings.TrimSpace(id) != "" {
			return strings.TrimSpace(id), true
		}
		break
	}
	return "", false
}

// option looks up a plain option across every section named name, the
// later ones winning, as libuci merges repeated section names.
func (f *File) option(name, opt string) string {
	var v string
	for _, s := range f.sections {
		if s.Name != name {
			continue
		}
		if w, ok := s.Option(opt); ok {
			v = w
		}
	}
	return v
}

// device is an interface's 'device' option, or its 'ifname' option on
// releases before 21.02.
func (f *File) device(name string) string {
	if d := f.option(name, "device"); d != "" {
		return d
	}
	return f.option(name, "ifname")
}

func (f *File) isInterface(name string) bool {
	s := f.Section(name)
	return s != nil && s.Type == "interface"
}

// disabled reads netifd's 'disabled' boolean the way UCI booleans are
// read: 1, yes, on, true and enabled are true.
func (f *File) disabled(name string) bool {
	switch strings.ToLower(f.option(name, "disabled")) {
	case "1", "yes", "on", "true", "enabled":
		return true
	}
	return false
}
