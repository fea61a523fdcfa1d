package main

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/odhcp6c"
)

// netifdDefaults are the arguments netifd gives odhcp6c for a dhcpv6
// interface with no options set: reqprefix 'auto' (-P0) and soltimeout
// 120 (-t120), nothing else (/lib/netifd/proto/dhcpv6.sh).
func netifdDefaults() odhcp6c.Args {
	return odhcp6c.Args{Prefixes: []odhcp6c.PrefixRequest{{Length: 0, IAID: [4]byte{0, 0, 0, 1}}}, SolicitMaxRT: 120}
}

// routerClientFacts says which DHCPv6 client the router runs on its WAN:
// odhcp6c with the arguments netifd derives from the network config, or
// netifd's defaults when there is no config or no dhcpv6 interface in it.
// ifname is the WAN device odhcp6c runs on.
func routerClientFacts(nc netConfig, ifname string, root fs.FS) *diag.RouterClientFacts {
	rc := &diag.RouterClientFacts{Args: netifdDefaults(), Source: "netifd defaults",
		Host: odhcp6c.Host{IfName: ifname, HostName: hostName(root)}}
	if nc.file != nil {
		mapped := netifdMapping(nc, root)
		rc.Args, rc.Source, rc.Notes = mapped.args, mapped.source, mapped.notes
		if mapped.device != "" && ifname == "" {
			rc.Host.IfName = mapped.device
		}
	}
	rc.ArgsText = rc.Args.String()
	return rc
}

// clientArgsFacts is the router client given by hand (--client-args).
func clientArgsFacts(text string) (*diag.RouterClientFacts, error) {
	a, err := parseClientArgs(text)
	if err != nil {
		return nil, usageError{fmt.Sprintf("--client-args %q: %v", text, err)}
	}
	return &diag.RouterClientFacts{Args: a, ArgsText: a.String(), Source: "--client-args"}, nil
}

// mappedClient is what netifd's mapping gives for the config.
type mappedClient struct {
	args           odhcp6c.Args
	source, device string
	notes          []string
}

// hostName is what odhcp6c puts in its Client FQDN: the kernel's host name
// (gethostname); empty when it cannot be read.
func hostName(root fs.FS) string {
	b, err := fs.ReadFile(root, "proc/sys/kernel/hostname")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
