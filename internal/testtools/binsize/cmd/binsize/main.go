// Command binsize prints what takes the room in a Go binary built without
// -s: file-backed sections, then the largest packages and symbols.
//
//	binsize [-top N] BINARY
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/v6diag/v6diag/internal/testtools/binsize"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "binsize:", err)
		os.Exit(1)
	}
}

func run(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("binsize", flag.ContinueOnError)
	top := fs.Int("top", 15, "how many packages and symbols to list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: binsize [-top N] BINARY")
	}
	r, err := binsize.Analyze(fs.Arg(0))
	if err != nil {
		return err
	}
	names := make([]string, 0, len(r.Sections))
	for n := range r.Sections {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return int(r.Sections[b]) - int(r.Sections[a]) })
	fmt.Fprintf(w, "%-12s %10s\n", "section", "bytes")
	for _, n := range names {
		if r.Sections[n] >= 1024 {
			fmt.Fprintf(w, "%-12s %10d\n", n, r.Sections[n])
		}
	}
	fmt.Fprintf(w, "\n%10s %7s  %s\n", "bytes", "symbols", "package (symbols in the file; .gopclntab not split)")
	for _, p := range r.Packages[:min(*top, len(r.Packages))] {
		fmt.Fprintf(w, "%10d %7d  %s\n", p.Size, p.Symbols, p.Path)
	}
	fmt.Fprintf(w, "\n%10s  %s\n", "bytes", "symbol")
	for _, s := range r.Symbols[:min(*top, len(r.Symbols))] {
		fmt.Fprintf(w, "%10d  %s\n", s.Size, s.Name)
	}
	return nil
}
