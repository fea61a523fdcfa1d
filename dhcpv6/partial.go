package dhcpv6

import (
	"errors"
	"fmt"

	"github.com/v6diag/v6diag/dhcpv6/options"
)

// ErrCut is wrapped by ParsePartial's error: the capture holds only the
// start of the message, so what it lacks says nothing about the sender.
var ErrCut = errors.New("dhcpv6: message cut short by the capture")

// ParsePartial decodes the start of a DHCPv6 payload that a capture cut
// short — by its snapshot length, or by a file that ends inside the frame.
// Whatever lies wholly inside b is decoded as Parse decodes it, relay
// layers included; a Relay Message option cut at the end is followed
// into, since the message a relay carries comes last more often than not.
// The error wraps ErrCut and names the option the cut fell in, e.g.
// "cut inside IA_PD option 25 (12 of 41 bytes)"; a fault in what was
// captured wraps ErrMalformed instead, as Parse's do. The Message is nil
// when not even its 4-byte header was captured. A cut that falls on an
// option boundary leaves no trace in the bytes: then the error is nil (the
// caller, who knows the frame was cut, says so), and on a whole message
// ParsePartial returns what Parse does.
func ParsePartial(b []byte) (*Message, error) {
	countParse()
	b, relays, cutRelay, err := unwrapRelays(b, true)
	if err != nil {
		return nil, err
	}
	if len(b) < messageHeaderLen {
		return nil, fmt.Errorf("%w: cut inside the message header (%d of %d bytes)", ErrCut, len(b), messageHeaderLen)
	}
	m := headerOf(b, relays)
	opts, cut := options.ParseCut(b[messageHeaderLen:])
	if err := m.decodeOptions(opts); err != nil {
		return m, err
	}
	switch {
	case cut != nil && cut.Length < 0:
		return m, fmt.Errorf("%w: cut inside an option header after %d options", ErrCut, len(opts))
	case cut != nil:
		m.OptionCodes = append(m.OptionCodes, OptionCode(cut.Code))
		return m, fmt.Errorf("%w: cut inside %s (%d of %d bytes)", ErrCut, OptionCode(cut.Code).phrase(), len(cut.Data), cut.Length)
	case cutRelay != "":
		return m, fmt.Errorf("%w: cut inside %s", ErrCut, cutRelay)
	}
	return m, nil
}
