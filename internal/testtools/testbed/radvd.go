package testbed

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// RadvdConfig describes the Router Advertisements radvd sends on the ISP
// veth. The zero value advertises a default router (lifetime 1800 s) with no
// M/O flags and no options every 3–4 s.
type RadvdConfig struct {
	Managed bool // M flag: addresses via DHCPv6
	Other   bool // O flag: other configuration via DHCPv6

	// RouterLifetime is AdvDefaultLifetime; 0 means radvd's usual 1800 s.
	// radvd requires 0 or a value between MaxInterval and 9000 s.
	RouterLifetime time.Duration
	// ZeroRouterLifetime advertises router lifetime 0 ("not a default
	// router"), overriding RouterLifetime.
	ZeroRouterLifetime bool

	// Prefix, if valid, is advertised in a Prefix Information option with
	// the on-link flag and, unless NoAutonomous, the autonomous (SLAAC) flag.
	Prefix            netip.Prefix
	NoAutonomous      bool
	PrefixValid       time.Duration // 0: radvd default (86400 s)
	PrefixPreferred   time.Duration // 0: radvd default (14400 s)
	RDNSS             []netip.Addr
	RDNSSLifetime     time.Duration // 0: radvd default (2 × MaxInterval)
	MTU               int           // 0: no MTU option
	MinInterval       time.Duration // 0: 3 s
	MaxInterval       time.Duration // 0: 4 s
	ExtraInterfaceCfg string        // raw radvd.conf lines added inside the interface block
}

// Radvd is a running radvd.
type Radvd struct {
	Proc       *Process
	ConfigPath string
	LogPath    string
}

// Log returns radvd's log so far.
func (r *Radvd) Log() string {
	data, _ := os.ReadFile(r.LogPath)
	return string(data)
}

func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// joinAddrs writes addrs as a daemon's config wants a list of them.
func joinAddrs(addrs []netip.Addr, sep string) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, sep)
}

// RadvdConf renders cfg as radvd.conf text for interface ifname.
func RadvdConf(ifname string, cfg RadvdConfig) string {
	onoff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	minI, maxI := cfg.MinInterval, cfg.MaxInterval
	if maxI == 0 {
		maxI = 4 * time.Second
	}
	if minI == 0 {
		minI = 3 * time.Second
		if limit := maxI * 3 / 4; minI > limit {
			minI = limit
		}
	}
	life := "1800"
	if cfg.RouterLifetime > 0 {
		life = strconv.Itoa(int(cfg.RouterLifetime / time.Second))
	}
	if cfg.ZeroRouterLifetime {
		life = "0"
	}
	var s strings.Builder
	fmt.Fprintf(&s, "interface %s {\n", ifname)
	s.WriteString("\tAdvSendAdvert on;\n")
	fmt.Fprintf(&s, "\tMinRtrAdvInterval %s;\n", secs(minI))
	fmt.Fprintf(&s, "\tMaxRtrAdvInterval %s;\n", secs(maxI))
	fmt.Fprintf(&s, "\tAdvManagedFlag %s;\n", onoff(cfg.Managed))
	fmt.Fprintf(&s, "\tAdvOtherConfigFlag %s;\n", onoff(cfg.Other))
	fmt.Fprintf(&s, "\tAdvDefaultLifetime %s;\n", life)
	if cfg.MTU > 0 {
		fmt.Fprintf(&s, "\tAdvLinkMTU %d;\n", cfg.MTU)
	}
	if cfg.ExtraInterfaceCfg != "" {
		s.WriteString(cfg.ExtraInterfaceCfg)
		s.WriteString("\n")
	}
	if cfg.Prefix.IsValid() {
		fmt.Fprintf(&s, "\tprefix %s {\n", cfg.Prefix.Masked())
		s.WriteString("\t\tAdvOnLink on;\n")
		fmt.Fprintf(&s, "\t\tAdvAutonomous %s;\n", onoff(!cfg.NoAutonomous))
		if cfg.PrefixValid > 0 {
			fmt.Fprintf(&s, "\t\tAdvValidLifetime %d;\n", int(cfg.PrefixValid/time.Second))
		}
		if cfg.PrefixPreferred > 0 {
			fmt.Fprintf(&s, "\t\tAdvPreferredLifetime %d;\n", int(cfg.PrefixPreferred/time.Second))
		}
		s.WriteString("\t};\n")
	}
	if len(cfg.RDNSS) > 0 {
		fmt.Fprintf(&s, "\tRDNSS %s {\n", joinAddrs(cfg.RDNSS, " "))
		if cfg.RDNSSLifetime > 0 {
			fmt.Fprintf(&s, "\t\tAdvRDNSSLifetime %d;\n", int(cfg.RDNSSLifetime/time.Second))
		}
		s.WriteString("\t};\n")
	}
	s.WriteString("};\n")
	return s.String()
}

// StartRadvd writes cfg to Dir/radvd.conf, runs radvd in the foreground in
// the ISP namespace with its pid file and log under Dir, waits until it runs,
// and stops it when the test ends. Only one radvd per Bed.
func (b *Bed) StartRadvd(t testing.TB, cfg RadvdConfig) *Radvd {
	t.Helper()
	NeedBinary(t, "radvd", "apt-get install radvd")
	r := &Radvd{
		ConfigPath: filepath.Join(b.Dir, "radvd.conf"),
		LogPath:    filepath.Join(b.Dir, "radvd.log"),
	}
	pidPath := filepath.Join(b.Dir, "radvd.pid")
	conf := RadvdConf(b.ISPIf, cfg)
	if err := os.WriteFile(r.ConfigPath, []byte(conf), 0o644); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	// Check the syntax first for a readable error.
	if out, err := b.ExecISP(context.Background(), "radvd", "-c", "-C", r.ConfigPath).CombinedOutput(); err != nil {
		t.Fatalf("testbed: radvd rejected its config: %v\n%s\n%s", err, out, conf)
	}
	cmd := b.ExecISP(context.Background(), "radvd", "-n", "-d", "1",
		"-C", r.ConfigPath, "-p", pidPath, "-m", "logfile", "-l", r.LogPath)
	r.Proc = b.Start(t, "radvd", cmd)
	t.Cleanup(func() { r.Proc.Stop(5 * time.Second) })

	deadline := time.Now().Add(10 * time.Second)
	for {
		if r.Proc.Exited() {
			t.Fatalf("testbed: radvd exited: %v\nlog:\n%s", r.Proc.Wait(), r.Log())
		}
		if data, err := os.ReadFile(pidPath); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 && syscall.Kill(pid, 0) == nil {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("testbed: radvd did not write %s within 10s\nlog:\n%s", pidPath, r.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
