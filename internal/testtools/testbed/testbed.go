// Package testbed builds a two-namespace IPv6 lab for v6diag's end-to-end
// tests: an "ISP" network namespace running Debian's real radvd and Kea
// (kea-dhcp6) and a "CPE" namespace standing in for the OpenWrt router, joined
// by a veth pair.
//
// Everything the testbed creates lives in namespaces it made itself: it never
// touches the host's interfaces, and all of its traffic stays on the veth pair.
// Daemons are started with hooks off and with every file they write (configs,
// logs, pid and lock files, lease databases, server ids) under Bed.Dir.
//
// New skips the test when it is not run as root or when iproute2 is missing,
// unless the environment variable CI is set, in which case a missing
// prerequisite fails the test instead (so CI cannot silently skip the e2e
// suite). The same rule applies to the daemons' binaries.
package testbed

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ISPAddress is the global address given to the ISP side of the veth pair.
var ISPAddress = netip.MustParsePrefix("2001:db8:1::1/64")

// namePrefix starts the name of every namespace the testbed creates.
const namePrefix = "v6d-"

// Bed is one ISP/CPE namespace pair joined by a veth pair.
type Bed struct {
	ISP, CPE     string // network namespace names
	ISPIf, CPEIf string // veth names inside the ISP and CPE namespaces

	// ISPLinkLocal and CPELinkLocal have no zone; add the interface name
	// with WithZone when dialing from inside a namespace.
	ISPLinkLocal, CPELinkLocal netip.Addr
	CPEMAC, ISPMAC             net.HardwareAddr

	Dir string // per-test directory for configs, logs and daemon state

	mu    sync.Mutex
	procs []*Process
}

// New creates a fresh testbed and registers its teardown with t.Cleanup.
// The teardown runs even when the test fails: it stops every process the
// testbed started, kills whatever is still running inside the two namespaces,
// deletes the namespaces (and with them the veth pair) and removes
// /etc/netns/<name>.
func New(t testing.TB) *Bed {
	t.Helper()
	if os.Geteuid() != 0 {
		missing(t, "testbed: needs root to create network namespaces (run the e2e tests as root)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		missing(t, "testbed: iproute2's `ip` is not in PATH (apt-get install iproute2)")
	}
	reapStale(t)

	suffix := randomHex(3)
	b := &Bed{
		ISP:   namePrefix + suffix + "-isp", // 14 chars
		CPE:   namePrefix + suffix + "-cpe",
		ISPIf: "isp" + suffix, // 9 chars, <= IFNAMSIZ-1
		CPEIf: "wan" + suffix,
		Dir:   t.TempDir(),
	}
	marker := markerPath(suffix)
	t.Cleanup(func() { b.teardown(t, marker) })

	if err := os.MkdirAll(filepath.Dir(marker), 0o755); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	if err := os.WriteFile(marker, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		t.Fatalf("testbed: %v", err)
	}

	for _, ns := range []string{b.ISP, b.CPE} {
		run(t, "ip", "netns", "add", ns)
		dir := filepath.Join("/etc/netns", ns)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("testbed: %v", err)
		}
		// ip netns exec bind-mounts this over /etc/resolv.conf, so anything
		// run in the namespace that rewrites resolv.conf writes here.
		resolv := "# v6diag testbed " + ns + "\nnameserver 2001:db8:1::1\n"
		if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte(resolv), 0o644); err != nil {
			t.Fatalf("testbed: %v", err)
		}
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	// radvd insists on being a router; the CPE stays a host (accept_ra=1).
	run(t, "ip", "netns", "exec", b.ISP, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/forwarding")

	// Created directly inside the namespaces: the pair never exists in the
	// host namespace.
	run(t, "ip", "-n", b.ISP, "link", "add", b.ISPIf, "type", "veth", "peer", "name", b.CPEIf, "netns", b.CPE)
	run(t, "ip", "-n", b.ISP, "-6", "addr", "add", ISPAddress.String(), "dev", b.ISPIf)
	run(t, "ip", "-n", b.ISP, "link", "set", b.ISPIf, "up")
	run(t, "ip", "-n", b.CPE, "link", "set", b.CPEIf, "up")

	var err error
	if b.ISPMAC, err = linkMAC(b.ISP, b.ISPIf); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	if b.CPEMAC, err = linkMAC(b.CPE, b.CPEIf); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	if b.ISPLinkLocal, err = waitLinkLocal(b.ISP, b.ISPIf, 15*time.Second); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	if b.CPELinkLocal, err = waitLinkLocal(b.CPE, b.CPEIf, 15*time.Second); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	if _, err = waitAddr(b.ISP, b.ISPIf, "global", 15*time.Second); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	t.Logf("testbed: ISP %s/%s %s, CPE %s/%s %s, dir %s", b.ISP, b.ISPIf, b.ISPLinkLocal, b.CPE, b.CPEIf, b.CPELinkLocal, b.Dir)
	return b
}

// ExecCPE returns a command that runs name inside the CPE namespace.
func (b *Bed) ExecCPE(ctx context.Context, name string, args ...string) *exec.Cmd {
	return nsCommand(ctx, b.CPE, name, args...)
}

// ExecISP returns a command that runs name inside the ISP namespace.
func (b *Bed) ExecISP(ctx context.Context, name string, args ...string) *exec.Cmd {
	return nsCommand(ctx, b.ISP, name, args...)
}

func nsCommand(ctx context.Context, ns, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
	// `ip netns exec` execs name in place, so the pid is the program's own.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Process is a command started in the background by the testbed.
type Process struct {
	Cmd  *exec.Cmd
	Name string

	done chan struct{}
	err  error
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait blocks until the process exits and returns its exit error.
func (p *Process) Wait() error { <-p.done; return p.err }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM, waits up to timeout, then SIGKILLs. It is idempotent.
func (p *Process) Stop(timeout time.Duration) {
	if p.Exited() {
		return
	}
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		_ = p.Cmd.Process.Kill()
		<-p.done
	}
}

// Start starts cmd (typically from ExecCPE or ExecISP) in the background.
// Unless cmd.Stdout/Stderr are already set, output goes to
// Dir/<name>.out. The process is stopped when the test ends (see New), and
// the caller may Stop it earlier.
func (b *Bed) Start(t testing.TB, name string, cmd *exec.Cmd) *Process {
	t.Helper()
	if cmd.Stdout == nil && cmd.Stderr == nil {
		f, err := os.Create(filepath.Join(b.Dir, name+".out"))
		if err != nil {
			t.Fatalf("testbed: %v", err)
		}
		defer f.Close() // the child keeps its own descriptor
		cmd.Stdout, cmd.Stderr = f, f
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// Do not outlive the test binary if it is killed.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		t.Fatalf("testbed: start %s: %v", name, err)
	}
	p := &Process{Cmd: cmd, Name: name, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	b.mu.Lock()
	b.procs = append(b.procs, p)
	b.mu.Unlock()
	return p
}

func (b *Bed) teardown(t testing.TB, marker string) {
	b.mu.Lock()
	procs := b.procs
	b.procs = nil
	b.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].Stop(5 * time.Second)
	}
	for _, ns := range []string{b.CPE, b.ISP} {
		if ns == "" {
			continue
		}
		destroyNamespace(ns)
	}
	_ = os.Remove(marker)
	if t.Failed() {
		t.Logf("testbed: logs and configs were in %s", b.Dir)
	}
}

// destroyNamespace kills every process still inside ns (daemons that forked,
// commands a test forgot), then deletes ns and /etc/netns/<ns>.
func destroyNamespace(ns string) {
	for i := 0; i < 20; i++ {
		out, _ := exec.Command("ip", "netns", "pids", ns).Output()
		pids := strings.Fields(string(out))
		if len(pids) == 0 {
			break
		}
		for _, s := range pids {
			if pid, err := strconv.Atoi(s); err == nil && pid > 1 && pid != os.Getpid() {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = exec.Command("ip", "netns", "del", ns).Run()
	_ = os.RemoveAll(filepath.Join("/etc/netns", ns))
}

// markerDir records which process owns which namespace pair, so a later New
// can remove namespaces left behind by a test binary that was killed before
// its cleanups ran.
func markerDir() string { return filepath.Join(os.TempDir(), "v6diag-testbed") }

func markerPath(suffix string) string { return filepath.Join(markerDir(), suffix+".pid") }

func reapStale(t testing.TB) {
	entries, err := os.ReadDir(markerDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		suffix, ok := strings.CutSuffix(e.Name(), ".pid")
		if !ok {
			continue
		}
		path := filepath.Join(markerDir(), e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid <= 0 || processAlive(pid) {
			continue
		}
		t.Logf("testbed: removing namespaces left by dead test process %d", pid)
		destroyNamespace(namePrefix + suffix + "-cpe")
		destroyNamespace(namePrefix + suffix + "-isp")
		_ = os.Remove(path)
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// missing skips t, or fails it when running under CI.
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI is set, so this is a failure, not a skip)", msg)
	}
	t.Skip(msg)
}

// NeedBinary skips (or under CI fails) t unless name is in PATH; hint says
// how to get it.
func NeedBinary(t testing.TB, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, fmt.Sprintf("testbed: %s not found in PATH (%s)", name, hint))
	}
	return p
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf) // never fails on Linux
	return hex.EncodeToString(buf)
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := runErr(name, args...)
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	return out
}

func runErr(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

func linkMAC(ns, dev string) (net.HardwareAddr, error) {
	out, err := runErr("ip", "-n", ns, "-j", "link", "show", "dev", dev)
	if err != nil {
		return nil, err
	}
	var links []struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 {
		return nil, fmt.Errorf("ip link show %s in %s: unexpected output %q", dev, ns, out)
	}
	return net.ParseMAC(links[0].Address)
}

type ipAddrInfo struct {
	Family    string `json:"family"`
	Local     string `json:"local"`
	Scope     string `json:"scope"`
	Tentative bool   `json:"tentative"`
	DADFailed bool   `json:"dadfailed"`
}

// waitLinkLocal waits until dev in ns has a link-local address that has
// finished duplicate address detection.
func waitLinkLocal(ns, dev string, timeout time.Duration) (netip.Addr, error) {
	return waitAddr(ns, dev, "link", timeout)
}

func waitAddr(ns, dev, scope string, timeout time.Duration) (netip.Addr, error) {
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		out, err := runErr("ip", "-n", ns, "-j", "-6", "addr", "show", "dev", dev)
		if err != nil {
			return netip.Addr{}, err
		}
		last = out
		var ifs []struct {
			AddrInfo []ipAddrInfo `json:"addr_info"`
		}
		if err := json.Unmarshal([]byte(out), &ifs); err != nil {
			return netip.Addr{}, fmt.Errorf("ip -j addr show %s in %s: %w", dev, ns, err)
		}
		for _, i := range ifs {
			for _, a := range i.AddrInfo {
				if a.Family != "inet6" || a.Scope != scope {
					continue
				}
				if a.DADFailed {
					return netip.Addr{}, fmt.Errorf("%s in %s: DAD failed for %s", dev, ns, a.Local)
				}
				if a.Tentative {
					continue
				}
				addr, err := netip.ParseAddr(a.Local)
				if err != nil {
					return netip.Addr{}, err
				}
				return addr, nil
			}
		}
		if time.Now().After(deadline) {
			return netip.Addr{}, fmt.Errorf("%s in %s: no non-tentative %s-scope IPv6 address after %v: %s", dev, ns, scope, timeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// WaitFile polls until path contains substr or timeout passes, and returns
// the file's content. Intended for daemon logs.
func WaitFile(path, substr string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		data, _ := os.ReadFile(path)
		if strings.Contains(string(data), substr) {
			return string(data), nil
		}
		if time.Now().After(deadline) {
			return string(data), fmt.Errorf("testbed: %q did not appear in %s within %v", substr, path, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
