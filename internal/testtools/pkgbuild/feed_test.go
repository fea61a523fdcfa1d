package pkgbuild

import (
	"archive/tar"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The OpenWrt SDK is not on the test machine, so TestFeedMakefile checks
// what can go stale without it: openwrt/v6diag/Makefile must name the
// module go.mod declares, build the command that exists, stamp the
// version variable that command has, with a version apk accepts, and use
// golang-package.mk the way the packages feed does.

const repoRoot = "../../.."

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

	// GO_PKG_LDFLAGS_X stamps string variables that the command has: the
	// version, which apk must accept, and the package architecture.
	stamps := map[string]string{}
	for _, def := range strings.Fields(vars["GO_PKG_LDFLAGS_X"]) {
		sym, val, _ := strings.Cut(def, "=")
		pkgName, varName, _ := strings.Cut(sym, ".")
		if got := packageVar(t, filepath.Join(repoRoot, cmdPath), varName); got != pkgName {
			t.Errorf("GO_PKG_LDFLAGS_X sets %s, but %s has no string variable %s in package %s (found in package %q)",
				sym, cmdPath, varName, pkgName, got)
		}
		stamps[sym] = val
	}
	if v, ok := stamps["main.version"]; !ok || !ValidVersion(v) {
		t.Errorf("stamped version %q is not one apk accepts (OpenWrt 25 packages are apk)", v)
	}
	if got := stamps["main.packageArch"]; got != "$(ARCH_PACKAGES)" {
		t.Errorf("main.packageArch stamped as %q; want $(ARCH_PACKAGES), the SDK's package architecture", got)
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
	// What a packages feed needs to accept it: a real mirror hash (the
	// value TestFeedReleaseArchive checks), a maintainer with an address.
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(vars["PKG_MIRROR_HASH"]) {
		t.Errorf("PKG_MIRROR_HASH %q is not a SHA-256 (scripts/release.sh writes it)", vars["PKG_MIRROR_HASH"])
	}
	if a, err := mail.ParseAddress(vars["PKG_MAINTAINER"]); err != nil || a.Name == "" {
		t.Errorf("PKG_MAINTAINER %q is not \"Name <address>\": %v", vars["PKG_MAINTAINER"], err)
	}

	// Static, stripped, cgo off, not PIE: the binary openwrt-build.sh
	// measures. The overrides follow golang-package.mk, which sets both.
	golang := idx(lines, "include ../../lang/golang/golang-package.mk")
	if i := idx(lines, "GO_PKG_TARGET_VARS+=CGO_ENABLED=0"); i < golang {
		t.Error("the recipe does not turn cgo off after golang-package.mk (GO_PKG_TARGET_VARS+=CGO_ENABLED=0)")
	}
	ldflags := strings.Fields(vars["GO_PKG_DEFAULT_LDFLAGS"])
	if i := idx(lines, "GO_PKG_DEFAULT_LDFLAGS:="); i < golang || !slices.Contains(ldflags, "-s") || !slices.Contains(ldflags, "-w") ||
		slices.Contains(ldflags, "-linkmode") {
		t.Errorf("GO_PKG_DEFAULT_LDFLAGS %q: want -s -w and Go's own linker, set after golang-package.mk", ldflags)
	}
	if !regexp.MustCompile(`-ldflags "-s -w\b`).Match(script) {
		t.Error("openwrt-build.sh no longer builds with -ldflags \"-s -w …\"; keep the recipe in step")
	}
	if vars["PKG_ASLR_PIE"] != "0" || idx(lines, "PKG_ASLR_PIE:=") > idx(lines, "include $(INCLUDE_DIR)/package.mk") {
		t.Error("PKG_ASLR_PIE:=0 must come before package.mk: the measured binary is not PIE")
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

// TestFeedReleaseArchive runs scripts/release.sh on a clone of this
// commit, tagged there as the Makefile's release, and checks the archive
// against the recipe: the file and folder names the SDK derives from
// PKG_NAME and PKG_VERSION (include/download.mk), the hash it writes as
// PKG_MIRROR_HASH, the packing the SDK's dl_tar_pack does (names sorted,
// owner 0, the commit's time, no set-id bits, no .git) and the content: the
// tagged commit's files byte for byte, with go.mod naming GO_PKG and the
// command and license files the recipe builds and ships. When the real
// release tag is in this repository, the real Makefile's hash is checked
// against the real tag's archive too.
func TestFeedReleaseArchive(t *testing.T) {
	for _, tool := range []string{"git", "tar", "zstd", "sha256sum", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (.ci/run installs it)", tool)
		}
	}
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.org",
			"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.org")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("not a git checkout")
	}

	// A clone of HEAD with this tree's release.sh and Makefile, its tags
	// removed, so --tag tags exactly this commit.
	repo := filepath.Join(t.TempDir(), "repo")
	git(root, "clone", "-q", "--no-checkout", root, repo)
	git(repo, "checkout", "-q", git(root, "rev-parse", "HEAD"))
	for _, tag := range strings.Fields(git(repo, "tag")) {
		git(repo, "tag", "-d", tag)
	}
	for _, f := range []string{"scripts/release.sh", "openwrt/v6diag/Makefile"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, f), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	git(repo, "add", "-A")
	if git(repo, "status", "--porcelain") != "" {
		git(repo, "commit", "-q", "-m", "test: this tree's release script and recipe")
	}

	out := t.TempDir()
	release := func(dir string, args ...string) (string, error) {
		cmd := exec.Command("bash", append([]string{"scripts/release.sh", "--out", out}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.org")
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	if msg, err := release(repo, "--tag"); err != nil {
		t.Fatalf("release.sh --tag: %v\n%s", err, msg)
	}
	mk, err := os.ReadFile(filepath.Join(repo, "openwrt/v6diag/Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	vars, _ := makeVars(t, string(mk))
	subdir := vars["PKG_NAME"] + "-" + vars["PKG_VERSION"]
	archive := filepath.Join(out, subdir+".tar.zst") // download.mk: PKG_SOURCE ?= $(PKG_SOURCE_SUBDIR).tar.zst
	b, err := os.ReadFile(archive)
	if err != nil {
		t.Fatalf("release.sh made no %s: %v", filepath.Base(archive), err)
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != vars["PKG_MIRROR_HASH"] {
		t.Errorf("release.sh wrote PKG_MIRROR_HASH:=%s; the archive hashes to %s", vars["PKG_MIRROR_HASH"], got)
	}
	tag := strings.ReplaceAll(vars["PKG_SOURCE_VERSION"], "$(PKG_VERSION)", vars["PKG_VERSION"])
	commitTime, err := strconv.ParseInt(git(repo, "log", "-1", "--format=%ct", tag), 10, 64)
	if err != nil {
		t.Fatal(err)
	}

	// The content against the tagged commit.
	want := map[string]string{} // path → mode as git has it
	for _, l := range strings.Split(git(repo, "ls-tree", "-r", "--full-tree", tag), "\n") {
		meta, path, _ := strings.Cut(l, "\t")
		want[path] = strings.Fields(meta)[0]
	}
	zst := exec.Command("zstd", "-dc", archive)
	tarBytes, err := zst.Output()
	if err != nil {
		t.Fatalf("zstd -dc: %v", err)
	}
	tr := tar.NewReader(bytes.NewReader(tarBytes))
	seen := map[string]bool{}
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Uid != 0 || h.Gid != 0 || h.Mode&(0o6000) != 0 || h.ModTime.Unix() != commitTime {
			t.Errorf("%s: uid %d gid %d mode %o mtime %d; the SDK packs owner 0, no set-id bits, mtime %d",
				h.Name, h.Uid, h.Gid, h.Mode, h.ModTime.Unix(), commitTime)
		}
		rel, ok := strings.CutPrefix(h.Name, subdir+"/")
		if !ok {
			t.Errorf("%s is outside %s/, the PKG_SOURCE_SUBDIR the SDK unpacks", h.Name, subdir)
			continue
		}
		if h.Typeflag == tar.TypeDir {
			if h.Mode != 0o755 {
				t.Errorf("%s: mode %o, a checkout with umask 022 gives 755", h.Name, h.Mode)
			}
			if rel == ".git/" {
				t.Error("the archive holds .git")
			}
			continue
		}
		gitMode, ok := want[rel]
		if !ok {
			t.Errorf("%s is not in %s", rel, tag)
			continue
		}
		seen[rel] = true
		wantMode := map[string]int64{"100644": 0o644, "100755": 0o755}[gitMode]
		if h.Typeflag != tar.TypeReg || h.Mode != wantMode {
			t.Errorf("%s: type %c mode %o, git has %s", rel, h.Typeflag, h.Mode, gitMode)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if blob := git(repo, "rev-parse", tag+":"+rel); blob != gitBlobHash(body) {
			t.Errorf("%s differs from %s", rel, tag)
		}
		if rel == "go.mod" {
			if m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(body); m == nil || string(m[1]) != vars["GO_PKG"] {
				t.Errorf("the archive's go.mod names module %q, GO_PKG is %q", m, vars["GO_PKG"])
			}
		}
	}
	for path := range want {
		if !seen[path] {
			t.Errorf("%s of %s is missing from the archive", path, tag)
		}
	}
	cmdDir, _ := strings.CutPrefix(vars["GO_PKG_BUILD_PKG"], vars["GO_PKG"]+"/")
	for _, need := range append(strings.Fields(vars["PKG_LICENSE_FILES"]), cmdDir+"/main.go") {
		if !seen[need] {
			t.Errorf("the archive lacks %s, which the recipe needs", need)
		}
	}
	// GNU tar --sort=name: each folder's entries in byte order, depth first.
	if !slices.IsSortedFunc(names, func(a, b string) int {
		return strings.Compare(strings.ReplaceAll(a, "/", "\x00"), strings.ReplaceAll(b, "/", "\x00"))
	}) {
		t.Error("entries are not in --sort=name order")
	}

	// Reproducible: a second run makes the same bytes.
	if msg, err := release(repo, "--check"); err != nil {
		t.Errorf("release.sh --check after release.sh: %v\n%s", err, msg)
	}

	// The real tag, when this checkout has it, against the real Makefile.
	if _, err := exec.Command("git", "-C", root, "rev-parse", "-q", "--verify", "refs/tags/"+tag).Output(); err != nil {
		t.Logf("tag %s is not in this checkout; the real PKG_MIRROR_HASH is checked where it is", tag)
		return
	}
	if msg, err := release(root, "--check"); err != nil {
		t.Errorf("openwrt/v6diag/Makefile's PKG_MIRROR_HASH is not the hash of %s's archive: %v\n%s", tag, err, msg)
	}
}

// gitBlobHash is the object id git gives a file's content.
func gitBlobHash(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return fmt.Sprintf("%x", h.Sum(nil))
}
