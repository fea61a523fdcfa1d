package testbed

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Dhcpcd describes a private dhcpcd (Debian's dhcpcd-base 9.x) for the CPE
// namespace, used as a reference DHCPv6 client.
//
// dhcpcd 9.4 has its database directory (/var/lib/dhcpcd: duid, secret,
// leases) and run directory (/run/dhcpcd: pid files, control sockets)
// compiled in, with no option to move them. Command therefore runs it in a
// private mount namespace (unshare -m, propagation private, on top of the one
// `ip netns exec` already makes) with DBDir bind-mounted over
// /var/lib/dhcpcd and RunDir over /run, so nothing of the host's is read or
// written and every dhcpcd started through the same Dhcpcd shares the state
// (the control socket used by -k/-x, the DUID). /etc/resolv.conf inside the
// namespace is Bed's /etc/netns/<cpe>/resolv.conf; the config also turns
// hooks off and the script is /bin/true.
type Dhcpcd struct {
	Bed        *Bed
	ConfigPath string
	DBDir      string
	RunDir     string
	LogPath    string
}

// DhcpcdPDConfig is a dhcpcd.conf for DHCPv6 only on ifname: one IA_NA and one
// IA_PD (iaid 1, delegated prefix not assigned anywhere), router solicitation
// off so DHCPv6 starts at once without waiting for an RA's M flag.
func DhcpcdPDConfig(ifname string) string {
	return "# v6diag testbed\n" +
		"ipv6only\n" +
		"noipv4\n" +
		"noipv6rs\n" +
		"script /bin/true\n" +
		"nohook resolv.conf, hostname, ntp, timesyncd, yp, wpa_supplicant\n" +
		"duid ll\n" +
		"allowinterfaces " + ifname + "\n" +
		"interface " + ifname + "\n" +
		"\tia_na 1\n" +
		"\tia_pd 1 -\n"
}

// NewDhcpcd prepares a private dhcpcd in Dir/dhcpcd with config as its
// dhcpcd.conf (DhcpcdPDConfig(b.CPEIf) if empty).
func (b *Bed) NewDhcpcd(t testing.TB, config string) *Dhcpcd {
	t.Helper()
	NeedBinary(t, "dhcpcd", "apt-get install dhcpcd-base")
	NeedBinary(t, "unshare", "apt-get install util-linux")
	if config == "" {
		config = DhcpcdPDConfig(b.CPEIf)
	}
	base := filepath.Join(b.Dir, "dhcpcd")
	d := &Dhcpcd{
		Bed:        b,
		ConfigPath: filepath.Join(base, "dhcpcd.conf"),
		DBDir:      filepath.Join(base, "db"),
		RunDir:     filepath.Join(base, "run"),
		LogPath:    filepath.Join(base, "dhcpcd.log"),
	}
	for _, dir := range []string{d.DBDir, d.RunDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("testbed: %v", err)
		}
	}
	if err := os.WriteFile(d.ConfigPath, []byte(config), 0o644); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	return d
}

// Command returns `dhcpcd -f <config> -j <log> args...` in the CPE namespace
// with the private directories mounted (see Dhcpcd).
func (d *Dhcpcd) Command(ctx context.Context, args ...string) *exec.Cmd {
	const script = `set -e
mount --bind "$1" /var/lib/dhcpcd
mount --bind "$2" /run
shift 2
exec dhcpcd "$@"`
	full := append([]string{"--mount", "--propagation", "private", "sh", "-c", script, "sh",
		d.DBDir, d.RunDir, "-f", d.ConfigPath, "-j", d.LogPath}, args...)
	return d.Bed.ExecCPE(ctx, "unshare", full...)
}

// Log returns dhcpcd's log file (written with -j).
func (d *Dhcpcd) Log() string {
	data, _ := os.ReadFile(d.LogPath)
	return string(data)
}
