package testbed

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// PPPoE is a PPPoE session between the two namespaces as OpenWrt's WAN sees
// it: a point-to-point device of type ARPHRD_PPP named "pppoe-wan" in the
// CPE namespace (no MAC, no link header, IPv6 link-local address only), its
// peer "ppp0" in the ISP namespace, and the session's frames (RFC 2516
// session stage, EtherType 0x8864, PPP protocol 0x0057 for IPv6) on the veth
// pair underneath.
//
// Why not pppd and pppoe-server: they need the kernel's PPP driver
// (CONFIG_PPP, ppp_generic: the /dev/ppp character device, major 108), and
// the kernel the tests run on here is built without it and without module
// support — pppd exits with "Couldn't open the /dev/ppp device", and opening
// a c 108 0 node gives ENXIO. So StartPPPoE builds what pppd leaves behind
// after IPV6CP instead:
//
//   - each PPP device is a TUN device (IFF_TUN|IFF_NO_PI: raw IP packets,
//     no link header) whose type is set to ARPHRD_PPP (512) with TUNSETLINK
//     before it goes up, so /sys/class/net/<dev>/type reads 512 exactly as
//     for a ppp_generic device; like one, it has no hardware address,
//     IFF_POINTOPOINT|IFF_NOARP|IFF_MULTICAST, and the kernel gives it no
//     link-local address of its own;
//   - each gets the fe80:: address IPV6CP would have negotiated (random
//     interface identifiers; on the CPE a /128 with the peer's address, as
//     pppd 2.4.9 configures it over rtnetlink; on the ISP side a /64, see
//     StartPPPoE), MTU 1492;
//   - a relay in the test process carries the packets between the two
//     devices as PPPoE session frames on the veth pair (a fixed session id;
//     there is no discovery stage, LCP or IPV6CP on the wire).
//
// What v6diag sees on pppoe-wan — the interface facts in /sys and /proc,
// AF_PACKET framing (SOCK_RAW reads raw IPv6, SOCK_DGRAM with ETH_P_IPV6
// sends it), multicast, link-local addressing — is what it sees on a real
// pppoe-wan. Everything stays inside the Bed's namespaces: the devices are
// created inside them (from a thread that setns()es into the namespace and
// is discarded afterwards) and the relay's sockets are bound to the veths.
// Nothing is started in the host's namespaces and no file outside Dir is
// written.
type PPPoE struct {
	ISPIf, CPEIf               string     // "ppp0" in the ISP namespace, "pppoe-wan" in the CPE's
	ISPLinkLocal, CPELinkLocal netip.Addr // the link-local addresses on them, without zone
	SessionID                  uint16
	MTU                        int

	mu      sync.Mutex
	relayed [2]int // packets ISP→CPE and CPE→ISP
	closers []func() error
	wg      sync.WaitGroup
}

// PPPoE constants: RFC 2516 and RFC 1661/5072.
const (
	arphrdPPP           = 512
	etherTypePPPoESess  = 0x8864
	pppProtoIPv6        = 0x0057
	pppoeHeaderLen      = 6 // ver/type, code, session id, length
	pppoeMTU            = 1492
	pppoeCPEDevice      = "pppoe-wan"
	pppoeISPDevice      = "ppp0"
	pppoeDefaultSession = 0x1234
)

// StartPPPoE brings the PPPoE session up (see PPPoE), waits until both PPP
// devices run with a non-tentative link-local address, and tears it down
// when the test ends (before the Bed's namespaces go).
func (b *Bed) StartPPPoE(t testing.TB) *PPPoE {
	t.Helper()
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		missing(t, "testbed: PPPoE needs /dev/net/tun (CONFIG_TUN)")
	}
	p := &PPPoE{ISPIf: pppoeISPDevice, CPEIf: pppoeCPEDevice, SessionID: pppoeDefaultSession, MTU: pppoeMTU}
	t.Cleanup(func() {
		if err := p.close(); err != nil {
			t.Logf("testbed: PPPoE teardown: %v", err)
		}
		isp, cpe := p.Relayed()
		t.Logf("testbed: PPPoE relay carried %d packets ISP→CPE, %d CPE→ISP", isp, cpe)
	})
	ispID, cpeID := pppInterfaceID(), pppInterfaceID()
	p.ISPLinkLocal, p.CPELinkLocal = linkLocalFromID(ispID), linkLocalFromID(cpeID)

	ispTun, ispEth, err := openPPPoEEnd(b.ISP, p.ISPIf, b.ISPIf)
	if err != nil {
		t.Fatalf("testbed: PPPoE in %s: %v", b.ISP, err)
	}
	p.closers = append(p.closers, ispTun.Close, ispEth.Close)
	cpeTun, cpeEth, err := openPPPoEEnd(b.CPE, p.CPEIf, b.CPEIf)
	if err != nil {
		t.Fatalf("testbed: PPPoE in %s: %v", b.CPE, err)
	}
	p.closers = append(p.closers, cpeTun.Close, cpeEth.Close)

	// What pppd does once IPV6CP is up: MTU, up, the link-local address as
	// a /128 with the peer's (pppd 2.4.9's rtnetlink call). The ISP side
	// gets a plain fe80::/64 instead: Kea 2.2 takes an address's
	// IFA_ADDRESS, which on a point-to-point address is the peer's, and
	// then fails to bind ("Failed to bind socket ... to <CPE's address>").
	run(t, "ip", "-n", b.ISP, "link", "set", "dev", p.ISPIf, "mtu", fmt.Sprint(p.MTU), "up")
	run(t, "ip", "-n", b.ISP, "-6", "addr", "add", p.ISPLinkLocal.String()+"/64", "dev", p.ISPIf)
	run(t, "ip", "-n", b.CPE, "link", "set", "dev", p.CPEIf, "mtu", fmt.Sprint(p.MTU), "up")
	run(t, "ip", "-n", b.CPE, "-6", "addr", "add", p.CPELinkLocal.String()+"/128", "peer", p.ISPLinkLocal.String()+"/128", "dev", p.CPEIf)

	p.runEnd(ispTun, ispEth, b.CPEMAC, 1) // delivers CPE → ISP
	p.runEnd(cpeTun, cpeEth, b.ISPMAC, 0) // delivers ISP → CPE

	for _, end := range []struct{ ns, dev string }{{b.ISP, p.ISPIf}, {b.CPE, p.CPEIf}} {
		if _, err := waitLinkLocal(end.ns, end.dev, 10*time.Second); err != nil {
			t.Fatalf("testbed: PPPoE: %v", err)
		}
		typ, err := runErr("ip", "netns", "exec", end.ns, "cat", filepath.Join("/sys/class/net", end.dev, "type"))
		if err != nil || strings.TrimSpace(typ) != fmt.Sprint(arphrdPPP) {
			t.Fatalf("testbed: PPPoE: %s in %s has type %q (%v), want %d (ARPHRD_PPP)", end.dev, end.ns, strings.TrimSpace(typ), err, arphrdPPP)
		}
	}
	t.Logf("testbed: PPPoE session %#04x: %s %s (%s) ⇄ %s %s (%s), MTU %d, over %s/%s",
		p.SessionID, b.ISP, p.ISPIf, p.ISPLinkLocal, b.CPE, p.CPEIf, p.CPELinkLocal, p.MTU, b.ISPIf, b.CPEIf)
	return p
}

// Relayed reports how many IPv6 packets the relay carried each way so far.
func (p *PPPoE) Relayed() (ispToCPE, cpeToISP int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.relayed[0], p.relayed[1]
}

func (p *PPPoE) close() error {
	p.mu.Lock()
	closers := p.closers
	p.closers = nil
	p.mu.Unlock()
	var errs []error
	for _, c := range closers {
		if err := c(); err != nil && !errors.Is(err, os.ErrClosed) {
			errs = append(errs, err)
		}
	}
	p.wg.Wait()
	return errors.Join(errs...)
}

// runEnd relays for one end of the session: IPv6 packets the kernel sends
// out of tun go onto eth as session frames addressed to peerMAC, and
// session frames from peerMAC that arrive on eth are written into tun (and
// counted in relayed[in]). It stops when tun and eth are closed.
func (p *PPPoE) runEnd(tun *os.File, eth *packet.Conn, peerMAC net.HardwareAddr, in int) {
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		buf := make([]byte, 1<<16)
		frame := make([]byte, 0, len(buf)+pppoeHeaderLen+2)
		for {
			n, err := tun.Read(buf)
			if err != nil {
				return
			}
			frame = pppoeSessionFrame(frame, p.SessionID, buf[:n])
			if _, err := eth.WriteTo(frame, &packet.Addr{HardwareAddr: peerMAC}); err != nil && errors.Is(err, net.ErrClosed) {
				return
			}
		}
	}()
	go func() {
		defer p.wg.Done()
		buf := make([]byte, 1<<16)
		for {
			n, from, err := eth.ReadFrom(buf)
			if err != nil {
				return // closed, or the veth is gone
			}
			src, ok := from.(*packet.Addr)
			if !ok || !bytes.Equal(src.HardwareAddr, peerMAC) {
				continue
			}
			ipv6, ok := parsePPPoESession(buf[:n], p.SessionID)
			if !ok {
				continue
			}
			if _, err := tun.Write(ipv6); err != nil {
				if errors.Is(err, os.ErrClosed) {
					return
				}
				continue
			}
			p.mu.Lock()
			p.relayed[in]++
			p.mu.Unlock()
		}
	}()
}

// pppInterfaceID returns a random IPV6CP interface identifier with the
// universal/local bit clear, as pppd chooses one when none is configured.
func pppInterfaceID() [8]byte {
	var id [8]byte
	for id == ([8]byte{}) {
		_, _ = rand.Read(id[:])
		id[0] &^= 0x02
	}
	return id
}

func linkLocalFromID(id [8]byte) netip.Addr {
	var a [16]byte
	a[0], a[1] = 0xfe, 0x80
	copy(a[8:], id[:])
	return netip.AddrFrom16(a)
}

// openPPPoEEnd creates, inside namespace ns, the TUN device dev with type
// ARPHRD_PPP (down), and a packet socket for PPPoE session frames on the
// veth ethDev. Both stay usable from any thread once created.
func openPPPoEEnd(ns, dev, ethDev string) (*os.File, *packet.Conn, error) {
	var tun *os.File
	var eth *packet.Conn
	err := inNetns(ns, func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err != nil {
			return fmt.Errorf("open /dev/net/tun: %w", err)
		}
		ifr, err := unix.NewIfreq(dev)
		if err != nil {
			unix.Close(fd)
			return err
		}
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			unix.Close(fd)
			return fmt.Errorf("TUNSETIFF %s: %w", dev, err)
		}
		if err := unix.IoctlSetInt(fd, unix.TUNSETLINK, arphrdPPP); err != nil {
			unix.Close(fd)
			return fmt.Errorf("TUNSETLINK %s ARPHRD_PPP: %w", dev, err)
		}
		// O_NONBLOCK: os.NewFile puts the descriptor in the runtime's
		// poller, so Close unblocks a pending Read.
		tun = os.NewFile(uintptr(fd), "/dev/net/tun:"+dev)
		ifi, err := net.InterfaceByName(ethDev)
		if err != nil {
			tun.Close()
			return err
		}
		eth, err = packet.Listen(ifi, packet.Datagram, etherTypePPPoESess, nil)
		if err != nil {
			tun.Close()
			return fmt.Errorf("packet socket on %s: %w", ethDev, err)
		}
		return nil
	})
	return tun, eth, err
}

// inNetns runs fn on an OS thread that has joined network namespace ns
// (/run/netns/ns, as `ip netns add` makes it). The thread is never handed
// back to the Go scheduler: the goroutine exits still locked to it, and the
// runtime then ends the thread, so no other goroutine ever runs in ns.
func inNetns(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: see above.
		f, err := os.Open(filepath.Join("/run/netns", ns))
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// pppoeSessionFrame wraps an IPv6 packet in the PPPoE session header and
// the PPP protocol field (the Ethernet header is the packet socket's).
func pppoeSessionFrame(buf []byte, session uint16, ipv6 []byte) []byte {
	buf = buf[:0]
	buf = append(buf, 0x11, 0x00) // version 1, type 1; code 0: session data
	buf = binary.BigEndian.AppendUint16(buf, session)
	buf = binary.BigEndian.AppendUint16(buf, uint16(2+len(ipv6)))
	buf = binary.BigEndian.AppendUint16(buf, pppProtoIPv6)
	return append(buf, ipv6...)
}

// parsePPPoESession returns the IPv6 packet in a session frame for session,
// or false for anything else (another session, LCP, discovery, garbage).
func parsePPPoESession(frame []byte, session uint16) ([]byte, bool) {
	if len(frame) < pppoeHeaderLen+2 || frame[0] != 0x11 || frame[1] != 0 ||
		binary.BigEndian.Uint16(frame[2:]) != session {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(frame[4:]))
	if n < 2 || pppoeHeaderLen+n > len(frame) || binary.BigEndian.Uint16(frame[6:]) != pppProtoIPv6 {
		return nil, false
	}
	return frame[pppoeHeaderLen+2 : pppoeHeaderLen+n], true
}
