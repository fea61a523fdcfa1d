package hostinfo

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/netip"
	"strconv"
	"strings"

	"github.com/v6diag/v6diag/uciconfig"
)

// The router's own facts that a run reads beside its frames, each from
// /proc or the file system under root: here, in one package, rather than
// scattered over cmd/v6diag (issue 12).

// HostName is what odhcp6c puts in its Client FQDN: the kernel's host name
// (gethostname); empty when it cannot be read.
func HostName(root fs.FS) string {
	b, err := fs.ReadFile(root, "proc/sys/kernel/hostname")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// NetifdHost is what netifd's dhcpv6 handler reads from the router
// besides the config: which handler it has (the ucode one only where
// /lib/netifd/proto/dhcpv6.uc exists), and whether the dslite and map
// protocol handlers are installed (each adds options to the ORO).
func NetifdHost(root fs.FS) uciconfig.NetifdHost {
	var h uciconfig.NetifdHost
	if _, err := fs.Stat(root, "lib/netifd/proto/dhcpv6.uc"); err == nil {
		h.Handler = uciconfig.HandlerUcode
	}
	_, errDSLite := fs.Stat(root, "lib/netifd/proto/dslite.sh")
	_, errMAP := fs.Stat(root, "lib/netifd/proto/map.sh")
	h.DSLite, h.MAP = errDSLite == nil, errMAP == nil
	return h
}

// LeaseEvidence says why the router's own DHCPv6 client may hold a
// lease, or "" when nothing suggests it. It is deliberately suspicious:
// an address that looks like an IA_NA (/128) on the WAN, any global address
// on another interface (a delegated prefix handed to the LAN), or a reject
// route for a global prefix (netifd's unreachable route for a delegation).
// odhcp6c keeps no lease file of its own; netifd holds the state, and these
// are its visible traces.
func LeaseEvidence(root fs.FS, wan string) string {
	if b, err := fs.ReadFile(root, "proc/net/if_inet6"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 6 || len(f[0]) != 32 || f[5] == "lo" {
				continue
			}
			a, ok := hexAddr(f[0])
			plen, _ := strconv.ParseUint(f[2], 16, 8)
			if !ok || !isGlobal(a) {
				continue
			}
			switch {
			case f[5] != wan:
				return fmt.Sprintf("%s holds %s/%d: the router may hold a delegated prefix under its own DUID", f[5], a, plen)
			case plen == 128:
				return fmt.Sprintf("%s holds %s/128, which looks like the router's own DHCPv6 address", wan, a)
			}
		}
	}
	if b, err := fs.ReadFile(root, "proc/net/ipv6_route"); err == nil {
		const rtfReject = 0x0200
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 10 {
				continue
			}
			a, ok := hexAddr(f[0])
			plen, _ := strconv.ParseUint(f[1], 16, 8)
			flags, _ := strconv.ParseUint(f[8], 16, 32)
			if ok && isGlobal(a) && flags&rtfReject != 0 && plen < 64 {
				return fmt.Sprintf("an unreachable route for %s/%d shows a prefix delegated to the router", a, plen)
			}
		}
	}
	return ""
}

func hexAddr(s string) (netip.Addr, bool) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16([16]byte(b)), true
}

// isGlobal reports a global unicast address that is not a ULA: what an ISP
// hands out.
func isGlobal(a netip.Addr) bool {
	return a.IsGlobalUnicast() && !netip.MustParsePrefix("fc00::/7").Contains(a)
}

// MemAvailable reads MemAvailable from /proc/meminfo in bytes; ok is
// false when the kernel does not say (before Linux 3.14, or no /proc).
func MemAvailable(root fs.FS) (bytes uint64, ok bool) {
	v, ok := procField(root, "proc/meminfo", "MemAvailable:")
	if !ok {
		return 0, false
	}
	kb, err := strconv.ParseUint(strings.TrimSuffix(v, " kB"), 10, 64)
	if err != nil {
		return 0, false
	}
	return kb << 10, true
}

// EffectiveCapabilities reads this process's effective capability set
// (CapEff in /proc/self/status); ok is false when /proc cannot tell.
func EffectiveCapabilities(root fs.FS) (caps uint64, ok bool) {
	v, ok := procField(root, "proc/self/status", "CapEff:")
	if !ok {
		return 0, false
	}
	caps, err := strconv.ParseUint(v, 16, 64)
	return caps, err == nil
}

// procField is the value of the first line of a /proc file that starts
// with key, trimmed; ok is false when the file or the line is missing.
func procField(root fs.FS, path, key string) (string, bool) {
	f, err := root.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, found := strings.CutPrefix(sc.Text(), key); found {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
