package pkgbuild

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The OpenWrt SDK is not on the test machine, so TestFeedMakefile checks
// what can go stale without it: openwrt/v6diag/Makefile must name the
// module go.mod declares, build the command that exists, stamp the
// version variable that command has, with a version apk accepts, and use
// golang-package.mk the way the packages feed does.

const repoRoot = "../.."

// makeVars reads the simple NAME:=value assignments of an OpenWrt package
// Makefile outside define blocks, expanding $(NAME) references to
// earlier ones.
func makeVars(t *testing.T, text string) (vars map[string]string, lines []string) {
	t.Helper()
	vars = map[string]string{}
	ref := regexp.MustCompile(`\$\(([A-Z0-9_]+)\)`)
	inDefine := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "define "):
			inDefine = true
		case trimmed == "endef":
			inDefine = false
		case inDefine || strings.HasPrefix(trimmed, "#") || trimmed == "":
		default:
			lines = append(lines, trimmed)
			if k, v, ok := strings.Cut(trimmed, ":="); ok && !strings.ContainsAny(k, " $") {
				vars[k] = ref.ReplaceAllStringFunc(strings.TrimSpace(v), func(m string) string {
					name := ref.FindStringSubmatch(m)[1]
					if val, ok := vars[name]; ok {
						return val
					}
					return m // defined by the SDK, e.g. $(INCLUDE_DIR)
				})
			}
		}
	}
	return vars, lines
}

func TestFeedMakefile(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join(repoRoot, "openwrt/v6diag/Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	vars, lines := makeVars(t, string(mk))

	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	module := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(gomod)
	goLine := regexp.MustCompile(`(?m)^go\s+(\d+)\.(\d+)`).FindSubmatch(gomod)
	if module == nil || goLine == nil {
		t.Fatal("go.mod has no module or go line")
	}

	if got := vars["PKG_NAME"]; got != "v6diag" {
		t.Errorf("PKG_NAME %q", got)
	}
	if got, want := vars["GO_PKG"], string(module[1]); got != want {
		t.Errorf("GO_PKG %q, go.mod says module %q", got, want)
	}
	cmdPath, ok := strings.CutPrefix(vars["GO_PKG_BUILD_PKG"], string(module[1])+"/")
	if !ok {
		t.Fatalf("GO_PKG_BUILD_PKG %q is not inside module %s", vars["GO_PKG_BUILD_PKG"], module[1])
	}
	if filepath.Base(cmdPath) != vars["PKG_NAME"] {
		t.Errorf("GO_PKG_BUILD_PKG builds %s; GoBinPackage installs it as /usr/bin/%s, the package name is %s",
			cmdPath, filepath.Base(cmdPath), vars["PKG_NAME"])
	}

	// GO_PKG_LDFLAGS_X stamps a string variable that the command has.
	stamps := strings.Fields(vars["GO_PKG_LDFLAGS_X"])
	if len(stamps) != 1 {
		t.Fatalf("GO_PKG_LDFLAGS_X %q: want one -X definition", vars["GO_PKG_LDFLAGS_X"])
	}
	sym, val, _ := strings.Cut(stamps[0], "=")
	pkgName, varName, _ := strings.Cut(sym, ".")
	if got := packageVar(t, filepath.Join(repoRoot, cmdPath), varName); got != pkgName {
		t.Errorf("GO_PKG_LDFLAGS_X sets %s, but %s has no string variable %s in package %s (found in package %q)",
			sym, cmdPath, varName, pkgName, got)
	}
	if !ValidVersion(val) {
		t.Errorf("stamped version %q is not one apk accepts (OpenWrt 25 packages are apk)", val)
	}
	if vars["PKG_SOURCE_VERSION"] != "v"+vars["PKG_VERSION"] {
		t.Errorf("PKG_SOURCE_VERSION %q: release tags are v$(PKG_VERSION)", vars["PKG_SOURCE_VERSION"])
	}

	if !strings.Contains(" "+vars["PKG_BUILD_DEPENDS"]+" ", " golang/host ") {
		t.Errorf("PKG_BUILD_DEPENDS %q lacks golang/host", vars["PKG_BUILD_DEPENDS"])
	}
	for _, want := range []string{
		"include $(INCLUDE_DIR)/package.mk",
		"include ../../lang/golang/golang-package.mk",
		"$(eval $(call GoBinPackage,v6diag))",
		"$(eval $(call BuildPackage,v6diag))",
	} {
		if !containsLine(lines, want) {
			t.Errorf("Makefile lacks %q", want)
		}
	}
	// golang-package.mk reads GO_PKG* when it is included: set them first.
	if idx(lines, "include ../../lang/golang/golang-package.mk") < idx(lines, "GO_PKG_LDFLAGS_X:=") {
		t.Error("GO_PKG variables are set after golang-package.mk is included")
	}
	if !strings.Contains(string(mk), "$(GO_ARCH_DEPENDS)") {
		t.Error("DEPENDS lacks $(GO_ARCH_DEPENDS): the package would be offered on targets Go cannot build for")
	}

	// The same license as the binary packages the build script makes.
	script, err := os.ReadFile(filepath.Join(repoRoot, "scripts/openwrt-build.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`V6DIAG_LICENSE:-([^}]+)\}`).FindSubmatch(script); m == nil || string(m[1]) != vars["PKG_LICENSE"] {
		t.Errorf("PKG_LICENSE %q differs from openwrt-build.sh's default license %q", vars["PKG_LICENSE"], m)
	}
	// The Go version note stays in step with go.mod.
	if want := "Go " + string(goLine[1]) + "." + string(goLine[2]) + " or newer"; !strings.Contains(string(mk), want) {
		t.Errorf("Makefile does not say %q (go.mod's go line)", want)
	}
}

// packageVar returns the package name of the Go files in dir that declare
// a package-level string variable name, or "".
func packageVar(t *testing.T, dir, name string) string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if n.Name != name || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if _, err := strconv.Unquote(lit.Value); err == nil {
							return f.Name.Name
						}
					}
				}
			}
		}
	}
	return ""
}

func containsLine(lines []string, want string) bool { return idx(lines, want) >= 0 }

func idx(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}
