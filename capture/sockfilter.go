package capture

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"
)

// The classic BPF instructions (linux/filter.h) the live filter is made
// of, written out here rather than through x/net/bpf's assembler and
// interpreter: those two took 30 KB of the mips build, and the filter
// needs nine opcodes. x/net/bpf stays the tests' oracle (bpf_test.go):
// its assembler must give the same program, its interpreter the same
// verdict on every frame.
const (
	opLoadHalf    = 0x28 // ldh [k]
	opLoadByte    = 0x30 // ldb [k]
	opLoadHalfAtX = 0x48 // ldh [x + k]
	opLoadByteAtX = 0x50 // ldb [x + k]
	opLoadX       = 0x01 // ldx #k
	opAnd         = 0x54 // and #k
	opJump        = 0x05 // ja +k
	opJumpIfEqual = 0x15 // jeq #k, +jt, +jf
	opReturn      = 0x06 // ret #k
)

func loadHalf(off uint32) bpf.RawInstruction    { return bpf.RawInstruction{Op: opLoadHalf, K: off} }
func loadByte(off uint32) bpf.RawInstruction    { return bpf.RawInstruction{Op: opLoadByte, K: off} }
func loadHalfAtX(off uint32) bpf.RawInstruction { return bpf.RawInstruction{Op: opLoadHalfAtX, K: off} }
func loadByteAtX(off uint32) bpf.RawInstruction { return bpf.RawInstruction{Op: opLoadByteAtX, K: off} }
func loadX(v uint32) bpf.RawInstruction         { return bpf.RawInstruction{Op: opLoadX, K: v} }
func and(v uint32) bpf.RawInstruction           { return bpf.RawInstruction{Op: opAnd, K: v} }
func jump(skip uint32) bpf.RawInstruction       { return bpf.RawInstruction{Op: opJump, K: skip} }
func ret(v uint32) bpf.RawInstruction           { return bpf.RawInstruction{Op: opReturn, K: v} }

func jumpIfEqual(v uint32, skipTrue, skipFalse uint8) bpf.RawInstruction {
	return bpf.RawInstruction{Op: opJumpIfEqual, Jt: skipTrue, Jf: skipFalse, K: v}
}

// userFilter runs a socket filter in user space, for a kernel or an
// emulator that will not attach it, accepting exactly what the kernel
// would: the instructions above only, checked when it is made.
type userFilter []bpf.RawInstruction

func newUserFilter(prog []bpf.RawInstruction) (userFilter, error) {
	for i, in := range prog {
		next := i + 1
		switch in.Op {
		case opLoadHalf, opLoadByte, opLoadHalfAtX, opLoadByteAtX, opLoadX, opAnd, opReturn:
		case opJump:
			next += int(in.K)
		case opJumpIfEqual:
			next += int(max(in.Jt, in.Jf))
		default:
			return nil, fmt.Errorf("capture: user-space filter: instruction %d: opcode %#x not supported", i, in.Op)
		}
		if in.Op != opReturn && next >= len(prog) {
			return nil, fmt.Errorf("capture: user-space filter: instruction %d runs past the program's end", i)
		}
	}
	if len(prog) == 0 {
		return nil, fmt.Errorf("capture: user-space filter: empty program")
	}
	return userFilter(prog), nil
}

// run returns how many bytes of frame to keep, 0 to drop it. A load past
// the frame's end drops it, as in the kernel.
func (f userFilter) run(frame []byte) int {
	var a, x uint32
	for pc := 0; pc < len(f); pc++ {
		in := f[pc]
		switch in.Op {
		case opLoadHalf, opLoadHalfAtX, opLoadByte, opLoadByteAtX:
			off := uint64(in.K)
			if in.Op == opLoadHalfAtX || in.Op == opLoadByteAtX {
				off += uint64(x)
			}
			size := uint64(2)
			if in.Op == opLoadByte || in.Op == opLoadByteAtX {
				size = 1
			}
			if off+size > uint64(len(frame)) {
				return 0
			}
			if size == 1 {
				a = uint32(frame[off])
			} else {
				a = uint32(binary.BigEndian.Uint16(frame[off:]))
			}
		case opLoadX:
			x = in.K
		case opAnd:
			a &= in.K
		case opJump:
			pc += int(in.K)
		case opJumpIfEqual:
			if a == in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case opReturn:
			return int(min(uint64(in.K), uint64(len(frame))))
		}
	}
	return 0
}
