// Command testisp runs the scriptable test ISP of v6diag's end-to-end
// tests on one interface (normally inside the testbed's ISP namespace):
//
//	testisp -i IFACE -scenario FILE.json -log FILE.jsonl
//
// It runs until SIGTERM or SIGINT. See package internal/testtools/testisp.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/v6diag/v6diag/internal/testtools/testisp"
)

func main() {
	ifname := flag.String("i", "", "interface to serve")
	scenario := flag.String("scenario", "", "scenario JSON file")
	logPath := flag.String("log", "", "JSON-lines log file (default stdout)")
	flag.Parse()
	if *ifname == "" || *scenario == "" {
		fmt.Fprintln(os.Stderr, "usage: testisp -i IFACE -scenario FILE [-log FILE]")
		os.Exit(2)
	}
	if err := run(*ifname, *scenario, *logPath); err != nil {
		fmt.Fprintln(os.Stderr, "testisp:", err)
		os.Exit(1)
	}
}

func run(ifname, scenarioPath, logPath string) error {
	sc, err := testisp.ReadScenario(scenarioPath)
	if err != nil {
		return err
	}
	out := os.Stdout
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return testisp.Run(ctx, ifname, sc, out)
}
