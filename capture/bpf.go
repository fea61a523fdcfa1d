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
	tail := []bpf.Instruction{
		/* t0  */ bpf.LoadIndirect{Off: 6, Size: 1}, // Next Header
		/* t1  */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(TransportICMPv6), SkipTrue: 3}, // → t5
		/* t2  */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(TransportUDP), SkipTrue: 5}, // → t8
		/* t3  */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: 11}, // Hop-by-Hop → accept
		/* t4  */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 44, SkipTrue: 10, SkipFalse: 9}, // Fragment → accept, else drop
		/* t5  */ bpf.LoadIndirect{Off: 40, Size: 1}, // ICMPv6 type
		/* t6  */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: ICMPv6RouterSolicitation, SkipTrue: 8}, // Router Solicitation → accept
		/* t7  */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: ICMPv6RouterAdvertisement, SkipTrue: 7, SkipFalse: 6}, // Router Advertisement → accept
		/* t8  */ bpf.LoadIndirect{Off: 40, Size: 2}, // UDP source port
		/* t9  */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: PortDHCPv6Client, SkipTrue: 5},
		/* t10 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: PortDHCPv6Server, SkipTrue: 4},
		/* t11 */ bpf.LoadIndirect{Off: 42, Size: 2}, // UDP destination port
		/* t12 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: PortDHCPv6Client, SkipTrue: 2},
		/* t13 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: PortDHCPv6Server, SkipTrue: 1},
		/* t14 */ bpf.RetConstant{Val: 0}, // drop
		/* t15 */ bpf.RetConstant{Val: snapLength}, // accept
	}
	const tailDrop = 14
	// toDrop is the skip from prefix instruction i of n to the tail's drop.
	toDrop := func(i, n int) uint8 { return uint8(n + tailDrop - i - 1) }

	var prefix []bpf.Instruction
	switch lt {
	case LinkTypeEthernet:
		const n = 9
		prefix = []bpf.Instruction{
			/* 0 */ bpf.LoadAbsolute{Off: 12, Size: 2}, // EtherType
			/* 1 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: etherTypeIPv6, SkipTrue: 6}, // → 8
			/* 2 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: etherTypeVLAN, SkipTrue: 1}, // → 4
			/* 3 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: etherTypeQinQ, SkipFalse: toDrop(3, n)},
			/* 4 */ bpf.LoadAbsolute{Off: 16, Size: 2}, // EtherType behind one tag
			/* 5 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: etherTypeIPv6, SkipFalse: toDrop(5, n)},
			/* 6 */ bpf.LoadConstant{Dst: bpf.RegX, Val: 18},
			/* 7 */ bpf.Jump{Skip: 1}, // → tail
			/* 8 */ bpf.LoadConstant{Dst: bpf.RegX, Val: 14},
		}
	case LinkTypeRaw:
		const n = 4
		prefix = []bpf.Instruction{
			/* 0 */ bpf.LoadAbsolute{Off: 0, Size: 1},
			/* 1 */ bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xf0}, // IP version
			/* 2 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x60, SkipFalse: toDrop(2, n)},
			/* 3 */ bpf.LoadConstant{Dst: bpf.RegX, Val: 0},
		}
	default:
		return nil, fmt.Errorf("capture: no live filter for link type %s", lt)
	}
	raw, err := bpf.Assemble(append(prefix, tail...))
	if err != nil {
		return nil, fmt.Errorf("capture: assemble filter for %s: %w", lt, err)
	}
	return raw, nil
}
