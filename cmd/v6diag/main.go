// Command v6diag tells an OpenWrt user why native IPv6 does not come up on
// the WAN, and writes a report they can attach to a ticket with their ISP.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit statuses are part of the interface: scripts branch on them.
const (
	exitOK      = 0 // verdict ok
	exitProblem = 1 // a problem was found
	exitCannot  = 2 // the tool could not run
)

// usageError is a mistake on the command line: exit 2 with the usage hint.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// cannotRun is a failure before any verdict: exit 2 with a line that says
// what to do.
type cannotRun struct {
	err  error
	hint string
}

func (e cannotRun) Error() string {
	if e.hint == "" {
		return e.err.Error()
	}
	return e.err.Error() + ": " + e.hint
}

func (e cannotRun) Unwrap() error { return e.err }

const topUsage = `v6diag — why does native IPv6 not work on this WAN?

Usage:
  v6diag run [flags]            send RS and DHCPv6 on the WAN, capture, diagnose (as root)
  v6diag analyze [flags] FILE   diagnose an existing pcap or pcapng capture
  v6diag config --from report.json [--config FILE]
                                print the suggested change to a network config
  v6diag version                print the version and the OpenWrt package
                                architecture this binary is for
  v6diag help [COMMAND]         show help

Each run writes report.txt, .json, .md and .html, capture.pcapng and
report.tar.gz (all of them, ready to attach; --redact for a public forum)
into its output folder (a new folder under /tmp unless --out is given), and, when a change
of the network config (--config) would help, network.suggested and
network.diff.

Exit status: 0 verdict ok, 1 a problem was found, 2 v6diag could not run.
Run 'v6diag COMMAND --help' for the flags of a command.
`

func main() {
	limitMemory()
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	writeCounts()
	os.Exit(code)
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return exitCannot
	}
	var (
		code int
		err  error
	)
	switch args[0] {
	case "run":
		code, err = cmdRun(args[1:], stdout, stderr)
	case "analyze", "analyse":
		code, err = cmdAnalyze(args[1:], stdout, stderr)
	case "config":
		code, err = cmdConfig(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "v6diag %s\n%s\n", version, buildArch(packageArch, debug.ReadBuildInfo))
		return exitOK
	case "help", "-h", "--help", "-help":
		if len(args) > 1 {
			switch args[1] {
			case "run", "analyze", "analyse", "config":
				return run([]string{args[1], "--help"}, stdout, stderr)
			case "help", "-h", "--help", "-help", "version", "--version", "-version":
				// Not recursed into: `help help` would call itself forever.
			default:
				fmt.Fprintf(stderr, "v6diag help: unknown command %q (run 'v6diag help' for the list)\n", args[1])
				return exitCannot
			}
		}
		fmt.Fprint(stdout, topUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "v6diag: unknown command %q (run 'v6diag help' for the list)\n", args[0])
		return exitCannot
	}
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "v6diag %s: %s (see 'v6diag %s --help')\n", args[0], ue.msg, args[0])
		} else {
			fmt.Fprintf(stderr, "v6diag %s: %v\n", args[0], err)
		}
		return exitCannot
	}
	return code
}
