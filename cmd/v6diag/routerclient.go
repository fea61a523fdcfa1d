package main

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/hostinfo"
	"github.com/v6diag/v6diag/odhcp6c"
	"github.com/v6diag/v6diag/uciconfig"
)

// routerClientFacts says which DHCPv6 client the router runs on its WAN:
// odhcp6c with the arguments netifd derives from the network config, or
// netifd's defaults when there is no config or no DHCPv6 client in it
// (then the router runs none, and the report says what the defaults would
// get). ifname is the WAN device v6diag runs on; "" offline.
func routerClientFacts(nc netConfig, ifname string, root fs.FS) *diag.RouterClientFacts {
	host := hostinfo.NetifdHost(root)
	var m uciconfig.RouterClient
	switch {
	case nc.file != nil && len(nc.file.Sections()) > 0:
		m = nc.file.RouterClient(nc.path, host)
	case nc.unreadable:
		m = uciconfig.NetifdDefaults(host)
		m.Notes = append(m.Notes, nc.note)
		m.Runs = true
	default:
		// No config to read (not on a router, or an empty file): assume
		// OpenWrt's own, whose wan6 runs netifd's defaults.
		m = uciconfig.NetifdDefaults(host)
		m.Notes = append(m.Notes, "no network config was read, so v6diag assumes OpenWrt's default wan6 (netifd's defaults)")
		m.Runs = true
	}
	rc := &diag.RouterClientFacts{Args: m.Args, ArgsText: m.Args.String(), Source: m.Source, Notes: m.Notes,
		Host: odhcp6c.Host{IfName: ifname, HostName: hostinfo.HostName(root)}}
	if rc.Host.IfName == "" {
		rc.Host.IfName = m.Device
	}
	if !m.Runs {
		rc.NotRunning = notRunningWhy(m)
	}
	return rc
}

// notRunningWhy is the mapping's reason the router runs no client, for
// the sentence "…, so the router runs no DHCPv6 client".
func notRunningWhy(m uciconfig.RouterClient) string {
	if len(m.Notes) == 0 {
		return "the network config starts no DHCPv6 client on the WAN"
	}
	why, _, _ := strings.Cut(m.Notes[len(m.Notes)-1], ";")
	return strings.TrimSuffix(why, ".")
}

// clientArgsFacts is the router client given by hand (--client-args).
func clientArgsFacts(text string) (*diag.RouterClientFacts, error) {
	a, iface, err := odhcp6c.ParseArgs(text)
	if err != nil {
		return nil, usageError{fmt.Sprintf("--client-args: %v", err)}
	}
	return &diag.RouterClientFacts{Args: a, ArgsText: a.String(), Source: "--client-args", Host: odhcp6c.Host{IfName: iface}}, nil
}
