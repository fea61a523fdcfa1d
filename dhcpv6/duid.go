package dhcpv6

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/v6diag/v6diag/internal/digest"
)

// DUID is a DHCP Unique Identifier (RFC 8415 §11) as raw bytes, type code
// first. Keeping the bytes, not a decoded form, lets a diagnosis compare
// and print exactly what was on the wire, malformed or not.
type DUID []byte

// The DUID types of RFC 8415 §11.1 and RFC 6355.
const (
	DUIDTypeLLT  uint16 = 1
	DUIDTypeEN   uint16 = 2
	DUIDTypeLL   uint16 = 3
	DUIDTypeUUID uint16 = 4
)

// hwTypeEthernet is ARP hardware type 1, the one odhcp6c and most CPE put
// in DUID-LL/LLT.
const hwTypeEthernet uint16 = 1

// Type returns the DUID type code, or 0 if d is too short to hold one.
func (d DUID) Type() uint16 {
	if len(d) < 2 {
		return 0
	}
	return binary.BigEndian.Uint16(d)
}

// TypeName returns "DUID-LLT", "DUID-EN", "DUID-LL", "DUID-UUID", or
// "DUID-type-N" for others.
func (d DUID) TypeName() string {
	switch t := d.Type(); t {
	case DUIDTypeLLT:
		return "DUID-LLT"
	case DUIDTypeEN:
		return "DUID-EN"
	case DUIDTypeLL:
		return "DUID-LL"
	case DUIDTypeUUID:
		return "DUID-UUID"
	default:
		return fmt.Sprintf("DUID-type-%d", t)
	}
}

// String returns the DUID as lower-case hex without separators, as
// odhcp6c's "clientid" option and tshark's fields print it.
func (d DUID) String() string { return hex.EncodeToString(d) }

// Equal reports whether d and o hold the same bytes.
func (d DUID) Equal(o DUID) bool { return bytes.Equal(d, o) }

// LinkLayerAddress returns the link-layer address inside a DUID-LL or
// DUID-LLT (RFC 8415 §11.2, §11.4), nil for other types or if it is empty.
func (d DUID) LinkLayerAddress() net.HardwareAddr {
	var off int
	switch d.Type() {
	case DUIDTypeLLT:
		off = 8 // type, hardware type, time
	case DUIDTypeLL:
		off = 4 // type, hardware type
	default:
		return nil
	}
	if len(d) <= off {
		return nil
	}
	return net.HardwareAddr(bytes.Clone(d[off:]))
}

// DUIDLL returns the DUID-LL (type 3, hardware type 1) of mac: what
// odhcp6c uses by default, so what the router's own client presents.
func DUIDLL(mac net.HardwareAddr) DUID {
	d := make(DUID, 4, 4+len(mac))
	binary.BigEndian.PutUint16(d, DUIDTypeLL)
	binary.BigEndian.PutUint16(d[2:], hwTypeEthernet)
	return append(d, mac...)
}

// StableDUID returns v6diag's own DUID for the router with this MAC: a
// DUID-UUID (RFC 6355) whose UUID is the first 16 bytes of
// SHA-256("v6diag DUID" || mac) with the RFC 9562 version 8 and variant
// bits set. It is the same on every run, so a server sees one client, and
// can never equal the DUID-LL/LLT the router's own client derives from the
// same MAC: the tool's test lease never collides with the router's lease.
func StableDUID(mac net.HardwareAddr) DUID {
	sum := digest.SHA256([]byte("v6diag DUID"), mac)
	d := make(DUID, 2, 18)
	binary.BigEndian.PutUint16(d, DUIDTypeUUID)
	d = append(d, sum[:16]...)
	u := d[2:]
	u[6] = u[6]&0x0f | 0x80 // version 8: custom (RFC 9562 §5.8)
	u[8] = u[8]&0x3f | 0x80 // variant 10 (RFC 9562 §4.1)
	return d
}

// StableIAID returns the IAID v6diag uses with StableDUID: the first four
// bytes of SHA-256("v6diag IAID" || mac). RFC 8415 §12 asks for an IAID
// that stays the same across restarts.
func StableIAID(mac net.HardwareAddr) [4]byte {
	sum := digest.SHA256([]byte("v6diag IAID"), mac)
	return [4]byte(sum[:4])
}

// errDUIDHex is wrapped by ParseDUIDHex errors.
var errDUIDHex = errors.New("dhcpv6: invalid DUID")

// ParseDUIDHex parses a DUID written as hex, plain ("00030001020304050607",
// as in /etc/config/network's clientid) or with ':' or '-' between bytes
// ("00:03:00:01:..."). It must be 3 to 130 bytes long (RFC 8415 §11.1).
func ParseDUIDHex(s string) (DUID, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(strings.TrimPrefix(t, "0x"), "0X")
	if strings.ContainsAny(t, ":-") {
		parts := strings.FieldsFunc(t, func(r rune) bool { return r == ':' || r == '-' })
		for i, p := range parts {
			if len(p) == 1 {
				parts[i] = "0" + p
			}
		}
		t = strings.Join(parts, "")
	}
	b, err := hex.DecodeString(t)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", errDUIDHex, s, err)
	}
	if len(b) < 3 || len(b) > maxDUIDLen {
		return nil, fmt.Errorf("%w %q: %d bytes, want 3 to %d", errDUIDHex, s, len(b), maxDUIDLen)
	}
	return DUID(b), nil
}
