package linkinfo

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/capture"
)

// frame builds an Ethernet frame with the given 802.1Q tags around an IPv6
// packet carrying UDP to port dst, or ICMPv6 of type icmp when dst is 0.
func frame(tags []capture.VLAN, dst uint16, icmp byte) capture.Frame {
	b := make([]byte, 12) // MACs
	for i := range b {
		b[i] = byte(i + 1)
	}
	for _, t := range tags {
		b = binary.BigEndian.AppendUint16(b, t.TPID)
		b = binary.BigEndian.AppendUint16(b, uint16(t.Priority)<<13|t.ID)
	}
	b = binary.BigEndian.AppendUint16(b, 0x86dd)
	var payload []byte
	next := byte(17)
	if dst == 0 {
		next = 58
		payload = []byte{icmp, 0, 0, 0, 0, 0, 0, 0}
	} else {
		payload = make([]byte, 8+4)
		binary.BigEndian.PutUint16(payload[0:], 546)
		binary.BigEndian.PutUint16(payload[2:], dst)
		binary.BigEndian.PutUint16(payload[4:], uint16(len(payload)))
		payload[8] = 1
	}
	ip := make([]byte, 40)
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(len(payload)))
	ip[6], ip[7] = next, 255
	ip[8], ip[9] = 0xfe, 0x80
	ip[23] = 1
	ip[24], ip[25] = 0xff, 0x02
	ip[39] = 2
	b = append(append(b, ip...), payload...)
	return capture.Frame{Number: 1, Timestamp: time.Unix(0, 0), LinkType: capture.LinkTypeEthernet, Data: b}
}

// add decodes f as the analysis pass does and hands the packet over.
func add(o *Observer, f capture.Frame) {
	if p, err := capture.Decode(f); err == nil {
		o.AddPacket(p)
	}
}

func TestObserver(t *testing.T) {
	v7p0 := []capture.VLAN{{TPID: 0x8100, ID: 7, Priority: 0}}
	v7p6 := []capture.VLAN{{TPID: 0x8100, ID: 7, Priority: 6}}
	var o Observer
	add(&o, frame(v7p0, 0, 133)) // RS, client
	add(&o, frame(v7p0, 547, 0)) // Solicit, client
	add(&o, frame(v7p6, 0, 134)) // RA, ISP
	add(&o, frame(v7p6, 546, 0)) // Advertise, ISP
	add(&o, frame(nil, 0, 128))  // echo request: ignored
	add(&o, frame(v7p6, 547, 0)) // a client frame with another priority
	want := Link{
		Client: Framing{Frames: 3, VLANs: v7p0, Mixed: true},
		ISP:    Framing{Frames: 2, VLANs: v7p6},
	}
	if diff := cmp.Diff(want, o.Link()); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestObserverUntagged(t *testing.T) {
	var o Observer
	add(&o, frame(nil, 547, 0))
	add(&o, capture.Frame{LinkType: capture.LinkTypeEthernet, Data: []byte{1, 2, 3}})
	if l := o.Link(); l.Client.Frames != 1 || l.Client.VLANs != nil || l.ISP.Frames != 0 {
		t.Errorf("got %+v", l)
	}
}
