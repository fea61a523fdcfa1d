package e2e

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// routerState is what a run must leave as it found it in the CPE
// namespace: addresses, routes of every table, and every net.ipv4/net.ipv6
// sysctl. Counters of remaining lifetime are blanked: they tick by
// themselves (and the ISP's RAs refresh them whoever solicited).
func routerState(t *testing.T, bed *testbed.Bed) map[string]string {
	t.Helper()
	lifetimes := regexp.MustCompile(`(valid_lft|preferred_lft|expires) \S+`)
	run := func(name string, args ...string) string {
		out, err := bed.ExecCPE(context.Background(), name, args...).Output()
		if err != nil {
			t.Fatalf("%s %q in %s: %v", name, args, bed.CPE, err)
		}
		return lifetimes.ReplaceAllString(string(out), "$1 _")
	}
	state := map[string]string{
		"addresses":   run("ip", "-d", "address", "show"),
		"links":       run("ip", "-d", "link", "show"),
		"ipv6 routes": run("ip", "-6", "route", "show", "table", "all"),
		"ipv4 routes": run("ip", "-4", "route", "show", "table", "all"),
		"ipv6 rules":  run("ip", "-6", "rule", "show"),
	}
	// sysctl -a names unreadable keys (stable_secret) on stderr: ignored.
	for _, line := range strings.Split(run("sysctl", "-a"), "\n") {
		k, v, ok := strings.Cut(line, " = ")
		if ok && (strings.HasPrefix(k, "net.ipv6.") || strings.HasPrefix(k, "net.ipv4.")) {
			state["sysctl "+k] = v
		}
	}
	return state
}

// fileWrites lists, from an strace -f log of %file and %desc calls, every
// path a process opened for writing, created, renamed, linked, removed or
// changed the mode or owner of.
func fileWrites(t *testing.T, trace string) []string {
	t.Helper()
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`^(?:\[pid +\d+\] |\d+ +)?(\w+)\((.*)\) += (-?\d+|\?)`)
	str := regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	writing := regexp.MustCompile(`O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND`)
	var paths []string
	for _, line := range strings.Split(string(b), "\n") {
		m := call.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name, args := m[1], m[2]
		var hit bool
		switch name {
		case "open", "openat", "openat2":
			hit = writing.MatchString(args)
		case "creat", "mkdir", "mkdirat", "rename", "renameat", "renameat2", "unlink", "unlinkat", "rmdir",
			"link", "linkat", "symlink", "symlinkat", "chmod", "fchmodat", "fchmodat2", "chown", "lchown", "fchownat",
			"truncate", "utime", "utimes", "utimensat", "mknod", "mknodat", "setxattr", "lsetxattr", "removexattr":
			hit = true
		}
		if !hit {
			continue
		}
		for _, s := range str.FindAllStringSubmatch(args, -1) {
			paths = append(paths, name+" "+s[1])
		}
	}
	return paths
}

// A healthy run under strace, with the router's network config named by
// --config: afterwards the CPE namespace has the same addresses, routes and
// sysctls, the config file the same hash, every path v6diag wrote to is in
// its output folder (0700, files 0600), and Kea's lease file shows
// everything it leased to v6diag's DUID released.
func TestRunChangesNothing(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace not installed (.ci/run installs it)")
	}
	bed := testbed.New(t)
	kea := healthyISP(t, bed, false)
	config := filepath.Join(bed.Dir, "network")
	uci := fmt.Sprintf(`config interface 'wan'
	option device '%[1]s'
	option proto 'dhcp'

config interface 'wan6'
	option device '%[1]s'
	option proto 'dhcpv6'
	option reqprefix '48'
	option clientid '00030001%[2]s'
`, bed.CPEIf, strings.ReplaceAll(bed.CPEMAC.String(), ":", ""))
	if err := os.WriteFile(config, []byte(uci), 0o644); err != nil {
		t.Fatal(err)
	}
	hash := func() [32]byte {
		b, err := os.ReadFile(config)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	configBefore := hash()
	// Let the CPE's own autoconfiguration settle, then take the picture.
	time.Sleep(500 * time.Millisecond)
	before := routerState(t, bed)

	out := filepath.Join(bed.Dir, "out")
	trace := filepath.Join(bed.Dir, "strace.log")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := bed.ExecCPE(ctx, strace, "-f", "-qq", "-o", trace, "-e", "trace=%file,%desc",
		bed.Build(t), "run", "--config", config, "--out", out, "--timeout", "10s")
	so, err := cmd.Output()
	if code := exitCode(t, err); code != 0 {
		t.Fatalf("exit %d; want 0 (ok)\n%s", code, so)
	}
	var r reportJSON
	readReport(t, out, &r)
	if r.Verdict.Code != "ok" || r.Interface.Name != bed.CPEIf {
		t.Fatalf("verdict %s on %q; want ok on %s (from --config)", r.Verdict.Code, r.Interface.Name, bed.CPEIf)
	}
	if strings.HasSuffix(r.DUID.Hex, strings.ReplaceAll(bed.CPEMAC.String(), ":", "")) && strings.HasPrefix(r.DUID.Hex, "0003") {
		t.Errorf("v6diag used the router's own DUID %s", r.DUID.Hex)
	}

	// Nothing changed on the router.
	after := routerState(t, bed)
	if len(before) < 100 {
		t.Fatalf("only %d facts of router state read; the sysctls are missing", len(before))
	}
	t.Logf("compared %d facts of router state (addresses, links, routes, rules, net.ipv4/net.ipv6 sysctls)", len(before))
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed:\nbefore: %s\nafter:  %s", k, v, after[k])
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s appeared: %s", k, after[k])
		}
	}
	if hash() != configBefore {
		t.Errorf("%s changed", config)
	}

	// Every write inside the output folder.
	writes := fileWrites(t, trace)
	if len(writes) == 0 {
		t.Fatalf("strace recorded no writes at all; the trace is not working:\n%s", trace)
	}
	for _, w := range writes {
		_, path, _ := strings.Cut(w, " ")
		if path != out && !strings.HasPrefix(path, out+"/") {
			t.Errorf("v6diag wrote outside its output folder: %s", w)
		}
	}
	t.Logf("%d file writes, all in %s", len(writes), out)

	// Modes: the report names the line's MAC and DUID.
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("output folder: %v %v; want mode 0700", st, err)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; want 0600", e.Name(), info.Mode().Perm())
		}
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}

	// Everything leased to v6diag's DUID is released.
	duid := colonHex(r.DUID.Hex)
	deadline := time.Now().Add(3 * time.Second)
	for {
		leases, err := kea.Leases()
		if err != nil {
			t.Fatal(err)
		}
		var held, seen []string
		for _, l := range testbed.CurrentLeases(leases) {
			if l.DUID != duid {
				continue
			}
			seen = append(seen, l.Prefix().String())
			if !l.Released() {
				held = append(held, l.Prefix().String())
			}
		}
		if len(seen) == 0 {
			t.Fatalf("Kea's lease file has nothing for v6diag's DUID %s: the run obtained nothing to release", duid)
		}
		if len(held) == 0 {
			t.Logf("Kea: %v leased to %s and released", seen, duid)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Kea still holds %v for v6diag's DUID %s", held, duid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFileWritesParse: the strace reader finds every kind of write and
// only writes, so TestRunChangesNothing can fail.
func TestFileWritesParse(t *testing.T) {
	log := `1234  openat(AT_FDCWD, "/etc/config/network", O_RDONLY|O_CLOEXEC) = 3
1234  openat(AT_FDCWD, "/tmp/x/capture.pcapng", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600) = 4
[pid  1235] openat(AT_FDCWD, "/etc/passwd", O_RDWR|O_CLOEXEC) = -1 EACCES (Permission denied)
1234  renameat(AT_FDCWD, "/tmp/x/.report.json-1", AT_FDCWD, "/tmp/x/report.json") = 0
1234  unlinkat(AT_FDCWD, "/var/lib/foo", 0) = 0
1234  mkdirat(AT_FDCWD, "/tmp/x", 0700) = 0
1234  fchmodat(AT_FDCWD, "/tmp/x/.report.txt-2", 0600) = 0
1234  newfstatat(AT_FDCWD, "/sys/class/net/wan/carrier", {st_mode=S_IFREG|0444, st_size=4096, ...}, 0) = 0
1234  read(3, "config interface", 4096) = 16
`
	path := filepath.Join(t.TempDir(), "trace")
	if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	got := fileWrites(t, path)
	want := []string{
		"openat /tmp/x/capture.pcapng", "openat /etc/passwd",
		"renameat /tmp/x/.report.json-1", "renameat /tmp/x/report.json",
		"unlinkat /var/lib/foo", "mkdirat /tmp/x", "fchmodat /tmp/x/.report.txt-2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("fileWrites:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
