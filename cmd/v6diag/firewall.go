package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/v6diag/v6diag/firewall"
	"github.com/v6diag/v6diag/hostinfo"
)

// defaultFirewallConfig is where OpenWrt keeps the firewall's config.
const defaultFirewallConfig = "/etc/config/firewall"

// readRouterFirewall reads the router's firewall for the analysis to judge
// the server's answers against (diag/checks_firewall.go): the loaded
// ruleset (nft or ip6tables-save, bounded in time and size) and the config
// at configPath, with the network config's interfaces on the WAN device
// for the zones. The note says what was judged with, for the report.
func readRouterFirewall(ctx context.Context, configPath string, nc netConfig, dev string) (*firewall.Firewall, string) {
	var networks []string
	if nc.file != nil {
		networks = nc.file.InterfacesOn(dev)
	}
	src := hostinfo.ReadFirewall(ctx, os.ReadFile, configPath, networks,
		hostinfo.ExecRunner)
	fw, err := firewall.Load(src)
	switch {
	case err != nil || fw.Empty():
		return fw, fmt.Sprintf("firewall: not read (%s); the server's answers are not judged against it", strings.Join(fw.Notes, "; "))
	case fw.Live != nil:
		return fw, fmt.Sprintf("firewall: the server's answers are judged against the loaded ruleset (%s)", fw.Live.Kind())
	}
	return fw, fmt.Sprintf("firewall: the loaded ruleset could not be read (%s); the server's answers are judged against %s", strings.Join(fw.Notes, "; "), configPath)
}
