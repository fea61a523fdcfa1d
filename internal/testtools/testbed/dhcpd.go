package testbed

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// DhcpdConfig is the DHCPv6 service ISC dhcpd -6 (Debian's
// isc-dhcp-server 4.4) offers on the ISP veth. Zero lifetimes take the
// defaults noted on each field.
type DhcpdConfig struct {
	// Subnet is the subnet6 declaration; zero means ISPAddress's /64 (dhcpd
	// serves only a subnet6 that holds an address of the interface).
	Subnet netip.Prefix
	// AddressRange is a range6 "first last" for IA_NA, e.g.
	// "2001:db8:1::1000 2001:db8:1::1fff". Empty: no range6, and dhcpd
	// answers IA_NA with NoAddrsAvail.
	AddressRange string
	// PDPool and PDDelegatedLen make a prefix6 pool delegating
	// /PDDelegatedLen prefixes from PDPool ("prefix6 FIRST LAST /LEN").
	// Invalid PDPool: no prefix6, and dhcpd answers IA_PD with
	// NoPrefixAvail. dhcpd's default prefix-length-mode "prefer" gives a
	// prefix of another length when none of the hinted length is left.
	PDPool         netip.Prefix
	PDDelegatedLen int

	Renew     time.Duration // T1; 0: 1000 s
	Rebind    time.Duration // T2; 0: 2000 s
	Preferred time.Duration // 0: 3000 s
	Valid     time.Duration // 0: 4000 s

	DNSServers []netip.Addr // dhcp6.name-servers, if any
	// Extra is added, as it is, at the top of dhcpd.conf.
	Extra string
}

// Dhcpd is a running dhcpd -6.
type Dhcpd struct {
	Proc       *Process
	ConfigPath string
	LeasePath  string
	LogPath    string // dhcpd -d logs to stderr
	Dir        string
}

var dhcpdSeq atomic.Int64

// Log returns dhcpd's log so far.
func (d *Dhcpd) Log() string {
	data, _ := os.ReadFile(d.LogPath)
	return string(data)
}

// DhcpdConf renders cfg as dhcpd.conf for dhcpd -6.
func DhcpdConf(cfg DhcpdConfig) (string, error) {
	subnet := cfg.Subnet
	if !subnet.IsValid() {
		subnet = ISPAddress.Masked()
	}
	var s strings.Builder
	s.WriteString("# v6diag testbed: ISC dhcpd -6\n")
	fmt.Fprintf(&s, "default-lease-time %d;\n", orDefault(cfg.Valid, 4000*time.Second))
	fmt.Fprintf(&s, "max-lease-time %d;\n", orDefault(cfg.Valid, 4000*time.Second))
	fmt.Fprintf(&s, "preferred-lifetime %d;\n", orDefault(cfg.Preferred, 3000*time.Second))
	fmt.Fprintf(&s, "option dhcp-renewal-time %d;\n", orDefault(cfg.Renew, 1000*time.Second))
	fmt.Fprintf(&s, "option dhcp-rebinding-time %d;\n", orDefault(cfg.Rebind, 2000*time.Second))
	// Answer at once: no ping-style conflict checks, no DNS updates.
	s.WriteString("ddns-update-style none;\nauthoritative;\n")
	if len(cfg.DNSServers) > 0 {
		fmt.Fprintf(&s, "option dhcp6.name-servers %s;\n", joinAddrs(cfg.DNSServers, ", "))
	}
	if cfg.Extra != "" {
		s.WriteString(cfg.Extra + "\n")
	}
	fmt.Fprintf(&s, "subnet6 %s {\n", subnet.Masked())
	if cfg.AddressRange != "" {
		fmt.Fprintf(&s, "\trange6 %s;\n", cfg.AddressRange)
	}
	if cfg.PDPool.IsValid() {
		if cfg.PDDelegatedLen < cfg.PDPool.Bits() || cfg.PDDelegatedLen > 64 {
			return "", fmt.Errorf("testbed: dhcpd: cannot delegate /%d from %s", cfg.PDDelegatedLen, cfg.PDPool)
		}
		first := cfg.PDPool.Masked().Addr()
		fmt.Fprintf(&s, "\tprefix6 %s %s /%d;\n", first, lastPrefix(cfg.PDPool, cfg.PDDelegatedLen), cfg.PDDelegatedLen)
	}
	s.WriteString("}\n")
	return s.String(), nil
}

// lastPrefix is the address of the last /n inside p.
func lastPrefix(p netip.Prefix, n int) netip.Addr {
	a := p.Masked().Addr().As16()
	for bit := p.Bits(); bit < n; bit++ {
		a[bit/8] |= 0x80 >> (bit % 8)
	}
	return netip.AddrFrom16(a)
}

// StartDhcpd writes cfg to a dhcpd.conf under Dir, runs `dhcpd -6 -d -cf
// CONF -lf LEASES -pf PID IFACE` in the ISP namespace (-d: foreground,
// log to stderr) with every file it writes under Dir, waits until it
// listens on UDP 547, and stops it when the test ends. Its server DUID is
// generated from the ISP veth and kept in its own lease file.
func (b *Bed) StartDhcpd(t testing.TB, cfg DhcpdConfig) *Dhcpd {
	t.Helper()
	NeedBinary(t, "dhcpd", "apt-get install isc-dhcp-server")
	n := dhcpdSeq.Add(1)
	d := &Dhcpd{Dir: filepath.Join(b.Dir, fmt.Sprintf("dhcpd%d", n))}
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	d.ConfigPath = filepath.Join(d.Dir, "dhcpd6.conf")
	d.LeasePath = filepath.Join(d.Dir, "dhcpd6.leases")
	d.LogPath = filepath.Join(d.Dir, "dhcpd6.log")
	pidPath := filepath.Join(d.Dir, "dhcpd6.pid")
	conf, err := DhcpdConf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.ConfigPath, []byte(conf), 0o644); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	// dhcpd refuses to start without an existing lease file.
	if err := os.WriteFile(d.LeasePath, nil, 0o644); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	if out, err := b.ExecISP(context.Background(), "dhcpd", "-6", "-t", "-cf", d.ConfigPath).CombinedOutput(); err != nil {
		t.Fatalf("testbed: dhcpd -6 -t rejected its config: %v\n%s\n%s", err, out, conf)
	}
	logFile, err := os.Create(d.LogPath)
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	cmd := b.ExecISP(context.Background(), "dhcpd", "-6", "-d", "-cf", d.ConfigPath, "-lf", d.LeasePath,
		"-pf", pidPath, b.ISPIf)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	d.Proc = b.Start(t, fmt.Sprintf("dhcpd%d", n), cmd)
	t.Cleanup(func() { d.Proc.Stop(5 * time.Second) })

	deadline := time.Now().Add(20 * time.Second)
	for {
		if d.Proc.Exited() {
			t.Fatalf("testbed: dhcpd exited: %v\nlog:\n%s", d.Proc.Wait(), d.Log())
		}
		if strings.Contains(d.Log(), "Server starting service") && b.udpBound(b.ISP, 547) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("testbed: dhcpd not listening on UDP 547 within 20s\nlog:\n%s", d.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
