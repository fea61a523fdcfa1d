package hostinfo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/v6diag/v6diag/internal/jsonlite"
)

// RouterState is what the router itself holds about its WAN while v6diag
// runs: netifd's view of the interfaces that run the WAN's clients (what
// `ifstatus wan6`, i.e. `ubus call network.interface.wan6 status`, shows)
// and the last lines odhcp6c logged. An ISP engineer compares it with
// v6diag's own exchange: the router's client may hold a lease, or fail,
// where v6diag did not.
type RouterState struct {
	// Interfaces are netifd's status of each interface asked for that
	// netifd knows, in the order asked.
	Interfaces []NetifdInterface
	// Odhcp6cLog is the last lines of the system log from odhcp6c (or,
	// on OpenWrt 25 and later, netifd's lines for a DHCPv6 interface,
	// which carry odhcp6c's messages), oldest first.
	Odhcp6cLog []string
	// Notes say what could not be read, and why: not OpenWrt, no
	// permission, an interface netifd does not know.
	Notes []string
}

// NetifdInterface is one interface as netifd reports it (netifd's
// interface.c, interface_dump_status). Addresses are kept as netifd's
// text: the report shows what the router said, even where that is not an
// address (a status pasted with its addresses hidden says
// "<hidden for privacy>").
type NetifdInterface struct {
	Name      string
	Up        bool
	Pending   bool // setting up: the proto has not reported back yet
	Available bool // its device exists
	Autostart bool
	Dynamic   bool // created by another interface (wan_6 by a PPP wan)
	// UptimeSeconds is how long it has been up; 0 when down.
	UptimeSeconds int64
	Proto         string
	Device        string
	L3Device      string
	IPv4Addresses []NetifdAddress
	IPv6Addresses []NetifdAddress
	IPv6Prefixes  []NetifdPrefix // delegated to this router
	Routes        []NetifdRoute
	DNSServers    []string
	DNSSearch     []string
	Errors        []NetifdError
	// Data is the proto's own data (dhcpv6: passthru, the options
	// odhcp6c passes on; dhcp: leasetime; ppp: …), each value as its
	// JSON text, strings unquoted.
	Data []KeyValue
}

// NetifdAddress is an address with its prefix length. Preferred and
// Valid are the seconds left; nil when netifd gives none (no expiry).
type NetifdAddress struct {
	Address   string
	Mask      int
	Preferred *int64
	Valid     *int64
}

// NetifdPrefix is a delegated prefix and where netifd assigned parts of
// it (lan's /64 of a delegated /56).
type NetifdPrefix struct {
	NetifdAddress
	Class    string
	Assigned []PrefixAssignment
}

// PrefixAssignment is one part of a delegated prefix given to an
// interface.
type PrefixAssignment struct {
	Interface string
	Address   string
	Mask      int
}

// NetifdRoute is a route netifd installed for the interface.
type NetifdRoute struct {
	Target  string
	Mask    int
	Nexthop string
	Metric  *int64
	Valid   *int64
	Source  string
}

// NetifdError is an error a proto handler reported (proto_notify_error
// in netifd-proto.sh: e.g. dhcpv6 NO_DEVICE).
type NetifdError struct {
	Subsystem string
	Code      string
	Data      []string
}

// KeyValue is one member of a proto's data.
type KeyValue struct {
	Key   string
	Value string
}

// netifdStatus is the JSON netifd writes, read with jsonlite.
type netifdStatus struct {
	Up        bool            `json:"up"`
	Pending   bool            `json:"pending"`
	Available bool            `json:"available"`
	Autostart bool            `json:"autostart"`
	Dynamic   bool            `json:"dynamic"`
	Uptime    int64           `json:"uptime"`
	L3Device  string          `json:"l3_device"`
	Proto     string          `json:"proto"`
	Device    string          `json:"device"`
	IPv4      []netifdAddr    `json:"ipv4-address"`
	IPv6      []netifdAddr    `json:"ipv6-address"`
	Prefixes  []netifdPrefix  `json:"ipv6-prefix"`
	Routes    []NetifdRoute   `json:"route"`
	DNS       []string        `json:"dns-server"`
	Search    []string        `json:"dns-search"`
	Errors    []NetifdError   `json:"errors"`
	Data      jsonlite.Object `json:"data"`
}

type netifdAddr struct {
	Address   string `json:"address"`
	Mask      int    `json:"mask"`
	Preferred *int64 `json:"preferred"`
	Valid     *int64 `json:"valid"`
}

type netifdPrefix struct {
	netifdAddr
	Class    string          `json:"class"`
	Assigned jsonlite.Object `json:"assigned"`
}

// ParseNetifdStatus reads what `ubus call network.interface.NAME status`
// (or `ifstatus NAME`) prints.
func ParseNetifdStatus(name string, b []byte) (NetifdInterface, error) {
	var s netifdStatus
	if err := jsonlite.Unmarshal(b, &s); err != nil {
		return NetifdInterface{}, fmt.Errorf("hostinfo: netifd status of %s: %w", name, err)
	}
	i := NetifdInterface{Name: name, Up: s.Up, Pending: s.Pending, Available: s.Available, Autostart: s.Autostart,
		Dynamic: s.Dynamic, UptimeSeconds: s.Uptime, Proto: s.Proto, Device: s.Device, L3Device: s.L3Device,
		Routes: s.Routes, DNSServers: s.DNS, DNSSearch: s.Search, Errors: s.Errors}
	for _, a := range s.IPv4 {
		i.IPv4Addresses = append(i.IPv4Addresses, NetifdAddress(a))
	}
	for _, a := range s.IPv6 {
		i.IPv6Addresses = append(i.IPv6Addresses, NetifdAddress(a))
	}
	for _, p := range s.Prefixes {
		np := NetifdPrefix{NetifdAddress: NetifdAddress(p.netifdAddr), Class: p.Class}
		for _, m := range p.Assigned {
			var a netifdAddr
			if err := jsonlite.Unmarshal(m.Value, &a); err != nil {
				return NetifdInterface{}, fmt.Errorf("hostinfo: netifd status of %s: prefix %s assigned to %s: %w", name, p.Address, m.Key, err)
			}
			np.Assigned = append(np.Assigned, PrefixAssignment{Interface: m.Key, Address: a.Address, Mask: a.Mask})
		}
		i.IPv6Prefixes = append(i.IPv6Prefixes, np)
	}
	for _, m := range s.Data {
		v := m.Value.Compact()
		var str string
		if strings.HasPrefix(v, `"`) && jsonlite.Unmarshal(m.Value, &str) == nil {
			v = str
		}
		i.Data = append(i.Data, KeyValue{Key: m.Key, Value: v})
	}
	return i, nil
}

// maxLogLines is how many of odhcp6c's last log lines the report keeps:
// enough for a Solicit to Reply exchange and its renewals, little enough
// to read.
const maxLogLines = 30

// Odhcp6cLines picks odhcp6c's lines out of logread's output, the last
// max of them: lines of odhcp6c itself, and lines netifd logs for one of
// the DHCPv6 interfaces ("netifd: wan6 (1234): …"), which is how OpenWrt
// 25 logs odhcp6c's output.
func Odhcp6cLines(logread []byte, dhcpv6Ifaces []string, max int) []string {
	var out []string
	for _, l := range strings.Split(string(logread), "\n") {
		l = strings.TrimRight(l, "\r")
		keep := strings.Contains(l, "odhcp6c[") || strings.Contains(l, "odhcp6c:")
		for _, name := range dhcpv6Ifaces {
			keep = keep || strings.Contains(l, "netifd: "+name+" (")
		}
		if keep {
			out = append(out, l)
		}
	}
	if len(out) > max {
		out = out[len(out)-max:]
	}
	return out
}

// Runner runs a command and returns its standard output; errors carry
// what it printed on standard error. ExecRunner is the real one.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// LookPath says whether a command exists (exec.LookPath in production).
type LookPath func(name string) bool

// ReadRouterState asks netifd for each interface in ifaces (through ubus,
// else the ifstatus script) and the system log for odhcp6c's last lines;
// dhcpv6Ifaces are those of ifaces that run odhcp6c. What cannot be read
// becomes a note: on a machine that is not OpenWrt, without permission,
// or when netifd does not know an interface, the report says so and goes
// on.
func ReadRouterState(ctx context.Context, run Runner, has LookPath, ifaces, dhcpv6Ifaces []string) RouterState {
	var st RouterState
	if !has("ubus") && !has("ifstatus") && !has("logread") {
		st.Notes = append(st.Notes, "router state: no ubus, ifstatus or logread here (not OpenWrt, or not its shell): netifd's view of the WAN and odhcp6c's log are not in this report")
		return st
	}
	status := func(name string) ([]byte, error) {
		switch {
		case has("ubus"):
			return run(ctx, "ubus", "call", "network.interface."+name, "status")
		case has("ifstatus"):
			return run(ctx, "ifstatus", name)
		}
		return nil, errNoUbus
	}
	for _, name := range ifaces {
		b, err := status(name)
		if errors.Is(err, errNoUbus) {
			st.Notes = append(st.Notes, "router state: no ubus or ifstatus here (not OpenWrt, or not its shell): netifd's view of the WAN is not in this report")
			break
		}
		if err != nil {
			st.Notes = append(st.Notes, fmt.Sprintf("router state: netifd's status of %s not read: %v", name, err))
			continue
		}
		i, err := ParseNetifdStatus(name, b)
		if err != nil {
			st.Notes = append(st.Notes, "router state: "+err.Error())
			continue
		}
		st.Interfaces = append(st.Interfaces, i)
	}
	if !has("logread") {
		st.Notes = append(st.Notes, "router state: no logread here: odhcp6c's log is not in this report")
		return st
	}
	b, err := run(ctx, "logread")
	if err != nil {
		st.Notes = append(st.Notes, fmt.Sprintf("router state: the system log not read: %v", err))
		return st
	}
	st.Odhcp6cLog = Odhcp6cLines(b, dhcpv6Ifaces, maxLogLines)
	if len(st.Odhcp6cLog) == 0 {
		st.Notes = append(st.Notes, "router state: the system log holds no line of odhcp6c (the router's DHCPv6 client has not run since the log began, or logs elsewhere)")
	}
	return st
}

var errNoUbus = errors.New("no ubus")
