package pkgbuild

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Package is what goes into an .ipk or .apk.
type Package struct {
	// Name is the package name: [a-z0-9][a-z0-9.+_-]* as both opkg and
	// apk accept it.
	Name string
	// Version must be a valid apk version (see ValidVersion), which opkg
	// also orders correctly; PackageVersion makes one from git describe.
	Version string
	// Arch is OpenWrt's package architecture (mips_24kc, x86_64, …), the
	// value opkg and apk compare with the router's own.
	Arch        string
	Description string // one line
	License     string // SPDX identifier
	Maintainer  string
	URL         string
	Section     string // ipk only: OpenWrt's menu section, e.g. "net"
	// Depends lists package names; a static binary needs none, not even libc.
	Depends []string
	// Files are the regular files to install, at absolute paths.
	Files []File
	// Time is the modification time of every file and archive member,
	// for reproducible output (git's commit time, or SOURCE_DATE_EPOCH).
	Time time.Time
}

// File is one regular file of a package.
type File struct {
	Path string      // absolute, e.g. /usr/bin/v6diag
	Mode fs.FileMode // permission bits only, e.g. 0o755
	Data []byte
}

var (
	validName = regexp.MustCompile(`^[a-z0-9][a-z0-9.+_-]*$`)
	validArch = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+-]*$`)
	// apk's version grammar (doc/apk-package.5):
	// number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}
	validVersion = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*(~[0-9a-f]+)?(-r[0-9]+)?$`)
)

// ValidVersion reports whether v is a version apk accepts.
func ValidVersion(v string) bool { return validVersion.MatchString(v) }

func (p Package) validate() error {
	if !validName.MatchString(p.Name) {
		return fmt.Errorf("pkgbuild: package name %q: want [a-z0-9][a-z0-9.+_-]*", p.Name)
	}
	if !ValidVersion(p.Version) {
		return fmt.Errorf("pkgbuild: version %q is not an apk version (number{.number}{letter}{_suffix{number}}{~hash}{-r#})", p.Version)
	}
	if !validArch.MatchString(p.Arch) {
		return fmt.Errorf("pkgbuild: architecture %q", p.Arch)
	}
	if strings.ContainsAny(p.Description+p.License+p.Maintainer+p.URL+p.Section, "\n\r") {
		return errors.New("pkgbuild: control fields must be single lines")
	}
	for _, d := range p.Depends {
		if !validName.MatchString(d) {
			return fmt.Errorf("pkgbuild: dependency %q", d)
		}
	}
	if len(p.Files) == 0 {
		return errors.New("pkgbuild: no files")
	}
	seen := map[string]bool{}
	for _, f := range p.Files {
		if !path.IsAbs(f.Path) || path.Clean(f.Path) != f.Path || f.Path == "/" {
			return fmt.Errorf("pkgbuild: file path %q must be absolute and clean", f.Path)
		}
		if f.Mode&^fs.ModePerm != 0 {
			return fmt.Errorf("pkgbuild: %s: mode %v has more than permission bits", f.Path, f.Mode)
		}
		if seen[f.Path] {
			return fmt.Errorf("pkgbuild: %s listed twice", f.Path)
		}
		seen[f.Path] = true
	}
	for _, d := range p.dirs() {
		if seen["/"+d] {
			return fmt.Errorf("pkgbuild: /%s is both a file and a directory", d)
		}
	}
	return nil
}

// dirs returns every directory that holds a file, and their parents,
// relative to the root and sorted bytewise; the root itself is "".
func (p Package) dirs() []string {
	set := map[string]bool{"": true}
	for _, f := range p.Files {
		for d := path.Dir(f.Path); d != "/"; d = path.Dir(d) {
			set[strings.TrimPrefix(d, "/")] = true
		}
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// sortedFiles returns the files ordered by path.
func (p Package) sortedFiles() []File {
	fs := slices.Clone(p.Files)
	slices.SortFunc(fs, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return fs
}

// describePattern matches git describe --tags --always --dirty output.
// Release tags are v1.2.3: without the v, an abbreviated hash made only of
// digits would read as a version.
var describePattern = regexp.MustCompile(`^(?:v([0-9]+(?:\.[0-9]+)*)(?:-([0-9]+)-g([0-9a-f]+))?|([0-9a-f]{4,}))(-dirty)?$`)

// PackageVersion turns `git describe --tags --always --dirty` output into
// a package version that apk accepts and that both apk and opkg order by
// history, with release revision rel (OpenWrt's PKG_RELEASE):
//
//	v1.2.3             → 1.2.3-r1
//	v1.2.3-4-gabc1234  → 1.2.3_git4~abc1234-r1   (4 commits after the tag)
//	abc1234            → 0_git<commits>~abc1234-r1 (no tag yet)
//
// commits is the number of commits in the history (git rev-list --count
// HEAD), used only when there is no tag. A -dirty suffix has no place in a
// package version: it is dropped and reported in dirty, so the caller can
// warn that the package holds uncommitted changes (the binary's own
// `v6diag version` still says -dirty).
func PackageVersion(describe string, commits, rel int) (version string, dirty bool, err error) {
	m := describePattern.FindStringSubmatch(strings.TrimSpace(describe))
	if m == nil {
		return "", false, fmt.Errorf("pkgbuild: cannot make a package version from git describe %q", describe)
	}
	var v string
	switch {
	case m[4] != "":
		v = "0_git" + strconv.Itoa(commits) + "~" + m[4]
	case m[2] != "":
		v = m[1] + "_git" + m[2] + "~" + m[3]
	default:
		v = m[1]
	}
	v += "-r" + strconv.Itoa(rel)
	if !ValidVersion(v) {
		return "", false, fmt.Errorf("pkgbuild: made invalid version %q from %q", v, describe)
	}
	return v, m[5] != "", nil
}
