package hostinfo

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/v6diag/v6diag/capture"
)

// ErrNoInterface reports an interface name the kernel does not know.
var ErrNoInterface = errors.New("no such interface")

// LookupInterface reads an interface's facts from a Linux root file system
// (os.DirFS("/") in production, a fixture in tests).
func LookupInterface(root fs.FS, name string) (capture.Interface, error) {
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		return capture.Interface{}, fmt.Errorf("hostinfo: interface %q: %w", name, ErrNoInterface)
	}
	dir := "sys/class/net/" + name
	read := func(f string) (string, error) {
		b, err := fs.ReadFile(root, dir+"/"+f)
		return string(bytes.TrimSpace(b)), err
	}
	idx, err := read("ifindex")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return capture.Interface{}, fmt.Errorf("hostinfo: interface %s: %w", name, ErrNoInterface)
		}
		return capture.Interface{}, fmt.Errorf("hostinfo: interface %s: %w", name, err)
	}
	ifc := capture.Interface{Name: name, Source: "/sys/class/net, /proc/net/if_inet6"}
	if ifc.Index, err = strconv.Atoi(idx); err != nil {
		return capture.Interface{}, fmt.Errorf("hostinfo: interface %s: ifindex %q: %w", name, idx, err)
	}
	if t, err := read("type"); err == nil {
		v, _ := strconv.ParseUint(t, 10, 16)
		ifc.Type = uint16(v)
	}
	if ifc.Type == capture.ARPHRDEther {
		if a, err := read("address"); err == nil {
			if mac, err := net.ParseMAC(a); err == nil {
				ifc.MAC = mac
			}
		}
	}
	if m, err := read("mtu"); err == nil {
		ifc.MTU, _ = strconv.Atoi(m)
	}
	// Reading carrier fails with EINVAL when the interface is down.
	if c, err := read("carrier"); err == nil {
		ifc.Carrier = c == "1"
	}
	ifc.OperState, _ = read("operstate")
	if d, err := fs.ReadFile(root, "proc/sys/net/ipv6/conf/"+name+"/disable_ipv6"); err == nil {
		ifc.IPv6Disabled = strings.TrimSpace(string(d)) == "1"
	}
	if err := readAddresses(root, &ifc); err != nil {
		return capture.Interface{}, err
	}
	return ifc, nil
}

// readAddresses parses /proc/net/if_inet6: address, ifindex, prefix length,
// scope, flags, name — all hex but the name.
func readAddresses(root fs.FS, i *capture.Interface) error {
	b, err := fs.ReadFile(root, "proc/net/if_inet6")
	if errors.Is(err, fs.ErrNotExist) {
		return nil // IPv6 not compiled in or disabled: no addresses
	}
	if err != nil {
		return fmt.Errorf("hostinfo: read /proc/net/if_inet6: %w", err)
	}
	const ifaFlagTentative = 0x40
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 6 || f[5] != i.Name || len(f[0]) != 32 {
			continue
		}
		raw, err := hex.DecodeString(f[0])
		if err != nil {
			continue
		}
		plen, _ := strconv.ParseUint(f[2], 16, 8)
		flags, _ := strconv.ParseUint(f[4], 16, 32)
		addr := netip.AddrFrom16([16]byte(raw))
		i.Addresses = append(i.Addresses, netip.PrefixFrom(addr, int(plen)))
		if addr.IsLinkLocalUnicast() && !i.LinkLocal.IsValid() {
			if flags&ifaFlagTentative != 0 {
				i.LinkLocalTentative = true
				continue
			}
			i.LinkLocal = addr
			i.LinkLocalTentative = false
		}
	}
	return nil
}

// DefaultRouteInterface names the interface of the IPv6 default route, else
// the IPv4 one, from /proc/net/ipv6_route and /proc/net/route. It reports
// false when there is neither.
func DefaultRouteInterface(root fs.FS) (string, bool) {
	if b, err := fs.ReadFile(root, "proc/net/ipv6_route"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			// dst, dst_len, src, src_len, nexthop, metric, refcnt, use, flags, device
			if len(f) == 10 && f[0] == strings.Repeat("0", 32) && f[1] == "00" && f[9] != "lo" {
				return f[9], true
			}
		}
	}
	if b, err := fs.ReadFile(root, "proc/net/route"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			// Iface, Destination, Gateway, Flags, RefCnt, Use, Metric, Mask, …
			if len(f) >= 8 && f[1] == "00000000" && f[7] == "00000000" {
				return f[0], true
			}
		}
	}
	return "", false
}

// UDPPortBound reports whether some socket holds the given local UDP port
// over IPv6, from /proc/net/udp6 (ports are hex in the second column).
func UDPPortBound(root fs.FS, port uint16) (bool, error) {
	b, err := fs.ReadFile(root, "proc/net/udp6")
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("hostinfo: read /proc/net/udp6: %w", err)
	}
	want := fmt.Sprintf(":%04X", port)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 2 && strings.HasSuffix(f[1], want) {
			return true, nil
		}
	}
	return false, nil
}
