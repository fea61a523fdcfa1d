package pkgbuild

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testTime = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// testPackage carries a binary whose size does not fit 16 bits, an empty
// file and a second directory, so the size, empty-file and sorting paths
// are all taken.
func testPackage(t *testing.T) Package {
	t.Helper()
	bin := make([]byte, 70_000)
	copy(bin, "\x7fELF")
	for i := 4; i < len(bin); i++ {
		bin[i] = byte(i * 7 / 3)
	}
	return Package{
		Name:        "v6diag",
		Version:     "0_git12~a238e74-r1",
		Arch:        "mips_24kc",
		Description: "Diagnose native IPv6 (RA, DHCPv6-PD) on an OpenWrt WAN",
		License:     "GPL-2.0-or-later",
		Maintainer:  "v6diag developers",
		URL:         "https://example.invalid/v6diag",
		Section:     "net",
		Files: []File{
			{Path: "/usr/bin/v6diag", Mode: 0o755, Data: bin},
			{Path: "/usr/share/v6diag/EMPTY", Mode: 0o644},
		},
		Time: testTime,
	}
}

func TestAPK(t *testing.T) {
	p := testPackage(t)
	p.Depends = []string{"zlib", "ca-bundle"}
	var buf bytes.Buffer
	if err := p.WriteAPK(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := readAPK(buf.Bytes())
	if err != nil {
		t.Fatalf("apk v3 reader refuses the package: %v", err)
	}
	sum := func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
	bin := p.Files[0].Data
	list := []byte("/usr/bin/v6diag\n/usr/share/v6diag/EMPTY\n")
	mtime := uint32(testTime.Unix())
	want := &apkPackage{
		Name: "v6diag", Version: "0_git12~a238e74-r1", Arch: "mips_24kc",
		Description: p.Description, License: "GPL-2.0-or-later", Origin: "v6diag",
		Maintainer: p.Maintainer, URL: p.URL,
		UniqueID: got.UniqueID, // checked by readAPK against the ADB's hash
		// 70,000 bytes round up to 18 blocks of 4096, the list to one.
		InstalledSize: 18*4096 + 4096,
		Depends:       []string{"ca-bundle", "zlib"},
		Dirs: []apkDir{
			{Name: "", Mode: 0o755, User: "root", Group: "root"},
			{Name: "lib", Mode: 0o755, User: "root", Group: "root"},
			{Name: "lib/apk", Mode: 0o755, User: "root", Group: "root"},
			{Name: "lib/apk/packages", Mode: 0o755, User: "root", Group: "root", Files: []apkFile{
				{Name: "v6diag.list", Mode: 0o644, User: "root", Group: "root", Size: uint32(len(list)), Mtime: mtime, Hash: sum(list), Data: list},
			}},
			{Name: "usr", Mode: 0o755, User: "root", Group: "root"},
			{Name: "usr/bin", Mode: 0o755, User: "root", Group: "root", Files: []apkFile{
				{Name: "v6diag", Mode: 0o755, User: "root", Group: "root", Size: 70_000, Mtime: mtime, Hash: sum(bin), Data: bin},
			}},
			{Name: "usr/share", Mode: 0o755, User: "root", Group: "root"},
			{Name: "usr/share/v6diag", Mode: 0o755, User: "root", Group: "root", Files: []apkFile{
				{Name: "EMPTY", Mode: 0o644, User: "root", Group: "root", Size: 0, Mtime: mtime, Hash: sum(nil)},
			}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("apk contents (-want +got):\n%s", diff)
	}
	if name := p.APKName(); name != "v6diag-0_git12~a238e74-r1.apk" {
		t.Errorf("APKName %q", name)
	}

	// Reproducible: the same inputs give the same bytes.
	var again bytes.Buffer
	if err := p.WriteAPK(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("two builds of the same package differ")
	}
}

// TestAPKReaderCatchesDamage makes sure the reader the other tests rely on
// does reject broken packages: a flipped byte in the binary, a DATA block
// for the wrong file, a truncated file.
func TestAPKReaderCatchesDamage(t *testing.T) {
	raw, err := testPackage(t).apkUncompressed()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAPK(raw); err != nil {
		t.Fatalf("uncompressed package: %v", err)
	}
	flip := bytes.Clone(raw)
	flip[len(flip)-100] ^= 1 // inside the last DATA block's content
	if _, err := readAPK(flip); err == nil || !strings.Contains(err.Error(), "hash") {
		t.Errorf("flipped data byte: err %v, want a hash mismatch", err)
	}
	if _, err := readAPK(raw[:len(raw)-8]); err == nil {
		t.Error("truncated package read without error")
	}
	uid := bytes.Clone(raw)
	adbStart := 8 + 4
	uid[adbStart+8+20] ^= 1 // somewhere in the ADB's values
	if _, err := readAPK(uid); err == nil {
		t.Error("ADB changed after the unique-id was computed, read without error")
	}
}

func TestIPKWithGNUTar(t *testing.T) {
	tarBin, err := exec.LookPath("tar")
	if err != nil {
		t.Skip("no tar: ", err)
	}
	p := testPackage(t)
	var buf bytes.Buffer
	if err := p.WriteIPK(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ipk := filepath.Join(dir, p.IPKName())
	if err := os.WriteFile(ipk, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tarBin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("tar %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// The outer archive: exactly these members, in ipkg-build's order.
	if got, want := run("-tzf", ipk), "./debian-binary\n./data.tar.gz\n./control.tar.gz\n"; got != want {
		t.Errorf("ipk members:\n%s\nwant\n%s", got, want)
	}
	outer := filepath.Join(dir, "outer")
	os.Mkdir(outer, 0o755)
	run("-xzf", ipk, "-C", outer)
	if b, _ := os.ReadFile(filepath.Join(outer, "debian-binary")); string(b) != "2.0\n" {
		t.Errorf("debian-binary %q", b)
	}

	// data.tar.gz: the tree, owned by root (numeric), modes kept.
	listing := run("--numeric-owner", "-tvzf", filepath.Join(outer, "data.tar.gz"))
	for _, want := range []string{
		"drwxr-xr-x 0/0", "./usr/bin/\n",
		"-rwxr-xr-x 0/0           70000 2026-11-23 12:00 ./usr/bin/v6diag\n",
		"-rw-r--r-- 0/0               0 2026-11-23 12:00 ./usr/share/v6diag/EMPTY\n",
	} {
		if !strings.Contains(listing, want) {
			t.Errorf("data.tar.gz listing lacks %q:\n%s", want, listing)
		}
	}
	root := filepath.Join(dir, "root")
	os.Mkdir(root, 0o755)
	run("-xzf", filepath.Join(outer, "data.tar.gz"), "-C", root)
	bin, err := os.ReadFile(filepath.Join(root, "usr/bin/v6diag"))
	if err != nil || !bytes.Equal(bin, p.Files[0].Data) {
		t.Errorf("usr/bin/v6diag unpacked wrong: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(root, "usr/bin/v6diag")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("usr/bin/v6diag mode: %v %v", fi.Mode(), err)
	}
	// control.tar.gz: ./control, parsed as opkg does (one "Key: value"
	// per line).
	if got := run("-tzf", filepath.Join(outer, "control.tar.gz")); got != "./\n./control\n" {
		t.Errorf("control.tar.gz members %q", got)
	}
	control := run("-xzOf", filepath.Join(outer, "control.tar.gz"), "./control")
	fields := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(control, "\n"), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok || k == "" || strings.TrimSpace(v) != v {
			t.Fatalf("control line %q is not Key: value", line)
		}
		if _, dup := fields[k]; dup {
			t.Errorf("control field %s twice", k)
		}
		fields[k] = v
	}
	// Installed-Size is the byte length of the uncompressed data tar, as
	// ipkg-build computes it with zcat | wc -c.
	zcat, err := exec.Command("sh", "-c", "gzip -dc < \"$1\" | wc -c", "sh", filepath.Join(outer, "data.tar.gz")).Output()
	if err != nil {
		t.Fatal(err)
	}
	wantFields := map[string]string{
		"Package": "v6diag", "Version": "0_git12~a238e74-r1", "SourceName": "v6diag",
		"License": "GPL-2.0-or-later", "Section": "net", "SourceDateEpoch": "1795435200",
		"URL": p.URL, "Maintainer": p.Maintainer, "Architecture": "mips_24kc",
		"Installed-Size": strings.TrimSpace(string(zcat)), "Description": p.Description,
	}
	if diff := cmp.Diff(wantFields, fields); diff != "" {
		t.Errorf("control (-want +got):\n%s", diff)
	}
	if p.IPKName() != "v6diag_0_git12~a238e74-r1_mips_24kc.ipk" {
		t.Errorf("IPKName %q", p.IPKName())
	}
}

func TestPackageVersion(t *testing.T) {
	tests := []struct {
		describe string
		commits  int
		want     string
		dirty    bool
		wantErr  bool
	}{
		{describe: "v1.2.3", want: "1.2.3-r1"},
		{describe: "v1.2.3-dirty", want: "1.2.3-r1", dirty: true},
		{describe: "v0.4-12-gabc1234", want: "0.4_git12~abc1234-r1"},
		{describe: "v0.4-12-gabc1234-dirty", want: "0.4_git12~abc1234-r1", dirty: true},
		{describe: "a238e74", commits: 7, want: "0_git7~a238e74-r1"},
		{describe: "1234567", commits: 3, want: "0_git3~1234567-r1"}, // a hash of digits only
		{describe: "a238e74-dirty\n", commits: 7, want: "0_git7~a238e74-r1", dirty: true},
		{describe: "release-1", wantErr: true},
		{describe: "1.2.3", wantErr: true}, // tags need the v
		{describe: "", wantErr: true},
	}
	for _, tt := range tests {
		got, dirty, err := PackageVersion(tt.describe, tt.commits, 1)
		if (err != nil) != tt.wantErr || got != tt.want || dirty != tt.dirty {
			t.Errorf("PackageVersion(%q) = %q, %v, %v; want %q, %v, error %v", tt.describe, got, dirty, err, tt.want, tt.dirty, tt.wantErr)
		}
	}
}

func TestValidVersion(t *testing.T) {
	for _, v := range []string{"1", "1.2.3", "1.2.3a", "1.2_rc1", "1.2_git4~abc-r1", "2024.01.01~0123456789abcdef-r12", "0_git7~a238e74-r1"} {
		if !ValidVersion(v) {
			t.Errorf("ValidVersion(%q) = false", v)
		}
	}
	for _, v := range []string{"", "v1", "1.2-3", "1.2_foo1", "1.2~ABC", "1..2", "a238e74", "1.2-r", "1.2.3-dirty"} {
		if ValidVersion(v) {
			t.Errorf("ValidVersion(%q) = true", v)
		}
	}
}

func TestValidate(t *testing.T) {
	base := testPackage(t)
	tests := []struct {
		name   string
		change func(*Package)
	}{
		{"upper-case name", func(p *Package) { p.Name = "V6diag" }},
		{"bad version", func(p *Package) { p.Version = "v1" }},
		{"no arch", func(p *Package) { p.Arch = "" }},
		{"newline in description", func(p *Package) { p.Description = "a\nb" }},
		{"relative path", func(p *Package) { p.Files[0].Path = "usr/bin/v6diag" }},
		{"unclean path", func(p *Package) { p.Files[0].Path = "/usr/bin/../v6diag" }},
		{"setuid", func(p *Package) { p.Files[0].Mode |= 0o4000 | 1<<31 }},
		{"twice", func(p *Package) { p.Files[1].Path = p.Files[0].Path }},
		{"file is a dir", func(p *Package) { p.Files[1].Path = "/usr/bin" }},
		{"no files", func(p *Package) { p.Files = nil }},
		{"bad dependency", func(p *Package) { p.Depends = []string{"libc >= 1"} }},
	}
	for _, tt := range tests {
		p := base
		p.Files = append([]File(nil), base.Files...)
		tt.change(&p)
		if err := p.WriteIPK(&bytes.Buffer{}); err == nil {
			t.Errorf("%s: WriteIPK accepted it", tt.name)
		}
		if err := p.WriteAPK(&bytes.Buffer{}); err == nil {
			t.Errorf("%s: WriteAPK accepted it", tt.name)
		}
	}
}
