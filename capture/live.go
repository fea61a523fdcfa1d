package capture

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// ErrPermission reports that raw packet sockets need CAP_NET_RAW (root).
var ErrPermission = errors.New("raw sockets need root (CAP_NET_RAW)")

// receiveBuffer bounds what the kernel queues for us during a flood; past
// it the kernel drops and counts (Stats), and memory stays flat.
const receiveBuffer = 1 << 20

// ReceiveBuffer is the capture socket's receive buffer, for the report.
const ReceiveBuffer = receiveBuffer

// Method names the path a live capture took, for the report: emulators and
// some kernels refuse a socket filter, and the capture then still works.
type Method string

const (
	// MethodKernelFilter: AF_PACKET with the BPF program attached to the
	// socket (SO_ATTACH_FILTER); the kernel drops what v6diag ignores.
	MethodKernelFilter Method = "af_packet+bpf"
	// MethodUserFilter: AF_PACKET without a socket filter, because attaching
	// it failed; the same BPF program runs in user space on every frame.
	MethodUserFilter Method = "af_packet, filter in user space"
)

// Live captures and sends on one interface through AF_PACKET. Everything on
// the wire that the filter accepts is read — including the frames we send,
// which the kernel loops back to every packet socket but the sender's.
type Live struct {
	ifc      Interface
	linkType LinkType
	recv     *packet.Conn
	send     *packet.Conn
	buf      []byte
	method   Method
	// userFilter runs the filter when the kernel would not (MethodUserFilter).
	userFilter userFilter
}

// OpenLive opens the capture before anything is sent, so that no answer can
// arrive unseen.
func OpenLive(ifc Interface) (*Live, error) {
	return openLive(ifc, true)
}

// openLive is OpenLive; with kernelFilter false it goes straight to the
// user-space filter, so tests exercise the fallback on any kernel.
func openLive(ifc Interface, kernelFilter bool) (*Live, error) {
	lt := ifc.LinkType()
	filter, err := Filter(lt)
	if err != nil {
		return nil, err
	}
	// net.Interface is filled from /sys rather than net.InterfaceByName,
	// which goes through netlink and fails under qemu-user on big-endian MIPS.
	ni := &net.Interface{Index: ifc.Index, Name: ifc.Name, MTU: ifc.MTU, HardwareAddr: ifc.MAC}
	method := MethodKernelFilter
	var (
		vm   userFilter
		recv *packet.Conn
	)
	err = errors.New("kernel filter not tried")
	if kernelFilter {
		recv, err = packet.Listen(ni, packet.Raw, unix.ETH_P_ALL, &packet.Config{Filter: filter})
	}
	if err != nil && !errors.Is(permission(err), ErrPermission) {
		// Attaching the filter is the one step a capture can do without,
		// and the one an emulator or a stripped kernel may refuse: retry
		// without it and filter each frame in user space.
		if vm, err = newUserFilter(filter); err != nil {
			return nil, err
		}
		method = MethodUserFilter
		recv, err = packet.Listen(ni, packet.Raw, unix.ETH_P_ALL, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("capture: open capture on %s: %w", ifc.Name, permission(err))
	}
	if rc, err := recv.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, receiveBuffer)
		})
	}
	// The sending socket is bound to ETH_P_IPV6 and never read; a filter
	// that accepts nothing keeps the kernel from queueing frames on it.
	send, err := packet.Listen(ni, packet.Datagram, unix.ETH_P_IPV6, &packet.Config{Filter: rejectAll()})
	if err != nil {
		recv.Close()
		return nil, fmt.Errorf("capture: open sender on %s: %w", ifc.Name, permission(err))
	}
	return &Live{ifc: ifc, linkType: lt, recv: recv, send: send, buf: make([]byte, snapLength), method: method, userFilter: vm}, nil
}

// Method reports the capture path this Live took.
func (l *Live) Method() Method { return l.method }

func permission(err error) error {
	if errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("%w: %v", ErrPermission, err)
	}
	return err
}

func rejectAll() []bpf.RawInstruction {
	return []bpf.RawInstruction{ret(0)}
}

// LinkType is the link type of frames ReadFrame returns.
func (l *Live) LinkType() LinkType { return l.linkType }

// ReadFrame waits until deadline for the next frame. It returns an error
// satisfying errors.Is(err, os.ErrDeadlineExceeded) when none came. The
// frame's Data is a fresh copy; Number is left for the caller to assign.
func (l *Live) ReadFrame(deadline time.Time) (Frame, error) {
	if err := l.recv.SetReadDeadline(deadline); err != nil {
		return Frame{}, fmt.Errorf("capture: set deadline on %s: %w", l.ifc.Name, err)
	}
	n, err := l.read()
	if err != nil {
		return Frame{}, fmt.Errorf("capture: read on %s: %w", l.ifc.Name, err)
	}
	data := make([]byte, n)
	copy(data, l.buf[:n])
	return Frame{Timestamp: time.Now().UTC(), LinkType: l.linkType, Data: data, OriginalLength: n}, nil
}

// read reads the next frame the filter accepts into l.buf.
func (l *Live) read() (int, error) {
	for {
		n, _, err := l.recv.ReadFrom(l.buf)
		if err != nil || l.userFilter == nil {
			return n, err
		}
		// The filter returns how many bytes to keep, 0 to drop (a runt
		// frame read past its end too, as in the kernel).
		if keep := l.userFilter.run(l.buf[:n]); keep > 0 {
			return min(n, keep), nil
		}
	}
}

// Send writes one IPv6 packet; the kernel adds the link header, addressed
// to dst (ignored on links without hardware addresses).
func (l *Live) Send(dst net.HardwareAddr, ipv6 []byte) error {
	addr := &packet.Addr{HardwareAddr: dst}
	if l.linkType != LinkTypeEthernet {
		// Decided by the framing, not by l.ifc.MAC: lo has no MAC in
		// Interface but its Ethernet header still needs a destination.
		// Empty, not nil: packet.Conn.WriteTo refuses a nil HardwareAddr
		// with EINVAL before any syscall; empty sends sll_halen 0, which is
		// what the kernel expects for PPP (dev->addr_len 0).
		addr.HardwareAddr = net.HardwareAddr{}
	}
	if _, err := l.send.WriteTo(ipv6, addr); err != nil {
		return fmt.Errorf("capture: send on %s: %w", l.ifc.Name, err)
	}
	return nil
}

// ErrNoStats reports that the kernel (or qemu-user, which does not
// translate PACKET_STATISTICS) gives no drop counts: the capture works,
// only its drops are unknown.
var ErrNoStats = errors.New("packet socket statistics not available")

// Stats reports how many frames the kernel passed and dropped for the
// capture socket since the last call.
func (l *Live) Stats() (received, dropped uint32, err error) {
	s, err := l.recv.Stats()
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOPROTOOPT) {
		return 0, 0, fmt.Errorf("capture: stats on %s: %w (%v)", l.ifc.Name, ErrNoStats, err)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("capture: stats on %s: %w", l.ifc.Name, err)
	}
	return s.Packets, s.Drops, nil
}

// Close releases both sockets.
func (l *Live) Close() error {
	return errors.Join(l.recv.Close(), l.send.Close())
}
