// Command funclen prints the longest function of each package in the
// module, in lines from its func keyword to its closing brace, leaving out
// test files: issue 12's "longest function in each package" measure.
//
//	go run ./internal/testtools/funclen [DIR]   (default: the current folder)
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type longest struct {
	pkg, name, where string
	lines            int
}

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	if err := run(root); err != nil {
		fmt.Fprintln(os.Stderr, "funclen:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	fset := token.NewFileSet()
	best := map[string]longest{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := filepath.Dir(path)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			start, end := fset.Position(fn.Pos()), fset.Position(fn.End())
			n := end.Line - start.Line + 1
			if n > best[pkg].lines {
				best[pkg] = longest{pkg: pkg, name: funcName(fn), where: fmt.Sprintf("%s:%d", path, start.Line), lines: n}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var all []longest
	for _, l := range best {
		all = append(all, l)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].pkg < all[j].pkg })
	fmt.Printf("%-32s %6s  %s\n", "package", "lines", "function")
	for _, l := range all {
		fmt.Printf("%-32s %6d  %s (%s)\n", l.pkg, l.lines, l.name, l.where)
	}
	return nil
}

func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}
