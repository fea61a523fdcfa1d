package capture

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// snapLength is what the filter keeps of an accepted frame.
const snapLength = MaxFrameLength

// Filter returns the BPF program that accepts what v6diag analyses — ICMPv6
// Router Solicitations and Advertisements, and UDP to or from ports 546 and
// 547 — for frames of the given link type. IPv6 packets whose first header
// is Hop-by-Hop or Fragment are accepted too, so that the decoder can report
// them (RFC 6980) instead of the filter hiding them.
func Filter(lt LinkType) ([]bpf.RawInstruction, error) {
	// The tail runs with X holding the offset of the IPv6 header. Its jumps
	// are relative, so it is the same whatever link header comes before it.
	tail := []bpf.RawInstruction{
		/* t0  */ loadByteAtX(6), // Next Header
		/* t1  */ jumpIfEqual(uint32(TransportICMPv6), 3, 0), // → t5
		/* t2  */ jumpIfEqual(uint32(TransportUDP), 5, 0), // → t8
		/* t3  */ jumpIfEqual(0, 11, 0), // Hop-by-Hop → accept
		/* t4  */ jumpIfEqual(44, 10, 9), // Fragment → accept, else drop
		/* t5  */ loadByteAtX(40), // ICMPv6 type
		/* t6  */ jumpIfEqual(ICMPv6RouterSolicitation, 8, 0), // Router Solicitation → accept
		/* t7  */ jumpIfEqual(ICMPv6RouterAdvertisement, 7, 6), // Router Advertisement → accept
		/* t8  */ loadHalfAtX(40), // UDP source port
		/* t9  */ jumpIfEqual(PortDHCPv6Client, 5, 0),
		/* t10 */ jumpIfEqual(PortDHCPv6Server, 4, 0),
		/* t11 */ loadHalfAtX(42), // UDP destination port
		/* t12 */ jumpIfEqual(PortDHCPv6Client, 2, 0),
		/* t13 */ jumpIfEqual(PortDHCPv6Server, 1, 0),
		/* t14 */ ret(0), // drop
		/* t15 */ ret(snapLength), // accept
	}
	const tailDrop = 14
	// toDrop is the skip from prefix instruction i of n to the tail's drop.
	toDrop := func(i, n int) uint8 { return uint8(n + tailDrop - i - 1) }

	var prefix []bpf.RawInstruction
	switch lt {
	case LinkTypeEthernet:
		const n = 9
		prefix = []bpf.RawInstruction{
			/* 0 */ loadHalf(12), // EtherType
			/* 1 */ jumpIfEqual(etherTypeIPv6, 6, 0), // → 8
			/* 2 */ jumpIfEqual(etherTypeVLAN, 1, 0), // → 4
			/* 3 */ jumpIfEqual(etherTypeQinQ, 0, toDrop(3, n)),
			/* 4 */ loadHalf(16), // EtherType behind one tag
			/* 5 */ jumpIfEqual(etherTypeIPv6, 0, toDrop(5, n)),
			/* 6 */ loadX(18),
			/* 7 */ jump(1), // → tail
			/* 8 */ loadX(14),
		}
	case LinkTypeRaw:
		const n = 4
		prefix = []bpf.RawInstruction{
			/* 0 */ loadByte(0),
			/* 1 */ and(0xf0), // IP version
			/* 2 */ jumpIfEqual(0x60, 0, toDrop(2, n)),
			/* 3 */ loadX(0),
		}
	default:
		return nil, fmt.Errorf("capture: no live filter for link type %s", lt)
	}
	return append(prefix, tail...), nil
}
