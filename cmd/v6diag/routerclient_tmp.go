package main

// TEMPORARY until the netifd mapping (uciconfig) and odhcp6c.ParseArgs
// land from the issue10-netifd branch.

import (
	"errors"
	"io/fs"

	"github.com/v6diag/v6diag/odhcp6c"
)

func netifdMapping(nc netConfig, _ fs.FS) mappedClient {
	return mappedClient{args: netifdDefaults(), source: "netifd defaults", notes: []string{"netifd mapping not wired yet"}}
}

func parseClientArgs(text string) (odhcp6c.Args, error) {
	return odhcp6c.Args{}, errors.New("not wired yet")
}
