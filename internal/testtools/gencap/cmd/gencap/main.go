// Command gencap writes a synthetic capture for benchmarks (see package
// gencap): scripts/bench-analyze.sh runs it.
//
//	go run ./internal/testtools/gencap/cmd/gencap -frames 1000000 -o /tmp/big.pcap
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/v6diag/v6diag/internal/testtools/gencap"
)

func main() {
	var (
		cfg gencap.Config
		out string
	)
	flag.IntVar(&cfg.Frames, "frames", 1_000_000, "number of frames")
	flag.IntVar(&cfg.ControlEvery, "every", 500, "one RA or DHCPv6 message every `N` frames")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "seed of the ordinary traffic's mix")
	flag.StringVar(&out, "o", "", "output `file` (pcap)")
	flag.Parse()
	if out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gencap [-frames N] [-every N] [-seed S] -o FILE")
		os.Exit(2)
	}
	f, err := os.Create(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencap:", err)
		os.Exit(1)
	}
	st, err := gencap.Write(f, cfg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencap:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d frames, %d bytes, %d RAs, %d DHCPv6 messages (%d complete exchanges)\n",
		out, st.Frames, st.Bytes, st.RAs, st.DHCPv6, st.Exchanges)
}
