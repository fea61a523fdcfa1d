package main

import (
	"context"

	"github.com/v6diag/v6diag/hostinfo"
)

// readRouterState reads, at the end of a live run, what the router's own
// clients hold: netifd's status of the interfaces the network config says
// run the WAN's clients, and odhcp6c's last log lines. Where the commands
// are missing or refuse, the report gets a note instead.
func readRouterState(nc netConfig) *hostinfo.RouterState {
	all, dhcpv6 := nc.file.WANClientInterfaces()
	st := hostinfo.ReadRouterState(context.Background(), hostinfo.ExecRunner, hostinfo.ExecLookPath, all, dhcpv6)
	return &st
}
