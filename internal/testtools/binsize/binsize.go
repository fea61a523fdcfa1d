// Package binsize says what takes the room in a Go ELF binary: the bytes
// each Go package's symbols occupy in the file, and the largest symbols.
// scripts/size-report.sh prints it for the mips build that must stay
// within the router budget.
//
// Only symbols in sections stored in the file count (.text, .rodata,
// .data, …): .bss and .noptrbss take memory, not flash. Function metadata
// in .gopclntab has no per-symbol sizes and is reported as one line.
package binsize

import (
	"cmp"
	"debug/elf"
	"fmt"
	"slices"
	"strings"
)

// Symbol is one symbol with its size in the file.
type Symbol struct {
	Name    string
	Package string
	Size    uint64
}

// Package is the bytes of one Go package's symbols.
type Package struct {
	Path    string
	Size    uint64
	Symbols int
}

// Report is the breakdown of one binary.
type Report struct {
	Symbols  []Symbol  // largest first
	Packages []Package // largest first
	// Sections are the file-backed allocated sections and their sizes.
	Sections map[string]uint64
}

// Analyze reads the ELF file at path. It needs the symbol table, so the
// binary must be built without -s.
func Analyze(path string) (*Report, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("binsize: %w", err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("binsize: %s has no symbol table (built with -s?): %w", path, err)
	}
	r := &Report{Sections: map[string]uint64{}}
	inFile := map[elf.SectionIndex]bool{}
	for i, s := range f.Sections {
		if s.Flags&elf.SHF_ALLOC != 0 && s.Type != elf.SHT_NOBITS {
			inFile[elf.SectionIndex(i)] = true
			r.Sections[s.Name] = s.Size
		}
	}
	byPkg := map[string]*Package{}
	for _, s := range syms {
		if s.Size == 0 || !inFile[s.Section] {
			continue
		}
		pkg := PackageOf(s.Name)
		r.Symbols = append(r.Symbols, Symbol{Name: s.Name, Package: pkg, Size: s.Size})
		p := byPkg[pkg]
		if p == nil {
			p = &Package{Path: pkg}
			byPkg[pkg] = p
		}
		p.Size += s.Size
		p.Symbols++
	}
	for _, p := range byPkg {
		r.Packages = append(r.Packages, *p)
	}
	slices.SortFunc(r.Symbols, func(a, b Symbol) int { return cmp.Or(cmp.Compare(b.Size, a.Size), strings.Compare(a.Name, b.Name)) })
	slices.SortFunc(r.Packages, func(a, b Package) int { return cmp.Or(cmp.Compare(b.Size, a.Size), strings.Compare(a.Path, b.Path)) })
	return r, nil
}

// PackageOf returns the Go import path a linker symbol belongs to:
// "github.com/google/gopacket/layers.(*IPv6).DecodeFromBytes" →
// "github.com/google/gopacket/layers". Type descriptors and itabs count
// for the package of their type; linker-made symbols ("go:func.*",
// "go:string.*", "runtime.…") keep a prefix of their own.
func PackageOf(name string) string {
	n := name
	for _, p := range []string{"type:.eq.", "type:.hash.", "type:", "go:itab."} {
		if rest, ok := strings.CutPrefix(n, p); ok {
			n = rest
			break
		}
	}
	n = strings.TrimLeft(n, "*[]")
	if strings.HasPrefix(n, "go:") {
		// go:func.*, go:string.*, go:buildinfo, …: the linker's own.
		head, _, _ := strings.Cut(n, ".")
		return head
	}
	// The package path ends at the first "." after its last "/"; a "/"
	// inside brackets or parentheses belongs to a type argument.
	end := len(n)
	if i := strings.IndexAny(n, "[("); i >= 0 {
		end = i
	}
	slash := strings.LastIndex(n[:end], "/")
	dot := strings.Index(n[slash+1:], ".")
	if dot < 0 {
		return n
	}
	return n[:slash+1+dot]
}
